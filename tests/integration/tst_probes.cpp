// Health probes against real endpoints: drover-demo-worker (failing /health, slow start, never
// ready, flapping), a socket that accepts and never answers, a closed port, exec probes that
// fail or hang, and the health history the engine keeps and streams.
#include "engine/health/probe.h"
#include "engine/observe/metricsstore.h"
#include "enginefixture.h"

#include <QTest>

#include <boost/asio/io_context.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

using namespace drover;
using api::WorkerState;
using nlohmann::json;
using test::alive;

namespace {

/// A TCP socket on 127.0.0.1 that listens (the kernel completes connections) and never
/// answers: a hung endpoint.
struct Listener
{
    int fd = -1;
    int port = 0;
    Listener()
    {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (::bind(fd, reinterpret_cast<sockaddr *>(&a), len) == 0 && ::listen(fd, 64) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) == 0)
            port = ntohs(a.sin_port);
    }
    ~Listener() { ::close(fd); }
    /// A free port nobody listens on (bound, then closed).
    static int closedPort()
    {
        Listener l;
        return l.port;
    }
};

std::vector<std::string> roleResults(const std::vector<api::HealthSample> &samples,
                                     const std::string &worker, const std::string &probe)
{
    std::vector<std::string> out;
    for (const auto &s : samples) {
        if (s.worker == worker && s.probe == probe)
            out.push_back(s.ok ? "ok" : "fail");
    }
    return out;
}

} // namespace

class TestProbes : public QObject, public test::EngineFixture
{
    Q_OBJECT

private slots:
    void init() { setUp(); }
    void cleanup() { tearDown(); }

    void httpChecks();
    void httpKeepsItsConnection();
    void tcpChecks();
    void execChecks();
    void execConcurrencyIsCapped();
    void livenessRestarts();
    void startupProbeGatesStart();
    void startupProbeGivesUp();
    void neverReady();
    void hungEndpointTimesOut();
    void hungExecProbeIsKilled();
    void tcpProbeOnClosedPort();
    void flappingReadinessThresholds();
    void historyContentsAndOrder();
    void adoptedWorkerIsProbed();
    void grpcReadiness();
    void reloadAppliesNewProbes();
    void probesSpreadOverTheInterval();

private:
    /// Runs one check to its end; fails the test if `done` is not called exactly once.
    engine::ProbeOutcome once(const std::function<void(engine::ProbeDone)> &run, int ms = 5000);
    /// Starts a demo worker (marked, our own child) with `args`; returns its pid.
    int demoWorker(int port, const std::vector<std::string> &args);
};

engine::ProbeOutcome TestProbes::once(const std::function<void(engine::ProbeDone)> &run, int ms)
{
    int calls = 0;
    engine::ProbeOutcome outcome;
    run([&](engine::ProbeOutcome o) {
        ++calls;
        outcome = std::move(o);
    });
    [&] { QCOMPARE(calls, 0); }(); // never inside the call that started it
    runUntil([&] { return calls > 0; }, ms);
    runUntil([] { return false; }, 50);
    [&] { QCOMPARE(calls, 1); }();
    return outcome;
}

int TestProbes::demoWorker(int port, const std::vector<std::string> &args)
{
    std::string bin = std::string(DROVER_BIN_DIR) + "/drover-demo-worker";
    std::vector<std::string> argv{bin, "--port", std::to_string(port)};
    argv.insert(argv.end(), args.begin(), args.end());
    int pid = fork();
    if (pid == 0) {
        std::vector<char *> cargv;
        for (auto &a : argv)
            cargv.push_back(a.data());
        cargv.push_back(nullptr);
        ::putenv(m_mark.data());
        ::execv(bin.c_str(), cargv.data());
        _exit(127);
    }
    m_ownChildren.push_back(pid);
    // Up once it answers.
    engine::ProbeTarget t;
    t.kind = config::ProbeKind::Tcp;
    t.host = "127.0.0.1";
    t.port = std::uint16_t(port);
    for (int i = 0; i < 100; ++i) {
        if (once([&](engine::ProbeDone d) { engine::runTcpProbe(*m_io, t, d); }).ok)
            break;
        runUntil([] { return false; }, 30);
    }
    return pid;
}

