#include "engine/observe/sampler.h"

#include "api/clock.h"
#include "engine/loop.h"
#include "engine/observe/logrotation.h"
#include "engine/registry.h"
#include "engine/stream.h"

#include <algorithm>
#include <cmath>
#include <unistd.h>

namespace drover::engine {

Sampler::Sampler(Loop &loop, Registry &registry, Stream &stream, MetricsStore &metrics,
                 std::chrono::milliseconds interval, LogRotation &logs)
    : m_loop(loop)
    , m_registry(registry)
    , m_stream(stream)
    , m_metrics(metrics)
    , m_interval(interval)
    , m_logs(logs)
    , m_timer(std::make_unique<Timer>(loop.io))
{}

Sampler::~Sampler() = default;

void Sampler::start()
{
    schedule();
}

void Sampler::schedule()
{
    m_timer->expires_after(m_interval);
    m_timer->async_wait([this, alive = m_loop.token()](const boost::system::error_code &ec) {
        if (ec || alive.expired())
            return;
        sample();
        schedule();
    });
}

void Sampler::refreshList()
{
    if (m_listMembership == m_registry.membership())
        return;
    m_list.clear();
    for (const auto &[id, w] : m_registry.workers()) {
        w->usage.listIndex = m_list.size();
        m_list.push_back({&id, w.get(), 0}); // one look at each again
    }
    m_listMembership = m_registry.membership();
}

void Sampler::lookSoon(const Worker &w)
{
    if (m_listMembership == m_registry.membership() && w.usage.listIndex < m_list.size() &&
        m_list[w.usage.listIndex].worker == &w)
        m_list[w.usage.listIndex].skip = 0;
}

void Sampler::sample()
{
    const std::int64_t t = api::nowMs();
    const double mono =
        std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    ++m_tick;
    refreshList();
    for (Sampled &e : m_list) {
        if (e.skip > 0) {
            --e.skip; // its series are held: its last values go on, recorded by nobody
            continue;
        }
        const std::string &id = *e.id;
        Worker &w = *e.worker;
        Usage &u = w.usage;
        if (!u.reader || !w.hasProcess()) {
            releaseSeries(m_metrics, u, t);
            continue;
        }
        // A worker that does not run is looked at less and less often (every 2, 4, then 8
        // samples), as cAdvisor's dynamic housekeeping does: a process that did not run
        // changed none of its figures, so the last ones are recorded again meanwhile, and any
        // activity brings it back to every sample. A look is its CPU clock (one light
        // syscall); stat (RSS, threads) when it ran; open fds too every 10th sample
        // (staggered), when it ran since they were last counted.
        const api::WorkerInfo &info = w.info();
        std::optional<std::uint64_t> ns = u.reader->cpuNs();
        const bool ran = !ns || *ns != u.lastCpuNs;
        u.ranSinceFull = u.ranSinceFull || ran;
        const bool full = u.ranSinceFull && ((m_tick + w.created) % 10 == 0 || info.rssBytes == 0);
        std::optional<ProcStat> st;
        if (ran || full) {
            st = u.reader->read(full);
            if (!st)
                continue;
            if (full)
                u.ranSinceFull = false;
        }
        if (ns)
            u.lastCpuNs = *ns;
        double cpu = u.cpu.update(ns ? double(*ns) / 1e9 : st->cpuSeconds, mono);
        cpu = std::round(cpu * 10) / 10;
        const bool changed =
            m_registry.setUsage(w, st ? std::optional<std::uint64_t>(st->rssBytes) : std::nullopt,
                                st ? std::optional<int>(st->threads) : std::nullopt,
                                st && full ? std::optional<int>(st->fds) : std::nullopt, cpu);
        u.idleLevel = ran ? 0 : std::min(u.idleLevel + 1, kMaxIdleLevel);
        if (!ran)
            u.reader->release();
        e.skip = u.idleLevel ? (1 << (u.idleLevel + 1)) - 1 : 0;
        if (u.seriesHeld && !changed)
            continue; // a look that found nothing new: the hold goes on
        if (u.series[0].empty()) {
            const std::string prefix = "worker/" + id + "/";
            u.series = {MetricsStore::Handle(prefix + "cpu_percent"),
                        MetricsStore::Handle(prefix + "rss_bytes"),
                        MetricsStore::Handle(prefix + "threads"),
                        MetricsStore::Handle(prefix + "fds")};
        }
        m_metrics.record(u.series[0], t, info.cpuPercent);
        m_metrics.record(u.series[1], t, double(info.rssBytes));
        m_metrics.record(u.series[2], t, info.threads);
        if (info.fds >= 0)
            m_metrics.record(u.series[3], t, info.fds);
        u.seriesHeld = false; // recording ended the hold
        if (e.skip > 0)
            holdSeries(m_metrics, u); // until the next look
        if (changed)
            m_registry.publish(w);
    }
    if (!m_self)
        m_self.emplace(int(::getpid()));
    if (m_masterSeries[0].empty()) {
        m_masterSeries = {
            MetricsStore::Handle("master/cpu_percent"), MetricsStore::Handle("master/rss_bytes"),
            MetricsStore::Handle("master/threads"),     MetricsStore::Handle("master/fds"),
            MetricsStore::Handle("master/workers"),     MetricsStore::Handle("master/clients")};
    }
    if (std::optional<ProcStat> st = m_self->read(true)) {
        m_metrics.record(m_masterSeries[0], t, m_selfCpu.update(st->cpuSeconds, mono));
        m_metrics.record(m_masterSeries[1], t, double(st->rssBytes));
        m_metrics.record(m_masterSeries[2], t, st->threads);
        if (st->fds >= 0)
            m_metrics.record(m_masterSeries[3], t, st->fds);
    }
    m_metrics.record(m_masterSeries[4], t, double(m_registry.workers().size()));
    if (m_clients >= 0)
        m_metrics.record(m_masterSeries[5], t, double(m_clients));
    // The counts of the pools that published new ones (publishPool keeps them current).
    for (const std::string &name : m_registry.takeChangedPools()) {
        Pool *pool = m_registry.pool(name);
        if (!pool)
            continue; // removed meanwhile
        pool->toRecord = false;
        const api::PoolInfo &info = pool->published;
        if (pool->series[0].empty()) {
            const std::string prefix = "pool/" + name + "/";
            pool->series = {
                MetricsStore::Handle(prefix + "workers"), MetricsStore::Handle(prefix + "running"),
                MetricsStore::Handle(prefix + "ready"), MetricsStore::Handle(prefix + "restarts")};
        }
        const std::array<double, 4> values{double(info.desired), double(info.running),
                                           double(info.ready), double(info.restarts)};
        if (pool->recordedOnce && values == pool->recorded) {
            holdSeries(m_metrics, *pool);
            continue;
        }
        for (std::size_t i = 0; i < values.size(); ++i)
            m_metrics.record(pool->series[i], t, values[i]);
        pool->recorded = values;
        pool->recordedOnce = true;
        pool->seriesHeld = false;
        holdSeries(m_metrics, *pool); // until its counts change again
    }
    if (m_tick % 5 == 0)
        m_logs.rotate();
    m_stream.sendMetrics(t, m_metrics);
}

} // namespace drover::engine
