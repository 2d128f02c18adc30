// The config loader against real YAML: every error of an invalid document with its exact
// line, column, path and message; valid documents down to their typed specs; `${VAR}`
// expansion, `extends:` chains, revision stability, the error cap and hostile input; which
// values are secret and the redacted text viewers see.
#include "config/loader.h"
#include "config/secrets.h"

#include <QDateTime>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <date/tz.h>
#include <map>
#include <random>

using namespace drover::config;

namespace {

/// A fixed environment, so that `${VAR}` results do not depend on who runs the tests.
LoadOptions options()
{
    LoadOptions o;
    static const std::map<std::string, std::string> env = {
        {"HOME", "/home/op"},
        {"LOG_LEVEL", "debug"},
        {"EMPTY", ""},
        {"PATH", "/usr/bin:/bin"},
        {"DB_URL", "postgres://app:hunter2@db/app"}};
    o.env = [](const std::string &name) -> std::optional<std::string> {
        auto it = env.find(name);
        return it == env.end() ? std::nullopt : std::optional(it->second);
    };
    o.baseDir = "/etc/drover";
    return o;
}

LoadResult load(const QByteArray &yaml, LoadOptions o = options())
{
    return loadText(std::string_view(yaml.constData(), static_cast<std::size_t>(yaml.size())),
                    "t.yaml", o);
}

Config loadOk(const QByteArray &yaml, LoadOptions o = options())
{
    LoadResult r = load(yaml, std::move(o));
    if (!r.ok())
        qWarning().noquote() << QString::fromStdString(r.report());
    return r.config.value_or(Config{});
}

QStringList lines(const LoadResult &r)
{
    QStringList out;
    for (const auto &d : r.errors)
        out << QString::fromStdString(d.toString());
    return out;
}

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

} // namespace

class TestConfig : public QObject
{
    Q_OBJECT

private slots:
    void invalidDocuments_data();
    void invalidDocuments();
    void fullDocument();
    void defaults();
    void paths();
    void envExpansion_data();
    void envExpansion();
    void extendsChain();
    void extendsListsReplace();
    void revisionStable();
    void revisionChanges_data();
    void revisionChanges();
    void durationsAndSizes_data();
    void durationsAndSizes();
    void errorCap();
    void hostileInput_data();
    void hostileInput();
    void fileErrors();
    void hugeFile();
    void examplesLoad();
    void notActedOnIsReported();
    void secretKeyNames_data();
    void secretKeyNames();
    void envLongForm();
    void envLongFormErrors_data();
    void envLongFormErrors();
    void secretEnv_data();
    void secretEnv();
    void secretEnvThroughTemplates();
    void redactText_data();
    void redactText();
    void redactUnreadable_data();
    void redactUnreadable();
    void redactExamples();
    void envRedaction_data();
    void envRedaction();
    void jobSchedule_data();
    void jobSchedule();
    void jobManual();
    void jobErrors_data();
    void jobErrors();
    void jobFromTemplate();
    void jobRestartNever();
    void jobRevisionIgnoresSchedule_data();
    void jobRevisionIgnoresSchedule();
    void jobSummary();
    void describeSchedule_data();
    void describeSchedule();
    void containerPool();
    void containerErrors_data();
    void containerErrors();
    void containerRevision_data();
    void containerRevision();
};

