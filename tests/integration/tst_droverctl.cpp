// droverctl against a real droverd, as an operator types it: every command, what it prints and
// its exit code (0 ok, 1 an error from the master, 2 usage, 3 cannot connect, 4 unauthorized or
// forbidden). One master for the whole run (tokens for an admin and a viewer); the config apply
// cases come last, as they change it.
#include "droverdfixture.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <csignal>

using namespace drover::test;

namespace {

/// The running config: three sleepers and a worker that prints five lines then sleeps, with an
/// exec liveness probe (and a second of min_ready, which holds its rollouts that long).
QByteArray pools(int replicas)
{
    return "  - name: w\n"
           "    command: [\"sleep\", \"1000\"]\n"
           "    replicas: " +
           QByteArray::number(replicas) +
           "\n"
           "    stop: {timeout: 2s}\n"
           "  - name: talker\n"
           "    command: [\"sh\", \"-c\", \"for i in 1 2 3 4 5; do echo line $i; done; exec sleep "
           "1000\"]\n"
           "    probes: {liveness: {exec: {command: [\"true\"]}, interval: 200ms}}\n"
           "    rollout: {min_ready: 1s}\n";
}

QStringList lines(const QString &text)
{
    return text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

/// The cells of a table row (columns are separated by two spaces or more).
QStringList cells(const QString &row)
{
    static const QRegularExpression gap(QStringLiteral("\\s{2,}"));
    return row.trimmed().split(gap);
}

QByteArray fileBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestDroverctl : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void status();
    void workers();
    void workersJson();
    void pools();
    void stopStartRestart();
    void scale();
    void leasesAndTraffic();
    void logs();
    void logsFollow();
    void followEndsWhenTheMasterGoes();
    void health();
    void events();
    void configGet();
    void configValidate();
    void configApplyInvalid();
    void configApplyStale();
    void configApplyValid();
    void exitCodeMasterError();
    void exitCodeUsage_data();
    void exitCodeUsage();
    void exitCodeCannotConnect();
    void exitCodeNotAllowed();
    void rollout();
    void jobs();

private:
    /// `droverctl --master ws://127.0.0.1:PORT --token ADMIN args...`
    Run ctl(const QStringList &args, const QString &token = {})
    {
        return runProgram(QStringLiteral("droverctl"),
                          QStringList{QStringLiteral("--master"), m_master->url(),
                                      QStringLiteral("--token"),
                                      token.isEmpty() ? m_admin : token} +
                              args);
    }
    /// `workers --json` as id -> object.
    QMap<QString, QJsonObject> workerMap()
    {
        Run r = ctl({QStringLiteral("workers"), QStringLiteral("--json")});
        QMap<QString, QJsonObject> out;
        const QJsonArray all = QJsonDocument::fromJson(r.out.toUtf8()).array();
        for (const QJsonValue &v : all)
            out.insert(v[QLatin1String("id")].toString(), v.toObject());
        return out;
    }
    QString stateOf(const QString &id)
    {
        return workerMap().value(id)[QLatin1String("state")].toString();
    }
    int pidOf(const QString &id) { return workerMap().value(id)[QLatin1String("pid")].toInt(); }
    QString configVersion()
    {
        Run r = ctl({QStringLiteral("config"), QStringLiteral("get"), QStringLiteral("--json")});
        return QJsonDocument::fromJson(r.out.toUtf8())[QLatin1String("version")].toString();
    }
    QStringList historyFiles() const
    {
        return QDir(m_master->stateDir + QStringLiteral("/config-history"))
            .entryList(QDir::Files, QDir::Name);
    }

    std::unique_ptr<Droverd> m_master;
    QString m_admin;
    QString m_viewer;
};

void TestDroverctl::initTestCase()
{
    m_master = std::make_unique<Droverd>();
    QVERIFY(m_master->writeConfig(m_master->yaml(::pools(3))));
    m_admin = m_master->createToken(QStringLiteral("root"), QStringLiteral("admin"));
    m_viewer = m_master->createToken(QStringLiteral("looker"), QStringLiteral("viewer"));
    QVERIFY(m_admin.startsWith(QStringLiteral("drv_")));
    QVERIFY(m_viewer.startsWith(QStringLiteral("drv_")));
    QVERIFY2(m_master->start(), qPrintable(m_master->log()));
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const auto all = workerMap();
            if (all.size() != 4)
                return false;
            for (const QJsonObject &w : all) {
                if (w[QLatin1String("state")].toString() != QLatin1String("ready"))
                    return false;
            }
            return true;
        }(),
        15'000);
}

void TestDroverctl::cleanupTestCase()
{
    if (!m_master)
        return;
    QCOMPARE(m_master->stop(), 0);
    const std::vector<int> left = killLeftovers(m_master->markEnv(), 3000);
    m_master.reset();
    QVERIFY2(left.empty(), "processes of the test were left running (now killed)");
}

void TestDroverctl::status()
{
    Run r = ctl({QStringLiteral("status")});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
    const QStringList out = lines(r.out);
    QCOMPARE(out.size(), 3);
    QVERIFY2(out[0].startsWith(QStringLiteral("master   ") + m_master->url() +
                               QStringLiteral(" (role admin, config ")),
             qPrintable(out[0]));
    QCOMPARE(out[1], QStringLiteral("pools    2"));
    QCOMPARE(out[2], QStringLiteral("workers  4: 4 ready, 4 running, 0 failed"));

    // The same as JSON, and with the viewer's token the role is viewer's.
    r = ctl({QStringLiteral("status"), QStringLiteral("--json")}, m_viewer);
    QCOMPARE(r.code, 0);
    const QJsonObject s = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(s[QLatin1String("role")].toString(), QStringLiteral("viewer"));
    QCOMPARE(s[QLatin1String("workers")].toInt(), 4);
    QCOMPARE(s[QLatin1String("ready")].toInt(), 4);
    QCOMPARE(s[QLatin1String("pools")].toInt(), 2);
    QCOMPARE(s[QLatin1String("master")].toString(), m_master->url());

    // The master and the token from the environment.
    Run env = runProgram(QStringLiteral("droverctl"), {QStringLiteral("status")},
                         {{QStringLiteral("DROVER_MASTER"), m_master->url()},
                          {QStringLiteral("DROVER_TOKEN"), m_viewer}});
    QCOMPARE(env.code, 0);
    QVERIFY(env.out.contains(QStringLiteral("(role viewer, config ")));
}

