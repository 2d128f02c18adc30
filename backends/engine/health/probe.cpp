// clang-format off
#include <utility> // before Asio (TOOLCHAIN.md)
// clang-format on
#include "engine/health/probe.h"

#include "engine/command.h"
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

    asio::io_context &io;
    int maxRunning = 8;
    int running = 0;
    std::deque<Queued> queue;
    CommandRunner commands; ///< last: destroyed first, it kills what still runs

    Private(asio::io_context &io, int max)
        : io(io)
        , maxRunning(std::max(1, max))
        , commands(io)
    {}

    void startMore()
    {
        while (running < maxRunning && !queue.empty()) {
            Queued q = std::move(queue.front());
            queue.pop_front();
            start(std::move(q));
        }
    }

    void start(Queued q)
    {
        CommandOptions options;
        options.env = q.target.env;
        options.cwd = q.target.cwd;
        options.timeout = q.target.timeout;
        options.outputLimit = kExcerptBytes;
        ++running;
        commands.run(
            q.target.argv, std::move(options),
            [self = weak_from_this(), timeout = q.target.timeout,
             done = std::move(q.done)](CommandResult r) {
                auto d = self.lock();
                if (!d)
                    return;
                --d->running;
                ProbeOutcome out;
                out.latencyMs = r.started ? r.ms : 0;
                out.ok = r.ok() && !r.timedOut;
                if (r.timedOut)
                    out.message = "timed out after " + config::formatDuration(timeout) + "; killed";
                else
                    out.message = r.how();
                std::string &excerpt = r.output;
                while (!excerpt.empty() && (excerpt.back() == '\n' || excerpt.back() == '\r'))
                    excerpt.pop_back();
                if (!out.ok)
                    out.excerpt = std::move(excerpt);
                done(out);
                d->startMore();
            });
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
    return d->running;
}

int ExecProber::waiting() const
{
    return int(d->queue.size());
}

} // namespace drover::engine
