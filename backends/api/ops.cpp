#include "api/ops.h"

#include <array>

namespace drover::api {

namespace {

using S = OpScope;

// clang-format off
constexpr std::array<OpInfo, kOpCount> kOps{{
    {Op::Hello,          "hello",           Role::Viewer,   false, S::Session},
    {Op::Subscribe,      "subscribe",       Role::Viewer,   false, S::Session},
    {Op::Unsubscribe,    "unsubscribe",     Role::Viewer,   false, S::Session},
    {Op::MetricsFollow,  "metrics.follow",  Role::Viewer,   false, S::Session},
    {Op::LogsFollow,     "logs.follow",     Role::Viewer,   false, S::Session},
    {Op::LogsUnfollow,   "logs.unfollow",   Role::Viewer,   false, S::Session},
    {Op::EventsQuery,    "events.query",    Role::Viewer,   false, S::Engine},
    {Op::LogsTail,       "logs.tail",       Role::Viewer,   false, S::Engine},
    {Op::WorkerDescribe, "worker.describe", Role::Viewer,   false, S::Engine},
    {Op::HealthHistory,  "health.history",  Role::Viewer,   false, S::Engine},
    {Op::MetricsQuery,   "metrics.query",   Role::Viewer,   false, S::Engine},
    {Op::ConfigGet,      "config.get",      Role::Viewer,   false, S::Engine},
    {Op::ConfigValidate, "config.validate", Role::Viewer,   false, S::Engine},
    {Op::ConfigPlan,     "config.plan",     Role::Viewer,   false, S::Engine},
    {Op::ConfigHistory,  "config.history",  Role::Viewer,   false, S::Engine},
    {Op::WorkerStart,    "worker.start",    Role::Operator, true,  S::Engine},
    {Op::WorkerStop,     "worker.stop",     Role::Operator, true,  S::Engine},
    {Op::WorkerRestart,  "worker.restart",  Role::Operator, true,  S::Engine},
    {Op::PoolScale,      "pool.scale",      Role::Operator, true,  S::Engine},
    {Op::ConfigApply,    "config.apply",    Role::Admin,    true,  S::Engine},
    // Leases are operator requests like the others: audited (pool.traffic lists those held).
    {Op::PoolAcquire,    "pool.acquire",    Role::Operator, true,  S::Engine},
    {Op::PoolRelease,    "pool.release",    Role::Operator, true,  S::Engine},
    {Op::PoolTraffic,    "pool.traffic",    Role::Viewer,   false, S::Engine},
    {Op::RolloutStatus,  "rollout.status",  Role::Viewer,   false, S::Engine},
    {Op::RolloutHistory, "rollout.history", Role::Viewer,   false, S::Engine},
    // Rollouts (docs/operations.md): operator requests, audited.
    {Op::RolloutRestart, "rollout.restart", Role::Operator, true,  S::Engine},
    {Op::RolloutPause,   "rollout.pause",   Role::Operator, true,  S::Engine},
    {Op::RolloutResume,  "rollout.resume",  Role::Operator, true,  S::Engine},
    {Op::RolloutAbort,   "rollout.abort",   Role::Operator, true,  S::Engine},
    {Op::RolloutUndo,    "rollout.undo",    Role::Operator, true,  S::Engine},
    {Op::RolloutStart,   "rollout.start",   Role::Operator, true,  S::Engine},
    // Jobs (docs/operations.md): a run now, the runs kept, stopping runs.
    {Op::JobRun,         "job.run",         Role::Operator, true,  S::Engine},
    {Op::JobHistory,     "job.history",     Role::Viewer,   false, S::Engine},
    {Op::JobCancel,      "job.cancel",      Role::Operator, true,  S::Engine},
}};
// clang-format on

constexpr bool inOpOrder()
{
    for (std::size_t i = 0; i < kOps.size(); ++i) {
        if (std::size_t(kOps[i].op) != i)
            return false;
    }
    return true;
}
static_assert(inOpOrder(), "kOps lists every Op once, in the enum's order");

} // namespace

std::span<const OpInfo> allOps()
{
    return kOps;
}

const OpInfo *findOp(std::string_view name)
{
    for (const OpInfo &info : kOps) {
        if (info.name == name)
            return &info;
    }
    return nullptr;
}

const OpInfo &opInfo(Op op)
{
    return kOps[std::size_t(op)];
}

std::string opName(Op op)
{
    return std::string(opInfo(op).name);
}

} // namespace drover::api
