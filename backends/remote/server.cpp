// droverd's server: Boost.Beast WebSocket and HTTP on the engine's loop. The only file of
// the master's side of the wire that includes Beast (heavy headers; 2 cores).
// clang-format off
#include <utility> // before Asio (TOOLCHAIN.md)
// clang-format on
#include "remote/server.h"

#include "api/codec.h"
#include "api/version.h"
#include "config/loader.h"
#include "engine/engine.h"
#include "engine/metricsstore.h"
#include "remote/audit.h"
#include "remote/prometheus.h"
#include "remote/tokens.h"
#include "remote/wire.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace drover::remote {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

std::int64_t nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string peerOf(tcp::socket &socket)
{
    boost::system::error_code ec;
    tcp::endpoint ep = socket.remote_endpoint(ec);
    if (ec)
        return "unknown";
    std::string host = ep.address().to_string();
    if (ep.address().is_v6())
        host = "[" + host + "]";
    return host + ":" + std::to_string(ep.port());
}

/// `Bearer drv_...` -> `drv_...`.
std::string bearer(std::string_view header)
{
    constexpr std::string_view prefix = "Bearer ";
    if (header.size() > prefix.size() && header.substr(0, prefix.size()) == prefix)
        return std::string(header.substr(prefix.size()));
    return {};
}

/// The request's args for the audit log, with a config's text reduced to its size.
std::string auditArgs(const json &args)
{
    json copy = args;
    if (copy.is_object()) {
        copy.erase("token");
        if (auto text = copy.find("text"); text != copy.end() && text->is_string())
            *text = "<" + std::to_string(text->get_ref<const std::string &>().size()) + " bytes>";
    }
    return copy.dump(-1, ' ', false, json::error_handler_t::replace);
}

/// Writes `text` to `path` so that a reader sees either the old or the new file: a temporary
/// file next to it, fsync, rename, fsync of the directory.
std::optional<std::string> writeAtomically(const std::string &path, const std::string &text)
{
    namespace fs = std::filesystem;
    fs::path target(path);
    fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    std::string temp = (dir / ("." + target.filename().string() + ".new")).string();
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return "cannot write \"" + temp + "\": " + std::strerror(errno);
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n <= 0) {
            std::string why = std::strerror(errno);
            ::close(fd);
            ::unlink(temp.c_str());
            return "cannot write \"" + temp + "\": " + why;
        }
        done += std::size_t(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(temp.c_str());
        return "cannot write \"" + temp + "\": " + std::strerror(errno);
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        std::string why = std::strerror(errno);
        ::unlink(temp.c_str());
        return "cannot replace \"" + path + "\": " + why;
    }
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return std::nullopt;
}

std::string readWhole(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

} // namespace

// ---- the server's shared state ------------------------------------------------------------

class Session;

struct Server::Private : std::enable_shared_from_this<Server::Private>
{
    Private(asio::io_context &io, engine::Engine &engine, ServerOptions options,
            std::shared_ptr<TokenStore> tokens, std::shared_ptr<AuditLog> audit)
        : io(io)
        , engine(engine)
        , options(std::move(options))
        , tokens(std::move(tokens))
        , audit(std::move(audit))
        , acceptor(io)
    {}

    asio::io_context &io;
    engine::Engine &engine;
    ServerOptions options;
    std::shared_ptr<TokenStore> tokens;
    std::shared_ptr<AuditLog> audit;
    tcp::acceptor acceptor;
    std::optional<asio::ssl::context> tls;
    std::set<std::shared_ptr<Session>> sessions; ///< WebSocket sessions
    int connections = 0;                         ///< every connection, HTTP ones too
    bool stopped = false;
    std::int64_t startedAtMs = nowMs();
    std::uint64_t requests = 0;
    std::uint64_t refused = 0;

    // The newest delta as a frame: the engine hands the same delta to every session in turn,
    // so it is encoded once.
    std::uint64_t cachedSeq = 0;
    std::shared_ptr<const std::string> cachedFrame;

