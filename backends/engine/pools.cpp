#include "engine/pools.h"

#include "engine/registry.h"
#include "engine/rollout/rollouts.h"
#include "engine/specs.h"
#include "engine/stream.h"
#include "engine/supervisor.h"

#include <algorithm>
#include <map>

namespace drover::engine {

using api::WorkerState;

Pools::Pools(Registry &registry, const ConfigView &config, Supervisor &supervisor,
             Rollouts &rollouts, Stream &stream, const bool &shutting)
    : m_registry(registry)
    , m_config(config)
    , m_supervisor(supervisor)
    , m_rollouts(rollouts)
    , m_stream(stream)
    , m_shutting(shutting)
{}

void Pools::addAll()
{
    for (const config::PoolSpec &spec : m_config->pools) {
        m_registry.addPool(spec);
        m_rollouts.remember(spec, "start");
    }
    m_someWaiting = true;
}

void Pools::startReadopted()
{
    for (auto &[name, pool] : m_registry.pools()) {
        std::vector<Worker *> ws = m_registry.poolWorkers(name);
        if (ws.empty())
            continue;
        pool.started = true;
        if (const config::PoolSpec *spec = m_config.pool(name); spec && spec->job)
            continue; // a job's runs are the jobs room's; its next run has the new revision
        // Workers of another revision (the config changed while no master ran, or a rollout
        // was under way): roll the pool out to its template, from the revision most of them
        // run (the one to go back to when its template is still in the history).
        std::map<std::string, int> byRevision;
        for (const Worker *w : ws) {
            if (w->info().revision != pool.revision)
                ++byRevision[w->info().revision];
        }
        if (byRevision.empty()) {
            reconcile(pool);
            continue;
        }
        const std::string target = pool.revision;
        pool.revision =
            std::max_element(byRevision.begin(), byRevision.end(),
                             [](const auto &a, const auto &b) { return a.second < b.second; })
                ->first;
        startRollout(pool, target, "master-restart");
    }
}

bool Pools::up(const std::string &name) const
{
    auto it = m_registry.pools().find(name);
    if (it == m_registry.pools().end() || !it->second.started)
        return false;
    if (const config::PoolSpec *spec = m_config.pool(name); spec && spec->job)
        return true; // a job is up once it may run: its runs come and go
    std::vector<Worker *> ws = m_registry.poolWorkers(name);
    if (int(ws.size()) < it->second.desired)
        return false;
    for (const Worker *w : ws) {
        const WorkerState s = w->state();
        const bool finishedJob = s == WorkerState::Exited && w->info().lastExit == "exit:0";
        if (s != WorkerState::Ready && !finishedJob)
            return false;
    }
    return true;
}

void Pools::startWaiting()
{
    // Called after every turn with transitions: once every pool has started (pools start
    // once), a restart must not walk a thousand of them for nothing.
    if (!m_someWaiting)
        return;
    bool progress = true;
    while (progress) {
        progress = false;
        m_someWaiting = false;
        for (auto &[name, pool] : m_registry.pools()) {
            if (pool.started || pool.removing)
                continue;
            const config::PoolSpec *spec = m_config.pool(name);
            if (!spec)
                continue;
            m_someWaiting = true;
            std::string waiting;
            for (const std::string &dep : spec->dependsOn) {
                if (!up(dep))
                    waiting += (waiting.empty() ? "" : ", ") + dep;
            }
            if (waiting != pool.waitingFor) {
                pool.waitingFor = waiting;
                for (Worker *w : m_registry.poolWorkers(name)) {
                    if (w->state() == WorkerState::Pending)
                        m_registry.setReason(*w, "waiting for " + waiting);
                }
                m_registry.publishPool(name);
            }
            if (waiting.empty()) {
                pool.started = true;
                m_stream.addEvent("pool.started", name, "pool " + name + " starting");
                reconcile(pool);
                progress = true;
            }
        }
    }
}

void Pools::followUp()
{
    startWaiting();
    m_rollouts.followUp();
}

void Pools::reconcile(Pool &pool)
{
    if (!pool.started || pool.removing || m_shutting)
        return;
    if (const config::PoolSpec *spec = m_config.pool(pool.name); spec && spec->job) {
        m_registry.publishPool(pool.name); // a job's workers are its runs: the jobs room's
        return;
    }
    if (m_rollouts.active(pool.name)) {
        m_rollouts.step(pool);
        m_registry.publishPool(pool.name);
        return;
    }
    std::vector<Worker *> live;
    for (Worker *w : m_registry.poolWorkers(pool.name)) {
        if (w->sup.intent != Intent::Remove)
            live.push_back(w);
    }
    if (int(live.size()) > pool.desired) {
        std::sort(live.begin(), live.end(),
                  [](Worker *a, Worker *b) { return a->created > b->created; });
        const int extra = int(live.size()) - pool.desired;
        for (int i = 0; i < extra; ++i) {
            live[i]->sup.intent = Intent::Remove;
            m_supervisor.stop(*live[i], Intent::Remove, "scaled down");
        }
    } else {
        for (int missing = pool.desired - int(live.size()); missing > 0; --missing) {
            // The lowest index free (a worker still stopping keeps its name meanwhile).
            const int index = m_registry.freeIndex(pool.name);
            Worker &w =
                m_registry.create(pool.name, index, pool.name + "-" + std::to_string(index));
            m_supervisor.queueSpawn(w);
        }
        for (Worker *w : live) {
            if (w->state() == WorkerState::Pending)
                m_supervisor.queueSpawn(*w);
        }
    }
    m_registry.publishPool(pool.name);
}

void Pools::startRollout(Pool &pool, const std::string &revision, const std::string &cause)
{
    auto started = m_rollouts.begin(pool, revision, cause, false);
    if (!started)
        m_stream.addEvent("rollout.failed", pool.name,
                          "pool " + pool.name + ": no rollout to " + revision + ": " +
                              started.error().message,
                          {}, {}, cause);
}

void Pools::scale(Pool &pool, int desired, const std::string &why)
{
    const int before = pool.desired;
    pool.desired = desired;
    m_stream.addEvent("pool.scaled", pool.name,
                      "pool " + pool.name + " scaled from " + std::to_string(before) + " to " +
                          std::to_string(desired),
                      {}, {}, why);
    reconcile(pool);
    m_registry.publishPool(pool.name); // also while the pool waits (reconcile does nothing)
}

void Pools::reload(const std::shared_ptr<const config::Config> &old)
{
    // Removed pools stop; their workers are forgotten once stopped.
    std::vector<std::string> gone;
    for (auto &[name, pool] : m_registry.pools()) {
        if (!m_config.pool(name) && !pool.removing) {
            pool.removing = true;
            m_rollouts.forget(name);
            m_stream.addEvent("pool.removing", name,
                              "pool " + name + " is no longer in the config");
        }
        if (pool.removing)
            gone.push_back(name);
    }
    for (const std::string &name : gone) {
        std::vector<Worker *> ws = m_registry.poolWorkers(name);
        if (ws.empty()) {
            m_registry.erasePool(name);
            continue;
        }
        for (Worker *w : ws)
            m_supervisor.stop(*w, Intent::Remove, "pool removed from the config");
    }
    for (const config::PoolSpec &spec : m_config->pools) {
        Pool *pool = m_registry.pool(spec.name);
        if (!pool) {
            m_registry.addPool(spec);
            m_someWaiting = true;
            m_rollouts.remember(spec, "config");
            m_stream.addEvent("pool.added", spec.name, "pool " + spec.name + " added");
            continue;
        }
        const config::PoolSpec *before = old ? old->pool(spec.name) : nullptr;
        const int oldStart = before ? before->workersAtStart() : pool->desired;
        if (spec.workersAtStart() != oldStart)
            pool->desired = spec.workersAtStart();
        // A new template is a rollout; a pool that runs another revision than its file says
        // (after a rollback) keeps it until its template changes again or an operator starts
        // a rollout.
        if (before && spec.revision != before->revision && spec.job) {
            // A job is not rolled out: its next run starts from the new template.
            m_rollouts.remember(spec, "config");
            pool->revision = spec.revision;
            m_stream.addEvent("pool.revision", spec.name,
                              "job " + spec.name + ": new revision " + spec.revision +
                                  " from its next run");
        } else if (before && spec.revision != before->revision) {
            m_rollouts.remember(spec, "config");
            m_stream.addEvent("pool.revision", spec.name,
                              "pool " + spec.name + ": new revision " + spec.revision);
            startRollout(*pool, spec.revision, "config");
        }
        reconcile(*pool);
        m_registry.publishPool(spec.name);
    }
}

} // namespace drover::engine
