#pragma once

#include "engine/observe/metricsstore.h"
#include "engine/observe/procstat.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace drover::engine {

class LogRotation;
class Registry;
class Stream;
class Timer;
class Worker;
struct Loop;

/// Once a second: each worker's usage from /proc (CPU, RSS, threads, fds), the master's own,
/// the pools' counts, into the metrics store and out to the subscribers that follow them.
class Sampler
{
public:
    Sampler(Loop &loop, Registry &registry, Stream &stream, MetricsStore &metrics,
            std::chrono::milliseconds interval, LogRotation &logs);
    ~Sampler();

    void start();
    /// The next sample looks at `w` (a new process, or none any more).
    void lookSoon(const Worker &w);
    /// The number of clients connected to the master, sampled as `master/clients`.
    void setClients(int clients) { m_clients = clients; }

private:
    void schedule();
    void sample();
    void refreshList();

    Loop &m_loop;
    Registry &m_registry;
    Stream &m_stream;
    MetricsStore &m_metrics;
    std::chrono::milliseconds m_interval;
    LogRotation &m_logs;
    std::unique_ptr<Timer> m_timer;

    /// The workers in a flat list, which a sample walks in full: a vector instead of map
    /// nodes scattered over the heap. Rebuilt when a worker comes or goes.
    struct Sampled
    {
        const std::string *id;
        Worker *worker;
        /// Samples to go until the next look at an idle worker. Kept here, in a flat array,
        /// so that a sample skips an idle worker without touching it: at 1000 workers the
        /// cache and TLB misses of reaching each scattered Worker were most of idle cost.
        int skip;
    };
    std::vector<Sampled> m_list;
    std::uint64_t m_listMembership = ~0ull;
    int m_tick = 0;
    /// An idle worker is looked at 4 samples after the first look that found it had not run,
    /// then every 8 (level 1, 2).
    static constexpr int kMaxIdleLevel = 2;

    std::optional<ProcStatReader> m_self;
    CpuMeter m_selfCpu;
    std::array<MetricsStore::Handle, 6> m_masterSeries; ///< named once
    int m_clients = -1; ///< as the server says; -1: no server (not recorded)
};

} // namespace drover::engine
