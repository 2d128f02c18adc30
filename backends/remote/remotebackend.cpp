// The client side of the wire: Boost.Beast WebSocket (ws or wss) on its own thread. The only
// client file that includes Beast.
// clang-format off
#include <utility> // before Asio (TOOLCHAIN.md)
// clang-format on
#include "remote/remotebackend.h"

#include "api/clock.h"
#include "api/ops.h"
#include "api/statemirror.h"
#include "api/version.h"
#include "remote/fingerprint.h"
#include "remote/wire.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <openssl/x509.h>

#include <atomic>
#include <deque>
#include <map>
#include <random>
#include <thread>

namespace drover::remote {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using nlohmann::json;

namespace {

using api::nowMs;

/// `ab:cd:...` or `abcd...` -> `abcd...` (lower case).
bool seriesMatches(const std::vector<std::string> &wanted, const std::string &series)
{
    for (const std::string &w : wanted) {
        if (w == series || (!w.empty() && w.back() == '/' && series.rfind(w, 0) == 0))
            return true;
    }
    return false;
}

} // namespace

struct RemoteBackend::Private : std::enable_shared_from_this<RemoteBackend::Private>
{
    explicit Private(RemoteOptions o)
        : options(std::move(o))
        , work(asio::make_work_guard(io))
        , retryTimer(io)
    {}

    RemoteOptions options;
    asio::io_context io{1};
    asio::executor_work_guard<asio::io_context::executor_type> work;
    std::thread thread;
    std::function<void(const LinkStatus &)> statusListener;
    LinkStatus status;

    // The link (one of the two streams, for ws or wss).
    using Plain = websocket::stream<beast::tcp_stream>;
    using Secure = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;
    std::unique_ptr<Plain> plain;
    std::unique_ptr<Secure> secure;
    std::optional<asio::ssl::context> tls;
    std::unique_ptr<tcp::resolver> resolver;
    beast::flat_buffer buffer;
    std::deque<std::string> outbox;
    bool writing = false;
    std::uint64_t link = 0; ///< bumped per connection: handlers of an old one do nothing
    bool connected = false; ///< hello answered
    bool stopping = false;
    asio::steady_timer retryTimer;
    int attempt = 0;
    std::mt19937_64 rng{std::random_device{}()};
    std::string peerFingerprint;

    // Requests in flight, by id.
    std::int64_t nextId = 0;
    std::map<std::int64_t, api::ReplyFn> pending;

    // The stream: one subscription on the master, fanned out to the listeners, with a
    // mirror of the state for resuming and for listeners that come later.
    struct Sub
    {
        std::shared_ptr<api::StreamListener> listener;
        std::vector<std::string> series;
    };
    std::map<std::uint64_t, Sub> subs;
    std::atomic<std::uint64_t> subCounter{0};
    api::StateMirror mirror;
    bool streaming = false; ///< subscribed on the master over this link

    // Log follows: ours -> the master's id on this link (0 until its reply came).
    struct LogFollow
    {
        json args;
        api::LogLinesFn onLines;
        std::uint64_t masterId = 0;
        std::uint64_t link = 0; ///< the link it was made on
    };
    std::map<std::uint64_t, LogFollow> follows;

    void setStatus(LinkStatus::State state, std::string message = {}, std::string code = {})
    {
        status.state = state;
        status.message = std::move(message);
        status.errorCode = std::move(code);
        status.fingerprint = peerFingerprint;
        if (statusListener)
            statusListener(status);
    }

    template <class F>
    void withStream(F &&f)
    {
        if (plain)
            f(*plain);
        else if (secure)
            f(*secure);
    }

    // ---- connecting ---------------------------------------------------------------------

    void connect()
    {
        if (stopping)
            return;
        ++link;
        plain.reset();
        secure.reset();
        buffer.clear();
        outbox.clear();
        writing = false;
        connected = false;
        streaming = false;
        peerFingerprint.clear();
        setStatus(LinkStatus::State::Connecting, "connecting to " + options.url.toString());
        resolver = std::make_unique<tcp::resolver>(io);
        std::uint64_t id = link;
        resolver->async_resolve(options.url.host, std::to_string(options.url.port),
                                [self = shared_from_this(),
                                 id](beast::error_code ec, tcp::resolver::results_type results) {
                                    if (id != self->link)
                                        return;
                                    if (ec)
                                        return self->fail("cannot resolve " +
                                                          self->options.url.host + ": " +
                                                          ec.message());
                                    self->connectTo(results);
                                });
    }

