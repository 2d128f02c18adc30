// drover-demo-worker: a small HTTP/1.1 worker with switchable failure modes (slow start, crash,
// one-shot exit, failing or flapping health, ignored SIGTERM, memory growth, grandchildren), so
// Drover's master and its tests can exercise every supervision path against a real process.
//
// Single-threaded: one io_context, async callbacks, no strands needed.

// clang-format off
// Boost 1.74's Asio uses std::exchange without including <utility> (g++ 12, C++20): keep it first.
#include <utility>
// clang-format on

#include <CLI/CLI.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <pthread.h>
#include <string>
#include <string_view>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kVersion = "drover-demo-worker 0.1.0";
constexpr auto kIoTimeout = std::chrono::seconds(30);
constexpr auto kDrainLimit = std::chrono::seconds(5);
constexpr auto kGrowStep = std::chrono::milliseconds(100);
constexpr unsigned kMaxWorkMs = 600'000;
constexpr std::uint64_t kMaxBody = 64ull << 20; // /echo takes up to this much
constexpr int kExitUsage = 2;
constexpr int kExitRuntime = 1;

struct Options
{
    int port = 0;
    std::string host = "127.0.0.1";
    std::optional<double> readyAfter;
    std::optional<double> crashAfter;
    std::optional<double> exitAfter;
    int exitCode = 0;
    std::optional<double> failHealthAfter;
    std::optional<double> flapHealth;
    bool ignoreSigterm = false;
    std::optional<double> startDelay;
    unsigned growMemoryMiB = 0;
    int children = 0;
    int burnThreads = 0;
    int rootStatus = 200;
    bool quiet = false;
};

Clock::duration toDuration(double seconds)
{
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

// One line to stdout, flushed at once: the master and the tests read stdout through a pipe.
void printLine(std::string_view line)
{
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

// "2024-05-01T10:00:00.123Z"
std::string utcTimestamp()
{
    const auto now = std::chrono::system_clock::now();
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm tm{};
    ::gmtime_r(&seconds, &tm);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03dZ", date, static_cast<int>(millis));
    return out;
}

std::string formatEndpoint(const tcp::endpoint &endpoint)
{
    const asio::ip::address address = endpoint.address();
    const std::string host =
        address.is_v6() ? '[' + address.to_string() + ']' : address.to_string();
    return host + ':' + std::to_string(endpoint.port());
}

// The value of `key` in a query string as a whole number up to `max`, or nothing when it is
// missing, not a number or too large.
std::optional<unsigned> queryNumber(std::string_view query, std::string_view key, unsigned max)
{
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (!pair.starts_with(key) || pair.size() <= key.size() || pair[key.size()] != '=')
            continue;
        const std::string_view text = pair.substr(key.size() + 1);
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size() || value > max)
            return std::nullopt;
        return value;
    }
    return std::nullopt;
}

// The value of ?ms= as whole milliseconds, or nothing when it is missing or not a number.
std::optional<unsigned> parseWorkMs(std::string_view query)
{
    return queryNumber(query, "ms", kMaxWorkMs);
}

// Forks `count` children that sleep until a signal ends them. They die with their parent too.
bool forkSleepingChildren(int count)
{
    const pid_t parent = ::getpid();
    std::fflush(stdout); // nothing buffered may be written twice
    for (int i = 0; i < count; ++i) {
        const pid_t pid = ::fork();
        if (pid < 0) {
            std::perror("drover-demo-worker: fork");
            return false;
        }
        if (pid > 0)
            continue;
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) // the parent died before prctl took effect
            ::_exit(0);
        // Default dispositions and an empty mask: the children ignore nothing.
        for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGQUIT})
            std::signal(sig, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        for (;;)
            ::pause();
    }
    return true;
}

