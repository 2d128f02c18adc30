// The wire protocol's frames: what a client may send (and the garbage it may send instead),
// the op table's roles, and server frames read back into the same domain values.
#include "api/codec.h"
#include "remote/wire.h"

#include <QTest>

using namespace drover;
using nlohmann::json;

class TestWire : public QObject
{
    Q_OBJECT

private slots:
    void decodesRequests();
    void refusesGarbage_data();
    void refusesGarbage();
    void opTable();
    void roundTrips();
    void directJsonMatchesTheTree();
};

/// A job's pool: its status travels with it.
api::PoolInfo aJobPool()
{
    api::PoolInfo p;
    p.name = "backup";
    p.job =
        api::JobStatus{"0 3 * * *", "Europe/Berlin", "forbid",      1790000000000, 1,   12, 9, 2, 1,
                       12,          "failed",        1789990000000, 1789900000000, 1234};
    return p;
}

void TestWire::decodesRequests()
{
    auto f =
        remote::decodeClientFrame(R"({"id":3,"op":"worker.restart","args":{"worker":"api-2"}})");
    QVERIFY(f.ok());
    QCOMPARE(f->id.get<int>(), 3);
    QCOMPARE(f->op, std::string("worker.restart"));
    QCOMPARE(f->args["worker"].get<std::string>(), std::string("api-2"));
    // hello's fields sit at the top level (PROTOCOL.md); they reach the args.
    auto hello = remote::decodeClientFrame(
        R"({"id":"h","op":"hello","token":"drv_x","client":"drover/0.3.0","protocol":1})");
    QVERIFY(hello.ok());
    QCOMPARE(hello->id.get<std::string>(), std::string("h"));
    QCOMPARE(hello->args["token"].get<std::string>(), std::string("drv_x"));
    QCOMPARE(hello->args["protocol"].get<int>(), 1);
    // No args: an empty object.
    auto bare = remote::decodeClientFrame(R"({"id":1,"op":"config.get"})");
    QVERIFY(bare.ok() && bare->args.is_object() && bare->args.empty());
}

void TestWire::refusesGarbage_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("message");
    QTest::addColumn<bool>("hasId");
    QTest::newRow("empty") << QByteArray("") << "the frame is not JSON" << false;
    QTest::newRow("text") << QByteArray("hello?") << "the frame is not JSON" << false;
    QTest::newRow("truncated") << QByteArray(R"({"id":1,"op":)") << "the frame is not JSON"
                               << false;
    QTest::newRow("array") << QByteArray("[1,2]") << "the frame is not a JSON object" << false;
    QTest::newRow("no id") << QByteArray(R"({"op":"config.get"})")
                           << R"(the request has no "id" (a number or a string))" << false;
    QTest::newRow("object id") << QByteArray(R"({"id":{},"op":"config.get"})")
                               << R"(the request has no "id" (a number or a string))" << false;
    QTest::newRow("no op") << QByteArray(R"({"id":7})") << R"(the request has no "op")" << true;
    QTest::newRow("empty op") << QByteArray(R"({"id":7,"op":""})") << R"(the request has no "op")"
                              << true;
    QTest::newRow("args list") << QByteArray(R"({"id":7,"op":"x","args":[1]})")
                               << R"("args" must be an object)" << true;
    QTest::newRow("deep") << QByteArray(std::string(100000, '[').c_str()) << "the frame is not JSON"
                          << false;
    QTest::newRow("invalid utf-8")
        << QByteArray("{\"id\":1,\"op\":\"\xff\xfe\"}") << "the frame is not JSON" << false;
}

void TestWire::refusesGarbage()
{
    QFETCH(QByteArray, frame);
    QFETCH(QString, message);
    QFETCH(bool, hasId);
    json id;
    auto f = remote::decodeClientFrame(std::string_view(frame.constData(), frame.size()), &id);
    QVERIFY(!f.ok());
    QCOMPARE(std::string(api::toString(f.error().code)), std::string("bad_request"));
    QCOMPARE(QString::fromStdString(f.error().message), message);
    QCOMPARE(!id.is_null(), hasId);
    // The error reply carries the id when there was one.
    json reply = json::parse(remote::encodeReply(id, f.error()));
    QCOMPARE(reply["ok"].get<bool>(), false);
    QCOMPARE(reply["error"]["code"].get<std::string>(), std::string("bad_request"));
    QCOMPARE(reply["id"].is_null(), !hasId);
}

void TestWire::opTable()
{
    using api::Role;
    QVERIFY(!api::findOp("rm -rf"));
    QCOMPARE(int(api::findOp("events.query")->minRole), int(Role::Viewer));
    QCOMPARE(int(api::findOp("worker.restart")->minRole), int(Role::Operator));
    QCOMPARE(int(api::findOp("pool.scale")->minRole), int(Role::Operator));
    QCOMPARE(int(api::findOp("config.apply")->minRole), int(Role::Admin));
    // Exactly the ops that change something are audited.
    for (const api::OpInfo &op : api::allOps())
        QCOMPARE(op.mutating, op.minRole != Role::Viewer);
}

