// runGrpcProbe against real peers on 127.0.0.1: a grpc++ health server (grpc_health_server,
// started as a process), a closed port, a socket that never answers, HTTP/1.1 servers and a
// peer that hangs up. Each check runs on its own io_context, turned together with Qt's loop
// (the odd peers are QTcpServers in this process), and must call `done` exactly once, later.
#include "engine/health/probe.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <utility> // before Asio: Boost 1.74 + g++ 12
#include <vector>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using drover::engine::ProbeOutcome;
using drover::engine::ProbeTarget;

namespace {

constexpr int kStartTimeoutMs = 10000;
constexpr double kSlackMs = 300; // how late a timeout may fire on a busy 2-core machine

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

ProbeTarget grpcTarget(quint16 port, std::string service = {},
                       std::chrono::milliseconds timeout = 3000ms, std::string host = "127.0.0.1")
{
    ProbeTarget t;
    t.kind = drover::config::ProbeKind::Grpc;
    t.host = std::move(host);
    t.port = port;
    t.service = std::move(service);
    t.timeout = timeout;
    return t;
}

/// What the checks started on one io_context gave.
struct Run
{
    std::vector<std::vector<ProbeOutcome>> outcomes; ///< per check, each `done` call
    bool calledSynchronously = false;                ///< a `done` ran inside runGrpcProbe
    bool callbacksReleased = false; ///< every `done` was destroyed once the loop ran out of work
    qint64 wallMs = 0;
};

/// Starts one check per target on a fresh io_context and turns it (with Qt's loop, for the
/// QTcpServers of this process) until it has no work left.
Run probeAll(const std::vector<ProbeTarget> &targets)
{
    boost::asio::io_context io;
    Run run;
    run.outcomes.resize(targets.size());
    auto token = std::make_shared<int>(0);
    std::weak_ptr<int> watch = token;
    QElapsedTimer wall;
    wall.start();
    for (std::size_t i = 0; i < targets.size(); ++i) {
        drover::engine::runGrpcProbe(io, targets[i], [&run, i, token](ProbeOutcome out) {
            run.outcomes[i].push_back(std::move(out));
        });
        if (!run.outcomes[i].empty())
            run.calledSynchronously = true;
    }
    token.reset();
    while (!io.stopped() && wall.elapsed() < 30000) {
        io.run_for(2ms);
        QCoreApplication::processEvents();
    }
    run.wallMs = wall.elapsed();
    run.callbacksReleased = watch.expired();
    return run;
}

/// One check; fails the test unless `done` ran exactly once, after runGrpcProbe returned.
ProbeOutcome probe(const ProbeTarget &target, qint64 *wallMs = nullptr)
{
    Run run = probeAll({target});
    if (wallMs)
        *wallMs = run.wallMs;
    [&] {
        QVERIFY2(!run.calledSynchronously, "done was called inside runGrpcProbe");
        QCOMPARE(run.outcomes[0].size(), std::size_t(1));
        QVERIFY2(run.callbacksReleased, "the done callback outlived the check");
    }();
    return run.outcomes[0].empty() ? ProbeOutcome{false, 0, "<no outcome>", {}}
                                   : run.outcomes[0].front();
}

/// A port nothing listens on (bound then closed; nothing else on 127.0.0.1 takes it that soon).
quint16 closedPort()
{
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost, 0))
        return 0;
    quint16 port = s.serverPort();
    s.close();
    return port;
}

/// A QTcpServer peer scripted by `onData` (called with the socket and all it has received).
class ScriptedPeer : public QObject
{
public:
    enum Mode { Silent, Http11KeepOpen, Http11Close, HangUp };

    explicit ScriptedPeer(Mode mode)
        : m_mode(mode)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                if (m_mode == HangUp) {
                    s->close();
                    s->deleteLater();
                    continue;
                }
                connect(s, &QTcpSocket::readyRead, this, [this, s] { onReadyRead(s); });
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    quint16 port() const { return m_server.serverPort(); }
    QByteArray received() const { return m_received; }

private:
    void onReadyRead(QTcpSocket *s)
    {
        m_received += s->readAll();
        if (m_mode == Silent || m_answered)
            return;
        m_answered = true;
        s->write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n");
        if (m_mode == Http11Close)
            s->disconnectFromHost();
    }