// Starts `count` threads that keep a CPU busy until the process exits, while the main thread
// (the one /proc/<pid>/schedstat describes) stays idle in the event loop. They block every
// signal, so SIGTERM still reaches the loop.
void startBurnThreads(int count)
{
    sigset_t all, old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    for (int i = 0; i < count; ++i) {
        std::thread([] {
            volatile std::uint64_t spins = 0;
            for (;;)
                spins = spins + 1;
        }).detach();
    }
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

class Session;

// Owns the listening socket, the failure-mode timers and the shutdown sequence.
class Worker
{
public:
    Worker(asio::io_context &io, const Options &options);

    void start();
    int exitCode() const { return m_exitCode; }

    bool healthy() const;
    bool ready() const;
    bool stopping() const { return m_stopping; }
    bool quiet() const { return m_options.quiet; }
    int rootStatus() const { return m_options.rootStatus; }

    void requestStarted() { ++m_inFlight; }
    void requestFinished();

private:
    void doListen();
    void doAccept();
    void onAccept(beast::error_code ec, tcp::socket socket);
    void waitForSignal();
    void onSignal(beast::error_code ec, int signal);
    void waitForChildExit();
    void beginStop(std::string_view signalName);
    void finishStop();
    void growMemory();
    void quit(int code);
    double secondsSinceStart() const;

    asio::io_context &m_io;
    const Options &m_options;
    const Clock::time_point m_started = Clock::now();
    tcp::acceptor m_acceptor;
    asio::signal_set m_stopSignals;
    asio::signal_set m_childSignals;
    asio::steady_timer m_startTimer;
    asio::steady_timer m_crashTimer;
    asio::steady_timer m_exitTimer;
    asio::steady_timer m_growTimer;
    asio::steady_timer m_drainTimer;
    std::vector<std::weak_ptr<Session>> m_sessions;
    std::vector<std::unique_ptr<char[]>> m_ballast;
    std::string m_stopReason;
    int m_inFlight = 0;
    int m_exitCode = 0;
    bool m_stopping = false;
    bool m_finished = false;
};

// One HTTP/1.1 connection: read a request, answer it, repeat while keep-alive holds.
class Session : public std::enable_shared_from_this<Session>
{
public:
    Session(tcp::socket &&socket, Worker &worker)
        : m_stream(std::move(socket))
        , m_workTimer(m_stream.get_executor())
        , m_worker(worker)
    {}

    void run() { doRead(); }

    // On shutdown: drop a keep-alive connection that is waiting for its next request.
    void closeIfIdle()
    {
        if (!m_busy)
            m_stream.close();
    }

private:
    void doRead();
    void onRead(beast::error_code ec, std::size_t bytes);
    void handleRequest();
    void onWorkDone(unsigned ms, beast::error_code ec);
    void send(http::status status, std::string body);
    void onWrite(bool keepAlive, beast::error_code ec, std::size_t bytes);
    void logRequest(unsigned status);
    void startStream(unsigned chunks, unsigned ms);
    void nextChunk(unsigned sent, unsigned chunks, unsigned ms);
    void acceptWebSocket();

    beast::tcp_stream m_stream;
    beast::flat_buffer m_buffer;
    std::optional<http::request_parser<http::string_body>> m_parser;
    http::request<http::string_body> m_request;
    http::response<http::string_body> m_response;
    http::response<http::empty_body> m_streamHead;
    std::optional<http::response_serializer<http::empty_body>> m_streamWriter;
    std::string m_chunk;
    asio::steady_timer m_workTimer;
    Clock::time_point m_requestStart;
    bool m_busy = false;
    Worker &m_worker; // Not owned; outlives every handler that runs.
};

void Session::doRead()
{
    // A fresh request each time; an idle keep-alive connection times out.
    m_parser.emplace();
    m_parser->body_limit(kMaxBody);
    m_stream.expires_after(kIoTimeout);
    http::async_read(m_stream, m_buffer, *m_parser,
                     beast::bind_front_handler(&Session::onRead, shared_from_this()));
}

void Session::onRead(beast::error_code ec, std::size_t /*bytes*/)
{
    if (ec == http::error::end_of_stream) {
        // The client closed its side: close ours.
        m_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        return;
    }
    if (ec)
        return; // timeout, reset, or closed by closeIfIdle(): the session ends here

    m_request = m_parser->release();
    m_busy = true;
    m_requestStart = Clock::now();
    m_worker.requestStarted();
    handleRequest();
}

void Session::handleRequest()
{
    const std::string_view target(m_request.target().data(), m_request.target().size());
    const auto question = target.find('?');
    const std::string_view path = target.substr(0, question);
    const std::string_view query =
        question == std::string_view::npos ? std::string_view() : target.substr(question + 1);

    static constexpr std::string_view kPaths[] = {
        "/", "/health", "/ready", "/work", "/headers", "/status", "/stream", "/echo", "/ws"};
    if (std::find(std::begin(kPaths), std::end(kPaths), path) == std::end(kPaths))
        return send(http::status::not_found, "not found\n");
    const http::verb method = m_request.method();
    if (path == "/echo" ? method != http::verb::post && method != http::verb::put
                        : method != http::verb::get)
        return send(http::status::method_not_allowed, "method not allowed\n");

    if (path == "/") {
        const int status = m_worker.rootStatus();
        return send(http::status(status), status == 200 ? "ok\n" : "failing on purpose\n");
    }
    if (path == "/ws") {
        if (!websocket::is_upgrade(m_request))
            return send(http::status::bad_request, "bad request: expected a WebSocket upgrade\n");
        return acceptWebSocket();
    }
    if (path == "/echo")
        return send(http::status::ok,
                    "received " + std::to_string(m_request.body().size()) + " bytes\n");
    if (path == "/headers") {
        // The request's header as it arrived, one `name: value` per line.
        std::string text;
        for (const auto &field : m_request)
            text += std::string(field.name_string()) + ": " + std::string(field.value()) + '\n';
        return send(http::status::ok, std::move(text));
    }
    if (path == "/status") {
        const std::optional<unsigned> code = queryNumber(query, "code", 599);
        if (!code || *code < 200)
            return send(http::status::bad_request,
                        "bad request: expected code=N, N from 200 to 599\n");
        return send(static_cast<http::status>(*code), "status " + std::to_string(*code) + "\n");
    }
    if (path == "/stream") {
        // /stream?chunks=N&ms=M: a chunked body of N pieces, M ms apart.
        const std::optional<unsigned> chunks = queryNumber(query, "chunks", 100'000);
        const std::optional<unsigned> ms = queryNumber(query, "ms", 60'000);
        if (!chunks || !ms)
            return send(http::status::bad_request,
                        "bad request: expected chunks=N&ms=M (N up to 100000, M up to 60000)\n");
        return startStream(*chunks, *ms);
    }

    if (path == "/health") {
        if (m_worker.healthy())
            return send(http::status::ok, "ok\n");
        return send(http::status::service_unavailable, "unhealthy\n");
    }
    if (path == "/ready") {
        if (m_worker.ready())
            return send(http::status::ok, "ready\n");
        return send(http::status::service_unavailable, "not ready\n");
    }

    // /work?ms=N: hold the request on a timer; the thread keeps serving others meanwhile.
    const std::optional<unsigned> ms = parseWorkMs(query);
    if (!ms)
        return send(http::status::bad_request,
                    "bad request: expected ms=N, N whole milliseconds up to " +
                        std::to_string(kMaxWorkMs) + "\n");
    m_workTimer.expires_after(std::chrono::milliseconds(*ms));
    m_workTimer.async_wait(
        beast::bind_front_handler(&Session::onWorkDone, shared_from_this(), *ms));
}

void Session::onWorkDone(unsigned ms, beast::error_code /*ec*/)
{
    // The timer is never cancelled, so it always ran out.
    send(http::status::ok, "done " + std::to_string(ms) + " ms\n");
}

void Session::send(http::status status, std::string body)
{
    const bool keepAlive = m_request.keep_alive() && !m_worker.stopping();
    m_response = http::response<http::string_body>(status, m_request.version());
    m_response.set(http::field::server, "drover-demo-worker/0.1.0");
    m_response.set(http::field::content_type, "text/plain; charset=utf-8");
    if (status == http::status::method_not_allowed)
        m_response.set(http::field::allow, "GET");
    m_response.keep_alive(keepAlive);
    m_response.body() = std::move(body);
    m_response.prepare_payload();

    // Log before writing, so the line is out by the time the client has its answer.
    logRequest(m_response.result_int());

    m_stream.expires_after(kIoTimeout);
    http::async_write(m_stream, m_response,
                      beast::bind_front_handler(&Session::onWrite, shared_from_this(), keepAlive));
}

void Session::logRequest(unsigned status)
{
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - m_requestStart);
    if (!m_worker.quiet())
        printLine(utcTimestamp() + ' ' + std::string(m_request.method_string()) + ' ' +
                  std::string(m_request.target()) + ' ' + std::to_string(status) + ' ' +
                  std::to_string(elapsed.count()) + "ms");
}

void Session::startStream(unsigned chunks, unsigned ms)
{
    const bool keepAlive = m_request.keep_alive() && !m_worker.stopping();
    m_streamHead = http::response<http::empty_body>(http::status::ok, m_request.version());
    m_streamHead.set(http::field::server, "drover-demo-worker/0.1.0");
    m_streamHead.set(http::field::content_type, "text/plain; charset=utf-8");
    m_streamHead.chunked(true);
    m_streamHead.keep_alive(keepAlive);
    logRequest(200);
    m_streamWriter.emplace(m_streamHead);
    m_stream.expires_after(kIoTimeout);
    http::async_write_header(
        m_stream, *m_streamWriter,
        [self = shared_from_this(), chunks, ms, keepAlive](beast::error_code ec, std::size_t) {
            if (ec)
                return self->onWrite(false, ec, 0);
            self->nextChunk(0, chunks, ms);
            (void)keepAlive;
        });
}

void Session::nextChunk(unsigned sent, unsigned chunks, unsigned ms)
{
    const bool keepAlive = m_streamHead.keep_alive();
    if (sent == chunks) {
        m_stream.expires_after(kIoTimeout);
        asio::async_write(
            m_stream, http::make_chunk_last(),
            [self = shared_from_this(), keepAlive](beast::error_code ec, std::size_t n) {
                self->onWrite(keepAlive, ec, n);
            });
        return;
    }
    // The first piece goes at once; each next one after `ms`.
    m_workTimer.expires_after(std::chrono::milliseconds(sent == 0 ? 0 : ms));
    m_workTimer.async_wait([self = shared_from_this(), sent, chunks, ms](beast::error_code) {
        const auto since = std::chrono::duration_cast<std::chrono::milliseconds>(
            Clock::now() - self->m_requestStart);
        self->m_chunk = "chunk " + std::to_string(sent + 1) + " of " + std::to_string(chunks) +
                        " at " + std::to_string(since.count()) + " ms\n";
        self->m_stream.expires_after(kIoTimeout);
        asio::async_write(self->m_stream, http::make_chunk(asio::buffer(self->m_chunk)),
                          [self, sent, chunks, ms](beast::error_code ec, std::size_t) {
                              if (ec)
                                  return self->onWrite(false, ec, 0);
                              self->nextChunk(sent + 1, chunks, ms);
                          });
    });
}

// A WebSocket that echoes every message back, text or binary, until the client closes it.
class EchoSocket : public std::enable_shared_from_this<EchoSocket>
{
public:
    explicit EchoSocket(beast::tcp_stream &&stream)
        : m_ws(std::move(stream))
    {}

    void start(http::request<http::string_body> request)
    {
        beast::get_lowest_layer(m_ws).expires_never();
        m_ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        m_ws.async_accept(request, [self = shared_from_this()](beast::error_code ec) {
            if (!ec)
                self->read();
        });
    }

private:
    void read()
    {
        m_ws.async_read(m_buffer, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec)
                return; // closed by the client, or broken
            self->m_ws.text(self->m_ws.got_text());
            self->m_ws.async_write(self->m_buffer.data(),
                                   [self](beast::error_code ec, std::size_t) {
                                       if (ec)
                                           return;
                                       self->m_buffer.consume(self->m_buffer.size());
                                       self->read();
                                   });
        });
    }

    websocket::stream<beast::tcp_stream> m_ws;
    beast::flat_buffer m_buffer;
};

