#pragma once

#include "api/diagnostic.h"
#include "api/role.h"
#include "config/cron.h"
#include "config/yamltree.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

/// The typed form of a config file (schema v1, docs/config.md). Every field has its default
/// filled in by the loader; nothing here is ever partially valid.
namespace drover::config {

using Duration = std::chrono::milliseconds;
using namespace std::chrono_literals;

/// `1m30s`, `250ms`, `0s`.
std::string formatDuration(Duration d);
/// `256Mi`, `1.5Gi`, `512` (bytes).
std::string formatSize(std::uint64_t bytes);

struct Endpoint
{
    std::string host; ///< as written: an IPv4/IPv6 address or a name
    int port = 0;
    std::string toString() const; ///< `host:port`, `[v6]:port`
    bool isLoopback() const;      ///< 127.0.0.0/8, ::1 or localhost
    friend bool operator==(const Endpoint &, const Endpoint &) = default;
};

struct PortRange
{
    int first = 0;
    int last = 0;
    int size() const { return last - first + 1; }
    bool overlaps(const PortRange &o) const { return first <= o.last && o.first <= last; }
    std::string toString() const;
};

enum class RestartPolicy { Always, OnFailure, Never };

struct BackoffSpec
{
    Duration initial = 200ms;
    Duration max = 30s;
    double factor = 2.0;
    double jitter = 0.2; ///< +-20% of each delay, so restarts don't line up
};

struct RestartSpec
{
    RestartPolicy policy = RestartPolicy::OnFailure;
    BackoffSpec backoff;
    int maxRestarts = 10; ///< crashes within `window` before the worker is `failed`
    Duration window = 5min;
};

struct StopSpec
{
    int signal = 15;        ///< SIGTERM; sent to the worker's whole process group
    Duration timeout = 10s; ///< then SIGKILL
};

enum class ProbeKind { Http, Tcp, Exec, Grpc };

struct HttpProbe
{
    std::string url; ///< may hold {{placeholders}}
    std::string method = "GET";
    int statusMin = 200;
    int statusMax = 399;
    std::vector<std::pair<std::string, std::string>> headers; ///< in document order
    bool reuseConnection = true; ///< keep-alive between checks; false: a new one per check
    friend bool operator==(const HttpProbe &, const HttpProbe &) = default;
};

struct TcpProbe
{
    std::string host = "127.0.0.1";
    std::string port; ///< a number or a placeholder such as {{port}}
    friend bool operator==(const TcpProbe &, const TcpProbe &) = default;
};

struct ExecProbe
{
    std::vector<std::string> command;
    friend bool operator==(const ExecProbe &, const ExecProbe &) = default;
};

struct GrpcProbe
{
    std::string host = "127.0.0.1";
    std::string port;
    std::string service; ///< empty: the server's overall health
    friend bool operator==(const GrpcProbe &, const GrpcProbe &) = default;
};

struct ProbeSpec
{
    ProbeKind kind = ProbeKind::Http;
    HttpProbe http;
    TcpProbe tcp;
    ExecProbe exec;
    GrpcProbe grpc;
    Duration interval = 10s;
    Duration timeout = 1s;
    Duration initialDelay = 0ms;
    int failureThreshold = 3;
    int successThreshold = 1;
    friend bool operator==(const ProbeSpec &, const ProbeSpec &) = default;
};

struct ProbeSet
{
    std::optional<ProbeSpec> startup;
    std::optional<ProbeSpec> liveness;
    std::optional<ProbeSpec> readiness;
    int count() const
    {
        return int(startup.has_value()) + liveness.has_value() + readiness.has_value();
    }
    friend bool operator==(const ProbeSet &, const ProbeSet &) = default;
};

struct LimitsSpec
{
    std::optional<std::uint64_t> memory; ///< bytes; cgroup memory limit and RLIMIT_AS fallback
    std::optional<double> cpu;           ///< cores, e.g. 0.5
    std::optional<int> nofile;           ///< RLIMIT_NOFILE
    std::optional<int> pids;             ///< cgroup pids.max

