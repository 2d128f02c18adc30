// The jobs room's runs: starting one on a job's worker, what its worker's transitions mean for
// it, its end and record, and the records in <state_dir>/jobs.json.
#include "api/atomicfile.h"
#include "api/clock.h"
#include "api/codec.h"
#include "engine/jobs/jobs.h"
#include "engine/logfile.h"
#include "engine/loop.h"
#include "engine/registry.h"
#include "engine/specs.h"
#include "engine/statestore.h"
#include "engine/stream.h"
#include "engine/supervisor.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace drover::engine {

using api::WorkerState;
using nlohmann::json;

namespace {

constexpr int kLogLines = 10;
constexpr std::size_t kLogBytes = 4096;

api::Error error(api::ErrorCode code, std::string message)
{
    return api::Error{code, std::move(message), {}};
}

/// The last lines a run wrote: what its log gained since `from` (all of it when the log was
/// rotated meanwhile), at most kLogLines lines of the last kLogBytes bytes.
std::string logExcerpt(const std::string &path, std::uint64_t from)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return {};
    struct stat st;
    std::string text;
    if (::fstat(fd, &st) == 0) {
        const auto size = std::uint64_t(st.st_size);
        if (size < from)
            from = 0; // rotated: what is there now is all the run's, or close to it
        const std::uint64_t start = std::max(from, size > kLogBytes ? size - kLogBytes : 0);
        text.resize(size - start);
        const ssize_t n = ::pread(fd, text.data(), text.size(), off_t(start));
        text.resize(n > 0 ? std::size_t(n) : 0);
        if (start > from) { // cut: start at the next whole line
            const std::size_t nl = text.find('\n');
            text.erase(0, nl == std::string::npos ? 0 : nl + 1);
        }
    }
    ::close(fd);
    while (!text.empty() && text.back() == '\n')
        text.pop_back();
    std::size_t cut = text.size();
    for (int lines = 0; lines < kLogLines && cut != std::string::npos && cut > 0; ++lines)
        cut = text.rfind('\n', cut - 1);
    if (cut != std::string::npos && cut < text.size())
        text.erase(0, cut + 1);
    return text;
}

json runToState(const api::JobRun &run, std::uint64_t logStart)
{
    json j = api::toJson(run);
    if (run.running())
        j["log_start"] = logStart;
    return j;
}

std::string outcomeWord(const api::JobRun &run)
{
    if (run.outcome == "deadline")
        return "was stopped at its deadline";
    if (run.outcome == "lost")
        return "ended while no master ran";
    return run.outcome;
}

} // namespace

// ---- runs ------------------------------------------------------------------------------------

api::Result<api::JobRun> Jobs::begin(Job &job, const std::string &trigger, const std::string &by,
                                     std::int64_t scheduledAtMs)
{
    const config::PoolSpec *spec = m_config.pool(job.pool);
    Pool *pool = m_registry.pool(job.pool);
    const bool manual = trigger == "manual";
    if (!spec || !spec->job || !pool || job.removed || pool->removing)
        return error(api::ErrorCode::NotFound, "no job \"" + job.pool + "\"");
    if (m_shutting)
        return error(api::ErrorCode::Unavailable, "the master is shutting down");
    if (!pool->started) {
        const std::string why = "waiting for " + pool->waitingFor;
        if (manual)
            return error(api::ErrorCode::Conflict, "job \"" + job.pool + "\" is " + why);
        skip(job, trigger, scheduledAtMs, why);
        return error(api::ErrorCode::Conflict, why);
    }
    const config::JobSpec &j = *spec->job;
    if (!job.active.empty()) {
        const std::uint64_t going = job.active.begin()->second.number;
        if (j.concurrency == config::JobConcurrency::Forbid) {
            const std::string why = "run " + std::to_string(going) + " is still going";
            if (manual)
                return error(api::ErrorCode::Conflict,
                             "job \"" + job.pool + "\": " + why + " (concurrency: forbid)");
            skip(job, trigger, scheduledAtMs, why);
            return error(api::ErrorCode::Conflict, why);
        }
        if (j.concurrency == config::JobConcurrency::Replace) {
            std::vector<std::string> workers;
            for (const auto &[worker, a] : job.active) {
                if (a.endAs.empty())
                    workers.push_back(worker);
            }
            for (const std::string &worker : workers)
                stopRun(job, worker, "replaced",
                        "replaced by run " + std::to_string(job.nextNumber));
        }
    }
    // The run's worker: the lowest idle one of the pool, or a new one.
    Worker *w = nullptr;
    for (Worker *candidate : m_registry.poolWorkers(job.pool)) {
        if (!candidate->hasProcess() && candidate->state() != WorkerState::Stopping &&
            candidate->sup.intent != Intent::Remove && !job.active.count(candidate->id()) &&
            (!w || candidate->info().index < w->info().index))
            w = candidate;
    }
    if (!w) {
        const int index = m_registry.freeIndex(job.pool);
        w = &m_registry.create(job.pool, index, job.pool + "-" + std::to_string(index),
                               spec->revision);
    } else if (w->info().revision != spec->revision) {
        m_registry.setRevision(*w, spec->revision); // a new revision: the next run has it
    }
    Active &active = open(job, *w, trigger, by, manual ? 0 : scheduledAtMs, spec->revision);
    const std::uint64_t number = active.number;
    if (j.deadline)
        armDeadline(job, w->id(), active, *j.deadline);
    m_stream.addEvent("job.started", job.pool,
                      "job " + job.pool + " run " + std::to_string(number) + " started on " +
                          w->id() + (by.empty() ? "" : " by " + by),
                      {}, {}, trigger);
    // Never restarted: its exit is the run's end (`restart: never`, which the validator sets).
    w->sup.crashes.clear();
    m_registry.resetRestarts(*w);
    m_supervisor.cancel(*w);
    m_supervisor.spawn(*w); // its transitions (started, or could not start) come back here
    save();
    publish(job);
    return *record(job, number); // trimming keeps the runs going and the newest ended ones
}