void Session::acceptWebSocket()
{
    // The connection becomes the WebSocket's; this session ends here.
    logRequest(101);
    m_busy = false;
    m_worker.requestFinished();
    std::make_shared<EchoSocket>(std::move(m_stream))->start(std::move(m_request));
}

void Session::onWrite(bool keepAlive, beast::error_code ec, std::size_t /*bytes*/)
{
    m_busy = false;
    m_worker.requestFinished();
    if (ec)
        return;
    if (!keepAlive || m_worker.stopping()) {
        m_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        return;
    }
    doRead();
}

Worker::Worker(asio::io_context &io, const Options &options)
    : m_io(io)
    , m_options(options)
    , m_acceptor(io)
    , m_stopSignals(io)
    , m_childSignals(io)
    , m_startTimer(io)
    , m_crashTimer(io)
    , m_exitTimer(io)
    , m_growTimer(io)
    , m_drainTimer(io)
{}

double Worker::secondsSinceStart() const
{
    return std::chrono::duration<double>(Clock::now() - m_started).count();
}

bool Worker::healthy() const
{
    const double now = secondsSinceStart();
    if (m_options.failHealthAfter && now >= *m_options.failHealthAfter)
        return false;
    if (m_options.flapHealth) {
        // Unhealthy during the last quarter of every period.
        const double period = *m_options.flapHealth;
        if (std::fmod(now, period) >= 0.75 * period)
            return false;
    }
    return true;
}