    Mode m_mode;
    QTcpServer m_server;
    QByteArray m_received;
    bool m_answered = false;
};

} // namespace

class TestGrpcProbe : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void servingOverall();
    void servingNamedService();
    void servingByHostName();
    void unknownService();
    void notServingAfter();
    void connectionRefused();
    void startDelay();
    void silentPeerTimesOut_data();
    void silentPeerTimesOut();
    void notHttp2_data();
    void notHttp2();
    void concurrentChecks();

private:
    /// Starts grpc_health_server with `args` and waits for `listening on <port>`; 0 on failure.
    quint16 startServer(const QStringList &args);
    /// Waits until the server printed `text` on stdout.
    bool waitForOutput(QProcess *p, const QByteArray &text, int timeoutMs);

    QString m_serverPath;
    std::vector<std::unique_ptr<QProcess>> m_servers;
    QByteArray m_lastOutput;
};

void TestGrpcProbe::initTestCase()
{
    m_serverPath = QStringLiteral(DROVER_BIN_DIR "/grpc_health_server");
    QVERIFY2(QFile::exists(m_serverPath), qPrintable(m_serverPath + u" is not built"_s));
}

// Every server stops on SIGTERM and exits 0; none is left running.
void TestGrpcProbe::cleanup()
{
    std::vector<std::unique_ptr<QProcess>> servers = std::move(m_servers);
    m_servers.clear();
    for (auto &p : servers)
        p->terminate();
    QStringList problems;
    for (auto &p : servers) {
        if (!p->waitForFinished(5000)) {
            p->kill();
            p->waitForFinished(2000);
            problems << u"a server ignored SIGTERM"_s;
        } else if (p->exitStatus() != QProcess::NormalExit || p->exitCode() != 0) {
            problems << u"a server exited with %1 (%2): %3"_s.arg(p->exitCode())
                            .arg(int(p->exitStatus()))
                            .arg(QString::fromLocal8Bit(p->readAllStandardError()));
        }
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u"; "_s)));
}

quint16 TestGrpcProbe::startServer(const QStringList &args)
{
    auto p = std::make_unique<QProcess>();
    p->setProcessChannelMode(QProcess::SeparateChannels);
    p->start(m_serverPath, args);
    QProcess *raw = p.get();
    m_servers.push_back(std::move(p));
    if (!raw->waitForStarted(kStartTimeoutMs))
        return 0;
    if (!waitForOutput(raw, "\n", kStartTimeoutMs))
        return 0;
    static const QRegularExpression re(u"^listening on (\\d+)\n"_s);
    auto m = re.match(QString::fromLatin1(m_lastOutput));
    return m.hasMatch() ? quint16(m.captured(1).toUInt()) : 0;
}

bool TestGrpcProbe::waitForOutput(QProcess *p, const QByteArray &text, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    m_lastOutput.clear();
    for (;;) {
        m_lastOutput += p->readAllStandardOutput();
        if (m_lastOutput.contains(text))
            return true;
        if (t.elapsed() > timeoutMs || p->state() != QProcess::Running)
            return false;
        p->waitForReadyRead(100);
    }
}

void TestGrpcProbe::servingOverall()
{
    quint16 port = startServer({});
    QVERIFY(port);
    ProbeOutcome out = probe(grpcTarget(port));
    QCOMPARE(qs(out.message), u"SERVING"_s);
    QVERIFY(out.ok);
    QVERIFY(out.excerpt.empty());
    QVERIFY(out.latencyMs > 0);
    QVERIFY(out.latencyMs < 3000);
}

void TestGrpcProbe::servingNamedService()
{
    quint16 port = startServer({u"--service"_s, u"drover.test.Echo"_s});
    QVERIFY(port);
    ProbeOutcome named = probe(grpcTarget(port, "drover.test.Echo"));
    QCOMPARE(qs(named.message), u"SERVING"_s);
    QVERIFY(named.ok);
    ProbeOutcome overall = probe(grpcTarget(port));
    QCOMPARE(qs(overall.message), u"SERVING"_s);
    QVERIFY(overall.ok);
}

