// The jobs room against real processes on seconds-granularity schedules: runs start on their
// tick (within 50 ms), forbid skips an overlapping tick, replace stops the old run, a deadline
// stops a run, a manual run and its cancel, catch-up after a master restart runs once (and
// skip runs none), and the history survives a master that went away without stopping (as
// kill -9 leaves it), with the run that was going re-adopted.
#include "enginefixture.h"

#include <QTest>

#include <algorithm>

using namespace drover;
using namespace drover::test;

namespace {

/// A job `name` running `/bin/sh -c script` on `schedule` (a YAML value: a string or a map).
std::string job(const std::string &name, const std::string &schedule, const std::string &script,
                const std::string &more = {})
{
    return "pools:\n  - name: " + name + "\n    command: [/bin/sh, -c, \"" + script +
           "\"]\n    schedule: " + schedule + "\n    stop: {timeout: 2s}\n" + more;
}

} // namespace

class TestJobs : public QObject, public EngineFixture
{
    Q_OBJECT

    std::vector<api::JobRun> history(const std::string &pool)
    {
        std::vector<api::JobRun> runs;
        json r = call("job.history", {{"pool", pool}, {"limit", 1000}});
        for (const json &j : r.value("runs", json::array())) {
            auto run = api::jobRunFromJson(j);
            if (run.ok())
                runs.push_back(*run);
        }
        std::reverse(runs.begin(), runs.end()); // oldest first
        return runs;
    }

    int count(const std::vector<api::JobRun> &runs, const std::string &outcome)
    {
        return int(std::count_if(runs.begin(), runs.end(),
                                 [&](const api::JobRun &r) { return r.outcome == outcome; }));
    }

    /// Runs the loop until the job has `n` runs that ended as `outcome` (asking for its history
    /// every 50 ms: between the asks the loop runs undisturbed, as droverd's does).
    bool waitFor(const std::string &pool, const std::string &outcome, int n, int ms)
    {
        QElapsedTimer asked;
        asked.start();
        return runUntil(
            [&] {
                if (asked.elapsed() < 50)
                    return false;
                asked.restart();
                return count(history(pool), outcome) >= n;
            },
            ms);
    }

    int events(const std::string &kind) const
    {
        return int(std::count_if(m_rec->events.begin(), m_rec->events.end(),
                                 [&](const api::Event &e) { return e.kind == kind; }));
    }

private slots:
    void init() { setUp(); }
    void cleanup() { tearDown(); }

    void runsFireOnTime()
    {
        start(job("tick", "\"* * * * * *\"", "echo run $$ at $(date +%s); echo second line"));
        QVERIFY(waitFor("tick", "succeeded", 3, 6000));
        const std::vector<api::JobRun> runs = history("tick");
        int checked = 0;
        std::vector<std::int64_t> lateness;
        for (const api::JobRun &r : runs) {
            if (r.outcome != "succeeded")
                continue;
            QCOMPARE(r.trigger, std::string("schedule"));
            QCOMPARE(r.scheduledAtMs % 1000, std::int64_t(0)); // on the second
            const std::int64_t late = r.startedAtMs - r.scheduledAtMs;
            QVERIFY2(late >= 0 && late < 500, std::to_string(late).c_str());
            lateness.push_back(late);
            QCOMPARE(r.exit, std::string("exit:0"));
            QVERIFY(r.pid > 0);
            QVERIFY2(r.log.find("run ") == 0 && r.log.find("\nsecond line") != std::string::npos,
                     r.log.c_str());
            QVERIFY(r.log.find("run " + std::to_string(r.pid)) == 0); // its own lines only
            QCOMPARE(r.worker, std::string("tick-0"));                // one worker, run after run
            ++checked;
        }
        QVERIFY(checked >= 3);
        // On time: within 50 ms of the tick (the median, so that one run delayed by a machine
        // busy with other tests does not decide; none is later than half a second).
        std::sort(lateness.begin(), lateness.end());
        const std::int64_t median = lateness[lateness.size() / 2];
        qInfo("runs started %lld ms after their tick (median; %lld at most)",
              static_cast<long long>(median), static_cast<long long>(lateness.back()));
        QVERIFY2(median < 50, std::to_string(median).c_str());
        // Consecutive ticks, one second apart.
        for (std::size_t i = 1; i < runs.size(); ++i)
            QCOMPARE(runs[i].scheduledAtMs - runs[i - 1].scheduledAtMs, std::int64_t(1000));
        // The pool carries the job's status; events say what happened.
        const api::PoolInfo &pool = m_rec->pools.at("tick");
        QVERIFY(pool.job);
        QCOMPARE(pool.job->schedule, std::string("* * * * * *"));
        QCOMPARE(pool.job->concurrency, std::string("forbid"));
        QVERIFY(pool.job->succeeded >= 3);
        QVERIFY(pool.job->lastSuccessAtMs > 0);
        QVERIFY(pool.job->nextRunAtMs > pool.job->lastScheduledAtMs);
        QVERIFY(events("job.started") >= 3 && events("job.finished") >= 3);
        int workers = 0;
        for (const auto &[id, w] : m_rec->workers)
            workers += w.pool == "tick";
        QCOMPARE(workers, 1);
    }