bool Worker::ready() const
{
    return !m_options.readyAfter || secondsSinceStart() >= *m_options.readyAfter;
}

void Worker::start()
{
    if (m_options.ignoreSigterm) {
        struct sigaction ignore = {};
        ignore.sa_handler = SIG_IGN;
        ::sigaction(SIGTERM, &ignore, nullptr);
    } else {
        m_stopSignals.add(SIGTERM);
    }
    m_stopSignals.add(SIGINT);
    waitForSignal();

    if (m_options.children > 0) {
        m_childSignals.add(SIGCHLD);
        waitForChildExit();
    }

    if (m_options.crashAfter) {
        m_crashTimer.expires_after(toDuration(*m_options.crashAfter));
        m_crashTimer.async_wait([](beast::error_code ec) {
            if (!ec)
                std::abort(); // dies by SIGABRT, as a real crash would
        });
    }
    if (m_options.exitAfter) {
        m_exitTimer.expires_after(toDuration(*m_options.exitAfter));
        m_exitTimer.async_wait([this](beast::error_code ec) {
            if (ec)
                return;
            printLine("exiting (code " + std::to_string(m_options.exitCode) + ")");
            quit(m_options.exitCode);
        });
    }
    if (m_options.growMemoryMiB > 0) {
        m_growTimer.expires_after(kGrowStep);
        m_growTimer.async_wait([this](beast::error_code ec) {
            if (!ec)
                growMemory();
        });
    }

    if (m_options.startDelay) {
        m_startTimer.expires_after(toDuration(*m_options.startDelay));
        m_startTimer.async_wait([this](beast::error_code ec) {
            if (!ec && !m_stopping)
                doListen();
        });
    } else {
        doListen();
    }
}

