// The rollout room against real drover-demo-workers with readiness probes: a rolling update
// that never drops below its budget, a revision that never becomes ready rolled back at its
// deadline, a crash-looping one rolled back, pause and resume, undo, restart, recreate, two
// pools in one apply, a master lost in the middle of a rollout, and a change of replicas or
// probes that makes no rollout. Ports 29000-29999.
#include "enginefixture.h"

#include <QTest>

#include <algorithm>
#include <set>

using namespace drover;
using namespace drover::test;

namespace {

/// A pool of demo workers on ports from `base`, with a readiness probe; `extra` is added to
/// the worker's arguments (a new revision), `rollout` is the pool's rollout settings.
std::string pool(const std::string &name, int base, int replicas, const std::string &extra,
                 const std::string &rollout, const std::string &readiness = "interval: 100ms")
{
    return "pools:\n  - name: " + name +
           "\n    command: [\"${BIN}/drover-demo-worker\", \"--port\", \"{{port}}\", \"--quiet\"" +
           extra + "]\n    replicas: " + std::to_string(replicas) +
           "\n    ports: " + std::to_string(base) + "-" + std::to_string(base + 9) +
           "\n    stop: {timeout: 5s}\n    restart: {backoff: {initial: 100ms, max: 200ms}}\n"
           "    probes:\n      readiness: {http: {url: \"http://127.0.0.1:{{port}}/ready\"}, " +
           readiness + "}\n    rollout: " + rollout + "\n";
}

} // namespace

class TestRollout : public QObject, public EngineFixture
{
    Q_OBJECT

    int ready(const std::string &name, const std::string &revision = {}) const
    {
        int n = 0;
        for (const auto &[id, w] : m_rec->workers)
            n += w.pool == name && w.ready() && (revision.empty() || w.revision == revision);
        return n;
    }
    int workers(const std::string &name) const
    {
        int n = 0;
        for (const auto &[id, w] : m_rec->workers)
            n += w.pool == name;
        return n;
    }
    bool allReady(const std::string &name, int n)
    {
        return runUntil([&] { return ready(name) == n && workers(name) == n; }, 15000);
    }
    std::string phase(const std::string &name) const
    {
        auto it = m_rec->mirror.rollouts.find(name);
        return it == m_rec->mirror.rollouts.end() ? std::string() : it->second.phase;
    }
    /// Runs until the pool's rollout has ended; its phase.
    std::string finished(const std::string &name, int ms = 30000)
    {
        runUntil(
            [&] {
                auto it = m_rec->mirror.rollouts.find(name);
                return it != m_rec->mirror.rollouts.end() && !it->second.active();
            },
            ms);
        return phase(name);
    }
    std::string revisionOf(const std::string &name) const { return m_rec->pools.at(name).revision; }
    std::map<std::string, int> pids(const std::string &name) const
    {
        std::map<std::string, int> out;
        for (const auto &[id, w] : m_rec->workers) {
            if (w.pool == name)
                out[id] = w.pid;
        }
        return out;
    }
    int countEvents(const std::string &kind) const
    {
        return int(std::count_if(m_rec->events.begin(), m_rec->events.end(),
                                 [&](const api::Event &e) { return e.kind == kind; }));
    }

private slots:
    void init() { setUp(); }
    void cleanup() { tearDown(); }