void TestWire::roundTrips()
{
    api::WorkerInfo w;
    w.id = "api-1";
    w.pool = "api";
    w.state = api::WorkerState::Ready;
    w.pid = 4711;
    w.port = 9101;
    w.probes.push_back(
        {"readiness", "http", "GET http://127.0.0.1:9101/ready", "passing", 17, "200 OK"});
    api::PoolInfo p;
    p.name = "api";
    p.desired = 2;
    p.ready = 1;
    const api::PoolInfo jobPool = aJobPool();
    api::JobRun run{"backup",
                    12,
                    "manual",
                    "console",
                    "backup-0",
                    4242,
                    "abc123",
                    0,
                    1789990000000,
                    1789990001234,
                    "deadline",
                    "signal:SIGTERM",
                    "still going at its deadline (1s)",
                    "line 1\nline \"2\""};
    auto runBack = api::jobRunFromJson(api::toJson(run));
    QVERIFY(runBack.ok() && *runBack == run);
    QVERIFY(!api::jobRunFromJson(json{{"number", "twelve"}}).ok());
    QVERIFY(!api::jobStatusFromJson(json::array()).ok());
    api::RolloutInfo ro;
    ro.pool = "api";
    ro.number = 3;
    ro.strategy = "rolling";
    ro.phase = "rolling-back";
    ro.cause = "config";
    ro.fromRevision = "abc123abc123";
    ro.toRevision = "def456def456";
    ro.desired = 2;
    ro.updated = 1;
    ro.old = 2;
    ro.ready = 2;
    ro.startedAtMs = 1790000000000;
    ro.deadlineAtMs = 1790000060000;
    ro.step = "1 of 2 new ready";
    ro.reason = "new workers fail: api-2 crashed 3 times";
    api::Snapshot s;
    s.seq = 41;
    s.workers = {w};
    s.pools = {p};
    s.rollouts = {ro};
    s.configVersion = "c7e1";
    s.role = api::Role::Operator;
    auto snap = remote::decodeServerFrame(remote::encodeSnapshot(s));
    QVERIFY(snap.ok());
    QCOMPARE(int(snap->kind), int(remote::ServerFrame::Kind::Snapshot));
    QCOMPARE(snap->snapshot.seq, std::uint64_t(41));
    QVERIFY(snap->snapshot.workers == s.workers);
    QVERIFY(snap->snapshot.pools == s.pools);
    QVERIFY(snap->snapshot.rollouts == s.rollouts);
    // The tree form says the same as the text written directly.
    QVERIFY(json::parse(remote::encodeSnapshot(s))["rollouts"] == api::toJson(s)["rollouts"]);
    QCOMPARE(snap->snapshot.configVersion, std::string("c7e1"));
    QCOMPARE(int(snap->snapshot.role), int(api::Role::Operator));

    const std::vector<api::Delta> deltas = {
        {42, api::DeltaKind::WorkerUpsert, w},
        {43, api::DeltaKind::WorkerRemoved, std::string("api-1")},
        {44, api::DeltaKind::PoolUpsert, p},
        {44, api::DeltaKind::PoolUpsert, jobPool},
        {45, api::DeltaKind::PoolRemoved, std::string("api")},
        {46, api::DeltaKind::EventAdded,
         api::Event{9, 1000, "worker.state", "api-1", "api-1: running -> ready", "running", "ready",
                    "probe:readiness passed (200 OK)"}},
        {47, api::DeltaKind::HealthSampled,
         api::HealthSample{"api-1", "readiness", "http", 1001, false, 0.5,
                           "503 Service Unavailable", "not ready\n"}},
        {48, api::DeltaKind::RolloutUpsert, ro},
    };
    for (const api::Delta &d : deltas) {
        auto back = remote::decodeServerFrame(remote::encodeDelta(d));
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message.c_str());
        QCOMPARE(back->delta.seq, d.seq);
        QCOMPARE(int(back->delta.kind), int(d.kind));
        QVERIFY(back->delta.value == d.value);
    }

    // The same deltas as one `deltas` frame: all of them, in order; a role given to
    // encodeSnapshot replaces the snapshot's own.
    std::vector<std::shared_ptr<const std::string>> frames;
    for (const api::Delta &d : deltas)
        frames.push_back(std::make_shared<const std::string>(remote::encodeDelta(d)));
    auto batch = remote::decodeServerFrame(remote::encodeDeltaBatch(frames));
    QVERIFY2(batch.ok(), batch.ok() ? "" : batch.error().message.c_str());
    QCOMPARE(int(batch->kind), int(remote::ServerFrame::Kind::Deltas));
    QCOMPARE(batch->deltas.size(), deltas.size());
    for (std::size_t i = 0; i < deltas.size(); ++i) {
        QCOMPARE(batch->deltas[i].seq, deltas[i].seq);
        QVERIFY(batch->deltas[i].value == deltas[i].value);
    }
    QVERIFY(!remote::decodeServerFrame(R"({"type":"deltas","deltas":[1]})").ok());
    auto viewer = remote::decodeServerFrame(remote::encodeSnapshot(s, api::Role::Viewer));
    QVERIFY(viewer.ok() && viewer->snapshot.role == api::Role::Viewer);

    auto ok = remote::decodeServerFrame(remote::encodeReply(5, json{{"changed", true}}));
    QVERIFY(ok.ok() && ok->reply.ok());
    QCOMPARE(ok->id.get<int>(), 5);
    QCOMPARE(ok->reply.value()["changed"].get<bool>(), true);
    api::Error invalid{api::ErrorCode::InvalidConfig,
                       "1 error in the config",
                       {api::Diagnostic{"a.yaml", 3, 7, "pools[0].replicas", "expected a number"}}};
    auto err = remote::decodeServerFrame(remote::encodeReply("x", invalid));
    QVERIFY(err.ok() && !err->reply.ok());
    QCOMPARE(std::string(api::toString(err->reply.error().code)), std::string("invalid_config"));
    QCOMPARE(err->reply.error().details.size(), std::size_t(1));
    QCOMPARE(err->reply.error().details[0].line, 3);
    QCOMPARE(err->reply.error().details[0].path, std::string("pools[0].replicas"));

    api::MetricBatch metricBatch{1790000000, {{"pool/api/ready", 2}, {"master/cpu_percent", 0.5}}};
    auto m = remote::decodeServerFrame(remote::encodeMetrics(metricBatch));
    QVERIFY(m.ok());
    QCOMPARE(m->metrics.timeMs, metricBatch.timeMs);
    QCOMPARE(m->metrics.points.size(), std::size_t(2));
    QCOMPARE(m->metrics.points[1].value, 0.5);
    auto r = remote::decodeServerFrame(remote::encodeResync("slow"));
    QVERIFY(r.ok() && r->kind == remote::ServerFrame::Kind::Resync && r->reason == "slow");
    QVERIFY(!remote::decodeServerFrame("nonsense").ok());
    QVERIFY(!remote::decodeServerFrame(R"({"type":"delta","seq":1,"kind":"bogus"})").ok());
}