void TestDroverctl::workers()
{
    Run r = ctl({QStringLiteral("workers")});
    QCOMPARE(r.code, 0);
    const QStringList out = lines(r.out);
    QCOMPARE(out.size(), 5);
    QCOMPARE(cells(out[0]),
             (QStringList{QStringLiteral("WORKER"), QStringLiteral("POOL"), QStringLiteral("STATE"),
                          QStringLiteral("PID"), QStringLiteral("UPTIME"),
                          QStringLiteral("RESTARTS"), QStringLiteral("CPU%"), QStringLiteral("RSS"),
                          QStringLiteral("READY"), QStringLiteral("LAST EXIT")}));
    QStringList ids;
    const auto all = workerMap();
    for (int i = 1; i < out.size(); ++i) {
        const QStringList c = cells(out[i]);
        QCOMPARE(c.size(), 10);
        ids << c[0];
        QCOMPARE(c[1], c[0].section(QLatin1Char('-'), 0, 0));
        QCOMPARE(c[2], QStringLiteral("ready"));
        QCOMPARE(c[3].toInt(), all.value(c[0])[QLatin1String("pid")].toInt());
        QVERIFY(c[3].toInt() > 0);
        QCOMPARE(c[5], QStringLiteral("0"));
        QCOMPARE(c[8], QStringLiteral("yes"));
    }
    ids.sort();
    QCOMPARE(ids, (QStringList{QStringLiteral("talker-0"), QStringLiteral("w-0"),
                               QStringLiteral("w-1"), QStringLiteral("w-2")}));
}

void TestDroverctl::workersJson()
{
    Run r = ctl({QStringLiteral("workers"), QStringLiteral("--json")});
    QCOMPARE(r.code, 0);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(r.out.toUtf8(), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QVERIFY(doc.isArray());
    const QJsonArray all = doc.array();
    QCOMPARE(all.size(), 4);
    for (const QJsonValue &v : all) {
        QVERIFY(v.isObject());
        QVERIFY(!v[QLatin1String("id")].toString().isEmpty());
        QVERIFY(!v[QLatin1String("pool")].toString().isEmpty());
        QCOMPARE(v[QLatin1String("state")].toString(), QStringLiteral("ready"));
        const int pid = v[QLatin1String("pid")].toInt();
        QVERIFY(pid > 0);
        // The pid is a live process of this test.
        QVERIFY(alive(pid));
    }
}

void TestDroverctl::pools()
{
    Run r = ctl({QStringLiteral("pools")});
    QCOMPARE(r.code, 0);
    const QStringList out = lines(r.out);
    QCOMPARE(out.size(), 3);
    QCOMPARE(cells(out[0]), (QStringList{QStringLiteral("POOL"), QStringLiteral("DESIRED"),
                                         QStringLiteral("RUNNING"), QStringLiteral("READY"),
                                         QStringLiteral("RESTARTS"), QStringLiteral("REVISION"),
                                         QStringLiteral("WAITING FOR")}));
    QMap<QString, QStringList> rows;
    for (int i = 1; i < out.size(); ++i)
        rows.insert(cells(out[i]).value(0), cells(out[i]));
    QCOMPARE(rows.keys(), (QStringList{QStringLiteral("talker"), QStringLiteral("w")}));
    QCOMPARE(rows[QStringLiteral("w")].mid(1, 3),
             (QStringList{QStringLiteral("3"), QStringLiteral("3"), QStringLiteral("3")}));
    QCOMPARE(rows[QStringLiteral("talker")].mid(1, 3),
             (QStringList{QStringLiteral("1"), QStringLiteral("1"), QStringLiteral("1")}));
    QCOMPARE(rows[QStringLiteral("w")].value(6), QStringLiteral("-"));

    r = ctl({QStringLiteral("pools"), QStringLiteral("--json")});
    QCOMPARE(r.code, 0);
    QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).array().size(), 2);
}

void TestDroverctl::stopStartRestart()
{
    const int before = pidOf(QStringLiteral("w-0"));
    QVERIFY(before > 0);
    Run r = ctl({QStringLiteral("stop"), QStringLiteral("w-0")});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.startsWith(QStringLiteral("w-0: stopped, operator")), qPrintable(r.out));
    QVERIFY(!alive(before)); // stop waits until it has stopped
    QCOMPARE(stateOf(QStringLiteral("w-0")), QStringLiteral("stopped"));

    r = ctl({QStringLiteral("start"), QStringLiteral("w-0")});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.startsWith(QStringLiteral("w-0: ")), qPrintable(r.out));
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("w-0")), QStringLiteral("ready"), 10'000);
    const int started = pidOf(QStringLiteral("w-0"));
    QVERIFY(started > 0 && started != before && alive(started));

    const int w1 = pidOf(QStringLiteral("w-1"));
    r = ctl({QStringLiteral("restart"), QStringLiteral("w-1")});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.startsWith(QStringLiteral("w-1: ")), qPrintable(r.out));
    QVERIFY(!alive(w1));
    QTRY_VERIFY_WITH_TIMEOUT(pidOf(QStringLiteral("w-1")) > 0 && pidOf(QStringLiteral("w-1")) != w1,
                             10'000);

    // The audit log has each of them, by the admin token's name.
    const QString audit = readText(m_master->stateDir + QStringLiteral("/audit.log"));
    for (const char *op : {"worker.stop", "worker.start", "worker.restart"})
        QVERIFY2(audit.contains(QStringLiteral("\"token\":\"root\",\"role\":\"admin\"")) &&
                     audit.contains(QStringLiteral("\"op\":\"%1\"").arg(QLatin1String(op))),
                 op);
}