void TestProbes::httpChecks()
{
    const int port = 20310;
    demoWorker(port, {"--ready-after", "1000"});
    engine::ProbeTarget t;
    t.kind = config::ProbeKind::Http;
    t.host = "127.0.0.1";
    t.port = port;
    t.method = "GET";
    t.hostHeader = "127.0.0.1:" + std::to_string(port);
    t.timeout = std::chrono::milliseconds(1000);
    auto http = [&](engine::ProbeDone d) { engine::runHttpProbe(*m_io, t, d); };

    t.target = "/health";
    auto ok = once(http);
    QVERIFY(ok.ok);
    QCOMPARE(ok.message, std::string("200 OK"));
    QVERIFY(ok.excerpt.empty());
    QVERIFY(ok.latencyMs > 0 && ok.latencyMs < 1000);

    t.target = "/ready"; // 503 until 1000 s: a failure with the body kept
    auto notReady = once(http);
    QVERIFY(!notReady.ok);
    QCOMPARE(notReady.message, std::string("503 Service Unavailable (expected 200-399)"));
    QCOMPARE(notReady.excerpt, std::string("not ready\n"));

    t.statusMin = 500; // expect_status: 500-599 makes the 503 a pass
    t.statusMax = 599;
    QVERIFY(once(http).ok);
    t.statusMin = 200;
    t.statusMax = 399;

    t.target = "/health";
    t.headers = {{"X-Probe", "drover"}};
    QVERIFY(once(http).ok);

    t.port = std::uint16_t(Listener::closedPort());
    auto refused = once(http);
    QVERIFY(!refused.ok);
    QCOMPARE(refused.message, std::string("connection refused"));

    Listener hung; // accepts (in the kernel) and never answers
    t.port = std::uint16_t(hung.port);
    t.timeout = std::chrono::milliseconds(300);
    auto late = once(http);
    QVERIFY(!late.ok);
    QCOMPARE(late.message, std::string("timed out after 300ms"));
    QVERIFY2(late.latencyMs >= 290 && late.latencyMs < 1000,
             std::to_string(late.latencyMs).c_str());

    // Something that is not HTTP: an error with what it said, not a hang or a crash.
    Listener garbage;
    t.port = std::uint16_t(garbage.port);
    t.timeout = std::chrono::milliseconds(2000);
    int calls = 0;
    engine::ProbeOutcome bad;
    engine::runHttpProbe(*m_io, t, [&](engine::ProbeOutcome o) {
        ++calls;
        bad = std::move(o);
    });
    int conn = -1;
    QVERIFY(runUntil([&] {
        conn = ::accept4(garbage.fd, nullptr, nullptr, SOCK_CLOEXEC);
        return conn >= 0;
    }));
    const char reply[] = "SSH-2.0-OpenSSH_9.2\r\n\r\n";
    QVERIFY(::write(conn, reply, sizeof reply - 1) > 0);
    QVERIFY(runUntil([&] { return calls > 0; }));
    ::close(conn);
    QCOMPARE(calls, 1);
    QVERIFY(!bad.ok);
    QVERIFY2(bad.message.starts_with("not an HTTP answer"), bad.message.c_str());
    QVERIFY2(bad.excerpt.starts_with("SSH-2.0"), bad.excerpt.c_str());
}

