// The rollout controller's decision without processes: budgets, readiness gates, min_ready,
// the progress deadline, failing new workers, pause, rollback, recreate, and a simulated
// rollout that must never break its budgets.
#include "engine/rollout/decide.h"

#include <QTest>

#include <algorithm>
#include <map>

using namespace drover;
using namespace drover::engine::rollout;
using namespace std::chrono_literals;
using api::WorkerState;

namespace {

const Clock::time_point t0 = Clock::time_point() + 1h;

config::RolloutSpec rolling(int surge, int unavailable, config::Duration minReady = 0ms)
{
    config::RolloutSpec s;
    s.strategy = config::RolloutStrategy::Rolling;
    s.maxSurge = surge;
    s.maxUnavailable = unavailable;
    s.minReady = minReady;
    s.progressDeadline = 60s;
    s.autoRollback = true;
    return s;
}

Member member(std::string id, bool isNew, WorkerState state, std::uint64_t created,
              Clock::time_point readySince = t0 - 1h)
{
    Member m;
    m.id = std::move(id);
    m.isNew = isNew;
    m.state = state;
    m.created = created;
    m.readySince = readySince;
    return m;
}

/// `n` old workers, all ready.
Input oldPool(int n, config::RolloutSpec spec)
{
    Input in;
    in.spec = spec;
    in.desired = n;
    in.now = t0;
    in.lastProgress = t0;
    for (int i = 0; i < n; ++i)
        in.members.push_back(member("p-" + std::to_string(i), false, WorkerState::Ready, i + 1));
    return in;
}

bool contains(const std::vector<std::string> &v, const std::string &s)
{
    return std::find(v.begin(), v.end(), s) != v.end();
}

} // namespace

class TestRolloutDecide : public QObject
{
    Q_OBJECT

private slots:
    void surgeFirstThenStopOld();
    void minReadyHoldsTheNextStep();
    void unavailableFirstThenStart();
    void blueGreenSwitchesOnceTheWholeSetIsReady();
    void canaryStepsThenPromotes();
    void canaryOverErrorRateRollsBack();
    void completeOnlyWhenOldAreGone();
    void notReadyOldGoFirst();
    void deadlineRollsBackOrFails();
    void progressMovesTheDeadline();
    void failingNewWorkersRollBack();
    void pausedDoesNothing();
    void rollingBackHasNoDeadline();
    void recreateStopsAllThenStarts();
    void noFreePortNoSurge();
    void scaledDownMeanwhile();
    void budgetsPerStrategy();
    void simulatedRolloutKeepsBudgets_data();
    void simulatedRolloutKeepsBudgets();
};

void TestRolloutDecide::surgeFirstThenStopOld()
{
    Input in = oldPool(3, rolling(1, 0));
    Decision d = decide(in);
    QVERIFY(d.verdict == Decision::Verdict::Progressing);
    QCOMPARE(d.create, 1);   // one above desired
    QVERIFY(d.stop.empty()); // nothing goes before the new one is ready
    QCOMPARE(d.updated, 0);
    QCOMPARE(d.old, 3);
    // The new one is starting: still nothing to stop, nothing more to start.
    in.members.push_back(member("p-3", true, WorkerState::Starting, 4));
    d = decide(in);
    QCOMPARE(d.create, 0);
    QVERIFY(d.stop.empty());
    QVERIFY(d.step.find("waiting for 1 new worker to be ready") != std::string::npos);
    // Ready: one old worker goes.
    in.members.back().state = WorkerState::Ready;
    in.members.back().readySince = t0;
    d = decide(in);
    QCOMPARE(d.create, 0);
    QCOMPARE(int(d.stop.size()), 1);
    QCOMPARE(d.updatedReady, 1);
}

void TestRolloutDecide::minReadyHoldsTheNextStep()
{
    Input in = oldPool(2, rolling(1, 0, 5s));
    in.members.push_back(member("p-2", true, WorkerState::Ready, 3, t0 - 2s));
    Decision d = decide(in);
    QVERIFY(d.stop.empty());
    QCOMPARE(d.updatedReady, 0);
    QVERIFY(d.wakeAt && *d.wakeAt == t0 + 3s); // when it has been ready for 5 s
    QVERIFY(d.step.find("for 5s") != std::string::npos);
    in.now = t0 + 3s;
    d = decide(in);
    QCOMPARE(d.updatedReady, 1);
    QCOMPARE(int(d.stop.size()), 1);
}