void TestDroverctl::scale()
{
    Run r = ctl({QStringLiteral("scale"), QStringLiteral("w"), QStringLiteral("4")});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.startsWith(QStringLiteral("w: 4 desired, ")), qPrintable(r.out));
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(QStringLiteral("w-3")), QStringLiteral("ready"), 10'000);
    r = ctl({QStringLiteral("scale"), QStringLiteral("w"), QStringLiteral("3")});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.startsWith(QStringLiteral("w: 3 desired, ")));
    QTRY_VERIFY_WITH_TIMEOUT(!workerMap().contains(QStringLiteral("w-3")), 10'000);
    QCOMPARE(workerMap().size(), 4);
    // Out of range for the pool: the master says so.
    r = ctl({QStringLiteral("scale"), QStringLiteral("nosuch"), QStringLiteral("2")});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.startsWith(QStringLiteral("droverctl: not_found: ")), qPrintable(r.err));
}

void TestDroverctl::leasesAndTraffic()
{
    Run r = ctl({QStringLiteral("acquire"), QStringLiteral("w"), QStringLiteral("--ttl-ms"),
                 QStringLiteral("60000"), QStringLiteral("--json")});
    QCOMPARE(r.code, 0);
    const QJsonObject lease = QJsonDocument::fromJson(r.out.toUtf8()).object();
    const QString id = lease[QLatin1String("lease")].toString();
    QVERIFY2(!id.isEmpty(), qPrintable(r.out));
    QVERIFY(lease[QLatin1String("worker")].toString().startsWith(QStringLiteral("w-")));
    QVERIFY(lease[QLatin1String("endpoint")].isNull()); // the pool has no ports
    // The lease is in the pool's traffic, with its worker's slot taken.
    r = ctl({QStringLiteral("traffic"), QStringLiteral("w")});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains(QStringLiteral("1 in flight")), qPrintable(r.out));
    QVERIFY(r.out.contains(id));
    QVERIFY(r.out.contains(QStringLiteral("BREAKER")));
    // A viewer may look but not lease.
    r = ctl({QStringLiteral("acquire"), QStringLiteral("w")}, m_viewer);
    QCOMPARE(r.code, 4);
    r = ctl({QStringLiteral("traffic"), QStringLiteral("w")}, m_viewer);
    QCOMPARE(r.code, 0);
    r = ctl({QStringLiteral("release"), QStringLiteral("w"), id});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out.trimmed(), QStringLiteral("released ") + id);
    r = ctl({QStringLiteral("release"), QStringLiteral("w"), id});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.startsWith(QStringLiteral("droverctl: not_found: ")), qPrintable(r.err));
}

void TestDroverctl::logs()
{
    QTRY_VERIFY_WITH_TIMEOUT(readText(m_master->stateDir + QStringLiteral("/logs/talker-0.log"))
                                 .contains(QStringLiteral("line 5")),
                             10'000);
    Run r = ctl({QStringLiteral("logs"), QStringLiteral("talker-0"), QStringLiteral("-n"),
                 QStringLiteral("2")});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out, QStringLiteral("line 4\nline 5\n"));
    r = ctl({QStringLiteral("logs"), QStringLiteral("-n"), QStringLiteral("5"),
             QStringLiteral("talker-0")});
    QCOMPARE(r.code, 0);
    QCOMPARE(lines(r.out), (QStringList{QStringLiteral("line 1"), QStringLiteral("line 2"),
                                        QStringLiteral("line 3"), QStringLiteral("line 4"),
                                        QStringLiteral("line 5")}));
    r = ctl({QStringLiteral("logs"), QStringLiteral("talker-0"), QStringLiteral("--json")});
    QCOMPARE(r.code, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(o[QLatin1String("worker")].toString(), QStringLiteral("talker-0"));
    QCOMPARE(o[QLatin1String("lines")].toArray().size(), 5);
    QCOMPARE(o[QLatin1String("file")].toString(),
             m_master->stateDir + QStringLiteral("/logs/talker-0.log"));
    // A worker that is not there.
    r = ctl({QStringLiteral("logs"), QStringLiteral("nosuch-1")});
    QCOMPARE(r.code, 1);
    QCOMPARE(r.err, QStringLiteral("droverctl: not_found: no worker \"nosuch-1\"\n"));
}

/// A droverctl started in the background, read as it prints.
struct Background
{
    QProcess process;
    explicit Background(const QStringList &args)
    {
        process.start(QStringLiteral(DROVER_BIN_DIR "/droverctl"), args);
    }
    ~Background()
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished();
        }
    }
    QString out;
    bool waitForOutput(const QString &text, int ms = 10'000)
    {
        QElapsedTimer timer;
        timer.start();
        while (!out.contains(text) && timer.elapsed() < ms) {
            process.waitForReadyRead(100);
            out += QString::fromUtf8(process.readAllStandardOutput());
        }
        return out.contains(text);
    }
};

