// The engine's pure parts: the worker state table (every transition it allows and every one it
// refuses), the restart policy (backoff sequence, jitter bounds, the restart limit and its
// reset), and the op table (every op has a role, every engine op a handler, an unknown op is
// refused).
#include "api/ops.h"
#include "engine/engine.h"
#include "engine/lifecycle.h"
#include "engine/ops/ops.h"
#include "engine/restartpolicy.h"

#include <QDir>
#include <QTest>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <unistd.h>

using namespace drover;
using namespace std::chrono_literals;
using api::WorkerState;
using engine::lifecycle::Event;

namespace {

constexpr WorkerState kStates[] = {
    WorkerState::Pending,  WorkerState::Starting, WorkerState::Running, WorkerState::Ready,
    WorkerState::Draining, WorkerState::Stopping, WorkerState::Stopped, WorkerState::Exited,
    WorkerState::Backoff,  WorkerState::Failed};

/// Every state that has no process (where a start, an adoption or a cancel begins).
const std::set<WorkerState> kIdle{WorkerState::Pending, WorkerState::Stopped, WorkerState::Exited,
                                  WorkerState::Backoff, WorkerState::Failed};
const std::set<WorkerState> kAlive{WorkerState::Starting, WorkerState::Running, WorkerState::Ready,
                                   WorkerState::Draining, WorkerState::Stopping};

struct Expected
{
    Event event;
    std::set<WorkerState> from;
    WorkerState to;
};

/// The table as docs/architecture.md states it, written out independently of lifecycle.cpp.
std::vector<Expected> expectedTable()
{
    std::set<WorkerState> upFrom = kIdle;
    upFrom.insert(WorkerState::Starting);
    return {
        {Event::Spawned, kIdle, WorkerState::Starting},
        {Event::Attached, kIdle, WorkerState::Starting},
        {Event::Up, upFrom, WorkerState::Running},
        {Event::ReadinessOk, {WorkerState::Running}, WorkerState::Ready},
        {Event::ReadinessLost, {WorkerState::Ready}, WorkerState::Running},
        {Event::StopAsked,
         {WorkerState::Starting, WorkerState::Running, WorkerState::Ready, WorkerState::Draining},
         WorkerState::Stopping},
        {Event::Cancelled,
         {WorkerState::Pending, WorkerState::Exited, WorkerState::Backoff, WorkerState::Failed},
         WorkerState::Stopped},
        {Event::StoppedExit, kAlive, WorkerState::Stopped},
        {Event::Exit, kAlive, WorkerState::Exited},
        {Event::ExitToBackoff, kAlive, WorkerState::Backoff},
        {Event::GaveUp, kAlive, WorkerState::Failed},
        {Event::SpawnFailed, kIdle, WorkerState::Failed},
        {Event::NotRunning, kIdle, WorkerState::Exited},
    };
}

config::RestartSpec spec(config::RestartPolicy policy, int initialMs, int maxMs, double factor,
                         double jitter, int maxRestarts = 10,
                         std::chrono::milliseconds window = 5min)
{
    config::RestartSpec s;
    s.policy = policy;
    s.backoff.initial = std::chrono::milliseconds(initialMs);
    s.backoff.max = std::chrono::milliseconds(maxMs);
    s.backoff.factor = factor;
    s.backoff.jitter = jitter;
    s.maxRestarts = maxRestarts;
    s.window = window;
    return s;
}

} // namespace

class TestLifecycle : public QObject
{
    Q_OBJECT

private slots:
    void everyTransition_data();
    void everyTransition();
    void tableCoversEveryEvent();
    void backoffSequence_data();
    void backoffSequence();
    void jitterBounds();
    void policies_data();
    void policies();
    void restartLimitAndWindow();
    void stableRunResetsBackoff();
    void opTable();
    void unknownOpRefused();
};

void TestLifecycle::everyTransition_data()
{
    QTest::addColumn<int>("event");
    QTest::addColumn<int>("from");
    QTest::addColumn<int>("to"); // -1: refused
    for (const Expected &row : expectedTable()) {
        for (WorkerState from : kStates) {
            const bool allowed = row.from.count(from) > 0;
            const std::string name = std::string(engine::lifecycle::toString(row.event)) +
                                     " from " + std::string(api::toString(from));
            QTest::newRow(name.c_str())
                << int(row.event) << int(from) << (allowed ? int(row.to) : -1);
        }
    }
}

void TestLifecycle::everyTransition()
{
    QFETCH(int, event);
    QFETCH(int, from);
    QFETCH(int, to);
    std::optional<WorkerState> next = engine::lifecycle::next(WorkerState(from), Event(event));
    if (to < 0) {
        QVERIFY2(!next, "the table allows a transition it must refuse");
    } else {
        QVERIFY2(next, "the table refuses a transition it must allow");
        QCOMPARE(int(*next), to);
    }
}

