#include "api/codec.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>
#include <type_traits>

namespace drover::api {

using nlohmann::json;

json toJson(const WorkerInfo &w)
{
    json j{{"id", w.id},
           {"pool", w.pool},
           {"index", w.index},
           {"adopted", w.adopted},
           {"state", toString(w.state)},
           {"reason", w.reason},
           {"pid", w.pid},
           {"started_at", w.startedAtMs},
           {"restarts", w.restarts},
           {"revision", w.revision},
           {"last_exit", w.lastExit},
           {"cpu_percent", w.cpuPercent},
           {"rss_bytes", w.rssBytes},
           {"threads", w.threads},
           {"fds", w.fds},
           {"limits", w.limits},
           {"limit_problems", w.limitProblems}};
    if (!w.probes.empty()) {
        json probes = json::array();
        for (const ProbeStatus &p : w.probes)
            probes.push_back(toJson(p));
        j["probes"] = std::move(probes);
    }
    if (w.port)
        j["port"] = *w.port;
    if (w.nextStartAtMs)
        j["next_start_at"] = w.nextStartAtMs;
    return j;
}

json toJson(const PoolInfo &p)
{
    json j{{"name", p.name},
           {"desired", p.desired},
           {"running", p.running},
           {"ready", p.ready},
           {"revision", p.revision},
           {"waiting_for", p.waitingFor},
           {"autoscaled", p.autoscaled},
           {"min", p.minWorkers},
           {"max", p.maxWorkers},
           {"restarts", p.restarts}};
    if (p.gateway)
        j["gateway"] = *p.gateway;
    if (p.job)
        j["job"] = toJson(*p.job);
    return j;
}

json toJson(const JobStatus &j)
{
    return json{{"schedule", j.schedule},
                {"timezone", j.timezone},
                {"concurrency", j.concurrency},
                {"next_run_at", j.nextRunAtMs},
                {"active", j.active},
                {"runs", j.runs},
                {"succeeded", j.succeeded},
                {"failed", j.failed},
                {"skipped", j.skipped},
                {"last_number", j.lastNumber},
                {"last_outcome", j.lastOutcome},
                {"last_scheduled_at", j.lastScheduledAtMs},
                {"last_success_at", j.lastSuccessAtMs},
                {"last_duration_ms", j.lastDurationMs}};
}

json toJson(const JobRun &r)
{
    return json{{"pool", r.pool},
                {"number", r.number},
                {"trigger", r.trigger},
                {"by", r.by},
                {"worker", r.worker},
                {"pid", r.pid},
                {"revision", r.revision},
                {"scheduled_at", r.scheduledAtMs},
                {"started_at", r.startedAtMs},
                {"ended_at", r.endedAtMs},
                {"outcome", r.outcome},
                {"exit", r.exit},
                {"reason", r.reason},
                {"log", r.log}};
}

json toJson(const RolloutInfo &r)
{
    return json{{"pool", r.pool},
                {"number", r.number},
                {"strategy", r.strategy},
                {"phase", r.phase},
                {"cause", r.cause},
                {"from_revision", r.fromRevision},
                {"to_revision", r.toRevision},
                {"desired", r.desired},
                {"updated", r.updated},
                {"updated_ready", r.updatedReady},
                {"old", r.old},
                {"ready", r.ready},
                {"started_at", r.startedAtMs},
                {"finished_at", r.finishedAtMs},
                {"deadline_at", r.deadlineAtMs},
                {"step", r.step},
                {"reason", r.reason}};
}

json toJson(const Event &e)
{
    json j{{"id", e.id},           {"time", e.timeMs},     {"kind", e.kind},
           {"subject", e.subject}, {"message", e.message}, {"reason", e.reason}};
    if (!e.from.empty())
        j["from"] = e.from;
    if (!e.to.empty())
        j["to"] = e.to;
    return j;
}

json toJson(const ProbeStatus &p)
{
    return json{{"probe", p.probe}, {"kind", p.kind},     {"target", p.target},
                {"state", p.state}, {"since", p.sinceMs}, {"message", p.message}};
}

json toJson(const HealthSample &h)
{
    json j{{"worker", h.worker},  {"probe", h.probe}, {"kind", h.kind},
           {"time", h.timeMs},    {"ok", h.ok},       {"latency_ms", h.latencyMs},
           {"message", h.message}};
    if (!h.excerpt.empty())
        j["excerpt"] = h.excerpt;
    if (h.logOffset >= 0)
        j["log_offset"] = h.logOffset;
    return j;
}

json toJson(const HealthTransition &t)
{
    return json{{"worker", t.worker}, {"probe", t.probe}, {"time", t.timeMs},
                {"from", t.from},     {"to", t.to},       {"reason", t.reason}};
}

json toJson(const Diagnostic &d)
{
    return json{{"file", d.file},
                {"line", d.line},
                {"column", d.column},
                {"path", d.path},
                {"message", d.message}};
}

json toJson(const Error &e)
{
    json j{{"code", toString(e.code)}, {"message", e.message}};
    if (!e.details.empty()) {
        json details = json::array();
        for (const Diagnostic &d : e.details)
            details.push_back(toJson(d));
        j["details"] = std::move(details);
    }
    return j;
}

namespace {

/// A JSON string: quotes, escapes, and U+FFFD for bytes that are not UTF-8.
void appendString(std::string &out, std::string_view text)
{
    static const char hex[] = "0123456789abcdef";
    out += '"';
    const auto *p = reinterpret_cast<const unsigned char *>(text.data());
    const auto *end = p + text.size();
    while (p < end) {
        const unsigned char c = *p;
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            out += char(c);
            ++p;
            continue;
        }
        if (c < 0x80) {
            switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 15];
            }
            ++p;
            continue;
        }
        // A multi-byte sequence, checked as RFC 3629 says (no overlongs, no surrogates).
        int length = 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            lo = c == 0xE0 ? 0xA0 : 0x80;
            hi = c == 0xED ? 0x9F : 0xBF;
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            lo = c == 0xF0 ? 0x90 : 0x80;
            hi = c == 0xF4 ? 0x8F : 0xBF;
        }
        bool valid = length > 0 && end - p >= length;
        for (int i = 1; valid && i < length; ++i) {
            const unsigned char b = p[i];
            valid = i == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
        }
        if (valid) {
            out.append(reinterpret_cast<const char *>(p), std::size_t(length));
            p += length;
        } else {
            out += "\xEF\xBF\xBD";
            ++p;
        }
    }
    out += '"';
}