    void rollingUpdateKeepsCapacity()
    {
        const std::string rollout = "{strategy: rolling, max_surge: 1, max_unavailable: 0, "
                                    "min_ready: 300ms, progress_deadline: 30s}";
        start(pool("r", 29000, 3, "", rollout));
        QVERIFY(allReady("r", 3));
        const std::string before = revisionOf("r");
        const std::map<std::string, int> oldPids = pids("r");
        // Replay from here: the pool's ready workers after every delta.
        api::StateMirror replay = m_rec->mirror;
        const std::size_t from = m_rec->deltas.size();
        m_engine->reload(load(pool("r", 29000, 3, ", \"--ready-after\", \"0.3\"", rollout)));
        QCOMPARE(finished("r"), std::string("complete"));
        const std::string after = revisionOf("r");
        QVERIFY(after != before);
        QCOMPARE(workers("r"), 3);
        QCOMPARE(ready("r", after), 3);
        for (const auto &[id, pid] : pids("r"))
            QVERIFY2(!oldPids.count(id) || oldPids.at(id) != pid, id.c_str());
        int least = 3, most = 0;
        for (std::size_t i = from; i < m_rec->deltas.size(); ++i) {
            QVERIFY(replay.apply(m_rec->deltas[i]));
            int r = 0, alive = 0;
            for (const auto &[id, w] : replay.workers) {
                r += w.pool == "r" && w.ready();
                alive +=
                    w.pool == "r" && api::hasProcess(w.state) && w.state != WorkerState::Stopping;
            }
            least = std::min(least, r);
            most = std::max(most, alive);
        }
        QCOMPARE(least, 3); // replicas - max_unavailable, at every step
        QVERIFY2(most <= 4, std::to_string(most).c_str()); // replicas + max_surge
        const api::RolloutInfo &info = m_rec->mirror.rollouts.at("r");
        QCOMPARE(info.fromRevision, before);
        QCOMPARE(info.toRevision, after);
        QCOMPARE(info.cause, std::string("config"));
        QCOMPARE(info.updatedReady, 3);
        QCOMPARE(info.old, 0);
        QVERIFY(info.finishedAtMs >= info.startedAtMs);
        QCOMPARE(countEvents("rollout.started"), 1);
        QCOMPARE(countEvents("rollout.complete"), 1);
        // The status op and the snapshot say the same.
        json status = call("rollout.status", {{"pool", "r"}});
        QCOMPARE(status["rollout"]["phase"].get<std::string>(), std::string("complete"));
        auto late = std::make_shared<Recorder>();
        m_engine->subscribe(late, 0);
        QCOMPARE(late->snapshot.rollouts.size(), std::size_t(1));
        QVERIFY(late->snapshot.rollouts[0] == info);
        // The history: both templates, the new one current.
        json history = call("rollout.history", {{"pool", "r"}});
        QCOMPARE(history["revisions"].size(), std::size_t(2));
        QCOMPARE(history["revisions"][0]["revision"].get<std::string>(), after);
        QVERIFY(history["revisions"][0]["current"].get<bool>());
        QCOMPARE(history["revisions"][1]["revision"].get<std::string>(), before);
        QVERIFY(history["revisions"][0]["template"]["command"].dump().find("--ready-after") !=
                std::string::npos);
    }

    void neverReadyRollsBackAtTheDeadline()
    {
        const std::string rollout = "{max_surge: 1, max_unavailable: 0, min_ready: 0s, "
                                    "progress_deadline: 2s, auto_rollback: true}";
        start(pool("d", 29100, 2, "", rollout));
        QVERIFY(allReady("d", 2));
        const std::string before = revisionOf("d");
        const std::map<std::string, int> oldPids = pids("d");
        m_engine->reload(load(pool("d", 29100, 2, ", \"--ready-after\", \"1000\"", rollout)));
        QVERIFY(runUntil([&] { return phase("d") == "progressing"; }));
        QCOMPARE(finished("d", 15000), std::string("rolled-back"));
        const api::RolloutInfo &info = m_rec->mirror.rollouts.at("d");
        QVERIFY2(info.reason.find("progress_deadline") != std::string::npos, info.reason.c_str());
        QCOMPARE(revisionOf("d"), before);
        QVERIFY(allReady("d", 2));
        QVERIFY(pids("d") == oldPids); // the old workers never stopped
        QCOMPARE(countEvents("rollout.rollback"), 1);
        QCOMPARE(countEvents("rollout.rolled-back"), 1);
        // The deadline passed about 2 s after the start, not much later.
        QVERIFY(info.finishedAtMs - info.startedAtMs < 6000);
    }

