#pragma once

#include "api/role.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

/// The domain types every backend speaks (ARCHITECTURE.md, "Domain words"): what a worker,
/// a pool and an event look like to the console, droverctl and the wire. Plain values; the
/// JSON codec is in api/codec.h.
namespace drover::api {

/// pending -> starting -> running -> ready, then draining -> stopping -> stopped; or
/// exited -> backoff -> starting; or failed (gave up).
enum class WorkerState {
    Pending,  ///< created, waiting (for a dependency, for its turn)
    Starting, ///< spawned; startup probe not yet passed
    Running,  ///< alive; not (or not yet) ready
    Ready,    ///< alive and passing readiness (or has no readiness probe)
    Draining, ///< taking no new requests before it stops
    Stopping, ///< stop signal sent, waiting for the process tree to exit
    Stopped,  ///< stopped on purpose
    Exited,   ///< exited on its own; final when the restart policy says so
    Backoff,  ///< exited, waiting before the next start
    Failed,   ///< gave up: restart limit hit or cannot be spawned; needs an operator
};

std::string_view toString(WorkerState state);
std::optional<WorkerState> parseWorkerState(std::string_view text);
/// Whether a process is (believed to be) alive in this state.
bool hasProcess(WorkerState state);

/// Where one of a worker's probes stands (the newest result is in its health history).
struct ProbeStatus
{
    std::string probe;        ///< its role: `startup`, `liveness` or `readiness`
    std::string kind;         ///< `http`, `tcp`, `exec` or `grpc`
    std::string target;       ///< what it checks, e.g. `GET http://127.0.0.1:9100/ready`
    std::string state;        ///< `pending` (no verdict yet), `passing`, `failing`
    std::int64_t sinceMs = 0; ///< when it entered that state (Unix ms)
    std::string message;      ///< the result that decided it, e.g. `503 Service Unavailable`
    friend bool operator==(const ProbeStatus &, const ProbeStatus &) = default;
};

struct WorkerInfo
{
    std::string id;   ///< `api-2`; an adopted process has its own name
    std::string pool; ///< the pool, or the adopted entry's name
    int index = 0;
    bool adopted = false;
    WorkerState state = WorkerState::Pending;
    std::string reason; ///< why it is in this state: `exit:1`, `signal:SIGKILL`, `operator`...
    int pid = 0;
    std::int64_t startedAtMs = 0; ///< when the current process started (Unix ms); 0 if none
    int restarts = 0;             ///< crashes restarted since the last operator start
    std::optional<int> port;
    std::string revision;
    std::string lastExit; ///< how the previous process ended: `exit:0`, `signal:SIGSEGV`...
    std::int64_t nextStartAtMs = 0; ///< in backoff: when it starts again
    double cpuPercent = 0;
    std::uint64_t rssBytes = 0;
    int threads = 0;
    int fds = -1;
    std::vector<std::string> limits;        ///< limits applied, e.g. `memory 256Mi (cgroup v1)`
    std::vector<std::string> limitProblems; ///< limits asked for but not applied, with why
    std::vector<ProbeStatus> probes;        ///< startup, liveness, readiness: those it has

