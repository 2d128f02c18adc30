// pool.acquire, pool.release and pool.traffic: the serving room's ops.
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

/// The pool `args.pool` names; nothing (and the error in `call.done`) otherwise.
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

/// A whole number of milliseconds in `args[key]` within [lo, hi], else `fallback`; an
/// error in `call.done` for a value that is there but wrong.
std::optional<std::int64_t> millis(OpCall &call, const char *key, std::int64_t fallback,
                                   std::int64_t lo, std::int64_t hi)
{
    if (!call.args.contains(key))
        return fallback;
    const json &v = call.args[key];
    if (!v.is_number_integer() || v.get<std::int64_t>() < lo || v.get<std::int64_t>() > hi) {
        call.done(error(api::ErrorCode::BadRequest,
                        std::string("args.") + key + ": expected whole milliseconds from " +
                            std::to_string(lo) + " to " + std::to_string(hi)));
        return std::nullopt;
    }
    return v.get<std::int64_t>();
}

} // namespace

void poolAcquire(OpCall &call)
{
    Pool *pool = findPool(call);
    if (!pool)
        return;
    const std::optional<std::int64_t> wait = millis(call, "wait_ms", 5000, 0, 600000);
    if (!wait)
        return;
    const std::optional<std::int64_t> ttl = millis(call, "ttl_ms", 30000, 100, 86400000);
    if (!ttl)
        return;
    const std::string name = pool->name;
    call.rooms.serving->acquire(
        name, std::chrono::milliseconds(*wait), std::chrono::milliseconds(*ttl),
        [name, wait = *wait, done = std::move(call.done)](
            std::optional<serve::Gateway::Lease> lease, const std::string &outcome) {
            if (!lease) {
                if (outcome == "queue-full")
                    done(error(api::ErrorCode::Busy, "the queue of pool " + name + " is full"));
                else
                    done(error(api::ErrorCode::Unavailable,
                               outcome == "closing"
                                   ? "the master is shutting down"
                                   : "no worker of pool " + name + " was free within " +
                                         std::to_string(wait) + " ms"));
                return;
            }
            done(
                json{{"lease", lease->id},
                     {"pool", name},
                     {"worker", lease->worker},
                     {"endpoint", lease->port > 0 ? json("127.0.0.1:" + std::to_string(lease->port))
                                                  : json(nullptr)},
                     {"expires_at_ms", lease->expiresAtMs}});
        });
}

void poolRelease(OpCall &call)
{
    Pool *pool = findPool(call);
    if (!pool)
        return;
    const std::string lease = call.args.value("lease", std::string());
    if (lease.empty()) {
        call.done(error(api::ErrorCode::BadRequest, "args.lease: the lease's id is required"));
        return;
    }
    if (!call.rooms.serving->release(pool->name, lease)) {
        call.done(error(api::ErrorCode::NotFound, "no lease \"" + lease + "\" in pool " +
                                                      pool->name +
                                                      " (released already, or expired)"));
        return;
    }
    call.done(json{{"released", lease}});
}

void poolTraffic(OpCall &call)
{
    Pool *pool = findPool(call);
    if (!pool)
        return;
    const std::optional<std::int64_t> recent = millis(call, "recent", 100, 0, 1000);
    if (!recent)
        return;
    call.done(call.rooms.serving->traffic(pool->name, std::size_t(*recent)));
}

} // namespace drover::engine::ops
