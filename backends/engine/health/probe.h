#pragma once

#include "api/result.h"
#include "config/spec.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace drover::engine {

struct WorkerVars;

/// One probe of one worker with its placeholders filled in: what a single check connects to
/// or runs. Made once per process (ports do not change while it runs).
struct ProbeTarget
{
    config::ProbeKind kind = config::ProbeKind::Http;
    std::chrono::milliseconds timeout{1000};
    // http, tcp, grpc
    std::string host;
    std::uint16_t port = 0;
    // http
    bool https = false;       ///< TLS, certificate not verified (as Kubernetes does)
    std::string method;       ///< GET, HEAD...
    std::string target = "/"; ///< path and query
    std::string hostHeader;   ///< `host:port` as the URL has it
    int statusMin = 200;
    int statusMax = 399;
    std::vector<std::pair<std::string, std::string>> headers;
    bool reuseConnection = true; ///< keep the connection open between checks (keep-alive)
    // exec
    std::vector<std::string> argv;
    std::vector<std::string> env; ///< the worker's environment (`NAME=value`)
    std::string cwd;
    // grpc
    std::string service; ///< empty: the server as a whole

    /// `http://127.0.0.1:9100/ready`, `tcp 127.0.0.1:5432`, `exec check.sh`, `grpc ...`.
    std::string describe() const;
};

/// `spec` for one worker: placeholders filled from `vars`; the URL, host and port parsed.
/// An error says what is wrong (e.g. a port placeholder for a worker that has no port).
api::Result<ProbeTarget> makeProbeTarget(const config::ProbeSpec &spec, const WorkerVars &vars,
                                         std::vector<std::string> env, std::string cwd);

/// How one check went.
struct ProbeOutcome
{
    bool ok = false;
    double latencyMs = 0; ///< from the start of the check to its answer (or the timeout)
    /// One line: `200 OK`, `connection refused`, `timed out after 1s`, `exit 1`,
    /// `NOT_SERVING`...
    std::string message;
    /// On failure, the start of what the endpoint answered (HTTP body, exec output,
    /// gRPC message), at most kExcerptBytes, for the health history.
    std::string excerpt;
};

constexpr std::size_t kExcerptBytes = 1024;

using ProbeDone = std::function<void(ProbeOutcome)>;

/// Each check below runs on `io` without blocking it: a hung endpoint costs one socket and
/// one timer until the target's timeout, after which `done` gets a failure. `done` is called
/// exactly once, on the loop, never from inside the call that started the check.
void runTcpProbe(boost::asio::io_context &io, const ProbeTarget &target, ProbeDone done);
/// Beast client, one check on its own connection (`Connection: close`).
void runHttpProbe(boost::asio::io_context &io, const ProbeTarget &target, ProbeDone done);

/// The connection an http probe keeps between its checks: with `reuseConnection` a check is
/// one request and one answer on it (as Envoy's health checks do); it is connected again
/// when the endpoint closed it, after a failure, and for every new HttpProbeConnection.
/// Without, every check has its own connection (as Kubernetes' probes do). One check at a
/// time; the connection lives while a check runs on it.
class HttpProbeConnection;
std::shared_ptr<HttpProbeConnection> makeHttpProbeConnection(boost::asio::io_context &io);
void runHttpProbe(HttpProbeConnection &connection, std::shared_ptr<const ProbeTarget> target,
                  ProbeDone done);
/// grpc.health.v1.Health/Check over HTTP/2 (nghttp2) on one connection per check.
void runGrpcProbe(boost::asio::io_context &io, const ProbeTarget &target, ProbeDone done);

/// Runs exec probes: each in its own process group with the worker's environment, output
/// captured (excerpt), the whole group killed when it is late. At most `maxRunning` run at
/// once; the others wait their turn (their timeout counts from when they start).
class ExecProber
{
public:
    ExecProber(boost::asio::io_context &io, int maxRunning);
    ~ExecProber(); ///< kills the process groups still running
    ExecProber(const ExecProber &) = delete;
    ExecProber &operator=(const ExecProber &) = delete;

    void run(const ProbeTarget &target, ProbeDone done);
    void setMaxRunning(int n);
    int running() const;
    int waiting() const;

private:
    struct Private;
    std::shared_ptr<Private> d;
};

} // namespace drover::engine
