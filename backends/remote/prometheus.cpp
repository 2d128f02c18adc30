#include "remote/prometheus.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

namespace drover::remote {

namespace {

using api::WorkerState;

/// Every worker state, in the order `drover_worker_state` lists them.
constexpr std::array kAllStates{WorkerState::Pending, WorkerState::Starting, WorkerState::Running,
                                WorkerState::Ready,   WorkerState::Draining, WorkerState::Stopping,
                                WorkerState::Stopped, WorkerState::Exited,   WorkerState::Backoff,
                                WorkerState::Failed};

/// One metric family: its name, its TYPE and its HELP (constant text: nothing to escape).
struct Family
{
    std::string_view name;
    std::string_view type;
    std::string_view help;
};

constexpr std::string_view kGauge = "gauge";
constexpr std::string_view kCounter = "counter";

// The master.
constexpr Family kBuildInfo{"drover_build_info", kGauge,
                            "Always 1; the version label is the version of the Drover master."};
constexpr Family kMasterStart{"drover_master_start_time_seconds", kGauge,
                              "When the master started, in seconds since the Unix epoch."};
constexpr Family kMasterCpu{"drover_master_cpu_usage_ratio", kGauge,
                            "CPU used by the master over the last sample interval, in cores "
                            "(1 = one core busy the whole time)."};
constexpr Family kMasterRss{"drover_master_resident_memory_bytes", kGauge,
                            "Resident memory of the master."};
constexpr Family kMasterThreads{"drover_master_threads", kGauge, "Threads of the master."};
constexpr Family kMasterFds{"drover_master_open_fds", kGauge,
                            "Open file descriptors of the master."};
constexpr Family kMasterClients{"drover_master_clients", kGauge,
                                "WebSocket sessions open on the master now."};
constexpr Family kMasterRequests{"drover_master_requests_total", kCounter,
                                 "Requests the master answered since it started."};
constexpr Family kMasterRefused{"drover_master_requests_refused_total", kCounter,
                                "Requests refused for the caller's role or a missing or bad "
                                "token, since the master started."};
constexpr Family kFleetRegistered{"drover_fleet_registered", kGauge,
                                  "1 while the master's entry is in etcd (master.fleet), 0 "
                                  "while etcd cannot be reached; no sample without a fleet."};

// Pools.
constexpr Family kPoolDesired{"drover_pool_desired_workers", kGauge,
                              "Workers the pool should have."};
constexpr Family kPoolRunning{"drover_pool_running_workers", kGauge,
                              "Workers of the pool with a live process."};
constexpr Family kPoolReady{"drover_pool_ready_workers", kGauge,
                            "Workers of the pool that are ready."};
constexpr Family kPoolRestarts{"drover_pool_restarts_total", kCounter,
                               "Crashes of the pool's workers over the pool's life."};

// Pools' gateways and leases (the serving room), from its series in the metrics store.
constexpr Family kGatewayRequests{"drover_gateway_requests_total", kCounter,
                                  "Requests the pool's gateway finished (any outcome) and "
                                  "leases asked for, since the gateway opened."};
constexpr Family kGatewayResponses{"drover_gateway_responses_total", kCounter,
                                   "Responses the pool's gateway sent, by status class."};
constexpr Family kGatewayStatus{"drover_gateway_responses_by_status_total", kCounter,
                                "Responses the gateway made itself: 429 (rate limit), 503 (queue "
                                "full or timed out), 504 (request timeout)."};
constexpr Family kGatewayInflight{"drover_gateway_inflight_requests", kGauge,
                                  "Requests and leases held by the pool's workers now."};
constexpr Family kGatewayQueued{"drover_gateway_queued_requests", kGauge,
                                "Requests and leases waiting for a free worker now."};
constexpr Family kGatewayQueueWaitP50{"drover_gateway_queue_wait_p50_seconds", kGauge,
                                      "Median time the last 2048 requests waited for a worker."};
constexpr Family kGatewayQueueWaitP99{"drover_gateway_queue_wait_p99_seconds", kGauge,
                                      "99th percentile of the time the last 2048 requests "
                                      "waited for a worker."};
constexpr Family kGatewayLatencyP50{"drover_gateway_latency_p50_seconds", kGauge,
                                    "Median time from arrival to response header of the last "
                                    "2048 requests."};
constexpr Family kGatewayLatencyP99{"drover_gateway_latency_p99_seconds", kGauge,
                                    "99th percentile of the time from arrival to response "
                                    "header of the last 2048 requests."};
constexpr Family kGatewayRetries{"drover_gateway_retries_total", kCounter,
                                 "Requests tried again on another worker."};
constexpr Family kGatewayColdStarts{"drover_gateway_cold_starts_total", kCounter,
                                    "Requests that found the pool at zero workers and waited for "
                                    "one to start."};
constexpr Family kGatewayEjections{"drover_gateway_ejections_total", kCounter,
                                   "Times a worker's circuit breaker opened."};
constexpr Family kGatewayLeasesExpired{"drover_gateway_leases_expired_total", kCounter,
                                       "Leases taken back at the end of their TTL."};
constexpr Family kPoolScaleEvents{"drover_pool_scale_events_total", kCounter,
                                  "Times the autoscaler changed the pool's size."};

// Jobs (pools with `schedule:`), named as kube-state-metrics names a CronJob's series and as
// node_exporter's textfile jobs name their last success.
constexpr Family kJobNextRun{"drover_job_next_schedule_time_seconds", kGauge,
                             "When the job's schedule starts its next run, in seconds since the "
                             "Unix epoch; absent when none is due (manual, or stopping)."};
constexpr Family kJobLastSchedule{"drover_job_last_schedule_time_seconds", kGauge,
                                  "The newest tick of the job's schedule that was handled (run "
                                  "or skipped), in seconds since the Unix epoch."};
constexpr Family kJobLastSuccess{"drover_job_last_success_timestamp_seconds", kGauge,
                                 "When the job's newest successful run ended, in seconds since "
                                 "the Unix epoch; absent before its first success."};
constexpr Family kJobLastDuration{"drover_job_last_duration_seconds", kGauge,
                                  "How long the job's newest run that ended took; absent before "
                                  "one ended."};
constexpr Family kJobActive{"drover_job_active_runs", kGauge, "Runs of the job going now."};
constexpr Family kJobRuns{"drover_job_runs_total", kCounter,
                          "Runs of the job by how they ended (failed: every ending but "
                          "succeeded; skipped: ticks that started no run)."};

// Workers.
constexpr Family kWorkerUp{"drover_worker_up", kGauge,
                           "1 if the worker has a process (starting, running, ready, draining, "
                           "stopping), else 0."};
constexpr Family kWorkerReady{"drover_worker_ready", kGauge,
                              "1 if the worker is ready (alive and passing readiness), else 0."};
constexpr Family kWorkerState{"drover_worker_state", kGauge,
                              "1 for the worker's current state, 0 for every other state."};
constexpr Family kWorkerRestarts{"drover_worker_restarts_total", kCounter,
                                 "Crashes of the worker restarted since an operator last "
                                 "started it (an operator start resets it)."};
constexpr Family kWorkerStart{"drover_worker_start_time_seconds", kGauge,
                              "When the worker's current process started, in seconds since the "
                              "Unix epoch; absent while it has no process."};
constexpr Family kWorkerCpu{"drover_worker_cpu_usage_ratio", kGauge,
                            "CPU used by the worker's process over the last sample interval, in "
                            "cores; absent while it has no process."};
constexpr Family kWorkerRss{"drover_worker_resident_memory_bytes", kGauge,
                            "Resident memory of the worker's process; absent while it has no "
                            "process."};
constexpr Family kWorkerThreads{"drover_worker_threads", kGauge,
                                "Threads of the worker's process; absent while it has no process."};
constexpr Family kWorkerFds{"drover_worker_open_fds", kGauge,
                            "Open file descriptors of the worker's process; absent while it has "
                            "no process or they cannot be read."};

// Probes.
constexpr Family kProbePassing{"drover_probe_passing", kGauge,
                               "1 if the probe passes, 0 if it fails (past its thresholds); "
                               "absent while it has no verdict yet."};
constexpr Family kProbeLatency{"drover_probe_latency_seconds", kGauge,
                               "How long the probe's newest check took (to its answer, failure "
                               "or timeout); absent while the worker has no process."};

void appendInt(std::string &out, std::int64_t value)
{
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, end);
}

void appendUInt(std::string &out, std::uint64_t value)
{
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, end);
}