    std::shared_ptr<const std::string> deltaFrame(const api::Delta &delta)
    {
        if (!cachedFrame || cachedSeq != delta.seq) {
            cachedFrame = std::make_shared<const std::string>(encodeDelta(delta));
            cachedSeq = delta.seq;
        }
        return cachedFrame;
    }

    bool tokensRequired()
    {
        if (options.refreshTokens) {
            if (auto fresh = options.refreshTokens()) {
                spdlog::info("tokens.reloaded count={}", fresh->entries().size());
                tokens = std::move(fresh);
            }
        }
        return tokens && !tokens->empty();
    }

    void accept();
    template <class Stream>
    void serveHttp(std::shared_ptr<Stream> stream, std::string peer);

    /// Writes the audit line and sends the `audit` event of a mutating request.
    void audited(const std::string &token, api::Role role, const std::string &peer,
                 const ClientFrame &frame, const api::Reply &reply)
    {
        AuditEntry entry;
        entry.timeMs = nowMs();
        entry.token = token;
        entry.role = std::string(api::toString(role));
        entry.peer = peer;
        entry.op = frame.op;
        entry.args = auditArgs(frame.args);
        entry.result = reply.ok() ? "ok" : reply.error().code;
        entry.message = reply.ok() ? std::string() : reply.error().message;
        if (audit) {
            if (auto written = audit->write(entry); !written.ok())
                spdlog::error("audit.write error=\"{}\"", written.error().message);
        }
        std::string who = token.empty() ? peer : token + " (" + peer + ")";
        engine.addEvent("audit", frame.op,
                        frame.op + " by " + who + ": " +
                            (reply.ok() ? std::string("ok") : entry.result + ": " + entry.message),
                        reply.ok() ? "allowed" : entry.result);
    }

    api::Reply configValidate(const json &args) const;
    api::Reply configApply(const json &args);
    std::string metricsText() const;
};

// ---- WebSocket sessions -------------------------------------------------------------------

/// What a WebSocket session does whatever its stream (plain or TLS): requests, the engine's
/// stream, and the queue of frames to write.
class Session : public std::enable_shared_from_this<Session>
{
public:
    Session(std::shared_ptr<Server::Private> server, std::string peer)
        : m_server(std::move(server))
        , m_peer(std::move(peer))
        , m_tokens(m_server->options.burst)
        , m_refilled(Clock::now())
    {
        if (!m_server->tokensRequired())
            m_role = api::Role::Admin; // no tokens: loopback only (start() checks), trusted
    }
    virtual ~Session() = default;

    void onMessage(std::string text, bool isText);
    /// Queues a frame; deltas count against the slow-consumer bound.
    void send(std::shared_ptr<const std::string> frame, bool delta = false);
    void sendMetrics(std::shared_ptr<const std::string> frame);
    void closed();
    virtual void close(websocket::close_code code, const std::string &why) = 0;
    std::string peer() const { return m_peer; }

protected:
    /// Writes one frame; the write holds `frame` until it is done (closed() may clear the
    /// queue meanwhile).
    virtual void write(std::shared_ptr<const std::string> frame,
                       std::function<void(bool ok)> done) = 0;
    void writeNext();

    std::shared_ptr<Server::Private> m_server;

private:
    void dispatch(ClientFrame frame);
    void reply(const json &id, const api::Reply &r)
    {
        send(std::make_shared<const std::string>(encodeReply(id, r)));
    }
    void subscribe(std::uint64_t since);
    void unsubscribe();
    /// Ends the stream from inside one of the engine's listener calls (a slow consumer's
    /// resync): the engine is iterating its subscribers then, so it is told later, on the loop;
    /// until then the listener drops what it is given.
    void stopStreamFromCallback();

