#pragma once

#include "api/types.h"
#include "engine/cgroup.h"
#include "engine/lifecycle.h"
#include "engine/observe/metricsstore.h"
#include "engine/observe/procstat.h"
#include "engine/restartpolicy.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace drover::engine {

class ConfigView;
class Runtime;
class Stream;
class Timer;
class Watch;
struct WorkerProbes;

using Clock = std::chrono::steady_clock;

/// What to do when a worker's process is gone.
enum class Intent {
    Run,     ///< it should be running: an exit is a crash (or a finished job)
    Stop,    ///< stopped on purpose: stay stopped
    Restart, ///< an operator restart or a new revision: start again at once
    Remove,  ///< scaled down or pool removed: forget the worker
    Recover, ///< a startup or liveness probe gave up on it: its exit is a crash
};

/// A worker's current process, as far as the supervisor goes.
struct Process
{
    int pgid = 0;
    std::uint64_t startTime = 0;      ///< from /proc: guards against PID reuse
    std::unique_ptr<Runtime> runtime; ///< how it came to us (native, adopted, container)
    std::string containerId;          ///< a container worker's (podman); empty otherwise
    std::unique_ptr<Watch> exitWatch; ///< its pidfd, readable once it exits
    WorkerCgroup cgroup;
};

/// The supervisor's part of a worker: what happens when its process goes.
struct Supervision
{
    std::unique_ptr<Timer> timer; ///< backoff, stop timeout, or the next look at a PID file
    Clock::time_point runningSince;
    CrashHistory crashes;
    Intent intent = Intent::Run;
    std::string stopReason;
    std::string recoverCause; ///< `probe:liveness` while it is stopped for it
    std::vector<std::function<void()>> whenDown;
    std::uint64_t generation = 0; ///< bumped per process, so stale callbacks do nothing
    /// A stop waits while its gateway drains the worker (no new requests, in-flight ones
    /// finish, at most `drain_timeout`): the stop that follows, and that it drained.
    std::optional<std::pair<Intent, std::string>> drainingFor;
    bool drained = false;
};

/// The sampler's part: what it needs to look at the process cheaply once a second.
struct Usage
{
    std::optional<ProcStatReader> reader;
    CpuMeter cpu;
    std::array<MetricsStore::Handle, 4> series; ///< cpu, rss, threads, fds, named once
    std::uint64_t lastCpuNs = ~0ull;            ///< its CPU clock at the last look
    bool ranSinceFull = true;                   ///< it ran since its fds were last counted
    int idleLevel = 0;         ///< looks in a row that found it had not run (capped)
    std::size_t listIndex = 0; ///< its place in the sampler's flat list
    bool seriesHeld = false;   ///< its series are held in the metrics store (idle)
};

/// One worker. Its WorkerInfo, what clients see, is written by the Registry only; each room
/// keeps its own part next to it.
class Worker
{
public:
    Worker();
    ~Worker();
    Worker(const Worker &) = delete;
    Worker &operator=(const Worker &) = delete;

    const api::WorkerInfo &info() const { return m_info; }
    const std::string &id() const { return m_info.id; }
    const std::string &pool() const { return m_info.pool; }
    api::WorkerState state() const { return m_info.state; }
    bool hasProcess() const { return api::hasProcess(m_info.state); }

    bool fromPidFile = false;     ///< an `adopted:` entry, not a pool member
    std::uint64_t created = 0;    ///< creation order, for scale-down newest first
    Clock::time_point readySince; ///< when it last became ready (a rollout's min_ready)
    Process process;
    Supervision sup;
    Usage usage;
    std::unique_ptr<WorkerProbes> probes; ///< the health room's (probe runs, history)

private:
    friend class Registry;
    api::WorkerInfo m_info;
    bool m_counted = false; ///< in its pool's running/ready counts
};

/// One pool: its desired size and revision, and what the sampler recorded of it.
struct Pool
{
    std::string name;
    int desired = 0;
    bool started = false; ///< its dependencies were met and its workers created
    bool removing = false;
    std::string waitingFor;
    int restarts = 0;
    /// The revision its new workers get: the config's, or the one a rollout works towards
    /// (the one before, after a rollback).
    std::string revision;

    api::PoolInfo published;                    ///< as last published, to publish changes only
    std::array<MetricsStore::Handle, 4> series; ///< workers, running, ready, restarts
    std::array<double, 4> recorded{};           ///< the values of `series` last recorded
    bool recordedOnce = false;
    bool seriesHeld = false;           ///< `series` held in the metrics store (unchanged)
    bool toRecord = false;             ///< in changedPools()
    std::optional<api::JobStatus> job; ///< a job's schedule and results (the jobs room's)
};

/// The upward notices of the rooms below the engine (one interface; the engine fans out).
class Notices
{
public:
    /// After every state change of `w`, once its delta and event are out.
    virtual void transitioned(Worker &w, api::WorkerState from) = 0;
    /// A startup or liveness probe gave up on `w`.
    virtual void unhealthy(Worker &w, std::string cause, std::string detail) = 0;

protected:
    ~Notices() = default;
};

/// The worker and pool records, their counts and their deltas: the only writer of
/// WorkerInfo and PoolInfo. Every state change goes through transition(), which asks the
/// lifecycle table and publishes one worker delta, one event and (when its counts changed)
/// one pool delta.
class Registry
{
public:
    Registry(Stream &stream, const ConfigView &config, Notices &notices);
    ~Registry();