void Worker::doListen()
{
    beast::error_code ec;
    const tcp::endpoint endpoint(asio::ip::make_address(m_options.host, ec),
                                 static_cast<unsigned short>(m_options.port));
    if (!ec)
        m_acceptor.open(endpoint.protocol(), ec);
    if (!ec)
        m_acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec)
        m_acceptor.bind(endpoint, ec);
    if (!ec)
        m_acceptor.listen(asio::socket_base::max_listen_connections, ec);
    const tcp::endpoint bound = ec ? tcp::endpoint() : m_acceptor.local_endpoint(ec);
    if (ec) {
        std::fprintf(stderr, "drover-demo-worker: cannot listen on %s:%d: %s\n",
                     m_options.host.c_str(), m_options.port, ec.message().c_str());
        quit(kExitRuntime);
        return;
    }
    printLine("listening " + formatEndpoint(bound));
    doAccept();
}

void Worker::doAccept()
{
    m_acceptor.async_accept(beast::bind_front_handler(&Worker::onAccept, this));
}

void Worker::onAccept(beast::error_code ec, tcp::socket socket)
{
    if (ec == asio::error::operation_aborted || m_stopping)
        return; // the acceptor was closed by beginStop()
    if (ec) {
        // E.g. out of file descriptors: report and keep accepting.
        std::fprintf(stderr, "drover-demo-worker: accept: %s\n", ec.message().c_str());
    } else {
        std::erase_if(m_sessions, [](const std::weak_ptr<Session> &s) { return s.expired(); });
        auto session = std::make_shared<Session>(std::move(socket), *this);
        m_sessions.push_back(session);
        session->run();
    }
    doAccept();
}

