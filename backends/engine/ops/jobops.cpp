// job.run, job.history and job.cancel: the jobs room's ops.
#include "api/codec.h"
#include "engine/ops/ops.h"
#include "engine/rooms.h"

#include <nlohmann/json.hpp>

namespace drover::engine::ops {

using nlohmann::json;

namespace {

api::Error badRequest(std::string message)
{
    return api::Error{api::ErrorCode::BadRequest, std::move(message), {}};
}

/// `args.pool`, or nothing (and the error in `call.done`).
std::optional<std::string> poolArg(OpCall &call)
{
    const std::string name = call.args.is_object() ? call.args.value("pool", std::string()) : "";
    if (name.empty()) {
        call.done(badRequest("args.pool: the job's pool is required"));
        return std::nullopt;
    }
    return name;
}

json runsJson(const std::vector<api::JobRun> &runs)
{
    json out = json::array();
    for (const api::JobRun &r : runs)
        out.push_back(api::toJson(r));
    return out;
}

} // namespace

void jobRun(OpCall &call)
{
    std::optional<std::string> pool = poolArg(call);
    if (!pool)
        return;
    auto run = call.rooms.jobs->run(*pool, call.caller);
    if (!run.ok()) {
        call.done(run.error());
        return;
    }
    call.done(json{{"run", api::toJson(*run)}});
}

void jobHistory(OpCall &call)
{
    std::optional<std::string> pool = poolArg(call);
    if (!pool)
        return;
    const json &limitArg = call.args.is_object() && call.args.contains("limit")
                               ? call.args["limit"]
                               : json(std::int64_t(20));
    if (!limitArg.is_number_integer() || limitArg.get<std::int64_t>() < 1 ||
        limitArg.get<std::int64_t>() > 10'000) {
        call.done(badRequest("args.limit: expected 1 to 10000"));
        return;
    }
    auto runs = call.rooms.jobs->history(*pool, std::size_t(limitArg.get<std::int64_t>()));
    if (!runs.ok()) {
        call.done(runs.error());
        return;
    }
    const Pool *p = call.rooms.registry->pool(*pool);
    call.done(json{{"pool", *pool},
                   {"job", p && p->job ? api::toJson(*p->job) : json()},
                   {"runs", runsJson(*runs)}});
}

void jobCancel(OpCall &call)
{
    std::optional<std::string> pool = poolArg(call);
    if (!pool)
        return;
    std::uint64_t number = 0;
    if (call.args.contains("run")) {
        const json &n = call.args["run"];
        if (!n.is_number_integer() || n.get<std::int64_t>() < 1) {
            call.done(badRequest("args.run: expected a run's number (1 or more)"));
            return;
        }
        number = n.get<std::uint64_t>();
    }
    auto runs = call.rooms.jobs->cancel(*pool, number, call.caller);
    if (!runs.ok()) {
        call.done(runs.error());
        return;
    }
    call.done(json{{"pool", *pool}, {"cancelled", runsJson(*runs)}});
}

} // namespace drover::engine::ops