void TestLifecycle::tableCoversEveryEvent()
{
    QCOMPARE(engine::lifecycle::table().size(), engine::lifecycle::kEventCount);
    QCOMPARE(expectedTable().size(), engine::lifecycle::kEventCount);
    std::set<std::string_view> names;
    for (const auto &row : engine::lifecycle::table()) {
        QVERIFY(!row.from.empty());
        names.insert(engine::lifecycle::toString(row.event));
        // A transition moves: no row keeps a state where it is, except the two that say
        // something new about an idle worker (a failed spawn after an operator's start of a
        // failed worker; an adopted process still not running), each with a new reason.
        if (row.event != Event::NotRunning && row.event != Event::SpawnFailed)
            QVERIFY(std::find(row.from.begin(), row.from.end(), row.to) == row.from.end());
    }
    QCOMPARE(names.size(), engine::lifecycle::kEventCount);
}

void TestLifecycle::backoffSequence_data()
{
    QTest::addColumn<int>("initial");
    QTest::addColumn<int>("max");
    QTest::addColumn<double>("factor");
    QTest::addColumn<QList<int>>("delays");
    QTest::newRow("100ms x2 up to 1s")
        << 100 << 1000 << 2.0 << QList<int>{100, 200, 400, 800, 1000, 1000};
    QTest::newRow("200ms x3 up to 30s")
        << 200 << 30000 << 3.0 << QList<int>{200, 600, 1800, 5400, 16200, 30000};
    QTest::newRow("initial 0: at once, then from 1 ms")
        << 0 << 1000 << 10.0 << QList<int>{0, 1, 10, 100, 1000, 1000};
    QTest::newRow("factor 1: constant") << 50 << 1000 << 1.0 << QList<int>{50, 50, 50, 50};
}

void TestLifecycle::backoffSequence()
{
    QFETCH(int, initial);
    QFETCH(int, max);
    QFETCH(double, factor);
    QFETCH(QList<int>, delays);
    const auto s = spec(config::RestartPolicy::Always, initial, max, factor, 0, 100);
    engine::CrashHistory history;
    auto now = std::chrono::steady_clock::now();
    for (int expected : delays) {
        // Each process ran 10 ms: not long enough to start the backoff over.
        auto d = engine::decideRestart(s, history, now, now - 10ms, false, 0.7);
        QCOMPARE(int(d.action), int(engine::RestartDecision::Action::Restart));
        QCOMPARE(int(d.delay.count()), expected);
        now += d.delay + 10ms;
    }
}

void TestLifecycle::jitterBounds()
{
    const auto s = spec(config::RestartPolicy::Always, 1000, 30000, 1.0, 0.2, 1000);
    const auto now = std::chrono::steady_clock::now();
    for (double draw : {-1.0, -0.5, 0.0, 0.5, 1.0, -7.0, 7.0}) {
        engine::CrashHistory history;
        auto d = engine::decideRestart(s, history, now, now, false, draw);
        const double clamped = std::clamp(draw, -1.0, 1.0);
        QCOMPARE(int(d.delay.count()), int(std::lround(1000 * (1 + 0.2 * clamped))));
        QVERIFY(d.delay >= 800ms && d.delay <= 1200ms);
    }
}

void TestLifecycle::policies_data()
{
    QTest::addColumn<int>("policy");
    QTest::addColumn<bool>("clean");
    QTest::addColumn<bool>("restarts");
    QTest::newRow("always, exit 0") << int(config::RestartPolicy::Always) << true << true;
    QTest::newRow("always, exit 1") << int(config::RestartPolicy::Always) << false << true;
    QTest::newRow("on-failure, exit 0") << int(config::RestartPolicy::OnFailure) << true << false;
    QTest::newRow("on-failure, exit 1") << int(config::RestartPolicy::OnFailure) << false << true;
    QTest::newRow("never, exit 1") << int(config::RestartPolicy::Never) << false << false;
}

void TestLifecycle::policies()
{
    QFETCH(int, policy);
    QFETCH(bool, clean);
    QFETCH(bool, restarts);
    const auto s = spec(config::RestartPolicy(policy), 100, 1000, 2, 0);
    engine::CrashHistory history;
    const auto now = std::chrono::steady_clock::now();
    auto d = engine::decideRestart(s, history, now, now, clean, 0);
    QCOMPARE(d.action == engine::RestartDecision::Action::Restart, restarts);
    // A process the policy leaves down is no crash: nothing is counted.
    QCOMPARE(history.crashes.size(), std::size_t(restarts ? 1 : 0));
}

