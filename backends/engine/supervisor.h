#pragma once

#include "engine/engine.h"
#include "engine/registry.h"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace drover::engine {

class Cgroups;
class ConfigView;
struct ExitStatus;
namespace containers {
class Containers;
}
class LogsAhead;
class MetricsStore;
class Prober;
class StateStore;
struct Loop;
struct SpawnPlan;

/// Processes: the spawn queue, starting (native) and attaching to (adopted) processes, their
/// exits and what follows (restart policy, backoff, restart limit), stopping them (signal,
/// then SIGKILL after the timeout) and their records in the state dir.
class Supervisor
{
public:
    Supervisor(Loop &loop, Registry &registry, const ConfigView &config, Prober &prober,
               StateStore &state, Cgroups *cgroups, MetricsStore &metrics,
               const EngineOptions &options, std::optional<std::uint64_t> inheritedNofileSoft,
               const bool &shutting);
    ~Supervisor();

    /// Spawns `w` in a later turn of the loop, in order with the other queued starts. A
    /// stop, a removal or a shutdown before its turn cancels it (by its generation).
    void queueSpawn(Worker &w);
    /// Starts `w`'s process now; false (and `w` failed) when it cannot.
    bool spawn(Worker &w);
    /// Stops a worker's process (stop signal to the tree, SIGKILL after the timeout); `done`
    /// runs once it is gone. Without a process it only cancels a pending start or backoff.
    void stop(Worker &w, Intent intent, std::string reason, std::function<void()> done = {});
    /// Asked before a running worker is stopped (not when it is recovered): true when its
    /// gateway drains it first and calls `drained` once that is done (Serving::drain).
    using Drainer = std::function<bool(Worker &w, std::function<void()> drained)>;
    void setDrainer(Drainer drainer) { m_drainer = std::move(drainer); }
    /// The containers room, which starts the workers of pools with an `image:`.
    void setContainers(containers::Containers *containers) { m_containers = containers; }
    /// A startup or liveness probe gave up on `w`: its tree is stopped as its stop spec says,
    /// and the exit counts as a crash (restart policy, backoff, restart limit).
    void recover(Worker &w, std::string cause, const std::string &detail);
    /// Cancels a pending start, backoff or PID-file look of `w` (its timer and callbacks).
    void cancel(Worker &w);
    /// Forgets `w`: its cgroups, its record, the worker itself.
    void remove(const std::string &id);
    /// Stops watching `w`'s process without stopping it (an adopted process we leave).
    void release(Worker &w);
    /// Closes every watch and leaves the processes running (as a `kill -9` of the master
    /// would), for the next master to re-adopt.
    void abandon();

    /// Re-adopts the workers an earlier master recorded in the state dir.
    void readopt();
    /// Watches an `adopted:` entry's process from its PID file, or starts it with its
    /// command, or waits for the PID file to name a live process.
    void adoptFromPidFile(const config::AdoptedSpec &spec);

    /// What `w`'s next process runs: its pool's (or adopted entry's) command, directory and
    /// environment on top of `baseEnv`, placeholders filled in; nothing when neither is known.
    std::optional<SpawnPlan> plan(const Worker &w, const std::vector<std::string> &baseEnv) const;

    const StartCosts &startCosts() const { return m_costs; }
    const StartCosts &restartCosts() const { return m_restartCosts; }

private:
    void drainSpawns();
    void watch(Worker &w, int pidfd, int pid);
    bool attach(Worker &w, int pid, std::uint64_t expectedStart, int origin);
    void saveRecord(const Worker &w);
    void signalTree(Worker &w, int sig);
    void onExit(Worker &w);
    void onExit(Worker &w, ExitStatus status);
    /// A container worker's start (containers/supervise.cpp): podman pulls and runs in the
    /// background while the worker waits (pending, its reason saying where podman is).
    bool spawnContainer(Worker &w, const config::PoolSpec &pool);
    void onCrash(Worker &w, const std::string &how, bool clean);
    /// After `delay`, `fn` runs on `w` if it is still there, with the same process
    /// (generation), in `state` (a backoff's start, a stop's SIGKILL).
    void armTimer(Worker &w, std::chrono::milliseconds delay, api::WorkerState state,
                  std::function<void(Worker &)> fn);
    void watchPidFileLater(const std::string &id);

    Loop &m_loop;
    Registry &m_registry;
    const ConfigView &m_config;
    Prober &m_prober;
    StateStore &m_state;
    Cgroups *m_cgroups;
    MetricsStore &m_metrics;
    const EngineOptions &m_options;
    std::optional<std::uint64_t> m_nofileSoft;
    const bool &m_shutting;
    Drainer m_drainer;
    containers::Containers *m_containers = nullptr;

    /// Starts of new workers waiting their turn (id, generation when queued). One spawn
    /// holds the loop while the kernel copies the page tables and execs (about 3 ms on a
    /// 2-core VM, as long as a bare posix_spawn there), so they are spawned a short slice
    /// at a time and everything else on the loop (signals, requests, exits, probes) gets
    /// its turn between slices, however many workers are waiting.
    std::deque<std::pair<std::string, std::uint64_t>> m_spawnQueue;
    bool m_drainScheduled = false;
    std::uint64_t m_queued = 0;      ///< spawns ever queued
    std::uint64_t m_logsAheadTo = 0; ///< m_queued when the last LogsAhead was given its list
    std::unique_ptr<LogsAhead> m_logsAhead;
    static constexpr std::size_t kLogsAheadFrom = 8;
    static constexpr auto kSpawnSlice = std::chrono::milliseconds(2);
    StartCosts m_costs;
    StartCosts m_restartCosts;
    /// When the exit being handled was seen: a spawn made while it is set is a restart.
    std::optional<Clock::time_point> m_exitSeen;
};

} // namespace drover::engine
