// worker.start, worker.stop, worker.restart and pool.scale.
#include "api/codec.h"
#include "engine/ops/ops.h"
#include "engine/rooms.h"

#include <nlohmann/json.hpp>

namespace drover::engine::ops {

using nlohmann::json;

namespace {

api::Error error(api::ErrorCode code, std::string message)
{
    return api::Error{code, std::move(message), {}};
}

/// The reply of a stop or restart, once the worker is down (or gone).
std::function<void()> replyWithWorker(Rooms &rooms, std::string id, api::ReplyFn done)
{
    return [&rooms, id = std::move(id), done = std::move(done)] {
        Worker *w = rooms.registry->find(id);
        done(w ? json{{"worker", api::toJson(w->info())}} : json::object());
    };
}

/// A worker an operator asked for: its event, and its crash count starts again.
Worker *requested(OpCall &call, std::string_view op)
{
    Worker *w = findWorker(call);
    if (w)
        call.rooms.stream.addEvent("worker.request", w->id(),
                                   std::string(op) + " " + w->id() + " by an operator", {}, {},
                                   "operator");
    return w;
}

} // namespace

Worker *findWorker(OpCall &call)
{
    const json &args = call.args;
    std::string id = args.is_object() ? args.value("worker", std::string()) : std::string();
    if (id.empty()) {
        call.done(error(api::ErrorCode::BadRequest, "args.worker: the worker's id is required"));
        return nullptr;
    }
    Worker *w = call.rooms.registry->find(id);
    if (!w)
        call.done(error(api::ErrorCode::NotFound, "no worker \"" + id + "\""));
    return w;
}

void workerStart(OpCall &call)
{
    Rooms &r = call.rooms;
    Worker *w = requested(call, "worker.start");
    if (!w)
        return;
    if (w->hasProcess()) {
        call.done(json{{"worker", api::toJson(w->info())}, {"changed", false}});
        return;
    }
    w->sup.crashes.clear();
    r.registry->resetRestarts(*w);
    r.supervisor->cancel(*w);
    const config::AdoptedSpec *adopted = r.config.adopted(*w);
    if (adopted && adopted->command.empty())
        r.supervisor->adoptFromPidFile(*adopted);
    else
        r.supervisor->spawn(*w);
    call.done(json{{"worker", api::toJson(w->info())}, {"changed", true}});
}

void workerStop(OpCall &call)
{
    Worker *w = requested(call, "worker.stop");
    if (!w)
        return;
    call.rooms.supervisor->stop(*w, Intent::Stop, "operator",
                                replyWithWorker(call.rooms, w->id(), std::move(call.done)));
}

void workerRestart(OpCall &call)
{
    Rooms &r = call.rooms;
    Worker *w = requested(call, "worker.restart");
    if (!w)
        return;
    // Not a crash: the restart count starts again.
    if (!r.config.canStart(*w)) {
        call.done(error(api::ErrorCode::Conflict,
                        "\"" + w->id() +
                            "\" is an adopted process with no command: it can be stopped but "
                            "not restarted"));
        return;
    }
    w->sup.crashes.clear();
    r.registry->resetRestarts(*w);
    r.supervisor->stop(*w, Intent::Restart, "operator restart",
                       replyWithWorker(r, w->id(), std::move(call.done)));
}

void poolScale(OpCall &call)
{
    Rooms &r = call.rooms;
    const json &args = call.args;
    std::string name = args.is_object() ? args.value("pool", std::string()) : "";
    Pool *pool = r.registry->pool(name);
    if (!pool) {
        call.done(name.empty()
                      ? error(api::ErrorCode::BadRequest, "args.pool: the pool's name is required")
                      : error(api::ErrorCode::NotFound, "no pool \"" + name + "\""));
        return;
    }
    if (!args.contains("replicas") || !args["replicas"].is_number_integer()) {
        call.done(error(api::ErrorCode::BadRequest, "args.replicas: expected a whole number >= 0"));
        return;
    }
    const long long n = args["replicas"].get<long long>();
    const config::PoolSpec *spec = r.config.pool(name);
    const int limit = spec && spec->ports ? spec->ports->size() : 10000;
    const int lo = spec && spec->autoscale ? spec->autoscale->min : 0;
    const int hi = spec && spec->autoscale ? spec->autoscale->max : limit;
    if (n < lo || n > hi) {
        call.done(error(api::ErrorCode::BadRequest, "args.replicas: " + std::to_string(n) +
                                                        " is out of range for pool \"" + name +
                                                        "\" (" + std::to_string(lo) + " to " +
                                                        std::to_string(hi) + ")"));
        return;
    }
    r.pools->scale(*pool, int(n), "operator");
    call.done(json{{"pool", api::toJson(r.registry->poolInfo(*pool))}});
}

} // namespace drover::engine::ops