void TestRolloutDecide::unavailableFirstThenStart()
{
    Input in = oldPool(3, rolling(0, 1));
    Decision d = decide(in);
    QCOMPARE(d.create, 0); // no surge
    QCOMPARE(int(d.stop.size()), 1);
    // That one is leaving now: its replacement starts, and nothing else goes meanwhile.
    for (Member &m : in.members)
        m.leaving = m.leaving || m.id == d.stop[0];
    d = decide(in);
    QCOMPARE(d.create, 1);
    QVERIFY(d.stop.empty());
}

void TestRolloutDecide::blueGreenSwitchesOnceTheWholeSetIsReady()
{
    config::RolloutSpec spec = rolling(0, 0, 2s);
    spec.strategy = config::RolloutStrategy::BlueGreen;
    Input in = oldPool(3, spec);
    Decision d = decide(in);
    QCOMPARE(d.create, 3); // the whole new set at once
    QVERIFY(d.stop.empty());
    QVERIFY(!d.switchTraffic);
    // Two of three available, the third still starting: the old set keeps the traffic.
    in.members.push_back(member("p-3", true, WorkerState::Ready, 4, t0 - 5s));
    in.members.push_back(member("p-4", true, WorkerState::Ready, 5, t0 - 5s));
    in.members.push_back(member("p-5", true, WorkerState::Starting, 6));
    d = decide(in);
    QCOMPARE(d.create, 0);
    QVERIFY(d.stop.empty());
    QVERIFY(!d.switchTraffic);
    QVERIFY2(d.step.find("2 of 3 ready; the old revision takes the traffic") != std::string::npos,
             d.step.c_str());
    // Ready, but not for min_ready yet: still nothing.
    in.members.back().state = WorkerState::Ready;
    in.members.back().readySince = t0 - 1s;
    d = decide(in);
    QVERIFY(!d.switchTraffic);
    QVERIFY(d.wakeAt && *d.wakeAt == t0 + 1s);
    // All available: the traffic switches and every old worker goes at once.
    in.now = t0 + 1s;
    d = decide(in);
    QVERIFY(d.switchTraffic);
    QCOMPARE(int(d.stop.size()), 3);
    QVERIFY(contains(d.stop, "p-0") && contains(d.stop, "p-1") && contains(d.stop, "p-2"));
    // While they leave, it stays switched.
    for (Member &m : in.members)
        m.leaving = !m.isNew;
    d = decide(in);
    QVERIFY(d.switchTraffic);
    QVERIFY(d.stop.empty());
    QVERIFY2(d.step.find("waiting for 3 old workers to stop") != std::string::npos, d.step.c_str());
}

namespace {

config::RolloutSpec canary(std::vector<config::CanaryStep> steps)
{
    config::RolloutSpec spec = rolling(0, 0);
    spec.strategy = config::RolloutStrategy::Canary;
    spec.canarySteps = std::move(steps);
    spec.maxErrorRate = 0.1;
    return spec;
}

} // namespace

void TestRolloutDecide::canaryStepsThenPromotes()
{
    Input in = oldPool(4, canary({{25, 30s}, {50, 30s}}));
    // Step 1 (25 % of 4): one canary; no weight until it is ready.
    Decision d = decide(in);
    QCOMPARE(d.create, 1);
    QVERIFY(d.stop.empty());
    QCOMPARE(d.weight, 0);
    QVERIFY(!d.stepBegins);
    in.members.push_back(member("p-4", true, WorkerState::Ready, 5, t0 - 1s));
    d = decide(in);
    QVERIFY(d.stepBegins);
    QCOMPARE(d.weight, 25);
    QVERIFY(d.wakeAt && *d.wakeAt == t0 + 30s);
    QVERIFY2(d.step.find("step 1 of 2 (25%)") != std::string::npos, d.step.c_str());
    // During the pause: within max_error_rate, no verdict; the deadline runs after the pause.
    in.stepSince = t0;
    in.now = t0 + 10s;
    in.canaryRequests = 100;
    in.canaryFailures = 5;
    d = decide(in);
    QVERIFY(d.verdict == Decision::Verdict::Progressing);
    QVERIFY(!d.nextStep);
    QVERIFY(d.deadline && *d.deadline == t0 + 30s + 60s);
    QVERIFY(d.wakeAt && *d.wakeAt == t0 + 30s);
    // The pause over: the next step, with two canaries at 50 %; the old set stays whole.
    in.now = t0 + 30s;
    d = decide(in);
    QVERIFY(d.nextStep);
    in.canaryStep = 1;
    in.stepSince.reset();
    in.lastProgress = in.now;
    d = decide(in);
    QCOMPARE(d.create, 1);
    QCOMPARE(d.weight, 25); // the last step's, until the new canary is ready
    QVERIFY(d.stop.empty());
    in.members.push_back(member("p-5", true, WorkerState::Ready, 6, t0));
    d = decide(in);
    QVERIFY(d.stepBegins);
    QCOMPARE(d.weight, 50);
    in.stepSince = in.now;
    in.now += 30s;
    in.canaryRequests = 0; // nobody asked: nothing to judge, the step passes
    in.canaryFailures = 0;
    d = decide(in);
    QVERIFY(d.nextStep);
    // Promoted: the rest of the new set, then the switch and the old set's stop.
    in.canaryStep = 2;
    in.stepSince.reset();
    d = decide(in);
    QCOMPARE(d.create, 2);
    QCOMPARE(d.weight, 50);
    QVERIFY(!d.switchTraffic);
    in.members.push_back(member("p-6", true, WorkerState::Ready, 7, t0));
    in.members.push_back(member("p-7", true, WorkerState::Ready, 8, t0));
    d = decide(in);
    QVERIFY(d.switchTraffic);
    QCOMPARE(int(d.stop.size()), 4);
}

