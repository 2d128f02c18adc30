// Runs the real drover-demo-worker binary and talks HTTP to it on 127.0.0.1: every failure mode
// the master has to supervise (slow start, crash, one-shot exit, bad health, ignored SIGTERM,
// memory growth, grandchildren) is checked here against a live process.

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include <csignal>
#include <memory>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

constexpr int kStartTimeoutMs = 5000;
constexpr int kExitTimeoutMs = 7000; // the worker drains in-flight requests for at most 5 s
constexpr qint64 kMiB = 1024 * 1024;

// One started worker process and everything it printed so far.
struct RunningWorker
{
    QProcess process;
    QByteArray output; // stdout
    QByteArray errors; // stderr
    quint16 port = 0;
};

struct HttpResult
{
    int status = 0; // 0: no HTTP answer at all
    QByteArray body;
};

QString workerBinary()
{
    return QStringLiteral(DROVER_BIN_DIR "/drover-demo-worker");
}

// Our own environment without PORT, so a PORT set around the test run cannot leak in.
QProcessEnvironment environmentWithoutPort()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(u"PORT"_s);
    return environment;
}

// The value of one "Name:\tvalue" line of /proc/PID/status; empty when the process is gone.
QByteArray procStatusField(pid_t pid, const QByteArray &field)
{
    QFile file(u"/proc/%1/status"_s.arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray prefix = field + ':';
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed();
    }
    return {};
}

// Z (zombie, not collected yet) and X (being collected) have ended already. The walk goes
// Z -> X -> gone, so counting X as alive would let a dead process flicker back to life.
bool isAlive(pid_t pid)
{
    const QByteArray state = procStatusField(pid, "State"_ba);
    return !state.isEmpty() && !state.startsWith('Z') && !state.startsWith('X');
}

QList<pid_t> liveChildrenOf(pid_t parent)
{
    QList<pid_t> children;
    const QStringList entries = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool numeric = false;
        const pid_t pid = entry.toInt(&numeric);
        if (numeric && procStatusField(pid, "PPid"_ba).toInt() == parent && isAlive(pid))
            children.append(pid);
    }
    return children;
}

qint64 residentBytes(pid_t pid)
{
    // "VmRSS:	   10172 kB"
    const QByteArray value = procStatusField(pid, "VmRSS"_ba);
    return value.left(value.indexOf(' ')).toLongLong() * 1024;
}

// The request lines of the worker's stdout: "<UTC ISO-8601 ms> <method> <target> <status> <N>ms".
QList<QRegularExpressionMatch> requestLines(const QByteArray &output)
{
    static const QRegularExpression pattern(
        uR"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (\S+) (\S+) (\d{3}) (\d+)ms$)"_s);
    QList<QRegularExpressionMatch> lines;
    for (const QByteArray &line : output.split('\n')) {
        const QRegularExpressionMatch match = pattern.match(QString::fromUtf8(line));
        if (match.hasMatch())
            lines.append(match);
    }
    return lines;
}

// Reads one HTTP/1.1 response (Content-Length framed) from a connected socket.
HttpResult readResponse(QTcpSocket &socket, QByteArray &buffer)
{
    static const QRegularExpression statusLine(uR"(^HTTP/1\.1 (\d{3}) )"_s);
    static const QRegularExpression contentLength(uR"(\r\ncontent-length: *(\d+)\r\n)"_s,
                                                  QRegularExpression::CaseInsensitiveOption);
    for (;;) {
        const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
        if (headerEnd >= 0) {
            const QString header = QString::fromLatin1(buffer.left(headerEnd + 2));
            const QRegularExpressionMatch status = statusLine.match(header);
            const QRegularExpressionMatch length = contentLength.match(header);
            if (!status.hasMatch() || !length.hasMatch())
                return {};
            const qsizetype bodyStart = headerEnd + 4;
            const qsizetype bodySize = length.captured(1).toLongLong();
            if (buffer.size() >= bodyStart + bodySize) {
                HttpResult result{status.captured(1).toInt(), buffer.mid(bodyStart, bodySize)};
                buffer.remove(0, bodyStart + bodySize);
                return result;
            }
        }
        if (!socket.waitForReadyRead(5000))
            return {};
        buffer += socket.readAll();
    }
}

} // namespace

class DemoWorkerTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void statusCodes_data();
    void statusCodes();
    void workHoldsTheRequest();
    void keepAliveServesSeveralRequests();
    void portFromEnvironment();
    void readyAfter();
    void failHealthAfter();
    void flapHealth();
    void crashAfterAborts();
    void exitAfterWithCode();
    void sigtermStopsCleanly();
    void sigtermLetsInFlightRequestFinish();
    void ignoreSigterm();
    void startDelay();
    void growMemory();
    void burnThreads();
    void childrenStopWithProcessGroup();
    void childrenDieWithWorker();
    void logsOneLinePerRequest();
    void helpListsEveryOption();
    void version();
    void usageErrors_data();
    void usageErrors();

private:
    RunningWorker *startWorker(const QStringList &arguments,
                               const QProcessEnvironment &environment = environmentWithoutPort());
    bool waitForListening(RunningWorker &worker, int timeoutMs = kStartTimeoutMs);
    bool waitForExit(RunningWorker &worker, int timeoutMs = kExitTimeoutMs);
    bool killWorker(RunningWorker &worker);
    QNetworkReply *sendGet(quint16 port, const QString &target);
    HttpResult httpGet(quint16 port, const QString &target);

    QNetworkAccessManager m_network;
    // Every worker any test started; cleanupTestCase() fails if one still runs.
    std::vector<std::unique_ptr<RunningWorker>> m_workers;
};

void DemoWorkerTest::initTestCase()
{
    QVERIFY2(QFile::exists(workerBinary()), qPrintable(workerBinary()));
    m_network.setProxy(QNetworkProxy::NoProxy); // 127.0.0.1 directly, whatever http_proxy says
}

void DemoWorkerTest::cleanupTestCase()
{
    QStringList leftovers;
    for (const std::unique_ptr<RunningWorker> &worker : m_workers) {
        if (worker->process.state() == QProcess::NotRunning)
            continue;
        leftovers.append(worker->process.arguments().join(u' '));
        killWorker(*worker);
    }
    if (!leftovers.isEmpty())
        QFAIL(qPrintable(u"Workers still running at the end: "_s + leftovers.join(u"; "_s)));
}

RunningWorker *DemoWorkerTest::startWorker(const QStringList &arguments,
                                           const QProcessEnvironment &environment)
{
    m_workers.push_back(std::make_unique<RunningWorker>());
    RunningWorker *worker = m_workers.back().get();
    QProcess &process = worker->process;
    process.setProgram(workerBinary());
    process.setArguments(arguments);
    process.setProcessEnvironment(environment);
    process.setChildProcessModifier([] {
        ::setpgid(0, 0);                    // its own group, so a test can kill it whole
        ::prctl(PR_SET_PDEATHSIG, SIGKILL); // never outlive the test binary
        const rlimit noCore{0, 0};
        ::setrlimit(RLIMIT_CORE, &noCore); // --crash-after leaves no core file behind
    });
    connect(&process, &QProcess::readyReadStandardOutput, &process,
            [worker] { worker->output += worker->process.readAllStandardOutput(); });
    connect(&process, &QProcess::readyReadStandardError, &process,
            [worker] { worker->errors += worker->process.readAllStandardError(); });
    process.start();
    return worker;
}

bool DemoWorkerTest::waitForListening(RunningWorker &worker, int timeoutMs)
{
    static const QRegularExpression listening(uR"(^listening 127\.0\.0\.1:(\d+)$)"_s,
                                              QRegularExpression::MultilineOption);
    QRegularExpressionMatch match;
    const bool found = QTest::qWaitFor(
        [&] {
            match = listening.match(QString::fromUtf8(worker.output));
            return match.hasMatch() || worker.process.state() == QProcess::NotRunning;
        },
        timeoutMs);
    if (!found || !match.hasMatch()) {
        qWarning("worker did not listen; stdout: %s stderr: %s", worker.output.constData(),
                 worker.errors.constData());
        return false;
    }
    worker.port = match.captured(1).toUShort();
    return worker.port != 0;
}

