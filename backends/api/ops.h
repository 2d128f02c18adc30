#pragma once

#include "api/role.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace drover::api {

/// Every request a client can make (docs/protocol.md). The one table of their names, the
/// role each needs and whether it changes anything is in ops.cpp: the server's role checks
/// and audit, the engine's dispatch, droverctl and the console all read it. A new op is one
/// enumerator, one row there, and its handler in the engine (or the session for the
/// connection's own ops).
enum class Op : std::uint8_t {
    Hello,
    Subscribe,
    Unsubscribe,
    MetricsFollow,
    LogsFollow,
    LogsUnfollow,
    EventsQuery,
    LogsTail,
    WorkerDescribe,
    HealthHistory,
    MetricsQuery,
    ConfigGet,
    ConfigValidate,
    ConfigPlan,
    ConfigHistory,
    WorkerStart,
    WorkerStop,
    WorkerRestart,
    PoolScale,
    ConfigApply,
    PoolAcquire,
    PoolRelease,
    PoolTraffic,
    RolloutStatus,
    RolloutHistory,
    RolloutRestart,
    RolloutPause,
    RolloutResume,
    RolloutAbort,
    RolloutUndo,
    RolloutStart,
    JobRun,
    JobHistory,
    JobCancel,
};
inline constexpr std::size_t kOpCount = std::size_t(Op::JobCancel) + 1;

/// Who answers an op: the connection itself (its stream, its follows) or the engine.
enum class OpScope : std::uint8_t { Session, Engine };

struct OpInfo
{
    Op op;
    std::string_view name; ///< as on the wire: `worker.restart`
    Role minRole;          ///< the least role that may make it
    bool mutating;         ///< changes something: audited, refused while shutting down
    OpScope scope;
};

/// The whole table, in Op order.
std::span<const OpInfo> allOps();
/// The op's entry, or nothing for an unknown name.
const OpInfo *findOp(std::string_view name);
const OpInfo &opInfo(Op op);
/// `worker.restart` for Op::WorkerRestart, as the Backend interface's request() takes it.
std::string opName(Op op);

} // namespace drover::api