    void crashLoopRollsBack()
    {
        const std::string rollout = "{max_surge: 1, max_unavailable: 0, min_ready: 0s, "
                                    "progress_deadline: 60s}";
        start(pool("c", 29200, 2, "", rollout));
        QVERIFY(allReady("c", 2));
        const std::string before = revisionOf("c");
        m_engine->reload(load(pool(
            "c", 29200, 2, ", \"--start-delay\", \"1\", \"--crash-after\", \"0.1\"", rollout)));
        QCOMPARE(finished("c", 20000), std::string("rolled-back"));
        const api::RolloutInfo &info = m_rec->mirror.rollouts.at("c");
        QVERIFY2(info.reason.find("new workers fail") != std::string::npos, info.reason.c_str());
        QCOMPARE(revisionOf("c"), before);
        QVERIFY(allReady("c", 2));
    }

    void pauseAndResume()
    {
        const std::string rollout = "{max_surge: 1, max_unavailable: 0, min_ready: 500ms, "
                                    "progress_deadline: 2s}";
        start(pool("p", 29300, 3, "", rollout));
        QVERIFY(allReady("p", 3));
        m_engine->reload(load(pool("p", 29300, 3, ", \"--ready-after\", \"0.1\"", rollout)));
        json paused = call("rollout.pause", {{"pool", "p"}});
        QCOMPARE(paused["rollout"]["phase"].get<std::string>(), std::string("paused"));
        api::Error err;
        call("rollout.pause", {{"pool", "p"}}, &err);
        QCOMPARE(std::string(api::toString(err.code)), std::string("conflict"));
        // Paused: the surge worker may come up, but no old worker goes, and the 2 s deadline
        // does not run.
        runUntil([] { return false; }, 3500);
        QCOMPARE(phase("p"), std::string("paused"));
        QCOMPARE(m_rec->mirror.rollouts.at("p").old, 3);
        QVERIFY(m_rec->mirror.rollouts.at("p").updated <= 1);
        QCOMPARE(m_rec->mirror.rollouts.at("p").deadlineAtMs, std::int64_t(0));
        json resumed = call("rollout.resume", {{"pool", "p"}});
        QCOMPARE(resumed["rollout"]["phase"].get<std::string>(), std::string("progressing"));
        QCOMPARE(finished("p"), std::string("complete"));
        QCOMPARE(ready("p", revisionOf("p")), 3);
        QCOMPARE(countEvents("rollout.paused"), 1);
        QCOMPARE(countEvents("rollout.resumed"), 1);
    }

    void undoAndRestart()
    {
        const std::string rollout = "{max_surge: 1, max_unavailable: 0, min_ready: 0s}";
        start(pool("u", 29400, 2, "", rollout));
        QVERIFY(allReady("u", 2));
        const std::string first = revisionOf("u");
        api::Error err;
        call("rollout.undo", {{"pool", "u"}}, &err); // nothing before the first revision
        QCOMPARE(std::string(api::toString(err.code)), std::string("conflict"));
        m_engine->reload(load(pool("u", 29400, 2, ", \"--ready-after\", \"0.1\"", rollout)));
        QCOMPARE(finished("u"), std::string("complete"));
        const std::string second = revisionOf("u");
        QVERIFY(second != first);
        // Undo: a new rollout back to the first template.
        json undo = call("rollout.undo", {{"pool", "u"}});
        QCOMPARE(undo["rollout"]["cause"].get<std::string>(), std::string("undo"));
        QCOMPARE(undo["rollout"]["to_revision"].get<std::string>(), first);
        QCOMPARE(finished("u"), std::string("complete"));
        QCOMPARE(revisionOf("u"), first);
        QVERIFY(allReady("u", 2));
        QCOMPARE(ready("u", first), 2);
        json history = call("rollout.history", {{"pool", "u"}});
        QCOMPARE(history["revisions"].size(), std::size_t(2));
        QCOMPARE(history["revisions"][0]["revision"].get<std::string>(), first);
        // Restart: every worker replaced, same template.
        const std::map<std::string, int> before = pids("u");
        json restart = call("rollout.restart", {{"pool", "u"}});
        QCOMPARE(restart["rollout"]["from_revision"].get<std::string>(), first);
        QCOMPARE(restart["rollout"]["to_revision"].get<std::string>(), first);
        call("rollout.restart", {{"pool", "u"}}, &err); // one at a time
        QCOMPARE(std::string(api::toString(err.code)), std::string("conflict"));
        QCOMPARE(finished("u"), std::string("complete"));
        QVERIFY(allReady("u", 2));
        for (const auto &[id, pid] : pids("u"))
            QVERIFY2(!before.count(id) || before.at(id) != pid, id.c_str());
        QCOMPARE(ready("u", first), 2);
        // rollout.start: the config's template is the second one; back to it.
        json started = call("rollout.start", {{"pool", "u"}});
        QVERIFY(started["started"].get<bool>());
        QCOMPARE(finished("u"), std::string("complete"));
        QCOMPARE(revisionOf("u"), second);
        started = call("rollout.start", {{"pool", "u"}});
        QVERIFY(!started["started"].get<bool>()); // nothing to replace
    }