bool DemoWorkerTest::waitForExit(RunningWorker &worker, int timeoutMs)
{
    return QTest::qWaitFor([&] { return worker.process.state() == QProcess::NotRunning; },
                           timeoutMs);
}

// SIGKILL to the worker's whole process group (it and any children it forked).
bool DemoWorkerTest::killWorker(RunningWorker &worker)
{
    const pid_t pid = static_cast<pid_t>(worker.process.processId());
    if (pid > 0)
        ::kill(-pid, SIGKILL);
    return waitForExit(worker);
}

QNetworkReply *DemoWorkerTest::sendGet(quint16 port, const QString &target)
{
    return m_network.get(QNetworkRequest(QUrl(u"http://127.0.0.1:%1%2"_s.arg(port).arg(target))));
}

HttpResult DemoWorkerTest::httpGet(quint16 port, const QString &target)
{
    QNetworkReply *reply = sendGet(port, target);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished() && !finished.wait(10000)) {
        reply->abort();
        reply->deleteLater();
        return {};
    }
    HttpResult result{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                      reply->readAll()};
    reply->deleteLater();
    return result;
}

void DemoWorkerTest::statusCodes_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("bodyStart");

    QTest::newRow("health") << u"/health"_s << 200 << "ok\n"_ba;
    QTest::newRow("ready") << u"/ready"_s << 200 << "ready\n"_ba;
    QTest::newRow("short work") << u"/work?ms=5"_s << 200 << "done 5 ms\n"_ba;
    QTest::newRow("work, other parameters too") << u"/work?x=1&ms=7"_s << 200 << "done 7 ms\n"_ba;
    QTest::newRow("unknown path") << u"/nowhere"_s << 404 << "not found\n"_ba;
    QTest::newRow("prefix of a path") << u"/healthz"_s << 404 << "not found\n"_ba;
    QTest::newRow("work without ms") << u"/work"_s << 400 << "bad request"_ba;
    QTest::newRow("ms empty") << u"/work?ms="_s << 400 << "bad request"_ba;
    QTest::newRow("ms not a number") << u"/work?ms=abc"_s << 400 << "bad request"_ba;
    QTest::newRow("ms negative") << u"/work?ms=-1"_s << 400 << "bad request"_ba;
    QTest::newRow("ms fractional") << u"/work?ms=1.5"_s << 400 << "bad request"_ba;
    QTest::newRow("ms too large") << u"/work?ms=99999999999"_s << 400 << "bad request"_ba;
}

void DemoWorkerTest::statusCodes()
{
    QFETCH(QString, target);
    QFETCH(int, status);
    QFETCH(QByteArray, bodyStart);

    RunningWorker *worker = startWorker({u"--port"_s, u"0"_s});
    QVERIFY(waitForListening(*worker));
    const HttpResult result = httpGet(worker->port, target);
    QCOMPARE(result.status, status);
    QVERIFY2(result.body.startsWith(bodyStart), result.body.constData());
    QVERIFY(killWorker(*worker));
}

void DemoWorkerTest::workHoldsTheRequest()
{
    RunningWorker *worker = startWorker({u"--port"_s, u"0"_s});
    QVERIFY(waitForListening(*worker));

    QElapsedTimer timer;
    timer.start();
    const HttpResult result = httpGet(worker->port, u"/work?ms=300"_s);
    const qint64 elapsed = timer.elapsed();
    QCOMPARE(result.status, 200);
    QCOMPARE(result.body, "done 300 ms\n"_ba);
    QVERIFY2(elapsed >= 300, qPrintable(u"answered after %1 ms"_s.arg(elapsed)));

    // The worker measured it too.
    QTRY_COMPARE_WITH_TIMEOUT(requestLines(worker->output).size(), 1, 5000);
    QVERIFY(requestLines(worker->output).constFirst().captured(4).toInt() >= 300);
    QVERIFY(killWorker(*worker));
}