    bool operator==(const LimitsSpec &) const = default;
};

struct AutoscaleSpec
{
    int min = 1;
    int max = 1;
    double targetUtilization = 0.7; ///< busy / capacity the autoscaler aims at
    Duration scaleUpAfter = 5s;
    Duration scaleDownAfter = 60s;
    int minIdle = 0; ///< pre-warmed workers kept idle
};

enum class GatewayStrategy { RoundRobin, LeastBusy, RandomTwo };
enum class RetryOn { ConnectError, Timeout, Status5xx };

struct GatewaySpec
{
    Endpoint listen;
    GatewayStrategy strategy = GatewayStrategy::LeastBusy;
    int perWorkerConcurrency = 8;
    int queueMax = 256;
    Duration queueTimeout = 5s;
    Duration requestTimeout = 30s;
    int retryAttempts = 0;
    std::vector<RetryOn> retryOn{RetryOn::ConnectError};
    int breakerFailures = 5; ///< consecutive failures that open a worker's circuit
    Duration breakerOpenFor = 10s;
    std::optional<double> rateLimitRps;
    int rateLimitBurst = 0;
    Duration drainTimeout = 15s;
};

enum class RolloutStrategy { Rolling, BlueGreen, Canary, Recreate };

struct CanaryStep
{
    int weight = 0; ///< percent of traffic to the new revision
    Duration pause = 0ms;
};

struct RolloutSpec
{
    RolloutStrategy strategy = RolloutStrategy::Rolling;
    int maxSurge = 1;       ///< rolling only
    int maxUnavailable = 0; ///< rolling only
    Duration minReady = 5s;
    Duration progressDeadline = 2min;
    bool autoRollback = true;
    std::vector<CanaryStep> canarySteps; ///< canary only
    double maxErrorRate = 0.01;          ///< canary only
};

struct LogSpec
{
    std::uint64_t maxSize = 10ull << 20; ///< rotate a worker's log past this size
    int files = 5;                       ///< rotated files kept
};

enum class JobConcurrency {
    Forbid,  ///< a tick while a run is going is skipped (recorded as skipped)
    Allow,   ///< runs may overlap
    Replace, ///< the running run is stopped and the new one starts
};
enum class CatchUp {
    Skip, ///< runs missed while no master ran are not made up for
    Once, ///< one run at start-up when any was missed
};

/// `schedule:` on a pool: its workers are runs of a job, not replicas. A run is started by
/// the schedule, by an operator (`job.run`) or at start-up to catch up; it is never
/// restarted: a failed run is recorded, and the next one starts at its time.
struct JobSpec
{
    /// When runs start; nothing: only when asked (`schedule: manual`).
    std::optional<CronSchedule> cron;
    std::string timezone;                  ///< tz database name; empty: the machine's own zone
    const date::time_zone *zone = nullptr; ///< looked up by the validator; never null
    JobConcurrency concurrency = JobConcurrency::Forbid;
    std::optional<Duration> deadline; ///< a run still going after this is stopped
    CatchUp catchUp = CatchUp::Skip;
    int history = 20; ///< runs kept (in memory and in the state dir)
};

enum class PullPolicy {
    Missing, ///< pulled when the machine does not have it (podman's default)
    Always,  ///< pulled before every start
    Never,   ///< only what the machine has; a missing image fails the worker
};
enum class ContainerNetwork {
    Private, ///< its own network namespace; the worker's port published on 127.0.0.1
    Host,    ///< the machine's network, as a native worker
};

struct MountSpec
{
    std::string source; ///< absolute, on the machine
    std::string target; ///< absolute, in the container
    bool readOnly = false;

    bool operator==(const MountSpec &) const = default;
};

/// `image:` on a pool: its workers are podman containers of the image, and `command:` (if
/// given) is their arguments.
struct ContainerSpec
{
    std::string image;
    std::vector<MountSpec> mounts;
    ContainerNetwork network = ContainerNetwork::Private;
    PullPolicy pull = PullPolicy::Missing;
};

struct PoolSpec
{
    std::string name;
    Mark mark;                        ///< where the pool starts in the file
    std::vector<std::string> extends; ///< the template chain, nearest first
    std::vector<std::string> command; ///< may hold {{placeholders}}
    std::string
        cwd; ///< absolute; the config file's directory when not given (a container's: empty)
    std::map<std::string, std::string> env;
    /// The names in `env` whose values are secret (sorted): a name that looksSecret(), a value
    /// with text from droverd's environment (`${VAR}`), or `{value: ..., secret: true}`.
    /// Viewers and operators see `<hidden>` for them (config/secrets.h).
    std::vector<std::string> secretEnv;
    int replicas = 1;
    std::optional<AutoscaleSpec> autoscale;
    std::optional<PortRange> ports;
    LimitsSpec limits;
    RestartSpec restart;
    StopSpec stop;
    ProbeSet probes;
    std::optional<GatewaySpec> gateway;
    RolloutSpec rollout;
    std::vector<std::string> dependsOn;
    LogSpec logs;
    /// A job (`schedule:`): its runs are its workers, started by the jobs room; replicas,
    /// autoscale, gateway and rollout do not apply, and the restart policy is `never`.
    std::optional<JobSpec> job;
    /// A container worker (`image:`): started by podman, not spawned.
    std::optional<ContainerSpec> container;
    /// Hash of what makes a worker (command, cwd, env, limits, ports, image, mounts, network):
    /// a change is a new revision, to be rolled out. Scaling, probes, restart, gateway settings
    /// and the pull policy are not in it.
    std::string revision;