void TestConfig::invalidDocuments_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("empty file")
        << QByteArray("", 0)
        << QStringList{QStringLiteral(
               "t.yaml:1:1: the file is empty; a config starts with \"version: 1\"")};
    QTest::newRow("only a comment")
        << QByteArray("# nothing here\n", 15)
        << QStringList{QStringLiteral(
               "t.yaml:1:1: the file is empty; a config starts with \"version: 1\"")};
    QTest::newRow("top level is a list")
        << QByteArray("- version: 1\n", 13)
        << QStringList{QStringLiteral(
               "t.yaml:1:1: expected a mapping with \"version: 1\" at the top, got a list")};
    QTest::newRow("top level is a scalar")
        << QByteArray("hello\n", 6)
        << QStringList{QStringLiteral(
               "t.yaml:1:1: expected a mapping with \"version: 1\" at the top, got \"hello\"")};
    QTest::newRow("missing version")
        << QByteArray("pools: []\n", 10)
        << QStringList{QStringLiteral(
               "t.yaml:1:1: missing required key \"version\" (add \"version: 1\" at the top)")};
    QTest::newRow("unsupported version")
        << QByteArray("version: 2\n", 11)
        << QStringList{QStringLiteral(
               "t.yaml:1:10: version: unsupported version 2 (this droverd reads version 1)")};
    QTest::newRow("version not a number")
        << QByteArray("version: one\n", 13)
        << QStringList{QStringLiteral(
               "t.yaml:1:10: version: expected a whole number from 1 to 1000, got \"one\"")};
    QTest::newRow("misspelt top key")
        << QByteArray("verison: 1\n", 11)
        << QStringList{
               QStringLiteral(
                   "t.yaml:1:1: verison: unknown key \"verison\" (did you mean \"version\"?)"),
               QStringLiteral(
                   "t.yaml:1:1: missing required key \"version\" (add \"version: 1\" at the top)")};
    QTest::newRow("unclosed flow list")
        << QByteArray("version: 1\npools: [\n", 20)
        << QStringList{
               QStringLiteral("t.yaml:3:1: YAML syntax error: end of sequence flow not found")};
    QTest::newRow("tab indentation")
        << QByteArray("version: 1\nmaster:\n\011listen: 127.0.0.1:7700\n", 43)
        << QStringList{QStringLiteral(
               "t.yaml:3:1: a tab indents this line; YAML indents with spaces only")};
    QTest::newRow("duplicate key")
        << QByteArray("version: 1\nmaster: {}\nmaster: {}\n", 33)
        << QStringList{QStringLiteral("t.yaml:3:1: duplicate key \"master\" (first at line 2)")};
    QTest::newRow("two documents")
        << QByteArray("version: 1\n---\nversion: 1\n", 26)
        << QStringList{QStringLiteral("t.yaml:2:1: a config file holds one YAML document; a second "
                                      "starts here (remove the \"---\" line)")};
    QTest::newRow("invalid utf-8")
        << QByteArray("version: 1\npools:\n  - name: caf\351\n", 33)
        << QStringList{
               QStringLiteral("t.yaml:3:14: invalid UTF-8 byte 0xe9: save the file as UTF-8")};
    QTest::newRow("NUL byte")
        << QByteArray("version: 1\npools: [\000]\n", 22)
        << QStringList{
               QStringLiteral("t.yaml:2:9: control character 0x00: this looks like a binary file")};
    QTest::newRow("pool without name and command")
        << QByteArray("version: 1\npools:\n  - replicas: 2\n", 34)
        << QStringList{QStringLiteral("t.yaml:3:5: pools[0]: missing required key \"name\""),
                       QStringLiteral("t.yaml:3:5: pools[0]: missing required key \"command\" (the "
                                      "program and its arguments, as a list)")};
    QTest::newRow("invalid pool name")
        << QByteArray("version: 1\npools:\n  - name: Api Server\n    command: [a]\n", 56)
        << QStringList{QStringLiteral(
               "t.yaml:3:11: pools[0].name: invalid name \"Api Server\" (letters, digits, \"-\", "
               "\"_\" and \".\", starting with a letter or digit, at most 63)")};
    QTest::newRow("replicas not a number")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n    replicas: four\n",
                      68)
        << QStringList{QStringLiteral("t.yaml:5:15: pools[0].replicas: expected a whole number "
                                      "from 0 to 10000, got \"four\"")};
    QTest::newRow("replicas negative")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n    replicas: -1\n", 66)
        << QStringList{QStringLiteral(
               "t.yaml:5:15: pools[0].replicas: expected a whole number from 0 to 10000, got -1")};
    QTest::newRow("replicas too large")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n    replicas: 100000\n",
                      70)
        << QStringList{QStringLiteral("t.yaml:5:15: pools[0].replicas: expected a whole number "
                                      "from 0 to 10000, got 100000")};
    QTest::newRow("command is a string")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: /usr/bin/api --fast\n", 65)
        << QStringList{
               QStringLiteral("t.yaml:4:14: pools[0].command: expected a list of strings, got "
                              "\"/usr/bin/api --fast\" (write a list: [\"/usr/bin/api\", ...])")};
    QTest::newRow("command is empty")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: []\n", 48)
        << QStringList{QStringLiteral("t.yaml:4:14: pools[0].command: must not be empty")};
    QTest::newRow("unquoted placeholder")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [/bin/api, --port, "
                      "{{port}}]\n    ports: 9000-9010\n",
                      95)
        << QStringList{QStringLiteral("t.yaml:4:33: write \"{{port}}\" in quotes: unquoted, YAML "
                                      "reads {{port}} as a mapping")};
    QTest::newRow("unknown placeholder")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [/bin/api, "
                      "\"--port={{prot}}\"]\n    ports: 9000-9010\n",
                      96)
        << QStringList{QStringLiteral("t.yaml:4:33: pools[0].command[1]: unknown placeholder "
                                      "{{prot}} (did you mean {{port}}?)")};
    QTest::newRow("port placeholder without ports")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [/bin/api, \"{{port}}\"]\n",
                      68)
        << QStringList{QStringLiteral("t.yaml:4:26: pools[0].command[1]: {{port}} needs a port "
                                      "range, but pools[0] (\"api\") has no \"ports\"")};
    QTest::newRow("ports run backwards")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n    ports: 9100-9000\n",
                      70)
        << QStringList{QStringLiteral("t.yaml:5:12: pools[0].ports: the range 9100-9000 runs "
                                      "backwards (write 9000-9100)")};
    QTest::newRow("port out of range")
        << QByteArray(
               "version: 1\npools:\n  - name: api\n    command: [a]\n    ports: 70000-70010\n", 72)
        << QStringList{QStringLiteral(
               "t.yaml:5:12: pools[0].ports: port 70000 is out of range (1 to 65535)")};
    QTest::newRow("port range too small")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n    replicas: 4\n    "
                      "ports: 9100-9103\n",
                      86)
        << QStringList{
               QStringLiteral("t.yaml:6:12: pools[0].ports: the range 9100-9103 has 4 ports, but "
                              "the pool needs 5 (4 workers + 1 surge during rollouts)")};
    QTest::newRow("overlapping port ranges")
        << QByteArray("version: 1\npools:\n  - name: a\n    command: [a]\n    ports: 9100-9199\n  "
                      "- name: b\n    command: [b]\n    ports: 9150-9160\n",
                      118)
        << QStringList{QStringLiteral("t.yaml:8:12: pools[1].ports: 9150-9160 overlaps the ports "
                                      "9100-9199 of pools[0] (\"a\", line 5)")};
    QTest::newRow("replicas and autoscale")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n    replicas: 2\n    "
                      "autoscale: {min: 1, max: 4}\n",
                      97)
        << QStringList{QStringLiteral("t.yaml:6:5: pools[0].autoscale: replicas and autoscale "
                                      "exclude each other; keep one")};
    QTest::newRow("autoscale min above max")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n    autoscale: {min: "
                      "5, max: 2}\n",
                      81)
        << QStringList{
               QStringLiteral("t.yaml:5:22: pools[0].autoscale.min: min 5 is greater than max 2")};
    QTest::newRow("autoscale without max")
        << QByteArray(
               "version: 1\npools:\n  - name: api\n    command: [a]\n    autoscale: {min: 1}\n", 73)
        << QStringList{
               QStringLiteral("t.yaml:5:16: pools[0].autoscale: missing required key \"max\"")};
    QTest::newRow("target utilization above 1")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n    autoscale: {max: "
                      "4, target_utilization: 1.5}\n",
                      98)
        << QStringList{QStringLiteral("t.yaml:5:45: pools[0].autoscale.target_utilization: "
                                      "expected a number greater than 0 and at most 1, got 1.5")};
    QTest::newRow("duration without unit")
        << QByteArray(
               "version: 1\npools:\n  - name: api\n    command: [a]\n    stop: {timeout: 5}\n", 72)
        << QStringList{QStringLiteral("t.yaml:5:21: pools[0].stop.timeout: expected a duration "
                                      "like 250ms, 5s, 2m or 1h, got \"5\"")};
    QTest::newRow("duration garbage")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n    stop: {timeout: "
                      "five seconds}\n",
                      83)
        << QStringList{QStringLiteral("t.yaml:5:21: pools[0].stop.timeout: expected a duration "
                                      "like 250ms, 5s, 2m or 1h, got \"five seconds\"")};
    QTest::newRow("size with unknown unit")
        << QByteArray(
               "version: 1\npools:\n  - name: api\n    command: [a]\n    limits: {memory: 256MB}\n",
               77)
        << QStringList{QStringLiteral(
               "t.yaml:5:22: pools[0].limits.memory: expected a size like 512Ki, 256Mi or 2Gi, got "
               "\"256MB\" (unknown unit \"MB\"; use Ki, Mi, Gi, Ti, K, M, G, T or plain bytes)")};
    QTest::newRow("cpu limit zero")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n    limits: {cpu: 0}\n",
                      70)
        << QStringList{QStringLiteral("t.yaml:5:19: pools[0].limits.cpu: expected a number greater "
                                      "than 0 and at most 1024, got 0")};
    QTest::newRow("unknown restart policy")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n    restart: {policy: "
                      "sometimes}\n",
                      82)
        << QStringList{QStringLiteral("t.yaml:5:23: pools[0].restart.policy: unknown value "
                                      "\"sometimes\" (one of always, on-failure, never)")};
    QTest::newRow("jitter above 1")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n    restart: {backoff: "
                      "{jitter: 2}}\n",
                      85)
        << QStringList{QStringLiteral("t.yaml:5:33: pools[0].restart.backoff.jitter: expected a "
                                      "number from 0 to 1, got 2")};
    QTest::newRow("unknown stop signal")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n    stop: {signal: "
                      "SIGSTOPP}\n",
                      78)
        << QStringList{QStringLiteral(
               "t.yaml:5:20: pools[0].stop.signal: unknown signal \"SIGSTOPP\" (one of SIGTERM, "
               "SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2, SIGKILL, SIGWINCH)")};
    QTest::newRow("unknown probe kind")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n    probes:\n      "
                      "liveness: {udp: {port: 53}}\n",
                      95)
        << QStringList{QStringLiteral("t.yaml:6:18: pools[0].probes.liveness.udp: unknown probe "
                                      "kind \"udp\" (one of http, tcp, exec, grpc)")};
    QTest::newRow("probe without kind")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n    probes:\n      "
                      "liveness: {interval: 5s}\n",
                      92)
        << QStringList{QStringLiteral("t.yaml:6:17: pools[0].probes.liveness: missing the probe "
                                      "kind (one of http, tcp, exec, grpc)")};
    QTest::newRow("probe with two kinds")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n    probes:\n      "
                      "liveness: {tcp: {port: 1}, exec: {command: [true]}}\n",
                      119)
        << QStringList{QStringLiteral("t.yaml:6:34: pools[0].probes.liveness.exec: a probe has one "
                                      "kind, but this one also has \"tcp\"")};
    QTest::newRow("probe url not http")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n    probes:\n      "
                      "readiness: {http: {url: \"ftp://x/\"}}\n",
                      104)
        << QStringList{QStringLiteral("t.yaml:6:31: pools[0].probes.readiness.http.url: expected "
                                      "an http:// or https:// URL, got \"ftp://x/\"")};
    QTest::newRow("expect_status out of range")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n    probes:\n      "
                      "readiness: {http: {url: \"http://127.0.0.1/\", expect_status: 200-700}}\n",
                      137)
        << QStringList{
               QStringLiteral("t.yaml:6:67: pools[0].probes.readiness.http.expect_status: expected "
                              "a status or range within 100-599 like 200-399, got \"200-700\"")};
    QTest::newRow("tcp probe without port")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n    probes:\n      "
                      "liveness: {tcp: {host: 127.0.0.1}}\n",
                      102)
        << QStringList{QStringLiteral(
               "t.yaml:6:23: pools[0].probes.liveness.tcp: missing required key \"port\"")};
    QTest::newRow("misspelt probe role")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n    probes:\n      "
                      "readyness: {tcp: {port: 80}}\n",
                      96)
        << QStringList{QStringLiteral("t.yaml:6:7: pools[0].probes.readyness: unknown key "
                                      "\"readyness\" (did you mean \"readiness\"?)")};
    QTest::newRow("unknown gateway strategy")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n    ports: 9000-9009\n "
                      "   gateway: {listen: 127.0.0.1:8080, strategy: fastest}\n",
                      127)
        << QStringList{QStringLiteral("t.yaml:6:49: pools[0].gateway.strategy: unknown value "
                                      "\"fastest\" (one of round-robin, least-busy, random-two)")};
    QTest::newRow("gateway without listen")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n    ports: 9000-9009\n "
                      "   gateway: {strategy: round-robin}\n",
                      107)
        << QStringList{
               QStringLiteral("t.yaml:6:14: pools[0].gateway: missing required key \"listen\"")};
    QTest::newRow("two gateways on one address")
        << QByteArray("version: 1\npools:\n  - name: a\n    command: [a]\n    ports: 9000-9009\n   "
                      " gateway: {listen: 127.0.0.1:8080}\n  - name: b\n    command: [b]\n    "
                      "ports: 9100-9109\n    gateway: {listen: 127.0.0.1:8080}\n",
                      194)
        << QStringList{QStringLiteral("t.yaml:10:23: pools[1].gateway.listen: 127.0.0.1:8080 is "
                                      "already the gateway of pools[0] (\"a\", line 6)")};
    QTest::newRow("gateway on the master port")
        << QByteArray("version: 1\npools:\n  - name: a\n    command: [a]\n    ports: 9000-9009\n   "
                      " gateway: {listen: 127.0.0.1:7700}\n",
                      106)
        << QStringList{QStringLiteral("t.yaml:6:23: pools[0].gateway.listen: port 7700 is the "
                                      "master's own listen port (the default 7700)")};
    QTest::newRow("gateway without ports")
        << QByteArray("version: 1\npools:\n  - name: a\n    command: [a]\n    gateway: {listen: "
                      "127.0.0.1:8080}\n",
                      85)
        << QStringList{QStringLiteral("t.yaml:5:23: pools[0].gateway.listen: a gateway reaches its "
                                      "workers by port: give the pool \"ports\"")};
    QTest::newRow("non-loopback listen without tls and tokens")
        << QByteArray("version: 1\nmaster:\n  listen: 0.0.0.0:7700\n", 42)
        << QStringList{QStringLiteral(
               "t.yaml:3:11: master.listen: 0.0.0.0:7700 is not a loopback address: listening "
               "there needs tls (master.tls: {cert, key}) and at least one token (droverd token "
               "create)")};
    QTest::newRow("bad tokens")
        << QByteArray("version: 1\nmaster:\n  auth:\n    tokens:\n      - {name: alice, role: "
                      "root, sha256: abc}\n      - {name: alice, role: admin, sha256: "
                      "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}\n",
                      197)
        << QStringList{QStringLiteral("t.yaml:5:29: master.auth.tokens[0].role: unknown value "
                                      "\"root\" (one of viewer, operator, admin)"),
                       QStringLiteral("t.yaml:5:43: master.auth.tokens[0].sha256: expected 64 hex "
                                      "digits (a SHA-256), got \"abc\""),
                       QStringLiteral("t.yaml:6:16: master.auth.tokens[1].name: \"alice\" is "
                                      "already used by master.auth.tokens[0] (line 5)")};
    QTest::newRow("canary options under rolling")
        << QByteArray("version: 1\npools:\n  - name: a\n    command: [a]\n    rollout:\n      "
                      "strategy: rolling\n      canary: {steps: [{weight: 10}]}\n",
                      122)
        << QStringList{QStringLiteral("t.yaml:7:7: pools[0].rollout.canary: canary applies to the "
                                      "canary strategy, not rolling")};
    QTest::newRow("max_surge under blue-green")
        << QByteArray("version: 1\npools:\n  - name: a\n    command: [a]\n    rollout: {strategy: "
                      "blue-green, max_surge: 1}\n",
                      97)
        << QStringList{QStringLiteral("t.yaml:5:37: pools[0].rollout.max_surge: max_surge applies "
                                      "to the rolling strategy, not blue-green")};
    QTest::newRow("canary without steps")
        << QByteArray("version: 1\npools:\n  - name: a\n    command: [a]\n    rollout: {strategy: "
                      "canary}\n",
                      79)
        << QStringList{QStringLiteral(
               "t.yaml:5:14: pools[0].rollout: the canary strategy needs canary.steps (e.g. "
               "[{weight: 10, pause: 30s}, {weight: 50, pause: 1m}])")};
    QTest::newRow("canary weights must increase")
        << QByteArray("version: 1\npools:\n  - name: a\n    command: [a]\n    rollout:\n      "
                      "strategy: canary\n      canary: {steps: [{weight: 50}, {weight: 20}]}\n",
                      135)
        << QStringList{QStringLiteral("t.yaml:7:47: pools[0].rollout.canary.steps[1].weight: "
                                      "weights must increase, but 20 follows 50")};
    QTest::newRow("rolling that cannot start")
        << QByteArray("version: 1\npools:\n  - name: a\n    command: [a]\n    rollout: {max_surge: "
                      "0, max_unavailable: 0}\n",
                      95)
        << QStringList{
               QStringLiteral("t.yaml:5:14: pools[0].rollout: max_surge and max_unavailable are "
                              "both 0: a rolling update could not start")};
    QTest::newRow("depends_on unknown pool")
        << QByteArray("version: 1\npools:\n  - name: web\n    command: [a]\n  - name: job\n    "
                      "command: [b]\n    depends_on: [wbe]\n",
                      102)
        << QStringList{QStringLiteral(
               "t.yaml:7:18: pools[1].depends_on[0]: unknown pool or adopted process \"wbe\" "
               "(did you mean \"web\"?)")};
    QTest::newRow("depends_on itself")
        << QByteArray(
               "version: 1\npools:\n  - name: web\n    command: [a]\n    depends_on: [web]\n", 71)
        << QStringList{
               QStringLiteral("t.yaml:5:18: pools[0].depends_on[0]: dependency cycle: web -> web")};
    QTest::newRow("depends_on cycle of three")
        << QByteArray("version: 1\npools:\n  - name: a\n    command: [a]\n    depends_on: [b]\n  - "
                      "name: b\n    command: [b]\n    depends_on: [c]\n  - name: c\n    command: "
                      "[c]\n    depends_on: [a]\n",
                      165)
        << QStringList{QStringLiteral(
               "t.yaml:11:18: pools[2].depends_on[0]: dependency cycle: a -> b -> c -> a")};
    QTest::newRow("extends unknown template")
        << QByteArray("version: 1\ntemplates:\n  base: {replicas: 2}\npools:\n  - name: a\n    "
                      "extends: bsae\n    command: [a]\n",
                      98)
        << QStringList{QStringLiteral("t.yaml:6:14: pools[0].extends: unknown template \"bsae\" "
                                      "(did you mean \"base\"?)")};
    QTest::newRow("extends cycle")
        << QByteArray("version: 1\ntemplates:\n  a: {extends: b}\n  b: {extends: a}\npools:\n  - "
                      "name: p\n    extends: a\n    command: [x]\n",
                      109)
        << QStringList{
               QStringLiteral("t.yaml:4:16: templates.b.extends: extends cycle: a -> b -> a")};
    QTest::newRow("template error reported once")
        << QByteArray("version: 1\ntemplates:\n  base: {replica: 2}\npools:\n  - {name: a, "
                      "extends: base, command: [a]}\n  - {name: b, extends: base, command: [b]}\n",
                      136)
        << QStringList{QStringLiteral("t.yaml:3:10: templates.base.replica: unknown key "
                                      "\"replica\" (did you mean \"replicas\"?)")};
    QTest::newRow("unset environment variable")
        << QByteArray("version: 1\npools:\n  - name: a\n    command: [a]\n    env: {DB: "
                      "\"postgres://${DB_HOST}/db\"}\n",
                      89)
        << QStringList{QStringLiteral("t.yaml:5:27: pools[0].env.DB: environment variable DB_HOST "
                                      "is not set (give a default with ${DB_HOST:-value})")};
    QTest::newRow("invalid variable name")
        << QByteArray("version: 1\npools:\n  - name: a\n    command: [\"${1X}\"]\n", 53)
        << QStringList{QStringLiteral("t.yaml:4:16: pools[0].command[0]: invalid variable name "
                                      "\"1X\" (letters, digits and _; not starting with a digit)")};
    QTest::newRow("unclosed variable")
        << QByteArray("version: 1\npools:\n  - name: a\n    command: [\"${HOME\"]\n", 54)
        << QStringList{QStringLiteral("t.yaml:4:16: pools[0].command[0]: unclosed \"${\" (write "
                                      "\"$${\" for a literal \"${\")")};
    QTest::newRow("env is a list")
        << QByteArray("version: 1\npools:\n  - name: a\n    command: [a]\n    env: [A=1]\n", 62)
        << QStringList{QStringLiteral(
               "t.yaml:5:10: pools[0].env: expected a mapping of NAME: value, got a list")};
    QTest::newRow("invalid env name")
        << QByteArray("version: 1\npools:\n  - name: a\n    command: [a]\n    env: {MY-VAR: 1}\n",
                      68)
        << QStringList{
               QStringLiteral("t.yaml:5:11: pools[0].env.MY-VAR: invalid variable name \"MY-VAR\" "
                              "(letters, digits and _; not starting with a digit)")};
    QTest::newRow("duplicate pool names")
        << QByteArray("version: 1\npools:\n  - name: api\n    command: [a]\n  - name: api\n    "
                      "command: [b]\n",
                      80)
        << QStringList{QStringLiteral(
               "t.yaml:5:11: pools[1].name: \"api\" is already used by pools[0] (line 3)")};
    QTest::newRow("pool and adopted share a name")
        << QByteArray("version: 1\npools:\n  - name: db\n    command: [a]\nadopted:\n  - name: "
                      "db\n    pid_file: /run/db.pid\n",
                      96)
        << QStringList{QStringLiteral(
               "t.yaml:6:11: adopted[0].name: \"db\" is already used by pools[0] (line 3)")};
    QTest::newRow("adopted without pid_file")
        << QByteArray("version: 1\nadopted:\n  - name: db\n", 33)
        << QStringList{QStringLiteral("t.yaml:3:5: adopted[0]: missing required key \"pid_file\"")};
    QTest::newRow("adopted uses port placeholder")
        << QByteArray("version: 1\nadopted:\n  - name: db\n    pid_file: /run/db.pid\n    command: "
                      "[db, \"--port={{port}}\"]\n",
                      96)
        << QStringList{
               QStringLiteral("t.yaml:5:27: adopted[0].command[1]: {{port}} is not available for "
                              "an adopted process (only {{worker}} and {{pool}} are)")};
    QTest::newRow("retention shorter than resolution")
        << QByteArray("version: 1\nmaster:\n  metrics: {retention: 1s, resolution: 10s}\n", 63)
        << QStringList{QStringLiteral("t.yaml:3:24: master.metrics.retention: retention 1s is "
                                      "shorter than the resolution 10s")};
    QTest::newRow("listen address garbage")
        << QByteArray("version: 1\nmaster:\n  listen: localhost\n", 39)
        << QStringList{QStringLiteral("t.yaml:3:11: master.listen: expected an address like "
                                      "127.0.0.1:7700 or [::1]:7700, got \"localhost\"")};
    QTest::newRow("boolean spelled yes")
        << QByteArray("version: 1\npools:\n  - name: a\n    command: [a]\n    rollout: "
                      "{auto_rollback: yes}\n",
                      81)
        << QStringList{QStringLiteral(
               "t.yaml:5:30: pools[0].rollout.auto_rollback: expected true or false, got \"yes\"")};
    QTest::newRow("unknown retry condition")
        << QByteArray("version: 1\npools:\n  - name: a\n    command: [a]\n    ports: 9000-9009\n   "
                      " gateway:\n      listen: 127.0.0.1:8080\n      retry: {attempts: 2, on: "
                      "[connect-error, always]}\n",
                      166)
        << QStringList{QStringLiteral("t.yaml:8:48: pools[0].gateway.retry.on[1]: unknown value "
                                      "\"always\" (one of connect-error, timeout, 5xx)")};
    QTest::newRow("zero log files")
        << QByteArray("version: 1\npools:\n  - name: a\n    command: [a]\n    logs: {files: 0}\n",
                      68)
        << QStringList{QStringLiteral(
               "t.yaml:5:19: pools[0].logs.files: expected a whole number from 1 to 100, got 0")};
    QTest::newRow("pools is a mapping")
        << QByteArray("version: 1\npools: {name: a}\n", 28)
        << QStringList{
               QStringLiteral("t.yaml:2:8: pools: expected a list of pools, got a mapping")};
    QTest::newRow("templates is a list")
        << QByteArray("version: 1\ntemplates: [a]\n", 26)
        << QStringList{QStringLiteral(
               "t.yaml:2:12: templates: expected a mapping of name: {...}, got a list")};
    QTest::newRow("empty pool entry")
        << QByteArray("version: 1\npools:\n  -\n", 22)
        << QStringList{QStringLiteral("t.yaml:4:1: pools[0]: expected a mapping, got nothing")};
    QTest::newRow("complex key") << QByteArray("version: 1\n? [a, b]\n: 1\n", 24)
                                 << QStringList{QStringLiteral(
                                        "t.yaml:2:3: a key must be a plain name, not a list")};
    QByteArray chain = "version: 1\ntemplates:\n";
    for (int i = 0; i < 39; ++i)
        chain +=
            "  t" + QByteArray::number(i) + ": {extends: t" + QByteArray::number(i + 1) + "}\n";
    chain += "  t39: {stop: {timeout: 1s}}\npools:\n  - {name: p, extends: t0, command: [x]}\n";
    QTest::newRow("extends chain too long")
        << chain
        << QStringList{QStringLiteral(
               "t.yaml:34:18: templates.t31.extends: extends chain longer than 32 templates")};
    QTest::newRow("version far too large")
        << QByteArray("version: 99999999999\n")
        << QStringList{QStringLiteral(
               "t.yaml:1:10: version: expected a whole number from 1 to 1000, got 99999999999")};
    QTest::newRow("probe port with another placeholder")
        << QByteArray("version: 1\npools:\n  - name: a\n    command: [a]\n    ports: 9000-9009\n"
                      "    probes: {liveness: {tcp: {port: \"{{pool}}\"}}}\n")
        << QStringList{QStringLiteral("t.yaml:6:37: pools[0].probes.liveness.tcp.port: expected a "
                                      "port number or \"{{port}}\", got \"{{pool}}\"")};
    QTest::newRow("backoff initial above the default max")
        << QByteArray("version: 1\npools:\n  - name: a\n    command: [a]\n    restart: {backoff: "
                      "{initial: 1h}}\n")
        << QStringList{QStringLiteral("t.yaml:5:34: pools[0].restart.backoff.initial: max 30s is "
                                      "shorter than initial 1h")};
    QTest::newRow("rate limit beyond range")
        << QByteArray("version: 1\npools:\n  - name: a\n    command: [a]\n    ports: 9000-9009\n"
                      "    gateway: {listen: 127.0.0.1:8080, rate_limit: {rps: 1e10}}\n")
        << QStringList{QStringLiteral("t.yaml:6:57: pools[0].gateway.rate_limit.rps: expected a "
                                      "number greater than 0 and at most 1e+09, got 1e10")};
    QTest::newRow("two unparsable gateway addresses")
        << QByteArray("version: 1\npools:\n  - {name: a, command: [a], ports: 9000-9009, gateway: "
                      "{listen: nope}}\n"
                      "  - {name: b, command: [b], ports: 9100-9109, gateway: {listen: nope2}}\n")
        << QStringList{QStringLiteral("t.yaml:3:65: pools[0].gateway.listen: expected an address "
                                      "like 127.0.0.1:7700 or [::1]:7700, got \"nope\""),
                       QStringLiteral("t.yaml:4:65: pools[1].gateway.listen: expected an address "
                                      "like 127.0.0.1:7700 or [::1]:7700, got \"nope2\"")};
    QTest::newRow("gateway on every address clashes with loopback")
        << QByteArray("version: 1\npools:\n"
                      "  - {name: a, command: [a], ports: 9000-9009, gateway: {listen: "
                      "\"0.0.0.0:8080\"}}\n"
                      "  - {name: b, command: [b], ports: 9100-9109, gateway: {listen: "
                      "\"localhost:8080\"}}\n"
                      "  - {name: c, command: [c], ports: 9200-9209, gateway: {listen: "
                      "\"127.0.0.1:8081\"}}\n"
                      "  - {name: d, command: [d], ports: 9300-9309, gateway: {listen: "
                      "\"localhost:8081\"}}\n")
        << QStringList{
               QStringLiteral("t.yaml:4:65: pools[1].gateway.listen: localhost:8080 clashes with "
                              "0.0.0.0:8080, the gateway of pools[0] (\"a\", line 3)"),
               QStringLiteral("t.yaml:6:65: pools[3].gateway.listen: localhost:8081 is already the "
                              "gateway of pools[2] (\"c\", line 5)")};
    QTest::newRow("misspelt probe kind")
        << QByteArray("version: 1\npools:\n  - name: a\n    command: [a]\n"
                      "    probes: {liveness: {htp: {url: \"http://127.0.0.1/\"}}}\n")
        << QStringList{QStringLiteral("t.yaml:5:25: pools[0].probes.liveness.htp: unknown key "
                                      "\"htp\" (did you mean \"http\"?)")};
}

