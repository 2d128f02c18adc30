// rollout.status, rollout.history, rollout.start, rollout.pause, rollout.resume, rollout.abort,
// rollout.undo and rollout.restart: the rollout room's ops.
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

Pool *findPool(OpCall &call)
{
    const std::string name = call.args.is_object() ? call.args.value("pool", std::string()) : "";
    Pool *pool = call.rooms.registry->pool(name);
    if (!pool)
        call.done(name.empty()
                      ? error(api::ErrorCode::BadRequest, "args.pool: the pool's name is required")
                      : error(api::ErrorCode::NotFound, "no pool \"" + name + "\""));
    return pool;
}

std::string revisionArg(const OpCall &call)
{
    return call.args.is_object() ? call.args.value("revision", std::string()) : std::string();
}

/// `{rollout: ..., started: ...}` or the error.
void reply(OpCall &call, const api::Result<api::RolloutInfo> &r)
{
    if (!r.ok()) {
        call.done(r.error());
        return;
    }
    call.done(json{{"rollout", api::toJson(*r)}});
}

/// An operator's request on a pool's rollout: its event, then `act`.
template <class Act>
void operatorRequest(OpCall &call, std::string_view op, Act act)
{
    Pool *pool = findPool(call);
    if (!pool)
        return;
    call.rooms.stream.addEvent("rollout.request", pool->name,
                               std::string(op) + " " + pool->name + " by an operator", {}, {},
                               "operator");
    reply(call, act(*pool));
}

} // namespace

void rolloutStatus(OpCall &call)
{
    Rollouts &rollouts = *call.rooms.rollouts;
    const std::string name = call.args.is_object() ? call.args.value("pool", std::string()) : "";
    if (name.empty()) {
        json all = json::array();
        for (const api::RolloutInfo &info : rollouts.infos())
            all.push_back(api::toJson(info));
        call.done(json{{"rollouts", std::move(all)}});
        return;
    }
    Pool *pool = findPool(call);
    if (!pool)
        return;
    const api::RolloutInfo *info = rollouts.info(pool->name);
    call.done(json{{"pool", pool->name},
                   {"revision", pool->revision},
                   {"rollout", info ? api::toJson(*info) : json()}});
}

void rolloutHistory(OpCall &call)
{
    Pool *pool = findPool(call);
    if (!pool)
        return;
    json revisions = json::array();
    for (const Rollouts::Revision &r : call.rooms.rollouts->history(pool->name)) {
        revisions.push_back({{"number", r.number},
                             {"revision", r.revision},
                             {"cause", r.cause},
                             {"time", r.timeMs},
                             {"current", r.revision == pool->revision},
                             {"template", templateJson(*r.spec, call.role == api::Role::Admin)}});
    }
    call.done(json{
        {"pool", pool->name}, {"revision", pool->revision}, {"revisions", std::move(revisions)}});
}

void rolloutStart(OpCall &call)
{
    Pool *pool = findPool(call);
    if (!pool)
        return;
    Rooms &r = call.rooms;
    if (r.rollouts->active(pool->name)) {
        call.done(error(api::ErrorCode::Conflict,
                        "pool \"" + pool->name + "\" has a rollout in progress"));
        return;
    }
    std::string target = revisionArg(call);
    if (target.empty()) {
        const config::PoolSpec *spec = r.config.pool(pool->name);
        target = spec ? spec->revision : pool->revision;
    }
    bool allThere = target == pool->revision;
    for (const Worker *w : r.registry->poolWorkers(pool->name))
        allThere = allThere && w->info().revision == target;
    r.stream.addEvent("rollout.request", pool->name,
                      "rollout.start " + pool->name + " by an operator", {}, {}, "operator");
    if (allThere) { // nothing to replace: `rollout.restart` replaces them anyway
        const api::RolloutInfo *info = r.rollouts->info(pool->name);
        call.done(json{{"rollout", info ? api::toJson(*info) : json()}, {"started", false}});
        return;
    }
    auto started = r.rollouts->begin(*pool, target, "start", false);
    if (!started.ok()) {
        call.done(started.error());
        return;
    }
    call.done(json{{"rollout", api::toJson(*started)}, {"started", true}});
}

void rolloutPause(OpCall &call)
{
    operatorRequest(call, "rollout.pause", [&](Pool &p) { return call.rooms.rollouts->pause(p); });
}

void rolloutResume(OpCall &call)
{
    operatorRequest(call, "rollout.resume",
                    [&](Pool &p) { return call.rooms.rollouts->resume(p); });
}

void rolloutAbort(OpCall &call)
{
    operatorRequest(call, "rollout.abort", [&](Pool &p) { return call.rooms.rollouts->abort(p); });
}

void rolloutUndo(OpCall &call)
{
    const std::string revision = revisionArg(call);
    operatorRequest(call, "rollout.undo",
                    [&](Pool &p) { return call.rooms.rollouts->undo(p, revision); });
}

void rolloutRestart(OpCall &call)
{
    operatorRequest(call, "rollout.restart", [&](Pool &p) -> api::Result<api::RolloutInfo> {
        if (call.rooms.rollouts->active(p.name))
            return error(api::ErrorCode::Conflict,
                         "pool \"" + p.name + "\" has a rollout in progress");
        return call.rooms.rollouts->begin(p, p.revision, "restart", true);
    });
}

} // namespace drover::engine::ops