// logs -f: the last lines, then each line as it is written, until Ctrl-C (exit 0).
void TestDroverctl::logsFollow()
{
    const QString log = m_master->stateDir + QStringLiteral("/logs/talker-0.log");
    QTRY_VERIFY_WITH_TIMEOUT(readText(log).contains(QStringLiteral("line 5")), 10'000);
    Background ctl({QStringLiteral("--master"), m_master->url(), QStringLiteral("--token"), m_admin,
                    QStringLiteral("logs"), QStringLiteral("talker-0"), QStringLiteral("-f"),
                    QStringLiteral("-n"), QStringLiteral("2")});
    QVERIFY2(ctl.waitForOutput(QStringLiteral("line 4\nline 5\n")), qPrintable(ctl.out));
    {
        QFile f(log); // as the worker would write it: appended to its log
        QVERIFY(f.open(QIODevice::Append));
        f.write("line 6\nline 7\n");
    }
    QVERIFY2(ctl.waitForOutput(QStringLiteral("line 7\n")), qPrintable(ctl.out));
    QCOMPARE(ctl.out, QStringLiteral("line 4\nline 5\nline 6\nline 7\n"));
    ::kill(pid_t(ctl.process.processId()), SIGINT);
    QVERIFY(ctl.process.waitForFinished(5000));
    QCOMPARE(ctl.process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(ctl.process.exitCode(), 0);
}

// A command that follows ends with exit code 3 when its master goes away, saying so.
void TestDroverctl::followEndsWhenTheMasterGoes()
{
    Droverd other;
    QVERIFY(other.writeConfig(other.yaml(::pools(1))));
    QVERIFY2(other.start(), qPrintable(other.log()));
    Background ctl(
        {QStringLiteral("--master"), other.url(), QStringLiteral("events"), QStringLiteral("-f")});
    // Connected: the recent events are printed before it subscribes.
    QVERIFY2(ctl.waitForOutput(QStringLiteral("\n")), qPrintable(ctl.out));
    QCOMPARE(ctl.process.state(), QProcess::Running);
    QCOMPARE(other.stop(), 0);
    QVERIFY(ctl.process.waitForFinished(10'000));
    QCOMPARE(ctl.process.exitCode(), 3);
    QVERIFY2(QString::fromUtf8(ctl.process.readAllStandardError())
                 .contains(QStringLiteral("the connection to the master was lost")),
             "no reason given");
    QVERIFY(killLeftovers(other.markEnv(), 3000).empty());
}

void TestDroverctl::health()
{
    // The exec probe runs every 200 ms: a few results are there by now.
    QTRY_VERIFY_WITH_TIMEOUT(ctl({QStringLiteral("health"), QStringLiteral("talker-0")})
                                 .out.contains(QStringLiteral("passing")),
                             10'000);
    Run r = ctl({QStringLiteral("health"), QStringLiteral("talker-0")});
    QCOMPARE(r.code, 0);
    const QStringList out = r.out.split(QLatin1Char('\n'));
    QCOMPARE(cells(out.value(0)),
             (QStringList{QStringLiteral("PROBE"), QStringLiteral("KIND"), QStringLiteral("STATE"),
                          QStringLiteral("SINCE"), QStringLiteral("TARGET")}));
    const QStringList probe = cells(out.value(1));
    QCOMPARE(probe.mid(0, 3), (QStringList{QStringLiteral("liveness"), QStringLiteral("exec"),
                                           QStringLiteral("passing")}));
    const int results = int(out.indexOf(QRegularExpression(QStringLiteral("TIME\\s+PROBE.*"))));
    QVERIFY2(results > 1, qPrintable(r.out));
    QCOMPARE(cells(out[results]),
             (QStringList{QStringLiteral("TIME"), QStringLiteral("PROBE"), QStringLiteral("OK"),
                          QStringLiteral("LATENCY"), QStringLiteral("MESSAGE")}));
    const QStringList first = cells(out.value(results + 1));
    QVERIFY2(first.size() >= 4, qPrintable(r.out));
    QVERIFY(
        QRegularExpression(QStringLiteral("^\\d\\d:\\d\\d:\\d\\d$")).match(first[0]).hasMatch());
    QCOMPARE(first[1], QStringLiteral("liveness"));
    QCOMPARE(first[2], QStringLiteral("yes"));
    QVERIFY(first[3].endsWith(QStringLiteral("ms")));

    r = ctl({QStringLiteral("health"), QStringLiteral("talker-0"), QStringLiteral("--json")});
    QCOMPARE(r.code, 0);
    QVERIFY(!QJsonDocument::fromJson(r.out.toUtf8())[QLatin1String("results")].toArray().isEmpty());
    r = ctl({QStringLiteral("health"), QStringLiteral("nosuch-1")});
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.contains(QStringLiteral("not_found")));
}

void TestDroverctl::events()
{
    Run r = ctl({QStringLiteral("events")});
    QCOMPARE(r.code, 0);
    const QStringList out = lines(r.out);
    QVERIFY(!out.isEmpty() && out.size() <= 50);
    static const QRegularExpression line(QStringLiteral("^\\d\\d:\\d\\d:\\d\\d  (\\S+)  (.+)$"));
    QStringList kinds;
    for (const QString &l : out) {
        auto m = line.match(l);
        QVERIFY2(m.hasMatch(), qPrintable(l));
        kinds << m.captured(1);
    }
    // The newest 50: our requests of the tests before are among them.
    QVERIFY2(kinds.contains(QStringLiteral("pool.scaled")), qPrintable(r.out));
    QVERIFY(kinds.contains(QStringLiteral("audit")));
    QVERIFY(kinds.contains(QStringLiteral("worker.state")));

    r = ctl({QStringLiteral("events"), QStringLiteral("--json")});
    QCOMPARE(r.code, 0);
    const QStringList json = lines(r.out);
    QCOMPARE(json.size(), out.size());
    qint64 lastId = 0;
    for (const QString &l : json) {
        const QJsonObject e = QJsonDocument::fromJson(l.toUtf8()).object();
        QVERIFY2(!e[QLatin1String("kind")].toString().isEmpty(), qPrintable(l));
        const qint64 id = e[QLatin1String("id")].toInteger();
        QVERIFY(id > lastId); // oldest first
        lastId = id;
    }
}

void TestDroverctl::configGet()
{
    Run r = ctl({QStringLiteral("config"), QStringLiteral("get")});
    QCOMPARE(r.code, 0);
    const QString version = configVersion();
    QVERIFY(!version.isEmpty());
    // The YAML as running, after a comment with its file and version: ready to edit and apply.
    QCOMPARE(r.out, QStringLiteral("# ") + m_master->config + QStringLiteral(", version ") +
                        version + QLatin1Char('\n') +
                        QString::fromUtf8(fileBytes(m_master->config)));
    Run s = ctl({QStringLiteral("status")});
    QVERIFY(s.out.contains(QStringLiteral("config ") + version + QLatin1Char(')')));
}

void TestDroverctl::configValidate()
{
    const QString good = m_master->tmp.filePath(QStringLiteral("good.yaml"));
    const QString bad = m_master->tmp.filePath(QStringLiteral("bad.yaml"));
    QVERIFY(writeFile(good, m_master->yaml(::pools(2))));
    QVERIFY(writeFile(bad, "version: 1\npools:\n  - name: w\n    command: [sleep, \"1\"]\n"
                           "    replicas: many\n    restart: {policy: sometimes}\n"));
    // Offline: no master is asked (this one listens nowhere).
    const QStringList nowhere{QStringLiteral("--master"),
                              QStringLiteral("ws://127.0.0.1:%1").arg(freePort())};
    Run r = runProgram(QStringLiteral("droverctl"),
                       nowhere +
                           QStringList{QStringLiteral("config"), QStringLiteral("validate"), good});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.startsWith(good + QStringLiteral(": ok (")), qPrintable(r.out));
    r = runProgram(QStringLiteral("droverctl"),
                   nowhere +
                       QStringList{QStringLiteral("config"), QStringLiteral("validate"), bad});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(bad + QStringLiteral(":5:15: pools[0].replicas: ")), qPrintable(r.err));
    QVERIFY2(r.err.contains(bad + QStringLiteral(":6:23: pools[0].restart.policy: ")),
             qPrintable(r.err));
    r = runProgram(QStringLiteral("droverctl"),
                   {QStringLiteral("config"), QStringLiteral("validate"),
                    m_master->tmp.filePath(QStringLiteral("missing.yaml"))});
    QCOMPARE(r.code, 1);
}

void TestDroverctl::configApplyInvalid()
{
    const QByteArray before = fileBytes(m_master->config);
    const QStringList historyBefore = historyFiles();
    const QString versionBefore = configVersion();
    const QString bad = m_master->tmp.filePath(QStringLiteral("bad.yaml"));
    QVERIFY(writeFile(bad, "version: 1\npools:\n  - name: w\n    command: [sleep, \"1\"]\n"
                           "    replicas: many\n    restart: {policy: sometimes}\n"));
    Run r = ctl({QStringLiteral("config"), QStringLiteral("apply"), bad});
    QCOMPARE(r.code, 1);
    const QStringList err = lines(r.err);
    QVERIFY2(err.value(0).startsWith(QStringLiteral("droverctl: invalid_config: 2 errors")),
             qPrintable(r.err));
    static const QRegularExpression diag(QStringLiteral("^(.+):(\\d+):(\\d+): (\\S+): .+$"));
    QStringList where;
    for (int i = 1; i < err.size(); ++i) {
        auto m = diag.match(err[i]);
        QVERIFY2(m.hasMatch(), qPrintable(err[i]));
        QCOMPARE(m.captured(1), bad);
        where << m.captured(2) + QLatin1Char(':') + m.captured(3) + QLatin1Char(' ') +
                     m.captured(4);
    }
    QCOMPARE(where, (QStringList{QStringLiteral("5:15 pools[0].replicas"),
                                 QStringLiteral("6:23 pools[0].restart.policy")}));
    QCOMPARE(fileBytes(m_master->config), before);
    QCOMPARE(historyFiles(), historyBefore);
    QCOMPARE(configVersion(), versionBefore);
    QCOMPARE(workerMap().size(), 4);
    // A viewer may not even try.
    r = ctl({QStringLiteral("config"), QStringLiteral("apply"), bad}, m_viewer);
    QCOMPARE(r.code, 4);
    QVERIFY(r.err.contains(QStringLiteral("forbidden")));
}

void TestDroverctl::configApplyStale()
{
    const QByteArray before = fileBytes(m_master->config);
    const QString next = m_master->tmp.filePath(QStringLiteral("next.yaml"));
    QVERIFY(writeFile(next, m_master->yaml(::pools(2))));
    Run r = ctl({QStringLiteral("config"), QStringLiteral("apply"), next,
                 QStringLiteral("--base-version"), QStringLiteral("123456789")});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.startsWith(QStringLiteral("droverctl: conflict: the config changed since "
                                             "version 123456789")),
             qPrintable(r.err));
    QCOMPARE(fileBytes(m_master->config), before);
    QCOMPARE(workerMap().size(), 4);
}

void TestDroverctl::configApplyValid()
{
    const QByteArray before = fileBytes(m_master->config);
    const QString versionBefore = configVersion();
    const QStringList historyBefore = historyFiles();
    const QString next = m_master->tmp.filePath(QStringLiteral("next.yaml"));
    const QByteArray nextText = m_master->yaml(::pools(2));
    QVERIFY(writeFile(next, nextText));
    // The plan first, as a viewer may ask it: in words, and nothing changes.
    Run plan = ctl({QStringLiteral("config"), QStringLiteral("plan"), next}, m_viewer);
    QCOMPARE(plan.code, 0);
    QVERIFY2(plan.out.startsWith(QStringLiteral("pool w: scaled from 3 to 2\n")),
             qPrintable(plan.out));
    QVERIFY(plan.out.contains(QStringLiteral("after: 2 pools")));
    QCOMPARE(configVersion(), versionBefore);
    Run r = ctl({QStringLiteral("config"), QStringLiteral("apply"), next,
                 QStringLiteral("--base-version"), versionBefore});
    QCOMPARE(r.code, 0);
    static const QRegularExpression applied(
        QStringLiteral("^applied: version (\\S+) \\((.+)\\)\n$"));
    auto m = applied.match(r.out);
    QVERIFY2(m.hasMatch(), qPrintable(r.out));
    const QString versionAfter = m.captured(1);
    QVERIFY(versionAfter != versionBefore);
    QVERIFY(m.captured(2).contains(QStringLiteral("2 pools")));

    // The file is the new text; the one it replaced is kept in the state dir.
    QCOMPARE(fileBytes(m_master->config), nextText);
    const QStringList history = historyFiles();
    QCOMPARE(history.size(), historyBefore.size() + 1);
    QString kept;
    for (const QString &f : history) {
        if (!historyBefore.contains(f))
            kept = f;
    }
    QVERIFY2(kept.endsWith(QLatin1Char('-') + versionBefore + QStringLiteral(".yaml")),
             qPrintable(kept));
    QCOMPARE(fileBytes(m_master->stateDir + QStringLiteral("/config-history/") + kept), before);

    // The history: the new version first, applied by the admin's token; the old one's YAML.
    Run listed = ctl({QStringLiteral("config"), QStringLiteral("history")}, m_viewer);
    QCOMPARE(listed.code, 0);
    const QStringList rows = lines(listed.out);
    QVERIFY2(rows.size() >= 3 && rows[1].startsWith(versionAfter) &&
                 rows[1].contains(QStringLiteral(" root ")) &&
                 rows[1].endsWith(QStringLiteral("running")) && rows[2].startsWith(versionBefore),
             qPrintable(listed.out));
    Run old = ctl({QStringLiteral("config"), QStringLiteral("history"), versionBefore});
    QCOMPARE(old.code, 0);
    QCOMPARE(old.out.toUtf8(), before);

    // The master runs it: version, and w scaled to 2.
    QCOMPARE(configVersion(), versionAfter);
    QTRY_COMPARE_WITH_TIMEOUT(workerMap().size(), 3, 10'000);
    QVERIFY(!workerMap().contains(QStringLiteral("w-2")));

    // Applying on top of the old version now is a conflict, and changes nothing.
    QVERIFY(writeFile(next, m_master->yaml(::pools(1))));
    r = ctl({QStringLiteral("config"), QStringLiteral("apply"), next,
             QStringLiteral("--base-version"), versionBefore});
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.contains(QStringLiteral("conflict")));
    QCOMPARE(fileBytes(m_master->config), nextText);
    QCOMPARE(historyFiles().size(), history.size());

    // The audit log has both, the text reduced to its size.
    const QStringList audit = lines(readText(m_master->stateDir + QStringLiteral("/audit.log")))
                                  .filter(QStringLiteral("\"op\":\"config.apply\""));
    QVERIFY(audit.size() >= 4); // invalid, forbidden, stale, ok, conflict
    QVERIFY(audit.filter(QStringLiteral("\"result\":\"ok\"")).size() == 1);
    QVERIFY(audit.filter(QStringLiteral("\"result\":\"conflict\"")).size() == 2);
    QVERIFY(audit.filter(QStringLiteral("\"result\":\"invalid_config\"")).size() == 1);
    QVERIFY(!audit.join(QLatin1Char('\n')).contains(QStringLiteral("sleep")));
}

void TestDroverctl::exitCodeMasterError()
{
    Run r = ctl({QStringLiteral("restart"), QStringLiteral("nosuch-3")});
    QCOMPARE(r.code, 1);
    QCOMPARE(r.err, QStringLiteral("droverctl: not_found: no worker \"nosuch-3\"\n"));
    QVERIFY(r.out.isEmpty());
    r = ctl({QStringLiteral("scale"), QStringLiteral("w"), QStringLiteral("100000")});
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.startsWith(QStringLiteral("droverctl: bad_request: ")));
}

