#include "engine/ops/ops.h"

#include <array>

namespace drover::engine {

namespace {

using api::Op;

// clang-format off
constexpr std::array kHandlers{
    OpHandler{Op::EventsQuery,    &ops::eventsQuery,    false},
    OpHandler{Op::LogsTail,       &ops::logsTail,       false},
    OpHandler{Op::WorkerDescribe, &ops::workerDescribe, false},
    OpHandler{Op::HealthHistory,  &ops::healthHistory,  false},
    OpHandler{Op::MetricsQuery,   &ops::metricsQuery,   false},
    OpHandler{Op::ConfigGet,      &ops::configGet,      false},
    OpHandler{Op::ConfigValidate, &ops::configValidate, false},
    OpHandler{Op::ConfigPlan,     &ops::configPlan,     false},
    OpHandler{Op::ConfigHistory,  &ops::configHistory,  false},
    OpHandler{Op::WorkerStart,    &ops::workerStart,    true},
    OpHandler{Op::WorkerStop,     &ops::workerStop,     false},
    OpHandler{Op::WorkerRestart,  &ops::workerRestart,  true},
    OpHandler{Op::PoolScale,      &ops::poolScale,      true},
    OpHandler{Op::ConfigApply,    &ops::configApply,    false},
    OpHandler{Op::PoolAcquire,    &ops::poolAcquire,    true},
    OpHandler{Op::PoolRelease,    &ops::poolRelease,    false},
    OpHandler{Op::PoolTraffic,    &ops::poolTraffic,    false},
    OpHandler{Op::RolloutStatus,  &ops::rolloutStatus,  false},
    OpHandler{Op::RolloutHistory, &ops::rolloutHistory, false},
    OpHandler{Op::RolloutRestart, &ops::rolloutRestart, true},
    OpHandler{Op::RolloutPause,   &ops::rolloutPause,   false},
    OpHandler{Op::RolloutResume,  &ops::rolloutResume,  true},
    OpHandler{Op::RolloutAbort,   &ops::rolloutAbort,   true},
    OpHandler{Op::RolloutUndo,    &ops::rolloutUndo,    true},
    OpHandler{Op::RolloutStart,   &ops::rolloutStart,   true},
    OpHandler{Op::JobRun,         &ops::jobRun,         true},
    OpHandler{Op::JobHistory,     &ops::jobHistory,     false},
    OpHandler{Op::JobCancel,      &ops::jobCancel,      false},
};
// clang-format on

} // namespace

const OpHandler *opHandler(api::Op op)
{
    for (const OpHandler &h : kHandlers) {
        if (h.op == op)
            return &h;
    }
    return nullptr;
}

std::vector<api::Op> opsWithoutHandler()
{
    std::vector<api::Op> missing;
    for (const api::OpInfo &info : api::allOps()) {
        if (info.scope == api::OpScope::Engine && !opHandler(info.op))
            missing.push_back(info.op);
    }
    return missing;
}

} // namespace drover::engine
