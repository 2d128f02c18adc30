// The pool's HTTP/1.1 reverse proxy: clients in, each request to the worker the admission
// grants, its answer back. Boost.Beast's HTTP stays in this file.
//
// clang-format off
// Boost 1.74's Asio uses std::exchange without including <utility> (g++ 12, C++20): keep it first.
#include <utility>
// clang-format on

#include "engine/serve/proxy.h"

#include "api/clock.h"
#include "engine/serve/admission.h"
#include "engine/serve/passhead.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <map>
#include <set>

namespace drover::engine::serve {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
template <class T>
using awaitable = Awaitable<T>;
using Socket = asio::basic_stream_socket<tcp, Executor>;
using Acceptor = asio::basic_socket_acceptor<tcp, Executor>;
using Grant = Admission::Grant;
using namespace std::chrono_literals;

/// Bodies up to this size (with a Content-Length) are read whole and sent with one write;
/// larger and chunked ones are passed through as they come.
constexpr std::uint64_t kWholeBody = 1 << 20;
constexpr std::size_t kHeaderLimit = 64 * 1024;
/// No limit on a body passed through. (Not boost::none: Boost 1.74's parser compares the
/// length with the optional itself, and an empty optional then fails every sized body.)
constexpr std::uint64_t kNoBodyLimit = std::numeric_limits<std::uint64_t>::max();
constexpr auto kClientIdle = 75s;     ///< a keep-alive client connection with no request
constexpr auto kClientTransfer = 60s; ///< reading a request, writing a response
constexpr auto kConnectTimeout = 3s;
constexpr std::size_t kRelayChunk = 16 * 1024;
constexpr std::size_t kCopyBody = 16 * 1024;     ///< a whole response body up to this is copied
constexpr std::size_t kKeepCapacity = 64 * 1024; ///< a connection's strings keep at most this
constexpr std::size_t kReadSize = 64 * 1024;     ///< at most this much read at once

auto ec_(error_code &ec)
{
    return asio::redirect_error(asio::use_awaitable_t<Executor>{}, ec);
}

bool idempotent(http::verb v)
{
    switch (v) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::options:
    case http::verb::put:
    case http::verb::delete_:
    case http::verb::trace:
        return true;
    default:
        return false;
    }
}

bool isHex(std::string_view s)
{
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
    });
}

/// A W3C traceparent we pass on unchanged: version 00, a trace id and parent id that are
/// hex and not all zeros, and flags.
bool validTraceparent(std::string_view t)
{
    if (t.size() != 55 || t[2] != '-' || t[35] != '-' || t[52] != '-')
        return false;
    const std::string_view version = t.substr(0, 2), trace = t.substr(3, 32),
                           parent = t.substr(36, 16), flags = t.substr(53, 2);
    return isHex(version) && version != "ff" && isHex(trace) && isHex(parent) && isHex(flags) &&
           trace.find_first_not_of('0') != std::string_view::npos &&
           parent.find_first_not_of('0') != std::string_view::npos;
}