void TestRolloutDecide::canaryOverErrorRateRollsBack()
{
    Input in = oldPool(2, canary({{50, 1min}}));
    in.members.push_back(member("p-2", true, WorkerState::Ready, 3, t0 - 1s));
    in.stepSince = t0;
    in.now = t0 + 5s;
    // Over 10 %, but fewer than kCanarySample requests: wait for more or the pause's end.
    in.canaryRequests = kCanarySample - 1;
    in.canaryFailures = 5;
    Decision d = decide(in);
    QVERIFY(d.verdict == Decision::Verdict::Progressing);
    in.canaryRequests = kCanarySample;
    d = decide(in);
    QVERIFY(d.verdict == Decision::Verdict::RollBack);
    QVERIFY2(d.reason.find("5 of 20 requests failed (25%), over max_error_rate 10%") !=
                 std::string::npos,
             d.reason.c_str());
    // A small sample decides at the pause's end; without auto_rollback it fails there.
    in.canaryRequests = 3;
    in.canaryFailures = 1;
    in.now = t0 + 1min;
    in.spec.autoRollback = false;
    d = decide(in);
    QVERIFY(d.verdict == Decision::Verdict::Failed);
}

void TestRolloutDecide::completeOnlyWhenOldAreGone()
{
    Input in;
    in.spec = rolling(1, 0);
    in.desired = 2;
    in.now = t0;
    in.lastProgress = t0;
    in.members = {member("p-2", true, WorkerState::Ready, 3),
                  member("p-3", true, WorkerState::Ready, 4),
                  member("p-0", false, WorkerState::Stopping, 1)};
    in.members.back().leaving = true;
    Decision d = decide(in);
    QVERIFY(d.verdict == Decision::Verdict::Progressing);
    QVERIFY(d.step.find("waiting for 1 old worker to stop") != std::string::npos);
    in.members.pop_back();
    d = decide(in);
    QVERIFY(d.verdict == Decision::Verdict::Complete);
}

void TestRolloutDecide::notReadyOldGoFirst()
{
    Input in = oldPool(3, rolling(1, 0));
    in.members[2].state = WorkerState::Backoff; // crashed; costs no capacity to stop
    in.members.push_back(member("p-3", true, WorkerState::Starting, 4));
    Decision d = decide(in);
    QVERIFY(d.stop.empty()); // 4 workers, 3 needed available, 1 new not ready: none may go
    in.members.back().state = WorkerState::Ready;
    d = decide(in);
    // The new one is available: one may go, and the broken old one goes before a ready one.
    QCOMPARE(int(d.stop.size()), 1);
    QCOMPARE(d.stop[0], std::string("p-2"));
}

void TestRolloutDecide::deadlineRollsBackOrFails()
{
    Input in = oldPool(2, rolling(1, 0));
    in.members.push_back(member("p-2", true, WorkerState::Running, 3)); // never ready
    Decision first = decide(in);
    in.progress = first.progress;
    QVERIFY(first.deadline && *first.deadline == t0 + 60s);
    in.now = t0 + 59s;
    QVERIFY(decide(in).verdict == Decision::Verdict::Progressing);
    in.now = t0 + 60s;
    Decision d = decide(in);
    QVERIFY(d.verdict == Decision::Verdict::RollBack);
    QVERIFY(d.reason.find("progress_deadline") != std::string::npos);
    in.spec.autoRollback = false;
    d = decide(in);
    QVERIFY(d.verdict == Decision::Verdict::Failed);
}