    void connectTo(const tcp::resolver::results_type &results)
    {
        std::uint64_t id = link;
        if (options.url.tls) {
            if (auto problem = makeTls())
                return refuse(*problem, "tls");
            secure = std::make_unique<Secure>(io, *tls);
        } else {
            plain = std::make_unique<Plain>(io);
        }
        auto &lowest = plain ? beast::get_lowest_layer(*plain) : beast::get_lowest_layer(*secure);
        lowest.expires_after(options.connectTimeout);
        lowest.async_connect(
            results, [self = shared_from_this(), id](beast::error_code ec, const tcp::endpoint &) {
                if (id != self->link)
                    return;
                if (ec)
                    return self->fail("cannot connect to " + self->options.url.toString() + ": " +
                                      (ec == asio::error::connection_refused
                                           ? std::string("connection refused (is droverd running "
                                                         "and listening there?)")
                                           : ec.message()));
                if (self->secure)
                    self->tlsHandshake();
                else
                    self->wsHandshake(*self->plain);
            });
    }

    std::optional<std::string> makeTls()
    {
        if (tls)
            return std::nullopt;
        try {
            tls.emplace(asio::ssl::context::tls_client);
            tls->set_verify_mode(asio::ssl::verify_peer);
            if (!options.caFile.empty())
                tls->load_verify_file(options.caFile);
            else
                tls->set_default_verify_paths();
        } catch (const boost::system::system_error &e) {
            tls.reset();
            return "cannot use the CA file \"" + options.caFile + "\": " + e.what();
        }
        return std::nullopt;
    }

    void tlsHandshake()
    {
        std::uint64_t id = link;
        auto &ssl = secure->next_layer();
        SSL_set_tlsext_host_name(ssl.native_handle(), options.url.host.c_str());
        std::string pinned = normalizeFingerprint(options.fingerprint);
        std::string host = options.url.host;
        ssl.set_verify_callback([self = shared_from_this(), pinned,
                                 host](bool preverified, asio::ssl::verify_context &ctx) {
            X509 *cert = X509_STORE_CTX_get_current_cert(ctx.native_handle());
            int depth = X509_STORE_CTX_get_error_depth(ctx.native_handle());
            if (depth > 0)
                return pinned.empty() ? preverified : true; // a pin decides at the leaf
            self->peerFingerprint = certificateFingerprint(cert);
            if (!pinned.empty())
                return normalizeFingerprint(self->peerFingerprint) == pinned;
            return preverified && asio::ssl::host_name_verification(host)(preverified, ctx);
        });
        ssl.async_handshake(asio::ssl::stream_base::client, [self = shared_from_this(),
                                                             id](beast::error_code ec) {
            if (id != self->link)
                return;
            if (ec)
                return self->refuse("TLS: the master's certificate is not trusted (" +
                                        ec.message() + "); its SHA-256 fingerprint is " +
                                        (self->peerFingerprint.empty() ? std::string("unknown")
                                                                       : self->peerFingerprint) +
                                        ". Pass --ca FILE, or --fingerprint with that value "
                                        "once you have checked it",
                                    "tls");
            self->wsHandshake(*self->secure);
        });
    }

    template <class Stream>
    void wsHandshake(Stream &ws)
    {
        std::uint64_t id = link;
        beast::get_lowest_layer(ws).expires_never();
        ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
        ws.read_message_max(64u << 20);
        ws.text(true);
        std::string host = options.url.host + ":" + std::to_string(options.url.port);
        ws.async_handshake(
            host, "/v1/stream", [self = shared_from_this(), id, &ws](beast::error_code ec) {
                if (id != self->link)
                    return;
                if (ec)
                    return self->fail("WebSocket handshake with " + self->options.url.toString() +
                                      " failed: " + ec.message());
                self->read(ws);
                self->hello();
            });
    }