/// A client's X-Request-Id we keep: printable, no spaces, at most 128 characters.
bool usableRequestId(std::string_view id)
{
    return !id.empty() && id.size() <= 128 &&
           std::all_of(id.begin(), id.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

struct Conn;

/// The gateway's open connections and the sweep that looks at their deadlines. It runs while
/// any connection has one (an idle connection to a worker has none: a gateway that has
/// served traffic and is quiet does not wake up for it).
struct Sweep
{
    std::set<Conn *> conns;
    bool running = false;
    std::function<void()> start; ///< arms the sweep's timer (sets `running`)
};

/// A connection of the proxy, to a client or to a worker, with its deadline. Deadlines are
/// not a timer per operation (as beast::tcp_stream arms one for each read and write) but a
/// time kept here and looked at by the gateway's sweep, which cancels the socket's operations
/// once it has passed: setting one costs a clock read.
struct Conn
{
    Conn(Sweep &sweep, Socket s)
        : socket(std::move(s))
        , m_sweep(sweep)
    {
        m_sweep.conns.insert(this);
    }
    ~Conn() { m_sweep.conns.erase(this); }
    Conn(const Conn &) = delete;
    Conn &operator=(const Conn &) = delete;

    void expiresAfter(std::chrono::milliseconds d)
    {
        deadline = Clock::now() + d;
        timedOut = false;
        if (!m_sweep.running && m_sweep.start)
            m_sweep.start();
    }
    void expiresNever()
    {
        deadline = Clock::time_point::max();
        timedOut = false;
    }
    /// An operation's error as the caller should see it: cancelled by the sweep is a timeout.
    error_code result(error_code ec) const
    {
        return timedOut && ec == asio::error::operation_aborted ? error_code(beast::error::timeout)
                                                                : ec;
    }

    Socket socket;
    beast::flat_buffer buffer;
    /// A header read from this connection, as it is written out to the other side (for a
    /// request read whole, with its body). Its capacity is reused from message to message.
    std::string head;
    std::string hop; ///< a response's connection fields (passed on with a tunnel's 101)
    Clock::time_point deadline = Clock::time_point::max();
    bool timedOut = false;
    bool client = false;
    bool busy = false; ///< a client's request is under way

private:
    Sweep &m_sweep;
};

/// What a try at a worker came to.
enum class TryResult {
    Answered,     ///< a response went to the client (or began to)
    ConnectError, ///< nothing reached the worker
    Timeout,      ///< no response header within request_timeout
    WorkerError,  ///< the worker's connection broke before a response header
    Status5xx,    ///< a 5xx header held back for a retry (not sent to the client)
    ClientGone,   ///< the client's side failed while we wrote to it
};

} // namespace

struct Proxy::Core : std::enable_shared_from_this<Proxy::Core>
{
    explicit Core(std::shared_ptr<Admission> admission_)
        : admission(std::move(admission_))
        , io(admission->io())
        , acceptor(io)
        , sweepTimer(io)
        , rng(std::random_device{}())
    {}

    /// (After construction: the sweep's start needs shared_from_this.)
    void init()
    {
        sweep.start = [weak = weak_from_this()] {
            if (auto self = weak.lock()) {
                self->sweep.running = true;
                self->armSweep();
            }
        };
    }

    std::shared_ptr<Admission> admission;
    asio::io_context &io;
    Acceptor acceptor;
    /// Every open connection (declared before anything that owns one).
    Sweep sweep;
    Timer sweepTimer;
    bool closed = false;
    std::mt19937_64 rng;
    /// Kept-alive connections to each worker, at most its concurrency.
    std::map<std::string, std::vector<std::unique_ptr<Conn>>, std::less<>> idle;

    // ---- deadlines --------------------------------------------------------------------

    /// How often the sweep looks at the deadlines: a tenth of the request timeout, between 5
    /// and 100 ms (so a timeout fires within 10 % or 5 ms of its time).
    std::chrono::milliseconds sweepPeriod() const
    {
        const auto timeout = admission->requestTimeout();
        return std::clamp<std::chrono::milliseconds>(timeout / 10, 5ms, 100ms);
    }

    std::unique_ptr<Conn> open(Socket socket)
    {
        return std::make_unique<Conn>(sweep, std::move(socket));
    }

    void armSweep()
    {
        sweepTimer.expires_after(sweepPeriod());
        sweepTimer.async_wait([self = shared_from_this()](error_code ec) {
            if (ec) {
                self->sweep.running = false;
                return;
            }
            const Clock::time_point now = Clock::now();
            bool pending = false;
            for (Conn *c : self->sweep.conns) {
                if (c->deadline <= now && !c->timedOut) {
                    c->timedOut = true;
                    error_code ignored;
                    c->socket.cancel(ignored);
                }
                pending = pending || (c->deadline != Clock::time_point::max() && !c->timedOut);
            }
            if (pending)
                self->armSweep();
            else
                self->sweep.running = false;
        });
    }

    std::string newRequestId()
    {
        std::string id(32, '0');
        hexInto(id.data(), rng(), 16);
        hexInto(id.data() + 16, rng(), 16);
        return id;
    }

    // ---- the proxy -------------------------------------------------------------------

    void startAccepting() { asio::co_spawn(io, acceptLoop(), asio::detached); }

    awaitable<void> acceptLoop()
    {
        auto self = shared_from_this();
        for (;;) {
            error_code ec;
            Socket socket = co_await acceptor.async_accept(ec_(ec));
            if (closed || ec == asio::error::operation_aborted)
                co_return;
            if (ec) {
                // Out of descriptors and the like: say so, breathe, go on.
                spdlog::warn("gateway.accept pool={} error=\"{}\"", admission->pool(),
                             ec.message());
                Timer pause(io, 50ms);
                co_await pause.async_wait(ec_(ec));
                if (closed)
                    co_return;
                continue;
            }
            socket.set_option(tcp::no_delay(true), ec);
            asio::co_spawn(io, serveClient(open(std::move(socket))), asio::detached);
        }
    }

    /// How far a read goes: to the end of the header, to the end of the message, or until
    /// some more of the body has come (to be passed on).
    enum class Until { Header, Done, More };

    /// Feeds `p` the bytes of `c`'s buffer past the first `kept` (parsed already, and left
    /// there for the caller to pass on or consume): true when that was enough for the header
    /// (`headerOnly`) or the whole message, or when it went wrong (`ec`); false when a read
    /// must bring more. The callers try this first: a message already buffered (a worker's
    /// small answer comes with its header) then costs no read and no coroutine frame.
    template <class P>
    static bool parse(Conn &c, P &p, std::size_t &kept, bool headerOnly, error_code &ec)
    {
        auto reached = [&] { return headerOnly ? p.is_header_done() : p.is_done(); };
        while (!reached() && c.buffer.size() > kept) {
            const auto data = c.buffer.data();
            const std::size_t used =
                p.put(asio::const_buffer(static_cast<const char *>(data.data()) + kept,
                                         data.size() - kept),
                      ec);
            kept += used;
            if (ec == http::error::need_more) {
                ec = {};
                return false;
            }
            if (ec)
                return true;
            if (used == 0)
                return false;
        }
        return reached();
    }

    /// Reads into `c`'s buffer and parses past `kept` as far as `until` says, with the
    /// end-of-stream rules of Beast's http::async_read (which would go through a stack of
    /// composed operations and post its completion even when nothing had to be read). The
    /// caller sets the connection's deadline.
    template <class P>
    awaitable<error_code> read(Conn &c, P &p, std::size_t &kept, Until until)
    {
        error_code ec;
        for (;;) {
            const std::size_t before = kept;
            if (parse(c, p, kept, until == Until::Header, ec) ||
                (until == Until::More && kept > before))
                co_return ec;
            const std::size_t n = co_await c.socket.async_read_some(
                c.buffer.prepare(beast::read_size(c.buffer, kReadSize)), ec_(ec));
            if (ec == asio::error::eof) {
                // The peer's end: nothing at all is the end of a kept-alive connection; a body
                // that runs until the connection ends is complete; anything else is cut.
                if (until == Until::Header && !p.got_some())
                    co_return error_code(http::error::end_of_stream);
                ec = {};
                p.put_eof(ec);
                co_return ec;
            }
            if (ec)
                co_return c.result(ec);
            c.buffer.commit(n);
        }
    }
    /// Passes a message on from `in` to `out` as its bytes come: `header` (rewritten) first,
    /// with the bytes parsed past it already (`kept`), then the rest of the body, framing and
    /// all. Each write within `outLimit`, each read within `inLimit`.
    template <class P>
    awaitable<error_code> relay(Conn &in, P &p, std::size_t kept, Conn &out,
                                const std::string &header, std::chrono::milliseconds outLimit,
                                std::chrono::milliseconds inLimit)
    {
        error_code ec;
        bool headerSent = false;
        for (;;) {
            if (!headerSent || kept > 0) {
                const std::array<asio::const_buffer, 2> pieces{
                    headerSent ? asio::const_buffer() : asio::buffer(header),
                    asio::const_buffer(in.buffer.data().data(), kept)};
                out.expiresAfter(outLimit);
                co_await asio::async_write(out.socket, pieces, ec_(ec));
                if (ec)
                    co_return out.result(ec);
                headerSent = true;
                in.buffer.consume(kept);
                kept = 0;
            }
            if (p.is_done())
                co_return error_code{};
            in.expiresAfter(inLimit);
            ec = co_await read(in, p, kept, Until::More);
            if (ec)
                co_return ec;
        }
    }

    awaitable<bool> sendOwn(Conn &client, http::status status, unsigned version, bool keepAlive,
                            const std::string &requestId, const std::string &text, int retryAfter)
    {
        http::response<http::string_body> res{status, version};
        res.set(http::field::server, "drover-gateway");
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.set("X-Request-Id", requestId);
        if (retryAfter > 0)
            res.set(http::field::retry_after, std::to_string(retryAfter));
        res.keep_alive(keepAlive);
        res.body() = "drover gateway: " + text + "\n";
        res.prepare_payload();
        error_code ec;
        client.expiresAfter(kClientTransfer);
        co_await http::async_write(client.socket, res, ec_(ec));
        co_return !ec;
    }

    awaitable<void> serveClient(std::unique_ptr<Conn> conn)
    {
        auto self = shared_from_this();
        Conn &client = *conn;
        client.client = true;
        std::string peer;
        {
            error_code ec;
            auto ep = client.socket.remote_endpoint(ec);
            if (!ec)
                peer = ep.address().to_string();
        }
        for (;;) {
            if (closed)
                break;
            client.busy = false;
            // The header for the worker is written into the connection's own strings, whose
            // capacity is reused from request to request.
            RequestHead head(client.head);
            head.header_limit(kHeaderLimit);
            head.body_limit(kNoBodyLimit);
            client.expiresAfter(kClientIdle);
            error_code ec;
            std::size_t kept = 0;
            if (!parse(client, head, kept, true, ec))
                ec = co_await read(client, head, kept, Until::Header);
            client.buffer.consume(kept);
            if (ec)
                break;
            client.busy = true;
            const bool keepOpen = co_await handle(client, head, peer);
            if (!keepOpen || closed)
                break;
            // A large body read whole is not kept for the life of a kept-alive connection.
            if (client.head.capacity() > kKeepCapacity)
                std::string().swap(client.head);
        }
        error_code ignored;
        client.socket.shutdown(tcp::socket::shutdown_send, ignored);
        client.socket.close(ignored);
    }

    /// One request, from its header read to its response sent; whether the client's
    /// connection goes on.
    awaitable<bool> handle(Conn &client, RequestHead &head, const std::string &peer)
    {
        const Clock::time_point arrived = Clock::now();
        const unsigned version = head.version();
        bool keepAlive = head.keep_alive() && !closed;
        Decision d;
        d.timeMs = api::nowMs();
        d.method = head.methodString();
        d.target = head.target().substr(0, 200);
        d.requestId = usableRequestId(head.requestId()) ? head.requestId() : newRequestId();
        auto finish = [&](int status, std::string outcome) {
            d.status = status;
            d.outcome = std::move(outcome);
            d.latencyMs = std::chrono::duration<double, std::milli>(Clock::now() - arrived).count();
            admission->record(d); // (a copy: d is read after, for the answer)
        };
        const bool upgrade = head.upgrade();
        const bool hasBody = !head.is_done();
        // A body is read whole before a worker is chosen when it is small and sized; one
        // that is larger or chunked streams once the worker is known.
        const bool wholeBody =
            !hasBody || (head.content_length() && *head.content_length() <= kWholeBody);

        if (!admission->admit(arrived)) {
            finish(429, "rate-limited");
            if (hasBody)
                keepAlive = false; // its body is not read
            // (No temporaries inside a co_await's operands: g++ 12 may destroy them twice.)
            const std::string text = "rate limit exceeded";
            const bool sent =
                co_await sendOwn(client, http::status::too_many_requests, version, keepAlive,
                                 d.requestId, text, admission->retryAfterSeconds());
            co_return sent &&keepAlive;
        }

        {
            // The gateway's own fields: the request id, the trace (the client's, or a new one:
            // version 00, a random trace id and parent id, sampled), the client's address.
            char newTrace[] = "00-00000000000000000000000000000000-0000000000000000-01";
            std::string_view trace = head.traceparent();
            if (!validTraceparent(trace)) {
                hexInto(newTrace + 3, rng(), 16);
                hexInto(newTrace + 19, rng(), 16);
                hexInto(newTrace + 36, rng() | 1, 16);
                trace = std::string_view(newTrace, sizeof newTrace - 1);
            }
            head.finish(d.requestId, trace, peer);
        }
        if (hasBody && head.expectsContinue() && version >= 11) {
            // The client waits for this before it sends its body. The gateway reads the body
            // itself (whole, or as it passes it on), so it answers rather than the worker.
            static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            client.expiresAfter(kClientTransfer);
            error_code ec;
            co_await asio::async_write(client.socket,
                                       asio::buffer(kContinue.data(), kContinue.size()), ec_(ec));
            if (ec) {
                finish(499, "client-gone");
                co_return false;
            }
        }
        if (wholeBody && hasBody) {
            std::size_t kept = 0;
            client.expiresAfter(kClientTransfer);
            const error_code ec = co_await read(client, head, kept, Until::Done);
            if (ec) {
                finish(400, "client-error");
                co_return false;
            }
            // A sized body's bytes are the body: after the header, the request as it goes
            // to the worker (and again on a retry), in one piece.
            client.head.append(static_cast<const char *>(client.buffer.data().data()), kept);
            client.buffer.consume(kept);
        }

        const std::optional<config::GatewaySpec> &spec = admission->spec();
        const int retries = spec ? spec->retryAttempts : 0;
        const bool mayRetry = idempotent(head.method()) && wholeBody && !upgrade;
        const auto &retryOn = spec ? spec->retryOn : std::vector<config::RetryOn>{};
        auto retriesOn = [&](config::RetryOn what) {
            return std::find(retryOn.begin(), retryOn.end(), what) != retryOn.end();
        };
        const auto queueWait = admission->queueTimeout();

        for (int attempt = 0;; ++attempt) {
            d.attempts = attempt + 1;
            std::optional<Grant> granted = admission->takeNow(Clock::now());
            if (!granted)
                granted = co_await admission->acquire(queueWait);
            Grant g = std::move(*granted);
            d.queueMs += g.queueMs;
            if (g.worker.empty()) {
                const bool full = g.outcome == "queue-full";
                finish(503, g.outcome);
                if (!wholeBody)
                    keepAlive = false;
                const int after = std::max(
                    1, int(std::chrono::duration_cast<std::chrono::seconds>(queueWait).count()));
                std::string text;
                if (full)
                    text = "the queue of pool " + admission->pool() + " is full";
                else if (g.outcome == "closing")
                    text = "pool " + admission->pool() + " is shutting down";
                else
                    text = "no worker of pool " + admission->pool() + " was free in time";
                const bool sent =
                    co_await sendOwn(client, http::status::service_unavailable, version, keepAlive,
                                     d.requestId, text, full ? 1 : after);
                co_return sent &&keepAlive;
            }
            d.worker = g.worker;
            bool answered = false;
            // A worker's 5xx is held back (not sent on) only when it will be retried.
            const bool retry5xx =
                mayRetry && attempt < retries && retriesOn(config::RetryOn::Status5xx);
            TryResult r = co_await tryWorker(client, g, head, wholeBody, upgrade, retry5xx,
                                             keepAlive, d, answered);
            // What counts against the worker's breaker: no connection, no answer in time, a
            // broken connection, or a 5xx of its own (as Envoy's consecutive_5xx counts).
            const bool failed = r == TryResult::ConnectError || r == TryResult::Timeout ||
                                r == TryResult::WorkerError || r == TryResult::Status5xx ||
                                (r == TryResult::Answered && d.status >= 500);
            admission->release(g.worker, r == TryResult::ClientGone ? std::nullopt
                                                                    : std::optional<bool>(failed));
            if (r == TryResult::Answered) {
                finish(d.status, upgrade ? "upgraded" : attempt > 0 ? "retried" : "ok");
                co_return keepAlive && !upgrade;
            }
            if (r == TryResult::ClientGone) {
                finish(d.status ? d.status : 499, "client-gone");
                co_return false;
            }
            const bool retryable =
                mayRetry && attempt < retries &&
                ((r == TryResult::ConnectError && retriesOn(config::RetryOn::ConnectError)) ||
                 (r == TryResult::Timeout && retriesOn(config::RetryOn::Timeout)) ||
                 r == TryResult::Status5xx);
            if (retryable) {
                ++admission->traffic().retries;
                continue;
            }
            if (answered) // the response had begun: nothing more can be said
            {
                finish(d.status ? d.status : 502, "worker-error");
                co_return false;
            }
            const bool timeout = r == TryResult::Timeout;
            finish(timeout ? 504 : 502, timeout ? "timeout" : "worker-error");
            if (!wholeBody)
                keepAlive = false;
            std::string text = "worker " + g.worker;
            if (timeout)
                text += " did not answer within " + config::formatDuration(spec->requestTimeout);
            else
                text +=
                    " failed: " + (d.detail.empty() ? std::string("connection broken") : d.detail);
            const http::status status =
                timeout ? http::status::gateway_timeout : http::status::bad_gateway;
            const bool sent =
                co_await sendOwn(client, status, version, keepAlive, d.requestId, text, 0);
            co_return sent &&keepAlive;
        }
    }

    std::unique_ptr<Conn> takeIdle(const std::string &worker)
    {
        auto it = idle.find(worker);
        if (it == idle.end() || it->second.empty())
            return nullptr;
        std::unique_ptr<Conn> u = std::move(it->second.back());
        it->second.pop_back();
        return u;
    }

    void giveBack(const std::string &worker, std::unique_ptr<Conn> u)
    {
        u->expiresNever();
        const Backend *b = admission->find(worker);
        auto &list = idle[worker];
        if (!b || closed || u->buffer.size() > 0 || int(list.size()) >= admission->perWorker())
            return; // closed as it goes
        list.push_back(std::move(u));
    }

    /// Sends the request to `g`'s worker and its answer to the client (a 5xx only when
    /// `retry5xx` is false: else it is dropped and the request goes to another worker).
    awaitable<TryResult> tryWorker(Conn &client, const Grant &g, RequestHead &request,
                                   bool wholeBody, bool upgrade, bool retry5xx,
                                   bool &clientKeepAlive, Decision &d, bool &answered)
    {
        const auto timeout = admission->requestTimeout();
        std::unique_ptr<Conn> up;
        std::optional<ResponseHead> head;
        bool reused = false;
        error_code ec;
        // A reused connection that the worker closed meanwhile fails at once: then one more
        // try on a new one, which is safe because the worker saw nothing.
        for (int fresh = 0; fresh < 2; ++fresh) {
            // A streamed body cannot be sent twice: it always gets a new connection.
            up = fresh == 0 && wholeBody && !upgrade ? takeIdle(g.worker) : nullptr;
            reused = up != nullptr;
            if (!up) {
                up = open(Socket(io));
                up->expiresAfter(std::min<std::chrono::milliseconds>(
                    timeout,
                    std::chrono::duration_cast<std::chrono::milliseconds>(kConnectTimeout)));
                co_await up->socket.async_connect(
                    tcp::endpoint(asio::ip::address_v4::loopback(), std::uint16_t(g.port)),
                    ec_(ec));
                ec = up->result(ec);
                if (ec) {
                    d.detail = "connecting: " + ec.message();
                    co_return ec == beast::error::timeout ? TryResult::Timeout
                                                          : TryResult::ConnectError;
                }
                error_code ignored;
                up->socket.set_option(tcp::no_delay(true), ignored);
            }
            up->expiresAfter(timeout);
            if (wholeBody) {
                co_await asio::async_write(up->socket, asio::buffer(client.head), ec_(ec));
                ec = up->result(ec);
            } else {
                std::size_t kept = 0;
                parse(client, request, kept, false, ec);
                if (!ec)
                    ec = co_await relay(client, request, kept, *up, client.head, timeout,
                                        kClientTransfer);
            }
            if (ec && reused && wholeBody)
                continue;
            if (ec) {
                d.detail = "sending the request: " + ec.message();
                co_return ec == beast::error::timeout ? TryResult::Timeout : TryResult::WorkerError;
            }
            // The worker's header is written for the client into the connection's strings.
            bool interim = false; // an interim answer came: the worker has the request
            for (;;) {
                head.emplace(up->head, up->hop);
                head->header_limit(kHeaderLimit);
                head->body_limit(kNoBodyLimit);
                if (request.method() == http::verb::head)
                    head->skip(true);
                std::size_t kept = 0;
                ec = co_await read(*up, *head, kept, Until::Header);
                up->buffer.consume(kept);
                // An interim answer (103 Early Hints, a 100 Continue) is not the answer: the
                // one after it is. (Only a 101 that opens a tunnel stands.)
                if (ec || head->status() / 100 != 1 || (head->status() == 101 && upgrade))
                    break;
                interim = true;
                // Early Hints go on to an HTTP/1.1 client (one of 1.0 knows no 1xx), so that
                // a browser can fetch what they name while the worker makes the answer.
                if (head->status() == 103 && request.version() >= 11) {
                    head->finishInterim();
                    client.expiresAfter(kClientTransfer);
                    co_await asio::async_write(client.socket, asio::buffer(up->head), ec_(ec));
                    if (ec)
                        co_return TryResult::ClientGone;
                }
            }
            // A kept-alive connection the worker had closed just before: it saw nothing of
            // an idempotent request, which goes once more on a new connection.
            if (ec && reused && !interim && wholeBody && idempotent(request.method()) &&
                (ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
                 ec == asio::error::eof))
                continue;
            if (ec) {
                d.detail = "reading the response header: " + ec.message();
                co_return ec == beast::error::timeout ? TryResult::Timeout : TryResult::WorkerError;
            }
            break;
        }
        if (!head)
            co_return TryResult::WorkerError;

        d.status = head->status();
        if (d.status >= 500 && retry5xx)
            co_return TryResult::Status5xx; // the connection is dropped with its body

        const bool upstreamKeepAlive = head->keep_alive();
        const bool tunnelled = d.status == 101 && upgrade;
        // A body that ends when the worker closes ends the client's connection the same way.
        if (!tunnelled && !head->is_done() && !head->chunked() && !head->content_length())
            clientKeepAlive = false;
        head->finish(g.worker, d.requestId, clientKeepAlive, request.version(), tunnelled);
        answered = true;
        if (tunnelled) {
            co_await tunnel(client, std::move(up));
            co_return TryResult::Answered;
        }
        const bool wholeResponse =
            head->is_done() || (head->content_length() && *head->content_length() <= kWholeBody);
        std::size_t kept = 0;
        if (wholeResponse) {
            if (!parse(*up, *head, kept, false, ec))
                ec = co_await read(*up, *head, kept, Until::Done);
            if (ec) {
                answered = false; // nothing went to the client yet
                d.detail = "reading the response body: " + ec.message();
                co_return ec == beast::error::timeout ? TryResult::Timeout : TryResult::WorkerError;
            }
            // One write: the header and the body's bytes as they came (a HEAD's answer keeps
            // its Content-Length and has no body). A small body is copied after the header:
            // one buffer is a send(2), two a sendmsg(2), dearer on a loop that does little else.
            client.expiresAfter(kClientTransfer);
            const char *bytes = static_cast<const char *>(up->buffer.data().data());
            if (kept <= kCopyBody) {
                up->head.append(bytes, kept);
                co_await asio::async_write(client.socket, asio::buffer(up->head), ec_(ec));
            } else {
                const std::array<asio::const_buffer, 2> pieces{asio::buffer(up->head),
                                                               asio::const_buffer(bytes, kept)};
                co_await asio::async_write(client.socket, pieces, ec_(ec));
            }
            up->buffer.consume(kept);
            if (ec)
                co_return TryResult::ClientGone;
        } else {
            // The client does not decide the worker's time to stream: each piece within
            // the request timeout, each write to the client within the transfer limit.
            parse(*up, *head, kept, false, ec);
            if (!ec)
                ec = co_await relay(*up, *head, kept, client, up->head, kClientTransfer, timeout);
            if (ec)
                co_return TryResult::ClientGone; // could be either side: the response is cut
        }
        if (upstreamKeepAlive)
            giveBack(g.worker, std::move(up));
        co_return TryResult::Answered;
    }

    /// After a 101: the response (in `up`'s head) goes to the client, then bytes both ways
    /// until one side closes. The worker's slot is given back at once (a WebSocket may stay
    /// for hours).
    awaitable<void> tunnel(Conn &client, std::unique_ptr<Conn> up)
    {
        error_code ec;
        client.expiresAfter(kClientTransfer);
        co_await asio::async_write(client.socket, asio::buffer(up->head), ec_(ec));
        if (ec)
            co_return;
        ++admission->traffic().tunnels;
        // Bytes already read past either header go first.
        if (client.buffer.size()) {
            up->expiresAfter(kClientTransfer);
            co_await asio::async_write(up->socket, client.buffer.data(), ec_(ec));
        }
        client.buffer.consume(client.buffer.size());
        if (!ec && up->buffer.size())
            co_await asio::async_write(client.socket, up->buffer.data(), ec_(ec));
        up->buffer.consume(up->buffer.size());
        if (!ec) {
            client.expiresNever();
            up->expiresNever();
            auto state = std::make_shared<TunnelState>(io);
            auto upShared = std::shared_ptr<Conn>(std::move(up));
            asio::co_spawn(io, pipe(upShared->socket, client.socket, state, true, upShared),
                           asio::detached);
            co_await pipe(client.socket, upShared->socket, state, false, upShared);
            // The other direction uses the client's socket, which lives in our caller's
            // frame: it must have ended before we return.
            if (!state->otherDone)
                co_await state->signal.async_wait(ec_(ec));
        }
        --admission->traffic().tunnels;
    }

    struct TunnelState
    {
        explicit TunnelState(asio::io_context &io)
            : signal(io, Clock::time_point::max())
        {}
        bool closing = false;
        bool otherDone = false;
        Timer signal;
    };

    awaitable<void> pipe(Socket &from, Socket &to, std::shared_ptr<TunnelState> state, bool spawned,
                         std::shared_ptr<Conn> keep)
    {
        auto self = shared_from_this();
        std::array<char, kRelayChunk> buf;
        for (;;) {
            error_code ec;
            const std::size_t n = co_await from.async_read_some(asio::buffer(buf), ec_(ec));
            if (ec)
                break;
            co_await asio::async_write(to, asio::buffer(buf.data(), n), ec_(ec));
            if (ec)
                break;
        }
        if (!state->closing) {
            state->closing = true;
            error_code ignored;
            from.shutdown(tcp::socket::shutdown_both, ignored);
            to.shutdown(tcp::socket::shutdown_both, ignored);
            from.cancel(ignored);
            to.cancel(ignored);
        }
        if (spawned) {
            state->otherDone = true;
            state->signal.cancel();
        }
        (void)keep; // the worker's connection lives until both directions end
    }
};

Proxy::Proxy(std::shared_ptr<Admission> admission)
    : d(std::make_shared<Core>(std::move(admission)))
{
    d->init();
}

Proxy::~Proxy()
{
    close();
}

std::optional<std::string> Proxy::listen(const config::Endpoint &at)
{
    error_code ec;
    tcp::resolver resolver(d->io);
    auto results = resolver.resolve(at.host, std::to_string(at.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || results.empty())
        return "cannot resolve " + at.toString() + ": " + ec.message();
    const tcp::endpoint ep = results.begin()->endpoint();
    d->acceptor.open(ep.protocol(), ec);
    if (!ec)
        d->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        d->acceptor.bind(ep, ec);
    if (!ec)
        d->acceptor.listen(4096, ec);
    if (ec) {
        error_code ignored;
        d->acceptor.close(ignored);
        return "cannot listen on " + at.toString() + ": " + ec.message();
    }
    d->startAccepting();
    return std::nullopt;
}

void Proxy::close()
{
    if (d->closed)
        return;
    d->closed = true;
    error_code ignored;
    d->acceptor.close(ignored);
    for (Conn *c : d->sweep.conns) {
        if (c->client && !c->busy)
            c->socket.cancel(ignored);
    }
    d->idle.clear();
}

void Proxy::forget(const std::string &worker)
{
    d->idle.erase(worker);
}

} // namespace drover::engine::serve