void TestConfig::invalidDocuments()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QStringList, expected);
    LoadResult r = load(yaml);
    QVERIFY(!r.ok());
    QCOMPARE(lines(r), expected);
    QCOMPARE(r.moreErrors, std::size_t(0));
}

// The example of CONFIG.md, with real token hashes: every key read into its spec.
void TestConfig::fullDocument()
{
    const QByteArray yaml = R"(version: 1
master:
  listen: 127.0.0.1:7701
  state_dir: ~/state
  tls: {cert: /etc/drover/cert.pem, key: key.pem}
  auth:
    tokens:
      - {name: alice, role: admin, sha256: "3B1F000000000000000000000000000000000000000000000000000000000000"}
      - {name: grafana, role: viewer, sha256: "9ac0000000000000000000000000000000000000000000000000000000000000"}
  metrics: {retention: 2h, resolution: 5s}
templates:
  http-worker:
    restart: {policy: on-failure, backoff: {initial: 200ms, max: 30s, factor: 2, jitter: 0.2},
              max_restarts: 10, window: 5m}
    stop: {signal: SIGTERM, timeout: 10s}
    probes:
      readiness: {http: {url: "http://127.0.0.1:{{port}}/ready"}, interval: 2s, timeout: 500ms}
      liveness:  {http: {url: "http://127.0.0.1:{{port}}/health"}, interval: 5s, timeout: 1s,
                  failure_threshold: 3}
pools:
  - name: api
    extends: http-worker
    command: ["/opt/api/bin/api", "--port", "{{port}}"]
    cwd: /opt/api
    env: {LOG_LEVEL: "${LOG_LEVEL:-info}", REGION: "${REGION:-eu}"}
    replicas: 4
    ports: 9100-9199
    limits: {memory: 256Mi, cpu: 0.5, nofile: 4096, pids: 64}
    gateway:
      listen: 127.0.0.1:8080
      strategy: least-busy
      per_worker_concurrency: 8
      queue: {max: 256, timeout: 5s}
      request_timeout: 30s
      retry: {attempts: 2, on: [connect-error, timeout]}
      circuit_breaker: {consecutive_failures: 5, open_for: 10s}
      rate_limit: {rps: 500, burst: 100}
      drain_timeout: 15s
    rollout:
      strategy: rolling
      max_surge: 1
      max_unavailable: 0
      min_ready: 5s
      progress_deadline: 2m
      auto_rollback: true
  - name: nightly-report
    command: ["/usr/bin/python3", "report.py"]
    restart: {policy: never}
    depends_on: [api]
  - name: canary-svc
    command: [svc, "--port={{port}}"]
    replicas: 2
    ports: 9300-9303
    rollout:
      strategy: canary
      canary: {steps: [{weight: 10, pause: 30s}, {weight: 50, pause: 1m}], max_error_rate: 0.05}
adopted:
  - name: legacy-db
    pid_file: /var/run/legacy-db.pid
    probes: {liveness: {tcp: {host: 127.0.0.1, port: 5432}, interval: 10s}}
)";
    Config c = loadOk(yaml);
    QCOMPARE(c.pools.size(), std::size_t(3));

    QCOMPARE(c.master.listen.toString(), std::string("127.0.0.1:7701"));
    QCOMPARE(c.master.stateDir, std::string("/home/op/state"));
    QVERIFY(c.master.tls);
    QCOMPARE(c.master.tls->cert, std::string("/etc/drover/cert.pem"));
    QCOMPARE(c.master.tls->key, std::string("/etc/drover/key.pem"));
    QCOMPARE(c.master.tokens.size(), std::size_t(2));
    QVERIFY(c.master.tokens[0].role == drover::api::Role::Admin);
    QCOMPARE(c.master.tokens[0].sha256.substr(0, 4), std::string("3b1f"));
    QCOMPARE(c.master.tokens[1].name, std::string("grafana"));
    QCOMPARE(c.master.metricsRetention, Duration(2h));
    QCOMPARE(c.master.metricsResolution, Duration(5s));

    const PoolSpec &api = c.pools[0];
    QCOMPARE(api.name, std::string("api"));
    QCOMPARE(api.extends, std::vector<std::string>{"http-worker"});
    QCOMPARE(api.command, (std::vector<std::string>{"/opt/api/bin/api", "--port", "{{port}}"}));
    QCOMPARE(api.cwd, std::string("/opt/api"));
    QCOMPARE(api.env.at("LOG_LEVEL"), std::string("debug"));
    QCOMPARE(api.env.at("REGION"), std::string("eu"));
    QCOMPARE(api.replicas, 4);
    QVERIFY(!api.autoscale);
    QCOMPARE(api.ports->first, 9100);
    QCOMPARE(api.ports->last, 9199);
    QCOMPARE(*api.limits.memory, std::uint64_t(256) << 20);
    QCOMPARE(*api.limits.cpu, 0.5);
    QCOMPARE(*api.limits.nofile, 4096);
    QCOMPARE(*api.limits.pids, 64);
    QVERIFY(api.restart.policy == RestartPolicy::OnFailure);
    QCOMPARE(api.restart.backoff.initial, Duration(200ms));
    QCOMPARE(api.restart.backoff.max, Duration(30s));
    QCOMPARE(api.restart.maxRestarts, 10);
    QCOMPARE(api.restart.window, Duration(5min));
    QCOMPARE(api.stop.signal, 15);
    QCOMPARE(api.stop.timeout, Duration(10s));
    QVERIFY(api.probes.readiness && api.probes.liveness && !api.probes.startup);
    QVERIFY(api.probes.readiness->kind == ProbeKind::Http);
    QCOMPARE(api.probes.readiness->http.url, std::string("http://127.0.0.1:{{port}}/ready"));
    QCOMPARE(api.probes.readiness->interval, Duration(2s));
    QCOMPARE(api.probes.readiness->timeout, Duration(500ms));
    QCOMPARE(api.probes.readiness->failureThreshold, 3);
    QCOMPARE(api.probes.liveness->interval, Duration(5s));
    QCOMPARE(api.probes.liveness->http.method, std::string("GET"));
    QCOMPARE(api.probes.liveness->http.statusMax, 399);
    QVERIFY(api.gateway);
    QCOMPARE(api.gateway->listen.port, 8080);
    QVERIFY(api.gateway->strategy == GatewayStrategy::LeastBusy);
    QCOMPARE(api.gateway->perWorkerConcurrency, 8);
    QCOMPARE(api.gateway->queueMax, 256);
    QCOMPARE(api.gateway->queueTimeout, Duration(5s));
    QCOMPARE(api.gateway->retryAttempts, 2);
    QVERIFY(api.gateway->retryOn ==
            (std::vector<RetryOn>{RetryOn::ConnectError, RetryOn::Timeout}));
    QCOMPARE(api.gateway->breakerFailures, 5);
    QCOMPARE(*api.gateway->rateLimitRps, 500.0);
    QCOMPARE(api.gateway->rateLimitBurst, 100);
    QCOMPARE(api.gateway->drainTimeout, Duration(15s));
    QVERIFY(api.rollout.strategy == RolloutStrategy::Rolling);
    QCOMPARE(api.rollout.maxSurge, 1);
    QCOMPARE(api.rollout.progressDeadline, Duration(2min));
    QCOMPARE(api.revision.size(), std::size_t(12));

    const PoolSpec &report = c.pools[1];
    QVERIFY(report.restart.policy == RestartPolicy::Never);
    QCOMPARE(report.dependsOn, std::vector<std::string>{"api"});
    QCOMPARE(report.replicas, 1);
    QCOMPARE(report.cwd, std::string("/etc/drover"));
    QVERIFY(!report.ports);

    const PoolSpec &canary = c.pools[2];
    QVERIFY(canary.rollout.strategy == RolloutStrategy::Canary);
    QCOMPARE(canary.rollout.canarySteps.size(), std::size_t(2));
    QCOMPARE(canary.rollout.canarySteps[1].weight, 50);
    QCOMPARE(canary.rollout.canarySteps[1].pause, Duration(1min));
    QCOMPARE(canary.rollout.maxErrorRate, 0.05);
    QCOMPARE(canary.rollout.maxSurge, 0);

    QCOMPARE(c.adopted.size(), std::size_t(1));
    QCOMPARE(c.adopted[0].pidFile, std::string("/var/run/legacy-db.pid"));
    QVERIFY(c.adopted[0].probes.liveness->kind == ProbeKind::Tcp);
    QCOMPARE(c.adopted[0].probes.liveness->tcp.port, std::string("5432"));
    QCOMPARE(c.adopted[0].probes.liveness->interval, Duration(10s));
    QVERIFY(c.adopted[0].command.empty());

    QCOMPARE(c.summary().toString(),
             std::string("3 pools, 8 workers at start, 3 probes, 1 gateway, 1 adopted process"));
}