    struct Listener : api::StreamListener
    {
        std::weak_ptr<Session> session;
        api::Role role = api::Role::Viewer;
        bool stopped = false; ///< the session's stream ended; the engine may still call
        void onSnapshot(const api::Snapshot &s) override
        {
            if (stopped)
                return;
            if (auto self = session.lock()) {
                api::Snapshot copy = s;
                copy.role = role;
                self->send(std::make_shared<const std::string>(encodeSnapshot(copy)), true);
            }
        }
        void onDelta(const api::Delta &d) override
        {
            if (stopped)
                return;
            if (auto self = session.lock())
                self->send(self->m_server->deltaFrame(d), true);
        }
        void onMetrics(const api::MetricBatch &batch) override
        {
            if (stopped)
                return;
            if (auto self = session.lock())
                self->sendMetrics(std::make_shared<const std::string>(encodeMetrics(batch)));
        }
    };

    std::string m_peer;
    std::optional<api::Role> m_role;
    std::string m_tokenName;
    std::uint64_t m_subscription = 0;
    std::shared_ptr<Listener> m_listener; ///< of m_subscription (or of one being made)
    std::deque<std::pair<std::shared_ptr<const std::string>, bool>> m_queue;
    std::shared_ptr<const std::string> m_metrics; ///< the newest metrics batch not yet sent
    std::size_t m_queuedDeltaBytes = 0;
    bool m_writing = false;
    bool m_closed = false;
    int m_garbage = 0;
    double m_tokens; ///< the request rate's token bucket
    Clock::time_point m_refilled;
};

void Session::send(std::shared_ptr<const std::string> frame, bool delta)
{
    if (m_closed)
        return;
    if (delta) {
        m_queuedDeltaBytes += frame->size();
        if (m_queuedDeltaBytes > m_server->options.maxQueuedBytes) {
            // A slow consumer: its stream stops here (never the master); the frames not yet
            // on their way are dropped and it is told to take a new snapshot.
            spdlog::warn("session.resync peer={} queued_bytes={}", m_peer, m_queuedDeltaBytes);
            // This runs inside the engine's call of our listener, while it iterates its
            // subscribers: unsubscribing right here would erase the entry under its feet.
            stopStreamFromCallback();
            std::deque<std::pair<std::shared_ptr<const std::string>, bool>> kept;
            if (m_writing && !m_queue.empty())
                kept.push_back(std::move(m_queue.front())); // the frame being written
            for (auto &entry : m_queue) {
                if (entry.first && !entry.second)
                    kept.push_back(std::move(entry)); // replies stay
            }
            m_queue.swap(kept);
            m_queuedDeltaBytes = 0;
            for (auto &entry : m_queue) {
                if (entry.second)
                    m_queuedDeltaBytes += entry.first->size();
            }
            m_queue.emplace_back(std::make_shared<const std::string>(
                                     encodeResync("the client did not keep up with the stream")),
                                 false);
            writeNext();
            return;
        }
    }
    m_queue.emplace_back(std::move(frame), delta);
    writeNext();
}

void Session::sendMetrics(std::shared_ptr<const std::string> frame)
{
    if (m_closed)
        return;
    m_metrics = std::move(frame); // a batch still waiting is dropped: the newest is kept
    writeNext();
}

void Session::writeNext()
{
    if (m_writing || m_closed)
        return;
    if (m_queue.empty()) {
        if (!m_metrics)
            return;
        m_queue.emplace_back(std::move(m_metrics), false);
        m_metrics.reset();
    }
    m_writing = true;
    write(m_queue.front().first, [self = shared_from_this()](bool ok) {
        self->m_writing = false;
        if (!self->m_queue.empty()) {
            if (self->m_queue.front().second)
                self->m_queuedDeltaBytes -=
                    std::min(self->m_queuedDeltaBytes, self->m_queue.front().first->size());
            self->m_queue.pop_front();
        }
        if (ok)
            self->writeNext();
    });
}

void Session::closed()
{
    if (m_closed)
        return;
    m_closed = true;
    --m_server->connections;
    unsubscribe();
    m_queue.clear();
    m_metrics.reset();
    m_server->sessions.erase(shared_from_this());
}

void Session::subscribe(std::uint64_t since)
{
    unsubscribe();
    auto listener = std::make_shared<Listener>();
    listener->session = weak_from_this();
    listener->role = m_role.value_or(api::Role::Viewer);
    m_listener = listener;
    std::uint64_t id = m_server->engine.subscribe(listener, since);
    if (listener->stopped) {
        // The snapshot or the deltas replayed from the ring already overflowed the queue (the
        // client was told to resync): this subscription is over before it began.
        m_server->engine.unsubscribe(id);
        return;
    }
    m_subscription = id;
}