void TestProbes::httpKeepsItsConnection()
{
    Listener server;
    auto target = std::make_shared<engine::ProbeTarget>();
    target->kind = config::ProbeKind::Http;
    target->host = "127.0.0.1";
    target->port = std::uint16_t(server.port);
    target->method = "GET";
    target->target = "/ready";
    target->hostHeader = "127.0.0.1";
    auto connection = engine::makeHttpProbeConnection(*m_io);
    int accepted = 0;
    std::string lastRequest;
    // Serves one request: on `conn`, or on a connection accepted now when `conn` is -1.
    auto serve = [&](int &conn) {
        engine::ProbeOutcome outcome;
        int calls = 0;
        engine::runHttpProbe(*connection, target, [&](engine::ProbeOutcome o) {
            ++calls;
            outcome = std::move(o);
        });
        std::string request;
        bool answered = false;
        runUntil([&] {
            if (conn < 0) {
                conn = ::accept4(server.fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
                accepted += conn >= 0;
            }
            char buf[2048];
            ssize_t n = conn >= 0 ? ::read(conn, buf, sizeof buf) : -1;
            if (n > 0)
                request.append(buf, std::size_t(n));
            if (!answered && request.find("\r\n\r\n") != std::string::npos) {
                const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n";
                answered = ::write(conn, reply, sizeof reply - 1) > 0;
            }
            return calls > 0;
        });
        lastRequest = request;
        return outcome;
    };
    int conn = -1;
    QVERIFY(serve(conn).ok);
    QVERIFY(serve(conn).ok); // the same connection: nothing new accepted
    QVERIFY(serve(conn).ok);
    QCOMPARE(accepted, 1);
    QVERIFY(lastRequest.find("Connection: close") == std::string::npos);
    // The worker closed the kept connection meanwhile: the check goes on a new one, and
    // passes (a closed idle connection is not the worker's failure).
    ::close(conn);
    conn = -1;
    runUntil([] { return false; }, 50);
    auto again = serve(conn);
    QVERIFY2(again.ok, again.message.c_str());
    QCOMPARE(accepted, 2);
    ::close(conn);
    // reuse_connection: false: a connection per check, closed by us after the answer.
    auto fresh = std::make_shared<engine::ProbeTarget>(*target);
    fresh->reuseConnection = false;
    target = fresh;
    conn = -1;
    QVERIFY(serve(conn).ok);
    QVERIFY(lastRequest.find("Connection: close") != std::string::npos);
    ::close(conn);
    conn = -1;
    QVERIFY(serve(conn).ok);
    QCOMPARE(accepted, 4);
    ::close(conn);
}

void TestProbes::tcpChecks()
{
    Listener open;
    engine::ProbeTarget t;
    t.kind = config::ProbeKind::Tcp;
    t.host = "127.0.0.1";
    t.port = std::uint16_t(open.port);
    auto tcp = [&](engine::ProbeDone d) { engine::runTcpProbe(*m_io, t, d); };
    auto ok = once(tcp);
    QVERIFY(ok.ok);
    QCOMPARE(ok.message, std::string("connected"));
    t.port = std::uint16_t(Listener::closedPort());
    auto refused = once(tcp);
    QVERIFY(!refused.ok);
    QCOMPARE(refused.message, std::string("connection refused"));
    t.host = "localhost"; // a name: resolved without blocking the loop
    t.port = std::uint16_t(open.port);
    QVERIFY(once(tcp).ok);
}

void TestProbes::execChecks()
{
    engine::ExecProber prober(*m_io, 4);
    engine::ProbeTarget t;
    t.kind = config::ProbeKind::Exec;
    t.timeout = std::chrono::milliseconds(2000);
    t.env = {"PATH=/usr/bin:/bin", m_mark, "WHO=drover"};
    t.cwd = m_dir->path().toStdString();
    auto exec = [&](engine::ProbeDone d) { prober.run(t, d); };

    t.argv = {"sh", "-c", "test \"$WHO\" = drover && test \"$PWD\" = \"" + t.cwd + "\""};
    auto ok = once(exec);
    QVERIFY2(ok.ok, ok.message.c_str());
    QCOMPARE(ok.message, std::string("exit 0"));

    t.argv = {"sh", "-c", "echo database is down; echo details >&2; exit 3"};
    auto failed = once(exec);
    QVERIFY(!failed.ok);
    QCOMPARE(failed.message, std::string("exit 3"));
    QCOMPARE(failed.excerpt, std::string("database is down\ndetails"));

    t.argv = {"/nonexistent/check"};
    auto missing = once(exec);
    QVERIFY(!missing.ok);
    QVERIFY2(missing.message.find("/nonexistent/check") != std::string::npos,
             missing.message.c_str());

    // Output past the excerpt's size is read (the check does not block on a full pipe)
    // and cut.
    t.argv = {"sh", "-c", "head -c 200000 /dev/zero | tr '\\0' x; exit 1"};
    auto big = once(exec);
    QCOMPARE(big.message, std::string("exit 1"));
    QCOMPARE(big.excerpt.size(), engine::kExcerptBytes);
}

void TestProbes::execConcurrencyIsCapped()
{
    engine::ExecProber prober(*m_io, 2);
    engine::ProbeTarget t;
    t.kind = config::ProbeKind::Exec;
    t.timeout = std::chrono::milliseconds(5000);
    t.env = {"PATH=/usr/bin:/bin", m_mark};
    t.argv = {"sleep", "0.3"};
    int done = 0, okCount = 0, mostRunning = 0;
    for (int i = 0; i < 6; ++i)
        prober.run(t, [&](engine::ProbeOutcome o) {
            ++done;
            okCount += o.ok;
        });
    QVERIFY(runUntil([&] {
        mostRunning = std::max(mostRunning, prober.running());
        return done == 6;
    }));
    QCOMPARE(okCount, 6);
    QCOMPARE(mostRunning, 2);
    QCOMPARE(prober.waiting(), 0);
}

void TestProbes::livenessRestarts()
{
    start(R"(pools:
  - name: live
    command: ["${BIN}/drover-demo-worker", "--port", "{{port}}", "--fail-health-after", "1"]
    ports: 20320-20329
    restart: {policy: always, backoff: {initial: 100ms}}
    stop: {timeout: 2s}
    probes:
      # Liveness begins once it listens: its failures are the worker's 503s, not a slow start.
      startup: {tcp: {port: "{{port}}"}, interval: 100ms, failure_threshold: 100}
      liveness: {http: {url: "http://127.0.0.1:{{port}}/health"}, interval: 200ms,
                 timeout: 500ms, failure_threshold: 2}
)");
    QVERIFY(runUntil([&] { return m_rec->workers["live-0"].restarts >= 1; }, 15000));
    QVERIFY(runUntil([&] { return m_rec->state("live-0") == WorkerState::Ready; }));
    const api::WorkerInfo w = m_rec->workers["live-0"];
    QCOMPARE(w.lastExit, std::string("probe:liveness"));
    // The transitions say why: stopping for the probe, then the exit counted as a crash, in
    // one transition to backoff (no `exited` step in between).
    bool stopping = false, backoff = false;
    std::string afterStopping;
    for (const auto &e : m_rec->transitions("live-0")) {
        if (e.to == "stopping" &&
            e.reason.starts_with("probe:liveness failed (2 failures in a row: "
                                 "503 Service Unavailable")) {
            stopping = true;
            afterStopping.clear();
            continue;
        }
        if (stopping && afterStopping.empty())
            afterStopping = e.to;
        if (e.to == "backoff" && e.reason.find("(probe:liveness failed") != std::string::npos)
            backoff = true; // however it ended (the demo worker exits 0 on SIGTERM)
    }
    QVERIFY(stopping);
    QVERIFY(backoff);
    QCOMPARE(afterStopping, std::string("backoff"));
    // The probe's verdict is an event too.
    QVERIFY(std::any_of(m_rec->events.begin(), m_rec->events.end(), [](const api::Event &e) {
        return e.kind == "probe.changed" && e.to == "failing" && e.reason == "probe:liveness";
    }));
}

void TestProbes::startupProbeGatesStart()
{
    start(R"(pools:
  - name: slow
    command: ["${BIN}/drover-demo-worker", "--port", "{{port}}", "--start-delay", "1"]
    ports: 20330-20339
    probes:
      startup: {tcp: {port: "{{port}}"}, interval: 100ms, failure_threshold: 50}
      liveness: {http: {url: "http://127.0.0.1:{{port}}/health"}, interval: 100ms,
                 failure_threshold: 1}
)");
    QVERIFY(runUntil([&] { return m_rec->state("slow-0") == WorkerState::Starting; }));
    QVERIFY(runUntil([&] { return m_rec->state("slow-0") == WorkerState::Ready; }, 10000));
    std::vector<std::string> path;
    std::string runningReason;
    for (const auto &e : m_rec->transitions("slow-0")) {
        path.push_back(e.to);
        if (e.to == "running")
            runningReason = e.reason;
    }
    // Liveness (failure_threshold 1) did not run before startup passed: no restart.
    QVERIFY(path == (std::vector<std::string>{"starting", "running", "ready"}));
    QVERIFY2(runningReason == "probe:startup passed (connected)", runningReason.c_str());
    QCOMPARE(m_rec->workers["slow-0"].restarts, 0);
    // Startup failed (refused) a few times first, then passed once; liveness runs after it.
    auto startup = roleResults(m_rec->samples, "slow-0", "startup");
    QVERIFY(startup.size() >= 3);
    QCOMPARE(startup.back(), std::string("ok"));
    QVERIFY(std::count(startup.begin(), startup.end(), "ok") == 1);
    QVERIFY(runUntil([&] { return !roleResults(m_rec->samples, "slow-0", "liveness").empty(); }));
    QCOMPARE(roleResults(m_rec->samples, "slow-0", "liveness").front(), std::string("ok"));
}

void TestProbes::startupProbeGivesUp()
{
    start(R"(pools:
  - name: never
    command: ["${BIN}/drover-demo-worker", "--port", "{{port}}", "--start-delay", "1000"]
    ports: 20340-20349
    restart: {policy: on-failure, backoff: {initial: 100ms}}
    stop: {timeout: 2s}
    probes:
      startup: {tcp: {port: "{{port}}"}, interval: 100ms, failure_threshold: 3}
)");
    QVERIFY(runUntil([&] { return m_rec->workers["never-0"].restarts >= 1; }));
    QCOMPARE(m_rec->workers["never-0"].lastExit, std::string("probe:startup"));
    bool sawReason = false;
    for (const auto &e : m_rec->transitions("never-0"))
        sawReason = sawReason || (e.to == "stopping" &&
                                  e.reason.starts_with("probe:startup failed (3 failures in a "
                                                       "row: connection refused)"));
    QVERIFY(sawReason);
    // It never got past starting.
    for (const auto &e : m_rec->transitions("never-0"))
        QVERIFY(e.to != "running" && e.to != "ready");
}

void TestProbes::neverReady()
{
    start(R"(pools:
  - name: nr
    command: ["${BIN}/drover-demo-worker", "--port", "{{port}}", "--ready-after", "1000"]
    ports: 20350-20359
    replicas: 2
    probes:
      readiness: {http: {url: "http://127.0.0.1:{{port}}/ready"}, interval: 100ms,
                  failure_threshold: 2}
)");
    auto failing = [&](const std::string &id) {
        const auto &probes = m_rec->workers[id].probes;
        return probes.size() == 1 && probes[0].state == "failing";
    };
    QVERIFY(runUntil([&] { return failing("nr-0") && failing("nr-1"); }));
    // The first checks may find the port not yet open (a slow start: the sanitized build
    // under load); then the worker answers 503.
    runUntil(
        [&] {
            return m_rec->workers["nr-0"].probes[0].message ==
                   "503 Service Unavailable (expected 200-399)";
        },
        5000);
    runUntil([] { return false; }, 500);
    QVERIFY(m_rec->state("nr-0") == WorkerState::Running);
    QVERIFY(m_rec->state("nr-1") == WorkerState::Running);
    QCOMPARE(m_rec->pools["nr"].running, 2);
    QCOMPARE(m_rec->pools["nr"].ready, 0);
    const api::ProbeStatus status = m_rec->workers["nr-0"].probes[0];
    QCOMPARE(status.probe, std::string("readiness"));
    QCOMPARE(status.kind, std::string("http"));
    QCOMPARE(status.target, std::string("GET http://127.0.0.1:20350/ready"));
    QCOMPARE(status.message, std::string("503 Service Unavailable (expected 200-399)"));
    QCOMPARE(m_rec->workers["nr-0"].restarts, 0); // readiness never restarts
}

void TestProbes::hungEndpointTimesOut()
{
    Listener hung;
    start("pools:\n  - name: hung\n    command: [sleep, '100']\n    probes:\n"
          "      readiness: {tcp: {port: '" +
          std::to_string(Listener::closedPort()) +
          "'}, interval: 5s}\n"
          "      liveness: {http: {url: 'http://127.0.0.1:" +
          std::to_string(hung.port) +
          "/health'}, interval: 200ms, timeout: 300ms, failure_threshold: 1000}\n");
    QVERIFY(
        runUntil([&] { return roleResults(m_rec->samples, "hung-0", "liveness").size() >= 3; }));
    for (const auto &s : m_rec->samples) {
        if (s.probe != "liveness")
            continue;
        QVERIFY(!s.ok);
        QCOMPARE(s.message, std::string("timed out after 300ms"));
        QVERIFY2(s.latencyMs >= 290 && s.latencyMs < 1500, std::to_string(s.latencyMs).c_str());
    }
    // A late check does not pile up: one in flight at a time, so about one per
    // (timeout + interval).
    QVERIFY(roleResults(m_rec->samples, "hung-0", "liveness").size() <= 4);
}

void TestProbes::hungExecProbeIsKilled()
{
    const std::string pidFile = m_dir->path().toStdString() + "/check.pid";
    start(R"(pools:
  - name: ex
    command: [sleep, "100"]
    probes:
      readiness:
        exec: {command: [sh, -c, "echo $$ > )" +
          pidFile + R"(; echo checking; sleep 30 & sleep 30"]}
        interval: 10s
        timeout: 300ms
)");
    QVERIFY(runUntil([&] { return !m_rec->samples.empty(); }));
    const api::HealthSample s = m_rec->samples.front();
    QVERIFY(!s.ok);
    QCOMPARE(s.message, std::string("timed out after 300ms; killed"));
    QCOMPARE(s.excerpt, std::string("checking"));
    int checkPid = std::stoi(test::readFile(pidFile));
    QVERIFY(runUntil([&] { return !alive(checkPid); }, 2000));
    // Its background `sleep 30` went with it: only the worker's own sleep carries the mark.
    QVERIFY(runUntil([&] { return test::markedProcesses(m_mark).size() == 1; }, 2000));
}

void TestProbes::tcpProbeOnClosedPort()
{
    start("pools:\n  - name: tc\n    command: [sleep, '100']\n    probes:\n"
          "      readiness: {tcp: {port: '" +
          std::to_string(Listener::closedPort()) + "'}, interval: 100ms, failure_threshold: 1}\n");
    QVERIFY(runUntil([&] {
        auto &p = m_rec->workers["tc-0"].probes;
        return !p.empty() && p[0].state == "failing";
    }));
    QCOMPARE(m_rec->workers["tc-0"].probes[0].message, std::string("connection refused"));
    QVERIFY(m_rec->state("tc-0") == WorkerState::Running);
}

void TestProbes::flappingReadinessThresholds()
{
    // /health fails in the last quarter of every 2 s (500 ms): with checks every 100 ms that
    // is about 5 failures in a row, then 15 passes.
    m_master = "probes: {history: 1000}";
    start(R"(pools:
  - name: flap
    command: ["${BIN}/drover-demo-worker", "--port", "{{port}}", "--flap-health", "2"]
    ports: 20360-20369
    probes:
      readiness: {http: {url: "http://127.0.0.1:{{port}}/health"}, interval: 100ms,
                  success_threshold: 2, failure_threshold: 3}
)");
    auto flips = [&] {
        int n = 0;
        for (const auto &e : m_rec->transitions("flap-0"))
            n += e.to == "running" && e.reason.starts_with("probe:readiness failed");
        return n;
    };
    QVERIFY(runUntil([&] { return flips() >= 2 && m_rec->state("flap-0") == WorkerState::Ready; },
                     15000));
    json h = call("health.history", {{"worker", "flap-0"}});
    QVERIFY(h.is_object());
    const json &results = h["results"];
    const json &transitions = h["transitions"];
    QVERIFY(transitions.size() >= 4);
    // Each verdict change follows exactly its threshold of equal results in a row.
    for (const json &t : transitions) {
        bool toPassing = t["to"] == "passing";
        std::size_t need = toPassing ? 2 : 3;
        std::vector<bool> before;
        for (const json &r : results) {
            if (r["time"].get<std::int64_t>() <= t["time"].get<std::int64_t>())
                before.push_back(r["ok"].get<bool>());
        }
        QVERIFY(before.size() >= need);
        for (std::size_t i = before.size() - need; i < before.size(); ++i)
            QCOMPARE(bool(before[i]), toPassing);
        if (before.size() > need && t["from"] != "pending")
            QCOMPARE(bool(before[before.size() - need - 1]), !toPassing);
    }
}

void TestProbes::historyContentsAndOrder()
{
    m_master = "probes: {history: 10}";
    start(R"(pools:
  - name: hist
    command: ["${BIN}/drover-demo-worker", "--port", "{{port}}", "--ready-after", "1"]
    ports: 20370-20379
    probes:
      readiness: {http: {url: "http://127.0.0.1:{{port}}/ready"}, interval: 100ms}
      liveness: {tcp: {port: "{{port}}"}, interval: 100ms}
)");
    m_master = "probes: {history: 0}";
    QVERIFY(!load("")); // refused: at least 1
    m_master = "probes: {history: 10}";
    QVERIFY(runUntil([&] { return m_rec->state("hist-0") == WorkerState::Ready; }));
    QVERIFY(runUntil([&] { return m_rec->samples.size() >= 30; }));
    // Deltas: in seq order, each sample with its worker, probe, kind and a latency.
    std::uint64_t lastSeq = 0;
    for (const auto &d : m_rec->deltas) {
        QVERIFY(d.seq > lastSeq);
        lastSeq = d.seq;
    }
    for (const auto &s : m_rec->samples) {
        QCOMPARE(s.worker, std::string("hist-0"));
        QVERIFY(s.probe == "readiness" || s.probe == "liveness");
        QCOMPARE(s.kind, std::string(s.probe == "readiness" ? "http" : "tcp"));
        QVERIFY(s.latencyMs > 0);
        QVERIFY(s.timeMs > 0);
    }
    auto readiness = roleResults(m_rec->samples, "hist-0", "readiness");
    QCOMPARE(readiness.front(), std::string("fail")); // 503 for the first second
    QCOMPARE(readiness.back(), std::string("ok"));

    // The request: the newest `history` (10) results, oldest first, with the transition.
    json all = call("health.history", {{"worker", "hist-0"}});
    QVERIFY(all["worker"] == json("hist-0"));
    QCOMPARE(all["results"].size(), std::size_t(10));
    // The ring has dropped results: it says from when it holds all of them (its oldest).
    QCOMPARE(all["kept"].get<int>(), 10);
    QCOMPARE(all["kept_from"].get<std::int64_t>(), all["results"][0]["time"].get<std::int64_t>());
    std::int64_t last = 0;
    for (const json &r : all["results"]) {
        QVERIFY(r["time"].get<std::int64_t>() >= last);
        last = r["time"].get<std::int64_t>();
    }
    // The same results as the health.sample deltas (more may have come since the reply).
    for (const json &r : all["results"]) {
        QVERIFY(std::any_of(m_rec->samples.begin(), m_rec->samples.end(), [&](const auto &s) {
            return s.timeMs == r["time"].get<std::int64_t>() && s.probe == r["probe"] &&
                   s.ok == r["ok"].get<bool>() && s.message == r["message"];
        }));
    }
    QCOMPARE(all["probes"].size(), std::size_t(2));
    bool readyTransition = false;
    for (const json &t : all["transitions"])
        readyTransition = readyTransition || (t["probe"] == "readiness" && t["to"] == "passing");
    QVERIFY(readyTransition);
    // Filters: probe, time range, limit.
    json live = call("health.history", {{"worker", "hist-0"}, {"probe", "liveness"}});
    for (const json &r : live["results"])
        QVERIFY(r["probe"] == json("liveness"));
    std::int64_t mid = all["results"][5]["time"];
    json later = call("health.history", {{"worker", "hist-0"}, {"from", mid}});
    for (const json &r : later["results"])
        QVERIFY(r["time"].get<std::int64_t>() >= mid);
    QVERIFY(later["results"].size() < 10);
    QCOMPARE(call("health.history", {{"worker", "hist-0"}, {"limit", 3}})["results"].size(),
             std::size_t(3));
    api::Error err;
    QVERIFY(call("health.history", {{"worker", "nobody"}}, &err).is_null());
    QCOMPARE(std::string(api::toString(err.code)), std::string("not_found"));
    QVERIFY(call("health.history", {{"worker", "hist-0"}, {"probe", "sanity"}}, &err).is_null());
    QCOMPARE(std::string(api::toString(err.code)), std::string("bad_request"));
    // Latency series in the metrics store.
    json series = call("metrics.query", {{"series", "worker/hist-0/probe/readiness/latency_ms"}});
    QVERIFY(!series["points"].empty());
    QVERIFY(series["points"].back()[1].get<double>() > 0);
}

void TestProbes::adoptedWorkerIsProbed()
{
    const int port = 20380;
    int pid = demoWorker(port, {});
    const std::string pidFile = m_dir->path().toStdString() + "/legacy.pid";
    std::ofstream(pidFile) << pid << "\n";
    start("adopted:\n  - name: legacy\n    pid_file: " + pidFile +
          "\n    probes:\n      readiness: {http: {url: 'http://127.0.0.1:" + std::to_string(port) +
          "/health'}, interval: 100ms}\n");
    QVERIFY(runUntil([&] { return m_rec->state("legacy") == WorkerState::Ready; }));
    auto results = roleResults(m_rec->samples, "legacy", "readiness");
    QVERIFY(!results.empty());
    QCOMPARE(results.back(), std::string("ok"));
    QCOMPARE(m_rec->workers["legacy"].pid, pid);
}

void TestProbes::grpcReadiness()
{
    // A real gRPC server (grpc++'s health service): serving for 2 s, then not.
    start(R"(pools:
  - name: rpc
    command: ["${BIN}/grpc_health_server", "--port", "{{port}}", "--service", "drover.test",
              "--not-serving-after", "2"]
    ports: 20390-20399
    probes:
      readiness: {grpc: {port: "{{port}}", service: drover.test}, interval: 200ms,
                  failure_threshold: 1}
)");
    QVERIFY(runUntil([&] { return m_rec->state("rpc-0") == WorkerState::Ready; }));
    QVERIFY(runUntil([&] { return m_rec->state("rpc-0") == WorkerState::Running; }));
    const api::WorkerInfo w = m_rec->workers["rpc-0"];
    QCOMPARE(w.reason, std::string("probe:readiness failed (NOT_SERVING)"));
    QCOMPARE(w.probes[0].kind, std::string("grpc"));
    QVERIFY(w.probes[0].target.starts_with("grpc 127.0.0.1:2039"));
}

void TestProbes::reloadAppliesNewProbes()
{
    // Probes are not in the revision: a reload changes them on the running process.
    const std::string base = "pools:\n  - name: rl\n    command: [sleep, '100']\n";
    start(base);
    QVERIFY(runUntil([&] { return m_rec->state("rl-0") == WorkerState::Ready; }));
    const int pid = m_rec->workers["rl-0"].pid;
    m_engine->reload(load(base + "    probes:\n      readiness: {tcp: {port: '" +
                          std::to_string(Listener::closedPort()) +
                          "'}, interval: 100ms, failure_threshold: 1}\n"));
    QVERIFY(runUntil([&] { return m_rec->state("rl-0") == WorkerState::Running; }));
    QCOMPARE(m_rec->workers["rl-0"].reason,
             std::string("probe:readiness failed (connection refused)"));
    QCOMPARE(m_rec->workers["rl-0"].pid, pid);
    m_engine->reload(load(base));
    QVERIFY(runUntil([&] { return m_rec->state("rl-0") == WorkerState::Ready; }));
    QCOMPARE(m_rec->workers["rl-0"].reason, std::string("no readiness probe"));
    QVERIFY(m_rec->workers["rl-0"].probes.empty());
    QCOMPARE(m_rec->workers["rl-0"].pid, pid);
}

void TestProbes::probesSpreadOverTheInterval()
{
    // 20 workers found running (re-adopted after a master restart) probe at random points of
    // their first interval, not all at once.
    const char *yaml = R"(pools:
  - name: many
    command: [sleep, "100"]
    replicas: 20
    probes:
      liveness: {exec: {command: ["true"]}, interval: 2s}
)";
    start(yaml);
    QVERIFY(runUntil([&] { return m_rec->pools["many"].ready == 20; }));
    m_engine.reset(); // as if killed: the workers stay
    m_rec = std::make_shared<test::Recorder>();
    start(yaml);
    QVERIFY(runUntil([&] { return m_rec->samples.size() >= 20; }, 10000));
    std::vector<std::int64_t> times;
    for (const auto &s : m_rec->samples)
        times.push_back(s.timeMs);
    std::sort(times.begin(), times.begin() + 20);
    QVERIFY2(times[19] - times[0] >= 500,
             qPrintable(QStringLiteral("first checks within %1 ms").arg(times[19] - times[0])));
}

QTEST_GUILESS_MAIN(TestProbes)
#include "tst_probes.moc"