    void hello()
    {
        json args{{"token", options.token},
                  {"client", options.client + "/" + kVersion},
                  {"protocol", kProtocolVersion}};
        sendRequest(api::opName(api::Op::Hello), args, [self = shared_from_this()](api::Reply r) {
            if (!r.ok()) {
                self->refuse(r.error().message, std::string(api::toString(r.error().code)));
                return;
            }
            self->attempt = 0;
            self->connected = true;
            self->status.role =
                api::parseRole(r->value("role", std::string())).value_or(api::Role::Viewer);
            self->status.server = r->value("server", std::string());
            self->setStatus(LinkStatus::State::Connected);
            if (!self->subs.empty())
                self->subscribeOnMaster();
            // Follows made on an earlier link go on here, from now: the lines written while
            // the link was down are not known (skipped = -1).
            for (auto &[id, follow] : self->follows) {
                if (follow.link != self->link)
                    self->followOnMaster(id, nullptr);
            }
        });
    }

    /// A failure that trying again may cure: the link is dropped and, with reconnect, tried
    /// again after a backoff.
    void fail(const std::string &why)
    {
        dropLink(why);
        if (!options.reconnect || stopping) {
            setStatus(LinkStatus::State::Refused, why, "unavailable");
            return;
        }
        double base = double(options.backoffInitial.count()) * std::pow(2.0, attempt);
        base = std::min(base, double(options.backoffMax.count()));
        std::uniform_real_distribution<double> jitter(0.8, 1.2);
        auto wait = std::chrono::milliseconds(std::llround(base * jitter(rng)));
        ++attempt;
        status.retryAtMs = nowMs() + wait.count();
        setStatus(LinkStatus::State::Waiting, why);
        retryTimer.expires_after(wait);
        retryTimer.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec)
                self->connect();
        });
    }

    /// A failure that trying again will not cure (a wrong token, an untrusted certificate).
    void refuse(const std::string &why, const std::string &code)
    {
        dropLink(why);
        setStatus(LinkStatus::State::Refused, why, code);
    }

    void dropLink(const std::string &why)
    {
        ++link;
        connected = false;
        streaming = false;
        resolver.reset();
        beast::error_code ignored;
        if (plain)
            beast::get_lowest_layer(*plain).socket().close(ignored);
        if (secure)
            beast::get_lowest_layer(*secure).socket().close(ignored);
        outbox.clear();
        writing = false;
        // Requests in flight get their one reply now: the link is gone.
        auto failed = std::move(pending);
        pending.clear();
        for (auto &[id, done] : failed)
            done(api::Error{
                api::ErrorCode::Unavailable, "the connection to the master was lost: " + why, {}});
    }

    // ---- frames ---------------------------------------------------------------------------

    template <class Stream>
    void read(Stream &ws)
    {
        std::uint64_t id = link;
        ws.async_read(buffer, [self = shared_from_this(), id, &ws](beast::error_code ec,
                                                                   std::size_t) {
            if (id != self->link)
                return;
            if (ec)
                return self->fail(ec == websocket::error::closed
                                      ? "the master closed the connection" +
                                            (ws.reason().reason.empty()
                                                 ? std::string()
                                                 : " (" +
                                                       std::string(ws.reason().reason.data(),
                                                                   ws.reason().reason.size()) +
                                                       ")")
                                      : "the connection broke: " + ec.message());
            // A flat_buffer holds the message in one piece: read in place, not copied.
            const auto data = self->buffer.data();
            self->onFrame(std::string_view(static_cast<const char *>(data.data()), data.size()));
            self->buffer.consume(self->buffer.size());
            if (id == self->link)
                self->read(ws);
        });
    }

    void onFrame(std::string_view text)
    {
        auto frame = decodeServerFrame(text);
        if (!frame.ok())
            return; // a frame we cannot read is skipped; the stream's seq shows any gap
        switch (frame->kind) {
        case ServerFrame::Kind::Reply: {
            if (!frame->id.is_number_integer())
                return;
            auto it = pending.find(frame->id.get<std::int64_t>());
            if (it == pending.end())
                return;
            api::ReplyFn done = std::move(it->second);
            pending.erase(it);
            done(std::move(frame->reply));
            return;
        }
        case ServerFrame::Kind::Snapshot:
            applySnapshot(std::move(frame->snapshot));
            return;
        case ServerFrame::Kind::Delta:
            applyDelta(frame->delta);
            return;
        case ServerFrame::Kind::Deltas:
            for (const api::Delta &delta : frame->deltas) {
                if (!applyDelta(delta))
                    return; // a gap: a new snapshot is on its way
            }
            return;
        case ServerFrame::Kind::Metrics:
            for (auto &[id, sub] : subs) {
                api::MetricBatch mine{frame->metrics.timeMs, {}};
                for (const api::MetricPoint &p : frame->metrics.points) {
                    if (seriesMatches(sub.series, p.series))
                        mine.points.push_back(p);
                }
                if (!mine.points.empty())
                    sub.listener->onMetrics(mine);
            }
            return;
        case ServerFrame::Kind::Log:
            for (auto &[id, follow] : follows) {
                if (follow.masterId == frame->follow && follow.link == link) {
                    follow.onLines(std::move(frame->log));
                    return;
                }
            }
            return;
        case ServerFrame::Kind::Resync:
            mirror.valid = false;
            subscribeOnMaster();
            return;
        }
    }

    void applySnapshot(api::Snapshot &&s)
    {
        for (auto &[id, sub] : subs)
            sub.listener->onSnapshot(s);
        mirror.reset(std::move(s));
    }

    /// False on a gap (or deltas before any snapshot): a new snapshot has been asked for.
    bool applyDelta(const api::Delta &delta)
    {
        if (!mirror.apply(delta)) {
            subscribeOnMaster(0);
            return false;
        }
        for (auto &[id, sub] : subs)
            sub.listener->onDelta(delta);
        return true;
    }

    /// Asks the master to follow `id`'s log on this link. `done` (the first time only) gets
    /// the reply.
    void followOnMaster(std::uint64_t id, api::ReplyFn done)
    {
        auto it = follows.find(id);
        if (it == follows.end())
            return;
        bool again = !done;
        it->second.link = link;
        it->second.masterId = 0;
        json args = it->second.args;
        if (again)
            args["lines"] = 0;
        sendRequest(api::opName(api::Op::LogsFollow), args,
                    [self = shared_from_this(), id, again, link = link,
                     done = std::move(done)](api::Reply r) {
                        auto it = self->follows.find(id);
                        if (it != self->follows.end() && it->second.link == link) {
                            if (r.ok()) {
                                it->second.masterId = r->value("follow", std::uint64_t(0));
                                if (again)
                                    it->second.onLines(api::LogLines{{}, -1});
                            } else if (!again) {
                                self->follows.erase(it); // refused: nothing more comes
                            }
                        }
                        if (done)
                            done(std::move(r));
                    });
    }

    void subscribeOnMaster(std::optional<std::uint64_t> since = std::nullopt)
    {
        if (!connected)
            return;
        std::uint64_t from = since.value_or(mirror.valid ? mirror.seq : 0);
        streaming = true;
        sendRequest(api::opName(api::Op::Subscribe), json{{"since", from}, {"batch", true}},
                    [](api::Reply) {});
        followMetrics();
    }

    void followMetrics()
    {
        if (!connected || !streaming)
            return;
        std::vector<std::string> all;
        for (auto &[id, sub] : subs)
            all.insert(all.end(), sub.series.begin(), sub.series.end());
        std::sort(all.begin(), all.end());
        all.erase(std::unique(all.begin(), all.end()), all.end());
        sendRequest(api::opName(api::Op::MetricsFollow), json{{"series", all}}, [](api::Reply) {});
    }

    void sendRequest(const std::string &op, const json &args, api::ReplyFn done)
    {
        if (!plain && !secure) {
            asio::post(io, [done = std::move(done)] {
                done(api::Error{api::ErrorCode::Unavailable, "not connected to the master", {}});
            });
            return;
        }
        std::int64_t id = ++nextId;
        pending[id] = std::move(done);
        outbox.push_back(json{{"id", id}, {"op", op}, {"args", args}}.dump(
            -1, ' ', false, json::error_handler_t::replace));
        writeNext();
    }

    void writeNext()
    {
        if (writing || outbox.empty())
            return;
        writing = true;
        std::uint64_t id = link;
        withStream([&](auto &ws) {
            ws.async_write(asio::buffer(outbox.front()),
                           [self = shared_from_this(), id](beast::error_code ec, std::size_t) {
                               if (id != self->link)
                                   return;
                               self->writing = false;
                               self->outbox.pop_front();
                               if (ec)
                                   return self->fail("the connection broke: " + ec.message());
                               self->writeNext();
                           });
        });
    }

    void stop()
    {
        stopping = true;
        retryTimer.cancel();
        dropLink("the client is closing");
    }
};