void TestConfig::defaults()
{
    Config c = loadOk("version: 1\npools:\n  - {name: one, command: [/bin/true]}\n");
    QCOMPARE(c.master.listen.toString(), std::string("127.0.0.1:7700"));
    QCOMPARE(c.master.stateDir, std::string("/home/op/.local/state/drover"));
    QVERIFY(!c.master.tls);
    QCOMPARE(c.master.metricsRetention, Duration(1h));
    QCOMPARE(c.master.metricsResolution, Duration(1s));
    const PoolSpec &p = c.pools.at(0);
    QCOMPARE(p.replicas, 1);
    QVERIFY(p.restart.policy == RestartPolicy::OnFailure);
    QCOMPARE(p.restart.backoff.factor, 2.0);
    QCOMPARE(p.restart.backoff.jitter, 0.2);
    QCOMPARE(p.stop.timeout, Duration(10s));
    QVERIFY(p.rollout.strategy == RolloutStrategy::Rolling);
    QCOMPARE(p.rollout.maxSurge, 1);
    QCOMPARE(p.rollout.maxUnavailable, 0);
    QVERIFY(p.rollout.autoRollback);
    QCOMPARE(p.logs.maxSize, std::uint64_t(10) << 20);
    QCOMPARE(p.logs.files, 5);
    QCOMPARE(p.probes.count(), 0);
    QVERIFY(!p.limits.memory && !p.limits.cpu && !p.limits.nofile && !p.limits.pids);
    QCOMPARE(c.summary().toString(),
             std::string("1 pool, 1 worker at start, 0 probes, 0 gateways"));

    // XDG_STATE_HOME wins over HOME for the state dir.
    LoadOptions o = options();
    auto base = o.env;
    o.env = [base](const std::string &n) {
        return n == "XDG_STATE_HOME" ? std::optional<std::string>("/var/state") : base(n);
    };
    QCOMPARE(loadOk("version: 1\n", o).master.stateDir, std::string("/var/state/drover"));
}

void TestConfig::paths()
{
    Config c = loadOk("version: 1\nmaster: {state_dir: state/../st}\npools:\n"
                      "  - {name: a, command: [a], cwd: work}\n"
                      "  - {name: b, command: [b], cwd: ~/b}\n"
                      "adopted:\n  - {name: c, pid_file: run/c.pid}\n");
    QCOMPARE(c.master.stateDir, std::string("/etc/drover/st"));
    QCOMPARE(c.pools[0].cwd, std::string("/etc/drover/work"));
    QCOMPARE(c.pools[1].cwd, std::string("/home/op/b"));
    QCOMPARE(c.adopted[0].pidFile, std::string("/etc/drover/run/c.pid"));
}

void TestConfig::envExpansion_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("expanded");
    QTest::newRow("set") << "${LOG_LEVEL}"
                         << "debug";
    QTest::newRow("default unused") << "${LOG_LEVEL:-info}"
                                    << "debug";
    QTest::newRow("default used") << "${NOPE:-info}"
                                  << "info";
    QTest::newRow("empty default") << "${NOPE:-}"
                                   << "";
    QTest::newRow("empty takes default") << "${EMPTY:-fallback}"
                                         << "fallback";
    QTest::newRow("empty without default") << "[${EMPTY}]"
                                           << "[]";
    QTest::newRow("inside text") << "a-${LOG_LEVEL}-b-${NOPE:-x}-c"
                                 << "a-debug-b-x-c";
    QTest::newRow("literal") << "$${HOME}"
                             << "${HOME}";
    QTest::newRow("lone dollars") << "$5 and $$ and $HOME"
                                  << "$5 and $$ and $HOME";
    QTest::newRow("default with colon") << "${NOPE:-http://x:1}"
                                        << "http://x:1";
    QTest::newRow("number") << "${NOPE:-42}"
                            << "42";
}

void TestConfig::envExpansion()
{
    QFETCH(QString, value);
    QFETCH(QString, expanded);
    QByteArray yaml = "version: 1\npools:\n  - name: a\n    command: [a]\n    env: {V: \"" +
                      value.toUtf8() + "\"}\n";
    Config c = loadOk(yaml);
    QCOMPARE(q(c.pools.at(0).env.at("V")), expanded);

    // A variable decides a number, too: expansion comes before typing.
    Config n =
        loadOk("version: 1\npools:\n  - {name: a, command: [a], replicas: \"${NOPE:-3}\"}\n");
    QCOMPARE(n.pools.at(0).replicas, 3);
}

void TestConfig::notActedOnIsReported()
{
    // A key that is valid but does nothing here is reported where it is, never silently
    // kept: blue-green's switch and canary's split need the pool's gateway.
    Config c = loadOk(R"(version: 1
templates:
  t:
    rollout: {strategy: canary, canary: {steps: [{weight: 10}]}}
pools:
  - name: a
    command: [a]
    rollout: {strategy: recreate}
  - name: b
    command: [b]
    rollout:
      strategy: blue-green
  - name: c
    extends: t
    command: [c]
  - name: d
    command: [d, "{{port}}"]
    ports: 9000-9003
    gateway: {listen: 127.0.0.1:9100}
    rollout:
      strategy: canary
      canary: {steps: [{weight: 50}]}
  - name: e
    command: [e]
    rollout: {strategy: rolling, max_surge: 2, progress_deadline: 1m, auto_rollback: false}
)");
    QCOMPARE(c.notActedOn.size(), std::size_t(2));
    QCOMPARE(c.notActedOn[0].line, 4); // the template's, for pool c
    QCOMPARE(c.notActedOn[0].path, std::string("pools[2].rollout.strategy"));
    QVERIFY(c.notActedOn[0].message.find("without a gateway: the steps' weights") !=
            std::string::npos);
    QCOMPARE(c.notActedOn[1].line, 12);
    QCOMPARE(c.notActedOn[1].column, 17);
    QCOMPARE(c.notActedOn[1].path, std::string("pools[1].rollout.strategy"));
    QVERIFY(c.notActedOn[1].message.find("without a gateway: no traffic is switched") !=
            std::string::npos);
    QVERIFY(loadOk("version: 1\npools:\n  - name: a\n    command: [a]\n").notActedOn.empty());
}

void TestConfig::extendsChain()
{
    Config c = loadOk(R"(version: 1
templates:
  base:
    restart: {policy: always, backoff: {initial: 1s, max: 1m}}
    stop: {timeout: 3s}
    env: {A: base, B: base}
  web:
    extends: base
    restart: {backoff: {max: 2m}}
    env: {B: web, C: web}
    ports: 9000-9009
pools:
  - name: p
    extends: web
    command: [p, "{{port}}"]
    env: {C: pool}
)");
    const PoolSpec &p = c.pools.at(0);
    QCOMPARE(p.extends, (std::vector<std::string>{"web", "base"}));
    QVERIFY(p.restart.policy == RestartPolicy::Always); // from base
    QCOMPARE(p.restart.backoff.initial, Duration(1s));  // from base, merged map
    QCOMPARE(p.restart.backoff.max, Duration(2min));    // web overrides base
    QCOMPARE(p.stop.timeout, Duration(3s));
    QCOMPARE(p.env,
             (std::map<std::string, std::string>{{"A", "base"}, {"B", "web"}, {"C", "pool"}}));
    QCOMPARE(p.ports->first, 9000);
}

void TestConfig::extendsListsReplace()
{
    Config c = loadOk(R"(version: 1
templates:
  t: {command: [a, b, c], depends_on: [x]}
pools:
  - {name: x, command: [x]}
  - {name: y, extends: t, command: [d]}
  - {name: z, extends: t}
)");
    QCOMPARE(c.pools.at(1).command, std::vector<std::string>{"d"});
    QCOMPARE(c.pools.at(2).command, (std::vector<std::string>{"a", "b", "c"}));
    QCOMPARE(c.pools.at(2).dependsOn, std::vector<std::string>{"x"});
}

void TestConfig::revisionStable()
{
    const QByteArray a = "version: 1\npools:\n  - name: api\n    command: [api, \"{{port}}\"]\n"
                         "    env: {A: \"1\", B: \"2\"}\n    ports: 9000-9009\n"
                         "    limits: {memory: 64Mi}\n";
    const QByteArray b =
        "version: 1\npools:\n  - limits: {memory: 67108864}\n    ports: 9000-9009\n"
        "    env: {B: \"2\", A: \"1\"}\n    command: [api, \"{{port}}\"]\n"
        "    name: api\n    replicas: 5\n";
    std::string ra = loadOk(a).pools.at(0).revision;
    QCOMPARE(loadOk(b).pools.at(0).revision, ra);
    // Pinned: the revision of a template must not change between runs or releases.
    QCOMPARE(q(ra), QStringLiteral("b72f3710be42"));
}

void TestConfig::revisionChanges_data()
{
    QTest::addColumn<QByteArray>("extra");
    QTest::addColumn<bool>("changes");
    QTest::newRow("replicas") << QByteArray("    replicas: 3\n") << false;
    QTest::newRow("probes") << QByteArray("    probes: {liveness: {tcp: {port: 1}}}\n") << false;
    QTest::newRow("restart") << QByteArray("    restart: {policy: always}\n") << false;
    QTest::newRow("env") << QByteArray("    env: {X: y}\n") << true;
    QTest::newRow("cwd") << QByteArray("    cwd: /srv\n") << true;
    QTest::newRow("limits") << QByteArray("    limits: {cpu: 1}\n") << true;
    QTest::newRow("ports") << QByteArray("    ports: 9000-9100\n") << true;
}

void TestConfig::revisionChanges()
{
    QFETCH(QByteArray, extra);
    QFETCH(bool, changes);
    const QByteArray base = "version: 1\npools:\n  - name: api\n    command: [api]\n";
    std::string before = loadOk(base).pools.at(0).revision;
    std::string after = loadOk(base + extra).pools.at(0).revision;
    QCOMPARE(before != after, changes);
}

void TestConfig::durationsAndSizes_data()
{
    QTest::addColumn<QString>("timeout");
    QTest::addColumn<qint64>("ms");
    QTest::newRow("ms") << "250ms" << qint64(250);
    QTest::newRow("s") << "5s" << qint64(5000);
    QTest::newRow("m") << "2m" << qint64(120000);
    QTest::newRow("h") << "1h" << qint64(3600000);
    QTest::newRow("combined") << "1m30s" << qint64(90000);
    QTest::newRow("fraction") << "1.5s" << qint64(1500);
    QTest::newRow("zero") << "0" << qint64(0);
}

void TestConfig::durationsAndSizes()
{
    QFETCH(QString, timeout);
    QFETCH(qint64, ms);
    Config c = loadOk("version: 1\npools:\n  - {name: a, command: [a], stop: {timeout: " +
                      timeout.toUtf8() + "}, limits: {memory: 1.5Gi}}\n");
    QCOMPARE(qint64(c.pools.at(0).stop.timeout.count()), ms);
    QCOMPARE(*c.pools.at(0).limits.memory, std::uint64_t(1536) << 20);
}

void TestConfig::errorCap()
{
    QByteArray yaml = "version: 1\npools:\n";
    for (int i = 0; i < 150; ++i)
        yaml += "  - {name: p" + QByteArray::number(i) + ", command: [a], replicas: x}\n";
    LoadResult r = load(yaml);
    QCOMPARE(r.errors.size(), std::size_t(100));
    QCOMPARE(r.moreErrors, std::size_t(50));
    QVERIFY(q(r.report()).endsWith(QStringLiteral("\nand 50 more errors\n")));
    QCOMPARE(r.errors.front().line, 3); // sorted by position
    QCOMPARE(r.errors.back().line, 102);
}

// Hostile documents: each gets an error with a location, and none crashes or runs away.
void TestConfig::hostileInput_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("message");
    QTest::addColumn<int>("line");

    QTest::newRow("deep flow lists")
        << QByteArray(10000, '[') << "nesting deeper than 64 levels" << 1;
    QByteArray maps;
    for (int i = 0; i < 10000; ++i)
        maps += "{a: ";
    QTest::newRow("deep flow maps") << maps << "nesting deeper than 64 levels" << 1;
    QByteArray blocks = "version: 1\nx:\n";
    for (int i = 1; i < 200; ++i)
        blocks += QByteArray(i * 2, ' ') + "- \n";
    QTest::newRow("deep block lists") << blocks << "nesting deeper than 64 levels" << 66;

    QByteArray laughs =
        "version: 1\nlol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (int i = 1; i <= 9; ++i) {
        laughs += "lol" + QByteArray::number(i) + ": &lol" + QByteArray::number(i) + " [";
        for (int k = 0; k < 10; ++k)
            laughs += (k ? ", *lol" : "*lol") + QByteArray::number(i - 1);
        laughs += "]\n";
    }
    QTest::newRow("billion laughs")
        << laughs << "would expand the document beyond 200000 values" << 7;

    QByteArray asString =
        laughs.left(laughs.indexOf("lol5:")) + "pools:\n  - name: *lol4\n    command: *lol4\n";
    QTest::newRow("alias bomb where a string goes")
        << asString << "would expand the document beyond 200000 values" << 8;

    QByteArray garbage(64 * 1024, '\0');
    std::mt19937 rng(42);
    for (char &c : garbage)
        c = static_cast<char>(rng());
    QTest::newRow("binary garbage") << garbage << "invalid UTF-8 byte" << 1;
    QTest::newRow("utf-16") << QByteArray("\xff\xfev\0e\0r\0", 8) << "UTF-16" << 1;
    QTest::newRow("tabs") << QByteArray("version: 1\nmaster:\n  \tlisten: x\n") << "tab" << 3;
    QTest::newRow("duplicate keys")
        << QByteArray("version: 1\nversion: 1\n") << "duplicate key" << 2;
    QTest::newRow("latin-1") << QByteArray("version: 1\n# gr\xfc\xdf"
                                           "e\n")
                             << "invalid UTF-8" << 2;
    QTest::newRow("many values") << QByteArray("version: 1\nx: [") +
                                        QByteArray("1,").repeated(250000) + "1]\n"
                                 << "more than 200000 values" << 2;
}