void TestRolloutDecide::progressMovesTheDeadline()
{
    Input in = oldPool(2, rolling(1, 0));
    Decision d = decide(in);
    QVERIFY(d.progressed); // the first look
    in.progress = d.progress;
    in.now = t0 + 50s;
    in.members.push_back(member("p-2", true, WorkerState::Ready, 3, t0 + 50s));
    d = decide(in); // a new worker: progress, the deadline counts from now
    QVERIFY(d.progressed);
    QVERIFY(d.deadline && *d.deadline == t0 + 110s);
    in.progress = d.progress;
    in.lastProgress = in.now;
    d = decide(in);
    QVERIFY(!d.progressed);
}

void TestRolloutDecide::failingNewWorkersRollBack()
{
    Input in = oldPool(2, rolling(1, 0));
    in.members.push_back(member("p-2", true, WorkerState::Backoff, 3));
    in.members.back().restarts = kFailingRestarts - 1;
    QVERIFY(decide(in).verdict == Decision::Verdict::Progressing);
    in.members.back().restarts = kFailingRestarts;
    Decision d = decide(in);
    QVERIFY(d.verdict == Decision::Verdict::RollBack);
    QVERIFY(d.reason.find("p-2 crashed 3 times") != std::string::npos);
    in.members.back().state = WorkerState::Failed;
    QVERIFY(decide(in).reason.find("p-2 failed") != std::string::npos);
    in.spec.autoRollback = false; // then it waits for its deadline
    QVERIFY(decide(in).verdict == Decision::Verdict::Progressing);
}

void TestRolloutDecide::pausedDoesNothing()
{
    Input in = oldPool(3, rolling(1, 0));
    in.paused = true;
    in.now = t0 + 1h; // far past the deadline: it does not run while paused
    Decision d = decide(in);
    QVERIFY(d.verdict == Decision::Verdict::Progressing);
    QCOMPARE(d.create, 0);
    QVERIFY(d.stop.empty());
    QVERIFY(!d.deadline);
    QVERIFY(d.step.rfind("paused", 0) == 0);
}

void TestRolloutDecide::rollingBackHasNoDeadline()
{
    // Rolling back: the revision before is "new"; the broken one goes, no second rollback.
    Input in = oldPool(2, rolling(1, 0));
    for (Member &m : in.members)
        m.isNew = true;
    in.members.push_back(member("p-2", false, WorkerState::Running, 3));
    in.rollingBack = true;
    in.now = t0 + 1h;
    Decision d = decide(in);
    QVERIFY(d.verdict == Decision::Verdict::Progressing);
    QVERIFY(!d.deadline);
    QVERIFY(contains(d.stop, "p-2"));
    in.members.back().leaving = true;
    in.members.back().state = WorkerState::Stopping;
    QVERIFY(decide(in).verdict == Decision::Verdict::Progressing);
    in.members.pop_back();
    QVERIFY(decide(in).verdict == Decision::Verdict::Complete);
}

void TestRolloutDecide::recreateStopsAllThenStarts()
{
    config::RolloutSpec spec;
    spec.strategy = config::RolloutStrategy::Recreate;
    spec.minReady = 0ms;
    Input in = oldPool(3, spec);
    Decision d = decide(in);
    QCOMPARE(int(d.stop.size()), 3);
    QCOMPARE(d.create, 0);
    for (Member &m : in.members) {
        m.leaving = true;
        m.state = WorkerState::Stopping;
    }
    d = decide(in);
    QCOMPARE(d.create, 0); // not while an old one is still there
    in.members.clear();
    d = decide(in);
    QCOMPARE(d.create, 3);
}

void TestRolloutDecide::noFreePortNoSurge()
{
    Input in = oldPool(3, rolling(1, 0));
    in.freeSlots = 0;
    Decision d = decide(in);
    QCOMPARE(d.create, 0);
    QVERIFY(d.step.find("free port") != std::string::npos);
}

void TestRolloutDecide::scaledDownMeanwhile()
{
    Input in;
    in.spec = rolling(1, 0);
    in.desired = 1;
    in.now = t0;
    in.lastProgress = t0;
    in.members = {member("p-3", true, WorkerState::Ready, 4),
                  member("p-4", true, WorkerState::Starting, 5)};
    Decision d = decide(in);
    QCOMPARE(int(d.stop.size()), 1);
    QCOMPARE(d.stop[0], std::string("p-4")); // the one not ready
}