    void abortGoesBack()
    {
        const std::string rollout = "{max_surge: 1, max_unavailable: 0, min_ready: 0s}";
        start(pool("a", 29500, 2, "", rollout));
        QVERIFY(allReady("a", 2));
        const std::string before = revisionOf("a");
        m_engine->reload(load(pool("a", 29500, 2, ", \"--ready-after\", \"1000\"", rollout)));
        QVERIFY(runUntil([&] { return workers("a") == 3; }));
        json aborted = call("rollout.abort", {{"pool", "a"}});
        QCOMPARE(finished("a"), std::string("aborted"));
        QCOMPARE(m_rec->mirror.rollouts.at("a").reason, std::string("aborted by an operator"));
        QCOMPARE(revisionOf("a"), before);
        QVERIFY(allReady("a", 2));
        QCOMPARE(ready("a", before), 2);
    }

    void recreateStopsThenStarts()
    {
        start(pool("rc", 29600, 2, "", "{strategy: recreate, min_ready: 0s}"));
        QVERIFY(allReady("rc", 2));
        const std::size_t from = m_rec->events.size();
        m_engine->reload(load(pool("rc", 29600, 2, ", \"--ready-after\", \"0.1\"",
                                   "{strategy: recreate, min_ready: 0s}")));
        QCOMPARE(finished("rc"), std::string("complete"));
        QVERIFY(allReady("rc", 2));
        // Every old worker stopped before the first new one started.
        int stopped = 0;
        for (std::size_t i = from; i < m_rec->events.size(); ++i) {
            const api::Event &e = m_rec->events[i];
            if (e.kind != "worker.state")
                continue;
            if (e.to == "stopped")
                ++stopped;
            if (e.to == "starting")
                QCOMPARE(stopped, 2);
        }
    }

    void historySurvivesARestart()
    {
        const std::string rollout = "{min_ready: 0s}";
        start(pool("h", 29800, 1, "", rollout));
        QVERIFY(allReady("h", 1));
        const std::string first = revisionOf("h");
        m_engine->reload(load(pool("h", 29800, 1, ", \"--ready-after\", \"0.1\"", rollout)));
        QCOMPARE(finished("h"), std::string("complete"));
        const std::string second = revisionOf("h");
        // A new master on the same state dir and the second template: the first one's template
        // comes from the state dir, so undo can start it.
        stopEngine();
        m_io = std::make_unique<boost::asio::io_context>(1);
        m_rec = std::make_shared<Recorder>();
        start(pool("h", 29800, 1, ", \"--ready-after\", \"0.1\"", rollout));
        QVERIFY(allReady("h", 1));
        QCOMPARE(revisionOf("h"), second);
        json history = call("rollout.history", {{"pool", "h"}});
        QCOMPARE(history["revisions"].size(), std::size_t(2));
        QCOMPARE(history["revisions"][1]["revision"].get<std::string>(), first);
        json undo = call("rollout.undo", {{"pool", "h"}});
        QCOMPARE(undo["rollout"]["to_revision"].get<std::string>(), first);
        QCOMPARE(finished("h"), std::string("complete"));
        QCOMPARE(ready("h", first), 1);
        for (const auto &[id, w] : m_rec->workers)
            QVERIFY2(w.pool != "h" || w.revision == first, id.c_str());
    }