void TestConfig::hostileInput()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, message);
    QFETCH(int, line);
    LoadResult r = load(yaml);
    QVERIFY(!r.ok());
    QVERIFY(!r.errors.empty());
    const auto &first = r.errors.front();
    QVERIFY2(q(first.message).contains(message), first.message.c_str());
    QCOMPARE(first.line, line);
    QVERIFY(first.column >= 1);
    QVERIFY(r.report().size() < 20'000); // a bounded report, whatever the input
}

void TestConfig::fileErrors()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string base = dir.path().toStdString();

    LoadResult missing = loadFile(base + "/missing.yaml", options());
    QCOMPARE(q(missing.report()),
             q(base + "/missing.yaml: cannot open: No such file or directory\n"));

    LoadResult directory = loadFile(base, options());
    QCOMPARE(q(directory.report()), q(base + ": is a directory, not a config file\n"));

    LoadResult device = loadFile("/dev/zero", options());
    QCOMPARE(q(device.report()), QStringLiteral("/dev/zero: is not a regular file\n"));

    QFile empty(dir.filePath(QStringLiteral("empty.yaml")));
    QVERIFY(empty.open(QIODevice::WriteOnly));
    empty.close();
    LoadResult e = loadFile(base + "/empty.yaml", options());
    QCOMPARE(
        lines(e),
        QStringList{
            q(base + "/empty.yaml:1:1: the file is empty; a config starts with \"version: 1\"")});

    // Relative paths in a file resolve against the file's directory.
    QFile rel(dir.filePath(QStringLiteral("rel.yaml")));
    QVERIFY(rel.open(QIODevice::WriteOnly));
    rel.write("version: 1\npools:\n  - {name: a, command: [a], cwd: sub}\n");
    rel.close();
    LoadOptions o = options();
    o.baseDir.clear();
    LoadResult ok = loadFile(base + "/rel.yaml", o);
    QVERIFY(ok.ok());
    QCOMPARE(ok.config->pools[0].cwd, base + "/sub");
}

void TestConfig::hugeFile()
{
    // 50 MB, sparse: refused by its size before a byte is read.
    QTemporaryDir dir;
    QFile f(dir.filePath(QStringLiteral("huge.yaml")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    QVERIFY(f.resize(50 * 1000 * 1000));
    f.close();
    LoadResult r = loadFile(f.fileName().toStdString(), options());
    QCOMPARE(lines(r),
             QStringList{f.fileName() +
                         QStringLiteral(
                             ":1:1: the file is 47.7 MiB; config files over 4.0 MiB are refused")});
}

void TestConfig::examplesLoad()
{
    // Every shipped example loads (droverd --check runs on them too, as CTest cases).
    QDir examples(QStringLiteral(DROVER_SOURCE_DIR "/resources/examples"));
    const QStringList files = examples.entryList({QStringLiteral("*.yaml")}, QDir::Files);
    QVERIFY(files.contains(QStringLiteral("demo.yaml")));
    LoadOptions o = options();
    o.env = processEnvironment();
    o.baseDir.clear();
    for (const QString &name : files) {
        LoadResult r = loadFile(examples.filePath(name).toStdString(), o);
        QVERIFY2(r.ok(), r.report().c_str());
    }
}

// ---------------------------------------------------------------------------------------------
// Secret values

void TestConfig::secretKeyNames_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<bool>("secret");
    QTest::newRow("token") << "token" << true;
    QTest::newRow("upper token") << "API_TOKEN" << true;
    QTest::newRow("camel token") << "githubToken" << true;
    QTest::newRow("tokens list") << "tokens" << true;
    QTest::newRow("secret") << "CLIENT_SECRET" << true;
    QTest::newRow("mixed secret") << "SeCrEt" << true;
    QTest::newRow("password") << "DB_PASSWORD" << true;
    QTest::newRow("password inside") << "mypasswordfile" << true;
    QTest::newRow("key") << "key" << true;
    QTest::newRow("api key") << "ApiKey" << true;
    QTest::newRow("key inside") << "SSH_KEY_PATH" << true;
    QTest::newRow("key is broad") << "KEYBOARD" << true;
    QTest::newRow("log level") << "LOG_LEVEL" << false;
    QTest::newRow("url") << "DB_URL" << false;
    QTest::newRow("passwd is not password") << "PASSWD" << false;
    QTest::newRow("token split") << "TOK_EN" << false;
    QTest::newRow("empty") << "" << false;
}

void TestConfig::secretKeyNames()
{
    QFETCH(QString, key);
    QFETCH(bool, secret);
    QCOMPARE(drover::config::looksSecret(key.toStdString()), secret);
}

void TestConfig::envLongForm()
{
    Config c = loadOk(R"(version: 1
pools:
  - name: a
    command: [a]
    env:
      PLAIN: {value: "abc", secret: true}
      NOT_MARKED: {value: def}
      MARKED_FALSE: {value: ghi, secret: false}
      EMPTY_VALUE: {value: , secret: true}
      PLACEHOLDER: {value: "{{worker}}-{{index}}"}
      SHORT: jkl
)");
    const PoolSpec &p = c.pools.at(0);
    QCOMPARE(p.env.at("PLAIN"), std::string("abc"));
    QCOMPARE(p.env.at("NOT_MARKED"), std::string("def"));
    QCOMPARE(p.env.at("MARKED_FALSE"), std::string("ghi"));
    QCOMPARE(p.env.at("EMPTY_VALUE"), std::string());
    QCOMPARE(p.env.at("PLACEHOLDER"), std::string("{{worker}}-{{index}}"));
    QCOMPARE(p.env.at("SHORT"), std::string("jkl"));
    QCOMPARE(p.secretEnv, (std::vector<std::string>{"EMPTY_VALUE", "PLAIN"}));

    // Marking a value secret does not make a new revision: the worker is the same.
    Config shortForm = loadOk("version: 1\npools:\n  - {name: a, command: [a], env: {A: x}}\n");
    Config longForm = loadOk(
        "version: 1\npools:\n  - {name: a, command: [a], env: {A: {value: x, secret: true}}}\n");
    QCOMPARE(longForm.pools.at(0).secretEnv, std::vector<std::string>{"A"});
    QVERIFY(shortForm.pools.at(0).secretEnv.empty());
    QCOMPARE(longForm.pools.at(0).revision, shortForm.pools.at(0).revision);
}

void TestConfig::envLongFormErrors_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QStringList>("expected");
    const QByteArray pool = "version: 1\npools:\n  - name: a\n    command: [a]\n";

    QTest::newRow("without value")
        << pool + "    env: {A: {secret: true}}\n"
        << QStringList{QStringLiteral("t.yaml:5:14: pools[0].env.A: missing required key "
                                      "\"value\" (the long form is {value: \"...\", secret: "
                                      "true})")};
    QTest::newRow("empty mapping")
        << pool + "    env:\n      A: {}\n"
        << QStringList{QStringLiteral("t.yaml:6:10: pools[0].env.A: missing required key "
                                      "\"value\" (the long form is {value: \"...\", secret: "
                                      "true})")};
    QTest::newRow("misspelt secret")
        << pool + "    env: {A: {value: x, secrt: true}}\n"
        << QStringList{QStringLiteral("t.yaml:5:25: pools[0].env.A.secrt: unknown key \"secrt\" "
                                      "(did you mean \"secret\"?)")};
    QTest::newRow("secret not a boolean")
        << pool + "    env:\n      A:\n        value: x\n        secret: yes\n"
        << QStringList{QStringLiteral(
               "t.yaml:8:17: pools[0].env.A.secret: expected true or false, got \"yes\"")};
    QTest::newRow("value is a list")
        << pool + "    env: {A: {value: [x, y]}}\n"
        << QStringList{
               QStringLiteral("t.yaml:5:22: pools[0].env.A.value: expected a string, got a list")};
    QTest::newRow("value is a mapping")
        << pool + "    env: {A: {value: {x: y}, secret: true}}\n"
        << QStringList{QStringLiteral(
               "t.yaml:5:22: pools[0].env.A.value: expected a string, got a mapping")};
    QTest::newRow("short value is a list")
        << pool + "    env: {A: [x]}\n"
        << QStringList{QStringLiteral("t.yaml:5:14: pools[0].env.A: expected a string or "
                                      "{value: \"...\", secret: true}, got a list")};
    QTest::newRow("unknown placeholder in the value")
        << pool + "    env: {A: {value: \"{{wroker}}\"}}\n"
        << QStringList{QStringLiteral("t.yaml:5:23: pools[0].env.A.value: unknown placeholder "
                                      "{{wroker}} (did you mean {{worker}}?)")};
    QTest::newRow("in a template, reported once")
        << QByteArray("version: 1\ntemplates:\n  t:\n    env: {A: {valeu: x}}\npools:\n"
                      "  - {name: a, extends: t, command: [a]}\n"
                      "  - {name: b, extends: t, command: [b]}\n")
        << QStringList{QStringLiteral("t.yaml:4:14: templates.t.env.A: missing required key "
                                      "\"value\" (the long form is {value: \"...\", secret: "
                                      "true})"),
                       QStringLiteral("t.yaml:4:15: templates.t.env.A.valeu: unknown key "
                                      "\"valeu\" (did you mean \"value\"?)")};
    QTest::newRow("adopted")
        << QByteArray("version: 1\nadopted:\n  - name: db\n    pid_file: /run/db.pid\n"
                      "    env: {PGPASS: {value: x, secret: 1}}\n")
        << QStringList{QStringLiteral(
               "t.yaml:5:38: adopted[0].env.PGPASS.secret: expected true or false, got \"1\"")};
}

void TestConfig::envLongFormErrors()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QStringList, expected);
    LoadResult r = load(yaml);
    QVERIFY(!r.ok());
    QCOMPARE(lines(r), expected);
}

void TestConfig::secretEnv_data()
{
    QTest::addColumn<QByteArray>("env");
    QTest::addColumn<QByteArrayList>("secret");
    QTest::newRow("none") << QByteArray("{LOG_LEVEL: info, PORT_BASE: \"9000\"}")
                          << QByteArrayList{};
    QTest::newRow("by name")
        << QByteArray("{API_TOKEN: a, DbPassword: b, CLIENT_SECRET: c, SIGNING_KEY: d, X: e}")
        << QByteArrayList{"API_TOKEN", "CLIENT_SECRET", "DbPassword", "SIGNING_KEY"};
    QTest::newRow("by name, empty value")
        << QByteArray("{API_TOKEN: }") << QByteArrayList{"API_TOKEN"};
    QTest::newRow("from the environment")
        << QByteArray("{DATABASE: \"${DB_URL}\", LEVEL: \"${LOG_LEVEL:-info}\"}")
        << QByteArrayList{"DATABASE", "LEVEL"};
    QTest::newRow("inside text from the environment")
        << QByteArray("{DSN: \"host=db ${DB_URL}\"}") << QByteArrayList{"DSN"};
    QTest::newRow("a default used is not from the environment")
        << QByteArray("{LEVEL: \"${NOPE:-info}\", LITERAL: \"$${DB_URL}\"}") << QByteArrayList{};
    QTest::newRow("marked") << QByteArray("{CONN: {value: abc, secret: true}, OTHER: {value: d}}")
                            << QByteArrayList{"CONN"};
    QTest::newRow("marked false does not unhide a name")
        << QByteArray("{MY_KEY: {value: abc, secret: false}}") << QByteArrayList{"MY_KEY"};
    QTest::newRow("long form from the environment")
        << QByteArray("{CONN: {value: \"${DB_URL}\"}}") << QByteArrayList{"CONN"};
    QTest::newRow("all three")
        << QByteArray("{Z_TOKEN: a, A: \"${DB_URL}\", M: {value: m, secret: true}, N: n}")
        << QByteArrayList{"A", "M", "Z_TOKEN"};
}

void TestConfig::secretEnv()
{
    QFETCH(QByteArray, env);
    QFETCH(QByteArrayList, secret);
    std::vector<std::string> expected;
    for (const QByteArray &name : secret)
        expected.push_back(name.toStdString());

    Config pool =
        loadOk("version: 1\npools:\n  - name: a\n    command: [a]\n    env: " + env + "\n");
    QCOMPARE(pool.pools.at(0).secretEnv, expected);
    Config adopted = loadOk("version: 1\nadopted:\n  - name: a\n    pid_file: /run/a.pid\n"
                            "    env: " +
                            env + "\n");
    QCOMPARE(adopted.adopted.at(0).secretEnv, expected);
}

void TestConfig::secretEnvThroughTemplates()
{
    Config c = loadOk(R"(version: 1
templates:
  base:
    env:
      MARKED: {value: from-template, secret: true}
      FROM_ENV: "${DB_URL}"
      REPLACED: {value: t, secret: true}
      PLAIN: p
pools:
  - name: a
    extends: base
    command: [a]
    env:
      MARKED: {value: from-pool}   # maps merge: still secret
      REPLACED: short              # a scalar replaces the whole entry
)");
    const PoolSpec &p = c.pools.at(0);
    QCOMPARE(p.env.at("MARKED"), std::string("from-pool"));
    QCOMPARE(p.env.at("FROM_ENV"), std::string("postgres://app:hunter2@db/app"));
    QCOMPARE(p.env.at("REPLACED"), std::string("short"));
    QCOMPARE(p.secretEnv, (std::vector<std::string>{"FROM_ENV", "MARKED"}));
}

