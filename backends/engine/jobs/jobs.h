#pragma once

#include "api/result.h"
#include "api/types.h"

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace drover::engine {

class ConfigView;
class Registry;
class StateStore;
class Stream;
class Supervisor;
class Timer;
class Worker;
struct Loop;

/// Jobs: pools with `schedule:`. Their workers are runs, started at the schedule's ticks, by
/// an operator (`job.run`) or once at start-up for ticks missed while no master ran; a run is
/// never restarted. Each run is a record (api::JobRun) kept in `<state_dir>/jobs.json`, so the
/// history, the counters and a run still going survive a master restart or `kill -9`.
class Jobs
{
public:
    Jobs(Loop &loop, Registry &registry, const ConfigView &config, Supervisor &supervisor,
         Stream &stream, const StateStore &state, const bool &shutting);
    ~Jobs();
    Jobs(const Jobs &) = delete;
    Jobs &operator=(const Jobs &) = delete;

    /// Reads the runs an earlier master kept (before re-adoption, which re-attaches the runs
    /// still going to their workers).
    void load();
    /// After re-adoption and start-up: runs whose process is gone are `lost`, deadlines are
    /// armed again, missed ticks are caught up as `catch_up` says, the timers start.
    void start();
    /// After a reload: jobs added, removed, their schedules and settings changed.
    void reload();
    /// At shutdown: no more ticks (the runs going are stopped with every other worker).
    void stop();

    /// Whether `pool` is a job (its workers are this room's).
    bool isJob(const std::string &pool) const;
    /// Every worker transition: a run's process started or ended.
    void transitioned(Worker &w, api::WorkerState from);

    /// Starts a run now (`job.run`), as the job's concurrency allows: refused with forbid
    /// while one runs; with replace the running ones are stopped first.
    api::Result<api::JobRun> run(const std::string &pool, const std::string &by);
    /// Stops the job's runs that are going (`number` 0: all of them); the runs it stopped.
    api::Result<std::vector<api::JobRun>> cancel(const std::string &pool, std::uint64_t number,
                                                 const std::string &by);
    /// The newest `limit` runs of a job, newest first.
    api::Result<std::vector<api::JobRun>> history(const std::string &pool, std::size_t limit) const;

private:
    struct Active
    {
        std::uint64_t number = 0;
        std::uint64_t logStart = 0;      ///< the log's size when the run started
        std::unique_ptr<Timer> deadline; ///< stops the run when it passes
        std::string endAs;               ///< `deadline`, `cancelled`, `replaced`: why we stop it
        std::string endReason;
    };
    struct Job
    {
        std::string pool;
        std::deque<api::JobRun> runs; ///< oldest first, at most `history` that have ended
        api::JobStatus status;
        std::uint64_t nextNumber = 1;
        std::map<std::string, Active> active; ///< by worker id
        std::unique_ptr<Timer> timer;         ///< the next tick
        std::optional<std::chrono::sys_seconds> next;
        bool removed = false; ///< no longer in the config: gone once its runs ended
    };

    /// `not_found`: no such pool, or it is not a job.
    api::Error notAJob(const std::string &pool) const;
    Job *find(const std::string &pool);
    const Job *find(const std::string &pool) const;
    api::JobRun *record(Job &job, std::uint64_t number);
    void addJobs();
    void describe(Job &job);
    void arm(Job &job);
    void tick(const std::string &pool, std::chrono::sys_seconds at);
    /// At start: the runs an earlier master left going go on when their worker was
    /// re-adopted (with what is left of their deadline), and are `lost` otherwise.
    void resume(Job &job);
    void catchUp(Job &job);
    /// Starts a run (or records a skipped tick); the run, or why none started.
    api::Result<api::JobRun> begin(Job &job, const std::string &trigger, const std::string &by,
                                   std::int64_t scheduledAtMs);
    /// A run's record and its entry among the job's runs going, on worker `w`.
    Active &open(Job &job, const Worker &w, const std::string &trigger, const std::string &by,
                 std::int64_t scheduledAtMs, const std::string &revision);
    void armDeadline(Job &job, const std::string &worker, Active &active,
                     std::chrono::milliseconds left);
    /// Stops a run that is going, to end it as `as` (`deadline`, `cancelled`, `replaced`).
    void stopRun(Job &job, const std::string &worker, const std::string &as,
                 const std::string &reason);
    void started(Job &job, Worker &w);
    void ended(Job &job, Worker &w, Active active);
    void skip(Job &job, const std::string &trigger, std::int64_t scheduledAtMs,
              const std::string &reason);
    void finish(Job &job, api::JobRun &run);
    void trim(Job &job);
    /// Idle run workers beyond the first are forgotten (a job keeps one record to show).
    void tidy(Job &job);
    void publish(Job &job);
    void save();

    Loop &m_loop;
    Registry &m_registry;
    const ConfigView &m_config;
    Supervisor &m_supervisor;
    Stream &m_stream;
    const StateStore &m_state;
    const bool &m_shutting;
    std::map<std::string, Job> m_jobs;
    bool m_started = false;
    bool m_saveScheduled = false;
};

} // namespace drover::engine