void Session::unsubscribe()
{
    if (m_listener)
        m_listener->stopped = true;
    m_listener.reset();
    if (m_subscription)
        m_server->engine.unsubscribe(m_subscription);
    m_subscription = 0;
}

void Session::stopStreamFromCallback()
{
    if (m_listener)
        m_listener->stopped = true;
    m_listener.reset();
    if (m_subscription)
        asio::post(m_server->io,
                   [server = m_server, id = m_subscription] { server->engine.unsubscribe(id); });
    m_subscription = 0;
}

void Session::onMessage(std::string text, bool isText)
{
    json id;
    api::Result<ClientFrame> frame =
        isText ? decodeClientFrame(text, &id)
               : api::Result<ClientFrame>(api::Error{
                     "bad_request", "binary frames are not part of the protocol: send text", {}});
    if (!frame.ok()) {
        ++m_garbage;
        reply(id, frame.error());
        if (m_garbage >= m_server->options.garbageLimit)
            close(websocket::close_code::policy_error,
                  std::to_string(m_garbage) + " frames in a row were not requests");
        return;
    }
    m_garbage = 0;
    // The request rate: a token bucket per connection.
    auto now = Clock::now();
    m_tokens = std::min(m_server->options.burst,
                        m_tokens + std::chrono::duration<double>(now - m_refilled).count() *
                                       m_server->options.requestsPerSecond);
    m_refilled = now;
    if (m_tokens < 1) {
        ++m_server->refused;
        reply(frame->id, api::Error{"busy",
                                    "too many requests: at most " +
                                        std::to_string(int(m_server->options.requestsPerSecond)) +
                                        " a second on one connection",
                                    {}});
        return;
    }
    m_tokens -= 1;
    json id2 = frame->id;
    try {
        dispatch(std::move(*frame));
    } catch (const json::exception &e) {
        // `"token": 5`, `"protocol": "one"`: the client's error, answered, never the master's end.
        reply(id2, api::Error{"bad_request",
                              std::string("args: a field has the wrong type (") + e.what() + ")",
                              {}});
    }
}