Jobs::Active &Jobs::open(Job &job, const Worker &w, const std::string &trigger,
                         const std::string &by, std::int64_t scheduledAtMs,
                         const std::string &revision)
{
    api::JobRun run;
    run.pool = job.pool;
    run.number = job.nextNumber++;
    run.trigger = trigger;
    run.by = by;
    run.worker = w.id();
    run.pid = w.info().pid;
    run.revision = revision;
    run.scheduledAtMs = scheduledAtMs;
    run.startedAtMs = api::nowMs();
    run.outcome = "running";
    Active a;
    a.number = run.number;
    a.logStart = logfile::sizeOf(m_state.logPath(w.id())).value_or(0);
    job.runs.push_back(std::move(run));
    ++job.status.runs;
    ++job.status.active;
    job.status.lastNumber = a.number;
    return job.active.insert_or_assign(w.id(), std::move(a)).first->second;
}

void Jobs::resume(Job &job)
{
    const config::PoolSpec *spec = m_config.pool(job.pool);
    // Runs that were going when the last master left: re-adopted ones go on (with what is
    // left of their deadline); those whose process is gone ended unseen.
    for (auto it = job.active.begin(); it != job.active.end();) {
        Worker *w = m_registry.find(it->first);
        api::JobRun *run = record(job, it->second.number);
        if (w && w->hasProcess() && run) {
            if (spec && spec->job && spec->job->deadline) {
                const auto left = std::chrono::milliseconds(
                    run->startedAtMs + spec->job->deadline->count() - api::nowMs());
                armDeadline(job, it->first, it->second,
                            std::max(left, std::chrono::milliseconds(0)));
            }
            ++it;
            continue;
        }
        if (run) {
            run->outcome = "lost";
            run->reason = "it ended while no master ran: how is not known";
            run->endedAtMs = api::nowMs();
            run->log = logExcerpt(m_state.logPath(it->first), it->second.logStart);
            finish(job, *run);
        }
        it = job.active.erase(it);
        --job.status.active;
    }
}

void Jobs::skip(Job &job, const std::string &trigger, std::int64_t scheduledAtMs,
                const std::string &reason)
{
    api::JobRun run;
    run.pool = job.pool;
    run.number = job.nextNumber++;
    run.trigger = trigger;
    run.scheduledAtMs = scheduledAtMs;
    run.startedAtMs = run.endedAtMs = api::nowMs();
    run.outcome = "skipped";
    run.reason = reason;
    ++job.status.skipped;
    m_stream.addEvent("job.skipped", job.pool, "job " + job.pool + " skipped a tick: " + reason, {},
                      {}, trigger);
    job.runs.push_back(std::move(run));
    trim(job);
    save();
    publish(job);
}