void TestLifecycle::restartLimitAndWindow()
{
    const auto s = spec(config::RestartPolicy::Always, 10, 100, 2, 0, 3, 10s);
    engine::CrashHistory history;
    auto now = std::chrono::steady_clock::now();
    for (int i = 1; i <= 3; ++i) {
        auto d = engine::decideRestart(s, history, now, now, false, 0);
        QCOMPARE(int(d.action), int(engine::RestartDecision::Action::Restart));
        QCOMPARE(d.crashes, i);
        now += 1s;
    }
    // The 4th crash within 10 s: the limit.
    auto gaveUp = engine::decideRestart(s, history, now, now, false, 0);
    QCOMPARE(int(gaveUp.action), int(engine::RestartDecision::Action::GiveUp));
    QCOMPARE(gaveUp.crashes, 4);
    // Crashes older than the window no longer count.
    engine::CrashHistory spread;
    auto t = std::chrono::steady_clock::now();
    for (int i = 0; i < 10; ++i) {
        auto d = engine::decideRestart(s, spread, t, t, false, 0);
        QCOMPARE(int(d.action), int(engine::RestartDecision::Action::Restart));
        QVERIFY(d.crashes <= 3);
        t += 4s;
    }
    // An operator's start clears the history.
    history.clear();
    QCOMPARE(int(engine::decideRestart(s, history, now, now, false, 0).action),
             int(engine::RestartDecision::Action::Restart));
}

void TestLifecycle::stableRunResetsBackoff()
{
    const auto s = spec(config::RestartPolicy::Always, 100, 2000, 2, 0, 100);
    engine::CrashHistory history;
    auto now = std::chrono::steady_clock::now();
    for (int i = 0; i < 4; ++i)
        (void)engine::decideRestart(s, history, now, now, false, 0);
    QCOMPARE(history.backoffStep, 4);
    // A process that ran max(backoff.max, 1 s) = 2 s starts the backoff over.
    now += 10s;
    auto d = engine::decideRestart(s, history, now, now - 2s, false, 0);
    QCOMPARE(int(d.delay.count()), 100);
    // One that ran less does not.
    auto e = engine::decideRestart(s, history, now + 1s, now + 1s - 1999ms, false, 0);
    QCOMPARE(int(e.delay.count()), 200);
}

void TestLifecycle::opTable()
{
    std::set<std::string_view> names;
    for (const api::OpInfo &info : api::allOps()) {
        QVERIFY(!info.name.empty());
        QVERIFY(names.insert(info.name).second); // each name once
        QCOMPARE(api::findOp(info.name), &info);
        QCOMPARE(&api::opInfo(info.op), &info);
        QCOMPARE(api::opName(info.op), std::string(info.name));
        // Every op has a role, and what changes something needs more than a viewer.
        QVERIFY(info.minRole == api::Role::Viewer || info.minRole == api::Role::Operator ||
                info.minRole == api::Role::Admin);
        if (info.mutating)
            QVERIFY(info.minRole != api::Role::Viewer);
        // The engine answers exactly its ops; a session answers the others.
        const bool handled = engine::opHandler(info.op) != nullptr;
        QCOMPARE(handled, info.scope == api::OpScope::Engine);
    }
    QCOMPARE(names.size(), api::kOpCount);
    QVERIFY(engine::opsWithoutHandler().empty());
}

void TestLifecycle::unknownOpRefused()
{
    boost::asio::io_context io;
    engine::Engine eng(io);
    auto cfg = std::make_shared<config::Config>();
    cfg->master.stateDir =
        QDir::tempPath().toStdString() + "/drover-tst-lifecycle-" + std::to_string(::getpid());
    QVERIFY(eng.start(cfg).ok());
    for (const char *op : {"rm -rf", "worker.explode", "hello", "subscribe", ""}) {
        std::optional<api::Reply> reply;
        eng.request(op, nlohmann::json::object(), [&](api::Reply r) { reply = std::move(r); });
        QVERIFY2(reply, op);
        QVERIFY2(!reply->ok(), op);
        QCOMPARE(std::string(api::toString(reply->error().code)), std::string("bad_request"));
        QVERIFY(reply->error().message.find("unknown op") != std::string::npos);
    }
    // A known op of the engine's answers.
    std::optional<api::Reply> events;
    eng.request("events.query", nlohmann::json::object(),
                [&](api::Reply r) { events = std::move(r); });
    QVERIFY(events && events->ok());
    bool stopped = false;
    eng.shutdown([&] { stopped = true; });
    io.run_for(2s);
    QVERIFY(stopped);
    QDir(QString::fromStdString(cfg->master.stateDir)).removeRecursively();
}

QTEST_APPLESS_MAIN(TestLifecycle)
#include "tst_lifecycle.moc"