void Session::dispatch(ClientFrame frame)
{
    Server::Private &server = *m_server;
    ++server.requests;
    const OpInfo *info = findOp(frame.op);
    if (!info) {
        reply(frame.id, api::Error{"bad_request", "unknown op \"" + frame.op + "\"", {}});
        return;
    }
    if (frame.op == "hello") {
        auto given = frame.args.find("protocol");
        if (given != frame.args.end() && !given->is_number_integer()) {
            reply(frame.id, api::Error{"bad_request", "\"protocol\" must be a whole number", {}});
            return;
        }
        long long protocol = given == frame.args.end() ? kProtocolVersion : given->get<long long>();
        if (protocol != kProtocolVersion) {
            reply(frame.id, api::Error{"bad_request",
                                       "protocol " + std::to_string(protocol) +
                                           " is not spoken here (this master speaks " +
                                           std::to_string(kProtocolVersion) + ")",
                                       {}});
            return;
        }
        if (server.tokensRequired()) {
            std::string token = frame.args.value("token", std::string());
            std::optional<TokenEntry> entry =
                token.empty() ? std::nullopt : server.tokens->verify(token);
            if (!entry) {
                ++server.refused;
                spdlog::warn("session.unauthorized peer={} reason=\"{}\"", m_peer,
                             token.empty() ? "no token" : "wrong token");
                reply(frame.id, api::Error{"unauthorized",
                                           token.empty() ? "this master needs a token"
                                                         : "the token is not valid here",
                                           {}});
                return;
            }
            m_role = entry->role;
            m_tokenName = entry->name;
        }
        spdlog::info("session.hello peer={} token={} role={} client=\"{}\"", m_peer,
                     m_tokenName.empty() ? "-" : m_tokenName, api::toString(*m_role),
                     frame.args.value("client", std::string()));
        reply(frame.id, json{{"server", std::string("droverd/") + kVersion},
                             {"role", api::toString(*m_role)},
                             {"protocol", kProtocolVersion}});
        return;
    }
    auto refuse = [&](const std::string &code, const std::string &message) {
        ++server.refused;
        api::Reply r = api::Error{code, message, {}};
        if (info->mutating)
            server.audited(m_tokenName, m_role.value_or(api::Role::Viewer), m_peer, frame, r);
        reply(frame.id, r);
    };
    if (!m_role) {
        refuse("unauthorized", "say hello with a token first");
        return;
    }
    if (*m_role < info->minRole) {
        refuse("forbidden", "role " + std::string(api::toString(*m_role)) + " may not " + frame.op +
                                " (it needs " + std::string(api::toString(info->minRole)) + ")");
        return;
    }
    if (frame.op == "subscribe") {
        std::uint64_t since = 0;
        if (auto s = frame.args.find("since"); s != frame.args.end() && s->is_number_unsigned())
            since = s->get<std::uint64_t>();
        reply(frame.id, json::object()); // the reply first, then the snapshot or the deltas
        subscribe(since);
        return;
    }
    if (frame.op == "unsubscribe") {
        unsubscribe();
        reply(frame.id, json::object());
        return;
    }
    if (frame.op == "metrics.follow") {
        if (!m_subscription) {
            reply(frame.id, api::Error{"bad_request", "subscribe first", {}});
            return;
        }
        std::vector<std::string> series;
        for (const json &s : frame.args.value("series", json::array())) {
            if (s.is_string())
                series.push_back(s.get<std::string>());
        }
        server.engine.setMetricSeries(m_subscription, std::move(series));
        reply(frame.id, json::object());
        return;
    }
    if (frame.op == "config.validate") {
        reply(frame.id, server.configValidate(frame.args));
        return;
    }
    if (frame.op == "config.apply") {
        api::Reply r = server.configApply(frame.args);
        server.audited(m_tokenName, *m_role, m_peer, frame, r);
        reply(frame.id, r);
        return;
    }
    std::weak_ptr<Session> weak = weak_from_this();
    std::shared_ptr<Server::Private> keep = m_server;
    json id = frame.id;
    bool mutating = info->mutating;
    api::Role role = *m_role;
    auto framePtr = std::make_shared<ClientFrame>(std::move(frame));
    server.engine.request(framePtr->op, framePtr->args,
                          [weak, keep, id, mutating, role, framePtr, token = m_tokenName,
                           peer = m_peer](api::Reply r) {
                              if (mutating)
                                  keep->audited(token, role, peer, *framePtr, r);
                              if (auto self = weak.lock())
                                  self->reply(id, r);
                          });
}

template <class Stream>
class WsSession final : public Session
{
public:
    WsSession(std::shared_ptr<Server::Private> server, std::string peer, Stream stream)
        : Session(std::move(server), std::move(peer))
        , m_ws(std::move(stream))
    {}

    void run(http::request<http::string_body> request)
    {
        beast::get_lowest_layer(m_ws).expires_never();
        m_ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        m_ws.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
            res.set(http::field::server, std::string("droverd/") + kVersion);
        }));
        m_ws.read_message_max(m_server->options.maxFrameBytes);
        m_ws.text(true);
        m_ws.async_accept(request, [self = shared()](beast::error_code ec) {
            if (ec) {
                self->closed();
                return;
            }
            self->read();
        });
    }

    void close(websocket::close_code code, const std::string &why) override
    {
        if (m_closing)
            return;
        m_closing = true;
        spdlog::warn("session.close peer={} reason=\"{}\"", peer(), why);
        m_ws.async_close(websocket::close_reason(code, why),
                         [self = shared()](beast::error_code) { self->closed(); });
    }