RemoteBackend::RemoteBackend(RemoteOptions options)
    : d(std::make_shared<Private>(std::move(options)))
{}

RemoteBackend::~RemoteBackend()
{
    asio::post(d->io, [d = d] { d->stop(); });
    d->work.reset();
    if (d->thread.joinable()) {
        // Let the handlers of the closed link finish, then end the loop.
        asio::post(d->io, [d = d] { d->io.stop(); });
        d->thread.join();
    }
}

void RemoteBackend::setStatusListener(std::function<void(const LinkStatus &)> listener)
{
    d->statusListener = std::move(listener);
}

void RemoteBackend::start()
{
    asio::post(d->io, [d = d] { d->connect(); });
    d->thread = std::thread([d = d] { d->io.run(); });
}

std::uint64_t RemoteBackend::subscribe(std::shared_ptr<api::StreamListener> listener,
                                       std::uint64_t since)
{
    std::uint64_t id = ++d->subCounter;
    asio::post(d->io, [d = d, id, listener = std::move(listener), since] {
        bool first = d->subs.empty();
        d->subs[id] = Private::Sub{listener, {}};
        if (d->mirror.valid && !first) {
            // Another listener on a stream already flowing: the state as mirrored here.
            if (since != d->mirror.seq)
                listener->onSnapshot(d->mirror.toSnapshot());
            return;
        }
        if (d->connected && !d->streaming)
            d->subscribeOnMaster(since);
    });
    return id;
}

