#include "engine/registry.h"

#include "api/clock.h"
#include "engine/health/prober.h"
#include "engine/loop.h"
#include "engine/runtime.h"
#include "engine/specs.h"
#include "engine/stream.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace drover::engine {

using api::WorkerState;

Worker::Worker() = default;
Worker::~Worker() = default;

Registry::Registry(Stream &stream, const ConfigView &config, Notices &notices)
    : m_stream(stream)
    , m_config(config)
    , m_notices(notices)
{}

Registry::~Registry() = default;

// ---- workers ----------------------------------------------------------------------------

Worker *Registry::find(std::string_view id)
{
    auto it = m_workers.find(id);
    return it == m_workers.end() ? nullptr : it->second.get();
}

void Registry::count(const Worker &w, int sign)
{
    if (!w.m_counted)
        return;
    auto it = m_members.find(w.pool());
    if (it == m_members.end())
        return;
    it->second.running += sign * int(api::hasProcess(w.m_info.state));
    it->second.ready += sign * int(w.m_info.state == WorkerState::Ready);
}

Worker &Registry::adopt(std::unique_ptr<Worker> w)
{
    Worker &ref = *w;
    ref.created = ++m_created;
    m_members[ref.pool()].list.push_back(&ref);
    ref.m_counted = !ref.fromPidFile;
    count(ref, 1);
    m_workers[ref.id()] = std::move(w);
    ++m_membership;
    return ref;
}

Worker &Registry::create(const std::string &pool, int index, std::string id,
                         const std::string &revision)
{
    auto w = std::make_unique<Worker>();
    w->m_info.id = std::move(id);
    w->m_info.pool = pool;
    w->m_info.index = index;
    const config::PoolSpec *spec = m_config.pool(pool);
    const Pool *record = this->pool(pool);
    const std::string &wanted = !revision.empty() ? revision
                                : record          ? record->revision
                                                  : std::string();
    if (const config::PoolSpec *t = m_config.templateOf(pool, wanted))
        spec = t;
    if (spec) {
        w->m_info.revision = spec->revision;
        if (spec->ports) {
            // The pool's own workers only; the lowest port of the range none of them holds.
            std::vector<int> used;
            if (auto it = m_members.find(pool); it != m_members.end()) {
                for (const Worker *m : it->second.list) {
                    if (m->m_info.port)
                        used.push_back(*m->m_info.port);
                }
            }
            std::sort(used.begin(), used.end());
            int port = spec->ports->first;
            for (int u : used) {
                if (u > port)
                    break;
                if (u == port)
                    ++port;
            }
            if (port <= spec->ports->last)
                w->m_info.port = port;
        }
    }
    Worker &ref = adopt(std::move(w));
    publish(ref);
    return ref;
}

int Registry::freeIndex(const std::string &pool) const
{
    std::set<int> used;
    if (auto it = m_members.find(pool); it != m_members.end()) {
        for (const Worker *m : it->second.list)
            used.insert(m->m_info.index);
    }
    for (int index = 0;; ++index) {
        if (!used.count(index) && !m_workers.count(pool + "-" + std::to_string(index)))
            return index;
    }
}

void Registry::init(Worker &w, api::WorkerInfo info)
{
    w.m_info = std::move(info);
}

Worker &Registry::insert(std::unique_ptr<Worker> w, bool announce)
{
    Worker &ref = adopt(std::move(w));
    if (announce)
        publish(ref);
    return ref;
}

void Registry::remove(const std::string &id)
{
    auto it = m_workers.find(id);
    if (it == m_workers.end())
        return;
    const std::string pool = it->second->pool();
    count(*it->second, -1);
    auto &list = m_members[pool].list;
    list.erase(std::remove(list.begin(), list.end(), it->second.get()), list.end());
    m_workers.erase(it);
    ++m_membership;
    m_stream.publish(api::DeltaKind::WorkerRemoved, id);
    publishPool(pool);
    if (auto p = m_pools.find(pool); p != m_pools.end() && p->second.removing && list.empty()) {
        erasePool(pool);
        m_stream.addEvent("pool.removed", pool, "pool " + pool + " removed");
    }
}

std::vector<Worker *> Registry::poolWorkers(const std::string &pool) const
{
    std::vector<Worker *> out;
    if (auto it = m_members.find(pool); it != m_members.end()) {
        for (Worker *w : it->second.list) {
            if (!w->fromPidFile)
                out.push_back(w);
        }
    }
    return out;
}

// ---- WorkerInfo -------------------------------------------------------------------------

bool Registry::transition(Worker &w, lifecycle::Event event, std::string reason,
                          std::int64_t nextStartAtMs)
{
    const WorkerState from = w.m_info.state;
    const std::optional<WorkerState> to = lifecycle::next(from, event);
    if (!to) {
        spdlog::error("worker.state refused worker={} state={} event={} reason=\"{}\"", w.id(),
                      api::toString(from), lifecycle::toString(event), reason);
        return false;
    }
    api::WorkerInfo &info = w.m_info;
    count(w, -1);
    info.state = *to;
    count(w, 1);
    if (*to == WorkerState::Ready && from != WorkerState::Ready)
        w.readySince = Clock::now();
    info.reason = reason;
    if (!api::hasProcess(*to)) {
        info.pid = 0;
        info.startedAtMs = 0;
        info.cpuPercent = 0;
        info.rssBytes = 0;
        info.threads = 0;
        info.fds = -1;
    }
    info.nextStartAtMs = *to == WorkerState::Backoff ? nextStartAtMs : 0;
    spdlog::info("worker.state worker={} from={} to={} reason=\"{}\"", w.id(), api::toString(from),
                 api::toString(*to), reason);
    std::string message =
        w.id() + ": " + std::string(api::toString(from)) + " -> " + std::string(api::toString(*to));
    if (!reason.empty())
        message += " (" + reason + ")";
    publish(w);
    m_stream.addEvent("worker.state", w.id(), std::move(message), std::string(api::toString(from)),
                      std::string(api::toString(*to)), std::move(reason));
    publishPool(w.pool());
    m_notices.transitioned(w, from);
    return true;
}