    int maxWorkers() const { return autoscale ? autoscale->max : replicas; }
    int workersAtStart() const;
};

/// A process started elsewhere, found by its PID file.
struct AdoptedSpec
{
    std::string name;
    Mark mark;
    std::string pidFile;              ///< absolute
    std::vector<std::string> command; ///< empty: we watch it but cannot restart it
    std::string cwd;
    std::map<std::string, std::string> env;
    std::vector<std::string> secretEnv; ///< as PoolSpec::secretEnv
    RestartSpec restart;
    StopSpec stop;
    ProbeSet probes;
};

struct TokenSpec
{
    std::string name;
    api::Role role = api::Role::Viewer;
    std::string sha256; ///< lower-case hex of the token's SHA-256
};

struct TlsSpec
{
    std::string cert; ///< absolute paths
    std::string key;
};

/// An etcd endpoint of `master.fleet.etcd`: `http://host:port` or `https://host:port`.
struct EtcdEndpoint
{
    bool https = false;
    std::string host; ///< a name or an address (IPv6 without its brackets)
    int port = 2379;
    std::string toString() const; ///< as it would be written
    /// Nothing when `text` is not `http[s]://host[:port]` (port 2379 when not given).
    static std::optional<EtcdEndpoint> parse(std::string_view text);
    friend bool operator==(const EtcdEndpoint &, const EtcdEndpoint &) = default;
};

/// `master.fleet.tls`: how droverd checks etcd's certificate and proves itself to it.
struct EtcdTlsSpec
{
    std::string ca;   ///< absolute; empty: the system's CAs
    std::string cert; ///< client certificate and key, both or neither
    std::string key;
    friend bool operator==(const EtcdTlsSpec &, const EtcdTlsSpec &) = default;
};

/// `master.fleet`: droverd registers itself in etcd for consoles and droverctl to find.
struct FleetSpec
{
    std::vector<EtcdEndpoint> etcd;
    std::string prefix = "/drover/fleet/"; ///< always ends in `/`; the key is prefix + name
    Duration ttl = 10s;                    ///< the lease: how long a master lost stays listed
    std::optional<EtcdTlsSpec> tls;
    std::string name; ///< empty: `<hostname>:<port>`
    std::string url;  ///< empty: ws(s)://<listen host, or the hostname>:<port>
    friend bool operator==(const FleetSpec &, const FleetSpec &) = default;
};

struct MasterSpec
{
    Endpoint listen{"127.0.0.1", 7700};
    std::string stateDir; ///< absolute, ~ expanded
    std::optional<TlsSpec> tls;
    std::vector<TokenSpec> tokens;
    Duration metricsRetention = 1h;
    Duration metricsResolution = 1s;
    int maxExecProbes = 8;   ///< exec probes running at once; the others wait their turn
    int healthHistory = 100; ///< probe results kept per worker
    std::optional<FleetSpec> fleet;
};

struct Summary
{
    int pools = 0;
    int workersAtStart = 0; ///< pool workers plus adopted processes
    int probes = 0;
    int gateways = 0;
    int jobs = 0; ///< pools with a schedule (they have no workers at start)
    int adopted = 0;
    std::string toString() const; ///< "3 pools, 7 workers at start, 5 probes, 1 gateway, ..."
};

struct Config
{
    int version = 1;
    std::string file;    ///< as given to the loader
    std::string baseDir; ///< relative paths in the file are resolved against this
    MasterSpec master;
    std::vector<PoolSpec> pools;
    std::vector<AdoptedSpec> adopted;
    /// The YAML as loaded (`config.get` returns it; `config.apply` keeps it in the history).
    std::string text;
    /// 12 hex digits of a SHA-256 of `text`: the config's version, what `config.apply`'s
    /// `base_version` is checked against. Empty for a config built in code.
    std::string digest;
    /// Keys given in the file that this build checks but does not act on yet (`rollout:`),
    /// sorted by position; `droverd --check` and the master's start-up say so.
    std::vector<api::Diagnostic> notActedOn;

    const PoolSpec *pool(std::string_view name) const;
    Summary summary() const;
};

/// The revision hash of a pool (12 hex digits of a SHA-256 over a canonical form).
std::string computeRevision(const PoolSpec &pool);
/// 12 hex digits of the SHA-256 of `data`.
std::string shortDigest(std::string_view data);

/// `2026-12-08 03:00:00 CET`: `t` as a local time in `zone` (UTC when null), with the zone's
/// abbreviation.
std::string formatInZone(std::chrono::sys_seconds t, const date::time_zone *zone);
/// A job's schedule in one line, for `droverd --check` and the job's views:
/// `schedule "0 3 * * *" (Europe/Berlin), next runs 2026-12-08 03:00:00 CET, ...` with the
/// next three run times after `now`, or `runs only when asked (job.run)` for `manual`.
std::string describeSchedule(const JobSpec &job, std::chrono::sys_seconds now);

} // namespace drover::config
