// One Backend, two implementations: the same cases against LocalBackend (the embedded master,
// an engine on its own thread in this process) and RemoteBackend talking to a real droverd.
// The UI must not be able to tell them apart: a snapshot then gapless deltas, the same results
// and error codes for the same requests, replies after the deltas they caused.
#include "config/loader.h"
#include "droverdfixture.h"
#include "local/localbackend.h"
#include "markedprocesses.h"

#include <atomic>
#include <set>

extern char **environ;

using namespace drover;
using namespace drover::test;
using nlohmann::json;

namespace {

/// Three sleepers, a worker that restarts every 0.3 s, one that prints lines, with a probe,
/// one that prints a numbered line every 50 ms.
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
    "    probes: {liveness: {exec: {command: [\"true\"]}, interval: 200ms}}\n"
    "  - name: ticker\n"
    "    command: [\"sh\", \"-c\", \"i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.05; "
    "done\"]\n";

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
            options.cgroupParent = drover::test::testCgroupParent();
            m_local = std::make_unique<local::LocalBackend>(options);
            const QByteArray text = m_droverd.yaml(kPools);
            // As droverd loads its file: relative paths (and a pool's default cwd, part of its
            // revision) against the file's directory.
            config::LoadOptions load;
            load.baseDir = QFileInfo(m_droverd.config).absolutePath().toStdString();
            config::LoadResult loaded =
                config::loadText(text.toStdString(), m_droverd.config.toStdString(), load);
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
    void logsFollow_data() { rows(); }
    void logsFollow();
    void configPlanAndHistory_data() { rows(); }
    void configPlanAndHistory();

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
    QCOMPARE(ids, (std::set<std::string>{"flap-0", "talker-0", "ticker-0", "w-0", "w-1", "w-2"}));
    QCOMPARE(pools, (std::set<std::string>{"flap", "talker", "ticker", "w"}));
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
    QVERIFY(rec->waitFor([&] { return rec->workers.size() == 6; }));
    QVERIFY(subject.finish());
}

// config.validate answers with the config's errors (file:line:col), or ok; config.apply
// refuses a stale base version and an invalid text (changing nothing), then applies a valid
// one: the file is replaced, the earlier one kept, the new version streamed.
void TestConformance::config()
{
    QFETCH(QString, kind);
    Subject subject(kind);
    QVERIFY(subject.start());
    auto rec = std::make_shared<Recorder>();
    subject.backend().subscribe(rec);
    QVERIFY(rec->waitFor([&] { return rec->snapshots == 1; }));
    const std::string text = subject.files().yaml(kPools).toStdString();
    const std::string invalid = "version: 1\npools:\n  - name: w\n"
                                "    command: [x]\n    replicas: many\n";
    auto bad = subject.call("config.validate", {{"text", invalid}, {"file", "edited.yaml"}});
    QCOMPARE(codeOf(bad), std::string("invalid_config"));
    QCOMPARE(bad->error().details.size(), std::size_t(1));
    QCOMPARE(bad->error().details[0].file, std::string("edited.yaml"));
    QCOMPARE(bad->error().details[0].line, 5);
    QCOMPARE(bad->error().details[0].path, std::string("pools[0].replicas"));
    auto good = subject.call("config.validate", {{"text", text}});
    QVERIFY(good && good->ok());

    auto got = subject.call("config.get", json::object());
    QVERIFY(got && got->ok());
    const std::string version = (*got)->at("version").get<std::string>();
    QCOMPARE(version, rec->lastSnapshot.configVersion);
    QCOMPARE((*got)->at("text").get<std::string>(), text);

    std::string scaled = text;
    const std::string from = "replicas: 3";
    QVERIFY(scaled.find(from) != std::string::npos);
    scaled.replace(scaled.find(from), from.size(), "replicas: 1");
    QCOMPARE(codeOf(subject.call("config.apply", {{"text", scaled}, {"base_version", "0ld"}})),
             std::string("conflict"));
    QCOMPARE(codeOf(subject.call("config.apply", {{"text", invalid}, {"base_version", version}})),
             std::string("invalid_config"));
    QCOMPARE(readText(subject.files().config).toStdString(), text); // nothing changed

    auto applied = subject.call("config.apply", {{"text", scaled}, {"base_version", version}});
    QVERIFY2(applied && applied->ok(), codeOf(applied).c_str());
    const std::string next = (*applied)->at("version").get<std::string>();
    QVERIFY(next != version);
    QCOMPARE(readText(subject.files().config).toStdString(), scaled);
    const QStringList kept =
        QDir(subject.files().stateDir + QStringLiteral("/config-history")).entryList(QDir::Files);
    QCOMPARE(kept.size(), 1);
    QVERIFY(kept[0].endsWith(QString::fromStdString("-" + version + ".yaml")));
    QVERIFY(rec->waitFor([&] {
        return rec->workers.count("w-1") == 0 && rec->workers.count("w-2") == 0 &&
               rec->pools["w"].desired == 1;
    }));
    got = subject.call("config.get", json::object());
    QCOMPARE((*got)->at("version").get<std::string>(), next);
    QVERIFY(subject.finish());
}