void Worker::waitForSignal()
{
    m_stopSignals.async_wait(beast::bind_front_handler(&Worker::onSignal, this));
}

void Worker::onSignal(beast::error_code ec, int signal)
{
    if (ec)
        return;
    if (m_stopping) {
        waitForSignal(); // already draining: a second signal changes nothing
        return;
    }
    beginStop(signal == SIGTERM ? "SIGTERM" : "SIGINT");
    waitForSignal();
}

void Worker::waitForChildExit()
{
    m_childSignals.async_wait([this](beast::error_code ec, int /*signal*/) {
        if (ec)
            return;
        // Reap every child that has ended, so none lingers as a zombie.
        while (::waitpid(-1, nullptr, WNOHANG) > 0) {
        }
        waitForChildExit();
    });
}

void Worker::beginStop(std::string_view signalName)
{
    // Stop accepting, close idle keep-alive connections, let in-flight requests finish.
    m_stopping = true;
    m_stopReason = signalName;
    beast::error_code ignored;
    m_acceptor.close(ignored);
    m_startTimer.cancel();
    for (const std::weak_ptr<Session> &weak : m_sessions) {
        if (const std::shared_ptr<Session> session = weak.lock())
            session->closeIfIdle();
    }
    m_drainTimer.expires_after(kDrainLimit);
    m_drainTimer.async_wait([this](beast::error_code ec) {
        if (!ec)
            finishStop(); // in-flight requests took too long: leave anyway
    });
    if (m_inFlight == 0)
        asio::post(m_io, [this] { finishStop(); });
}

void Worker::requestFinished()
{
    --m_inFlight;
    if (m_stopping && m_inFlight == 0)
        asio::post(m_io, [this] { finishStop(); });
}

void Worker::finishStop()
{
    if (m_finished)
        return;
    printLine("stopping (" + m_stopReason + ")");
    quit(0);
}

void Worker::growMemory()
{
    // Allocate and touch one tenth of the per-second amount, so the pages count in RSS.
    const std::size_t bytes = std::size_t{m_options.growMemoryMiB} * 1024 * 1024 / 10;
    auto block = std::make_unique_for_overwrite<char[]>(bytes);
    std::memset(block.get(), 0xA5, bytes);
    m_ballast.push_back(std::move(block));

    m_growTimer.expires_at(m_growTimer.expiry() + kGrowStep);
    m_growTimer.async_wait([this](beast::error_code ec) {
        if (!ec)
            growMemory();
    });
}

void Worker::quit(int code)
{
    m_finished = true;
    m_exitCode = code;
    m_io.stop();
}