/// `value` / 10^`shift` as text, in the C locale whatever the process's: the shortest digits
/// that read back as `value` (`std::to_chars`), with the decimal point moved, so a percent of
/// 0.7 becomes `0.007` rather than the `0.006999999999999999` of 0.7 / 100. Positional from
/// 1e-4 up to 1e21 (`0.0042`, `1.5`, `123456789`), with an exponent outside (`1e-05`,
/// `1.5e+21`); Prometheus reads both. Only for finite values: the callers leave out a sample
/// that is not.
void appendDecimal(std::string &out, double value, int shift = 0)
{
    char buf[48];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    std::string_view text(buf, std::size_t(end - buf)); // `-1.2345e+02`, `7e-01`, `0e+00`
    const std::size_t e = text.find('e');
    int exponent = 0;
    std::from_chars(text.data() + e + (text[e + 1] == '+' ? 2 : 1), text.data() + text.size(),
                    exponent);
    std::string_view mantissa = text.substr(0, e);
    if (mantissa.front() == '-') {
        out += '-';
        mantissa.remove_prefix(1);
    }
    char digits[24];
    std::size_t n = 0;
    for (char c : mantissa) {
        if (c != '.')
            digits[n++] = c;
    }
    if (n == 1 && digits[0] == '0') {
        out += '0';
        return;
    }
    exponent -= shift; // the value is 0.d1d2...dn * 10^(exponent + 1)
    if (exponent >= -4 && exponent < 21) {
        if (exponent < 0) {
            out += "0.";
            out.append(std::size_t(-exponent - 1), '0');
            out.append(digits, n);
        } else if (std::size_t whole = std::size_t(exponent) + 1; whole >= n) {
            out.append(digits, n);
            out.append(whole - n, '0');
        } else {
            out.append(digits, whole);
            out += '.';
            out.append(digits + whole, n - whole);
        }
        return;
    }
    out += digits[0];
    if (n > 1) {
        out += '.';
        out.append(digits + 1, n - 1);
    }
    out += exponent < 0 ? "e-" : "e+";
    const int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10)
        out += '0';
    appendInt(out, magnitude);
}