    void setMetrics(MetricsStore *metrics) { m_metrics = metrics; }

    // ---- workers --------------------------------------------------------------------
    Worker *find(std::string_view id);
    const std::map<std::string, std::unique_ptr<Worker>, std::less<>> &workers() const
    {
        return m_workers;
    }
    /// A new pool member in `pending`, published: of `revision` (empty: the pool's), with the
    /// lowest port of that revision's range that none of the pool's workers holds.
    Worker &create(const std::string &pool, int index, std::string id,
                   const std::string &revision = {});
    /// The lowest index of `pool` that no worker holds, under a name no worker has.
    int freeIndex(const std::string &pool) const;
    /// How many workers were ever created or inserted (Worker::created of the newest).
    std::uint64_t createdCount() const { return m_created; }
    /// The first WorkerInfo of a worker made elsewhere (re-adopted, adopted), before insert().
    void init(Worker &w, api::WorkerInfo info);
    /// Adds a worker made elsewhere; published when `announce`.
    Worker &insert(std::unique_ptr<Worker> w, bool announce);
    /// Forgets it; publishes its removal, and the pool's when it was being removed and this
    /// was its last worker.
    void remove(const std::string &id);
    /// A pool's members, PID-file entries left out.
    std::vector<Worker *> poolWorkers(const std::string &pool) const;
    /// Bumped whenever a worker comes or goes (the sampler's flat list follows it).
    std::uint64_t membership() const { return m_membership; }

    // ---- WorkerInfo -----------------------------------------------------------------
    /// Moves `w` as the lifecycle table says for `event`, with `reason`; refused (logged,
    /// nothing changes) when the table does not allow it.
    bool transition(Worker &w, lifecycle::Event event, std::string reason,
                    std::int64_t nextStartAtMs = 0);
    /// A new process of `w` (not yet published: its transition follows).
    void processStarted(Worker &w, int pid, std::int64_t startedAtMs);
    void setRevision(Worker &w, std::string revision);
    void setLimits(Worker &w, std::vector<std::string> applied, std::vector<std::string> problems);
    /// How its last process ended (published with the transition that follows).
    void setLastExit(Worker &w, std::string how);
    void countRestart(Worker &w);
    void resetRestarts(Worker &w);
    /// A reason without a state change (`waiting for db`), published.
    void setReason(Worker &w, std::string reason);
    /// The sampler's figures; whether any changed (not published).
    bool setUsage(Worker &w, std::optional<std::uint64_t> rss, std::optional<int> threads,
                  std::optional<int> fds, double cpuPercent);
    void setProbes(Worker &w, std::vector<api::ProbeStatus> probes);
    void setProbe(Worker &w, std::string_view probe, std::string state, std::int64_t sinceMs,
                  std::string message);
    void publish(const Worker &w);

    // ---- pools ----------------------------------------------------------------------
    std::map<std::string, Pool> &pools() { return m_pools; }
    const std::map<std::string, Pool> &pools() const { return m_pools; }
    Pool *pool(const std::string &name);
    Pool &addPool(const config::PoolSpec &spec);
    /// A job's status (the jobs room's), published when it changed.
    void setJob(Pool &pool, std::optional<api::JobStatus> job);
    /// Forgets a pool that has no workers left, publishing its removal.
    void erasePool(const std::string &name);
    api::PoolInfo poolInfo(const Pool &pool) const;
    /// Publishes the pool when what clients see of it changed.
    void publishPool(const std::string &name);
    /// Pools whose published counts changed since the sampler last took them.
    std::vector<std::string> takeChangedPools();

    api::Snapshot snapshot() const;

private:
    struct Members
    {
        std::vector<Worker *> list;
        int running = 0;
        int ready = 0;
    };
    void count(const Worker &w, int sign);
    Worker &adopt(std::unique_ptr<Worker> w);

    Stream &m_stream;
    const ConfigView &m_config;
    Notices &m_notices;
    MetricsStore *m_metrics = nullptr;
    std::map<std::string, std::unique_ptr<Worker>, std::less<>> m_workers; ///< by id
    /// A pool's workers and how many of them (PID-file entries not counted) have a process
    /// and are ready: kept as states change, so a pool's counts cost nothing to publish
    /// however large it is.
    std::map<std::string, Members, std::less<>> m_members;
    std::map<std::string, Pool> m_pools;
    std::vector<std::string> m_changedPools;
    std::uint64_t m_membership = 0;
    std::uint64_t m_created = 0;
};

/// An idle worker's or unchanged pool's series are held in the metrics store: they go on
/// at every sample without being recorded, until a value changes or the process ends.
template <class Owner>
void holdSeries(MetricsStore &metrics, Owner &o)
{
    if (o.seriesHeld || o.series[0].empty())
        return;
    for (MetricsStore::Handle &h : o.series)
        metrics.hold(h);
    o.seriesHeld = true;
}

template <class Owner>
void releaseSeries(MetricsStore &metrics, Owner &o, std::int64_t t)
{
    if (!o.seriesHeld)
        return;
    for (MetricsStore::Handle &h : o.series)
        metrics.release(h, t);
    o.seriesHeld = false;
}

} // namespace drover::engine