// config.plan says what an apply would do, in data, without doing it; config.history lists the
// running version and the ones kept, with who applied each, and gives any one's text.
void TestConformance::configPlanAndHistory()
{
    QFETCH(QString, kind);
    Subject subject(kind);
    QVERIFY(subject.start());
    const std::string text = subject.files().yaml(kPools).toStdString();
    auto got = subject.call("config.get", json::object());
    QVERIFY(got && got->ok());
    const std::string v0 = (*got)->at("version").get<std::string>();

    // Scale w, change talker's command (a new template), drop ticker, add a pool.
    std::string next = text;
    next.replace(next.find("replicas: 3"), 11, "replicas: 5");
    next.replace(next.find("echo one"), 8, "echo uno");
    next.erase(next.find("  - name: ticker"));
    next += "  - name: extra\n    command: [\"sleep\", \"1000\"]\n    replicas: 2\n";
    auto plan = subject.call("config.plan", {{"text", next}});
    QVERIFY2(plan && plan->ok(), codeOf(plan).c_str());
    const json &p = **plan;
    QCOMPARE(p["version"].get<std::string>(), v0);
    QCOMPARE(p["unchanged"].get<bool>(), false);
    std::map<std::string, json> byPool;
    for (const json &c : p["pools"])
        byPool[c["pool"].get<std::string>() + "/" + c["change"].get<std::string>()] = c;
    QVERIFY2(byPool.size() == 4, p["pools"].dump().c_str()); // flap's revision is the same
    QCOMPARE(byPool["w/scaled"]["from"].get<int>(), 3);
    QCOMPARE(byPool["w/scaled"]["to"].get<int>(), 5);
    QCOMPARE(byPool["talker/template"]["strategy"].get<std::string>(), std::string("rolling"));
    QCOMPARE(byPool["talker/template"]["max_surge"].get<int>(), 1);
    QCOMPARE(byPool["talker/template"]["max_unavailable"].get<int>(), 0);
    QVERIFY(byPool.count("ticker/removed"));
    QCOMPARE(byPool["extra/added"]["replicas"].get<int>(), 2);
    QVERIFY(p["master"].empty());
    // Nothing happened: same version, same file.
    QCOMPARE(readText(subject.files().config).toStdString(), text);
    auto same = subject.call("config.plan", {{"text", text}});
    QVERIFY(same && same->ok() && (*same)->at("unchanged").get<bool>());
    // A master setting read only at start.
    std::string moved = text;
    const std::string port = std::to_string(subject.files().port);
    moved.replace(moved.find(port), port.size(), std::to_string(subject.files().port + 1));
    auto restart = subject.call("config.plan", {{"text", moved}});
    QVERIFY(restart && restart->ok());
    QCOMPARE((*restart)->at("master").size(), std::size_t(1));
    QCOMPARE((*restart)->at("master")[0]["setting"].get<std::string>(), std::string("listen"));
    QCOMPARE((*restart)->at("master")[0]["restart"].get<bool>(), true);
    // Errors as config.validate gives them.
    auto bad = subject.call("config.plan", {{"text", "version: 1\npools: 7\n"}});
    QCOMPARE(codeOf(bad), std::string("invalid_config"));
    QCOMPARE(bad->error().details[0].line, 2);
    QCOMPARE(codeOf(subject.call("config.plan", json::object())), std::string("bad_request"));

    // History: only the running version, then two applies.
    auto history = subject.call("config.history", json::object());
    QVERIFY(history && history->ok());
    QCOMPARE((*history)->at("versions").size(), std::size_t(1));
    QCOMPARE((*history)->at("versions")[0]["version"].get<std::string>(), v0);
    QCOMPARE((*history)->at("versions")[0]["current"].get<bool>(), true);
    auto a1 = subject.call("config.apply", {{"text", next}, {"base_version", v0}});
    QVERIFY2(a1 && a1->ok(), codeOf(a1).c_str());
    const std::string v1 = (*a1)->at("version").get<std::string>();
    std::string last = next;
    last.replace(last.find("replicas: 5"), 11, "replicas: 1");
    auto a2 = subject.call("config.apply", {{"text", last}, {"base_version", v1}});
    QVERIFY2(a2 && a2->ok(), codeOf(a2).c_str());
    const std::string v2 = (*a2)->at("version").get<std::string>();
    history = subject.call("config.history", json::object());
    QVERIFY(history && history->ok());
    const json &versions = (*history)->at("versions");
    QCOMPARE(versions.size(), std::size_t(3));
    QCOMPARE(versions[0]["version"].get<std::string>(), v2);
    QCOMPARE(versions[1]["version"].get<std::string>(), v1);
    QCOMPARE(versions[2]["version"].get<std::string>(), v0);
    // The embedded master's console applies as "console"; droverd without tokens as "local".
    const std::string who = kind == QLatin1String("local") ? "console" : "local";
    QCOMPARE(versions[0]["who"].get<std::string>(), who);
    QCOMPARE(versions[1]["who"].get<std::string>(), who);
    QVERIFY(versions[0]["applied_at"].get<std::int64_t>() >=
            versions[1]["applied_at"].get<std::int64_t>());
    QVERIFY(versions[2]["who"].is_null()); // loaded at start: nobody applied it here
    for (const auto &[version, body] :
         {std::pair{v0, text}, std::pair{v1, next}, std::pair{v2, last}}) {
        auto one = subject.call("config.history", {{"version", version}});
        QVERIFY2(one && one->ok(), version.c_str());
        QCOMPARE((*one)->at("text").get<std::string>(), body);
    }
    QCOMPARE(codeOf(subject.call("config.history", {{"version", "000000000000"}})),
             std::string("not_found"));
    QVERIFY(subject.finish());
}

