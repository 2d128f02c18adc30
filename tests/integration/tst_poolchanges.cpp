// A pool whose workers change while its gateway serves, against real drover-demo-workers: the
// autoscaler (up under load and down when idle, from zero with a cold start, warm spares) and
// the rollouts that need the gateway (a blue-green switch, a canary split that promotes and
// one that rolls back). Clients run on their own threads with blocking sockets while the
// test's thread runs the engine's loop.
// clang-format off
#include <utility> // before Asio: Boost 1.74 + g++ 12
// clang-format on

#include "gatewayfixture.h"

#include <QTest>

#include <atomic>
#include <set>

using namespace drover;
using namespace drover::test;

class TestPoolChanges : public QObject, public GatewayFixture
{
    Q_OBJECT

    /// A pool of two demo workers behind a gateway with a canary rollout of `steps`;
    /// `extra` goes to the workers' arguments (a new revision).
    static std::string canaryPool(const std::string &name, int base, const std::string &steps,
                                  const std::string &extra)
    {
        return "pools:\n  - name: " + name +
               "\n    command: [\"${BIN}/drover-demo-worker\", \"--port\", \"{{port}}\", "
               "\"--quiet\"" +
               extra + "]\n    replicas: 2\n    ports: " + std::to_string(base) + "-" +
               std::to_string(base + 9) +
               "\n    stop: {timeout: 5s}\n    probes:\n      readiness: {http: {url: "
               "\"http://127.0.0.1:{{port}}/ready\"}, interval: 100ms}\n    gateway:\n"
               "      listen: 127.0.0.1:" +
               std::to_string(base + 50) +
               "\n      drain_timeout: 5s\n    rollout:\n      strategy: canary\n"
               "      canary: " +
               steps + "\n      min_ready: 0s\n      progress_deadline: 30s\n";
    }

private slots:
    void init() { setUp(); }
    void cleanup() { tearDown(); }

    void autoscalerFollowsTheLoad()
    {
        start(pool("as", 27100, 27150,
                   "      per_worker_concurrency: 1\n      queue: {max: 20, timeout: 20s}\n",
                   "autoscale: {min: 1, max: 3, target_utilization: 1.0, scale_up_after: 0s, "
                   "scale_down_after: 2s}"));
        QVERIFY(allReady("as", 1));
        auto load = launch(3, 27150, "/work?ms=6000");
        QVERIFY(runUntil([&] { return m_rec->pools["as"].desired == 3; }, 10000));
        QVERIFY(allReady("as", 3));
        const auto answers = collect(load);
        for (const Answer &a : answers)
            QCOMPARE(a.status, 200);
        QVERIFY(runUntil([&] { return m_rec->pools["as"].desired == 1; }, 10000));
        const json t = traffic("as");
        QVERIFY(t["scale_events"].size() >= 2);
        QCOMPARE(t["scale_events"].back()["to"].get<int>(), 1);
    }

    void scaleFromZeroColdStarts()
    {
        start(pool("cold", 27200, 27250, "      queue: {max: 10, timeout: 15s}\n",
                   "autoscale: {min: 0, max: 2, scale_up_after: 0s, scale_down_after: 1m}"));
        pause(300);
        QCOMPARE(m_rec->pools["cold"].desired, 0);
        Answer a = get(27250, "/");
        QCOMPARE(a.status, 200);
        const json t = traffic("cold");
        QCOMPARE(t["cold_starts"].get<int>(), 1);
        QVERIFY(t["last_cold_start_ms"].get<double>() > 1);
        QVERIFY(a.ms >= t["last_cold_start_ms"].get<double>() * 0.5);
    }

    void coldStartProbesSoonWhileRequestsWait()
    {
        // The readiness interval (1 min) is far longer than the queue's timeout (10 s), and
        // /ready answers 503 for its first 0.3 s: the first check fails, so the request is
        // served only because a worker that requests wait for is checked again within
        // milliseconds (Prober::hurry) instead of an interval later.
        start("pools:\n  - name: hurry\n    command: [\"${BIN}/drover-demo-worker\", "
              "\"--port\", \"{{port}}\", \"--quiet\", \"--ready-after\", \"0.3\"]\n"
              "    autoscale: {min: 0, max: 1, scale_up_after: 0s, scale_down_after: 1m}\n"
              "    ports: 27260-27269\n    stop: {timeout: 5s}\n    probes:\n"
              "      readiness: {http: {url: \"http://127.0.0.1:{{port}}/ready\"}, interval: 1m}\n"
              "    gateway:\n      listen: 127.0.0.1:27270\n"
              "      queue: {max: 10, timeout: 10s}\n");
        Answer a = get(27270, "/");
        QCOMPARE(a.status, 200);
        QVERIFY2(a.ms >= 300, std::to_string(a.ms).c_str()); // not before /ready said yes
        const json t = traffic("hurry");
        QCOMPARE(t["cold_starts"].get<int>(), 1);
        // Checks that failed while it was not ready yet, then the one that passed.
        const json h = call("health.history", {{"worker", "hurry-0"}})["results"];
        QVERIFY2(h.size() >= 2, h.dump().c_str());
        QVERIFY(!h.front()["ok"].get<bool>());
        QVERIFY(h.back()["ok"].get<bool>());
    }

