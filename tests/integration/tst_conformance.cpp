// One Backend, two implementations: the same cases against LocalBackend (the embedded master,
// an engine on its own thread in this process) and RemoteBackend talking to a real droverd.
// The UI must not be able to tell them apart: a snapshot then gapless deltas, the same results
// and error codes for the same requests, replies after the deltas they caused.
#include "config/loader.h"
#include "droverdfixture.h"
#include "local/localbackend.h"

#include <atomic>
#include <set>

extern char **environ;

using namespace drover;
using namespace drover::test;
using nlohmann::json;

namespace {

/// Three sleepers, a worker that restarts every 0.3 s, one that prints lines, with a probe.
const QByteArray kPools =
    "  - name: w\n"
    "    command: [\"sleep\", \"1000\"]\n"
    "    replicas: 3\n"
    "    stop: {timeout: 2s}\n"
    "  - name: flap\n"
    "    command: [\"sh\", \"-c\", \"sleep 0.3; exit 1\"]\n"
    "    restart: {policy: always, backoff: {initial: 0ms, max: 1ms}, "
    "max_restarts: 1000000, window: 1s}\n"
    "  - name: talker\n"
    "    command: [\"sh\", \"-c\", \"echo one; echo two; exec sleep 1000\"]\n"
    "    probes: {liveness: {exec: {command: [\"true\"]}, interval: 200ms}}\n";

/// A backend under test: LocalBackend, or droverd plus a RemoteBackend to it. The same config
/// (kPools) and the same kind of state dir either way.
class Subject
{
public:
    explicit Subject(const QString &kind)
        : m_kind(kind)
    {}
    ~Subject()
    {
        if (m_local) {
            m_local->shutdown();
            m_local.reset();
        }
        m_link.reset();
    }

    bool start()
    {
        if (m_kind == QLatin1String("local")) {
            engine::EngineOptions options;
            for (char **e = environ; *e; ++e)
                options.masterEnv.emplace_back(*e);
            options.masterEnv.push_back(m_droverd.markEnv());
            options.cgroupParent = "drover-test-" + std::to_string(getpid());
            m_local = std::make_unique<local::LocalBackend>(options);
            const QByteArray text = m_droverd.yaml(kPools);
            config::LoadResult loaded =
                config::loadText(text.toStdString(), m_droverd.config.toStdString());
            if (!loaded.ok()) {
                qWarning("%s", loaded.report().c_str());
                return false;
            }
            auto config = std::make_shared<config::Config>(std::move(*loaded.config));
            config->file = m_droverd.config.toStdString();
            if (!m_droverd.writeConfig(text))
                return false;
            auto started = m_local->start(config);
            if (!started.ok())
                qWarning("%s", started.error().message.c_str());
            return started.ok();
        }
        if (!m_droverd.writeConfig(m_droverd.yaml(kPools)) || !m_droverd.start())
            return false;
        m_link = std::make_unique<Link>(Link::options(m_droverd.port));
        return m_link->connected();
    }

    api::Backend &backend()
    {
        if (m_local)
            return *m_local;
        return *m_link->backend;
    }

    /// Sends a request; counts its replies and keeps the last.
    std::shared_ptr<Link::Pending> send(const std::string &op, const json &args,
                                        std::function<void()> onReply = {})
    {
        auto p = std::make_shared<Link::Pending>();
        backend().request(op, args, [p, onReply](api::Reply r) {
            if (onReply)
                onReply();
            std::lock_guard lock(p->mutex);
            ++p->replies;
            p->reply = std::move(r);
            p->cv.notify_all();
        });
        return p;
    }
    std::optional<api::Reply> call(const std::string &op, const json &args)
    {
        return Link::wait(send(op, args));
    }

    /// Stops everything; whether nothing of the test is left running.
    bool finish()
    {
        if (m_local) {
            m_local->shutdown();
            m_local.reset();
        } else {
            m_link.reset();
            if (m_droverd.stop() != 0)
                return false;
        }
        return killLeftovers(m_droverd.markEnv(), 3000).empty();
    }

    const Droverd &files() const { return m_droverd; }

private:
    QString m_kind;
    Droverd m_droverd; ///< its temp dir, state dir, mark and port; started for "remote" only
    std::unique_ptr<local::LocalBackend> m_local;
    std::unique_ptr<Link> m_link;
};

} // namespace

class TestConformance : public QObject
{
    Q_OBJECT

private slots:
    void snapshotThenDeltas_data() { rows(); }
    void snapshotThenDeltas();
    void requestResults_data() { rows(); }
    void requestResults();
    void errors_data() { rows(); }
    void errors();
    void replyAfterItsDeltas_data() { rows(); }
    void replyAfterItsDeltas();
    void config_data() { rows(); }
    void config();

private:
    static void rows()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("local") << QStringLiteral("local");
        QTest::newRow("remote") << QStringLiteral("remote");
    }
};