    void forbidSkipsAnOverlappingTick()
    {
        start(job("slow", "\"* * * * * *\"", "sleep 1.5"));
        QVERIFY(waitFor("slow", "skipped", 1, 6000));
        QVERIFY(waitFor("slow", "succeeded", 1, 6000));
        const std::vector<api::JobRun> runs = history("slow");
        const auto skipped = std::find_if(
            runs.begin(), runs.end(), [](const api::JobRun &r) { return r.outcome == "skipped"; });
        QVERIFY(skipped->reason.find("is still going") != std::string::npos);
        QCOMPARE(skipped->pid, 0);
        for (const api::JobRun &r : runs) // never two at once
            QVERIFY(r.worker.empty() || r.worker == "slow-0");
        QVERIFY(m_rec->pools.at("slow").job->skipped >= 1);
    }

    void replaceStopsTheOldRun()
    {
        start(job("swap", "{cron: \"*/2 * * * * *\", concurrency: replace}", "sleep 30"));
        QVERIFY(waitFor("swap", "replaced", 1, 8000));
        std::vector<api::JobRun> runs = history("swap");
        const api::JobRun first = runs.front();
        QCOMPARE(first.outcome, std::string("replaced"));
        QVERIFY(first.reason.find("replaced by run 2") != std::string::npos);
        QCOMPARE(first.exit, std::string("signal:SIGTERM"));
        QVERIFY(!test::alive(first.pid));
        QVERIFY(runUntil([&] { return history("swap").at(1).pid > 0; }, 3000));
        const api::JobRun second = history("swap").at(1);
        QCOMPARE(second.outcome, std::string("running"));
        QVERIFY(test::alive(second.pid));
        QVERIFY(second.worker != first.worker); // the old one was still stopping
    }

    void deadlineStopsARun()
    {
        start(job("late", "{cron: manual, deadline: 300ms}", "echo begun; sleep 30"));
        json r = call("job.run", {{"pool", "late"}});
        QCOMPARE(r["run"]["outcome"].get<std::string>(), std::string("running"));
        QCOMPARE(r["run"]["trigger"].get<std::string>(), std::string("manual"));
        QVERIFY(waitFor("late", "deadline", 1, 5000));
        const api::JobRun run = history("late").back();
        QCOMPARE(run.exit, std::string("signal:SIGTERM"));
        QVERIFY2(run.durationMs() >= 300 && run.durationMs() < 2000,
                 std::to_string(run.durationMs()).c_str());
        QVERIFY(run.reason.find("deadline (300ms)") != std::string::npos);
        QCOMPARE(run.log, std::string("begun"));
        QCOMPARE(m_rec->pools.at("late").job->lastOutcome, std::string("deadline"));
        QCOMPARE(m_rec->pools.at("late").job->nextRunAtMs, std::int64_t(0)); // manual
    }

    void manualRunAndCancel()
    {
        start(job("m", "manual", "sleep 30"));
        json first = call("job.run", {{"pool", "m"}});
        QCOMPARE(first["run"]["number"].get<int>(), 1);
        // forbid: a second run while the first is going is refused, not queued.
        api::Error err;
        QVERIFY(call("job.run", {{"pool", "m"}}, &err).is_null());
        QVERIFY(err.code == api::ErrorCode::Conflict);
        QVERIFY(err.message.find("run 1 is still going") != std::string::npos);
        QVERIFY(call("job.cancel", {{"pool", "m"}, {"run", 7}}, &err).is_null());
        QVERIFY(err.code == api::ErrorCode::NotFound);
        json cancelled = call("job.cancel", {{"pool", "m"}});
        QCOMPARE(cancelled["cancelled"].size(), std::size_t(1));
        QVERIFY(waitFor("m", "cancelled", 1, 5000));
        QVERIFY(history("m").back().reason.find("cancelled by local") != std::string::npos);
        // Not a job, no pool: clear errors.
        QVERIFY(call("job.history", {{"pool", "nope"}}, &err).is_null());
        QVERIFY(err.code == api::ErrorCode::NotFound);
        QVERIFY(call("job.history", {{"pool", "m"}, {"limit", 0}}, &err).is_null());
        QVERIFY(err.code == api::ErrorCode::BadRequest);
        // A failing run is recorded with its status and last line.
        m_engine->reload(load(job("m", "manual", "echo oops >&2; exit 3")));
        runUntil([] { return false; }, 50);
        QVERIFY(!call("job.run", {{"pool", "m"}}).is_null());
        QVERIFY(waitFor("m", "failed", 1, 5000));
        QCOMPARE(history("m").back().exit, std::string("exit:3"));
        QCOMPARE(history("m").back().log, std::string("oops"));
    }

