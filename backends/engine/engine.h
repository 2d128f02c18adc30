#pragma once

#include "api/backend.h"
#include "api/role.h"
#include "config/spec.h"

#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace drover::engine {

class MetricsStore;

struct EngineOptions
{
    /// What workers inherit before their own variables (default: droverd's environment).
    std::vector<std::string> masterEnv;
    /// Our directory in each cgroup hierarchy; tests use their own.
    std::string cgroupParent = "drover";
    /// Off: no cgroups are made, and limits other than nofile are reported as not applied.
    bool cgroups = true;
    /// How often usage is sampled from /proc and the metrics recorded.
    std::chrono::milliseconds sampleInterval{1000};
};

/// Where the time of starting workers went, summed over every start since the master began
/// (bench_engine_start prints it, so that a regression shows where it is).
struct StartCosts
{
    std::uint64_t starts = 0;
    /// Restarts only: from the exit seen (pidfd readable) to the spawn beginning: reaping,
    /// the exit's transition and deltas, the restart decision.
    double exitMs = 0;
    double planMs = 0;    ///< command, environment and placeholders
    double cgroupMs = 0;  ///< making the worker's cgroups and writing its limits
    double logMs = 0;     ///< opening its log file
    double spawnMs = 0;   ///< clone + exec until the child has let go of our memory
    double watchMs = 0;   ///< its pidfd watched, its /proc stat opened and read (start time)
    double recordMs = 0;  ///< its record in the state dir (re-adoption after a master restart)
    double publishMs = 0; ///< its transitions, deltas and events, its probes set up
};

/// The supervisor. Lives on one io_context run by one thread; every member function must be
/// called on that thread (LocalBackend and droverd post onto it). No locks inside.
///
/// Workers move through the states of api::WorkerState; every transition is one `event`
/// delta with a reason. Worker records in `<state_dir>/workers.journal` let a restarted master
/// re-adopt the processes an earlier one left running.
class Engine
{
public:
    Engine(boost::asio::io_context &io, EngineOptions options = {});
    ~Engine(); ///< leaves processes running (as a `kill -9` would); use shutdown() to stop them
    Engine(const Engine &) = delete;
    Engine &operator=(const Engine &) = delete;

    /// Takes the state dir (one master per state dir), re-adopts the workers recorded there,
    /// adopts the PID-file processes, then starts the pools in `depends_on` order.
    api::Result<bool> start(std::shared_ptr<const config::Config> config);
    /// Applies a new, already valid config: added pools start, removed ones stop, changed
    /// replicas scale, a changed revision is rolled out (the pool's rollout spec).
    void reload(std::shared_ptr<const config::Config> config);
    /// Stops every managed worker (dependants before their dependencies, all of one level in
    /// parallel, each with its stop signal then SIGKILL after its timeout); calls `done` once
    /// none is left. Adopted processes that we did not start are left running.
    void shutdown(std::function<void()> done);
    bool shuttingDown() const;

    std::uint64_t subscribe(std::shared_ptr<api::StreamListener> listener, std::uint64_t since);
    void unsubscribe(std::uint64_t subscription);
    void setMetricSeries(std::uint64_t subscription, std::vector<std::string> series);
    /// Requests of the Backend interface (the engine's ops of api/ops.h); `done` is called
    /// exactly once (maybe later, e.g. a stop replies once the worker has stopped). `role`
    /// is the caller's: what it may see of secrets depends on it (the server has already
    /// refused what it may not ask). `caller` names who asks (a token's name, `console`):
    /// `config.apply` records it for `config.history`.
    void request(const std::string &op, const nlohmann::json &args, api::ReplyFn done,
                 api::Role role = api::Role::Admin, const std::string &caller = "local");

    /// `logs.follow` (Backend::followLogs): the reply (with the follow's id as `follow`),
    /// then new lines until unfollowLogs(). `done` is called before this returns. Returns the
    /// follow's id, 0 when `done` got an error.
    std::uint64_t followLogs(const nlohmann::json &args, api::LogLinesFn onLines,
                             api::ReplyFn done);
    void unfollowLogs(std::uint64_t follow);

    /// Adds an event to the stream and to `events.query` (the server's `audit` events).
    void addEvent(const std::string &kind, const std::string &subject, const std::string &message,
                  const std::string &reason);

    /// The number of clients connected to the master (the server's sessions), sampled as
    /// `master/clients` from the first call on.
    void setClients(int clients);

    api::Snapshot snapshot() const;
    std::shared_ptr<const config::Config> config() const;
    /// The running config's version (`config.apply` checks `base_version` against it).
    std::string configVersion() const;
    const MetricsStore &metrics() const;
    std::string stateDir() const;
    StartCosts startCosts() const;
    /// The same for the starts that restarted a worker at once after its exit (no backoff).
    StartCosts restartCosts() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace drover::engine