    bool ready() const { return state == WorkerState::Ready; }
    friend bool operator==(const WorkerInfo &, const WorkerInfo &) = default;
};

/// One run of a job (a pool with `schedule:`): what started it and how it ended.
struct JobRun
{
    std::string pool;
    std::uint64_t number = 0; ///< the job's runs, counted from 1 over its life
    std::string trigger;      ///< `schedule`, `manual`, `catch-up`
    std::string by;           ///< who asked, for a manual run (a token's name, `console`)
    std::string worker;
    int pid = 0;
    std::string revision;
    std::int64_t scheduledAtMs = 0; ///< the tick it is for (0 for a manual run)
    std::int64_t startedAtMs = 0;
    std::int64_t endedAtMs = 0; ///< 0 while it runs
    /// `running`; then `succeeded`, `failed` (exit status, signal, or it could not start),
    /// `deadline` (stopped when over it), `cancelled`, `replaced` (by a newer run), `skipped`
    /// (a tick while one ran, with concurrency forbid, or while its pool waited for
    /// `depends_on`), `lost` (it ended while no master ran), `unknown` (it ended after a
    /// master restart re-adopted it: its exit status went with the master that started it).
    std::string outcome;
    std::string exit;   ///< how the process ended: `exit:0`, `signal:SIGKILL`, `limit:memory`
    std::string reason; ///< one line for a human
    std::string log;    ///< the last lines it wrote (up to 10)
    bool running() const { return outcome == "running"; }
    std::int64_t durationMs() const { return endedAtMs > 0 ? endedAtMs - startedAtMs : 0; }
    friend bool operator==(const JobRun &, const JobRun &) = default;
};

/// A job's schedule and its latest results, as part of its pool.
struct JobStatus
{
    std::string schedule;         ///< the cron expression, or `manual`
    std::string timezone;         ///< the tz database's name of its zone
    std::string concurrency;      ///< `forbid`, `allow`, `replace`
    std::int64_t nextRunAtMs = 0; ///< 0: none (manual, or the master is stopping)
    int active = 0;               ///< runs going now
    std::uint64_t runs = 0;       ///< runs started (skipped ticks not counted)
    std::uint64_t succeeded = 0;
    std::uint64_t failed = 0; ///< every ending but succeeded, skipped and running
    std::uint64_t skipped = 0;
    std::uint64_t lastNumber = 0;       ///< the newest run
    std::string lastOutcome;            ///< of the newest run that is not running
    std::int64_t lastScheduledAtMs = 0; ///< the newest tick handled (run or skipped)
    std::int64_t lastSuccessAtMs = 0;   ///< when the newest succeeded run ended
    std::int64_t lastDurationMs = 0;    ///< of the newest run that ended
    friend bool operator==(const JobStatus &, const JobStatus &) = default;
};

struct PoolInfo
{
    std::string name;
    int desired = 0;
    int running = 0; ///< workers with a live process
    int ready = 0;
    std::string revision;
    std::string waitingFor; ///< non-empty while start-up waits for `depends_on` pools
    bool autoscaled = false;
    int minWorkers = 0;
    int maxWorkers = 0;
    int restarts = 0;                   ///< crashes over the pool's life
    std::optional<std::string> gateway; ///< listen address, when it has one
    std::optional<JobStatus> job;       ///< when it is a job (`schedule:`)
    friend bool operator==(const PoolInfo &, const PoolInfo &) = default;
};

/// Something that happened, with why: every worker state transition is one event.
struct Event
{
    std::uint64_t id = 0; ///< increasing per master
    std::int64_t timeMs = 0;
    std::string kind;    ///< `worker.state`, `pool.scaled`, `config.reloaded`, `audit`...
    std::string subject; ///< a worker id, a pool name, or empty for the master
    std::string message; ///< one line for a human
    std::string from;    ///< for `worker.state`: the previous state
    std::string to;      ///< ... and the new one
    std::string reason;
    friend bool operator==(const Event &, const Event &) = default;
};

/// One probe result of one worker: an entry of its health history.
struct HealthSample
{
    std::string worker;
    std::string probe; ///< `startup`, `liveness`, `readiness`
    std::string kind;  ///< `http`, `tcp`, `exec`, `grpc`
    std::int64_t timeMs = 0;
    bool ok = false;
    double latencyMs = 0;
    std::string message; ///< one line: `200 OK`, `connection refused`, `exit 1`...
    std::string excerpt; ///< on failure: the start of the body or output
    /// On failure: the size of the worker's log file when the result came in, so that
    /// `logs.tail` with `up_to` shows the lines written before it; -1 when not known.
    std::int64_t logOffset = -1;
    friend bool operator==(const HealthSample &, const HealthSample &) = default;
};

/// A probe of a worker changed its verdict (passing <-> failing, past its thresholds).
struct HealthTransition
{
    std::string worker;
    std::string probe;
    std::int64_t timeMs = 0;
    std::string from; ///< `pending`, `passing`, `failing`
    std::string to;
    std::string reason; ///< e.g. `3 failures in a row: 503 Service Unavailable`
    friend bool operator==(const HealthTransition &, const HealthTransition &) = default;
};

/// A pool's current or last rollout: replacing its workers by those of another revision.
struct RolloutInfo
{
    std::string pool;
    std::uint64_t number = 0; ///< the pool's rollouts, counted from 1 since the master started
    std::string strategy;     ///< `rolling`, `recreate`, `blue-green` or `canary`
    /// `progressing`, `paused`, `rolling-back` while it acts; then `complete`, `rolled-back`,
    /// `aborted` or `failed` (the deadline passed without auto_rollback, or no way back).
    std::string phase;
    std::string cause; ///< `config`, `start`, `restart`, `undo`, `master-restart`
    std::string fromRevision;
    std::string toRevision;
    int desired = 0;
    int updated = 0;      ///< workers of the revision worked towards (not being stopped)
    int updatedReady = 0; ///< of those, ready for at least `min_ready`
    int old = 0;          ///< workers of other revisions still there (stopping ones too)
    int ready = 0;        ///< the pool's ready workers, of any revision
    std::int64_t startedAtMs = 0;
    std::int64_t finishedAtMs = 0; ///< 0 while it acts
    /// When `progress_deadline` passes unless it makes progress first; 0 when none runs
    /// (paused, rolling back, finished).
    std::int64_t deadlineAtMs = 0;
    std::string step;   ///< what it waits for, in one line
    std::string reason; ///< why it rolled back, was aborted or failed
    bool active() const
    {
        return phase == "progressing" || phase == "paused" || phase == "rolling-back";
    }
    friend bool operator==(const RolloutInfo &, const RolloutInfo &) = default;
};

struct Snapshot
{
    std::uint64_t seq = 0; ///< the seq of the newest delta this snapshot includes
    std::vector<WorkerInfo> workers;
    std::vector<PoolInfo> pools;
    std::vector<RolloutInfo> rollouts; ///< the current or last rollout of each pool that had one
    std::string configVersion;
    Role role = Role::Admin;
};

enum class DeltaKind {
    WorkerUpsert,
    WorkerRemoved,
    PoolUpsert,
    PoolRemoved,
    EventAdded,
    HealthSampled,
    RolloutUpsert,
};
/// `worker.upsert`, ..., `event`, `health.sample`, `rollout.upsert`
std::string_view toString(DeltaKind kind);

struct Delta
{
    std::uint64_t seq = 0;
    DeltaKind kind = DeltaKind::WorkerUpsert;
    /// WorkerInfo for worker.upsert, PoolInfo for pool.upsert, Event for event, and the
    /// removed id or name for the removals, HealthSample for health.sample, RolloutInfo for
    /// rollout.upsert (a pool's rollout goes with its pool.removed).
    std::variant<WorkerInfo, PoolInfo, Event, std::string, HealthSample, RolloutInfo> value;
};

struct MetricPoint
{
    std::string series;
    double value = 0;
};

/// One second's values of the series a subscriber follows.
struct MetricBatch
{
    std::int64_t timeMs = 0;
    std::vector<MetricPoint> points;
};

} // namespace drover::api
