// droverd and droverctl as an operator runs them: exit codes, what goes to stdout and stderr.
#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
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

/// `droverd token <args...>`.
Run token(const QStringList &args)
{
    return run(QStringLiteral("droverd"), QStringList{QStringLiteral("token")} + args);
}

/// The names in `<stateDir>/tokens.json` (none when it is missing).
QStringList fileTokenNames(const QString &stateDir)
{
    QFile file(stateDir + QStringLiteral("/tokens.json"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QStringList names;
    const QJsonArray tokens =
        QJsonDocument::fromJson(file.readAll())[QLatin1String("tokens")].toArray();
    for (const QJsonValue &t : tokens)
        names << t[QLatin1String("name")].toString();
    return names;
}

QStringList outputLines(const QString &text)
{
    return text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

/// A config whose master keeps its state in `stateDir` and has one token of its own,
/// `grafana` (viewer), whose text is `grafana-secret`.
bool writeTokenConfig(const QString &path, const QString &stateDir)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    const QByteArray hash =
        QCryptographicHash::hash("grafana-secret", QCryptographicHash::Sha256).toHex();
    file.write("version: 1\nmaster:\n  state_dir: \"" + stateDir.toUtf8() +
               "\"\n  auth:\n    tokens:\n"
               "      - {name: grafana, role: viewer, sha256: " +
               hash + "}\n");
    return true;
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
    void checkSchedule();
    void checkContainers();
    void usage_data();
    void usage();
    void tokenCreateListRevoke();
    void tokenDuplicateName();
    void tokenErrors_data();
    void tokenErrors();

private:
    QTemporaryDir m_dir;
    QString m_valid;
    QString m_invalid;
    QString m_tokenConfig; ///< state dir m_tokenState, one config token (grafana)
    QString m_tokenState;
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
    m_tokenConfig = m_dir.filePath(QStringLiteral("tokens.yaml"));
    m_tokenState = m_dir.filePath(QStringLiteral("token-state"));
    QVERIFY(writeTokenConfig(m_tokenConfig, m_tokenState));
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

void TestCli::checkSchedule()
{
    // Each job's next three runs in its zone, and keys that a job does not act on.
    const QString file = m_dir.filePath(QStringLiteral("jobs.yaml"));
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("version: 1\npools:\n"
            "  - {name: backup, command: [b], schedule: {cron: \"30 2 * * *\", timezone: "
            "Europe/Berlin}}\n"
            "  - {name: reindex, command: [r], schedule: manual,\n"
            "     restart: {policy: never, max_restarts: 3}}\n");
    f.close();
    Run r = run(QStringLiteral("droverd"), {QStringLiteral("--check"), file});
    QCOMPARE(r.code, 0);
    const QStringList out = r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(out.size(), 5);
    QCOMPARE(out[0], file + QStringLiteral(": ok (2 pools, 0 workers at start, 0 probes, "
                                           "0 gateways, 2 jobs)"));
    static const QRegularExpression next(
        QStringLiteral(R"(^pool backup: schedule "30 2 \* \* \*" \(Europe/Berlin\), next runs )"
                       R"((\d{4}-\d\d-\d\d 02:30:00 CES?T, ){2}\d{4}-\d\d-\d\d 02:30:00 CES?T$)"));
    QVERIFY2(next.match(out[1]).hasMatch(), qPrintable(out[1]));
    QCOMPARE(out[2], QStringLiteral("pool reindex: runs only when asked (job.run)"));
    QCOMPARE(out[3], file + QStringLiteral(":5:31: pools[1].restart.max_restarts: not acted on "
                                           "for a job: a run is never restarted"));
}

void TestCli::checkContainers()
{
    // A config with container pools says what podman can do on this machine, or why it
    // cannot (the config itself is valid either way).
    const QString file = m_dir.filePath(QStringLiteral("containers.yaml"));
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("version: 1\npools:\n"
            "  - {name: web, image: localhost/app:1, network: host}\n"
            "  - {name: api, image: localhost/api:2, mounts: [/srv:/srv:ro]}\n"
            "  - {name: plain, command: [p]}\n");
    f.close();
    Run r = run(QStringLiteral("droverd"), {QStringLiteral("--check"), file});
    QCOMPARE(r.code, 0);
    const QStringList out = r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(out.size(), 2);
    QVERIFY2(out[0].startsWith(file + QStringLiteral(": ok (3 pools")), qPrintable(out[0]));
    static const QRegularExpression said(
        QStringLiteral(R"(^containers \(web, api\): (podman \d+\.\d+\S* \((root|rootless), cgroup )"
                       R"(v[12], runtime .*|none: .+)$)"));
    QVERIFY2(said.match(out[1]).hasMatch(), qPrintable(out[1]));
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

void TestCli::tokenCreateListRevoke()
{
    const QString config = m_dir.filePath(QStringLiteral("crud.yaml"));
    const QString state = m_dir.filePath(QStringLiteral("crud-state"));
    QVERIFY(writeTokenConfig(config, state));
    const QString c = QStringLiteral("--config");

    // create: the token is the last line of stdout, and only there.
    Run created =
        token({QStringLiteral("create"), c, config, QStringLiteral("--name"),
               QStringLiteral("alice"), QStringLiteral("--role"), QStringLiteral("admin")});
    QCOMPARE(created.code, 0);
    QCOMPARE(created.err, QString());
    QVERIFY(created.out.endsWith(QLatin1Char('\n')));
    const QStringList lines = outputLines(created.out);
    QVERIFY2(lines.size() >= 2, qPrintable(created.out));
    const QString text = lines.last();
    QCOMPARE(text.size(), 47);
    QVERIFY2(QRegularExpression(QStringLiteral("^drv_[A-Za-z0-9_-]{43}$")).match(text).hasMatch(),
             qPrintable(text));
    QVERIFY2(created.out.count(text) == 1, qPrintable(created.out));
    QVERIFY2(lines.first().contains(QStringLiteral("alice")), qPrintable(created.out));
    // The state dir was made (0700), and its tokens file (0600) holds the hash, not the token.
    QFile file(state + QStringLiteral("/tokens.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray stored = file.readAll();
    QVERIFY(!stored.contains(text.toUtf8()));
    QVERIFY(stored.contains(
        QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex()));
    QCOMPARE(QFileInfo(file).permissions() &
                 ~(QFile::ReadUser | QFile::WriteUser | QFile::ReadOwner | QFile::WriteOwner),
             QFile::Permissions());
    QCOMPARE(QFileInfo(state).permissions() &
                 (QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup | QFile::ReadOther |
                  QFile::WriteOther | QFile::ExeOther),
             QFile::Permissions());

    // list: an aligned table of the file's and the config's tokens, never a token.
    Run listed = token({QStringLiteral("list"), c, config});
    QCOMPARE(listed.code, 0);
    QCOMPARE(listed.err, QString());
    QVERIFY(!listed.out.contains(text));
    QVERIFY(!listed.out.contains(text.mid(4, 12)));
    const QStringList table = outputLines(listed.out);
    QCOMPARE(table.size(), 3);
    const QStringList header = table[0].split(QLatin1Char(' '), Qt::SkipEmptyParts);
    QCOMPARE(header.mid(0, 4), (QStringList{QStringLiteral("NAME"), QStringLiteral("ROLE"),
                                            QStringLiteral("CREATED"), QStringLiteral("SOURCE")}));
    const qsizetype roleAt = table[0].indexOf(QStringLiteral("ROLE"));
    const qsizetype sourceAt = table[0].indexOf(QStringLiteral("SOURCE"));
    const QString aliceRow = table.filter(QStringLiteral("alice")).value(0);
    const QString grafanaRow = table.filter(QStringLiteral("grafana")).value(0);
    QVERIFY2(aliceRow.mid(roleAt).startsWith(QStringLiteral("admin ")), qPrintable(listed.out));
    QVERIFY2(aliceRow.mid(sourceAt).startsWith(QStringLiteral("file ")), qPrintable(listed.out));
    QVERIFY2(grafanaRow.mid(roleAt).startsWith(QStringLiteral("viewer ")), qPrintable(listed.out));
    QVERIFY2(grafanaRow.mid(sourceAt).startsWith(QStringLiteral("config ")),
             qPrintable(listed.out));
    // No hash in full either.
    const QByteArray grafanaHash =
        QCryptographicHash::hash("grafana-secret", QCryptographicHash::Sha256).toHex();
    QVERIFY(!listed.out.contains(QString::fromLatin1(grafanaHash)));
    QVERIFY(!listed.out.contains(QString::fromLatin1(grafanaHash.left(16))));

    // revoke: says what went, and it is gone from the list.
    Run revoked = token(
        {QStringLiteral("revoke"), c, config, QStringLiteral("--name"), QStringLiteral("alice")});
    QCOMPARE(revoked.code, 0);
    QCOMPARE(revoked.err, QString());
    QVERIFY2(revoked.out.contains(QStringLiteral("\"alice\"")), qPrintable(revoked.out));
    QCOMPARE(fileTokenNames(state), QStringList());
    Run after = token({QStringLiteral("list"), c, config});
    QCOMPARE(after.code, 0);
    QVERIFY(!after.out.contains(QStringLiteral("alice")));
    QVERIFY(after.out.contains(QStringLiteral("grafana")));
}

void TestCli::tokenDuplicateName()
{
    const QStringList args = {
        QStringLiteral("create"), QStringLiteral("-c"),  m_tokenConfig,
        QStringLiteral("--name"), QStringLiteral("bob"), QStringLiteral("--role"),
        QStringLiteral("viewer")};
    Run first = token(args);
    QCOMPARE(first.code, 0);
    Run second = token(args);
    QCOMPARE(second.code, 1);
    QCOMPARE(second.out, QString()); // no token printed
    QVERIFY2(second.err.contains(QStringLiteral("\"bob\" already exists")), qPrintable(second.err));
    QCOMPARE(fileTokenNames(m_tokenState).count(QStringLiteral("bob")), 1);
}

void TestCli::tokenErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("stderrHas");
    const QString c = QStringLiteral("--config");
    const QString n = QStringLiteral("--name");
    const QString r = QStringLiteral("--role");
    const QString create = QStringLiteral("create");
    const QString revoke = QStringLiteral("revoke");
    QTest::newRow("revoke unknown")
        << QStringList{revoke, c, m_tokenConfig, n, QStringLiteral("nobody")} << 1
        << QStringLiteral("no token named \"nobody\"");
    QTest::newRow("revoke a config token")
        << QStringList{revoke, c, m_tokenConfig, n, QStringLiteral("grafana")} << 1
        << QStringLiteral("master.auth.tokens");
    QTest::newRow("create a config token's name") << QStringList{create,
                                                                 c,
                                                                 m_tokenConfig,
                                                                 n,
                                                                 QStringLiteral("grafana"),
                                                                 r,
                                                                 QStringLiteral("admin")}
                                                  << 1 << QStringLiteral("already exists");
    QTest::newRow("invalid config")
        << QStringList{create, c, m_invalid, n, QStringLiteral("x"), r, QStringLiteral("admin")}
        << 1
        << m_invalid + QStringLiteral(":5:15: pools[0].replicas: expected a whole number from 0 "
                                      "to 10000, got \"many\"");
    QTest::newRow("list with an invalid config")
        << QStringList{QStringLiteral("list"), c, m_invalid} << 1
        << m_invalid + QStringLiteral(": 2 errors");
    QTest::newRow("missing config file")
        << QStringList{QStringLiteral("list"), c, m_dir.filePath(QStringLiteral("none.yaml"))} << 1
        << QStringLiteral("cannot open");
    QTest::newRow("missing --name")
        << QStringList{create, c, m_tokenConfig, r, QStringLiteral("admin")} << 2
        << QStringLiteral("--name");
    QTest::newRow("missing --role") << QStringList{create, c, m_tokenConfig, n, QStringLiteral("x")}
                                    << 2 << QStringLiteral("--role");
    QTest::newRow("bad --role")
        << QStringList{create, c, m_tokenConfig, n, QStringLiteral("x"), r, QStringLiteral("root")}
        << 2 << QStringLiteral("root");
    QTest::newRow("bad name") << QStringList{create,
                                             c,
                                             m_tokenConfig,
                                             n,
                                             QStringLiteral("a/b"),
                                             r,
                                             QStringLiteral("admin")}
                              << 2 << QStringLiteral("invalid token name \"a/b\"");
    QTest::newRow("missing --config")
        << QStringList{QStringLiteral("list")} << 2 << QStringLiteral("--config");
    QTest::newRow("revoke without --name")
        << QStringList{revoke, c, m_tokenConfig} << 2 << QStringLiteral("--name");
    QTest::newRow("no subcommand") << QStringList{} << 2 << QStringLiteral("subcommand");
    QTest::newRow("unknown subcommand")
        << QStringList{QStringLiteral("rotate")} << 2 << QStringLiteral("subcommand");
}

void TestCli::tokenErrors()
{
    QFETCH(QStringList, args);
    QFETCH(int, code);
    QFETCH(QString, stderrHas);
    Run r = token(args);
    QCOMPARE(r.code, code);
    QCOMPARE(r.out, QString());
    QVERIFY2(r.err.contains(stderrHas), qPrintable(r.err));
    // A refused create adds nothing to the tokens file.
    const QStringList names = fileTokenNames(m_tokenState);
    QVERIFY2(!names.contains(QStringLiteral("x")) && !names.contains(QStringLiteral("a/b")) &&
                 !names.contains(QStringLiteral("grafana")),
             qPrintable(names.join(QLatin1Char(','))));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