void TestDroverctl::exitCodeUsage_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("no command") << QStringList{};
    QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")};
    QTest::newRow("scale without N") << QStringList{QStringLiteral("scale"), QStringLiteral("w")};
    QTest::newRow("scale negative")
        << QStringList{QStringLiteral("scale"), QStringLiteral("w"), QStringLiteral("-2")};
    QTest::newRow("restart without worker") << QStringList{QStringLiteral("restart")};
    QTest::newRow("config without subcommand") << QStringList{QStringLiteral("config")};
    QTest::newRow("bad --master scheme") << QStringList{
        QStringLiteral("--master"), QStringLiteral("ftp://127.0.0.1:1"), QStringLiteral("status")};
    QTest::newRow("apply a missing file")
        << QStringList{QStringLiteral("config"), QStringLiteral("apply"),
                       QStringLiteral("/nonexistent/drover.yaml")};
}

void TestDroverctl::exitCodeUsage()
{
    QFETCH(QStringList, args);
    // The running master is given (unless the row gives its own): usage errors win.
    QStringList all = args;
    if (!args.contains(QStringLiteral("--master")))
        all = QStringList{QStringLiteral("--master"), m_master->url(), QStringLiteral("--token"),
                          m_admin} +
              args;
    Run r = runProgram(QStringLiteral("droverctl"), all);
    QCOMPARE(r.code, 2);
    QVERIFY(!r.err.isEmpty());
}