void TestConfig::redactText_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QByteArray>("redacted");
    QTest::addColumn<QByteArrayList>("secrets"); ///< none of these may be left in the result

    QTest::newRow("nothing secret")
        << QByteArray("version: 1   # top\npools:\n  - name: a\n    command: [a, \"b c\"]\n")
        << QByteArray("version: 1   # top\npools:\n  - name: a\n    command: [a, \"b c\"]\n")
        << QByteArrayList{};
    QTest::newRow("plain in block")
        << QByteArray("env:\n  API_TOKEN: abc123   # rotated monthly\n  LOG: info\n")
        << QByteArray("env:\n  API_TOKEN: \"<hidden>\"   # rotated monthly\n  LOG: info\n")
        << QByteArrayList{"abc123"};
    QTest::newRow("flow mapping")
        << QByteArray("env: {token: x1y2, LOG: info, password: 'p w'}\n")
        << QByteArray("env: {token: \"<hidden>\", LOG: info, password: \"<hidden>\"}\n")
        << QByteArrayList{"x1y2", "p w"};
    QTest::newRow("flow without spaces")
        << QByteArray("a: {token: zz9,other: 1}\n")
        << QByteArray("a: {token: \"<hidden>\",other: 1}\n") << QByteArrayList{"zz9"};
    QTest::newRow("double quoted with escapes")
        << QByteArray("DB_PASSWORD: \"p\\\"w\\\\d\"  # quoted\nnext: 1\n")
        << QByteArray("DB_PASSWORD: \"<hidden>\"  # quoted\nnext: 1\n") << QByteArrayList{"p\\\"w"};
    QTest::newRow("single quoted with a quote")
        << QByteArray("api_key: 'it''s-me'\n") << QByteArray("api_key: \"<hidden>\"\n")
        << QByteArrayList{"it''s", "-me"};
    QTest::newRow("multi-line double quoted")
        << QByteArray("secret: \"first\n  second\"\nafter: 1\n")
        << QByteArray("secret: \"<hidden>\"\nafter: 1\n") << QByteArrayList{"first", "second"};
    QTest::newRow("multi-line plain") << QByteArray("token: first\n  second\n\n  third\nafter: 1\n")
                                      << QByteArray("token: \"<hidden>\"\nafter: 1\n")
                                      << QByteArrayList{"first", "second", "third"};
    QTest::newRow("literal block")
        << QByteArray("tls_key: |\n  -----BEGIN KEY-----\n  MIIB\n  -----END KEY-----\nafter: 1\n")
        << QByteArray("tls_key: \"<hidden>\"\nafter: 1\n") << QByteArrayList{"BEGIN", "MIIB"};
    QTest::newRow("folded block with a header comment and blank lines")
        << QByteArray(
               "a:\n  password: >- # the db one\n    sekrit1\n\n    # not a comment\n  b: 2\n")
        << QByteArray("a:\n  password: \"<hidden>\" # the db one\n  b: 2\n")
        << QByteArrayList{"sekrit1", "not a comment"};
    QTest::newRow("block at the end without newline")
        << QByteArray("k:\n  secret: |\n    s1\n    s2") << QByteArray("k:\n  secret: \"<hidden>\"")
        << QByteArrayList{"s1", "s2"};
    QTest::newRow("the example of docs/config.md")
        << QByteArray("master:\n  tls: {cert: /etc/drover/cert.pem, key: /etc/drover/key.pem}\n"
                      "pools:\n  - name: api\n    env:\n"
                      "      API_TOKEN: abc123          # rotated monthly\n"
                      "      DSN: {value: \"host=db password=x\", secret: true}\n"
                      "      DB: \"${DB_URL}\"\n")
        << QByteArray("master:\n  tls: {cert: /etc/drover/cert.pem, key: \"<hidden>\"}\n"
                      "pools:\n  - name: api\n    env:\n"
                      "      API_TOKEN: \"<hidden>\"          # rotated monthly\n"
                      "      DSN: {value: \"<hidden>\", secret: true}\n"
                      "      DB: \"${DB_URL}\"\n")
        << QByteArrayList{"abc123", "key.pem", "password=x"};
    QTest::newRow("block in a list item")
        << QByteArray("- token: |\n    blk1\n    blk2\n  next: 1\n- other: 2\n")
        << QByteArray("- token: \"<hidden>\"\n  next: 1\n- other: 2\n")
        << QByteArrayList{"blk1", "blk2"};
    QTest::newRow("keep chomping and an indentation indicator")
        << QByteArray("a:\n  key: |2+\n    kc1\n\n  b: 1\n")
        << QByteArray("a:\n  key: \"<hidden>\"\n\n  b: 1\n") << QByteArrayList{"kc1"};
    QTest::newRow("multi-line plain in a flow list")
        << QByteArray("password: [fl1,\n  fl2 fl3\n  fl4, 'fl5']\nx: y\n")
        << QByteArray("password: [\"<hidden>\",\n  \"<hidden>\", \"<hidden>\"]\nx: y\n")
        << QByteArrayList{"fl1", "fl2", "fl3", "fl4", "fl5"};
    QTest::newRow("hash inside a value")
        << QByteArray("token: a#b # real comment\n")
        << QByteArray("token: \"<hidden>\" # real comment\n") << QByteArrayList{"a#b"};
    QTest::newRow("nested under a secret key")
        << QByteArray("secrets:\n  db: {user: u1, pass: p1}\n  list: [l1, 'l2']\n"
                      "  deep:\n    - x: d1\nother: v\n")
        << QByteArray("secrets:\n  db: {user: \"<hidden>\", pass: \"<hidden>\"}\n"
                      "  list: [\"<hidden>\", \"<hidden>\"]\n  deep:\n    - x: \"<hidden>\"\n"
                      "other: v\n")
        << QByteArrayList{"u1", "p1", "l1", "l2", "d1"};
    QTest::newRow("tokens of the master")
        << QByteArray("master:\n  auth:\n    tokens:\n"
                      "      - {name: alice, role: admin, sha256: \"3b1f\"}\n")
        << QByteArray("master:\n  auth:\n    tokens:\n"
                      "      - {name: \"<hidden>\", role: \"<hidden>\", sha256: \"<hidden>\"}\n")
        << QByteArrayList{"3b1f"};
    QTest::newRow("secret: true, flow")
        << QByteArray("env:\n  DB: {value: \"postgres://u:pw@h\", secret: true}\n  LOG: info\n")
        << QByteArray("env:\n  DB: {value: \"<hidden>\", secret: true}\n  LOG: info\n")
        << QByteArrayList{"pw@h"};
    QTest::newRow("secret: true, block, flag first")
        << QByteArray("env:\n  DB:\n    secret: true\n    value: abc # trailing\n  X: y\n")
        << QByteArray("env:\n  DB:\n    secret: true\n    value: \"<hidden>\" # trailing\n  X: y\n")
        << QByteArrayList{"abc"};
    QTest::newRow("secret: false hides nothing")
        << QByteArray("env: {DB: {value: abc, secret: false}}\n")
        << QByteArray("env: {DB: {value: abc, secret: false}}\n") << QByteArrayList{};
    QTest::newRow("variables are not values")
        << QByteArray("env: {DB: \"${DB_URL}\", API_TOKEN: \"${API_TOKEN}\"}\n")
        << QByteArray("env: {DB: \"${DB_URL}\", API_TOKEN: \"<hidden>\"}\n") << QByteArrayList{};
    QTest::newRow("numbers and tags")
        << QByteArray("pin_password: 1234\nkey: !!str 5678\n")
        << QByteArray("pin_password: \"<hidden>\"\nkey: !!str \"<hidden>\"\n")
        << QByteArrayList{"1234", "5678"};
    QTest::newRow("alias to a secret")
        << QByteArray("plain: &p s3cr3t\ntoken: *p\nagain: *p\n")
        << QByteArray("plain: &p \"<hidden>\"\ntoken: *p\nagain: *p\n") << QByteArrayList{"s3cr3t"};
    QTest::newRow("anchored mapping under a secret key")
        << QByteArray("creds: &c {u: uu, p: pp}\nsecret_copy: *c\n")
        << QByteArray("creds: &c {u: \"<hidden>\", p: \"<hidden>\"}\nsecret_copy: *c\n")
        << QByteArrayList{"uu", "pp"};
    QTest::newRow("empty secret stays empty")
        << QByteArray("password:\ntoken: ~\n") << QByteArray("password:\ntoken: ~\n")
        << QByteArrayList{};
    QTest::newRow("crlf") << QByteArray("a: 1\r\ntoken: t0k\r\nb: 2\r\n")
                          << QByteArray("a: 1\r\ntoken: \"<hidden>\"\r\nb: 2\r\n")
                          << QByteArrayList{"t0k"};
    QTest::newRow("byte order mark and utf-8")
        << QByteArray("\xEF\xBB\xBFname: caf\xC3\xA9\npassword: p\xC3\xA4ss\n")
        << QByteArray("\xEF\xBB\xBFname: caf\xC3\xA9\npassword: \"<hidden>\"\n")
        << QByteArrayList{"p\xC3\xA4ss"};
    QTest::newRow("key in a sequence of mappings")
        << QByteArray("pools:\n  - name: a\n    env:\n      - KEY: v1\n")
        << QByteArray("pools:\n  - name: a\n    env:\n      - KEY: \"<hidden>\"\n")
        << QByteArrayList{"v1"};
}

void TestConfig::redactText()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QByteArray, redacted);
    QFETCH(QByteArrayList, secrets);
    RedactedText r = redactConfig(std::string_view(yaml.constData(), std::size_t(yaml.size())));
    QVERIFY(!r.whollyHidden);
    QCOMPARE(QByteArray::fromStdString(r.text), redacted);
    for (const QByteArray &s : secrets)
        QVERIFY2(!QByteArray::fromStdString(r.text).contains(s), s.constData());
    QCOMPARE(QByteArray::fromStdString(redactConfigText(yaml.toStdString())), redacted);
    // Redacting again changes nothing more.
    QCOMPARE(redactConfig(r.text).text, r.text);
}

void TestConfig::redactUnreadable_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::newRow("syntax error") << QByteArray("token: [abc123\nb: 1\n");
    QTest::newRow("bad indentation") << QByteArray("a:\n  password: abc123\n b: 1\n");
    QTest::newRow("two documents") << QByteArray("a: 1\n---\ntoken: abc123\n");
    QTest::newRow("tab") << QByteArray("a:\n\tpassword: abc123\n");
}

void TestConfig::redactUnreadable()
{
    QFETCH(QByteArray, yaml);
    RedactedText r = redactConfig(yaml.toStdString());
    QVERIFY(r.whollyHidden);
    QVERIFY(!QByteArray::fromStdString(r.text).contains("abc123"));
    QVERIFY(r.text.starts_with("# <hidden>"));
}

void TestConfig::redactExamples()
{
    // Every shipped example (and the full document above) redacts value by value, keeps its
    // line count where no secret spans lines, and still reads as YAML of the same shape.
    QDir examples(QStringLiteral(DROVER_SOURCE_DIR "/resources/examples"));
    const QStringList files = examples.entryList({QStringLiteral("*.yaml")}, QDir::Files);
    QVERIFY(!files.isEmpty());
    for (const QString &name : files) {
        QFile f(examples.filePath(name));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        RedactedText r = redactConfig(text.toStdString());
        QVERIFY2(!r.whollyHidden, qPrintable(name));
        QCOMPARE(QByteArray::fromStdString(r.text).count('\n'), text.count('\n'));
        ParsedTree tree = parseYaml(r.text);
        QVERIFY2(tree.errors.empty(), qPrintable(name));
    }
}

void TestConfig::envRedaction_data()
{
    QTest::addColumn<QByteArrayList>("env");
    QTest::addColumn<QByteArrayList>("secretNames");
    QTest::addColumn<QByteArrayList>("expected");
    QTest::newRow("named secret") << QByteArrayList{"DB=postgres://u:p@h", "LOG=info"}
                                  << QByteArrayList{"DB"}
                                  << QByteArrayList{"DB=<hidden>", "LOG=info"};
    QTest::newRow("looks secret, inherited")
        << QByteArrayList{"AWS_SECRET_ACCESS_KEY=abc", "HOME=/root"} << QByteArrayList{}
        << QByteArrayList{"AWS_SECRET_ACCESS_KEY=<hidden>", "HOME=/root"};
    QTest::newRow("value with =") << QByteArrayList{"T=a=b"} << QByteArrayList{"T"}
                                  << QByteArrayList{"T=<hidden>"};
    QTest::newRow("empty value") << QByteArrayList{"API_TOKEN="} << QByteArrayList{}
                                 << QByteArrayList{"API_TOKEN=<hidden>"};
    QTest::newRow("no =") << QByteArrayList{"WEIRD"} << QByteArrayList{"WEIRD"}
                          << QByteArrayList{"WEIRD"};
    QTest::newRow("name is a prefix only")
        << QByteArrayList{"DBX=1"} << QByteArrayList{"DB"} << QByteArrayList{"DBX=1"};
}

void TestConfig::envRedaction()
{
    QFETCH(QByteArrayList, env);
    QFETCH(QByteArrayList, secretNames);
    QFETCH(QByteArrayList, expected);
    auto toStd = [](const QByteArrayList &l) {
        std::vector<std::string> out;
        for (const QByteArray &s : l)
            out.push_back(s.toStdString());
        return out;
    };
    QCOMPARE(redactEnvironment(toStd(env), toStd(secretNames)), toStd(expected));
}

// ---------------------------------------------------------------------------------------------
// Jobs: `schedule:`

