// droverd and droverctl as an operator runs them: exit codes, what goes to stdout and stderr.
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run
{
    int code = -1;
    QString out;
    QString err;
};

Run run(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(DROVER_BIN_DIR "/") + program, args);
    if (!p.waitForFinished(30'000)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void checkValid_data();
    void checkValid();
    void checkInvalid();
    void checkMissingFile();
    void usage_data();
    void usage();

private:
    QTemporaryDir m_dir;
    QString m_valid;
    QString m_invalid;
};

void TestCli::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_valid = m_dir.filePath(QStringLiteral("ok.yaml"));
    m_invalid = m_dir.filePath(QStringLiteral("bad.yaml"));
    QFile ok(m_valid);
    QVERIFY(ok.open(QIODevice::WriteOnly));
    ok.write("version: 1\npools:\n"
             "  - {name: web, command: [w, \"{{port}}\"], replicas: 3, ports: 9000-9009,\n"
             "     gateway: {listen: 127.0.0.1:8080},\n"
             "     probes: {readiness: {tcp: {port: \"{{port}}\"}}, liveness: {exec: {command: "
             "[true]}}}}\n"
             "  - {name: job, command: [j], restart: {policy: never}}\n"
             "adopted:\n  - {name: db, pid_file: /run/db.pid}\n");
    ok.close();
    QFile bad(m_invalid);
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("version: 1\npools:\n  - name: web\n    command: [w]\n    replicas: many\n"
              "    restart: {policy: sometimes}\n");
    bad.close();
}

void TestCli::checkValid_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QStringList>("args");
    QTest::newRow("droverd --check")
        << QStringLiteral("droverd") << QStringList{QStringLiteral("--check")};
    QTest::newRow("droverctl config validate")
        << QStringLiteral("droverctl")
        << QStringList{QStringLiteral("config"), QStringLiteral("validate")};
}

void TestCli::checkValid()
{
    QFETCH(QString, program);
    QFETCH(QStringList, args);
    Run r = run(program, args << m_valid);
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out,
             m_valid + QStringLiteral(": ok (2 pools, 5 workers at start, 2 probes, 1 gateway, "
                                      "1 adopted process)\n"));
    QCOMPARE(r.err, QString());
}

void TestCli::checkInvalid()
{
    Run r = run(QStringLiteral("droverd"), {QStringLiteral("--check"), m_invalid});
    QCOMPARE(r.code, 1);
    QCOMPARE(r.out, QString());
    const QStringList expected = {
        m_invalid +
            QStringLiteral(
                ":5:15: pools[0].replicas: expected a whole number from 0 to 10000, got \"many\""),
        m_invalid + QStringLiteral(":6:23: pools[0].restart.policy: unknown value \"sometimes\" "
                                   "(one of always, on-failure, never)"),
        m_invalid + QStringLiteral(": 2 errors"),
    };
    QCOMPARE(r.err.split(QLatin1Char('\n'), Qt::SkipEmptyParts), expected);

    Run ctl = run(QStringLiteral("droverctl"),
                  {QStringLiteral("config"), QStringLiteral("validate"), m_invalid});
    QCOMPARE(ctl.code, 1);
    QVERIFY(ctl.err.startsWith(expected.first()));
}

void TestCli::checkMissingFile()
{
    const QString missing = m_dir.filePath(QStringLiteral("missing.yaml"));
    Run r = run(QStringLiteral("droverd"), {QStringLiteral("--check"), missing});
    QCOMPARE(r.code, 1);
    QVERIFY2(
        r.err.startsWith(missing + QStringLiteral(": cannot open: No such file or directory\n")),
        qPrintable(r.err));
}

void TestCli::usage_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("stdoutHas");
    QTest::addColumn<QString>("stderrHas");
    const QString d = QStringLiteral("droverd");
    const QString c = QStringLiteral("droverctl");
    QTest::newRow("droverd --version") << d << QStringList{QStringLiteral("--version")} << 0
                                       << QStringLiteral("droverd 0.1.0") << QString();
    QTest::newRow("droverd --help") << d << QStringList{QStringLiteral("--help")} << 0
                                    << QStringLiteral("--check FILE") << QString();
    QTest::newRow("droverd nothing")
        << d << QStringList{} << 2 << QString() << QStringLiteral("nothing to do");
    QTest::newRow("droverd bad option") << d << QStringList{QStringLiteral("--frobnicate")} << 2
                                        << QString() << QStringLiteral("--frobnicate");
    QTest::newRow("droverd --check without file") << d << QStringList{QStringLiteral("--check")}
                                                  << 2 << QString() << QStringLiteral("--check");
    QTest::newRow("droverctl --version") << c << QStringList{QStringLiteral("--version")} << 0
                                         << QStringLiteral("droverctl 0.1.0") << QString();
    QTest::newRow("droverctl nothing")
        << c << QStringList{} << 2 << QString() << QStringLiteral("subcommand");
    QTest::newRow("droverctl validate without file")
        << c << QStringList{QStringLiteral("config"), QStringLiteral("validate")} << 2 << QString()
        << QStringLiteral("FILE");
}

void TestCli::usage()
{
    QFETCH(QString, program);
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, stdoutHas);
    QFETCH(QString, stderrHas);
    Run r = run(program, args);
    QCOMPARE(r.code, code);
    QVERIFY2(r.out.contains(stdoutHas), qPrintable(r.out));
    QVERIFY2(r.err.contains(stderrHas), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