// Subscribed after start: one snapshot with every worker and pool, then deltas with seq =
// snapshot.seq + 1, + 2, ... while a worker restarts; a second subscriber gets its own snapshot.
void TestConformance::snapshotThenDeltas()
{
    QFETCH(QString, kind);
    Subject subject(kind);
    QVERIFY(subject.start());
    auto rec = std::make_shared<Recorder>();
    subject.backend().subscribe(rec);
    QVERIFY(rec->waitFor([&] { return rec->snapshots == 1; }));
    std::set<std::string> ids, pools;
    for (const api::WorkerInfo &w : rec->lastSnapshot.workers)
        ids.insert(w.id);
    for (const api::PoolInfo &p : rec->lastSnapshot.pools)
        pools.insert(p.name);
    QCOMPARE(ids, (std::set<std::string>{"flap-0", "talker-0", "w-0", "w-1", "w-2"}));
    QCOMPARE(pools, (std::set<std::string>{"flap", "talker", "w"}));
    QVERIFY(rec->lastSnapshot.role == api::Role::Admin);
    QVERIFY(!rec->lastSnapshot.configVersion.empty());
    QVERIFY(rec->waitFor([&] { return rec->restartsOf("flap-0") >= 3; }, 20'000));

    auto second = std::make_shared<Recorder>();
    std::uint64_t id = subject.backend().subscribe(second);
    QVERIFY(second->waitFor([&] { return second->snapshots == 1; }));
    QVERIFY(second->waitFor([&] { return second->seqs.size() >= 5; }, 10'000));
    subject.backend().unsubscribe(id);
    {
        std::lock_guard lock(rec->mutex);
        QCOMPARE(rec->snapshots, 1);
        QVERIFY2(rec->gaps.empty(), rec->gaps.empty() ? "" : rec->gaps.front().c_str());
        QCOMPARE(rec->seqs.front(), rec->lastSnapshot.seq + 1);
        // Worker states came as events, one per transition, with from and to.
        int transitions = 0;
        for (const api::Event &e : rec->events) {
            if (e.kind == "worker.state" && e.subject == "flap-0") {
                ++transitions;
                QVERIFY(!e.from.empty() && !e.to.empty());
            }
        }
        QVERIFY(transitions >= 6);
    }
    {
        std::lock_guard lock(second->mutex);
        QVERIFY(second->gaps.empty());
        // The second snapshot knows what the first stream told.
        QVERIFY(second->lastSnapshot.seq >= rec->lastSnapshot.seq);
    }
    QVERIFY(subject.finish());
}

// The same requests give the same shapes of results, each exactly once.
void TestConformance::requestResults()
{
    QFETCH(QString, kind);
    Subject subject(kind);
    QVERIFY(subject.start());
    auto rec = std::make_shared<Recorder>();
    subject.backend().subscribe(rec);
    QVERIFY(rec->waitFor([&] { return rec->snapshots == 1; }));
    QVERIFY(rec->waitFor([&] {
        auto it = rec->workers.find("talker-0");
        return it != rec->workers.end() && it->second.pid > 0;
    }));
    QTRY_VERIFY_WITH_TIMEOUT(
        readText(subject.files().stateDir + QStringLiteral("/logs/talker-0.log"))
            .contains(QStringLiteral("two")),
        10'000);
    QTest::qWait(600); // some probe results

    std::vector<std::shared_ptr<Link::Pending>> all;
    auto send = [&](const std::string &op, const json &args) {
        all.push_back(subject.send(op, args));
        return all.back();
    };
    auto restart = send("worker.restart", {{"worker", "w-1"}});
    auto scale = send("pool.scale", {{"pool", "w"}, {"replicas", 2}});
    auto logs = send("logs.tail", {{"worker", "talker-0"}, {"lines", 1}});
    auto events = send("events.query", {{"limit", 3}});
    auto health = send("health.history", {{"worker", "talker-0"}, {"limit", 2}});
    auto metrics = send("metrics.query", {{"series", "master/rss_bytes"}});
    auto config = send("config.get", json::object());

    auto r = Link::wait(restart);
    QVERIFY(r && r->ok());
    QCOMPARE((*r)->at("worker").at("id").get<std::string>(), std::string("w-1"));
    r = Link::wait(scale);
    QVERIFY(r && r->ok());
    QCOMPARE((*r)->at("pool").at("name").get<std::string>(), std::string("w"));
    QCOMPARE((*r)->at("pool").at("desired").get<int>(), 2);
    r = Link::wait(logs);
    QVERIFY(r && r->ok());
    QVERIFY2((*r)->at("lines") == json::array({"two"}), (*r)->dump().c_str());
    QCOMPARE((*r)->at("worker").get<std::string>(), std::string("talker-0"));
    r = Link::wait(events);
    QVERIFY(r && r->ok());
    QCOMPARE((*r)->at("events").size(), std::size_t(3));
    r = Link::wait(health);
    QVERIFY(r && r->ok());
    QCOMPARE((*r)->at("probes").size(), std::size_t(1));
    QCOMPARE((*r)->at("probes")[0].at("probe").get<std::string>(), std::string("liveness"));
    QCOMPARE((*r)->at("results").size(), std::size_t(2));
    r = Link::wait(metrics);
    QVERIFY(r && r->ok());
    QVERIFY((*r)->at("points").is_array());
    r = Link::wait(config);
    QVERIFY(r && r->ok());
    QCOMPARE(QString::fromStdString((*r)->at("file").get<std::string>()), subject.files().config);
    QCOMPARE((*r)->at("version").get<std::string>(), rec->lastSnapshot.configVersion);

    QVERIFY(rec->waitFor([&] { return rec->workers.count("w-2") == 0; }));
    QTest::qWait(300);
    for (const auto &p : all)
        QCOMPARE(Link::replies(p), 1);
    QVERIFY(subject.finish());
}

// The same wrong requests give the same error codes.
void TestConformance::errors()
{
    QFETCH(QString, kind);
    Subject subject(kind);
    QVERIFY(subject.start());
    struct Case
    {
        std::string op;
        json args;
        std::string code;
    };
    const std::vector<Case> cases = {
        {"worker.explode", {{"worker", "w-0"}}, "bad_request"},
        {"worker.restart", {{"worker", "nosuch-1"}}, "not_found"},
        {"worker.stop", json::object(), "bad_request"},
        {"logs.tail", {{"worker", "nosuch-1"}}, "not_found"},
        {"logs.tail", {{"worker", "w-0"}, {"lines", -1}}, "bad_request"},
        {"health.history", {{"worker", "w-0"}, {"probe", "sometimes"}}, "bad_request"},
        {"pool.scale", {{"pool", "nosuch"}, {"replicas", 1}}, "not_found"},
        {"pool.scale", {{"pool", "w"}}, "bad_request"},
        {"pool.scale", {{"pool", "w"}, {"replicas", -1}}, "bad_request"},
        {"metrics.query", json::object(), "bad_request"},
    };
    for (const Case &c : cases) {
        auto r = subject.call(c.op, c.args);
        const std::string what = c.op + " " + c.args.dump() + " -> " + codeOf(r);
        QVERIFY2(codeOf(r) == c.code, what.c_str());
        QVERIFY2(!r->error().message.empty(), what.c_str());
    }
    QVERIFY(subject.finish());
}

// A reply comes after the deltas its request caused: when pool.scale is answered, the stream
// has already shown the pool's new size.
void TestConformance::replyAfterItsDeltas()
{
    QFETCH(QString, kind);
    Subject subject(kind);
    QVERIFY(subject.start());
    auto rec = std::make_shared<Recorder>();
    subject.backend().subscribe(rec);
    QVERIFY(rec->waitFor([&] { return rec->snapshots == 1; }));
    for (int n : {4, 1, 3}) {
        std::atomic<int> seenDesired{-1};
        auto p = subject.send("pool.scale", {{"pool", "w"}, {"replicas", n}}, [&] {
            std::lock_guard lock(rec->mutex);
            seenDesired = rec->pools.count("w") ? rec->pools["w"].desired : -1;
        });
        auto r = Link::wait(p);
        QVERIFY(r && r->ok());
        QCOMPARE(seenDesired.load(), n);
    }
    QVERIFY(rec->waitFor([&] { return rec->workers.size() == 5; }));
    QVERIFY(subject.finish());
}

// config.validate answers with the config's errors (file:line:col), or ok.
void TestConformance::config()
{
    QFETCH(QString, kind);
    Subject subject(kind);
    QVERIFY(subject.start());
    auto bad = subject.call("config.validate", {{"text", "version: 1\npools:\n  - name: w\n"
                                                         "    command: [x]\n    replicas: many\n"},
                                                {"file", "edited.yaml"}});
    if (kind == QLatin1String("local"))
        QEXPECT_FAIL("local",
                     "LocalBackend passes config.validate/apply to the engine, which does not "
                     "know them (only droverd's server implements them)",
                     Abort);
    QCOMPARE(codeOf(bad), std::string("invalid_config"));
    QCOMPARE(bad->error().details.size(), std::size_t(1));
    QCOMPARE(bad->error().details[0].line, 5);
    QCOMPARE(bad->error().details[0].path, std::string("pools[0].replicas"));
    auto good =
        subject.call("config.validate", {{"text", subject.files().yaml(kPools).toStdString()}});
    QVERIFY(good && good->ok());
    QVERIFY(subject.finish());
}

QTEST_GUILESS_MAIN(TestConformance)
#include "tst_conformance.moc"