// A name goes through the resolver; `localhost` may give ::1 first, where nothing listens.
void TestGrpcProbe::servingByHostName()
{
    quint16 port = startServer({});
    QVERIFY(port);
    ProbeOutcome out = probe(grpcTarget(port, {}, 3000ms, "localhost"));
    QCOMPARE(qs(out.message), u"SERVING"_s);
    QVERIFY(out.ok);
}

void TestGrpcProbe::unknownService()
{
    quint16 port = startServer({u"--service"_s, u"drover.test.Echo"_s});
    QVERIFY(port);
    ProbeOutcome out = probe(grpcTarget(port, "drover.test.Missing"));
    QVERIFY(!out.ok);
    QVERIFY2(qs(out.message).startsWith(u"grpc-status 5 (NOT_FOUND)"_s), out.message.c_str());
    // The server's grpc-message is both in the line and in the excerpt.
    QVERIFY(!out.excerpt.empty());
    QCOMPARE(qs(out.message), u"grpc-status 5 (NOT_FOUND): "_s + qs(out.excerpt));
}

void TestGrpcProbe::notServingAfter()
{
    quint16 port =
        startServer({u"--service"_s, u"drover.test.Echo"_s, u"--not-serving-after"_s, u"1"_s});
    QVERIFY(port);
    ProbeOutcome before = probe(grpcTarget(port, "drover.test.Echo"));
    QCOMPARE(qs(before.message), u"SERVING"_s);
    QVERIFY(waitForOutput(m_servers.back().get(), "not serving\n", 5000));
    for (const std::string service : {"drover.test.Echo", ""}) {
        ProbeOutcome after = probe(grpcTarget(port, service));
        QCOMPARE(qs(after.message), u"NOT_SERVING"_s);
        QVERIFY(!after.ok);
    }
}

void TestGrpcProbe::connectionRefused()
{
    quint16 port = closedPort();
    QVERIFY(port);
    ProbeOutcome out = probe(grpcTarget(port));
    QCOMPARE(qs(out.message), u"connection refused"_s);
    QVERIFY(!out.ok);
    QVERIFY(out.excerpt.empty());
    QVERIFY(out.latencyMs < 1000);
}

// Refused while the server waits, SERVING once it listens on the same port.
void TestGrpcProbe::startDelay()
{
    quint16 port = closedPort();
    QVERIFY(port);
    auto p = std::make_unique<QProcess>();
    p->start(m_serverPath, {u"--port"_s, QString::number(port), u"--start-delay"_s, u"1"_s});
    QVERIFY(p->waitForStarted(kStartTimeoutMs));
    QProcess *raw = p.get();
    m_servers.push_back(std::move(p));
    ProbeOutcome early = probe(grpcTarget(port));
    QCOMPARE(qs(early.message), u"connection refused"_s);
    QVERIFY(waitForOutput(raw, "listening on " + QByteArray::number(port) + "\n", 5000));
    ProbeOutcome late = probe(grpcTarget(port));
    QCOMPARE(qs(late.message), u"SERVING"_s);
}

// A peer that accepts and reads but never answers costs the timeout, and no more.
void TestGrpcProbe::silentPeerTimesOut_data()
{
    QTest::addColumn<int>("timeoutMs");
    QTest::addColumn<QString>("message");
    QTest::newRow("250ms") << 250 << u"timed out after 250ms"_s;
    QTest::newRow("1s") << 1000 << u"timed out after 1s"_s;
    QTest::newRow("1s500ms") << 1500 << u"timed out after 1s500ms"_s;
}