void Registry::processStarted(Worker &w, int pid, std::int64_t startedAtMs)
{
    w.m_info.pid = pid;
    w.m_info.startedAtMs = startedAtMs;
}

void Registry::setRevision(Worker &w, std::string revision)
{
    w.m_info.revision = std::move(revision);
}

void Registry::setLimits(Worker &w, std::vector<std::string> applied,
                         std::vector<std::string> problems)
{
    w.m_info.limits = std::move(applied);
    w.m_info.limitProblems = std::move(problems);
}

void Registry::setLastExit(Worker &w, std::string how)
{
    w.m_info.lastExit = std::move(how);
}

void Registry::countRestart(Worker &w)
{
    ++w.m_info.restarts;
    if (Pool *p = pool(w.pool()))
        ++p->restarts;
}

void Registry::resetRestarts(Worker &w)
{
    w.m_info.restarts = 0;
}

void Registry::setReason(Worker &w, std::string reason)
{
    w.m_info.reason = std::move(reason);
    publish(w);
}

bool Registry::setUsage(Worker &w, std::optional<std::uint64_t> rss, std::optional<int> threads,
                        std::optional<int> fds, double cpuPercent)
{
    api::WorkerInfo &info = w.m_info;
    bool changed = cpuPercent != info.cpuPercent;
    info.cpuPercent = cpuPercent;
    if (rss) {
        changed = changed || *rss != info.rssBytes;
        info.rssBytes = *rss;
    }
    if (threads) {
        changed = changed || *threads != info.threads;
        info.threads = *threads;
    }
    if (fds) {
        changed = changed || *fds != info.fds;
        info.fds = *fds;
    }
    return changed;
}

void Registry::setProbes(Worker &w, std::vector<api::ProbeStatus> probes)
{
    w.m_info.probes = std::move(probes);
}

void Registry::setProbe(Worker &w, std::string_view probe, std::string state, std::int64_t sinceMs,
                        std::string message)
{
    for (api::ProbeStatus &status : w.m_info.probes) {
        if (status.probe == probe) {
            status.state = state;
            status.sinceMs = sinceMs;
            status.message = message;
        }
    }
}

void Registry::publish(const Worker &w)
{
    m_stream.publish(api::DeltaKind::WorkerUpsert, w.m_info);
}

// ---- pools ------------------------------------------------------------------------------

Pool *Registry::pool(const std::string &name)
{
    auto it = m_pools.find(name);
    return it == m_pools.end() ? nullptr : &it->second;
}

Pool &Registry::addPool(const config::PoolSpec &spec)
{
    Pool &pool = m_pools[spec.name];
    pool = Pool{};
    pool.name = spec.name;
    pool.desired = spec.workersAtStart();
    pool.revision = spec.revision;
    publishPool(spec.name);
    return pool;
}

void Registry::erasePool(const std::string &name)
{
    auto it = m_pools.find(name);
    if (it == m_pools.end())
        return;
    if (m_metrics)
        releaseSeries(*m_metrics, it->second, api::nowMs());
    m_pools.erase(it);
    m_stream.publish(api::DeltaKind::PoolRemoved, name);
}

api::PoolInfo Registry::poolInfo(const Pool &pool) const
{
    api::PoolInfo info;
    info.name = pool.name;
    info.desired = pool.desired;
    info.revision = pool.revision;
    info.waitingFor = pool.waitingFor;
    info.restarts = pool.restarts;
    info.job = pool.job;
    if (const config::PoolSpec *spec = m_config.pool(pool.name)) {
        info.autoscaled = spec->autoscale.has_value();
        info.minWorkers = spec->autoscale ? spec->autoscale->min : spec->replicas;
        info.maxWorkers = spec->maxWorkers();
        if (spec->gateway)
            info.gateway = spec->gateway->listen.toString();
    }
    if (auto members = m_members.find(pool.name); members != m_members.end()) {
        info.running = members->second.running;
        info.ready = members->second.ready;
    }
    return info;
}

void Registry::setJob(Pool &pool, std::optional<api::JobStatus> job)
{
    if (pool.job == job)
        return;
    pool.job = std::move(job);
    publishPool(pool.name);
}

void Registry::publishPool(const std::string &name)
{
    auto it = m_pools.find(name);
    if (it == m_pools.end())
        return;
    api::PoolInfo info = poolInfo(it->second);
    api::PoolInfo &last = it->second.published;
    if (last == info)
        return;
    last = info;
    if (!it->second.toRecord) {
        it->second.toRecord = true;
        m_changedPools.push_back(name);
    }
    m_stream.publish(api::DeltaKind::PoolUpsert, std::move(info));
}

std::vector<std::string> Registry::takeChangedPools()
{
    std::vector<std::string> out;
    out.swap(m_changedPools);
    return out;
}

api::Snapshot Registry::snapshot() const
{
    api::Snapshot s;
    s.seq = m_stream.seq();
    for (const auto &[id, w] : m_workers)
        s.workers.push_back(w->m_info);
    for (const auto &[name, pool] : m_pools)
        s.pools.push_back(poolInfo(pool));
    s.configVersion = m_config ? m_config.version() : std::string();
    return s;
}

} // namespace drover::engine