void TestDroverctl::exitCodeCannotConnect()
{
    const QString nowhere = QStringLiteral("ws://127.0.0.1:%1").arg(freePort());
    for (const QString &command : {QStringLiteral("status"), QStringLiteral("workers")}) {
        Run r =
            runProgram(QStringLiteral("droverctl"), {QStringLiteral("--master"), nowhere, command});
        QCOMPARE(r.code, 3);
        QVERIFY2(r.err.contains(QStringLiteral("connection refused")), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
    }
    // TLS asked of a master that speaks plain WebSocket: cannot connect either.
    Run r = runProgram(QStringLiteral("droverctl"),
                       {QStringLiteral("--master"),
                        QStringLiteral("wss://127.0.0.1:%1").arg(m_master->port),
                        QStringLiteral("--token"), m_admin, QStringLiteral("status")});
    QVERIFY2(r.code == 3 || r.code == 4, qPrintable(QString::number(r.code) + r.err));
    QVERIFY(!r.err.isEmpty());
}

void TestDroverctl::exitCodeNotAllowed()
{
    // A viewer restarting: forbidden.
    const int pid = pidOf(QStringLiteral("w-1"));
    Run r = ctl({QStringLiteral("restart"), QStringLiteral("w-1")}, m_viewer);
    QCOMPARE(r.code, 4);
    QVERIFY2(r.err.startsWith(QStringLiteral("droverctl: forbidden: role viewer may not "
                                             "worker.restart")),
             qPrintable(r.err));
    QCOMPARE(pidOf(QStringLiteral("w-1")), pid);
    // ... but reading is fine.
    QCOMPARE(ctl({QStringLiteral("workers")}, m_viewer).code, 0);
    // A wrong token, and none: unauthorized.
    r = ctl({QStringLiteral("status")}, QStringLiteral("drv_not-a-token-of-this-master"));
    QCOMPARE(r.code, 4);
    QVERIFY2(r.err.contains(QStringLiteral("the token is not valid here")), qPrintable(r.err));
    r = runProgram(QStringLiteral("droverctl"),
                   {QStringLiteral("--master"), m_master->url(), QStringLiteral("status")});
    QCOMPARE(r.code, 4);
    QVERIFY2(r.err.contains(QStringLiteral("needs a token")), qPrintable(r.err));
    // The refused restart is in the audit log under the viewer's name.
    const QStringList audit = lines(readText(m_master->stateDir + QStringLiteral("/audit.log")))
                                  .filter(QStringLiteral("\"token\":\"looker\""));
    QVERIFY(!audit.filter(QStringLiteral("\"op\":\"worker.restart\"")).isEmpty());
    QVERIFY(!audit.filter(QStringLiteral("\"result\":\"forbidden\"")).isEmpty());
}

QTEST_GUILESS_MAIN(TestDroverctl)
#include "tst_droverctl.moc"

void TestDroverctl::jobs()
{
    // A master of its own, with three jobs: one that succeeds, one that fails, one that sleeps.
    Droverd master;
    QVERIFY(master.writeConfig(
        master.yaml("  - name: ok\n"
                    "    command: [\"sh\", \"-c\", \"echo first; echo fine\"]\n"
                    "    schedule: manual\n"
                    "  - name: bad\n"
                    "    command: [\"sh\", \"-c\", \"echo broken >&2; exit 4\"]\n"
                    "    schedule: {cron: \"0 3 * * *\", timezone: UTC}\n"
                    "  - name: nap\n"
                    "    command: [\"sleep\", \"100\"]\n"
                    "    schedule: manual\n"
                    "    stop: {timeout: 2s}\n")));
    const QString admin = master.createToken(QStringLiteral("root"), QStringLiteral("admin"));
    const QString viewer = master.createToken(QStringLiteral("looker"), QStringLiteral("viewer"));
    QVERIFY2(master.start(), qPrintable(master.log()));
    const auto job = [&](const QStringList &args, const QString &token = {}) {
        return runProgram(QStringLiteral("droverctl"),
                          QStringList{QStringLiteral("--master"), master.url(),
                                      QStringLiteral("--token"), token.isEmpty() ? admin : token,
                                      QStringLiteral("job")} +
                              args);
    };
    // run --wait: the run's record in full, exit 0 when it succeeded, 6 when not.
    Run r = job({QStringLiteral("run"), QStringLiteral("ok"), QStringLiteral("--wait")});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.startsWith(QStringLiteral("job ok run 1: succeeded (manual by root), exit:0")),
             qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("  last lines:\n    first\n    fine\n")),
             qPrintable(r.out));
    r = job({QStringLiteral("run"), QStringLiteral("bad"), QStringLiteral("-w")});
    QCOMPARE(r.code, 6);
    QVERIFY2(r.out.contains(QStringLiteral("run 1: failed (manual by root), exit:4")),
             qPrintable(r.out));
    QVERIFY(r.out.contains(QStringLiteral("    broken\n")));
    // ls: every job, its schedule and last result.
    r = job({QStringLiteral("ls")});
    QCOMPARE(r.code, 0);
    QStringList rows = lines(r.out);
    QCOMPARE(rows.size(), 4);
    QCOMPARE(
        cells(rows[0]).mid(0, 5),
        (QStringList{QStringLiteral("JOB"), QStringLiteral("SCHEDULE"), QStringLiteral("NEXT RUN"),
                     QStringLiteral("ACTIVE"), QStringLiteral("LAST")}));
    const QStringList bad = cells(rows[1]);
    QCOMPARE(bad[0], QStringLiteral("bad"));
    QCOMPARE(bad[1], QStringLiteral("0 3 * * * UTC"));
    QVERIFY2(bad[2].endsWith(QStringLiteral(" 03:00:00")), qPrintable(bad[2]));
    QCOMPARE(bad[4], QStringLiteral("failed"));
    QCOMPARE(cells(rows[3])[2], QStringLiteral("-")); // ok: manual, no next run
    r = job({QStringLiteral("ls"), QStringLiteral("--json")});
    QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).array().size(), 3);
    // history, and one run in full.
    r = job({QStringLiteral("history"), QStringLiteral("ok")});
    QCOMPARE(r.code, 0);
    rows = lines(r.out);
    QCOMPARE(rows.size(), 2);
    QCOMPARE(cells(rows[1])[0], QStringLiteral("1"));
    QCOMPARE(cells(rows[1])[1], QStringLiteral("manual (root)"));
    QCOMPARE(cells(rows[1])[4], QStringLiteral("succeeded"));
    r = job({QStringLiteral("history"), QStringLiteral("bad"), QStringLiteral("--run"),
             QStringLiteral("1")});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.startsWith(QStringLiteral("job bad run 1: failed")));
    r = job({QStringLiteral("history"), QStringLiteral("bad"), QStringLiteral("--run"),
             QStringLiteral("9")});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(QStringLiteral("keeps no run 9")), qPrintable(r.err));
    // A viewer may look but not run; the refusal is exit 4.
    r = job({QStringLiteral("history"), QStringLiteral("ok")}, viewer);
    QCOMPARE(r.code, 0);
    r = job({QStringLiteral("run"), QStringLiteral("ok")}, viewer);
    QCOMPARE(r.code, 4);
    QVERIFY2(r.err.contains(QStringLiteral("forbidden")), qPrintable(r.err));
    // cancel: nothing going, then a run stopped.
    r = job({QStringLiteral("cancel"), QStringLiteral("nap")});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out, QStringLiteral("job nap: no run is going\n"));
    r = job({QStringLiteral("run"), QStringLiteral("nap")});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out, QStringLiteral("job nap: run 1 running on nap-0\n"));
    r = job({QStringLiteral("run"), QStringLiteral("nap")});
    QCOMPARE(r.code, 1); // forbid: one at a time
    QVERIFY2(r.err.contains(QStringLiteral("conflict: job \"nap\": run 1 is still going")),
             qPrintable(r.err));
    r = job({QStringLiteral("cancel"), QStringLiteral("nap")});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out, QStringLiteral("job nap: run 1 on nap-0 is being stopped\n"));
    QTRY_VERIFY_WITH_TIMEOUT(
        cells(lines(job({QStringLiteral("history"), QStringLiteral("nap")}).out).value(1))
                .value(4) == QStringLiteral("cancelled"),
        5000);
    // Not a job: said so.
    r = job({QStringLiteral("history"), QStringLiteral("nope")});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(QStringLiteral("not_found: no pool \"nope\"")), qPrintable(r.err));
}