// logs.follow: the last lines, then every new line, none missing between them and none twice;
// nothing more after unfollowLogs(); an unknown worker is not_found.
void TestConformance::logsFollow()
{
    QFETCH(QString, kind);
    Subject subject(kind);
    QVERIFY(subject.start());
    QTRY_VERIFY_WITH_TIMEOUT(
        readText(subject.files().stateDir + QStringLiteral("/logs/ticker-0.log"))
            .contains(QStringLiteral("tick 3\n")),
        10'000);

    struct Seen
    {
        std::mutex mutex;
        std::vector<std::string> lines;
        int batches = 0;
        std::int64_t skipped = 0;
        std::optional<api::Reply> reply;
    };
    auto seen = std::make_shared<Seen>();
    auto number = [](const std::string &line) { return std::stoi(line.substr(5)); };
    std::uint64_t follow = subject.backend().followLogs(
        {{"worker", "ticker-0"}, {"lines", 3}},
        [seen](api::LogLines batch) {
            std::lock_guard lock(seen->mutex);
            ++seen->batches;
            seen->skipped += batch.skipped;
            for (std::string &line : batch.lines)
                seen->lines.push_back(std::move(line));
        },
        [seen](api::Reply r) {
            std::lock_guard lock(seen->mutex);
            QVERIFY(!seen->reply); // exactly one reply
            seen->reply = std::move(r);
        });
    auto replied = [](const std::shared_ptr<Seen> &s) {
        std::lock_guard lock(s->mutex);
        return s->reply.has_value();
    };
    QTRY_VERIFY_WITH_TIMEOUT(replied(seen), 5000);
    std::vector<std::string> tail;
    {
        std::lock_guard lock(seen->mutex);
        QVERIFY2(seen->reply->ok(), codeOf(*seen->reply).c_str());
        QCOMPARE((*seen->reply)->at("worker").get<std::string>(), std::string("ticker-0"));
        tail = (*seen->reply)->at("lines").get<std::vector<std::string>>();
    }
    QCOMPARE(tail.size(), std::size_t(3));
    auto count = [&] {
        std::lock_guard lock(seen->mutex);
        return seen->lines.size();
    };
    QTRY_VERIFY_WITH_TIMEOUT(count() >= 10, 10'000);
    {
        std::lock_guard lock(seen->mutex);
        QCOMPARE(seen->skipped, std::int64_t(0));
        std::vector<std::string> all = tail;
        all.insert(all.end(), seen->lines.begin(), seen->lines.end());
        for (std::size_t i = 1; i < all.size(); ++i)
            QVERIFY2(number(all[i]) == number(all[i - 1]) + 1,
                     (all[i - 1] + " then " + all[i]).c_str());
    }
    subject.backend().unfollowLogs(follow);
    QTest::qWait(300); // lines already on their way may still come
    std::size_t after = count();
    QTest::qWait(500);
    QCOMPARE(count(), after);

    auto missing = std::make_shared<Seen>();
    subject.backend().followLogs(
        {{"worker", "nosuch-1"}}, [](api::LogLines) { QFAIL("no lines for a missing worker"); },
        [missing](api::Reply r) {
            std::lock_guard lock(missing->mutex);
            missing->reply = std::move(r);
        });
    QTRY_VERIFY_WITH_TIMEOUT(replied(missing), 5000);
    QCOMPARE(codeOf(*missing->reply), std::string("not_found"));
    QVERIFY(subject.finish());
}

QTEST_GUILESS_MAIN(TestConformance)
#include "tst_conformance.moc"
