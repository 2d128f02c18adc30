// clang-format off
#include <utility> // before Asio (TOOLCHAIN.md)
// clang-format on
#include "engine/health/probe.h"

#include "engine/health/probeconnect.h"
#include "engine/spawner.h"
#include "engine/spawnplan.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

namespace drover::engine {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

api::Error targetError(std::string message)
{
    return api::Error{api::ErrorCode::InvalidProbe, std::move(message), {}};
}

std::optional<std::uint16_t> parsePort(std::string_view text)
{
    int port = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (ec != std::errc() || end != text.data() + text.size() || port < 1 || port > 65535)
        return std::nullopt;
    return std::uint16_t(port);
}

/// `http[s]://host[:port][/path]`, host may be `[v6]`.
api::Result<bool> parseUrl(const std::string &url, ProbeTarget &t)
{
    std::string_view rest = url;
    if (rest.starts_with("http://")) {
        rest.remove_prefix(7);
    } else if (rest.starts_with("https://")) {
        rest.remove_prefix(8);
        t.https = true;
    } else {
        return targetError("\"" + url + "\" is not an http:// or https:// URL");
    }
    std::size_t slash = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, slash);
    t.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (t.target.front() == '?')
        t.target.insert(t.target.begin(), '/');
    t.hostHeader = std::string(authority);
    std::string_view portText;
    if (authority.starts_with("[")) {
        std::size_t close = authority.find(']');
        if (close == std::string_view::npos)
            return targetError("\"" + url + "\": unterminated [IPv6] host");
        t.host = std::string(authority.substr(1, close - 1));
        std::string_view after = authority.substr(close + 1);
        if (after.starts_with(":"))
            portText = after.substr(1);
        else if (!after.empty())
            return targetError("\"" + url + "\": unexpected text after the host");
    } else {
        std::size_t colon = authority.rfind(':');
        t.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos)
            portText = authority.substr(colon + 1);
    }
    if (t.host.empty())
        return targetError("\"" + url + "\" has no host");
    if (portText.empty()) {
        t.port = t.https ? 443 : 80;
    } else if (auto port = parsePort(portText)) {
        t.port = *port;
    } else {
        return targetError("\"" + url + "\": \"" + std::string(portText) + "\" is not a port");
    }
    return true;
}

} // namespace

std::string ProbeTarget::describe() const
{
    switch (kind) {
    case config::ProbeKind::Http:
        return method + " " + (https ? "https://" : "http://") + hostHeader + target;
    case config::ProbeKind::Tcp:
        return "tcp " + host + ":" + std::to_string(port);
    case config::ProbeKind::Grpc:
        return "grpc " + host + ":" + std::to_string(port) +
               (service.empty() ? std::string() : " " + service);
    case config::ProbeKind::Exec: {
        std::string out = "exec";
        for (const std::string &a : argv)
            out += " " + a;
        return out;
    }
    }
    return {};
}

api::Result<ProbeTarget> makeProbeTarget(const config::ProbeSpec &spec, const WorkerVars &vars,
                                         std::vector<std::string> env, std::string cwd)
{
    ProbeTarget t;
    t.kind = spec.kind;
    t.timeout = spec.timeout;
    auto hostPort = [&](const std::string &host, const std::string &port) -> api::Result<bool> {
        t.host = fillPlaceholders(host, vars);
        std::string p = fillPlaceholders(port, vars);
        if (p.find("{{") != std::string::npos)
            return targetError("port \"" + port + "\": the worker has no port");
        auto n = parsePort(p);
        if (!n)
            return targetError("\"" + p + "\" is not a port");
        t.port = *n;
        return true;
    };
    switch (spec.kind) {
    case config::ProbeKind::Http: {
        std::string url = fillPlaceholders(spec.http.url, vars);
        if (url.find("{{port}}") != std::string::npos)
            return targetError("url \"" + spec.http.url + "\": the worker has no port");
        auto parsed = parseUrl(url, t);
        if (!parsed.ok())
            return parsed.error();
        t.method = spec.http.method;
        t.statusMin = spec.http.statusMin;
        t.statusMax = spec.http.statusMax;
        t.reuseConnection = spec.http.reuseConnection;
        for (const auto &[name, value] : spec.http.headers)
            t.headers.emplace_back(name, fillPlaceholders(value, vars));
        break;
    }
    case config::ProbeKind::Tcp:
        if (auto r = hostPort(spec.tcp.host, spec.tcp.port); !r.ok())
            return r.error();
        break;
    case config::ProbeKind::Grpc:
        if (auto r = hostPort(spec.grpc.host, spec.grpc.port); !r.ok())
            return r.error();
        t.service = spec.grpc.service;
        break;
    case config::ProbeKind::Exec:
        for (const std::string &a : spec.exec.command)
            t.argv.push_back(fillPlaceholders(a, vars));
        t.env = std::move(env);
        t.cwd = std::move(cwd);
        break;
    }
    return t;
}