void DemoWorkerTest::keepAliveServesSeveralRequests()
{
    RunningWorker *worker = startWorker({u"--port"_s, u"0"_s});
    QVERIFY(waitForListening(*worker));

    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_s, worker->port);
    QVERIFY(socket.waitForConnected(5000));
    QByteArray buffer;
    for (const QByteArray &path : {"/health"_ba, "/work?ms=20"_ba, "/ready"_ba}) {
        socket.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        const HttpResult result = readResponse(socket, buffer);
        QCOMPARE(result.status, 200);
        QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
    }
    // "Connection: close" is honoured: the worker answers, then closes its side.
    socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    QCOMPARE(readResponse(socket, buffer).body, "ok\n"_ba);
    QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 5000);
    QVERIFY(killWorker(*worker));
}

void DemoWorkerTest::portFromEnvironment()
{
    QProcessEnvironment environment = environmentWithoutPort();
    environment.insert(u"PORT"_s, u"0"_s);
    RunningWorker *worker = startWorker({}, environment);
    QVERIFY(waitForListening(*worker));
    QCOMPARE(httpGet(worker->port, u"/health"_s).status, 200);
    QVERIFY(killWorker(*worker));
}

void DemoWorkerTest::readyAfter()
{
    RunningWorker *worker = startWorker({u"--port"_s, u"0"_s, u"--ready-after"_s, u"1"_s});
    QVERIFY(waitForListening(*worker));

    const HttpResult early = httpGet(worker->port, u"/ready"_s);
    QCOMPARE(early.status, 503);
    QCOMPARE(early.body, "not ready\n"_ba);
    QCOMPARE(httpGet(worker->port, u"/health"_s).status, 200); // alive while not ready
    QTRY_COMPARE_WITH_TIMEOUT(httpGet(worker->port, u"/ready"_s).status, 200, 5000);
    QVERIFY(killWorker(*worker));
}

