#include "api/codec.h"

#include <nlohmann/json.hpp>

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
    return j;
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
    json j{{"code", e.code}, {"message", e.message}};
    if (!e.details.empty()) {
        json details = json::array();
        for (const Diagnostic &d : e.details)
            details.push_back(toJson(d));
        j["details"] = std::move(details);
    }
    return j;
}

json toJson(const Snapshot &s)
{
    json workers = json::array();
    for (const WorkerInfo &w : s.workers)
        workers.push_back(toJson(w));
    json pools = json::array();
    for (const PoolInfo &p : s.pools)
        pools.push_back(toJson(p));
    return json{{"type", "snapshot"},
                {"seq", s.seq},
                {"workers", std::move(workers)},
                {"pools", std::move(pools)},
                {"rollouts", json::array()},
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
    return Error{"bad_request", what + ": " + why, {}};
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
    return p;
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

} // namespace drover::api