void TestDroverctl::rollout()
{
    const auto rollout = [&](const QString &verb, const QString &token = {}) {
        return ctl({QStringLiteral("rollout"), verb, QStringLiteral("talker")}, token);
    };
    Run r = rollout(QStringLiteral("status"));
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.startsWith(QStringLiteral("pool talker has had no rollout (revision ")),
             qPrintable(r.out));
    r = ctl({QStringLiteral("rollout"), QStringLiteral("status"), QStringLiteral("talker"),
             QStringLiteral("--watch")});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains(QStringLiteral("has had no rollout")));

    // Restart, paused at once (min_ready holds its first step a second), aborted: --watch
    // follows it to its end and says so with exit code 5.
    r = rollout(QStringLiteral("restart"));
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.startsWith(QStringLiteral("pool talker: rollout 1 progressing (rolling, "
                                             "restart) from ")),
             qPrintable(r.out));
    r = rollout(QStringLiteral("pause"));
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains(QStringLiteral("rollout 1 paused")), qPrintable(r.out));
    r = rollout(QStringLiteral("pause"));
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(QStringLiteral("conflict: pool \"talker\" has no rollout in progress")),
             qPrintable(r.err));
    r = rollout(QStringLiteral("abort"));
    QCOMPARE(r.code, 0);
    r = ctl({QStringLiteral("rollout"), QStringLiteral("status"), QStringLiteral("talker"),
             QStringLiteral("--watch")});
    QCOMPARE(r.code, 5);
    QVERIFY2(r.out.contains(QStringLiteral("rollout 1 aborted")), qPrintable(r.out));
    QVERIFY(r.out.contains(QStringLiteral("reason: aborted by an operator")));
    QCOMPARE(rollout(QStringLiteral("restart"), m_viewer).code, 4);

    // A restart followed to its end: exit code 0.
    QCOMPARE(rollout(QStringLiteral("restart")).code, 0);
    r = ctl({QStringLiteral("rollout"), QStringLiteral("status"), QStringLiteral("talker"),
             QStringLiteral("-w")});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains(QStringLiteral("rollout 2 progressing")) &&
                 r.out.contains(QStringLiteral("rollout 2 complete")),
             qPrintable(r.out));
    r = ctl({QStringLiteral("rollout"), QStringLiteral("status"), QStringLiteral("talker"),
             QStringLiteral("--json")});
    QCOMPARE(r.code, 0);
    const QJsonObject status = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(status[QLatin1String("rollout")][QLatin1String("phase")].toString(),
             QStringLiteral("complete"));

    // The history: one template; nothing before it to undo to.
    r = rollout(QStringLiteral("history"));
    QCOMPARE(r.code, 0);
    const QStringList rows = lines(r.out);
    QCOMPARE(rows.size(), 2);
    QCOMPARE(cells(rows[0]).first(), QStringLiteral("NUMBER"));
    QVERIFY2(rows[1].contains(QStringLiteral("yes")) && rows[1].contains(QStringLiteral("sh -c")),
             qPrintable(rows[1]));
    r = rollout(QStringLiteral("undo"));
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains(QStringLiteral("no earlier revision")), qPrintable(r.err));
    r = ctl({QStringLiteral("rollout"), QStringLiteral("status"), QStringLiteral("nope")});
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.contains(QStringLiteral("not_found")));
}