void DemoWorkerTest::failHealthAfter()
{
    RunningWorker *worker = startWorker({u"--port"_s, u"0"_s, u"--fail-health-after"_s, u"1"_s});
    QVERIFY(waitForListening(*worker));

    QCOMPARE(httpGet(worker->port, u"/health"_s).status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(httpGet(worker->port, u"/health"_s).status, 503, 5000);
    QCOMPARE(httpGet(worker->port, u"/health"_s).body, "unhealthy\n"_ba);
    QVERIFY(killWorker(*worker));
}

void DemoWorkerTest::flapHealth()
{
    // Period 1 s: unhealthy from 0.75 s to 1 s of every second, healthy otherwise.
    RunningWorker *worker = startWorker({u"--port"_s, u"0"_s, u"--flap-health"_s, u"1"_s});
    QVERIFY(waitForListening(*worker));

    QTRY_COMPARE_WITH_TIMEOUT(httpGet(worker->port, u"/health"_s).status, 503, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(httpGet(worker->port, u"/health"_s).status, 200, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(httpGet(worker->port, u"/health"_s).status, 503, 5000);
    QVERIFY(killWorker(*worker));
}

void DemoWorkerTest::crashAfterAborts()
{
    RunningWorker *worker = startWorker({u"--port"_s, u"0"_s, u"--crash-after"_s, u"0.5"_s});
    QVERIFY(waitForListening(*worker));

    QVERIFY(waitForExit(*worker));
    // QProcess cannot tell which signal it was; a crash is all it reports.
    QCOMPARE(worker->process.exitStatus(), QProcess::CrashExit);
}

void DemoWorkerTest::exitAfterWithCode()
{
    RunningWorker *worker =
        startWorker({u"--port"_s, u"0"_s, u"--exit-after"_s, u"0.3"_s, u"--exit-code"_s, u"3"_s});
    QVERIFY(waitForListening(*worker));

    QVERIFY(waitForExit(*worker));
    QCOMPARE(worker->process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(worker->process.exitCode(), 3);
}

void DemoWorkerTest::sigtermStopsCleanly()
{
    RunningWorker *worker = startWorker({u"--port"_s, u"0"_s});
    QVERIFY(waitForListening(*worker));

    QCOMPARE(::kill(static_cast<pid_t>(worker->process.processId()), SIGTERM), 0);
    QVERIFY(waitForExit(*worker));
    QCOMPARE(worker->process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(worker->process.exitCode(), 0);
    QVERIFY2(worker->output.contains("stopping (SIGTERM)\n"), worker->output.constData());
}

void DemoWorkerTest::sigtermLetsInFlightRequestFinish()
{
    RunningWorker *worker = startWorker({u"--port"_s, u"0"_s});
    QVERIFY(waitForListening(*worker));

    QNetworkReply *slow = sendGet(worker->port, u"/work?ms=1000"_s);
    slow->setParent(this);
    QSignalSpy sent(slow, &QNetworkReply::requestSent);
    QSignalSpy finished(slow, &QNetworkReply::finished);
    QTRY_VERIFY_WITH_TIMEOUT(!sent.isEmpty(), 5000);
    // One request on a second connection: once it is answered, the worker has read the first.
    QCOMPARE(httpGet(worker->port, u"/health"_s).status, 200);

    QCOMPARE(::kill(static_cast<pid_t>(worker->process.processId()), SIGTERM), 0);
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 5000);
    QCOMPARE(slow->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(slow->readAll(), "done 1000 ms\n"_ba);
    slow->deleteLater();

    QVERIFY(waitForExit(*worker));
    QCOMPARE(worker->process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(worker->process.exitCode(), 0);
    const qsizetype answered = worker->output.indexOf("GET /work?ms=1000 200 ");
    const qsizetype stopping = worker->output.indexOf("stopping (SIGTERM)");
    QVERIFY2(answered >= 0 && stopping > answered, worker->output.constData());
}

void DemoWorkerTest::ignoreSigterm()
{
    RunningWorker *worker = startWorker({u"--port"_s, u"0"_s, u"--ignore-sigterm"_s});
    QVERIFY(waitForListening(*worker));
    const auto pid = static_cast<pid_t>(worker->process.processId());

    QCOMPARE(::kill(pid, SIGTERM), 0);
    QVERIFY2(!worker->process.waitForFinished(1000), "the worker stopped on SIGTERM");
    QCOMPARE(httpGet(worker->port, u"/health"_s).status, 200);
    QVERIFY(!worker->output.contains("stopping"));

    QCOMPARE(::kill(pid, SIGKILL), 0);
    QVERIFY(waitForExit(*worker));
    QCOMPARE(worker->process.exitStatus(), QProcess::CrashExit);
}

void DemoWorkerTest::startDelay()
{
    QElapsedTimer sinceStart;
    sinceStart.start();
    RunningWorker *worker = startWorker({u"--port"_s, u"0"_s, u"--start-delay"_s, u"1"_s});
    QVERIFY(waitForListening(*worker));
    const qint64 listeningAfter = sinceStart.elapsed();
    QVERIFY2(listeningAfter >= 800, qPrintable(u"listening after %1 ms"_s.arg(listeningAfter)));

    QCOMPARE(httpGet(worker->port, u"/health"_s).status, 200);
    QVERIFY(killWorker(*worker));
}

void DemoWorkerTest::growMemory()
{
    RunningWorker *worker = startWorker({u"--port"_s, u"0"_s, u"--grow-memory"_s, u"50"_s});
    QVERIFY(waitForListening(*worker));
    const auto pid = static_cast<pid_t>(worker->process.processId());
    const qint64 before = residentBytes(pid);
    QVERIFY(before > 0);

    QTRY_VERIFY_WITH_TIMEOUT(residentBytes(pid) - before >= 40 * kMiB, 3000);
    QVERIFY(killWorker(*worker));
}

// Two busy threads besides the idle main thread: the process runs on a CPU most of the time,
// its main thread hardly at all, and SIGTERM still stops it cleanly.
void DemoWorkerTest::burnThreads()
{
    RunningWorker *worker = startWorker({u"--port"_s, u"0"_s, u"--burn-threads"_s, u"2"_s});
    QVERIFY(waitForListening(*worker));
    const auto pid = static_cast<pid_t>(worker->process.processId());
    QCOMPARE(QDir(u"/proc/%1/task"_s.arg(pid)).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size(),
             3);
    // utime + stime (fields 14 and 15) of the process and of its main thread, in clock ticks.
    auto ticks = [](const QString &statPath) {
        QFile f(statPath);
        if (!f.open(QIODevice::ReadOnly))
            return -1LL;
        const QByteArray stat = f.readAll();
        const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
        return fields.size() > 12 ? fields.at(11).toLongLong() + fields.at(12).toLongLong() : -1LL;
    };
    const QString processStat = u"/proc/%1/stat"_s.arg(pid);
    const QString mainStat = u"/proc/%1/task/%1/stat"_s.arg(pid);
    const long long processBefore = ticks(processStat);
    const long long mainBefore = ticks(mainStat);
    QTest::qWait(1000);
    const long long processSpent = ticks(processStat) - processBefore;
    const long long mainSpent = ticks(mainStat) - mainBefore;
    const long long perSecond = ::sysconf(_SC_CLK_TCK);
    // At least a third of a CPU over that second, on a shared 2-core machine.
    QVERIFY2(processSpent * 3 >= perSecond, qPrintable(QString::number(processSpent)));
    QVERIFY2(mainSpent * 20 <= perSecond, qPrintable(QString::number(mainSpent)));

    QCOMPARE(::kill(pid, SIGTERM), 0);
    QVERIFY(waitForExit(*worker));
    QCOMPARE(worker->process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(worker->process.exitCode(), 0);
}

void DemoWorkerTest::childrenStopWithProcessGroup()
{
    RunningWorker *worker = startWorker({u"--port"_s, u"0"_s, u"--children"_s, u"2"_s});
    QVERIFY(waitForListening(*worker));
    const auto pid = static_cast<pid_t>(worker->process.processId());
    QCOMPARE(::getpgid(pid), pid); // a group of its own, from the child process modifier

    QTRY_COMPARE_WITH_TIMEOUT(liveChildrenOf(pid).size(), 2, 5000);
    const QList<pid_t> children = liveChildrenOf(pid);
    QCOMPARE(children.size(), 2);
    for (pid_t child : children)
        QCOMPARE(::getpgid(child), pid);

    // A child ignores nothing: SIGTERM alone ends it.
    QCOMPARE(::kill(children.at(0), SIGTERM), 0);
    QTRY_VERIFY_WITH_TIMEOUT(!isAlive(children.at(0)), 5000);
    QVERIFY(worker->process.state() != QProcess::NotRunning);

    // SIGKILL to the group takes the worker and its remaining child.
    QCOMPARE(::kill(-pid, SIGKILL), 0);
    QVERIFY(waitForExit(*worker));
    QCOMPARE(worker->process.exitStatus(), QProcess::CrashExit);
    QTRY_VERIFY_WITH_TIMEOUT(!isAlive(children.at(1)), 5000);
    QVERIFY(!isAlive(pid));
}

void DemoWorkerTest::childrenDieWithWorker()
{
    RunningWorker *worker = startWorker({u"--port"_s, u"0"_s, u"--children"_s, u"2"_s});
    QVERIFY(waitForListening(*worker));
    const auto pid = static_cast<pid_t>(worker->process.processId());
    QTRY_COMPARE_WITH_TIMEOUT(liveChildrenOf(pid).size(), 2, 5000);
    const QList<pid_t> children = liveChildrenOf(pid);

    // Only the worker is killed; PR_SET_PDEATHSIG takes the children down with it.
    QCOMPARE(::kill(pid, SIGKILL), 0);
    QVERIFY(waitForExit(*worker));
    for (pid_t child : children)
        QTRY_VERIFY_WITH_TIMEOUT(!isAlive(child), 5000);
}

void DemoWorkerTest::logsOneLinePerRequest()
{
    RunningWorker *worker = startWorker({u"--port"_s, u"0"_s});
    QVERIFY(waitForListening(*worker));

    QCOMPARE(httpGet(worker->port, u"/health"_s).status, 200);
    QCOMPARE(httpGet(worker->port, u"/nowhere"_s).status, 404);
    QCOMPARE(httpGet(worker->port, u"/work?ms=50"_s).status, 200);

    QTRY_COMPARE_WITH_TIMEOUT(requestLines(worker->output).size(), 3, 5000);
    const QList<QRegularExpressionMatch> lines = requestLines(worker->output);
    QCOMPARE(lines.at(0).captured(2), u"/health"_s);
    QCOMPARE(lines.at(0).captured(3), u"200"_s);
    QCOMPARE(lines.at(1).captured(2), u"/nowhere"_s);
    QCOMPARE(lines.at(1).captured(3), u"404"_s);
    QCOMPARE(lines.at(2).captured(1), u"GET"_s);
    QCOMPARE(lines.at(2).captured(2), u"/work?ms=50"_s);
    QVERIFY(lines.at(2).captured(4).toInt() >= 50);
    // Nothing else: the listening line plus one line per request.
    QCOMPARE(worker->output.count('\n'), 4);
    QVERIFY(killWorker(*worker));
}

void DemoWorkerTest::helpListsEveryOption()
{
    RunningWorker *worker = startWorker({u"--help"_s});
    QVERIFY(waitForExit(*worker));
    QCOMPARE(worker->process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(worker->process.exitCode(), 0);

    const QStringList lines = QString::fromUtf8(worker->output).split(u'\n');
    const QStringList options = {
        u"--help"_s,        u"--version"_s,        u"--port"_s,
        u"--host"_s,        u"--ready-after"_s,    u"--crash-after"_s,
        u"--exit-after"_s,  u"--exit-code"_s,      u"--fail-health-after"_s,
        u"--flap-health"_s, u"--ignore-sigterm"_s, u"--start-delay"_s,
        u"--grow-memory"_s, u"--children"_s,       u"--burn-threads"_s};
    for (const QString &option : options) {
        // One line each: the option, then its description on the same line.
        const QRegularExpression line(u"^  (-h,)?%1\\b.* {2,}\\S"_s.arg(option));
        QVERIFY2(!lines.filter(line).isEmpty(), qPrintable(option));
    }
}

void DemoWorkerTest::version()
{
    RunningWorker *worker = startWorker({u"--version"_s});
    QVERIFY(waitForExit(*worker));
    QCOMPARE(worker->process.exitCode(), 0);
    QCOMPARE(worker->output, "drover-demo-worker 0.1.0\n"_ba);
}

void DemoWorkerTest::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("message");

    QTest::newRow("no port, no PORT") << QStringList() << "PORT"_ba;
    QTest::newRow("port not a number") << QStringList{u"--port"_s, u"abc"_s} << "--port"_ba;
    QTest::newRow("port out of range") << QStringList{u"--port"_s, u"70000"_s} << "--port"_ba;
    QTest::newRow("seconds not a number")
        << QStringList{u"--port"_s, u"0"_s, u"--crash-after"_s, u"soon"_s} << "--crash-after"_ba;
    QTest::newRow("negative seconds")
        << QStringList{u"--port"_s, u"0"_s, u"--ready-after=-1"_s} << "--ready-after"_ba;
    QTest::newRow("host not an address")
        << QStringList{u"--port"_s, u"0"_s, u"--host"_s, u"nowhere"_s} << "--host"_ba;
    QTest::newRow("unknown option")
        << QStringList{u"--port"_s, u"0"_s, u"--bogus"_s} << "--bogus"_ba;
}

void DemoWorkerTest::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, message);

    RunningWorker *worker = startWorker(arguments);
    QVERIFY(waitForExit(*worker));
    QCOMPARE(worker->process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(worker->process.exitCode(), 2);
    QVERIFY2(worker->errors.contains(message), worker->errors.constData());
    QVERIFY(!worker->output.contains("listening"));
}

QTEST_GUILESS_MAIN(DemoWorkerTest)
#include "tst_demoworker.moc"
