// droverd's server as clients meet it: the real `droverd --config` on a free port of
// 127.0.0.1, talked to through RemoteBackend and, where a client must misbehave, through a raw
// Beast WebSocket client written here. Hello and the stream, the role matrix and the audit log,
// garbage and oversize frames, resume across a cut link (through a TCP proxy in the test), a
// consumer that never reads, HTTP, refusing a non-loopback address without TLS, and TLS with a
// CA or a pinned fingerprint made here with the openssl command line.
// clang-format off
#include <utility> // before Asio (TOOLCHAIN.md)
// clang-format on
#include "droverdfixture.h"
#include "remote/wire.h"

#include <QCryptographicHash>
#include <QFileInfo>
#include <QScopeGuard>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <array>
#include <atomic>
#include <future>
#include <ifaddrs.h>
#include <set>

using namespace drover;
using namespace drover::test;
using nlohmann::json;
using State = remote::LinkStatus::State;

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

// ---- a raw WebSocket client: sends whatever the test wants, reads when told ---------------

class RawWs
{
public:
    ~RawWs()
    {
        if (m_ws) {
            beast::error_code ignored;
            beast::get_lowest_layer(*m_ws).socket().close(ignored);
        }
    }

    /// TCP connect and the WebSocket handshake to /v1/stream; `rcvbuf` > 0 shrinks the socket's
    /// receive buffer first (a consumer that never reads fills it sooner).
    bool connect(int port, int rcvbuf = 0)
    {
        m_ws.emplace(m_io);
        auto &socket = beast::get_lowest_layer(*m_ws).socket();
        beast::error_code ec;
        socket.open(tcp::v4(), ec);
        if (!ec && rcvbuf > 0)
            socket.set_option(asio::socket_base::receive_buffer_size(rcvbuf), ec);
        if (!ec)
            socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), std::uint16_t(port)),
                           ec);
        if (!ec) {
            m_ws->read_message_max(64u << 20);
            m_ws->handshake("127.0.0.1:" + std::to_string(port), "/v1/stream", ec);
        }
        if (ec)
            qWarning("raw client: %s", ec.message().c_str());
        return !ec;
    }

    /// From now on frames are read into frames() whenever the test waits on this client.
    void startReading()
    {
        m_wantRead = true;
        readNext();
    }

    bool send(const std::string &payload, bool text = true, int ms = 10'000)
    {
        bool done = false;
        beast::error_code result;
        m_ws->text(text);
        m_ws->async_write(asio::buffer(payload), [&](beast::error_code ec, std::size_t) {
            done = true;
            result = ec;
        });
        ++m_ops;
        pump([&] { return done; }, ms);
        if (!done)
            return false;
        --m_ops;
        return !result;
    }
    bool sendJson(const json &j) { return send(j.dump()); }

    /// The next frame as JSON (a frame that is not JSON becomes a string).
    std::optional<json> next(int ms = 10'000)
    {
        pump([&] { return !m_frames.empty() || m_closed; }, ms);
        if (m_frames.empty())
            return std::nullopt;
        std::string text = std::move(m_frames.front());
        m_frames.pop_front();
        json j = json::parse(text, nullptr, false);
        return j.is_discarded() ? json(text) : j;
    }
    /// The next reply (a frame without "type"), skipping stream frames.
    std::optional<json> reply(int ms = 10'000)
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < ms) {
            auto f = next(int(ms - clock.elapsed()));
            if (!f)
                return std::nullopt;
            if (f->is_object() && !f->contains("type"))
                return f;
        }
        return std::nullopt;
    }
    /// Sends a request and waits for its reply.
    std::optional<json> call(const json &request, int ms = 10'000)
    {
        if (!sendJson(request))
            return std::nullopt;
        return reply(ms);
    }
    /// Reads (dropping frames) until the master closes; whether it did within `ms`.
    bool waitClosed(int ms = 10'000)
    {
        m_wantRead = true;
        readNext();
        QElapsedTimer clock;
        clock.start();
        while (!m_closed && clock.elapsed() < ms) {
            pump([&] { return m_closed || !m_frames.empty(); }, int(ms - clock.elapsed()));
            while (!m_frames.empty()) {
                m_seen.push_back(std::move(m_frames.front()));
                m_frames.pop_front();
            }
        }
        return m_closed;
    }
    bool closed() const { return m_closed; }
    beast::error_code error() const { return m_error; }
    websocket::close_reason closeReason() const { return m_ws->reason(); }
    /// Frames dropped by waitClosed().
    const std::vector<std::string> &seen() const { return m_seen; }
    std::size_t bytesRead() const { return m_bytes; }
    /// Runs the client's loop until `pred` or `ms` elapsed; with nothing outstanding, returns.
    template <class Pred>
    bool pump(Pred pred, int ms)
    {
        QElapsedTimer clock;
        clock.start();
        while (!pred()) {
            if (m_ops == 0 && !m_reading)
                return false;
            qint64 left = ms - clock.elapsed();
            if (left <= 0)
                return false;
            if (m_io.stopped())
                m_io.restart();
            m_io.run_one_for(std::chrono::milliseconds(left));
        }
        return true;
    }

private:
    void readNext()
    {
        if (m_reading || m_closed || !m_wantRead)
            return;
        m_reading = true;
        m_ws->async_read(m_buffer, [this](beast::error_code ec, std::size_t n) {
            m_reading = false;
            if (ec) {
                m_closed = true;
                m_error = ec;
                return;
            }
            m_bytes += n;
            m_frames.push_back(beast::buffers_to_string(m_buffer.data()));
            m_buffer.consume(m_buffer.size());
            readNext();
        });
    }

    asio::io_context m_io{1};
    std::optional<websocket::stream<beast::tcp_stream>> m_ws;
    beast::flat_buffer m_buffer;
    std::deque<std::string> m_frames;
    std::vector<std::string> m_seen;
    bool m_wantRead = false;
    bool m_reading = false;
    bool m_closed = false;
    int m_ops = 0;
    std::size_t m_bytes = 0;
    beast::error_code m_error;
};

// ---- a TCP proxy between a client and droverd, to cut the link ----------------------------

class TcpProxy
{
public:
    explicit TcpProxy(int upstream)
        : m_upstream(upstream)
        , m_acceptor(m_io, tcp::endpoint(asio::ip::address_v4::loopback(), 0))
    {
        accept();
        m_thread = std::thread([this] { m_io.run(); });
    }
    ~TcpProxy()
    {
        onLoop([this] {
            beast::error_code ignored;
            m_acceptor.close(ignored);
            cutNow();
        });
        m_io.stop();
        m_thread.join();
    }
    int port() const { return m_acceptor.local_endpoint().port(); }
    /// Closes every connection going through (both sides).
    void cut()
    {
        onLoop([this] { cutNow(); });
    }
    /// While on, a new connection is closed as soon as it is accepted.
    void refuse(bool on) { m_refusing = on; }
    int accepted() const { return m_accepted; }

private:
    struct Conn
    {
        explicit Conn(tcp::socket client)
            : a(std::move(client))
            , b(a.get_executor())
        {}
        tcp::socket a, b;
        std::array<char, 65536> ab{}, ba{};
    };

    template <class F>
    void onLoop(F f)
    {
        std::promise<void> done;
        asio::post(m_io, [&] {
            f();
            done.set_value();
        });
        done.get_future().wait();
    }
    void accept()
    {
        m_acceptor.async_accept([this](beast::error_code ec, tcp::socket s) {
            if (ec)
                return;
            ++m_accepted;
            if (m_refusing) {
                beast::error_code ignored;
                s.close(ignored);
            } else {
                auto c = std::make_shared<Conn>(std::move(s));
                m_conns.push_back(c);
                c->b.async_connect(
                    tcp::endpoint(asio::ip::address_v4::loopback(), std::uint16_t(m_upstream)),
                    [this, c](beast::error_code ec) {
                        if (ec)
                            return shut(*c);
                        pipe(c, c->a, c->b, c->ab);
                        pipe(c, c->b, c->a, c->ba);
                    });
            }
            accept();
        });
    }
    void pipe(std::shared_ptr<Conn> c, tcp::socket &from, tcp::socket &to,
              std::array<char, 65536> &buf)
    {
        from.async_read_some(
            asio::buffer(buf), [this, c, &from, &to, &buf](beast::error_code ec, std::size_t n) {
                if (ec)
                    return shut(*c);
                asio::async_write(to, asio::buffer(buf.data(), n),
                                  [this, c, &from, &to, &buf](beast::error_code ec, std::size_t) {
                                      if (ec)
                                          return shut(*c);
                                      pipe(c, from, to, buf);
                                  });
            });
    }
    static void shut(Conn &c)
    {
        beast::error_code ignored;
        c.a.close(ignored);
        c.b.close(ignored);
    }
    void cutNow()
    {
        for (auto &c : m_conns)
            shut(*c);
        m_conns.clear();
    }

    int m_upstream;
    asio::io_context m_io{1};
    tcp::acceptor m_acceptor;
    std::thread m_thread;
    std::vector<std::shared_ptr<Conn>> m_conns;
    std::atomic<bool> m_refusing{false};
    std::atomic<int> m_accepted{0};
};

// ---- configs ------------------------------------------------------------------------------

/// Three sleepers.
const QByteArray kSleepers = "  - name: w\n"
                             "    command: [\"sleep\", \"1000\"]\n"
                             "    replicas: 3\n"
                             "    stop: {timeout: 2s}\n";
/// One worker that exits 0.3 s after each start and is restarted at once, forever.
const QByteArray kFlapper = "  - name: flap\n"
                            "    command: [\"sh\", \"-c\", \"echo flap up; sleep 0.3; exit 1\"]\n"
                            "    restart: {policy: always, backoff: {initial: 0ms, max: 1ms}, "
                            "max_restarts: 1000000, window: 1s}\n";
/// One worker that ignores SIGTERM (sh and its sleep): a stop takes its full timeout, 3 s.
const QByteArray kStubborn = "  - name: stubborn\n"
                             "    command: [\"sh\", \"-c\", \"trap '' TERM; while :; do sleep 1; "
                             "done\"]\n"
                             "    stop: {timeout: 3s}\n";

std::string promtoolPath()
{
    for (const char *p : {"/usr/bin/promtool", "/usr/local/bin/promtool"}) {
        if (QFileInfo(QString::fromLatin1(p)).isExecutable())
            return p;
    }
    return {};
}

/// Runs `program args` (not one of ours), feeding `input` to its stdin.
Run runTool(const QString &program, const QStringList &args, const QByteArray &input = {},
            const QString &cwd = {})
{
    QProcess p;
    if (!cwd.isEmpty())
        p.setWorkingDirectory(cwd);
    p.start(program, args);
    if (!p.waitForStarted(10'000))
        return {-1, {}, p.errorString()};
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(30'000)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

/// An IPv4 address of this machine that is not loopback ("" when there is none).
QString nonLoopbackAddress()
{
    ifaddrs *list = nullptr;
    if (::getifaddrs(&list) != 0)
        return {};
    QString found;
    for (ifaddrs *i = list; i && found.isEmpty(); i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
            continue;
        auto *a = reinterpret_cast<sockaddr_in *>(i->ifa_addr);
        if ((ntohl(a->sin_addr.s_addr) >> 24) == 127)
            continue;
        char text[INET_ADDRSTRLEN];
        ::inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
        found = QString::fromLatin1(text);
    }
    ::freeifaddrs(list);
    return found;
}

/// The audit log's lines as JSON objects.
std::vector<json> auditLines(const QString &stateDir)
{
    std::vector<json> out;
    const QStringList lines = readText(stateDir + QStringLiteral("/audit.log"))
                                  .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const QString &line : lines)
        out.push_back(json::parse(line.toStdString(), nullptr, false));
    return out;
}

/// Ends a test's master: SIGTERM stops it (exit 0) and nothing of the test is left running.
#define FINISH(master)                                                                             \
    do {                                                                                           \
        QCOMPARE((master).stop(), 0);                                                              \
        const std::vector<int> left = killLeftovers((master).markEnv(), 3000);                     \
        QVERIFY2(left.empty(), "processes of the test were left running (now killed)");            \
    } while (false)

} // namespace

class TestServer : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void helloSubscribe();
    void authMatrix();
    void secretsByRole();
    void garbage();
    void unauthorizedFlood();
    void oversizeFrame();
    void resume();
    void resumeAfterManyDeltasTakesSnapshot();
    void slowConsumer();
    void http();
    void nonLoopbackWithoutTls();
    void tls();
};

void TestServer::initTestCase()
{
    std::signal(SIGPIPE, SIG_IGN);
    QVERIFY(QFileInfo(QStringLiteral(DROVER_BIN_DIR "/droverd")).isExecutable());
}

// A client says hello and subscribes: a snapshot with every worker, then deltas in seq order
// with no gap while a worker restarts over and over; every request gets exactly one reply.
void TestServer::helloSubscribe()
{
    Droverd master;
    QVERIFY(master.writeConfig(master.yaml(kSleepers + kFlapper)));
    QVERIFY2(master.start(), qPrintable(master.log()));

    Link link(Link::options(master.port));
    auto hello = link.waitState(State::Connected);
    QVERIFY(hello);
    QVERIFY(hello->role == api::Role::Admin); // no tokens: loopback only, trusted
    QVERIFY2(hello->server.rfind("droverd/", 0) == 0, hello->server.c_str());

    auto rec = std::make_shared<Recorder>();
    link.backend->subscribe(rec);
    QVERIFY(rec->waitFor([&] { return rec->snapshots == 1; }));
    std::set<std::string> ids;
    for (const api::WorkerInfo &w : rec->lastSnapshot.workers)
        ids.insert(w.id);
    QCOMPARE(ids, (std::set<std::string>{"flap-0", "w-0", "w-1", "w-2"}));
    std::set<std::string> poolNames;
    for (const api::PoolInfo &p : rec->lastSnapshot.pools)
        poolNames.insert(p.name);
    QCOMPARE(poolNames, (std::set<std::string>{"flap", "w"}));
    QVERIFY(!rec->lastSnapshot.configVersion.empty());
    const std::uint64_t snapshotSeq = rec->lastSnapshot.seq;

    // flap-0 restarts every ~0.3 s: deltas keep coming, each seq one more than the last.
    QVERIFY(rec->waitFor(
        [&] {
            auto it = rec->workers.find("flap-0");
            return it != rec->workers.end() && it->second.restarts >= 4;
        },
        20'000));
    QVERIFY(rec->waitFor([&] {
        for (const char *id : {"w-0", "w-1", "w-2"}) {
            auto it = rec->workers.find(id);
            if (it == rec->workers.end() || it->second.pid <= 0)
                return false;
        }
        return true;
    }));
    const int w1pid = rec->workers["w-1"].pid;

    // Every kind of request at once: each reply goes to its own request, exactly once.
    std::vector<std::pair<std::string, std::shared_ptr<Link::Pending>>> sent;
    auto send = [&](const std::string &op, const json &args) {
        sent.emplace_back(op, link.send(op, args));
        return sent.back().second;
    };
    auto restart = send("worker.restart", {{"worker", "w-1"}});
    auto scale = send("pool.scale", {{"pool", "w"}, {"replicas", 4}});
    auto logs = send("logs.tail", {{"worker", "flap-0"}, {"lines", 3}});
    auto events = send("events.query", {{"limit", 20}});
    auto health = send("health.history", {{"worker", "w-0"}});
    auto metrics = send("metrics.query", {{"series", "master/rss_bytes"}});
    auto clients = send("metrics.query", {{"series", "master/clients"}});
    auto config = send("config.get", json::object());
    auto unknownOp = send("worker.explode", {{"worker", "w-0"}});
    auto unknownWorker = send("worker.restart", {{"worker", "nosuch-7"}});
    auto unknownLogs = send("logs.tail", {{"worker", "nosuch-7"}});
    auto unknownPool = send("pool.scale", {{"pool", "nosuch"}, {"replicas", 1}});

    auto r = Link::wait(restart);
    QVERIFY(r && r->ok());
    QCOMPARE((*r)->at("worker").at("id").get<std::string>(), std::string("w-1"));
    r = Link::wait(scale);
    QVERIFY(r && r->ok());
    QCOMPARE((*r)->at("pool").at("desired").get<int>(), 4);
    r = Link::wait(logs);
    QVERIFY2(r && r->ok(), codeOf(r).c_str());
    QVERIFY((*r)->at("lines").is_array());
    QVERIFY((*r)->at("lines").size() <= 3);
    QVERIFY((*r)->at("lines").dump().find("flap up") != std::string::npos);
    r = Link::wait(events);
    QVERIFY(r && r->ok());
    QVERIFY(!(*r)->at("events").empty());
    QVERIFY((*r)->at("events").size() <= 20);
    r = Link::wait(health);
    QVERIFY(r && r->ok());
    QCOMPARE((*r)->at("worker").get<std::string>(), std::string("w-0"));
    r = Link::wait(metrics);
    QVERIFY(r && r->ok());
    QCOMPARE((*r)->at("series").get<std::string>(), std::string("master/rss_bytes"));
    QVERIFY((*r)->at("points").is_array());
    // This link has been connected for a few samples: the master counts it.
    r = Link::wait(clients);
    QVERIFY(r && r->ok());
    QVERIFY2(!(*r)->at("points").empty(), (*r)->dump().c_str());
    QVERIFY2((*r)->at("points").back().at(1).get<double>() >= 1, (*r)->dump().c_str());
    r = Link::wait(config);
    QVERIFY(r && r->ok());
    QCOMPARE(QString::fromStdString((*r)->at("file").get<std::string>()), master.config);
    QCOMPARE((*r)->at("version").get<std::string>(), rec->lastSnapshot.configVersion);
    QCOMPARE(codeOf(Link::wait(unknownOp)), std::string("bad_request"));
    QVERIFY(Link::wait(unknownOp)->error().message.find("worker.explode") != std::string::npos);
    QCOMPARE(codeOf(Link::wait(unknownWorker)), std::string("not_found"));
    QCOMPARE(codeOf(Link::wait(unknownLogs)), std::string("not_found"));
    QCOMPARE(codeOf(Link::wait(unknownPool)), std::string("not_found"));

    // What the requests did shows in the stream: w-1 has a new process, w-3 came.
    QVERIFY(rec->waitFor([&] {
        auto it = rec->workers.find("w-1");
        return it != rec->workers.end() && it->second.pid > 0 && it->second.pid != w1pid;
    }));
    QVERIFY(rec->waitFor([&] { return rec->workers.count("w-3") == 1; }));
    QVERIFY(rec->waitFor([&] { return rec->pools.count("w") && rec->pools["w"].desired == 4; }));

    QTest::qWait(500); // a second reply would have come by now
    for (const auto &[op, p] : sent)
        QVERIFY2(Link::replies(p) == 1, op.c_str());

    {
        std::lock_guard lock(rec->mutex);
        QCOMPARE(rec->snapshots, 1);
        QVERIFY2(rec->gaps.empty(), rec->gaps.empty() ? "" : rec->gaps.front().c_str());
        QVERIFY(rec->seqs.size() >= 10);
        QCOMPARE(rec->seqs.front(), snapshotSeq + 1);
        for (std::size_t i = 1; i < rec->seqs.size(); ++i)
            QCOMPARE(rec->seqs[i], rec->seqs[i - 1] + 1);
    }
    // The master without tokens serves /metrics to anyone on loopback.
    QCOMPARE(httpGet(master.port, "/metrics").status, 200);
    link.backend.reset();
    FINISH(master);
}

// Every op (but hello) x {no token, wrong token, viewer, operator, admin}: unauthorized without
// a valid token, forbidden below the op's role, otherwise served. Every mutating request is in
// the audit log and is an `audit` event in the stream.
void TestServer::authMatrix()
{
    Droverd master;
    const QByteArray pools = "  - name: w\n"
                             "    command: [\"sleep\", \"1000\"]\n"
                             "    stop: {timeout: 2s}\n"
                             "  - name: j\n" // a job, for job.*: runs may overlap
                             "    command: [\"sleep\", \"0.1\"]\n"
                             "    schedule: {cron: manual, concurrency: allow}\n";
    const QByteArray configText = master.yaml(pools);
    QVERIFY(master.writeConfig(configText));
    const QString viewer = master.createToken(QStringLiteral("vera"), QStringLiteral("viewer"));
    const QString oper = master.createToken(QStringLiteral("otto"), QStringLiteral("operator"));
    const QString admin = master.createToken(QStringLiteral("ada"), QStringLiteral("admin"));
    QVERIFY(viewer.startsWith(QStringLiteral("drv_")));
    QVERIFY(oper.startsWith(QStringLiteral("drv_")) && oper != viewer);
    QVERIFY(admin.startsWith(QStringLiteral("drv_")) && admin != oper);
    QVERIFY2(master.start(), qPrintable(master.log()));

    // The stream of an admin, to see the audit events.
    Link watcher(Link::options(master.port, admin));
    QVERIFY(watcher.connected());
    auto rec = std::make_shared<Recorder>();
    watcher.backend->subscribe(rec);
    QVERIFY(rec->waitFor([&] { return rec->snapshots == 1; }));

    auto argsFor = [&](std::string_view op) -> json {
        if (op == "subscribe")
            return {{"since", 0}};
        if (op == "metrics.follow")
            return {{"series", json::array({"master/rss_bytes"})}};
        if (op == "events.query")
            return {{"limit", 5}};
        if (op == "logs.tail")
            return {{"worker", "w-0"}, {"lines", 5}};
        if (op == "health.history")
            return {{"worker", "w-0"}};
        if (op == "metrics.query")
            return {{"series", "master/rss_bytes"}};
        if (op == "config.validate" || op == "config.apply" || op == "config.plan")
            return {{"text", configText.toStdString()}};
        if (op == "pool.scale")
            return {{"pool", "w"}, {"replicas", 1}};
        if (op == "pool.acquire") // short leases: the next acquire finds the worker free
            return {{"pool", "w"}, {"wait_ms", 3000}, {"ttl_ms", 200}};
        if (op == "pool.release") // no such lease: refused as not_found, and audited
            return {{"pool", "w"}, {"lease", "w-lease-none"}};
        if (op == "pool.traffic" || op.rfind("rollout.", 0) == 0)
            return {{"pool", "w"}};
        if (op.rfind("job.", 0) == 0)
            return {{"pool", "j"}};
        if (op.rfind("worker.", 0) == 0)
            return {{"worker", "w-0"}};
        return json::object();
    };

    struct Expect
    {
        std::string token; ///< its name in the audit log ("" without a valid token)
        std::string op;
        std::string result; ///< "ok" or the code
    };
    std::vector<Expect> audited;
    int checked = 0;

    // No token and a wrong token: RemoteBackend is refused at hello...
    for (const QString &token : {QString(), QStringLiteral("drv_thisisnotatokenofthismaster")}) {
        Link refused(Link::options(master.port, token));
        auto s = refused.waitState(State::Refused);
        QVERIFY(s);
        QCOMPARE(s->errorCode, std::string("unauthorized"));
        QVERIFY(!refused.waitState(State::Connected, 300)); // and does not retry
        auto r = refused.call("config.get", json::object());
        QCOMPARE(codeOf(r), std::string("unavailable"));

        // ... and a raw client that sends every op anyway gets `unauthorized` for each.
        RawWs raw;
        QVERIFY(raw.connect(master.port));
        raw.startReading();
        json helloFrame{{"id", 0}, {"op", "hello"}, {"client", "raw"}, {"protocol", 1}};
        if (!token.isEmpty())
            helloFrame["token"] = token.toStdString();
        auto h = raw.call(helloFrame);
        QVERIFY(h);
        QCOMPARE(h->value("ok", true), false);
        QCOMPARE((*h)["error"]["code"].get<std::string>(), std::string("unauthorized"));
        int id = 1;
        for (const api::OpInfo &info : api::allOps()) {
            if (info.name == "hello")
                continue;
            auto reply = raw.call({{"id", id}, {"op", info.name}, {"args", argsFor(info.name)}});
            QVERIFY2(reply, std::string(info.name).c_str());
            QCOMPARE(reply->at("id").get<int>(), id);
            QCOMPARE(reply->value("ok", true), false);
            QVERIFY2((*reply)["error"]["code"] == "unauthorized", reply->dump().c_str());
            ++id;
            ++checked;
            if (info.mutating)
                audited.push_back({"", std::string(info.name), "unauthorized"});
        }
        QVERIFY(!raw.closed()); // refused requests are not garbage
    }

    // The three roles through RemoteBackend.
    int restarts = 0; // rollouts the operators' rollout.restart made
    struct Who
    {
        QString token;
        std::string name;
        api::Role role;
    };
    for (const Who &who :
         {Who{viewer, "vera", api::Role::Viewer}, Who{oper, "otto", api::Role::Operator},
          Who{admin, "ada", api::Role::Admin}}) {
        Link link(Link::options(master.port, who.token));
        auto s = link.waitState(State::Connected);
        QVERIFY2(s, who.name.c_str());
        QVERIFY(s->role == who.role);
        for (const api::OpInfo &info : api::allOps()) {
            if (info.name == "hello")
                continue;
            auto r = link.call(std::string(info.name), argsFor(info.name));
            QVERIFY2(r, (who.name + " " + std::string(info.name) + ": no reply").c_str());
            const std::string code = codeOf(r);
            const std::string what = who.name + " " + std::string(info.name) + " -> " +
                                     (code.empty() ? "ok" : code + ": " + r->error().message);
            if (who.role < info.minRole) {
                QVERIFY2(code == "forbidden", what.c_str());
                QVERIFY2(r->error().message.find(std::string(info.name)) != std::string::npos,
                         what.c_str());
            } else {
                QVERIFY2(code != "forbidden" && code != "unauthorized", what.c_str());
                // With these args every mutating op is expected to work (but the release of
                // a lease that is not there, and the undo of a pool that has had one revision:
                // the restart before it was aborted, back to that same revision).
                if (info.op == api::Op::PoolRelease)
                    QVERIFY2(code == "not_found", what.c_str());
                else if (info.op == api::Op::RolloutUndo)
                    QVERIFY2(code == "conflict", what.c_str());
                else if (info.op == api::Op::RolloutStart) // the abort may still roll back
                    QVERIFY2(code.empty() || code == "conflict", what.c_str());
                else if (info.mutating)
                    QVERIFY2(code.empty(), what.c_str());
            }
            ++checked;
            if (info.mutating)
                audited.push_back({who.name, std::string(info.name), code.empty() ? "ok" : code});
        }
        // The aborted restart has ended before the next role restarts the pool again.
        if (who.role >= api::Role::Operator) {
            ++restarts;
            QVERIFY(rec->waitFor([&] {
                auto it = rec->mirror.rollouts.find("w");
                return it != rec->mirror.rollouts.end() &&
                       it->second.number == std::uint64_t(restarts) && !it->second.active();
            }));
        }
    }
    const int ops = int(api::allOps().size()) - 1;
    QCOMPARE(checked, 5 * ops);
    QCOMPARE(int(audited.size()), 75); // 15 mutating ops x 5

    // The audit log: one JSON line per mutating request, in order, with who, what, result.
    QTRY_COMPARE_WITH_TIMEOUT(int(auditLines(master.stateDir).size()), int(audited.size()), 5000);
    const std::vector<json> lines = auditLines(master.stateDir);
    for (std::size_t i = 0; i < audited.size(); ++i) {
        const json &l = lines[i];
        const std::string what = l.dump();
        QVERIFY2(l.is_object(), what.c_str());
        QCOMPARE(l.value("token", std::string("?")), audited[i].token);
        QCOMPARE(l.value("op", std::string()), audited[i].op);
        QCOMPARE(l.value("result", std::string()), audited[i].result);
        QVERIFY2(l.value("time", std::int64_t(0)) > 1'600'000'000'000, what.c_str());
        QVERIFY2(l.value("peer", std::string()).rfind("127.0.0.1:", 0) == 0, what.c_str());
        QVERIFY2(l.contains("args") && l["args"].is_object(), what.c_str());
        QVERIFY2(!l["args"].contains("token"), what.c_str());
        if (audited[i].op == "config.apply")
            QVERIFY2(l["args"].value("text", std::string()).find("bytes>") != std::string::npos,
                     what.c_str());
        if (audited[i].result != "ok")
            QVERIFY2(!l.value("message", std::string()).empty(), what.c_str());
    }
    // No token is ever written there.
    const QString auditText = readText(master.stateDir + QStringLiteral("/audit.log"));
    for (const QString &t : {viewer, oper, admin})
        QVERIFY(!auditText.contains(t));

    // ... and each is an `audit` event in the stream, in the same order.
    QVERIFY(rec->waitFor([&] { return rec->eventsOfKind("audit").size() >= audited.size(); }));
    const std::vector<api::Event> auditEvents = rec->eventsOfKind("audit");
    QCOMPARE(auditEvents.size(), audited.size());
    for (std::size_t i = 0; i < audited.size(); ++i) {
        const api::Event &e = auditEvents[i];
        QCOMPARE(e.subject, audited[i].op);
        QCOMPARE(e.reason, audited[i].result == "ok" ? std::string("allowed") : audited[i].result);
        if (!audited[i].token.empty())
            QVERIFY2(e.message.find(" by " + audited[i].token + " (") != std::string::npos,
                     e.message.c_str());
    }
    {
        std::lock_guard lock(rec->mutex);
        QVERIFY(rec->gaps.empty());
    }
    watcher.backend.reset();
    FINISH(master);
}

// Secret values (env names that look secret, `secret: true`, values from droverd's
// environment, probe URLs' secret parameters, config values under secret-looking keys) reach
// admins only: a viewer and an operator never see one in any reply, snapshot or delta.
void TestServer::secretsByRole()
{
    Droverd master;
    const std::vector<std::string> secrets = {"tok-value-4711", "pw-value-0815", "env-value-1234",
                                              "probe-value-9999"};
    const QByteArray pools =
        "  - name: s\n"
        "    command: [\"sleep\", \"1000\"]\n"
        "    stop: {timeout: 2s}\n"
        "    env:\n"
        "      API_TOKEN: \"tok-value-4711\"\n"
        "      DB_URL: {value: \"postgres://u:pw-value-0815@db/x\", secret: true}\n"
        "      FROM_MASTER: \"${DROVER_TEST_SECRET}\"\n"
        "      PLAIN: \"visible-value\"\n"
        "    probes:\n"
        "      readiness:\n"
        "        http: {url: \"http://127.0.0.1:1/ready?x=1&token=probe-value-9999\"}\n"
        "        interval: 200ms\n"
        "  - name: sj\n"
        "    command: [\"true\"]\n"
        "    schedule: manual\n";
    const QByteArray configText = master.yaml(pools);
    QVERIFY(master.writeConfig(configText));
    // `droverd token create` reads the config too, so the variable is there from here on.
    qputenv("DROVER_TEST_SECRET", "env-value-1234");
    const QString viewer = master.createToken(QStringLiteral("vera"), QStringLiteral("viewer"));
    const QString oper = master.createToken(QStringLiteral("otto"), QStringLiteral("operator"));
    const QString admin = master.createToken(QStringLiteral("ada"), QStringLiteral("admin"));
    QVERIFY(viewer.startsWith(QStringLiteral("drv_")) && oper.startsWith(QStringLiteral("drv_")) &&
            admin.startsWith(QStringLiteral("drv_")));
    const bool started = master.start();
    qunsetenv("DROVER_TEST_SECRET");
    QVERIFY2(started, qPrintable(master.log()));

    for (const auto &[token, role] :
         {std::pair{viewer, api::Role::Viewer}, std::pair{oper, api::Role::Operator},
          std::pair{admin, api::Role::Admin}}) {
        const std::string who(api::toString(role));
        RawWs raw;
        QVERIFY(raw.connect(master.port));
        raw.startReading();
        std::string seen; // every frame this client got, as text
        auto call = [&](const json &request) {
            std::optional<json> r;
            if (raw.sendJson(request)) {
                QElapsedTimer clock;
                clock.start();
                while (clock.elapsed() < 10'000) {
                    auto f = raw.next(int(10'000 - clock.elapsed()));
                    if (!f)
                        break;
                    seen += f->dump() + "\n";
                    if (f->is_object() && !f->contains("type")) {
                        r = f;
                        break;
                    }
                }
            }
            return r;
        };
        auto h =
            call({{"id", 0}, {"op", "hello"}, {"token", token.toStdString()}, {"protocol", 1}});
        QVERIFY2(h && h->value("ok", false), who.c_str());
        QVERIFY(call({{"id", 1}, {"op", "subscribe"}, {"args", {{"since", 0}}}}));
        // Until the readiness probe has failed at least once: its target is in a delta.
        QElapsedTimer clock;
        clock.start();
        while (seen.find("\"failing\"") == std::string::npos && clock.elapsed() < 10'000) {
            if (auto f = raw.next(200))
                seen += f->dump() + "\n";
        }
        QVERIFY2(seen.find("\"failing\"") != std::string::npos, who.c_str());
        int id = 2;
        std::optional<json> describe, configGet;
        for (const api::OpInfo &info : api::allOps()) {
            if (info.scope != api::OpScope::Engine || info.minRole > role || info.mutating)
                continue;
            json args = json::object();
            if (info.op == api::Op::WorkerDescribe || info.op == api::Op::LogsTail ||
                info.op == api::Op::HealthHistory)
                args = {{"worker", "s-0"}};
            else if (info.op == api::Op::MetricsQuery)
                args = {{"series", "worker/s-0/rss_bytes"}};
            else if (info.op == api::Op::ConfigValidate || info.op == api::Op::ConfigPlan)
                args = {{"text", "version: 1\n"}};
            else if (info.op == api::Op::PoolTraffic || info.op == api::Op::RolloutHistory)
                args = {{"pool", "s"}};
            else if (info.op == api::Op::JobHistory)
                args = {{"pool", "sj"}};
            auto r = call({{"id", id++}, {"op", info.name}, {"args", args}});
            QVERIFY2(
                r && r->value("ok", false),
                (who + " " + std::string(info.name) + ": " + (r ? r->dump() : "none")).c_str());
            if (info.op == api::Op::WorkerDescribe)
                describe = (*r)["result"];
            if (info.op == api::Op::ConfigGet)
                configGet = (*r)["result"];
        }
        if (role >= api::Role::Operator) { // deltas of a restart, with the worker's probes
            auto r = call({{"id", id++}, {"op", "worker.restart"}, {"args", {{"worker", "s-0"}}}});
            QVERIFY2(r && r->value("ok", false), who.c_str());
        }
        QVERIFY(describe && configGet);
        // Every client is told which names are secret.
        const json names = (*describe)["secret_env"];
        for (const char *name : {"API_TOKEN", "DB_URL", "FROM_MASTER"})
            QVERIFY2(std::find(names.begin(), names.end(), name) != names.end(), name);
        QVERIFY(std::find(names.begin(), names.end(), "PLAIN") == names.end());
        QVERIFY(seen.find("visible-value") != std::string::npos);
        if (role < api::Role::Admin) {
            // config.get hides values by their keys (docs/config.md): a token inside a `url:`
            // is shown there as written, and hidden everywhere else.
            std::string outsideConfig = seen;
            const std::string configDump = configGet->dump();
            if (auto p = outsideConfig.find(configDump); p != std::string::npos)
                outsideConfig.erase(p, configDump.size());
            for (const std::string &secret : secrets) {
                const std::string &text = secret == secrets[3] ? outsideConfig : seen;
                const std::size_t at = text.find(secret);
                const std::string context = at == std::string::npos
                                                ? std::string()
                                                : text.substr(at < 300 ? 0 : at - 300, 400);
                QVERIFY2(at == std::string::npos,
                         (who + " saw " + secret + " in: " + context).c_str());
            }
            QCOMPARE(describe->value("secrets_shown", true), false);
            QCOMPARE(configGet->value("secrets_shown", true), false);
            QVERIFY(configGet->value("hidden", 0) >= 2); // API_TOKEN and DB_URL in the text
            QVERIFY(seen.find("<hidden>") != std::string::npos);
        } else {
            // An admin sees the values (the probe's target stays hidden in WorkerInfo, which
            // every role shares; an admin reads the URL in the config).
            for (const std::string &secret : {secrets[0], secrets[1], secrets[2]})
                QVERIFY2(describe->dump().find(secret) != std::string::npos, secret.c_str());
            QVERIFY(configGet->value("text", std::string()).find(secrets[0]) != std::string::npos);
            QVERIFY(configGet->value("text", std::string()).find(secrets[3]) != std::string::npos);
            QCOMPARE(describe->value("secrets_shown", false), true);
        }
    }
    FINISH(master);
}

// Frames that are not requests each get a `bad_request` reply; after 8 in a row the master
// closes the connection; the master is unharmed.
void TestServer::garbage()
{
    Droverd master;
    QVERIFY(master.writeConfig(master.yaml(kSleepers)));
    QVERIFY2(master.start(), qPrintable(master.log()));

    RawWs raw;
    QVERIFY(raw.connect(master.port));
    raw.startReading();
    auto ok = raw.call({{"id", 1}, {"op", "hello"}, {"client", "raw"}, {"protocol", 1}});
    QVERIFY(ok && ok->value("ok", false));

    struct Bad
    {
        std::string payload;
        bool text;
        json id; ///< the id the error reply carries
        std::string says;
    };
    const std::vector<Bad> bad = {
        {"this is not JSON {", true, nullptr, "not JSON"},
        {"[1,2,3]", true, nullptr, "not a JSON object"},
        {R"({"id":5,"op":"config.get"})", false, nullptr, "binary"},
        {R"({"op":"config.get"})", true, nullptr, "\"id\""},
        {R"({"id":6,"args":{}})", true, 6, "\"op\""},
        {R"({"id":"seven","op":"config.get","args":5})", true, "seven", "\"args\""},
        {"", true, nullptr, "not JSON"},
    };
    auto sendBad = [&](const Bad &b) {
        QVERIFY(raw.send(b.payload, b.text));
        auto r = raw.reply();
        QVERIFY2(r, b.payload.c_str());
        QCOMPARE(r->value("ok", true), false);
        QVERIFY2((*r)["error"]["code"] == "bad_request", r->dump().c_str());
        QVERIFY2((*r)["error"]["message"].get<std::string>().find(b.says) != std::string::npos,
                 r->dump().c_str());
        QVERIFY2(r->value("id", json()) == b.id, r->dump().c_str());
    };
    for (const Bad &b : bad) {
        sendBad(b);
        if (QTest::currentTestFailed())
            return;
    }
    QVERIFY(!raw.closed());
    // A good request resets the count; an unknown op is a request, not garbage.
    auto good = raw.call({{"id", 8}, {"op", "config.get"}});
    QVERIFY(good && good->value("ok", false));
    for (int i = 0; i < 7; ++i) {
        sendBad(bad[std::size_t(i % 4)]);
        if (QTest::currentTestFailed())
            return;
        auto unknown = raw.call({{"id", 100 + i}, {"op", "no.such.op"}});
        QVERIFY(unknown && (*unknown)["error"]["code"] == "bad_request");
    }
    QVERIFY(!raw.closed());

    // Eight in a row: the eighth is answered, then the connection is closed (policy error).
    for (int i = 0; i < 7; ++i) {
        sendBad(bad[std::size_t(i % bad.size())]);
        if (QTest::currentTestFailed())
            return;
    }
    QVERIFY(!raw.closed());
    QVERIFY(raw.send("garbage #8"));
    auto last = raw.reply();
    QVERIFY(last && (*last)["error"]["code"] == "bad_request");
    QVERIFY(raw.waitClosed(5000));
    QCOMPARE(raw.error(), beast::error_code(websocket::error::closed));
    QCOMPARE(int(raw.closeReason().code), int(websocket::close_code::policy_error));

    // Still healthy: HTTP, and a new client is served.
    QCOMPARE(httpGet(master.port, "/healthz").status, 200);
    Link link(Link::options(master.port));
    QVERIFY(link.connected());
    QVERIFY(link.call("config.get", json::object())->ok());
    QVERIFY(master.running());
    link.backend.reset();
    FINISH(master);
}

// A text frame over 1 MiB closes the connection (an error frame first, if it makes it); one
// just under the limit is served; the master is unharmed.
// A client without a token cannot fill the audit log: each refused mutating request is
// audited, but after 64 refusals the connection is closed; each audit line is at most ~1 KiB
// whatever the args.
void TestServer::unauthorizedFlood()
{
    Droverd master;
    QVERIFY(master.writeConfig(master.yaml(kSleepers)));
    QVERIFY(!master.createToken(QStringLiteral("ada"), QStringLiteral("admin")).isEmpty());
    QVERIFY2(master.start(), qPrintable(master.log()));
    RawWs raw;
    QVERIFY(raw.connect(master.port));
    raw.startReading();
    const std::string pad(100'000, 'z');
    int answered = 0;
    for (int id = 1; id <= 100 && !raw.closed(); ++id) {
        if (!raw.send(
                json{{"id", id}, {"op", "worker.restart"}, {"args", {{"worker", pad}}}}.dump()))
            break;
        if (auto r = raw.reply(2000)) {
            QCOMPARE((*r)["error"]["code"].get<std::string>(), std::string("unauthorized"));
            ++answered;
        }
    }
    QVERIFY(raw.waitClosed(5000));
    QCOMPARE(answered, 64);
    QCOMPARE(int(raw.closeReason().code), int(websocket::close_code::policy_error));
    const QStringList audit = readText(master.stateDir + QStringLiteral("/audit.log"))
                                  .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(audit.size(), 64);
    for (const QString &line : audit)
        QVERIFY2(line.size() < 1500, qPrintable(QString::number(line.size())));
    QCOMPARE(httpGet(master.port, "/healthz").status, 200);
    FINISH(master);
}

void TestServer::oversizeFrame()
{
    Droverd master;
    QVERIFY(master.writeConfig(master.yaml(kSleepers)));
    QVERIFY2(master.start(), qPrintable(master.log()));

    {
        RawWs raw;
        QVERIFY(raw.connect(master.port));
        raw.startReading();
        json near{{"id", 1}, {"op", "config.get"}, {"args", {{"pad", std::string(1000000, 'x')}}}};
        QVERIFY(near.dump().size() < (1u << 20));
        auto r = raw.call(near);
        QVERIFY(r && r->value("ok", false));
        QCOMPARE(r->value("id", 0), 1);
    }

    RawWs raw;
    QVERIFY(raw.connect(master.port));
    raw.startReading();
    std::string huge =
        R"({"id":2,"op":"config.get","args":{"pad":")" + std::string((1u << 20) + 16, 'y') + "\"}}";
    raw.send(huge); // may fail half-way: the master stops reading it
    QVERIFY(raw.waitClosed(10'000));
    bool errorFrame = false;
    for (const std::string &f : raw.seen()) {
        json j = json::parse(f, nullptr, false);
        if (j.is_object() && j.contains("error")) {
            errorFrame = true;
            QCOMPARE(j["error"]["code"].get<std::string>(), std::string("bad_request"));
            QVERIFY(j["error"]["message"].get<std::string>().find("larger than") !=
                    std::string::npos);
        }
    }
    // The error first, then the close with 1009 (the master reads frames in pieces and stops
    // at the limit, so it can answer before it closes).
    QVERIFY(errorFrame);
    QVERIFY2(raw.error() == websocket::error::closed, raw.error().message().c_str());
    QCOMPARE(int(raw.closeReason().code), int(websocket::close_code::too_big));

    QCOMPARE(httpGet(master.port, "/healthz").status, 200);
    Link link(Link::options(master.port));
    QVERIFY(link.connected());
    QVERIFY(link.call("config.get", json::object())->ok());
    QTRY_COMPARE_WITH_TIMEOUT(
        httpGet(master.port, "/metrics").body.find("drover_master_clients 1\n") !=
            std::string::npos,
        true, 5000);
    link.backend.reset();
    FINISH(master);
}

// RemoteBackend across a cut link: reconnects and resumes with `since` (no new snapshot, no
// gap); a request in flight when the link drops fails with `unavailable`, and so does one made
// while it is down.
void TestServer::resume()
{
    Droverd master;
    QVERIFY(master.writeConfig(master.yaml(kFlapper + kStubborn)));
    QVERIFY2(master.start(), qPrintable(master.log()));
    TcpProxy proxy(master.port);

    Link link(Link::options(proxy.port()));
    QVERIFY(link.connected());
    auto rec = std::make_shared<Recorder>();
    link.backend->subscribe(rec);
    QVERIFY(rec->waitFor([&] { return rec->snapshots == 1; }));
    QVERIFY(rec->waitFor([&] { return rec->restartsOf("flap-0") >= 2; }, 20'000));
    QVERIFY(rec->waitFor([&] {
        auto it = rec->workers.find("stubborn-0");
        return it != rec->workers.end() && it->second.pid > 0;
    }));

    // 1. Cut: the client waits, reconnects and resumes where it was.
    for (int round = 0; round < 2; ++round) {
        const std::size_t before = link.statusCount();
        std::uint64_t seqAtCut = 0;
        {
            std::lock_guard lock(rec->mutex);
            seqAtCut = rec->lastSeq;
        }
        proxy.cut();
        QVERIFY(link.waitState(State::Waiting, 5000, before));
        QVERIFY(link.waitState(State::Connected, 10'000, before));
        QVERIFY(rec->waitFor([&] { return rec->lastSeq >= seqAtCut + 6; }, 20'000));
    }
    QCOMPARE(proxy.accepted(), 3);

    // 2. A request in flight when the link drops: stopping the stubborn worker takes 3 s.
    auto stop = link.send("worker.stop", {{"worker", "stubborn-0"}});
    QTest::qWait(300);
    QCOMPARE(Link::replies(stop), 0);
    proxy.refuse(true);
    const std::size_t before = link.statusCount();
    QElapsedTimer clock;
    clock.start();
    proxy.cut();
    auto r = Link::wait(stop, 5000);
    QCOMPARE(codeOf(r), std::string("unavailable"));
    QVERIFY2(clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));
    QVERIFY(r->error().message.find("lost") != std::string::npos);
    // While it is down, a request fails at once.
    QVERIFY(link.waitState(State::Waiting, 5000, before));
    clock.restart();
    QCOMPARE(codeOf(link.call("config.get", json::object(), 3000)), std::string("unavailable"));
    QVERIFY(clock.elapsed() < 1000);

    // 3. Back: the stop went on on the master meanwhile; the resumed stream shows it.
    QTest::qWait(500); // a few refused tries
    proxy.refuse(false);
    QVERIFY(link.waitState(State::Connected, 10'000, before));
    QVERIFY(rec->waitFor(
        [&] {
            auto it = rec->workers.find("stubborn-0");
            return it != rec->workers.end() && it->second.state == api::WorkerState::Stopped;
        },
        10'000));
    QTest::qWait(300);
    QCOMPARE(Link::replies(stop), 1);
    auto now = link.call("config.get", json::object());
    QVERIFY(now && now->ok());
    {
        std::lock_guard lock(rec->mutex);
        QCOMPARE(rec->snapshots, 1);
        QVERIFY2(rec->gaps.empty(), rec->gaps.empty() ? "" : rec->gaps.front().c_str());
    }
    link.backend.reset();
    FINISH(master);
}

// Resuming after more deltas than the master's ring holds: a new snapshot, then deltas again.
void TestServer::resumeAfterManyDeltasTakesSnapshot()
{
    Droverd master;
    QVERIFY(master.writeConfig(master.yaml(kSleepers)));
    QVERIFY2(master.start(), qPrintable(master.log()));
    TcpProxy proxy(master.port);

    Link link(Link::options(proxy.port()));
    QVERIFY(link.connected());
    auto rec = std::make_shared<Recorder>();
    link.backend->subscribe(rec);
    QVERIFY(rec->waitFor([&] { return rec->snapshots == 1; }));
    QVERIFY(rec->waitFor([&] { return rec->workers.size() == 3; }));
    QTest::qWait(200);
    std::uint64_t seqAtCut = 0;
    {
        std::lock_guard lock(rec->mutex);
        seqAtCut = rec->lastSeq;
    }

    const std::size_t before = link.statusCount();
    proxy.refuse(true);
    proxy.cut();
    QVERIFY(link.waitState(State::Waiting, 5000, before));

    // Meanwhile: more than 8192 deltas (the ring), from clients straight to the master. Each
    // `pool.scale` to the same size is a pool.scaled event, a pool upsert and an audit event.
    auto direct = std::make_shared<Recorder>();
    Link watch(Link::options(master.port));
    QVERIFY(watch.connected());
    watch.backend->subscribe(direct);
    QVERIFY(direct->waitFor([&] { return direct->snapshots == 1; }));
    // One connection may make 400 requests at once (then 200 a second): nine of them.
    std::vector<std::unique_ptr<Link>> producers;
    for (int i = 0; i < 9; ++i) {
        producers.push_back(std::make_unique<Link>(Link::options(master.port)));
        QVERIFY(producers.back()->connected());
    }
    QElapsedTimer clock;
    clock.start();
    int busy = 0;
    for (int round = 0; clock.elapsed() < 30'000; ++round) {
        {
            std::lock_guard lock(direct->mutex);
            if (direct->lastSeq > seqAtCut + 8192 + 200)
                break;
        }
        if (round > 0)
            QTest::qWait(1000); // the buckets refill
        std::vector<std::shared_ptr<Link::Pending>> batch;
        for (auto &p : producers) {
            for (int i = 0; i < (round == 0 ? 380 : 150); ++i)
                batch.push_back(p->send("pool.scale", {{"pool", "w"}, {"replicas", 3}}));
        }
        for (auto &p : batch) {
            auto r = Link::wait(p);
            QVERIFY(r);
            busy += codeOf(r) == "busy";
        }
    }
    std::uint64_t produced = 0;
    {
        std::lock_guard lock(direct->mutex);
        produced = direct->lastSeq;
        QVERIFY(direct->gaps.empty());
    }
    qInfo("%llu deltas while the link was down (%d requests refused as busy)",
          static_cast<unsigned long long>(produced - seqAtCut), busy);
    QVERIFY(produced > seqAtCut + 8192);

    proxy.refuse(false);
    QVERIFY(link.waitState(State::Connected, 10'000, before));
    QVERIFY(rec->waitFor([&] { return rec->snapshots == 2; }, 10'000));
    {
        std::lock_guard lock(rec->mutex);
        QVERIFY(rec->lastSnapshot.seq >= produced);
        QCOMPARE(rec->lastSnapshot.workers.size(), std::size_t(3));
        QVERIFY2(rec->gaps.empty(), rec->gaps.empty() ? "" : rec->gaps.front().c_str());
    }
    // ... and deltas flow again after it.
    std::uint64_t afterSnapshot = 0;
    {
        std::lock_guard lock(rec->mutex);
        afterSnapshot = rec->lastSeq;
    }
    QVERIFY(link.call("worker.restart", {{"worker", "w-0"}})->ok());
    QVERIFY(rec->waitFor([&] { return rec->lastSeq > afterSnapshot + 3; }));
    {
        std::lock_guard lock(rec->mutex);
        QVERIFY2(rec->gaps.empty(), rec->gaps.empty() ? "" : rec->gaps.front().c_str());
        QCOMPARE(rec->snapshots, 2);
    }
    producers.clear();
    watch.backend.reset();
    link.backend.reset();
    FINISH(master);
}

// A client that subscribes and never reads while the master produces deltas much faster than
// nobody takes them: the master stays responsive to others, the slow client is told `resync`
// (or closed), and droverd's memory stays bounded.
void TestServer::slowConsumer()
{
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer keeps freed blocks (256 MiB by default) to catch their later use; the
    // bound below is about droverd's queues, so its quarantine is made small here. Its -O0
    // build is also about four times slower at making the large deltas.
    const QByteArray asanOptions = qgetenv("ASAN_OPTIONS");
    qputenv("ASAN_OPTIONS", asanOptions + ":quarantine_size_mb=8");
    auto restore = qScopeGuard([asanOptions] { qputenv("ASAN_OPTIONS", asanOptions); });
    constexpr int kSlower = 4;
#else
    constexpr int kSlower = 1;
#endif
    Droverd master;
    QVERIFY(master.writeConfig(master.yaml(kSleepers + kFlapper)));
    QVERIFY2(master.start(), qPrintable(master.log()));
    QTest::qWait(500);
    const long rssBefore = master.rssKiB();

    RawWs slow;
    QVERIFY(slow.connect(master.port, 4096));
    QVERIFY(slow.sendJson({{"id", 1}, {"op", "hello"}, {"client", "slow"}, {"protocol", 1}}));
    QVERIFY(slow.sendJson({{"id", 2}, {"op", "subscribe"}, {"since", 0}}));

    // The deltas: each `pool.scale` of an unknown pool with a 64 KiB name is refused and
    // audited, and its audit event (which quotes the name) is a ~64 KiB delta. Past the
    // master's 32 MiB bound for one client plus the sockets' buffers.
    Link producer(Link::options(master.port));
    QVERIFY(producer.connected());
    Link other(Link::options(master.port));
    QVERIFY(other.connected());
    const std::string name(64 * 1024, 'p');
    qint64 slowest = 0;
    int refused = 0; // the large deltas made
    QElapsedTimer clock;
    clock.start();
    while (refused < 720 && clock.elapsed() < 30'000 * kSlower) {
        std::vector<std::shared_ptr<Link::Pending>> batch;
        for (int i = 0; i < 120; ++i)
            batch.push_back(producer.send("pool.scale", {{"pool", name}, {"replicas", 1}}));
        // Meanwhile another client is answered at once.
        for (int i = 0; i < 3; ++i) {
            QElapsedTimer took;
            took.start();
            auto r = other.call("config.get", json::object(), 5000);
            QVERIFY(r && r->ok());
            slowest = std::max(slowest, took.elapsed());
        }
        int busy = 0;
        for (auto &p : batch) {
            auto r = Link::wait(p);
            const std::string code = codeOf(r);
            QVERIFY2(code == "not_found" || code == "busy",
                     (code + ": " + (r && !r->ok() ? r->error().message : "")).c_str());
            refused += code == "not_found";
            busy += code == "busy";
        }
        if (busy)
            QTest::qWait(300); // the request rate's bucket refills at 200/s
    }
    const int sentTotal = refused;
    QVERIFY(refused >= 720);
    qInfo("%d large deltas; slowest config.get meanwhile: %lld ms", sentTotal, slowest);
    QVERIFY2(slowest < 1000 * kSlower, qPrintable(QString::number(slowest)));
    clock.restart();
    QCOMPARE(httpGet(master.port, "/healthz").status, 200);
    QVERIFY(clock.elapsed() < 1000 * kSlower);
    const long rssPeak = master.rssKiB();

    // The slow client reads at last: it was told to resync (or was closed).
    bool resync = false;
    clock.restart();
    slow.startReading();
    while (!resync && clock.elapsed() < 30'000) {
        auto f = slow.next(int(30'000 - clock.elapsed()));
        if (!f)
            break;
        if (f->is_object() && f->value("type", std::string()) == "resync")
            resync = true;
    }
    qInfo("slow client: %s after reading %zu bytes; droverd RSS %ld KiB before, %ld KiB at the "
          "peak",
          resync ? "resync" : (slow.closed() ? "closed" : "nothing"), slow.bytesRead(), rssBefore,
          rssPeak);
    QVERIFY(resync || slow.closed());
    QVERIFY(slow.bytesRead() < (48u << 20)); // its stream stopped at the bound
    if (resync) {
        // It can take a new snapshot on the same connection.
        QVERIFY(slow.sendJson({{"id", 3}, {"op", "subscribe"}, {"since", 0}}));
        bool snapshot = false;
        while (!snapshot) {
            auto f = slow.next(10'000);
            if (!f)
                break;
            snapshot = f->is_object() && f->value("type", std::string()) == "snapshot";
        }
        QVERIFY(snapshot);
    }
    // Bounded: the slow client's queue is capped at 32 MiB; the rest is the events kept.
    QVERIFY2(rssPeak - rssBefore < 256 * 1024, qPrintable(QString::number(rssPeak)));
    QVERIFY(other.call("config.get", json::object())->ok());
    other.backend.reset();
    producer.backend.reset();
    FINISH(master);
}

// HTTP on the same port: health, readiness, Prometheus text that promtool accepts, tokens.
void TestServer::http()
{
    const std::string promtool = promtoolPath();
    QVERIFY2(!promtool.empty(), "promtool is missing: apt-get install prometheus");

    Droverd master;
    QVERIFY(master.writeConfig(master.yaml(kSleepers + kFlapper)));
    const QString token = master.createToken(QStringLiteral("scraper"), QStringLiteral("viewer"));
    QVERIFY(!token.isEmpty());
    QVERIFY2(master.start(), qPrintable(master.log()));
    const std::string t = token.toStdString();

    HttpResponse r = httpGet(master.port, "/healthz");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, std::string("ok\n"));
    QVERIFY(r.header("server").rfind("droverd/", 0) == 0);
    QTRY_COMPARE_WITH_TIMEOUT(httpGet(master.port, "/readyz").status, 200, 5000);
    QCOMPARE(httpGet(master.port, "/healthz?verbose=1").status, 200);

    // /metrics: a token is needed (tokens exist).
    r = httpGet(master.port, "/metrics");
    QCOMPARE(r.status, 401);
    QCOMPARE(r.header("www-authenticate"), std::string("Bearer"));
    QVERIFY(r.body.find("drover_") == std::string::npos);
    QCOMPARE(httpGet(master.port, "/metrics", "drv_wrong").status, 401);
    QCOMPARE(httpGet(master.port, "/metrics", {}, "Authorization: " + t + "\r\n").status, 401);

    // Wait for the workers to be sampled, so that every family has samples.
    QTest::qWait(2500);
    r = httpGet(master.port, "/metrics", t);
    QCOMPARE(r.status, 200);
    QVERIFY2(r.header("content-type").find("text/plain; version=0.0.4") == 0,
             r.header("content-type").c_str());
    for (const char *family :
         {"drover_build_info", "drover_master_resident_memory_bytes", "drover_pool_desired_workers",
          "drover_worker_up", "drover_worker_restarts_total", "drover_master_requests_total"})
        QVERIFY2(r.body.find(std::string("# TYPE ") + family + " ") != std::string::npos, family);
    QVERIFY(r.body.find("pool=\"w\"") != std::string::npos);
    QVERIFY(r.body.find("worker=\"flap-0\"") != std::string::npos);
    Run check = runTool(QString::fromStdString(promtool),
                        {QStringLiteral("check"), QStringLiteral("metrics")},
                        QByteArray::fromStdString(r.body));
    QVERIFY2(check.code == 0, qPrintable(check.out + check.err));

    // Everything else needs the token too; with it, an unknown path is 404 and the stream's
    // path without an upgrade is 426.
    QCOMPARE(httpGet(master.port, "/nothing-here").status, 401);
    r = httpGet(master.port, "/nothing-here", t);
    QCOMPARE(r.status, 404);
    r = httpGet(master.port, "/v1/stream", t);
    QCOMPARE(r.status, 426);
    QCOMPARE(r.header("upgrade"), std::string("websocket"));
    QCOMPARE(httpGet(master.port, "/v1/stream").status, 401);

    // A WebSocket upgrade elsewhere than /v1/stream is not served.
    {
        asio::io_context io;
        websocket::stream<beast::tcp_stream> ws(io);
        beast::error_code ec;
        beast::get_lowest_layer(ws).connect(
            tcp::endpoint(asio::ip::address_v4::loopback(), std::uint16_t(master.port)), ec);
        QVERIFY(!ec);
        ws.handshake("127.0.0.1", "/v2/elsewhere", ec);
        QVERIFY(ec);
    }
    QCOMPARE(httpGet(master.port, "/healthz").status, 200);
    FINISH(master);
}

// master.listen on a non-loopback address of this machine without TLS: droverd refuses to
// start, says why, exits 1 (with TLS it needs a token too: see tls()).
void TestServer::nonLoopbackWithoutTls()
{
    const QString address = nonLoopbackAddress();
    QVERIFY2(!address.isEmpty(), "this machine has no non-loopback IPv4 address");
    Droverd master;
    const QByteArray listen = address.toUtf8() + ':' + QByteArray::number(master.port);
    QVERIFY(master.writeConfig(master.yaml(kSleepers, {}, listen)));
    QVERIFY(!master.start());
    QVERIFY(master.process->state() == QProcess::NotRunning ||
            master.process->waitForFinished(10'000));
    QCOMPARE(master.process->exitStatus(), QProcess::NormalExit);
    QCOMPARE(master.process->exitCode(), 1);
    const QString log = master.log();
    QVERIFY2(log.contains(QString::fromUtf8(listen) +
                          QStringLiteral(" is not a loopback address: listening there needs tls")),
             qPrintable(log));
    QVERIFY2(log.contains(QStringLiteral("token")), qPrintable(log));
    QVERIFY2(log.contains(QStringLiteral("master.listen")), qPrintable(log));
    QVERIFY(log.contains(QStringLiteral("master.exit")));
    QVERIFY(!log.contains(QStringLiteral("server.listening")));
    // No worker was started, nothing listens there.
    QCOMPARE(markedProcesses(master.markEnv()).size(), std::size_t(0));
    QFile journal(master.stateDir + QStringLiteral("/workers.journal"));
    QVERIFY(!journal.exists() ||
            (journal.open(QIODevice::ReadOnly) && !journal.readAll().contains(R"("op":"up")")));
    // `droverd --check` says the same, with the file and line.
    Run check = runProgram(QStringLiteral("droverd"), {QStringLiteral("--check"), master.config});
    QCOMPARE(check.code, 1);
    QVERIFY2(check.err.contains(QStringLiteral("drover.yaml:4:")), qPrintable(check.err));
    QVERIFY(check.err.contains(QStringLiteral("is not a loopback address")));
}

// TLS with a test CA and a certificate for 127.0.0.1: the CA or the right fingerprint works;
// no CA or a wrong fingerprint is refused, the message naming the fingerprint.
void TestServer::tls()
{
    Droverd master;
    const QString dir = master.tmp.path();
    const QString address = nonLoopbackAddress();
    QVERIFY(makeTestCertificates(dir, address));
    Run fp = runTool(QStringLiteral("openssl"),
                     {QStringLiteral("x509"), QStringLiteral("-in"), QStringLiteral("server.pem"),
                      QStringLiteral("-noout"), QStringLiteral("-fingerprint"),
                      QStringLiteral("-sha256")},
                     {}, dir);
    QCOMPARE(fp.code, 0);
    // "sha256 Fingerprint=AB:CD:..." -> "ab:cd:..."
    const std::string fingerprint =
        fp.out.trimmed().section(QLatin1Char('='), 1).toLower().toStdString();
    QCOMPARE(fingerprint.size(), std::size_t(32 * 3 - 1));
    const std::string upperFingerprint =
        fp.out.trimmed().section(QLatin1Char('='), 1).toStdString();

    const QByteArray tlsLines = "  tls: {cert: \"" +
                                (dir + QStringLiteral("/server.pem")).toUtf8() + "\", key: \"" +
                                (dir + QStringLiteral("/server.key")).toUtf8() + "\"}\n";
    QVERIFY(master.writeConfig(master.yaml(kSleepers, tlsLines)));
    QVERIFY2(master.start(), qPrintable(master.log()));
    QVERIFY(master.log().contains(QStringLiteral("tls=on")));

    auto wss = [&](const std::string &ca, const std::string &pin) {
        remote::RemoteOptions o = Link::options(master.port);
        o.url.tls = true;
        o.caFile = ca;
        o.fingerprint = pin;
        return o;
    };
    const std::string caFile = QString(dir + QStringLiteral("/ca.pem")).toStdString();
    {
        Link link(wss(caFile, {}));
        auto s = link.waitState(State::Connected);
        QVERIFY(s);
        QCOMPARE(s->fingerprint, fingerprint);
        auto r = link.call("config.get", json::object());
        QVERIFY(r && r->ok());
        auto rec = std::make_shared<Recorder>();
        link.backend->subscribe(rec);
        QVERIFY(rec->waitFor([&] { return rec->snapshots == 1; }));
        QCOMPARE(rec->lastSnapshot.workers.size(), std::size_t(3));
    }
    {
        Link link(wss({}, {}));
        auto s = link.waitState(State::Refused);
        QVERIFY(s);
        QCOMPARE(s->errorCode, std::string("tls"));
        QVERIFY2(s->message.find(fingerprint) != std::string::npos, s->message.c_str());
        QCOMPARE(s->fingerprint, fingerprint);
        QVERIFY(!link.waitState(State::Connected, 500));
    }
    {
        Link link(wss({}, upperFingerprint)); // as openssl prints it: upper case, colons
        auto s = link.waitState(State::Connected);
        QVERIFY(s);
        QVERIFY(link.call("config.get", json::object())->ok());
    }
    {
        std::string wrong = fingerprint;
        wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
        Link link(wss({}, wrong));
        auto s = link.waitState(State::Refused);
        QVERIFY(s);
        QCOMPARE(s->errorCode, std::string("tls"));
        QVERIFY2(s->message.find(fingerprint) != std::string::npos, s->message.c_str());
    }
    {
        // A plain ws:// client gets nowhere with a TLS master.
        Link link(Link::options(master.port));
        QVERIFY(!link.waitState(State::Connected, 1500));
    }
    QCOMPARE(master.stop(), 0);

    // The same certificate on a non-loopback address. With TLS but no token at all, droverd
    // still refuses (exit 1, saying what is missing); with a token of `droverd token create`
    // (in the state dir's tokens file) it starts, and a client with the CA and the token is
    // served there; a config token works too.
    if (!address.isEmpty()) {
        Droverd outside;
        const QByteArray listen = address.toUtf8() + ':' + QByteArray::number(outside.port);
        QVERIFY(outside.writeConfig(outside.yaml(kSleepers, tlsLines, listen)));
        QVERIFY(!outside.start());
        QVERIFY(outside.process->state() == QProcess::NotRunning ||
                outside.process->waitForFinished(10'000));
        QCOMPARE(outside.process->exitCode(), 1);
        QVERIFY2(outside.log().contains(QStringLiteral("refusing to listen on ") +
                                        QString::fromUtf8(listen) +
                                        QStringLiteral(" without a token (droverd token create)")),
                 qPrintable(outside.log()));
        QVERIFY(killLeftovers(outside.markEnv(), 3000).empty());

        const QString token =
            outside.createToken(QStringLiteral("ops"), QStringLiteral("operator"));
        QVERIFY(token.startsWith(QStringLiteral("drv_")));
        QVERIFY2(outside.start(), qPrintable(outside.log()));
        remote::RemoteOptions o = wss(caFile, {});
        o.url.host = address.toStdString();
        o.url.port = outside.port;
        o.token = token.toStdString();
        {
            Link link(o);
            auto s = link.waitState(State::Connected);
            QVERIFY2(s, link.statuses().empty() ? "" : link.statuses().back().message.c_str());
            QVERIFY(s->role == api::Role::Operator);
            QVERIFY(link.call("config.get", json::object())->ok());
        }
        {
            o.token.clear(); // and there, no token is no entry
            Link link(o);
            auto s = link.waitState(State::Refused);
            QVERIFY(s);
            QCOMPARE(s->errorCode, std::string("unauthorized"));
        }
        QCOMPARE(outside.stop(), 0);

        const QByteArray hash =
            QCryptographicHash::hash("outside-secret", QCryptographicHash::Sha256).toHex();
        QVERIFY(outside.writeConfig(outside.yaml(
            kSleepers,
            tlsLines + "  auth:\n    tokens:\n      - {name: cfg, role: viewer, sha256: " + hash +
                "}\n",
            listen)));
        QVERIFY2(outside.start(), qPrintable(outside.log()));
        o.token = "outside-secret";
        {
            Link link(o);
            auto s = link.waitState(State::Connected);
            QVERIFY(s);
            QVERIFY(s->role == api::Role::Viewer);
        }
        FINISH(outside);
    }
    const std::vector<int> left = killLeftovers(master.markEnv(), 3000);
    QVERIFY(left.empty());
}

QTEST_GUILESS_MAIN(TestServer)
#include "tst_server.moc"