/// Unix milliseconds as seconds, exactly: `1790000000.123`, `1790000000.5`, `1790000000`.
void appendMsAsSeconds(std::string &out, std::int64_t ms)
{
    appendInt(out, ms / 1000);
    int frac = int(ms % 1000);
    if (frac == 0)
        return;
    char digits[4] = {'.', char('0' + frac / 100), char('0' + frac / 10 % 10),
                      char('0' + frac % 10)};
    std::size_t n = 4;
    while (digits[n - 1] == '0')
        --n;
    out.append(digits, n);
}

/// The length of the well-formed UTF-8 sequence at the start of `s`, or 0 if there is none
/// (a stray continuation byte, an overlong form, a surrogate, past U+10FFFF, cut short).
std::size_t utf8Length(std::string_view s)
{
    auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    auto cont = [&](std::size_t i, unsigned lo = 0x80, unsigned hi = 0xBF) {
        return i < s.size() && b(i) >= lo && b(i) <= hi;
    };
    unsigned lead = b(0);
    if (lead < 0x80)
        return 1;
    if (lead >= 0xC2 && lead <= 0xDF)
        return cont(1) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        unsigned lo = lead == 0xE0 ? 0xA0 : 0x80;
        unsigned hi = lead == 0xED ? 0x9F : 0xBF;
        return cont(1, lo, hi) && cont(2) ? 3 : 0;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        unsigned lo = lead == 0xF0 ? 0x90 : 0x80;
        unsigned hi = lead == 0xF4 ? 0x8F : 0xBF;
        return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
    }
    return 0;
}