    void catchUpRunsOnceAfterARestart()
    {
        const std::string yaml = job("cu", "{cron: \"* * * * * *\", catch_up: once}", "true");
        start(yaml);
        QVERIFY(waitFor("cu", "succeeded", 1, 5000));
        const std::size_t before = history("cu").size();
        // The master goes away; two ticks pass without one.
        stopEngine();
        m_io = std::make_unique<boost::asio::io_context>(1);
        QTest::qWait(2100);
        m_rec = std::make_shared<Recorder>();
        start(yaml);
        QVERIFY(runUntil([&] { return history("cu").size() > before; }, 3000));
        const std::vector<api::JobRun> runs = history("cu");
        const api::JobRun catchUp = runs.at(before);
        QCOMPARE(catchUp.trigger, std::string("catch-up"));
        QVERIFY(catchUp.scheduledAtMs < catchUp.startedAtMs);
        QCOMPARE(events("job.missed"), 1);
        QVERIFY(waitFor("cu", "succeeded", int(before) + 2, 5000)); // and the schedule goes on
        int catchUps = 0;
        for (const api::JobRun &r : history("cu"))
            catchUps += r.trigger == "catch-up";
        QCOMPARE(catchUps, 1);
    }

    void catchUpSkipRunsNone()
    {
        const std::string yaml = job("cs", "\"*/2 * * * * *\"", "true");
        start(yaml);
        QVERIFY(waitFor("cs", "succeeded", 1, 5000));
        stopEngine();
        m_io = std::make_unique<boost::asio::io_context>(1);
        QTest::qWait(2100);
        m_rec = std::make_shared<Recorder>();
        start(yaml);
        QVERIFY(runUntil([&] { return events("job.missed") == 1; }, 2000));
        QVERIFY(m_rec->events.back().message.find("catch_up: skip") != std::string::npos ||
                std::any_of(m_rec->events.begin(), m_rec->events.end(), [](const api::Event &e) {
                    return e.message.find("catch_up: skip") != std::string::npos;
                }));
        runUntil([] { return false; }, 300);
        for (const api::JobRun &r : history("cs"))
            QVERIFY(r.trigger != "catch-up");
    }

    void historySurvivesAMasterKill()
    {
        const std::string yaml = job("k", "manual", "echo start; sleep 1; echo end");
        start(yaml);
        QVERIFY(!call("job.run", {{"pool", "k"}}).is_null());
        QVERIFY(waitFor("k", "succeeded", 1, 5000));
        QVERIFY(!call("job.run", {{"pool", "k"}}).is_null());
        QVERIFY(runUntil([&] { return history("k").back().pid > 0; }, 2000));
        const int pid = history("k").back().pid;
        // As kill -9 leaves it: the engine goes without stopping anything.
        m_engine.reset();
        m_io = std::make_unique<boost::asio::io_context>(1);
        m_rec = std::make_shared<Recorder>();
        start(yaml);
        std::vector<api::JobRun> runs = history("k");
        QCOMPARE(runs.size(), std::size_t(2));
        QCOMPARE(runs[0].outcome, std::string("succeeded"));
        QCOMPARE(runs[1].outcome, std::string("running")); // re-adopted, same process
        QCOMPARE(runs[1].pid, pid);
        QCOMPARE(m_rec->workers.at("k-0").pid, pid);
        QVERIFY(waitFor("k", "unknown", 1, 5000)); // ended: its status went with the old master
        runs = history("k");
        QCOMPARE(runs[1].log, std::string("start\nend"));
        QCOMPARE(m_rec->pools.at("k").job->runs, std::uint64_t(2));
        // A run that ends while no master runs is `lost`.
        QVERIFY(!call("job.run", {{"pool", "k"}}).is_null());
        QVERIFY(runUntil([&] { return history("k").back().pid > 0; }, 2000));
        const int third = history("k").back().pid;
        m_engine.reset();
        m_io = std::make_unique<boost::asio::io_context>(1);
        QVERIFY(runUntil([&] { return !test::alive(third); }, 5000));
        m_rec = std::make_shared<Recorder>();
        start(yaml);
        runs = history("k");
        QCOMPARE(runs.back().outcome, std::string("lost"));
        QCOMPARE(runs.back().log, std::string("start\nend"));
        QCOMPARE(call("job.run", {{"pool", "k"}})["run"]["number"].get<int>(), 4);
    }
};

QTEST_GUILESS_MAIN(TestJobs)
#include "tst_jobs.moc"