void TestConfig::jobSchedule_data()
{
    QTest::addColumn<QByteArray>("schedule");
    QTest::addColumn<QString>("cron");
    QTest::addColumn<QString>("timezone"); // as written; "" for the machine's
    QTest::addColumn<QString>("zone");     // the zone's name; "" for the machine's
    QTest::addColumn<int>("concurrency");
    QTest::addColumn<qint64>("deadlineMs"); // -1: none
    QTest::addColumn<int>("catchUp");
    QTest::addColumn<int>("history");

    const int forbid = int(JobConcurrency::Forbid);
    const int skip = int(CatchUp::Skip);
    QTest::newRow("string, five fields") << QByteArray("\"0 3 * * *\"") << "0 3 * * *"
                                         << ""
                                         << "" << forbid << qint64(-1) << skip << 20;
    QTest::newRow("string, unquoted") << QByteArray("0 3 * * MON-FRI") << "0 3 * * MON-FRI"
                                      << ""
                                      << "" << forbid << qint64(-1) << skip << 20;
    QTest::newRow("string, six fields") << QByteArray("'*/5 * * * * *'") << "*/5 * * * * *"
                                        << ""
                                        << "" << forbid << qint64(-1) << skip << 20;
    QTest::newRow("string, macro") << QByteArray("\"@daily\"") << "@daily"
                                   << ""
                                   << "" << forbid << qint64(-1) << skip << 20;
    QTest::newRow("map, defaults") << QByteArray("{cron: \"@hourly\"}") << "@hourly"
                                   << ""
                                   << "" << forbid << qint64(-1) << skip << 20;
    QTest::newRow("map, nothing for timezone and deadline")
        << QByteArray("{cron: \"@hourly\", timezone: ~, deadline: ~}") << "@hourly"
        << ""
        << "" << forbid << qint64(-1) << skip << 20;
    QTest::newRow("map, everything")
        << QByteArray("{cron: \"0 3 * * *\", timezone: Europe/Berlin, concurrency: replace, "
                      "deadline: 1m30s, catch_up: once, history: 500}")
        << "0 3 * * *"
        << "Europe/Berlin"
        << "Europe/Berlin" << int(JobConcurrency::Replace) << qint64(90000) << int(CatchUp::Once)
        << 500;
    QTest::newRow("map, allow, UTC")
        << QByteArray("{cron: \"*/10 * * * * *\", timezone: UTC, concurrency: allow, "
                      "history: 1}")
        << "*/10 * * * * *"
        << "UTC"
        << "UTC" << int(JobConcurrency::Allow) << qint64(-1) << skip << 1;
}

void TestConfig::jobSchedule()
{
    QFETCH(QByteArray, schedule);
    QFETCH(QString, cron);
    QFETCH(QString, timezone);
    QFETCH(QString, zone);
    QFETCH(int, concurrency);
    QFETCH(qint64, deadlineMs);
    QFETCH(int, catchUp);
    QFETCH(int, history);
    Config c = loadOk("version: 1\npools:\n  - name: backup\n    command: [backup]\n"
                      "    schedule: " +
                      schedule + "\n");
    QCOMPARE(c.pools.size(), std::size_t(1));
    const PoolSpec &p = c.pools[0];
    QVERIFY(p.job);
    QVERIFY(p.job->cron);
    QCOMPARE(q(p.job->cron->text()), cron);
    QCOMPARE(q(p.job->timezone), timezone);
    QVERIFY(p.job->zone); // never null: the machine's zone (or UTC) when none is written
    if (!zone.isEmpty())
        QCOMPARE(q(std::string(p.job->zone->name())), zone);
    QCOMPARE(int(p.job->concurrency), concurrency);
    QCOMPARE(p.job->deadline.has_value(), deadlineMs >= 0);
    if (deadlineMs >= 0)
        QCOMPARE(qint64(p.job->deadline->count()), deadlineMs);
    QCOMPARE(int(p.job->catchUp), catchUp);
    QCOMPARE(p.job->history, history);
    QCOMPARE(p.workersAtStart(), 0);
}

void TestConfig::jobManual()
{
    Config c = loadOk(R"(version: 1
pools:
  - name: a
    command: [a]
    schedule: manual
  - name: b
    command: [b]
    schedule: {cron: manual, timezone: Asia/Tokyo, history: 5}
  - name: c
    command: [c]
    schedule: ~
)");
    QCOMPARE(c.pools.size(), std::size_t(3));
    const PoolSpec &a = c.pools[0];
    QVERIFY(a.job);
    QVERIFY(!a.job->cron);
    QVERIFY(a.job->zone);
    QCOMPARE(a.workersAtStart(), 0);
    const PoolSpec &b = c.pools[1];
    QVERIFY(b.job);
    QVERIFY(!b.job->cron);
    QCOMPARE(q(std::string(b.job->zone->name())), QStringLiteral("Asia/Tokyo"));
    QCOMPARE(b.job->history, 5);
    QVERIFY(!c.pools[2].job); // nothing: not a job
    QCOMPARE(c.pools[2].workersAtStart(), 1);
}

void TestConfig::jobErrors_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QStringList>("expected");

    const QByteArray head = "version: 1\npools:\n  - name: a\n    command: [a]\n";
    // The column of a bad field is the scalar's column plus the parser's, after any quote.
    QTest::newRow("cron, unquoted")
        << head + "    schedule: 0 61 * * *\n"
        << QStringList{QStringLiteral("t.yaml:5:17: pools[0].schedule: hour: 61 is out of 0-23")};
    QTest::newRow("cron, double-quoted")
        << head + "    schedule: \"61 3 * * *\"\n"
        << QStringList{QStringLiteral("t.yaml:5:16: pools[0].schedule: minute: 61 is out of 0-59")};
    QTest::newRow("cron, single-quoted")
        << head + "    schedule: '0 3 * * MON-FRX'\n"
        << QStringList{QStringLiteral("t.yaml:5:28: pools[0].schedule: day of week: unknown name "
                                      "\"FRX\" (SUN-SAT)")};
    QTest::newRow("cron in the map, double-quoted")
        << head + "    schedule: {cron: \"*/0 * * * *\", timezone: UTC}\n"
        << QStringList{QStringLiteral("t.yaml:5:25: pools[0].schedule.cron: minute: a step is a "
                                      "whole number from 1, got \"0\"")};
    QTest::newRow("cron in a block map")
        << head + "    schedule:\n      cron:   '0 0 32 * *'\n"
        << QStringList{QStringLiteral(
               "t.yaml:6:20: pools[0].schedule.cron: day of month: 32 is out of 1-31")};
    QTest::newRow("cron over two lines: the scalar's own mark")
        << head + "    schedule: 0 0 1\n      13 *\n"
        << QStringList{QStringLiteral("t.yaml:5:15: pools[0].schedule: month: 13 is out of 1-12")};
    QTest::newRow("cron with an escape: the scalar's own mark")
        << head + "    schedule: \"\\x30 0 1 13 *\"\n"
        << QStringList{QStringLiteral("t.yaml:5:15: pools[0].schedule: month: 13 is out of 1-12")};
    QTest::newRow("cron in a block scalar: the scalar's own mark")
        << head + "    schedule: >-\n      0 0 1 13 *\n"
        << QStringList{QStringLiteral("t.yaml:5:15: pools[0].schedule: month: 13 is out of 1-12")};
    QTest::newRow("cron, too few fields")
        << head + "    schedule: \"0 3 * *\"\n"
        << QStringList{QStringLiteral(
               "t.yaml:5:22: pools[0].schedule: expected 5 fields (minute hour day-of-month month "
               "day-of-week), or 6 with the second first, got 4")};
    QTest::newRow("cron, unknown macro")
        << head + "    schedule: \"@fortnightly\"\n"
        << QStringList{QStringLiteral(
               "t.yaml:5:16: pools[0].schedule: unknown \"@fortnightly\": one of @yearly, "
               "@annually, @monthly, @weekly, @daily, @midnight, @hourly")};
    QTest::newRow("cron, unquoted macro")
        << head + "    schedule: @daily\n"
        << QStringList{QStringLiteral("t.yaml:5:15: YAML syntax error: unknown token (a value that "
                                      "starts with @ must be quoted: \"@daily\")")};
    QTest::newRow("cron, unquoted star")
        << head + "    schedule: */5 * * * *\n"
        << QStringList{QStringLiteral(
               "t.yaml:5:15: YAML syntax error: the referenced anchor is not defined (a value "
               "that starts with * is an alias in YAML; quote a cron expression: \"*/5 * * * "
               "*\")")};
    QTest::newRow("never fires")
        << head + "    schedule: \"0 0 30 2 *\"\n"
        << QStringList{QStringLiteral("t.yaml:5:15: pools[0].schedule: \"0 0 30 2 *\" never fires: "
                                      "no date in the next ten years matches it")};
    QTest::newRow("unknown timezone")
        << head + "    schedule: {cron: \"0 3 * * *\", timezone: Mars/Olympus_Mons}\n"
        << QStringList{QStringLiteral(
               "t.yaml:5:45: pools[0].schedule.timezone: \"Mars/Olympus_Mons\" is not in the tz "
               "database (e.g. Europe/Berlin, America/New_York, UTC)")};
    QTest::newRow("misspelt timezone")
        << head + "    schedule: {cron: \"0 3 * * *\", timezone: Europe/Berln}\n"
        << QStringList{
               QStringLiteral("t.yaml:5:45: pools[0].schedule.timezone: \"Europe/Berln\" "
                              "is not in the tz database (did you mean \"Europe/Berlin\"?)")};
    QTest::newRow("map without cron")
        << head + "    schedule: {timezone: UTC}\n"
        << QStringList{QStringLiteral("t.yaml:5:15: pools[0].schedule: missing required key "
                                      "\"cron\" (a cron expression such as \"0 3 * * *\", or "
                                      "manual)")};
    QTest::newRow("a list")
        << head + "    schedule: [\"0 3 * * *\"]\n"
        << QStringList{QStringLiteral(
               "t.yaml:5:15: pools[0].schedule: expected a cron expression (\"0 3 * * *\"), "
               "manual or {cron: ..., timezone: ...}, got a list")};
    QTest::newRow("bad sub-keys")
        << head + "    schedule: {cron: manual, concurrency: queue, catch_up: all, history: 0, "
                  "deadline: 0s, retries: 3}\n"
        << QStringList{
               QStringLiteral("t.yaml:5:43: pools[0].schedule.concurrency: unknown value "
                              "\"queue\" (one of forbid, allow, replace)"),
               QStringLiteral("t.yaml:5:60: pools[0].schedule.catch_up: unknown value \"all\" "
                              "(one of skip, once)"),
               QStringLiteral("t.yaml:5:74: pools[0].schedule.history: expected a whole number "
                              "from 1 to 10000, got 0"),
               QStringLiteral("t.yaml:5:87: pools[0].schedule.deadline: expected a duration "
                              "from 10ms to 30d, got 0s"),
               QStringLiteral("t.yaml:5:91: pools[0].schedule.retries: unknown key \"retries\" "
                              "(expected one of cron, timezone, concurrency, deadline, catch_up, "
                              "history)")};
    // What a job has not: each key given is an error at the key, saying why.
    const QByteArray job = head + "    schedule: \"@daily\"\n";
    QTest::newRow("replicas")
        << job + "    replicas: 2\n"
        << QStringList{QStringLiteral(
               "t.yaml:6:5: pools[0].replicas: replicas does not apply to a job (a pool with a "
               "schedule): a job's runs are its workers: schedule.concurrency says whether they "
               "overlap")};
    QTest::newRow("autoscale")
        << job + "    autoscale: {max: 3}\n"
        << QStringList{QStringLiteral(
               "t.yaml:6:5: pools[0].autoscale: autoscale does not apply to a job (a pool with a "
               "schedule): a job's runs are its workers: schedule.concurrency says whether they "
               "overlap")};
    QTest::newRow("gateway") << job +
                                    "    ports: 9000-9009\n    gateway: {listen: 127.0.0.1:8080}\n"
                             << QStringList{QStringLiteral(
                                    "t.yaml:7:5: pools[0].gateway: gateway does not apply to a "
                                    "job (a pool with a schedule): a job takes no traffic")};
    QTest::newRow("rollout")
        << job + "    rollout: {strategy: recreate}\n"
        << QStringList{QStringLiteral(
               "t.yaml:6:5: pools[0].rollout: rollout does not apply to a job (a pool with a "
               "schedule): a job's next run uses the new revision")};
    QTest::newRow("restart on-failure")
        << job + "    restart: {policy: on-failure}\n"
        << QStringList{QStringLiteral(
               "t.yaml:6:23: pools[0].restart.policy: \"on-failure\" does not apply to a job: a "
               "run is not restarted; a failed run is recorded and the next one starts at its "
               "time (write never, or leave policy out)")};
    QTest::newRow("restart always, with a bad schedule too")
        << head + "    schedule: \"0 0 * * 8\"\n    restart:\n      policy: always\n"
        << QStringList{
               QStringLiteral("t.yaml:5:24: pools[0].schedule: day of week: 8 is out of 0-7"),
               QStringLiteral("t.yaml:7:15: pools[0].restart.policy: \"always\" does not apply to "
                              "a job: a run is not restarted; a failed run is recorded and the "
                              "next one starts at its time (write never, or leave policy out)")};
}

void TestConfig::jobErrors()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QStringList, expected);
    LoadResult r = load(yaml);
    QVERIFY(!r.ok());
    QCOMPARE(lines(r), expected);
}