void TestRolloutDecide::budgetsPerStrategy()
{
    config::RolloutSpec s = rolling(2, 1);
    QVERIFY(budgets(s, 4) == std::make_pair(2, 1));
    s.maxSurge = 0;
    s.maxUnavailable = 0;
    QVERIFY(budgets(s, 4) == std::make_pair(0, 1)); // never stands still
    s.strategy = config::RolloutStrategy::BlueGreen;
    QVERIFY(budgets(s, 4) == std::make_pair(4, 0)); // the whole new set first
    s.strategy = config::RolloutStrategy::Canary;
    QVERIFY(budgets(s, 4) == std::make_pair(1, 0));
    QCOMPARE(std::string(strategyName(config::RolloutStrategy::Recreate)), std::string("recreate"));
}

void TestRolloutDecide::simulatedRolloutKeepsBudgets_data()
{
    QTest::addColumn<int>("desired");
    QTest::addColumn<int>("surge");
    QTest::addColumn<int>("unavailable");
    QTest::addColumn<int>("strategy");
    QTest::newRow("3, surge 1") << 3 << 1 << 0 << int(config::RolloutStrategy::Rolling);
    QTest::newRow("3, unavailable 1") << 3 << 0 << 1 << int(config::RolloutStrategy::Rolling);
    QTest::newRow("5, surge 2 unavailable 1")
        << 5 << 2 << 1 << int(config::RolloutStrategy::Rolling);
    QTest::newRow("1, surge 1") << 1 << 1 << 0 << int(config::RolloutStrategy::Rolling);
    QTest::newRow("4, blue-green") << 4 << 0 << 0 << int(config::RolloutStrategy::BlueGreen);
    QTest::newRow("3, recreate") << 3 << 0 << 0 << int(config::RolloutStrategy::Recreate);
}

void TestRolloutDecide::simulatedRolloutKeepsBudgets()
{
    // A world where a started worker is ready on the next tick and a stopped one is gone on
    // the tick after: the rollout must complete, never run more than desired + surge workers
    // that are not leaving, and never have fewer than desired - unavailable ready ones.
    QFETCH(int, desired);
    QFETCH(int, surge);
    QFETCH(int, unavailable);
    QFETCH(int, strategy);
    config::RolloutSpec spec = rolling(surge, unavailable, 2s);
    spec.strategy = config::RolloutStrategy(strategy);
    if (spec.strategy != config::RolloutStrategy::Rolling)
        spec.maxSurge = spec.maxUnavailable = 0;
    const auto [maxSurge, maxUnavailable] = budgets(spec, desired);
    Input in = oldPool(desired, spec);
    std::uint64_t created = std::uint64_t(desired);
    bool complete = false;
    for (int tick = 0; tick < 200 && !complete; ++tick) {
        in.now = t0 + std::chrono::seconds(tick);
        // The world moves: leaving workers go, starting ones become ready.
        std::erase_if(in.members, [](const Member &m) { return m.leaving; });
        for (Member &m : in.members) {
            if (m.state == WorkerState::Starting) {
                m.state = WorkerState::Ready;
                m.readySince = in.now;
            }
        }
        Decision d = decide(in);
        QVERIFY2(d.verdict != Decision::Verdict::RollBack, d.reason.c_str());
        in.progress = d.progress;
        if (d.progressed)
            in.lastProgress = in.now;
        if (d.verdict == Decision::Verdict::Complete) {
            complete = true;
            break;
        }
        for (Member &m : in.members) {
            if (contains(d.stop, m.id)) {
                m.leaving = true;
                m.state = WorkerState::Stopping;
            }
        }
        for (int i = 0; i < d.create; ++i) {
            ++created;
            in.members.push_back(member("p-" + std::to_string(created), true, WorkerState::Starting,
                                        created, in.now));
        }
        int staying = 0, ready = 0;
        for (const Member &m : in.members) {
            staying += !m.leaving;
            ready += !m.leaving && m.state == WorkerState::Ready;
        }
        if (spec.strategy != config::RolloutStrategy::Recreate) {
            QVERIFY2(staying <= desired + maxSurge, qPrintable(QString::number(tick)));
            QVERIFY2(ready >= desired - maxUnavailable, qPrintable(QString::number(tick)));
        }
    }
    QVERIFY(complete);
    QCOMPARE(int(in.members.size()), desired);
    for (const Member &m : in.members)
        QVERIFY(m.isNew && m.state == WorkerState::Ready);
}

QTEST_APPLESS_MAIN(TestRolloutDecide)
#include "tst_rolloutdecide.moc"
