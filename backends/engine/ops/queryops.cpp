// logs.tail, worker.describe, metrics.query, events.query and health.history.
#include "api/clock.h"
#include "api/codec.h"
#include "config/secrets.h"
#include "engine/ops/ops.h"
#include "engine/rooms.h"
#include "engine/spawnplan.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

namespace drover::engine::ops {

using nlohmann::json;

namespace {

api::Error badRequest(std::string message)
{
    return api::Error{api::ErrorCode::BadRequest, std::move(message), {}};
}

/// The names of `w`'s `env:` entries that the config marks secret (sorted).
const std::vector<std::string> &secretEnvOf(const Rooms &r, const Worker &w)
{
    static const std::vector<std::string> none;
    if (const config::PoolSpec *p = r.config.pool(w))
        return p->secretEnv;
    if (const config::AdoptedSpec *a = r.config.adopted(w))
        return a->secretEnv;
    return none;
}

} // namespace

void logsTail(OpCall &call)
{
    Worker *w = findWorker(call);
    if (!w)
        return;
    const int lines = call.args.value("lines", 100);
    if (lines < 0 || lines > 100000) {
        call.done(badRequest("args.lines: expected 0 to 100000"));
        return;
    }
    // `up_to`: only the lines before that byte of the current file (a health failure's
    // log_offset).
    const std::int64_t upTo = call.args.value("up_to", std::int64_t(-1));
    const std::string path = call.rooms.state->logPath(w->id());
    auto tail = logfile::tail(path, lines, 4u << 20, upTo < 0 ? UINT64_MAX : std::uint64_t(upTo));
    if (!tail.ok()) {
        call.done(tail.error());
        return;
    }
    call.done(json{{"worker", w->id()}, {"file", path}, {"lines", *tail}});
}

void workerDescribe(OpCall &call)
{
    Rooms &r = call.rooms;
    Worker *w = findWorker(call);
    if (!w)
        return;
    // The environment as the worker gets it less what it inherits from the master: the
    // runtime variables and the config's `env:`.
    std::optional<SpawnPlan> plan = r.supervisor->plan(*w, {});
    // Secret values (docs/protocol.md, "Secrets") are shown to admins only; everyone is told
    // which names are secret, so that the console can hide them until an admin reveals them.
    std::vector<std::string> env = plan ? plan->env : std::vector<std::string>();
    const std::vector<std::string> &declared = secretEnvOf(r, *w);
    json secretNames = json::array();
    for (const std::string &entry : env) {
        const std::string name = entry.substr(0, entry.find('='));
        if (config::looksSecret(name) || std::binary_search(declared.begin(), declared.end(), name))
            secretNames.push_back(name);
    }
    const bool reveal = call.role >= api::Role::Admin;
    if (!reveal)
        env = config::redactEnvironment(env, declared);
    json out{{"worker", w->id()},
             {"command", plan ? json(plan->argv) : json::array()},
             {"cwd", plan ? plan->cwd : std::string()},
             {"env", std::move(env)},
             {"secret_env", std::move(secretNames)},
             {"secrets_shown", reveal},
             {"log", r.state->logPath(w->id())}};
    if (const config::AdoptedSpec *a = r.config.adopted(*w))
        out["pid_file"] = a->pidFile;
    const config::PoolSpec *pool = r.config.templateOf(*w);
    if (pool && pool->container) {
        // A container: its image, its id, and podman's word for its state now.
        const config::ContainerSpec &c = *pool->container;
        out["cwd"] = pool->cwd; // in the container; empty: the image's own
        out["container"] = {
            {"image", c.image},
            {"network", c.network == config::ContainerNetwork::Host ? "host" : "private"},
            {"id", w->process.containerId}};
        if (!w->process.containerId.empty() && r.containers) {
            r.containers->state(w->process.containerId, [done = call.done, out = std::move(out)](
                                                            std::string state) mutable {
                out["container"]["state"] = std::move(state);
                done(std::move(out));
            });
            return;
        }
    }
    call.done(std::move(out));
}

void metricsQuery(OpCall &call)
{
    const json &args = call.args;
    const MetricsStore &metrics = *call.rooms.metrics;
    std::string series = args.is_object() ? args.value("series", std::string()) : "";
    if (series.empty()) {
        call.done(badRequest("args.series: a series name is required"));
        return;
    }
    const std::int64_t to = args.value("to", api::nowMs());
    const std::int64_t from = args.value("from", to - metrics.retention().count());
    const std::size_t maxPoints = args.value("max_points", std::size_t(0));
    json points = json::array();
    for (const MetricsStore::Point &p : metrics.query(series, from, to, maxPoints))
        points.push_back(json::array({p.t, p.v}));
    call.done(json{{"series", series}, {"points", std::move(points)}});
}

void eventsQuery(OpCall &call)
{
    const json &args = call.args;
    const std::uint64_t after = args.value("after", std::uint64_t(0));
    const std::size_t limit = std::min<std::size_t>(args.value("limit", 1000), 10000);
    const std::string subject = args.value("subject", std::string());
    const auto &events = call.rooms.stream.events();
    json out = json::array();
    for (auto it = events.rbegin(); it != events.rend() && out.size() < limit; ++it) {
        if (it->id <= after)
            break;
        if (subject.empty() || it->subject == subject)
            out.push_back(api::toJson(*it));
    }
    std::reverse(out.begin(), out.end());
    call.done(json{{"events", std::move(out)}});
}

void healthHistory(OpCall &call)
{
    Worker *w = findWorker(call);
    if (!w)
        return;
    const json &args = call.args;
    const std::int64_t to = args.value("to", std::numeric_limits<std::int64_t>::max());
    const std::int64_t from = args.value("from", std::int64_t(0));
    const std::string probe = args.value("probe", std::string());
    const std::size_t limit = std::min<std::size_t>(args.value("limit", 1000), 100000);
    if (!probe.empty() && probe != "startup" && probe != "liveness" && probe != "readiness") {
        call.done(
            badRequest("args.probe: one of startup, liveness, readiness, got \"" + probe + "\""));
        return;
    }
    const HealthHistory *history = w->probes ? w->probes->history.get() : nullptr;
    json results = json::array();
    json transitions = json::array();
    if (history) {
        for (const api::HealthSample &h : history->results(w->id(), from, to, probe, limit))
            results.push_back(api::toJson(h));
        for (const api::HealthTransition &t : history->transitions(from, to, probe))
            transitions.push_back(api::toJson(t));
    }
    json probes = json::array();
    for (const api::ProbeStatus &p : w->info().probes)
        probes.push_back(api::toJson(p));
    call.done(json{{"worker", w->id()},
                   {"probes", std::move(probes)},
                   {"results", std::move(results)},
                   {"transitions", std::move(transitions)},
                   {"kept_from", history ? history->keptFrom() : 0},
                   {"kept", history ? history->capacity() : 0}});
}

} // namespace drover::engine::ops