    void minIdleKeepsWarmSpares()
    {
        start(pool("warm", 27300, 27350,
                   "      per_worker_concurrency: 1\n      queue: {max: 10, timeout: 10s}\n",
                   "autoscale: {min: 1, max: 4, target_utilization: 1.0, scale_up_after: 0s, "
                   "scale_down_after: 1m, min_idle: 1}"));
        QVERIFY(allReady("warm", 1));
        auto busy = launch(1, 27350, "/work?ms=2500");
        // One busy worker and no idle one: a spare is started while it works.
        QVERIFY(runUntil([&] { return m_rec->pools["warm"].desired == 2; }, 5000));
        QCOMPARE(collect(busy).front().status, 200);
    }
    void blueGreenSwitchesTrafficOnceTheWholeNewSetIsReady()
    {
        auto yaml = [](const std::string &extra) {
            return "pools:\n  - name: bg\n    command: [\"${BIN}/drover-demo-worker\", \"--port\", "
                   "\"{{port}}\", \"--quiet\"" +
                   extra +
                   "]\n    replicas: 2\n    ports: 27700-27709\n    stop: {timeout: 5s}\n"
                   "    probes:\n      readiness: {http: {url: "
                   "\"http://127.0.0.1:{{port}}/ready\"}, interval: 100ms}\n"
                   "    gateway:\n      listen: 127.0.0.1:27750\n      drain_timeout: 5s\n"
                   "    rollout: {strategy: blue-green, min_ready: 0s, progress_deadline: 30s}\n";
        };
        start(yaml(""));
        QVERIFY(allReady("bg", 2));
        std::set<std::string> oldIds;
        for (const auto &[id, w] : m_rec->workers)
            oldIds.insert(id);
        // The new workers are ready after as many seconds as their index (2 and 3; the old
        // ones hold 0 and 1): for a second one of them is ready and must take nothing.
        m_engine->reload(load(yaml(", \"--ready-after\", \"{{index}}\"")));
        // Meanwhile a client asks one request after another, on its own thread.
        std::atomic<bool> stop{false};
        auto client = std::async(std::launch::async, [&stop] {
            std::vector<Answer> out;
            while (!stop)
                out.push_back(fetch(27750, "/"));
            return out;
        });
        bool sawHalfReady = false, routedEarly = false;
        const bool ended = runUntil(
            [&] {
                int newReady = 0;
                for (const auto &[id, w] : m_rec->workers)
                    newReady += !oldIds.count(id) && w.ready();
                if (newReady == 1) {
                    sawHalfReady = true;
                    const json t = traffic("bg");
                    for (const json &b : t["workers"])
                        routedEarly |=
                            !oldIds.count(b["worker"].get<std::string>()) && b["ready"].get<bool>();
                }
                auto it = m_rec->mirror.rollouts.find("bg");
                return it != m_rec->mirror.rollouts.end() && !it->second.active();
            },
            30000);
        pause(300); // some requests on the new set alone
        stop = true;
        runUntil([&] { return client.wait_for(0s) == std::future_status::ready; }, 40000);
        const std::vector<Answer> answers = client.get();
        QVERIFY(ended);
        QCOMPARE(m_rec->mirror.rollouts.at("bg").phase, std::string("complete"));
        QVERIFY(sawHalfReady);
        QVERIFY(!routedEarly);
        // Every request answered; the old set answered all of them before the switch, the new
        // set all of them after: no request went to a new worker before the whole set was ready.
        QVERIFY(answers.size() > 20);
        bool newSeen = false, oldAfterNew = false;
        int failed = 0, byNew = 0;
        for (const Answer &a : answers) {
            failed += a.status != 200;
            const bool isNew = !oldIds.count(a.header("x-drover-worker"));
            oldAfterNew |= newSeen && !isNew;
            newSeen |= isNew;
            byNew += isNew;
        }
        QCOMPARE(failed, 0);
        QVERIFY(!oldAfterNew);
        QVERIFY(byNew > 0);
        int switched = 0;
        for (const api::Event &e : m_rec->events)
            switched += e.kind == "rollout.switched" && e.subject == "bg";
        QCOMPARE(switched, 1);
        QCOMPARE(int(m_rec->workers.size()), 2);
        for (const auto &[id, w] : m_rec->workers)
            QVERIFY2(!oldIds.count(id), id.c_str());
    }