template <class Int>
void appendInt(std::string &out, Int value)
{
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, end);
}

void appendDouble(std::string &out, double value)
{
    if (!std::isfinite(value)) {
        out += "null";
        return;
    }
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, end);
}

void appendKey(std::string &out, const char *key)
{
    out += '"';
    out += key;
    out += "\":";
}

void appendStrings(std::string &out, const std::vector<std::string> &list)
{
    out += '[';
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (i)
            out += ',';
        appendString(out, list[i]);
    }
    out += ']';
}

} // namespace

void appendJson(std::string &out, const WorkerInfo &w)
{
    out += '{';
    appendKey(out, "id");
    appendString(out, w.id);
    out += ',';
    appendKey(out, "pool");
    appendString(out, w.pool);
    out += ',';
    appendKey(out, "index");
    appendInt(out, w.index);
    out += ',';
    appendKey(out, "adopted");
    out += w.adopted ? "true" : "false";
    out += ',';
    appendKey(out, "state");
    appendString(out, toString(w.state));
    out += ',';
    appendKey(out, "reason");
    appendString(out, w.reason);
    out += ',';
    appendKey(out, "pid");
    appendInt(out, w.pid);
    out += ',';
    appendKey(out, "started_at");
    appendInt(out, w.startedAtMs);
    out += ',';
    appendKey(out, "restarts");
    appendInt(out, w.restarts);
    out += ',';
    appendKey(out, "revision");
    appendString(out, w.revision);
    out += ',';
    appendKey(out, "last_exit");
    appendString(out, w.lastExit);
    out += ',';
    appendKey(out, "cpu_percent");
    appendDouble(out, w.cpuPercent);
    out += ',';
    appendKey(out, "rss_bytes");
    appendInt(out, w.rssBytes);
    out += ',';
    appendKey(out, "threads");
    appendInt(out, w.threads);
    out += ',';
    appendKey(out, "fds");
    appendInt(out, w.fds);
    out += ',';
    appendKey(out, "limits");
    appendStrings(out, w.limits);
    out += ',';
    appendKey(out, "limit_problems");
    appendStrings(out, w.limitProblems);
    if (!w.probes.empty()) {
        out += ',';
        appendKey(out, "probes");
        out += '[';
        for (std::size_t i = 0; i < w.probes.size(); ++i) {
            const ProbeStatus &p = w.probes[i];
            out += i ? ",{" : "{";
            appendKey(out, "probe");
            appendString(out, p.probe);
            out += ',';
            appendKey(out, "kind");
            appendString(out, p.kind);
            out += ',';
            appendKey(out, "target");
            appendString(out, p.target);
            out += ',';
            appendKey(out, "state");
            appendString(out, p.state);
            out += ',';
            appendKey(out, "since");
            appendInt(out, p.sinceMs);
            out += ',';
            appendKey(out, "message");
            appendString(out, p.message);
            out += '}';
        }
        out += ']';
    }
    if (w.port) {
        out += ',';
        appendKey(out, "port");
        appendInt(out, *w.port);
    }
    if (w.nextStartAtMs) {
        out += ',';
        appendKey(out, "next_start_at");
        appendInt(out, w.nextStartAtMs);
    }
    out += '}';
}