void Jobs::armDeadline(Job &job, const std::string &worker, Active &active,
                       std::chrono::milliseconds left)
{
    active.deadline = std::make_unique<Timer>(m_loop.io, left);
    const config::PoolSpec *spec = m_config.pool(job.pool);
    const std::string limit = spec && spec->job && spec->job->deadline
                                  ? config::formatDuration(*spec->job->deadline)
                                  : config::formatDuration(left);
    active.deadline->async_wait([this, pool = job.pool, worker, number = active.number, limit,
                                 alive = m_loop.token()](const boost::system::error_code &ec) {
        if (ec || alive.expired())
            return;
        Job *job = find(pool);
        if (!job)
            return;
        auto a = job->active.find(worker);
        if (a == job->active.end() || a->second.number != number)
            return;
        stopRun(*job, worker, "deadline", "still going at its deadline (" + limit + ")");
    });
}

void Jobs::stopRun(Job &job, const std::string &worker, const std::string &as,
                   const std::string &reason)
{
    auto a = job.active.find(worker);
    Worker *w = m_registry.find(worker);
    if (a == job.active.end() || !w)
        return;
    if (a->second.endAs.empty()) {
        a->second.endAs = as;
        a->second.endReason = reason;
    }
    m_supervisor.stop(*w, Intent::Stop, as + ": " + reason);
}

void Jobs::transitioned(Worker &w, WorkerState from)
{
    if (w.fromPidFile)
        return;
    Job *job = find(w.pool());
    if (!job) {
        if (!m_started || !isJob(w.pool()))
            return;
        addJobs(); // a job's first worker before start() made it (re-adoption)
        job = find(w.pool());
        if (!job)
            return;
    }
    auto a = job->active.find(w.id());
    if (a == job->active.end()) {
        // A process we did not start as a run: an operator's `worker.start`, or one an
        // earlier master left with no record of its run. It is a run all the same.
        if (w.hasProcess() && !api::hasProcess(from) && m_started) {
            open(*job, w, "manual", "worker.start", 0, w.info().revision);
            save();
            publish(*job);
        }
        return;
    }
    if (w.hasProcess()) {
        if (!api::hasProcess(from))
            started(*job, w);
        return;
    }
    if (w.state() == WorkerState::Pending)
        return;
    Active done = std::move(a->second);
    job->active.erase(a);
    --job->status.active;
    ended(*job, w, std::move(done));
}

void Jobs::started(Job &job, Worker &w)
{
    auto a = job.active.find(w.id());
    if (api::JobRun *run = record(job, a->second.number)) {
        run->pid = w.info().pid;
        save();
    }
}

void Jobs::ended(Job &job, Worker &w, Active active)
{
    api::JobRun *run = record(job, active.number);
    if (!run)
        return;
    run->endedAtMs = api::nowMs();
    run->exit = w.info().lastExit;
    if (run->pid == 0 && w.state() == WorkerState::Failed) {
        run->exit.clear(); // the worker's last exit is an earlier run's
        run->outcome = "failed";
        run->reason = "could not start: " + w.info().reason;
    } else if (!active.endAs.empty()) {
        run->outcome = active.endAs;
        run->reason = active.endReason;
    } else if (w.state() == WorkerState::Stopped) {
        run->outcome = "cancelled";
        run->reason = w.info().reason; // `operator`, `master shutdown`, ...
    } else if (run->exit == "exit:0") {
        run->outcome = "succeeded";
    } else if (run->exit.rfind("exited (status unknown", 0) == 0) {
        run->outcome = "unknown"; // re-adopted: its status went with the master that started it
        run->reason = "re-adopted after a master restart: how it ended is not known";
    } else {
        run->outcome = "failed";
        run->reason = run->exit.empty() ? w.info().reason : run->exit;
    }
    run->log = logExcerpt(m_state.logPath(w.id()), active.logStart);
    finish(job, *run);
    if (job.removed && job.active.empty()) {
        publish(job);
        m_jobs.erase(job.pool);
        save();
        return;
    }
    // Later: `w` is in the middle of its transition, and may be one of those forgotten.
    m_loop.later([this, pool = job.pool] {
        if (Job *j = find(pool))
            tidy(*j);
    });
    save();
    publish(job);
}

void Jobs::finish(Job &job, api::JobRun &run)
{
    api::JobStatus &s = job.status;
    s.lastOutcome = run.outcome;
    s.lastDurationMs = run.durationMs();
    if (run.outcome == "succeeded") {
        ++s.succeeded;
        s.lastSuccessAtMs = run.endedAtMs;
    } else {
        ++s.failed;
    }
    const double seconds = double(run.durationMs()) / 1000.0;
    m_stream.addEvent("job.finished", job.pool,
                      fmt::format("job {} run {} {} after {:.3f}s{}", job.pool, run.number,
                                  outcomeWord(run), seconds,
                                  run.exit.empty() ? "" : " (" + run.exit + ")"),
                      {}, {}, run.outcome);
    trim(job);
}