private:
    std::shared_ptr<WsSession> shared()
    {
        return std::static_pointer_cast<WsSession>(shared_from_this());
    }

    void read()
    {
        m_ws.async_read(m_buffer, [self = shared()](beast::error_code ec, std::size_t) {
            if (ec == websocket::error::message_too_big) {
                // The rest of the message is not read: answer, then close.
                self->send(std::make_shared<const std::string>(encodeError(
                    json(), "bad_request",
                    "the frame is larger than " +
                        std::to_string(self->m_server->options.maxFrameBytes) + " bytes")));
                self->close(websocket::close_code::too_big, "frame too large");
                return;
            }
            if (ec) {
                self->closed();
                return;
            }
            std::string text = beast::buffers_to_string(self->m_buffer.data());
            self->m_buffer.consume(self->m_buffer.size());
            self->onMessage(std::move(text), self->m_ws.got_text());
            if (!self->m_closing)
                self->read();
        });
    }

    void write(std::shared_ptr<const std::string> frame, std::function<void(bool)> done) override
    {
        const std::string &text = *frame;
        m_ws.async_write(asio::buffer(text),
                         [self = shared(), frame = std::move(frame),
                          done = std::move(done)](beast::error_code ec, std::size_t) {
                             done(!ec);
                             if (ec)
                                 self->closed();
                         });
    }

    websocket::stream<Stream> m_ws;
    beast::flat_buffer m_buffer;
    bool m_closing = false;
};

// ---- HTTP and the upgrade -----------------------------------------------------------------

template <class Stream>
void Server::Private::serveHttp(std::shared_ptr<Stream> stream, std::string peer)
{
    struct Exchange
    {
        beast::flat_buffer buffer;
        http::request_parser<http::string_body> parser;
    };
    auto ex = std::make_shared<Exchange>();
    ex->parser.header_limit(16 * 1024);
    ex->parser.body_limit(64 * 1024);
    beast::get_lowest_layer(*stream).expires_after(options.handshakeTimeout);
    auto self = shared_from_this();
    http::async_read(
        *stream, ex->buffer, ex->parser,
        [self, stream, ex, peer](beast::error_code ec, std::size_t) {
            auto done = [self] { --self->connections; };
            if (ec) {
                done();
                return;
            }
            http::request<http::string_body> req = ex->parser.release();
            std::string target(req.target());
            if (websocket::is_upgrade(req)) {
                if (target != "/v1/stream") {
                    done();
                    return;
                }
                auto session = std::make_shared<WsSession<Stream>>(self, peer, std::move(*stream));
                self->sessions.insert(session);
                session->run(std::move(req));
                // The connection count goes down when the session ends (see closed()).
                return;
            }
            auto res = std::make_shared<http::response<http::string_body>>(http::status::ok,
                                                                           req.version());
            res->set(http::field::server, std::string("droverd/") + kVersion);
            res->set(http::field::content_type, "text/plain; charset=utf-8");
            std::string path = target.substr(0, target.find('?'));
            bool authorized =
                !self->tokensRequired() ||
                self->tokens->verify(bearer(std::string(req[http::field::authorization])))
                    .has_value();
            if (req.method() != http::verb::get && req.method() != http::verb::head) {
                res->result(http::status::method_not_allowed);
                res->set(http::field::allow, "GET, HEAD");
                res->body() = "method not allowed\n";
            } else if (path == "/healthz") {
                res->body() = "ok\n";
            } else if (path == "/readyz") {
                bool ready = !self->engine.shuttingDown();
                res->result(ready ? http::status::ok : http::status::service_unavailable);
                res->body() = ready ? "ready\n" : "shutting down\n";
            } else if (!authorized) {
                ++self->refused;
                res->result(http::status::unauthorized);
                res->set(http::field::www_authenticate, "Bearer");
                res->body() = "a token is needed: Authorization: Bearer <token>\n";
            } else if (path == "/metrics") {
                res->set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
                res->body() = self->metricsText();
            } else if (path == "/v1/stream") {
                res->result(http::status::upgrade_required);
                res->set(http::field::upgrade, "websocket");
                res->body() = "/v1/stream is a WebSocket\n";
            } else {
                res->result(http::status::not_found);
                res->body() = "not found\n";
            }
            res->keep_alive(false);
            res->prepare_payload();
            http::async_write(*stream, *res, [stream, res, done](beast::error_code, std::size_t) {
                beast::error_code ignored;
                beast::get_lowest_layer(*stream).socket().shutdown(tcp::socket::shutdown_send,
                                                                   ignored);
                done();
            });
        });
}