std::string snapshotText(const Snapshot &s, std::optional<Role> role)
{
    std::string out;
    out.reserve(256 + s.workers.size() * 320);
    out += R"({"type":"snapshot","seq":)";
    appendInt(out, s.seq);
    out += R"(,"config_version":)";
    appendString(out, s.configVersion);
    out += R"(,"role":)";
    appendString(out, toString(role.value_or(s.role)));
    out += R"(,"rollouts":[)";
    for (std::size_t i = 0; i < s.rollouts.size(); ++i) {
        if (i)
            out += ',';
        out += toJson(s.rollouts[i]).dump(-1, ' ', false, json::error_handler_t::replace);
    }
    out += R"(],"pools":[)";
    for (std::size_t i = 0; i < s.pools.size(); ++i) {
        if (i)
            out += ',';
        out += toJson(s.pools[i]).dump(-1, ' ', false, json::error_handler_t::replace);
    }
    out += R"(],"workers":[)";
    for (std::size_t i = 0; i < s.workers.size(); ++i) {
        if (i)
            out += ',';
        appendJson(out, s.workers[i]);
    }
    out += "]}";
    return out;
}

json toJson(const Snapshot &s)
{
    json workers = json::array();
    for (const WorkerInfo &w : s.workers)
        workers.push_back(toJson(w));
    json pools = json::array();
    for (const PoolInfo &p : s.pools)
        pools.push_back(toJson(p));
    json rollouts = json::array();
    for (const RolloutInfo &r : s.rollouts)
        rollouts.push_back(toJson(r));
    return json{{"type", "snapshot"},
                {"seq", s.seq},
                {"workers", std::move(workers)},
                {"pools", std::move(pools)},
                {"rollouts", std::move(rollouts)},
                {"config_version", s.configVersion},
                {"role", toString(s.role)}};
}

json toJson(const Delta &d)
{
    json j{{"type", "delta"}, {"seq", d.seq}, {"kind", toString(d.kind)}};
    switch (d.kind) {
    case DeltaKind::WorkerUpsert:
        j["worker"] = toJson(std::get<WorkerInfo>(d.value));
        break;
    case DeltaKind::PoolUpsert:
        j["pool"] = toJson(std::get<PoolInfo>(d.value));
        break;
    case DeltaKind::EventAdded:
        j["event"] = toJson(std::get<Event>(d.value));
        break;
    case DeltaKind::WorkerRemoved:
        j["worker"] = std::get<std::string>(d.value);
        break;
    case DeltaKind::PoolRemoved:
        j["pool"] = std::get<std::string>(d.value);
        break;
    case DeltaKind::HealthSampled:
        j["sample"] = toJson(std::get<HealthSample>(d.value));
        break;
    case DeltaKind::RolloutUpsert:
        j["rollout"] = toJson(std::get<RolloutInfo>(d.value));
        break;
    }
    return j;
}