    void twoPoolsInOneApply()
    {
        const std::string rollout = "{min_ready: 0s}";
        auto both = [&](const std::string &extra) {
            const std::string second = pool("t2", 29920, 2, extra, rollout);
            return pool("t1", 29910, 2, extra, rollout) + second.substr(second.find('\n') + 1);
        };
        start(both(""));
        QVERIFY(allReady("t1", 2) && allReady("t2", 2));
        const std::string before1 = revisionOf("t1"), before2 = revisionOf("t2");
        m_engine->reload(load(both(", \"--ready-after\", \"0.2\"")));
        QCOMPARE(finished("t1"), std::string("complete"));
        QCOMPARE(finished("t2"), std::string("complete"));
        QCOMPARE(countEvents("rollout.started"), 2);
        for (const std::string name : {"t1", "t2"}) {
            QVERIFY(revisionOf(name) != (name == "t1" ? before1 : before2));
            QCOMPARE(workers(name), 2);
            QCOMPARE(ready(name, revisionOf(name)), 2);
            QCOMPARE(m_rec->mirror.rollouts.at(name).updatedReady, 2);
        }
    }

    void masterLossMidRolloutFinishesIt()
    {
        const std::string rollout = "{strategy: rolling, max_surge: 1, max_unavailable: 0, "
                                    "min_ready: 0s, progress_deadline: 30s}";
        const std::string next = pool("m", 29930, 3, ", \"--ready-after\", \"0.3\"", rollout);
        start(pool("m", 29930, 3, "", rollout));
        QVERIFY(allReady("m", 3));
        m_engine->reload(load(next));
        // In the middle: a new worker ready, old ones still there.
        QVERIFY(runUntil(
            [&] {
                auto it = m_rec->mirror.rollouts.find("m");
                return it != m_rec->mirror.rollouts.end() && it->second.updatedReady >= 1 &&
                       it->second.old >= 2;
            },
            15000));
        const std::string target = revisionOf("m");
        // The master goes away without stopping anything (as with kill -9), and a new one
        // starts on the same state dir and file.
        m_engine.reset();
        std::map<int, std::string> before; // pid -> revision
        for (const auto &[id, w] : m_rec->workers) {
            if (w.pool == "m" && w.pid > 0 && test::alive(w.pid))
                before[w.pid] = w.revision;
        }
        QVERIFY(before.size() >= 4); // three old and at least one new
        m_rec = std::make_shared<Recorder>();
        start(next);
        // It re-adopts every worker of both revisions and finishes the rollout: three of the
        // new revision, the new ones it had kept, no duplicate and no orphan.
        QVERIFY(runUntil(
            [&] {
                auto it = m_rec->mirror.rollouts.find("m");
                return ready("m", target) == 3 && workers("m") == 3 &&
                       (it == m_rec->mirror.rollouts.end() || !it->second.active());
            },
            30000));
        QCOMPARE(revisionOf("m"), target);
        std::set<int> now;
        for (const auto &[id, w] : m_rec->workers) {
            QCOMPARE(w.revision, target);
            now.insert(w.pid);
        }
        for (const auto &[pid, revision] : before) {
            if (revision == target) // kept: re-adopted, not started again
                QVERIFY2(now.count(pid), std::to_string(pid).c_str());
            else
                QVERIFY(runUntil([&, pid = pid] { return !test::alive(pid); }, 10000));
        }
        QCOMPARE(int(test::markedProcesses(m_mark).size()), 3);
    }

    void replicasOrProbesMakeNoRollout()
    {
        const std::string rollout = "{min_ready: 0s}";
        start(pool("n", 29700, 2, "", rollout));
        QVERIFY(allReady("n", 2));
        const std::map<std::string, int> before = pids("n");
        m_engine->reload(load(pool("n", 29700, 3, "", rollout, "interval: 150ms")));
        QVERIFY(allReady("n", 3));
        runUntil([] { return false; }, 300);
        QCOMPARE(countEvents("rollout.started"), 0);
        QVERIFY(!m_rec->mirror.rollouts.count("n"));
        json status = call("rollout.status", {{"pool", "n"}});
        QVERIFY(status["rollout"].is_null());
        for (const auto &[id, pid] : before)
            QCOMPARE(pids("n").at(id), pid); // untouched
    }
};

QTEST_GUILESS_MAIN(TestRollout)
#include "tst_rollout.moc"