void RemoteBackend::unsubscribe(std::uint64_t subscription)
{
    asio::post(d->io, [d = d, subscription] {
        d->subs.erase(subscription);
        if (d->subs.empty() && d->streaming && d->connected) {
            d->streaming = false;
            d->mirror.valid = false;
            d->sendRequest(api::opName(api::Op::Unsubscribe), json::object(), [](api::Reply) {});
        } else {
            d->followMetrics();
        }
    });
}

void RemoteBackend::setMetricSeries(std::uint64_t subscription, std::vector<std::string> series)
{
    asio::post(d->io, [d = d, subscription, series = std::move(series)]() mutable {
        auto it = d->subs.find(subscription);
        if (it == d->subs.end())
            return;
        it->second.series = std::move(series);
        d->followMetrics();
    });
}

void RemoteBackend::request(const std::string &op, const nlohmann::json &args, api::ReplyFn done)
{
    asio::post(d->io, [d = d, op, args, done = std::move(done)]() mutable {
        if (!d->connected) {
            done(api::Error{api::ErrorCode::Unavailable,
                            d->status.message.empty()
                                ? "not connected to the master"
                                : "not connected to the master: " + d->status.message,
                            {}});
            return;
        }
        d->sendRequest(op, args, std::move(done));
    });
}

std::uint64_t RemoteBackend::followLogs(const nlohmann::json &args, api::LogLinesFn onLines,
                                        api::ReplyFn done)
{
    std::uint64_t id = ++d->subCounter;
    asio::post(
        d->io, [d = d, id, args, onLines = std::move(onLines), done = std::move(done)]() mutable {
            if (!d->connected) {
                done(api::Error{api::ErrorCode::Unavailable, "not connected to the master", {}});
                return;
            }
            d->follows[id] = Private::LogFollow{args, std::move(onLines), 0, d->link};
            d->followOnMaster(id, std::move(done));
        });
    return id;
}

void RemoteBackend::unfollowLogs(std::uint64_t follow)
{
    asio::post(d->io, [d = d, follow] {
        auto it = d->follows.find(follow);
        if (it == d->follows.end())
            return;
        if (it->second.masterId && it->second.link == d->link && d->connected)
            d->sendRequest(api::opName(api::Op::LogsUnfollow),
                           json{{"follow", it->second.masterId}}, [](api::Reply) {});
        d->follows.erase(it);
    });
}

} // namespace drover::remote