namespace {

/// Reads `key` into `out` when present; false (and `error` set) when of the wrong type.
template <class T>
bool field(const json &j, const char *key, T &out, std::string &error)
{
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return true;
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        // A float where a whole number belongs: only when it is one and fits (converting
        // 1e49 to an integer is undefined behaviour).
        if (it->is_number_float()) {
            double v = it->get<double>();
            if (!(v >= double(std::numeric_limits<T>::min()) &&
                  v <= double(std::numeric_limits<T>::max())) ||
                v != double(static_cast<long long>(v))) {
                error = std::string("field \"") + key + "\" is not a whole number in range";
                return false;
            }
        }
    }
    try {
        out = it->get<T>();
        return true;
    } catch (const json::exception &) {
        error = std::string("field \"") + key + "\" has the wrong type (" + it->type_name() + ")";
        return false;
    }
}

Error badJson(const std::string &what, const std::string &why)
{
    return Error{api::ErrorCode::BadRequest, what + ": " + why, {}};
}

} // namespace

Result<WorkerInfo> workerFromJson(const json &j)
{
    if (!j.is_object())
        return badJson("worker", "expected an object");
    WorkerInfo w;
    std::string err, state;
    int port = 0;
    bool ok = field(j, "id", w.id, err) && field(j, "pool", w.pool, err) &&
              field(j, "index", w.index, err) && field(j, "adopted", w.adopted, err) &&
              field(j, "state", state, err) && field(j, "reason", w.reason, err) &&
              field(j, "pid", w.pid, err) && field(j, "started_at", w.startedAtMs, err) &&
              field(j, "restarts", w.restarts, err) && field(j, "revision", w.revision, err) &&
              field(j, "last_exit", w.lastExit, err) &&
              field(j, "next_start_at", w.nextStartAtMs, err) &&
              field(j, "cpu_percent", w.cpuPercent, err) &&
              field(j, "rss_bytes", w.rssBytes, err) && field(j, "threads", w.threads, err) &&
              field(j, "fds", w.fds, err) && field(j, "limits", w.limits, err) &&
              field(j, "limit_problems", w.limitProblems, err) && field(j, "port", port, err);
    if (!ok)
        return badJson("worker", err);
    if (auto probes = j.find("probes"); probes != j.end() && !probes->is_null()) {
        if (!probes->is_array())
            return badJson("worker", "field \"probes\" has the wrong type");
        for (const json &pj : *probes) {
            ProbeStatus p;
            if (!pj.is_object() || !field(pj, "probe", p.probe, err) ||
                !field(pj, "kind", p.kind, err) || !field(pj, "target", p.target, err) ||
                !field(pj, "state", p.state, err) || !field(pj, "since", p.sinceMs, err) ||
                !field(pj, "message", p.message, err))
                return badJson("worker.probes", err.empty() ? "expected objects" : err);
            w.probes.push_back(std::move(p));
        }
    }
    if (j.contains("port"))
        w.port = port;
    if (!state.empty()) {
        auto s = parseWorkerState(state);
        if (!s)
            return badJson("worker", "unknown state \"" + state + "\"");
        w.state = *s;
    }
    return w;
}

Result<PoolInfo> poolFromJson(const json &j)
{
    if (!j.is_object())
        return badJson("pool", "expected an object");
    PoolInfo p;
    std::string err, gateway;
    bool ok = field(j, "name", p.name, err) && field(j, "desired", p.desired, err) &&
              field(j, "running", p.running, err) && field(j, "ready", p.ready, err) &&
              field(j, "revision", p.revision, err) && field(j, "waiting_for", p.waitingFor, err) &&
              field(j, "autoscaled", p.autoscaled, err) && field(j, "min", p.minWorkers, err) &&
              field(j, "max", p.maxWorkers, err) && field(j, "restarts", p.restarts, err) &&
              field(j, "gateway", gateway, err);
    if (!ok)
        return badJson("pool", err);
    if (j.contains("gateway"))
        p.gateway = gateway;
    if (auto it = j.find("job"); it != j.end() && !it->is_null()) {
        auto job = jobStatusFromJson(*it);
        if (!job.ok())
            return job.error();
        p.job = std::move(*job);
    }
    return p;
}