void Jobs::trim(Job &job)
{
    const config::PoolSpec *spec = m_config.pool(job.pool);
    const std::size_t keep = spec && spec->job ? std::size_t(spec->job->history) : 20;
    std::size_t ended = 0;
    for (const api::JobRun &r : job.runs)
        ended += r.running() ? 0 : 1;
    for (auto it = job.runs.begin(); it != job.runs.end() && ended > keep;) {
        if (it->running()) {
            ++it;
            continue;
        }
        it = job.runs.erase(it);
        --ended;
    }
}

void Jobs::tidy(Job &job)
{
    std::vector<Worker *> idle;
    for (Worker *w : m_registry.poolWorkers(job.pool)) {
        if (!w->hasProcess() && w->state() != WorkerState::Pending && !job.active.count(w->id()))
            idle.push_back(w);
    }
    if (idle.size() <= 1)
        return;
    std::sort(idle.begin(), idle.end(),
              [](Worker *a, Worker *b) { return a->info().index < b->info().index; });
    // The lowest keeps showing how the last run on it ended; the others are forgotten.
    std::vector<std::string> ids;
    for (std::size_t i = 1; i < idle.size(); ++i)
        ids.push_back(idle[i]->id());
    for (const std::string &id : ids)
        m_supervisor.remove(id);
}

void Jobs::publish(Job &job)
{
    Pool *pool = m_registry.pool(job.pool);
    if (!pool)
        return;
    const config::PoolSpec *spec = m_config.pool(job.pool);
    if (!spec || !spec->job) {
        if (pool->job)
            m_registry.setJob(*pool, std::nullopt);
        return;
    }
    m_registry.setJob(*pool, job.status);
}

// ---- the state dir ---------------------------------------------------------------------------

void Jobs::load()
{
    const std::string path = m_state.dir() + "/jobs.json";
    auto text = api::readWholeFile(path);
    if (!text.ok())
        return; // none yet
    json doc = json::parse(*text, nullptr, false);
    if (!doc.is_object() || !doc.contains("jobs") || !doc["jobs"].is_object()) {
        spdlog::warn("jobs.load {}: not a jobs file; the history starts empty", path);
        return;
    }
    for (const auto &[name, j] : doc["jobs"].items()) {
        const config::PoolSpec *spec = m_config.pool(name);
        if (!spec || !spec->job || !j.is_object())
            continue; // no longer a job
        Job &job = m_jobs[name];
        job.pool = name;
        job.nextNumber = j.value("next_number", std::uint64_t(1));
        if (auto status = api::jobStatusFromJson(j.value("status", json::object())); status.ok())
            job.status = *status;
        job.status.active = 0;
        for (const json &r : j.value("runs", json::array())) {
            auto run = api::jobRunFromJson(r);
            if (!run.ok())
                continue;
            if (run->running()) {
                Active a;
                a.number = run->number;
                a.logStart = r.value("log_start", std::uint64_t(0));
                job.active.emplace(run->worker, std::move(a));
                ++job.status.active;
            }
            job.runs.push_back(std::move(*run));
        }
    }
}

void Jobs::save()
{
    // Once per turn of the loop however many runs changed (a thousand runs ending together
    // write the file once); the file is small: `history` runs per job.
    m_loop.postOnce(m_saveScheduled, [this] {
        json jobs = json::object();
        for (const auto &[name, job] : m_jobs) {
            json runs = json::array();
            for (const api::JobRun &run : job.runs) {
                auto a = job.active.find(run.worker);
                const std::uint64_t logStart =
                    a != job.active.end() && a->second.number == run.number ? a->second.logStart
                                                                            : 0;
                runs.push_back(runToState(run, logStart));
            }
            jobs[name] = json{{"next_number", job.nextNumber},
                              {"status", api::toJson(job.status)},
                              {"runs", std::move(runs)}};
        }
        // Not fsync()ed: it survives a master's kill -9 (the page cache keeps it); a power cut
        // may take the last runs, not the file.
        const std::string path = m_state.dir() + "/jobs.json";
        auto written = api::writeFileAtomically(
            path, json{{"version", 1}, {"jobs", std::move(jobs)}}.dump(), 0640, false);
        if (!written.ok())
            spdlog::warn("jobs.save {}: {}", path, written.error().message);
    });
}

} // namespace drover::engine