// ---- connecting (tcp, http, grpc) -----------------------------------------------------

std::string connectProblem(const boost::system::error_code &ec)
{
    if (ec == asio::error::connection_refused)
        return "connection refused";
    if (ec == asio::error::host_unreachable || ec == asio::error::network_unreachable)
        return "unreachable";
    return ec.message();
}

void connectProbe(asio::ip::tcp::socket &socket, asio::ip::tcp::resolver &resolver,
                  const std::string &host, std::uint16_t port,
                  std::function<void(const boost::system::error_code &, std::string)> done)
{
    auto connected = [done](const boost::system::error_code &ec, auto &&...) {
        done(ec, ec ? connectProblem(ec) : std::string());
    };
    boost::system::error_code ec;
    auto address = asio::ip::make_address(host, ec);
    if (!ec) {
        socket.async_connect({address, port}, connected);
        return;
    }
    resolver.async_resolve(
        host, std::to_string(port),
        [&socket, host, done, connected](const boost::system::error_code &ec,
                                         asio::ip::tcp::resolver::results_type results) {
            if (ec) {
                done(ec, "cannot resolve \"" + host + "\": " + ec.message());
                return;
            }
            asio::async_connect(socket, results, connected);
        });
}

// ---- tcp ------------------------------------------------------------------------------

namespace {

double msSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct TcpCheck
{
    TcpCheck(asio::io_context &io, ProbeDone done)
        : socket(io)
        , timer(io)
        , resolver(io)
        , done(std::move(done))
    {}
    asio::ip::tcp::socket socket;
    asio::steady_timer timer;
    asio::ip::tcp::resolver resolver;
    ProbeDone done;
    Clock::time_point start = Clock::now();
    bool finished = false;

    void finish(bool ok, std::string message)
    {
        if (finished)
            return;
        finished = true;
        timer.cancel();
        resolver.cancel();
        boost::system::error_code ignored;
        socket.close(ignored);
        ProbeOutcome out{ok, msSince(start), std::move(message), {}};
        asio::post(socket.get_executor(),
                   [done = std::move(done), out = std::move(out)]() mutable { done(out); });
    }
};

} // namespace

void runTcpProbe(asio::io_context &io, const ProbeTarget &target, ProbeDone done)
{
    auto check = std::make_shared<TcpCheck>(io, std::move(done));
    check->timer.expires_after(target.timeout);
    check->timer.async_wait([check, timeout = target.timeout](const boost::system::error_code &ec) {
        if (!ec)
            check->finish(false, "timed out after " + config::formatDuration(timeout));
    });
    connectProbe(check->socket, check->resolver, target.host, target.port,
                 [check](const boost::system::error_code &ec, std::string problem) {
                     check->finish(!ec, ec ? std::move(problem) : "connected");
                 });
}

// ---- exec -----------------------------------------------------------------------------

struct ExecProber::Private : std::enable_shared_from_this<ExecProber::Private>
{
    struct Queued
    {
        ProbeTarget target;
        ProbeDone done;
    };
    struct Running
    {
        int pid = 0;
        std::unique_ptr<asio::posix::stream_descriptor> pidfd;
        std::unique_ptr<asio::posix::stream_descriptor> output;
        std::unique_ptr<asio::steady_timer> timer;
        std::array<char, 4096> buffer{};
        std::string excerpt;
        std::size_t outputBytes = 0;
        bool timedOut = false;
        std::chrono::milliseconds timeout{};
        Clock::time_point start = Clock::now();
        ProbeDone done;
    };

    asio::io_context &io;
    int maxRunning = 8;
    std::deque<Queued> queue;
    std::set<std::shared_ptr<Running>> running;

    Private(asio::io_context &io, int max)
        : io(io)
        , maxRunning(std::max(1, max))
    {}

    ~Private()
    {
        for (const auto &r : running) {
            ::kill(-r->pid, SIGKILL);
            siginfo_t info{};
            ::waitid(P_PIDFD, unsigned(r->pidfd->native_handle()), &info, WEXITED);
        }
    }

    void startMore()
    {
        while (int(running.size()) < maxRunning && !queue.empty()) {
            Queued q = std::move(queue.front());
            queue.pop_front();
            start(std::move(q));
        }
    }

    static void post(asio::io_context &io, ProbeDone done, ProbeOutcome out)
    {
        asio::post(io, [done = std::move(done), out = std::move(out)]() mutable { done(out); });
    }