/// A label value as the text format wants it: `\`, `"` and line feed escaped. Prometheus
/// refuses a scrape with a label value that is not UTF-8, so each byte that is not part of a
/// well-formed sequence becomes U+FFFD.
void appendLabelValue(std::string &out, std::string_view value)
{
    std::size_t i = 0;
    while (i < value.size()) {
        // Copy the run that needs nothing, then handle the byte that stopped it.
        std::size_t run = i;
        while (run < value.size()) {
            auto c = static_cast<unsigned char>(value[run]);
            if (c >= 0x80 || c == '\\' || c == '"' || c == '\n')
                break;
            ++run;
        }
        out.append(value.data() + i, run - i);
        i = run;
        if (i == value.size())
            break;
        char c = value[i];
        if (c == '\\') {
            out += "\\\\";
            ++i;
        } else if (c == '"') {
            out += "\\\"";
            ++i;
        } else if (c == '\n') {
            out += "\\n";
            ++i;
        } else if (std::size_t n = utf8Length(value.substr(i)); n > 0) {
            out.append(value.data() + i, n);
            i += n;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
}

/// The text being built, one family after the other. A sample is written in pieces:
/// `open()`, then its labels (`labels()` for pairs rendered before, `label()` for one pair),
/// then one `value()`, which ends the line.
class Exposition
{
public:
    explicit Exposition(std::size_t reserve) { m_out.reserve(reserve); }

    /// Starts a family: its HELP and TYPE lines. Its samples must follow before the next.
    void family(const Family &f)
    {
        m_name = f.name;
        m_out += "# HELP ";
        m_out += f.name;
        m_out += ' ';
        m_out += f.help;
        m_out += "\n# TYPE ";
        m_out += f.name;
        m_out += ' ';
        m_out += f.type;
        m_out += '\n';
    }

    /// Starts a sample of the current family.
    Exposition &open()
    {
        m_out += m_name;
        m_labels = 0;
        return *this;
    }
    /// Label pairs already rendered and escaped: `worker="api-1",pool="api"`.
    Exposition &labels(std::string_view rendered)
    {
        m_out += m_labels++ == 0 ? '{' : ',';
        m_out += rendered;
        return *this;
    }
    /// One label pair; the value is escaped here.
    Exposition &label(std::string_view name, std::string_view value)
    {
        m_out += m_labels++ == 0 ? '{' : ',';
        m_out += name;
        m_out += "=\"";
        appendLabelValue(m_out, value);
        m_out += '"';
        return *this;
    }

    void value(std::int64_t v)
    {
        endLabels();
        appendInt(m_out, v);
        m_out += '\n';
    }
    void value(std::uint64_t v)
    {
        endLabels();
        appendUInt(m_out, v);
        m_out += '\n';
    }
    void value(int v) { value(std::int64_t(v)); }
    void value(bool v)
    {
        endLabels();
        m_out += v ? "1\n" : "0\n";
    }
    /// `v` / 10^`shift` (2 for a percent as a ratio, 3 for milliseconds as seconds). Only
    /// finite values: the callers leave out a sample whose value is not.
    void value(double v, int shift = 0)
    {
        endLabels();
        appendDecimal(m_out, v, shift);
        m_out += '\n';
    }
    /// Unix milliseconds, written as seconds.
    void seconds(std::int64_t ms)
    {
        endLabels();
        appendMsAsSeconds(m_out, ms);
        m_out += '\n';
    }

    std::string take() { return std::move(m_out); }

private:
    void endLabels() { m_out += m_labels > 0 ? "} " : " "; }

    std::string m_out;
    std::string_view m_name;
    int m_labels = 0;
};

/// `worker="api-1",pool="api"` for each worker in output order, rendered once into one
/// buffer: every worker and probe family repeats them.
class WorkerLabels
{
public:
    explicit WorkerLabels(std::size_t workers)
    {
        m_text.reserve(workers * 32);
        m_spans.reserve(workers);
    }
    void add(const api::WorkerInfo &w)
    {
        std::size_t start = m_text.size();
        m_text += "worker=\"";
        appendLabelValue(m_text, w.id);
        m_text += "\",pool=\"";
        appendLabelValue(m_text, w.pool);
        m_text += '"';
        m_spans.emplace_back(start, m_text.size() - start);
    }
    std::string_view operator[](std::size_t i) const
    {
        return std::string_view(m_text).substr(m_spans[i].first, m_spans[i].second);
    }
    std::size_t bytes() const { return m_text.size(); }

private:
    std::string m_text;
    std::vector<std::pair<std::size_t, std::size_t>> m_spans;
};

/// A probe's verdict as a sample value: passing 1, failing 0, none while pending.
std::optional<bool> verdict(const api::ProbeStatus &probe)
{
    if (probe.state == "passing")
        return true;
    if (probe.state == "failing")
        return false;
    return std::nullopt;
}

} // namespace

std::string renderPrometheus(const api::Snapshot &snapshot, const MasterFigures &master,
                             const LatestValue &latest)
{
    // Workers by pool, then id; pools by name: the same snapshot always gives the same text,
    // whatever order the engine listed them in.
    std::vector<const api::WorkerInfo *> workers;
    workers.reserve(snapshot.workers.size());
    for (const api::WorkerInfo &w : snapshot.workers)
        workers.push_back(&w);
    std::sort(workers.begin(), workers.end(), [](const auto *a, const auto *b) {
        return std::tie(a->pool, a->id) < std::tie(b->pool, b->id);
    });
    std::vector<const api::PoolInfo *> pools;
    pools.reserve(snapshot.pools.size());
    for (const api::PoolInfo &p : snapshot.pools)
        pools.push_back(&p);
    std::sort(pools.begin(), pools.end(),
              [](const auto *a, const auto *b) { return a->name < b->name; });

    WorkerLabels workerLabels(workers.size());
    std::size_t live = 0, probes = 0, liveProbes = 0;
    for (const api::WorkerInfo *w : workers) {
        workerLabels.add(*w);
        probes += w->probes.size();
        if (api::hasProcess(w->state)) {
            ++live;
            liveProbes += w->probes.size();
        }
    }

    // The text's size, a little over: per worker 13 lines (10 states) of ~37 bytes plus its
    // labels, 5 more of ~43 while it has a process; per probe a verdict line of ~60 bytes plus
    // the worker's labels, and a latency line of ~85 while the worker has a process.
    const std::size_t labelBytes = workerLabels.bytes() / std::max<std::size_t>(workers.size(), 1);
    const std::size_t reserve = 8192 + workers.size() * (13 * labelBytes + 490) +
                                live * (5 * labelBytes + 220) + probes * (labelBytes + 64) +
                                liveProbes * (labelBytes + 88) + pools.size() * 4 * 96;
    Exposition out(reserve);

    // The master.
    out.family(kBuildInfo);
    out.open().label("version", master.version).value(1);
    out.family(kMasterStart);
    if (master.startedAtMs > 0)
        out.open().seconds(master.startedAtMs);
    out.family(kMasterCpu);
    if (std::isfinite(master.cpuPercent))
        out.open().value(master.cpuPercent, 2);
    out.family(kMasterRss);
    out.open().value(master.rssBytes);
    out.family(kMasterThreads);
    out.open().value(master.threads);
    out.family(kMasterFds);
    if (master.fds >= 0)
        out.open().value(master.fds);
    out.family(kMasterClients);
    out.open().value(master.clients);
    out.family(kMasterRequests);
    out.open().value(master.requests);
    out.family(kMasterRefused);
    out.open().value(master.refused);
    out.family(kFleetRegistered);
    if (master.fleetRegistered)
        out.open().value(*master.fleetRegistered ? 1 : 0);

    // Pools.
    auto eachPool = [&](const Family &f, auto value) {
        out.family(f);
        for (const api::PoolInfo *p : pools)
            out.open().label("pool", p->name).value(value(*p));
    };
    eachPool(kPoolDesired, [](const api::PoolInfo &p) { return p.desired; });
    eachPool(kPoolRunning, [](const api::PoolInfo &p) { return p.running; });
    eachPool(kPoolReady, [](const api::PoolInfo &p) { return p.ready; });
    eachPool(kPoolRestarts, [](const api::PoolInfo &p) { return std::max(p.restarts, 0); });

    // Pools that serve: their series in the metrics store (Serving records them each second).
    std::string key;
    auto gatewaySeries = [&](const api::PoolInfo &p, std::string_view what) {
        key.assign("pool/").append(p.name).append("/gateway/").append(what);
        std::optional<double> v = latest ? latest(key) : std::nullopt;
        return v && std::isfinite(*v) ? v : std::nullopt;
    };
    auto eachServing = [&](const Family &f, std::string_view what, int shift = 0) {
        out.family(f);
        for (const api::PoolInfo *p : pools) {
            if (std::optional<double> v = gatewaySeries(*p, what))
                out.open().label("pool", p->name).value(*v, shift);
        }
    };
    eachServing(kGatewayRequests, "requests_total");
    out.family(kGatewayResponses);
    for (const api::PoolInfo *p : pools) {
        for (std::string_view c : {"2xx", "3xx", "4xx", "5xx"}) {
            if (std::optional<double> v =
                    gatewaySeries(*p, std::string("responses_").append(c).append("_total")))
                out.open().label("pool", p->name).label("class", c).value(*v);
        }
    }
    out.family(kGatewayStatus);
    for (const api::PoolInfo *p : pools) {
        for (std::string_view c : {"429", "503", "504"}) {
            if (std::optional<double> v =
                    gatewaySeries(*p, std::string("status_").append(c).append("_total")))
                out.open().label("pool", p->name).label("status", c).value(*v);
        }
    }
    eachServing(kGatewayInflight, "inflight");
    eachServing(kGatewayQueued, "queued");
    eachServing(kGatewayQueueWaitP50, "queue_wait_p50_ms", 3);
    eachServing(kGatewayQueueWaitP99, "queue_wait_p99_ms", 3);
    eachServing(kGatewayLatencyP50, "latency_p50_ms", 3);
    eachServing(kGatewayLatencyP99, "latency_p99_ms", 3);
    eachServing(kGatewayRetries, "retries_total");
    eachServing(kGatewayColdStarts, "cold_starts_total");
    eachServing(kGatewayEjections, "ejections_total");
    eachServing(kGatewayLeasesExpired, "leases_expired_total");
    eachServing(kPoolScaleEvents, "scale_events_total");

    // Jobs: a timestamp of 0 is "never" and is left out.
    auto eachJob = [&](const Family &f, auto value) {
        out.family(f);
        for (const api::PoolInfo *p : pools) {
            if (!p->job)
                continue;
            if (std::optional<double> v = value(*p->job))
                out.open().label("pool", p->name).value(*v, 3);
        }
    };
    auto ms = [](std::int64_t t) {
        return t > 0 ? std::optional<double>(double(t)) : std::nullopt;
    };
    eachJob(kJobNextRun, [&](const api::JobStatus &j) { return ms(j.nextRunAtMs); });
    eachJob(kJobLastSchedule, [&](const api::JobStatus &j) { return ms(j.lastScheduledAtMs); });
    eachJob(kJobLastSuccess, [&](const api::JobStatus &j) { return ms(j.lastSuccessAtMs); });
    eachJob(kJobLastDuration, [](const api::JobStatus &j) {
        return j.lastOutcome.empty() ? std::nullopt : std::optional<double>(j.lastDurationMs);
    });
    out.family(kJobActive);
    for (const api::PoolInfo *p : pools) {
        if (p->job)
            out.open().label("pool", p->name).value(p->job->active);
    }
    out.family(kJobRuns);
    for (const api::PoolInfo *p : pools) {
        if (!p->job)
            continue;
        const api::JobStatus &j = *p->job;
        out.open().label("pool", p->name).label("outcome", "succeeded").value(j.succeeded);
        out.open().label("pool", p->name).label("outcome", "failed").value(j.failed);
        out.open().label("pool", p->name).label("outcome", "skipped").value(j.skipped);
    }

    // Workers. The usage families only for a worker with a process: without one there is
    // nothing to measure, and the metrics store has a gap there too.
    out.family(kWorkerUp);
    for (std::size_t i = 0; i < workers.size(); ++i)
        out.open().labels(workerLabels[i]).value(api::hasProcess(workers[i]->state));
    out.family(kWorkerReady);
    for (std::size_t i = 0; i < workers.size(); ++i)
        out.open().labels(workerLabels[i]).value(workers[i]->ready());
    out.family(kWorkerState);
    for (std::size_t i = 0; i < workers.size(); ++i) {
        for (WorkerState s : kAllStates) {
            out.open().labels(workerLabels[i]).label("state", api::toString(s));
            out.value(workers[i]->state == s);
        }
    }
    out.family(kWorkerRestarts);
    for (std::size_t i = 0; i < workers.size(); ++i)
        out.open().labels(workerLabels[i]).value(std::max(workers[i]->restarts, 0));
    auto eachLiveWorker = [&](const Family &f, auto write) {
        out.family(f);
        for (std::size_t i = 0; i < workers.size(); ++i) {
            if (api::hasProcess(workers[i]->state))
                write(*workers[i], workerLabels[i]);
        }
    };
    eachLiveWorker(kWorkerStart, [&](const api::WorkerInfo &w, std::string_view labels) {
        if (w.startedAtMs > 0)
            out.open().labels(labels).seconds(w.startedAtMs);
    });
    eachLiveWorker(kWorkerCpu, [&](const api::WorkerInfo &w, std::string_view labels) {
        if (std::isfinite(w.cpuPercent))
            out.open().labels(labels).value(w.cpuPercent, 2);
    });
    eachLiveWorker(kWorkerRss, [&](const api::WorkerInfo &w, std::string_view labels) {
        out.open().labels(labels).value(w.rssBytes);
    });
    eachLiveWorker(kWorkerThreads, [&](const api::WorkerInfo &w, std::string_view labels) {
        out.open().labels(labels).value(w.threads);
    });
    eachLiveWorker(kWorkerFds, [&](const api::WorkerInfo &w, std::string_view labels) {
        if (w.fds >= 0)
            out.open().labels(labels).value(w.fds);
    });

    // Probes.
    auto probeSample = [&](std::size_t i, const api::ProbeStatus &p) -> Exposition & {
        return out.open().labels(workerLabels[i]).label("probe", p.probe).label("kind", p.kind);
    };
    out.family(kProbePassing);
    for (std::size_t i = 0; i < workers.size(); ++i) {
        for (const api::ProbeStatus &p : workers[i]->probes) {
            if (std::optional<bool> passing = verdict(p))
                probeSample(i, p).value(*passing);
        }
    }
    // The newest latency of each probe, only for a worker with a process: the store's newest
    // point of a stopped worker is old news.
    out.family(kProbeLatency);
    std::string series;
    for (std::size_t i = 0; i < workers.size(); ++i) {
        const api::WorkerInfo &w = *workers[i];
        if (!latest || !api::hasProcess(w.state))
            continue;
        for (const api::ProbeStatus &p : w.probes) {
            series.assign("worker/").append(w.id).append("/probe/").append(p.probe);
            series.append("/latency_ms");
            std::optional<double> ms = latest(series);
            if (ms && std::isfinite(*ms))
                probeSample(i, p).value(*ms, 3);
        }
    }

    return out.take();
}

} // namespace drover::remote