Result<JobStatus> jobStatusFromJson(const json &j)
{
    if (!j.is_object())
        return badJson("job", "expected an object");
    JobStatus s;
    std::string err;
    bool ok = field(j, "schedule", s.schedule, err) && field(j, "timezone", s.timezone, err) &&
              field(j, "concurrency", s.concurrency, err) &&
              field(j, "next_run_at", s.nextRunAtMs, err) && field(j, "active", s.active, err) &&
              field(j, "runs", s.runs, err) && field(j, "succeeded", s.succeeded, err) &&
              field(j, "failed", s.failed, err) && field(j, "skipped", s.skipped, err) &&
              field(j, "last_number", s.lastNumber, err) &&
              field(j, "last_outcome", s.lastOutcome, err) &&
              field(j, "last_scheduled_at", s.lastScheduledAtMs, err) &&
              field(j, "last_success_at", s.lastSuccessAtMs, err) &&
              field(j, "last_duration_ms", s.lastDurationMs, err);
    if (!ok)
        return badJson("job", err);
    return s;
}

Result<JobRun> jobRunFromJson(const json &j)
{
    if (!j.is_object())
        return badJson("run", "expected an object");
    JobRun r;
    std::string err;
    bool ok =
        field(j, "pool", r.pool, err) && field(j, "number", r.number, err) &&
        field(j, "trigger", r.trigger, err) && field(j, "by", r.by, err) &&
        field(j, "worker", r.worker, err) && field(j, "pid", r.pid, err) &&
        field(j, "revision", r.revision, err) && field(j, "scheduled_at", r.scheduledAtMs, err) &&
        field(j, "started_at", r.startedAtMs, err) && field(j, "ended_at", r.endedAtMs, err) &&
        field(j, "outcome", r.outcome, err) && field(j, "exit", r.exit, err) &&
        field(j, "reason", r.reason, err) && field(j, "log", r.log, err);
    if (!ok)
        return badJson("run", err);
    return r;
}

Result<RolloutInfo> rolloutFromJson(const json &j)
{
    if (!j.is_object())
        return badJson("rollout", "expected an object");
    RolloutInfo r;
    std::string err;
    bool ok = field(j, "pool", r.pool, err) && field(j, "number", r.number, err) &&
              field(j, "strategy", r.strategy, err) && field(j, "phase", r.phase, err) &&
              field(j, "cause", r.cause, err) && field(j, "from_revision", r.fromRevision, err) &&
              field(j, "to_revision", r.toRevision, err) && field(j, "desired", r.desired, err) &&
              field(j, "updated", r.updated, err) &&
              field(j, "updated_ready", r.updatedReady, err) && field(j, "old", r.old, err) &&
              field(j, "ready", r.ready, err) && field(j, "started_at", r.startedAtMs, err) &&
              field(j, "finished_at", r.finishedAtMs, err) &&
              field(j, "deadline_at", r.deadlineAtMs, err) && field(j, "step", r.step, err) &&
              field(j, "reason", r.reason, err);
    if (!ok)
        return badJson("rollout", err);
    return r;
}

Result<Event> eventFromJson(const json &j)
{
    if (!j.is_object())
        return badJson("event", "expected an object");
    Event e;
    std::string err;
    bool ok = field(j, "id", e.id, err) && field(j, "time", e.timeMs, err) &&
              field(j, "kind", e.kind, err) && field(j, "subject", e.subject, err) &&
              field(j, "message", e.message, err) && field(j, "from", e.from, err) &&
              field(j, "to", e.to, err) && field(j, "reason", e.reason, err);
    if (!ok)
        return badJson("event", err);
    return e;
}

Result<HealthSample> healthSampleFromJson(const json &j)
{
    if (!j.is_object())
        return badJson("sample", "expected an object");
    HealthSample h;
    std::string err;
    bool ok = field(j, "worker", h.worker, err) && field(j, "probe", h.probe, err) &&
              field(j, "kind", h.kind, err) && field(j, "time", h.timeMs, err) &&
              field(j, "ok", h.ok, err) && field(j, "latency_ms", h.latencyMs, err) &&
              field(j, "message", h.message, err) && field(j, "excerpt", h.excerpt, err) &&
              field(j, "log_offset", h.logOffset, err);
    if (!ok)
        return badJson("sample", err);
    return h;
}

Result<HealthTransition> healthTransitionFromJson(const json &j)
{
    if (!j.is_object())
        return badJson("transition", "expected an object");
    HealthTransition t;
    std::string err;
    bool ok = field(j, "worker", t.worker, err) && field(j, "probe", t.probe, err) &&
              field(j, "time", t.timeMs, err) && field(j, "from", t.from, err) &&
              field(j, "to", t.to, err) && field(j, "reason", t.reason, err);
    if (!ok)
        return badJson("transition", err);
    return t;
}

} // namespace drover::api
