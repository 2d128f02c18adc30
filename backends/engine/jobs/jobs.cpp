// The jobs room: each job's ticks, start-up catch-up, reloads and operators' requests. Its runs
// and their records are in jobruns.cpp.
#include "engine/jobs/jobs.h"

#include "api/clock.h"
#include "engine/loop.h"
#include "engine/registry.h"
#include "engine/specs.h"
#include "engine/statestore.h"
#include "engine/stream.h"

#include <algorithm>
#include <date/tz.h>

namespace drover::engine {

using std::chrono::sys_seconds;

namespace {

/// A timer never waits longer than this before it looks at the wall clock again, so a clock
/// set forward or back (or a suspended machine) moves the next tick with it.
constexpr auto kMaxWait = std::chrono::seconds(60);
/// Missed ticks counted at start-up, at most (a per-second job down for a day has 86,400).
constexpr int kMaxMissedCounted = 1000;

api::Error error(api::ErrorCode code, std::string message)
{
    return api::Error{code, std::move(message), {}};
}

std::string concurrencyName(config::JobConcurrency c)
{
    switch (c) {
    case config::JobConcurrency::Forbid:
        return "forbid";
    case config::JobConcurrency::Allow:
        return "allow";
    case config::JobConcurrency::Replace:
        return "replace";
    }
    return "forbid";
}

sys_seconds wallNow()
{
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::int64_t toMs(sys_seconds t)
{
    return std::int64_t(t.time_since_epoch().count()) * 1000;
}

sys_seconds fromMs(std::int64_t ms)
{
    return sys_seconds(std::chrono::seconds(ms / 1000));
}

} // namespace

Jobs::Jobs(Loop &loop, Registry &registry, const ConfigView &config, Supervisor &supervisor,
           Stream &stream, const StateStore &state, const bool &shutting)
    : m_loop(loop)
    , m_registry(registry)
    , m_config(config)
    , m_supervisor(supervisor)
    , m_stream(stream)
    , m_state(state)
    , m_shutting(shutting)
{}

Jobs::~Jobs() = default;

Jobs::Job *Jobs::find(const std::string &pool)
{
    auto it = m_jobs.find(pool);
    return it == m_jobs.end() ? nullptr : &it->second;
}

const Jobs::Job *Jobs::find(const std::string &pool) const
{
    auto it = m_jobs.find(pool);
    return it == m_jobs.end() ? nullptr : &it->second;
}

bool Jobs::isJob(const std::string &pool) const
{
    const config::PoolSpec *spec = m_config.pool(pool);
    return (spec && spec->job) || m_jobs.count(pool);
}

api::JobRun *Jobs::record(Job &job, std::uint64_t number)
{
    for (auto it = job.runs.rbegin(); it != job.runs.rend(); ++it) {
        if (it->number == number)
            return &*it;
    }
    return nullptr;
}

// ---- jobs and their ticks --------------------------------------------------------------------

void Jobs::addJobs()
{
    const std::int64_t now = api::nowMs();
    for (const config::PoolSpec &spec : m_config->pools) {
        if (!spec.job)
            continue;
        Job &job = m_jobs[spec.name];
        if (job.pool.empty()) { // new: its schedule counts from now, nothing was missed
            job.pool = spec.name;
            job.status.lastScheduledAtMs = now;
        }
        job.removed = false;
        describe(job);
    }
}

void Jobs::describe(Job &job)
{
    const config::PoolSpec *spec = m_config.pool(job.pool);
    if (!spec || !spec->job)
        return;
    const config::JobSpec &j = *spec->job;
    job.status.schedule = j.cron ? j.cron->text() : "manual";
    job.status.timezone = j.zone ? std::string(j.zone->name()) : "UTC";
    job.status.concurrency = concurrencyName(j.concurrency);
}

void Jobs::start()
{
    m_started = true;
    addJobs();
    for (auto &[name, job] : m_jobs) {
        resume(job);
        catchUp(job);
        arm(job);
        publish(job);
    }
    save();
}

void Jobs::catchUp(Job &job)
{
    const config::PoolSpec *spec = m_config.pool(job.pool);
    if (!spec || !spec->job || !spec->job->cron || job.status.lastScheduledAtMs == 0)
        return;
    const config::JobSpec &j = *spec->job;
    const sys_seconds now = wallNow();
    std::optional<sys_seconds> missed = j.cron->next(fromMs(job.status.lastScheduledAtMs), j.zone);
    if (!missed || *missed > now)
        return;
    int count = 0;
    sys_seconds first = *missed, last = *missed;
    for (std::optional<sys_seconds> t = missed; t && *t <= now && count < kMaxMissedCounted;
         t = j.cron->next(*t, j.zone)) {
        last = *t;
        ++count;
    }
    const std::string counted =
        (count >= kMaxMissedCounted ? std::to_string(count) + " or more" : std::to_string(count)) +
        (count == 1 ? " tick" : " ticks");
    job.status.lastScheduledAtMs = toMs(last);
    if (j.catchUp == config::CatchUp::Skip) {
        m_stream.addEvent("job.missed", job.pool,
                          "job " + job.pool + " missed " + counted + " while no master ran (from " +
                              date::format("%F %T", first) + " UTC); catch_up: skip",
                          {}, {}, "catch-up");
        return;
    }
    m_stream.addEvent("job.missed", job.pool,
                      "job " + job.pool + " missed " + counted + " while no master ran (from " +
                          date::format("%F %T", first) + " UTC); catching up once",
                      {}, {}, "catch-up");
    // Refused (forbid, a run re-adopted is going): recorded as a skipped tick, as at a tick.
    static_cast<void>(begin(job, "catch-up", {}, toMs(last)));
}

void Jobs::arm(Job &job)
{
    job.timer.reset();
    job.next.reset();
    job.status.nextRunAtMs = 0;
    const config::PoolSpec *spec = m_config.pool(job.pool);
    if (m_shutting || job.removed || !spec || !spec->job || !spec->job->cron)
        return;
    const config::JobSpec &j = *spec->job;
    // Strictly after both now and the tick handled last, so a timer that fired a little early
    // (the steady and the wall clock drift apart) never runs a tick twice.
    const sys_seconds after = std::max(wallNow(), fromMs(job.status.lastScheduledAtMs));
    job.next = j.cron->next(after, j.zone);
    if (!job.next)
        return;
    job.status.nextRunAtMs = toMs(*job.next);
    const auto wait = std::min<std::chrono::system_clock::duration>(
        *job.next - std::chrono::system_clock::now(), kMaxWait);
    job.timer = std::make_unique<Timer>(m_loop.io, std::chrono::duration_cast<Clock::duration>(
                                                       std::max(wait, decltype(wait)::zero())));
    job.timer->async_wait([this, pool = job.pool, at = *job.next,
                           alive = m_loop.token()](const boost::system::error_code &ec) {
        if (ec || alive.expired())
            return;
        tick(pool, at);
    });
}

void Jobs::tick(const std::string &pool, sys_seconds at)
{
    Job *job = find(pool);
    if (!job || m_shutting)
        return;
    if (std::chrono::system_clock::now() < at) { // waited kMaxWait, or the clock went back
        Timer *t = job->timer.get();
        const auto wait = std::min<std::chrono::system_clock::duration>(
            at - std::chrono::system_clock::now(), kMaxWait);
        t->expires_after(std::chrono::duration_cast<Clock::duration>(wait));
        t->async_wait(
            [this, pool, at, alive = m_loop.token()](const boost::system::error_code &ec) {
                if (!ec && !alive.expired())
                    tick(pool, at);
            });
        return;
    }
    job->status.lastScheduledAtMs = toMs(at);
    static_cast<void>(begin(*job, "schedule", {}, toMs(at))); // a skip is a record too
    arm(*job);
    publish(*job);
}

void Jobs::reload()
{
    if (!m_started)
        return;
    addJobs();
    for (auto &[name, job] : m_jobs) {
        const config::PoolSpec *spec = m_config.pool(name);
        if (!spec || !spec->job) {
            // Removed, or no longer a job: no more ticks; its runs are stopped with the pool
            // (or go on as they are) and end as cancelled.
            job.removed = true;
            for (auto &[worker, a] : job.active) {
                if (a.endAs.empty()) {
                    a.endAs = "cancelled";
                    a.endReason = "the job was removed from the config";
                }
            }
        }
        arm(job);
        publish(job);
    }
    std::erase_if(m_jobs,
                  [](const auto &e) { return e.second.removed && e.second.active.empty(); });
    save();
}

void Jobs::stop()
{
    for (auto &[name, job] : m_jobs) {
        job.timer.reset();
        job.next.reset();
        job.status.nextRunAtMs = 0;
        publish(job);
    }
}

// ---- operators' requests ---------------------------------------------------------------------

api::Error Jobs::notAJob(const std::string &pool) const
{
    return error(api::ErrorCode::NotFound, m_registry.pool(pool)
                                               ? "pool \"" + pool + "\" is not a job (no schedule:)"
                                               : "no pool \"" + pool + "\"");
}

api::Result<api::JobRun> Jobs::run(const std::string &pool, const std::string &by)
{
    Job *job = find(pool);
    if (!job || job->removed)
        return notAJob(pool);
    return begin(*job, "manual", by, 0);
}

api::Result<std::vector<api::JobRun>> Jobs::cancel(const std::string &pool, std::uint64_t number,
                                                   const std::string &by)
{
    Job *job = find(pool);
    if (!job)
        return notAJob(pool);
    std::vector<std::string> workers;
    std::vector<api::JobRun> runs;
    for (const auto &[worker, a] : job->active) {
        if (number != 0 && a.number != number)
            continue;
        workers.push_back(worker);
        if (const api::JobRun *r = record(*job, a.number))
            runs.push_back(*r);
    }
    if (number != 0 && workers.empty())
        return error(api::ErrorCode::NotFound,
                     "job \"" + pool + "\" has no run " + std::to_string(number) + " going");
    for (const std::string &worker : workers)
        stopRun(*job, worker, "cancelled", "cancelled by " + (by.empty() ? "an operator" : by));
    return runs;
}

api::Result<std::vector<api::JobRun>> Jobs::history(const std::string &pool,
                                                    std::size_t limit) const
{
    const Job *job = find(pool);
    if (!job)
        return notAJob(pool);
    std::vector<api::JobRun> out;
    for (auto it = job->runs.rbegin(); it != job->runs.rend() && out.size() < limit; ++it)
        out.push_back(*it);
    return out;
}

} // namespace drover::engine