    void canarySplitsByWeightThenPromotes()
    {
        const std::string steps = "{steps: [{weight: 50, pause: 5s}], max_error_rate: 0.05}";
        start(canaryPool("cn", 27800, steps, ""));
        QVERIFY(allReady("cn", 2));
        std::set<std::string> oldIds;
        for (const auto &[id, w] : m_rec->workers)
            oldIds.insert(id);
        m_engine->reload(load(canaryPool("cn", 27800, steps, ", \"--root-status\", \"200\"")));
        // One canary (50 % of 2) ready: half of the requests go to it during the pause.
        QVERIFY(runUntil([&] { return countEvents("rollout.step", "cn") == 1; }, 15000));
        json status = call("rollout.status", {{"pool", "cn"}});
        QVERIFY2(status["rollout"]["step"].get<std::string>().find("step 1 of 1 (50%)") !=
                     std::string::npos,
                 status.dump().c_str());
        int byNew = 0, failed = 0;
        const int n = 40;
        for (int i = 0; i < n; ++i) {
            const Answer a = get(27850, "/");
            failed += a.status != 200;
            byNew += !oldIds.count(a.header("x-drover-worker"));
        }
        QCOMPARE(failed, 0);
        // Binomial(40, 0.5): outside 8..32 has a probability below 1e-4.
        QVERIFY2(byNew >= 8 && byNew <= 32, std::to_string(byNew).c_str());
        // Still in the pause: all forty came while the split held.
        QCOMPARE(countEvents("rollout.switched", "cn"), 0);
        // After the pause: the new set completes, the traffic switches, the old set goes.
        QVERIFY(runUntil(
            [&] {
                auto it = m_rec->mirror.rollouts.find("cn");
                return it != m_rec->mirror.rollouts.end() && !it->second.active();
            },
            30000));
        QCOMPARE(m_rec->mirror.rollouts.at("cn").phase, std::string("complete"));
        QCOMPARE(countEvents("rollout.switched", "cn"), 1);
        QCOMPARE(int(m_rec->workers.size()), 2);
        for (const auto &[id, w] : m_rec->workers)
            QVERIFY2(!oldIds.count(id), id.c_str());
        const json t = traffic("cn");
        QCOMPARE(t["status"]["5xx"].get<int>(), 0);
    }

    void failingCanaryRollsBack()
    {
        const std::string steps =
            "{steps: [{weight: 50, pause: 4s}, {weight: 100}], max_error_rate: 0.1}";
        start(canaryPool("cf", 27900, steps, ""));
        QVERIFY(allReady("cf", 2));
        std::set<std::string> oldIds;
        for (const auto &[id, w] : m_rec->workers)
            oldIds.insert(id);
        const std::string before = m_rec->pools.at("cf").revision;
        m_engine->reload(load(canaryPool("cf", 27900, steps, ", \"--root-status\", \"500\"")));
        QVERIFY(runUntil([&] { return countEvents("rollout.step", "cf") == 1; }, 15000));
        // Requests until the canary's failures pass max_error_rate: 20 counted requests decide
        // at once; when the breaker ejects the canary first (5 failures in a row), the end of
        // the pause does.
        int canaryFailures = 0;
        const auto until = std::chrono::steady_clock::now() + 20s;
        while (countEvents("rollout.rollback", "cf") == 0 &&
               std::chrono::steady_clock::now() < until) {
            const Answer a = get(27950, "/");
            if (!oldIds.count(a.header("x-drover-worker"))) {
                QCOMPARE(a.status, 500);
                ++canaryFailures;
            } else {
                QCOMPARE(a.status, 200);
            }
        }
        QVERIFY(canaryFailures > 0);
        QCOMPARE(countEvents("rollout.rollback", "cf"), 1);
        // From the rollback on, the canary takes nothing.
        for (int i = 0; i < 10; ++i) {
            const Answer a = get(27950, "/");
            QCOMPARE(a.status, 200);
            QVERIFY(oldIds.count(a.header("x-drover-worker")));
        }
        QVERIFY(runUntil(
            [&] {
                auto it = m_rec->mirror.rollouts.find("cf");
                return it != m_rec->mirror.rollouts.end() && !it->second.active();
            },
            30000));
        const api::RolloutInfo &info = m_rec->mirror.rollouts.at("cf");
        QCOMPARE(info.phase, std::string("rolled-back"));
        QVERIFY2(info.reason.find("over max_error_rate 10%") != std::string::npos,
                 info.reason.c_str());
        QCOMPARE(m_rec->pools.at("cf").revision, before);
        QVERIFY(runUntil([&] { return m_rec->workers.size() == 2; }, 10000));
        for (const auto &[id, w] : m_rec->workers)
            QVERIFY2(oldIds.count(id), id.c_str()); // the old set was never stopped
    }
};

QTEST_GUILESS_MAIN(TestPoolChanges)
#include "tst_poolchanges.moc"