// The snapshot's workers are written without a JSON tree: the text must read back as the
// tree would have it, odd strings included, and bytes that are not UTF-8 must not break it.
void TestWire::directJsonMatchesTheTree()
{
    std::vector<api::WorkerInfo> workers(4);
    workers[0].id = "plain-0";
    workers[1].id = "odd \"quoted\" \\ back\nslash\t\x01\x1f end";
    workers[1].reason = "größe: ✓ 𝄞";
    workers[1].cpuPercent = 12.345;
    workers[1].rssBytes = 18446744073709551615ull;
    workers[1].startedAtMs = -5;
    workers[1].limits = {"memory 256Mi (cgroup v1)", ""};
    workers[1].limitProblems = {"cpu: \"no\""};
    workers[2].port = 9000;
    workers[2].nextStartAtMs = 1790000000123;
    workers[2].state = api::WorkerState::Backoff;
    workers[2].probes.push_back({"liveness", "exec", "true", "failing", 7, "exit:1\nline two"});
    workers[3].cpuPercent = 0.1;
    workers[3].adopted = true;
    workers[3].fds = -1;
    for (const api::WorkerInfo &w : workers) {
        std::string text;
        api::appendJson(text, w);
        json parsed = json::parse(text, nullptr, false);
        QVERIFY2(!parsed.is_discarded(), text.c_str());
        QVERIFY2(parsed == api::toJson(w), (text + "\n" + api::toJson(w).dump()).c_str());
        auto back = api::workerFromJson(parsed);
        QVERIFY(back.ok() && *back == w);
    }
    api::WorkerInfo bad;
    bad.id = std::string("cut \xE2\x82 here \xFF \xED\xA0\x80 and \xC0\xAF");
    std::string text;
    api::appendJson(text, bad);
    json parsed = json::parse(text, nullptr, false);
    QVERIFY2(!parsed.is_discarded(), text.c_str());
    QVERIFY(parsed["id"].get<std::string>().find("\xEF\xBF\xBD") != std::string::npos);
    QVERIFY(parsed["id"].get<std::string>().rfind("cut ", 0) == 0);

    api::Snapshot s;
    s.seq = 9;
    s.workers = workers;
    s.pools.push_back(
        api::PoolInfo{"p", 2, 1, 1, "abc", "", false, 2, 2, 0, std::nullopt, std::nullopt});
    s.pools.push_back(aJobPool());
    s.configVersion = "v\"1";
    json tree = api::toJson(s);
    json direct = json::parse(api::snapshotText(s), nullptr, false);
    QVERIFY(direct == tree);
    tree["role"] = "viewer";
    QVERIFY(json::parse(api::snapshotText(s, api::Role::Viewer)) == tree);
}

QTEST_GUILESS_MAIN(TestWire)
#include "tst_wire.moc"