void TestGrpcProbe::silentPeerTimesOut()
{
    QFETCH(int, timeoutMs);
    QFETCH(QString, message);
    ScriptedPeer peer(ScriptedPeer::Silent);
    QVERIFY(peer.port());
    qint64 wallMs = 0;
    ProbeOutcome out =
        probe(grpcTarget(peer.port(), {}, std::chrono::milliseconds(timeoutMs)), &wallMs);
    QCOMPARE(qs(out.message), message);
    QVERIFY(!out.ok);
    QVERIFY2(out.latencyMs >= timeoutMs - 5 && out.latencyMs < timeoutMs + kSlackMs,
             qPrintable(QString::number(out.latencyMs)));
    QVERIFY2(wallMs < timeoutMs + kSlackMs, qPrintable(QString::number(wallMs)));
    // What the probe sent: the HTTP/2 client preface, then frames.
    QVERIFY(peer.received().startsWith("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
}

// Peers that are not HTTP/2 servers fail fast with what they said, well before the timeout.
void TestGrpcProbe::notHttp2_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QByteArray>("excerpt");
    const QByteArray http11 = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n";
    QTest::newRow("HTTP/1.1, stays open")
        << int(ScriptedPeer::Http11KeepOpen) << u"not an HTTP/2 server"_s << http11;
    QTest::newRow("HTTP/1.1, then closes")
        << int(ScriptedPeer::Http11Close) << u"not an HTTP/2 server"_s << http11;
    QTest::newRow("hangs up") << int(ScriptedPeer::HangUp)
                              << u"connection closed without an answer"_s << QByteArray();
}

void TestGrpcProbe::notHttp2()
{
    QFETCH(int, mode);
    QFETCH(QString, message);
    QFETCH(QByteArray, excerpt);
    ScriptedPeer peer{ScriptedPeer::Mode(mode)};
    QVERIFY(peer.port());
    ProbeOutcome out = probe(grpcTarget(peer.port(), {}, 5000ms));
    QCOMPARE(qs(out.message), message);
    QVERIFY(!out.ok);
    QVERIFY2(QByteArray::fromStdString(out.excerpt).startsWith(excerpt), out.excerpt.c_str());
    QVERIFY(out.excerpt.size() <= drover::engine::kExcerptBytes);
    QVERIFY2(out.latencyMs < 1000, qPrintable(QString::number(out.latencyMs)));
}

// Checks of every kind at once on one loop: each gets its own answer, once.
void TestGrpcProbe::concurrentChecks()
{
    quint16 port = startServer({u"--service"_s, u"drover.test.Echo"_s});
    QVERIFY(port);
    ScriptedPeer silent(ScriptedPeer::Silent);
    ScriptedPeer http11(ScriptedPeer::Http11KeepOpen);
    quint16 refused = closedPort();
    std::vector<ProbeTarget> targets;
    std::vector<QString> expected;
    for (int i = 0; i < 10; ++i) {
        targets.push_back(grpcTarget(port, i % 2 ? "drover.test.Echo" : ""));
        expected.push_back(u"SERVING"_s);
    }
    targets.push_back(grpcTarget(port, "drover.test.Missing"));
    expected.push_back(u"grpc-status 5 (NOT_FOUND)"_s);
    targets.push_back(grpcTarget(silent.port(), {}, 700ms));
    expected.push_back(u"timed out after 700ms"_s);
    targets.push_back(grpcTarget(http11.port()));
    expected.push_back(u"not an HTTP/2 server"_s);
    targets.push_back(grpcTarget(refused));
    expected.push_back(u"connection refused"_s);

    Run run = probeAll(targets);
    QVERIFY(!run.calledSynchronously);
    QVERIFY(run.callbacksReleased);
    QVERIFY2(run.wallMs < 700 + 1000, qPrintable(QString::number(run.wallMs)));
    for (std::size_t i = 0; i < targets.size(); ++i) {
        QCOMPARE(run.outcomes[i].size(), std::size_t(1));
        const ProbeOutcome &out = run.outcomes[i].front();
        QVERIFY2(qs(out.message).startsWith(expected[i]), out.message.c_str());
        QCOMPARE(out.ok, expected[i] == u"SERVING"_s);
    }
}

QTEST_GUILESS_MAIN(TestGrpcProbe)
#include "tst_grpcprobe.moc"
