// droverd's server: Boost.Beast WebSocket and HTTP on the engine's loop. The only file of
// the master's side of the wire that includes Beast (heavy headers; 2 cores).
// clang-format off
#include <algorithm>
#include <utility> // before Asio (TOOLCHAIN.md)
// clang-format on
#include "remote/server.h"

#include "api/clock.h"
#include "api/version.h"
#include "engine/engine.h"
#include "engine/observe/metricsstore.h"
#include "remote/audit.h"
#include "remote/fingerprint.h"
#include "remote/prometheus.h"
#include "remote/session.h"
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

#include <chrono>

namespace drover::remote {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using nlohmann::json;

namespace {

using api::nowMs;

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

} // namespace

// ---- the server's shared state ------------------------------------------------------------

struct Server::Private : Hub, std::enable_shared_from_this<Server::Private>
{
    Private(asio::io_context &io, engine::Engine &engine, ServerOptions options,
            std::shared_ptr<TokenStore> tokens, std::shared_ptr<AuditLog> audit)
        : Hub(engine, std::move(options), std::move(tokens), std::move(audit))
        , io(io)
        , acceptor(io)
    {}

    asio::io_context &io;
    tcp::acceptor acceptor;
    std::optional<asio::ssl::context> tls;
    bool stopped = false;
    std::int64_t startedAtMs = nowMs();

    void accept();
    template <class Stream>
    void serveHttp(std::shared_ptr<Stream> stream, std::string peer);
    std::string metricsText() const;
};

// ---- WebSocket sessions -------------------------------------------------------------------

template <class Stream>
class WsSession final : public Session
{
public:
    WsSession(std::shared_ptr<Hub> hub, std::string peer, Stream stream)
        : Session(std::move(hub), std::move(peer))
        , m_ws(std::move(stream))
    {}

    void run(http::request<http::string_body> request)
    {
        beast::get_lowest_layer(m_ws).expires_never();
        m_ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        m_ws.set_option(websocket::stream_base::decorator([](websocket::response_type &res) {
            res.set(http::field::server, std::string("droverd/") + kVersion);
        }));
        m_ws.read_message_max(0); // no limit of Beast's: read() keeps options.maxFrameBytes
        m_ws.text(true);
        m_ws.async_accept(request, [self = shared()](beast::error_code ec) {
            if (ec) {
                self->closed();
                return;
            }
            self->read();
        });
    }

    void close(CloseCode code, const std::string &why) override
    {
        if (m_closing)
            return;
        m_closing = true;
        spdlog::warn("session.close peer={} reason=\"{}\"", peer(), why);
        m_closeReason = websocket::close_reason(websocket::close_code(code), why);
        if (!m_writeInFlight) // else once the frames queued before it are written
            closeNow();
    }

private:
    std::shared_ptr<WsSession> shared()
    {
        return std::static_pointer_cast<WsSession>(shared_from_this());
    }

    void closeNow()
    {
        m_ws.async_close(m_closeReason, [self = shared()](beast::error_code) { self->closed(); });
    }

    /// Reads a message piece by piece, so that one over the size limit is refused by us, with
    /// an error frame before the close (Beast's own limit would close first).
    void read()
    {
        m_ws.async_read_some(m_buffer, 64 * 1024,
                             [self = shared()](beast::error_code ec, std::size_t) {
                                 if (ec) {
                                     self->closed();
                                     return;
                                 }
                                 if (self->m_closing)
                                     return;
                                 if (self->m_buffer.size() > self->m_hub->options.maxFrameBytes) {
                                     self->m_buffer.consume(self->m_buffer.size());
                                     self->onOversizeFrame(); // the rest is not read
                                     return;
                                 }
                                 if (!self->m_ws.is_message_done()) {
                                     self->read();
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
        m_writeInFlight = true;
        m_ws.async_write(asio::buffer(text),
                         [self = shared(), frame = std::move(frame),
                          done = std::move(done)](beast::error_code ec, std::size_t) {
                             self->m_writeInFlight = false;
                             done(!ec); // may start the next write
                             if (ec)
                                 self->closed();
                             else if (self->m_closing && !self->m_writeInFlight)
                                 self->closeNow();
                         });
    }

    websocket::stream<Stream> m_ws;
    beast::flat_buffer m_buffer;
    websocket::close_reason m_closeReason;
    bool m_closing = false;
    bool m_writeInFlight = false;
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
                self->engine.setClients(int(self->sessions.size()));
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
    master.fleetRegistered = fleetRegistered;
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
    // A session and the hub hold each other until its close completes; a closing one that the
    // loop no longer runs for would keep both forever. Its pending handlers own it from now on.
    d->sessions.clear();
}

api::Result<bool> Server::start()
{
    const config::Endpoint &listen = d->options.listen;
    if (!listen.isLoopback() && (!d->options.tls || !d->tokensRequired()))
        return api::Error{
            api::ErrorCode::Unavailable,
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
            return api::Error{api::ErrorCode::Unavailable,
                              "TLS: cannot use the certificate \"" + d->options.tls->cert +
                                  "\" and key \"" + d->options.tls->key + "\": " + e.what(),
                              {}};
        }
    }
    boost::system::error_code ec;
    tcp::resolver resolver(d->io);
    auto results = resolver.resolve(listen.host, std::to_string(listen.port), ec);
    if (ec || results.empty())
        return api::Error{api::ErrorCode::Unavailable,
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
        return api::Error{api::ErrorCode::Unavailable,
                          "cannot listen on " + listen.toString() + ": " + ec.message(),
                          {}};
    }
    // The certificate's fingerprint, for clients that pin it on first use (the console asks
    // its user to compare it with this line).
    spdlog::info("server.listening address={} port={} tls={} tokens={}{}", listen.host, port(),
                 d->tls ? "on" : "off", d->tokensRequired() ? d->tokens->entries().size() : 0,
                 d->tls ? " fingerprint=" + certificateFingerprint(
                                                SSL_CTX_get0_certificate(d->tls->native_handle()))
                        : std::string());
    d->engine.setClients(int(d->sessions.size())); // `master/clients` from now on
    d->accept();
    return true;
}

std::string Server::fingerprint() const
{
    return d->tls ? certificateFingerprint(SSL_CTX_get0_certificate(d->tls->native_handle()))
                  : std::string();
}

void Server::setFleetRegistered(std::optional<bool> registered)
{
    d->fleetRegistered = registered;
}

std::vector<api::Role> Server::tokenRoles() const
{
    std::vector<api::Role> roles;
    if (!d->tokensRequired())
        return roles;
    for (const TokenEntry &t : d->tokens->entries())
        if (std::find(roles.begin(), roles.end(), t.role) == roles.end())
            roles.push_back(t.role);
    std::sort(roles.begin(), roles.end());
    return roles;
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
        s->close(CloseCode::GoingAway, "the master is stopping");
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