// CLI11 check for a duration in seconds: finite, >= 0, decimals allowed.
const CLI::Validator kSeconds(
    [](std::string &text) -> std::string {
        char *end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !std::isfinite(value) || value < 0 || value > 1e9)
            return "expected seconds >= 0 (e.g. 0.5), got \"" + text + "\"";
        return {};
    },
    "SECONDS");

void addSeconds(CLI::App &app, const std::string &name, std::optional<double> &target,
                const std::string &description)
{
    app.add_option_function<double>(
           name, [&target](const double &value) { target = value; }, description)
        ->type_name("S")
        ->check(kSeconds);
}

} // namespace

int main(int argc, char **argv)
{
    Options options;
    CLI::App app{"Demo HTTP worker for Drover, with switchable failure modes.",
                 "drover-demo-worker"};
    app.get_formatter()->column_width(44);
    app.set_version_flag("--version", std::string(kVersion), "Print the version and exit");
    CLI::Option *portOption =
        app.add_option("--port", options.port, "TCP port to listen on; 0 picks a free one")
            ->envname("PORT")
            ->type_name("N")
            ->check(CLI::Range(0, 65535));
    app.add_option("--host", options.host, "IP address to listen on")
        ->type_name("H")
        ->capture_default_str();
    addSeconds(app, "--ready-after", options.readyAfter, "/ready answers 503 until S seconds");
    addSeconds(app, "--crash-after", options.crashAfter, "Abort (SIGABRT) after S seconds");
    addSeconds(app, "--exit-after", options.exitAfter, "Exit with --exit-code after S seconds");
    app.add_option("--exit-code", options.exitCode, "Exit code for --exit-after (default 0)")
        ->type_name("N")
        ->check(CLI::Range(0, 255));
    addSeconds(app, "--fail-health-after", options.failHealthAfter,
               "/health answers 503 from S seconds on");
    addSeconds(app, "--flap-health", options.flapHealth,
               "/health answers 503 in the last quarter of every S s");
    app.add_flag("--quiet", options.quiet, "Do not print a line per request");
    app.add_option("--root-status", options.rootStatus,
                   "Answer GET / with this status (default 200): a revision that fails")
        ->check(CLI::Range(200, 599));
    app.add_flag("--ignore-sigterm", options.ignoreSigterm,
                 "Ignore SIGTERM (only SIGKILL stops the worker)");
    addSeconds(app, "--start-delay", options.startDelay, "Start listening only after S seconds");
    app.add_option("--grow-memory", options.growMemoryMiB, "Allocate and touch M MiB per second")
        ->type_name("M")
        ->check(CLI::Range(0u, 65536u));
    app.add_option("--children", options.children, "Fork N children that sleep until killed")
        ->type_name("N")
        ->check(CLI::Range(0, 64));
    app.add_option("--burn-threads", options.burnThreads,
                   "Start N threads that keep a CPU busy (the main thread stays idle)")
        ->type_name("N")
        ->check(CLI::Range(0, 64));

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &error) {
        // --help and --version print and exit 0; every other parse error is a usage error.
        return app.exit(error) == 0 ? 0 : kExitUsage;
    }
    if (portOption->count() == 0) {
        std::fprintf(stderr, "drover-demo-worker: no port: pass --port N or set PORT\n");
        return kExitUsage;
    }
    beast::error_code ec;
    asio::ip::make_address(options.host, ec);
    if (ec) {
        std::fprintf(stderr, "drover-demo-worker: --host \"%s\" is not an IP address\n",
                     options.host.c_str());
        return kExitUsage;
    }
    if (options.flapHealth && *options.flapHealth <= 0) {
        std::fprintf(stderr, "drover-demo-worker: --flap-health needs a period above 0\n");
        return kExitUsage;
    }

    // Fork before any Asio object exists, so the children share no descriptors with it.
    if (!forkSleepingChildren(options.children))
        return kExitRuntime;

    startBurnThreads(options.burnThreads);
    asio::io_context io{1};
    Worker worker(io, options);
    worker.start();
    io.run();
    return worker.exitCode();
}