void Server::Private::accept()
{
    acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
        if (self->stopped)
            return;
        if (ec) {
            if (ec != asio::error::operation_aborted)
                self->accept();
            return;
        }
        std::string peer = peerOf(socket);
        if (self->connections >= self->options.maxConnections) {
            spdlog::warn("server.refused peer={} reason=\"{} connections already\"", peer,
                         self->connections);
            beast::error_code ignored;
            socket.close(ignored);
            self->accept();
            return;
        }
        ++self->connections;
        socket.set_option(tcp::no_delay(true));
        if (self->tls) {
            auto stream = std::make_shared<beast::ssl_stream<beast::tcp_stream>>(std::move(socket),
                                                                                 *self->tls);
            beast::get_lowest_layer(*stream).expires_after(self->options.handshakeTimeout);
            stream->async_handshake(asio::ssl::stream_base::server,
                                    [self, stream, peer](beast::error_code ec) {
                                        if (ec) {
                                            --self->connections;
                                            return;
                                        }
                                        self->serveHttp(stream, peer);
                                    });
        } else {
            self->serveHttp(std::make_shared<beast::tcp_stream>(std::move(socket)), peer);
        }
        self->accept();
    });
}

// ---- config over the wire -----------------------------------------------------------------

namespace {

api::Error invalidConfig(const config::LoadResult &result)
{
    api::Error e{"invalid_config",
                 std::to_string(result.errors.size() + result.moreErrors) +
                     (result.errors.size() + result.moreErrors == 1 ? " error" : " errors") +
                     " in the config",
                 result.errors};
    return e;
}

} // namespace

api::Reply Server::Private::configValidate(const json &args) const
{
    if (!args.contains("text") || !args["text"].is_string())
        return api::Error{"bad_request", "args.text: the config's YAML text is required", {}};
    auto running = engine.config();
    config::LoadOptions options;
    options.baseDir = std::filesystem::path(running->file).parent_path().string();
    std::string name = args.value("file", std::filesystem::path(running->file).filename().string());
    config::LoadResult result = config::loadText(args["text"].get<std::string>(), name, options);
    if (!result.ok())
        return invalidConfig(result);
    return json{{"ok", true}, {"summary", result.config->summary().toString()}};
}

api::Reply Server::Private::configApply(const json &args)
{
    auto running = engine.config();
    std::string current = engine.snapshot().configVersion;
    if (auto base = args.find("base_version");
        base != args.end() && base->is_string() && base->get<std::string>() != current)
        return api::Error{"conflict",
                          "the config changed since version " + base->get<std::string>() +
                              " (it is now " + current + "): get it again and re-apply",
                          {}};
    api::Reply valid = configValidate(args);
    if (!valid.ok())
        return valid;
    const std::string text = args["text"].get<std::string>();
    config::LoadOptions options;
    options.baseDir = std::filesystem::path(running->file).parent_path().string();
    config::LoadResult result = config::loadText(text, running->file, options);
    auto next = std::make_shared<config::Config>(std::move(*result.config));
    next->file = running->file;
    // The file it replaces is kept: <state_dir>/config-history/<time>-<version>.yaml.
    std::string historyDir = engine.stateDir() + "/config-history";
    std::filesystem::create_directories(historyDir);
    std::string before = readWhole(running->file);
    if (auto problem = writeAtomically(
            historyDir + "/" + std::to_string(nowMs()) + "-" + current + ".yaml", before))
        return api::Error{"internal", *problem, {}};
    if (auto problem = writeAtomically(running->file, text))
        return api::Error{"internal", *problem, {}};
    engine.reload(next);
    spdlog::info("config.applied file={} version={}", running->file,
                 engine.snapshot().configVersion);
    return json{{"version", engine.snapshot().configVersion},
                {"summary", next->summary().toString()}};
}