void TestConfig::jobFromTemplate()
{
    // A template is checked on its own: a schedule with replicas is fine there (its pools
    // decide), a bad expression is reported once, at the template.
    LoadResult r = load(R"(version: 1
templates:
  web:
    replicas: 2
    restart: {policy: always}
    gateway: {listen: 127.0.0.1:8080}
  nightly:
    schedule: {cron: "0 3 * * *", timezone: Europe/Berln}
pools:
  - name: a
    extends: web
    command: [a]
    ports: 9000-9009
    schedule: "0 3 * * *"
    restart: {policy: never}
  - name: b
    extends: nightly
    command: [b]
  - name: c
    extends: web
    command: [c]
    ports: 9100-9109
    schedule: manual
    replicas: ~
    gateway: ~
    restart: {policy: never}
)");
    const QString inherited = QStringLiteral(" (inherited through extends; write %1: ~ in the "
                                             "pool to drop it)");
    QCOMPARE(lines(r),
             (QStringList{
                 QStringLiteral("t.yaml:4:5: pools[0].replicas: replicas does not apply to a job "
                                "(a pool with a schedule): a job's runs are its workers: "
                                "schedule.concurrency says whether they overlap") +
                     inherited.arg(QStringLiteral("replicas")),
                 QStringLiteral("t.yaml:6:5: pools[0].gateway: gateway does not apply to a job (a "
                                "pool with a schedule): a job takes no traffic") +
                     inherited.arg(QStringLiteral("gateway")),
                 QStringLiteral("t.yaml:8:45: templates.nightly.schedule.timezone: "
                                "\"Europe/Berln\" is not in the tz database (did you mean "
                                "\"Europe/Berlin\"?)")}));

    // The template's restart policy, inherited by a job.
    r = load(R"(version: 1
templates:
  base:
    restart: {policy: on-failure, max_restarts: 3}
pools:
  - name: a
    extends: base
    command: [a]
    schedule: "@hourly"
)");
    QCOMPARE(lines(r),
             QStringList{QStringLiteral(
                 "t.yaml:4:23: pools[0].restart.policy: \"on-failure\" does not apply to a job: a "
                 "run is not restarted; a failed run is recorded and the next one starts at its "
                 "time (inherited through extends; write restart: {policy: never} in the pool)")});

    // A schedule from the template makes the pool a job.
    Config c = loadOk(R"(version: 1
templates:
  nightly:
    schedule: {cron: "0 3 * * *", timezone: UTC, history: 7}
pools:
  - name: a
    extends: nightly
    command: [a]
    depends_on: [b]
  - name: b
    command: [b]
)");
    QCOMPARE(c.pools.size(), std::size_t(2));
    QVERIFY(c.pools[0].job);
    QCOMPARE(c.pools[0].job->history, 7);
    QCOMPARE(c.pools[0].dependsOn, std::vector<std::string>{"b"});
    QVERIFY(!c.pools[1].job);
}

void TestConfig::jobRestartNever()
{
    Config c = loadOk(R"(version: 1
pools:
  - name: a
    command: [a]
    schedule: "*/10 * * * * *"
  - name: b
    command: [b]
    schedule: "*/10 * * * * *"
    restart: {policy: never, backoff: {initial: 1s}}
    stop: {signal: SIGINT, timeout: 2s}
)");
    QCOMPARE(c.pools.size(), std::size_t(2));
    QVERIFY(c.pools[0].restart.policy == RestartPolicy::Never); // not the default on-failure
    QVERIFY(c.pools[1].restart.policy == RestartPolicy::Never);
    QCOMPARE(c.pools[1].stop.timeout, Duration(2s));
    // How a worker is restarted does nothing for a job: said, not silently accepted.
    QCOMPARE(c.notActedOn.size(), std::size_t(1));
    QCOMPARE(c.notActedOn[0].line, 9);
    QCOMPARE(c.notActedOn[0].path, std::string("pools[1].restart.backoff"));
    QVERIFY(c.notActedOn[0].message.find("a run is never restarted") != std::string::npos);
}

void TestConfig::jobRevisionIgnoresSchedule_data()
{
    QTest::addColumn<QByteArray>("schedule");
    QTest::newRow("none") << QByteArray();
    QTest::newRow("daily") << QByteArray("    schedule: \"@daily\"\n");
    QTest::newRow("other time") << QByteArray("    schedule: \"30 4 * * *\"\n");
    QTest::newRow("manual") << QByteArray("    schedule: manual\n");
    QTest::newRow("map") << QByteArray(
        "    schedule: {cron: \"30 4 * * *\", timezone: Europe/Berlin, concurrency: allow, "
        "deadline: 5s, catch_up: once, history: 3}\n");
}

void TestConfig::jobRevisionIgnoresSchedule()
{
    QFETCH(QByteArray, schedule);
    const QByteArray base =
        "version: 1\npools:\n  - name: job\n    command: [backup, --all]\n    env: {A: b}\n";
    const std::string plain = loadOk(base).pools.at(0).revision;
    const std::string withSchedule = loadOk(base + schedule).pools.at(0).revision;
    QVERIFY(!plain.empty());
    QCOMPARE(withSchedule, plain);
}

void TestConfig::jobSummary()
{
    Config c = loadOk(R"(version: 1
pools:
  - name: web
    command: [web]
    replicas: 3
  - name: backup
    command: [backup]
    schedule: "0 3 * * *"
  - name: report
    command: [report]
    schedule: manual
)");
    QCOMPARE(c.pools.at(1).workersAtStart(), 0);
    const Summary s = c.summary();
    QCOMPARE(s.workersAtStart, 3);
    QCOMPARE(s.jobs, 2);
    QCOMPARE(q(s.toString()), QStringLiteral("3 pools, 3 workers at start, 0 probes, 0 gateways, "
                                             "2 jobs"));
}

void TestConfig::describeSchedule_data()
{
    QTest::addColumn<QString>("schedule");
    QTest::addColumn<QString>("now"); // UTC
    QTest::addColumn<QString>("expected");
    QTest::newRow("daily in Berlin")
        << "{cron: \"0 3 * * *\", timezone: Europe/Berlin}"
        << "2026-12-07 12:00:00"
        << "schedule \"0 3 * * *\" (Europe/Berlin), next runs 2026-12-08 03:00:00 CET, "
           "2026-12-09 03:00:00 CET, 2026-12-10 03:00:00 CET";
    QTest::newRow("seconds in UTC")
        << "{cron: \"*/10 * * * * *\", timezone: UTC}"
        << "2026-12-07 12:00:00"
        << "schedule \"*/10 * * * * *\" (UTC), next runs 2026-12-07 12:00:10 UTC, 2026-12-07 "
           "12:00:20 UTC, 2026-12-07 12:00:30 UTC";
    // 2027-03-28: 02:00 CET is 03:00 CEST; 02:30 does not happen that day.
    QTest::newRow("a skipped local time is skipped")
        << "{cron: \"30 2 * * *\", timezone: Europe/Berlin}"
        << "2027-03-26 12:00:00"
        << "schedule \"30 2 * * *\" (Europe/Berlin), next runs 2027-03-27 02:30:00 CET, "
           "2027-03-29 02:30:00 CEST, 2027-03-30 02:30:00 CEST";
    // 2026-10-25: 03:00 CEST is 02:00 CET; 02:30 happens twice and fires once.
    QTest::newRow("a repeated local time fires once")
        << "{cron: \"30 2 * * *\", timezone: Europe/Berlin}"
        << "2026-10-24 12:00:00"
        << "schedule \"30 2 * * *\" (Europe/Berlin), next runs 2026-10-25 02:30:00 CEST, "
           "2026-10-26 02:30:00 CET, 2026-10-27 02:30:00 CET";
    QTest::newRow("a macro in New York")
        << "{cron: \"@monthly\", timezone: America/New_York}"
        << "2026-12-07 12:00:00"
        << "schedule \"@monthly\" (America/New_York), next runs 2027-01-01 00:00:00 EST, "
           "2027-02-01 00:00:00 EST, 2027-03-01 00:00:00 EST";
    QTest::newRow("manual") << "manual"
                            << "2026-12-07 12:00:00"
                            << "runs only when asked (job.run)";
}

void TestConfig::describeSchedule()
{
    QFETCH(QString, schedule);
    QFETCH(QString, now);
    QFETCH(QString, expected);
    Config c = loadOk("version: 1\npools:\n  - name: a\n    command: [a]\n    schedule: " +
                      schedule.toUtf8() + "\n");
    QVERIFY(c.pools.at(0).job);
    const QDateTime t = QDateTime::fromString(now, QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    QVERIFY(t.isValid());
    const std::chrono::sys_seconds at{
        std::chrono::seconds(QDateTime(t.date(), t.time(), Qt::UTC).toSecsSinceEpoch())};
    QCOMPARE(q(drover::config::describeSchedule(*c.pools[0].job, at)), expected);
}

// `image:` makes a pool's workers containers: every key read into its spec.
void TestConfig::containerPool()
{
    Config c = loadOk(R"(version: 1
pools:
  - name: web
    image: docker.io/library/nginx:1.25
    command: [nginx, -g, "daemon off;"]
    mounts:
      - /srv/site:/usr/share/nginx/html:ro
      - {source: data, target: /data}
      - /tmp:/scratch:rw
    network: host
    pull: never
  - name: plain
    image: localhost/app:3
)");
    const PoolSpec &web = c.pools.at(0);
    QVERIFY(web.container);
    QCOMPARE(web.container->image, std::string("docker.io/library/nginx:1.25"));
    QCOMPARE(web.command, (std::vector<std::string>{"nginx", "-g", "daemon off;"}));
    QCOMPARE(web.container->mounts.size(), std::size_t(3));
    QVERIFY(web.container->mounts[0] == (MountSpec{"/srv/site", "/usr/share/nginx/html", true}));
    QCOMPARE(web.container->mounts[1].source, c.baseDir + "/data"); // as cwd: from the file
    QCOMPARE(web.container->mounts[1].target, std::string("/data"));
    QVERIFY(!web.container->mounts[1].readOnly);
    QVERIFY(!web.container->mounts[2].readOnly);
    QVERIFY(web.container->network == ContainerNetwork::Host);
    QVERIFY(web.container->pull == PullPolicy::Never);
    // No command: the image's own; the defaults.
    const PoolSpec &plain = c.pools.at(1);
    QVERIFY(plain.container);
    QVERIFY(plain.command.empty());
    QVERIFY(plain.container->network == ContainerNetwork::Private);
    QVERIFY(plain.container->pull == PullPolicy::Missing);
    QVERIFY(plain.container->mounts.empty());
    QVERIFY(!loadOk("version: 1\npools:\n  - {name: a, command: [a]}\n").pools.at(0).container);
}

void TestConfig::containerErrors_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QStringList>("expected");

    const QByteArray head = "version: 1\npools:\n  - name: a\n";
    QTest::newRow("no command and no image")
        << head + "    replicas: 1\n"
        << QStringList{QStringLiteral("t.yaml:3:5: pools[0]: missing required key \"command\" "
                                      "(the program and its arguments, as a list)")};
    QTest::newRow("mounts without an image")
        << head + "    command: [a]\n    mounts: [/a:/b]\n"
        << QStringList{QStringLiteral("t.yaml:5:5: pools[0].mounts: mounts is only for a "
                                      "container worker: give the pool an image")};
    QTest::newRow("network without an image")
        << head + "    command: [a]\n    network: host\n"
        << QStringList{QStringLiteral("t.yaml:5:5: pools[0].network: network is only for a "
                                      "container worker: give the pool an image")};
    QTest::newRow("image with a space")
        << head + "    image: \"nginx latest\"\n"
        << QStringList{QStringLiteral("t.yaml:4:12: pools[0].image: an image name has no spaces, "
                                      "e.g. docker.io/library/nginx:1.25")};
    QTest::newRow("image with a scheme")
        << head + "    image: docker://nginx\n"
        << QStringList{QStringLiteral("t.yaml:4:12: pools[0].image: an image is named without a "
                                      "scheme, e.g. quay.io/podman/hello:latest")};
    QTest::newRow("mount without a target")
        << head + "    image: x\n    mounts: [/srv]\n"
        << QStringList{QStringLiteral("t.yaml:5:14: pools[0].mounts[0]: expected SOURCE:TARGET "
                                      "or SOURCE:TARGET:ro, got \"/srv\"")};
    QTest::newRow("mount option")
        << head + "    image: x\n    mounts: [\"/srv:/srv:rx\"]\n"
        << QStringList{QStringLiteral(
               "t.yaml:5:14: pools[0].mounts[0]: the mount's option is ro or rw, got \"rx\"")};
    QTest::newRow("relative target")
        << head + "    image: x\n    mounts: [{source: /a, target: b}]\n"
        << QStringList{QStringLiteral("t.yaml:5:35: pools[0].mounts[0].target: the target must be "
                                      "an absolute path, got \"b\"")};
    QTest::newRow("network")
        << head + "    image: x\n    network: bridge\n"
        << QStringList{QStringLiteral(
               "t.yaml:5:14: pools[0].network: unknown value \"bridge\" (one of private, host)")};
    QTest::newRow("pull") << head + "    image: x\n    pull: sometimes\n"
                          << QStringList{QStringLiteral(
                                 "t.yaml:5:11: pools[0].pull: unknown value \"sometimes\" "
                                 "(one of missing, always, never)")};
}

void TestConfig::containerErrors()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QStringList, expected);
    LoadResult r = load(yaml);
    QVERIFY(!r.ok());
    QCOMPARE(lines(r), expected);
}

void TestConfig::containerRevision_data()
{
    QTest::addColumn<QByteArray>("before");
    QTest::addColumn<QByteArray>("after");
    QTest::addColumn<bool>("changes");
    QTest::newRow("a new tag") << QByteArray("image: app:1}") << QByteArray("image: app:2}")
                               << true;
    QTest::newRow("mount target") << QByteArray("image: a, mounts: [/a:/b]}")
                                  << QByteArray("image: a, mounts: [/a:/c]}") << true;
    QTest::newRow("read-only") << QByteArray("image: a, mounts: [/a:/b]}")
                               << QByteArray("image: a, mounts: [/a:/b:ro]}") << true;
    QTest::newRow("network") << QByteArray("image: a}") << QByteArray("image: a, network: host}")
                             << true;
    QTest::newRow("pull") << QByteArray("image: a}") << QByteArray("image: a, pull: always}")
                          << false;
}

void TestConfig::containerRevision()
{
    QFETCH(QByteArray, before);
    QFETCH(QByteArray, after);
    QFETCH(bool, changes);
    const QByteArray head = "version: 1\npools:\n  - {name: api, ";
    QCOMPARE(loadOk(head + before + "\n").pools.at(0).revision !=
                 loadOk(head + after + "\n").pools.at(0).revision,
             changes);
}

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
