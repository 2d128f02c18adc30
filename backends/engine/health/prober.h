#pragma once

#include "engine/health/history.h"
#include "engine/observe/metricsstore.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace drover::engine {

class ConfigView;
class ExecProber;
class HttpProbeConnection;
class Notices;
class Registry;
class StateStore;
class Stream;
class Timer;
class Worker;
struct EngineOptions;
struct Loop;
struct ProbeOutcome;
struct ProbeTarget;

/// One probe of a worker's current process: its timer, its verdict and its series.
struct ProbeRun
{
    ProbeRun();
    ~ProbeRun();
    ProbeRun(ProbeRun &&) noexcept;
    ProbeRun &operator=(ProbeRun &&) noexcept;

    ProbeRole role = ProbeRole::Startup;
    config::ProbeSpec spec;
    std::shared_ptr<const ProbeTarget> target; ///< shared with the check on its way
    std::string targetProblem; ///< why there is no target (each check fails with it)
    std::shared_ptr<HttpProbeConnection> http; ///< kept between http checks
    std::unique_ptr<Timer> timer;
    ProbeVerdict verdict;
    bool done = false;        ///< a startup probe that passed runs no more
    bool inFlight = false;    ///< a check is on its way (one at a time per probe)
    std::uint64_t serial = 0; ///< which run: answers to an earlier one are dropped
    MetricsStore::Handle latency;
};

/// The health room's part of a worker.
struct WorkerProbes
{
    std::vector<ProbeRun> runs;                 ///< those of its current process
    std::unique_ptr<HealthHistory> history;     ///< made with its first probe result
    std::chrono::steady_clock::time_point upAt; ///< initial delays count from here
    /// Requests wait for this worker (Prober::hurry): until it is ready, a failed startup or
    /// readiness check is tried again after a few milliseconds instead of its interval.
    bool urgent = false;
};

/// Runs each worker's startup, liveness and readiness probes on the loop, keeps their
/// history, and moves the worker through starting, running and ready as they pass; a
/// startup or liveness probe that gives up is reported upward (Notices::unhealthy).
class Prober
{
public:
    Prober(Loop &loop, Registry &registry, const ConfigView &config, Stream &stream,
           MetricsStore &metrics, const EngineOptions &options, const StateStore &state,
           Notices &notices);
    ~Prober();

    /// A process of `w` is up (spawned, re-adopted or adopted from its PID file): its probes
    /// start. With a startup probe it is `starting` until that passes; otherwise running,
    /// and ready unless it has a readiness probe. Probes of a process found already running
    /// start at a random point of their first interval, so that the workers a restarted
    /// master re-adopts do not all probe at once.
    void processUp(Worker &w, std::string reason, bool found);
    /// The config changed `w`'s probes: its process keeps running and the new probes start.
    void reprobe(Worker &w);
    /// Its state left starting/running/ready: its probes stop (checks on their way are
    /// dropped when they answer).
    void stateChanged(Worker &w);
    /// Requests are waiting for `w` (a cold start, a queue at its gateway): until it is
    /// ready, its startup and readiness probes check every few milliseconds (after their
    /// `initial_delay`) instead of every `interval`, so that it takes traffic as soon as it
    /// answers. Ends when it is ready or its process ends.
    void hurry(Worker &w);
    void setLimits(int maxExecProbes, std::size_t historyKept);

    /// Whether probes run in this state.
    static bool probing(api::WorkerState s);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace drover::engine