    void start(Queued q)
    {
        auto r = std::make_shared<Running>();
        r->done = std::move(q.done);
        r->timeout = q.target.timeout;
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) {
            post(io, std::move(r->done),
                 {false, 0, std::string("cannot make a pipe: ") + std::strerror(errno), {}});
            return;
        }
        SpawnRequest req;
        req.argv = q.target.argv;
        req.env = q.target.env;
        req.cwd = q.target.cwd;
        req.outputFd = fds[1];
        r->start = Clock::now();
        auto spawned = spawnProcess(req);
        ::close(fds[1]);
        if (!spawned.ok()) {
            ::close(fds[0]);
            post(io, std::move(r->done), {false, msSince(r->start), spawned.error().message, {}});
            return;
        }
        r->pid = spawned->pid;
        r->pidfd = std::make_unique<asio::posix::stream_descriptor>(io, spawned->pidfd);
        r->output = std::make_unique<asio::posix::stream_descriptor>(io, fds[0]);
        r->timer = std::make_unique<asio::steady_timer>(io, r->timeout);
        running.insert(r);
        std::weak_ptr<Private> self = weak_from_this();
        r->timer->async_wait([r](const boost::system::error_code &ec) {
            if (ec)
                return;
            r->timedOut = true;
            ::kill(-r->pid, SIGKILL); // the whole group: a late check is not left behind
        });
        readOutput(r);
        r->pidfd->async_wait(asio::posix::stream_descriptor::wait_read,
                             [self, r](const boost::system::error_code &ec) {
                                 if (auto d = self.lock(); d && !ec)
                                     d->exited(r);
                             });
    }

    static void readOutput(const std::shared_ptr<Running> &r)
    {
        r->output->async_read_some(asio::buffer(r->buffer),
                                   [r](const boost::system::error_code &ec, std::size_t n) {
                                       if (ec)
                                           return;
                                       keep(*r, n);
                                       readOutput(r);
                                   });
    }

    static void keep(Running &r, std::size_t n)
    {
        r.outputBytes += n;
        std::size_t room = kExcerptBytes - std::min(kExcerptBytes, r.excerpt.size());
        r.excerpt.append(r.buffer.data(), std::min(room, n));
    }

    void exited(const std::shared_ptr<Running> &r)
    {
        // What it left behind in its group goes with it (while the leader, not yet reaped,
        // keeps the group's id from being reused); then the output it wrote so far.
        ::kill(-r->pid, SIGKILL);
        siginfo_t info{};
        ::waitid(P_PIDFD, unsigned(r->pidfd->native_handle()), &info, WEXITED | WNOHANG);
        r->timer->cancel();
        r->output->non_blocking(true);
        boost::system::error_code ec;
        while (true) {
            std::size_t n = r->output->read_some(asio::buffer(r->buffer), ec);
            if (ec || n == 0)
                break;
            keep(*r, n);
        }
        r->output->close(ec);
        r->pidfd->close(ec);
        ProbeOutcome out;
        out.latencyMs = msSince(r->start);
        if (r->timedOut) {
            out.message = "timed out after " + config::formatDuration(r->timeout) + "; killed";
        } else if (info.si_code == CLD_EXITED) {
            out.ok = info.si_status == 0;
            out.message = "exit " + std::to_string(info.si_status);
        } else {
            out.message = "killed by " + signalName(info.si_status);
        }
        while (!r->excerpt.empty() && (r->excerpt.back() == '\n' || r->excerpt.back() == '\r'))
            r->excerpt.pop_back();
        if (!out.ok)
            out.excerpt = std::move(r->excerpt);
        running.erase(r);
        post(io, std::move(r->done), std::move(out));
        startMore();
    }
};

ExecProber::ExecProber(asio::io_context &io, int maxRunning)
    : d(std::make_shared<Private>(io, maxRunning))
{}

ExecProber::~ExecProber() = default;

void ExecProber::run(const ProbeTarget &target, ProbeDone done)
{
    d->queue.push_back({target, std::move(done)});
    // Started from the loop, not inside the caller: `done` must never run before run() returns
    // (a spawn failure answers at once).
    asio::post(d->io, [w = std::weak_ptr<Private>(d)] {
        if (auto d = w.lock())
            d->startMore();
    });
}

void ExecProber::setMaxRunning(int n)
{
    d->maxRunning = std::max(1, n);
    d->startMore();
}

int ExecProber::running() const
{
    return int(d->running.size());
}

int ExecProber::waiting() const
{
    return int(d->queue.size());
}

} // namespace drover::engine