std::string Server::Private::metricsText() const
{
    MasterFigures master;
    master.version = kVersion;
    master.startedAtMs = startedAtMs;
    const engine::MetricsStore &store = engine.metrics();
    auto latest = [&store](std::string_view series) -> std::optional<double> {
        engine::MetricsStore::Point p;
        if (store.latest(series, p))
            return p.v;
        return std::nullopt;
    };
    master.cpuPercent = latest("master/cpu_percent").value_or(0);
    master.rssBytes = std::uint64_t(latest("master/rss_bytes").value_or(0));
    master.threads = int(latest("master/threads").value_or(0));
    master.fds = int(latest("master/fds").value_or(-1));
    master.clients = int(sessions.size());
    master.requests = requests;
    master.refused = refused;
    return renderPrometheus(engine.snapshot(), master, latest);
}

// ---- Server -------------------------------------------------------------------------------

Server::Server(asio::io_context &io, engine::Engine &engine, ServerOptions options,
               std::shared_ptr<TokenStore> tokens, std::shared_ptr<AuditLog> audit)
    : d(std::make_shared<Private>(io, engine, std::move(options), std::move(tokens),
                                  std::move(audit)))
{}

Server::~Server()
{
    stop();
}

api::Result<bool> Server::start()
{
    const config::Endpoint &listen = d->options.listen;
    if (!listen.isLoopback() && (!d->options.tls || !d->tokensRequired()))
        return api::Error{
            "unavailable",
            "refusing to listen on " + listen.toString() + " without " +
                (!d->options.tls ? std::string("TLS (master.tls: {cert, key})")
                                 : std::string("a token (droverd token create)")) +
                ": anyone who can reach it could control this machine's workers. Listen on "
                "127.0.0.1, or configure TLS and at least one token",
            {}};
    if (d->options.tls) {
        try {
            d->tls.emplace(asio::ssl::context::tls_server);
            d->tls->set_options(asio::ssl::context::default_workarounds |
                                asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                                asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
            d->tls->use_certificate_chain_file(d->options.tls->cert);
            d->tls->use_private_key_file(d->options.tls->key, asio::ssl::context::pem);
        } catch (const boost::system::system_error &e) {
            return api::Error{"unavailable",
                              "TLS: cannot use the certificate \"" + d->options.tls->cert +
                                  "\" and key \"" + d->options.tls->key + "\": " + e.what(),
                              {}};
        }
    }
    boost::system::error_code ec;
    tcp::resolver resolver(d->io);
    auto results = resolver.resolve(listen.host, std::to_string(listen.port), ec);
    if (ec || results.empty())
        return api::Error{"unavailable",
                          "cannot resolve the listen address " + listen.toString() + ": " +
                              ec.message(),
                          {}};
    tcp::endpoint endpoint = results.begin()->endpoint();
    d->acceptor.open(endpoint.protocol(), ec);
    if (!ec)
        d->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        d->acceptor.bind(endpoint, ec);
    if (!ec)
        d->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        d->acceptor.close();
        return api::Error{
            "unavailable", "cannot listen on " + listen.toString() + ": " + ec.message(), {}};
    }
    spdlog::info("server.listening address={} port={} tls={} tokens={}", listen.host, port(),
                 d->tls ? "on" : "off", d->tokensRequired() ? d->tokens->entries().size() : 0);
    d->accept();
    return true;
}

void Server::stop()
{
    if (d->stopped)
        return;
    d->stopped = true;
    boost::system::error_code ignored;
    d->acceptor.close(ignored);
    auto sessions = d->sessions;
    for (const auto &s : sessions)
        s->close(websocket::close_code::going_away, "the master is stopping");
}

int Server::port() const
{
    boost::system::error_code ec;
    auto ep = d->acceptor.local_endpoint(ec);
    return ec ? d->options.listen.port : ep.port();
}

void Server::setTokens(std::shared_ptr<TokenStore> tokens)
{
    d->tokens = std::move(tokens);
}

int Server::clients() const
{
    return int(d->sessions.size());
}

} // namespace drover::remote
