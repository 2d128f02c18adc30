#include "api/types.h"

#include <array>

namespace drover::api {

namespace {

constexpr std::array<std::string_view, 10> kStateNames{"pending",  "starting", "running", "ready",
                                                       "draining", "stopping", "stopped", "exited",
                                                       "backoff",  "failed"};

} // namespace

std::string_view toString(WorkerState state)
{
    return kStateNames[static_cast<std::size_t>(state)];
}

std::optional<WorkerState> parseWorkerState(std::string_view text)
{
    for (std::size_t i = 0; i < kStateNames.size(); ++i) {
        if (kStateNames[i] == text)
            return static_cast<WorkerState>(i);
    }
    return std::nullopt;
}

bool hasProcess(WorkerState state)
{
    switch (state) {
    case WorkerState::Starting:
    case WorkerState::Running:
    case WorkerState::Ready:
    case WorkerState::Draining:
    case WorkerState::Stopping:
        return true;
    default:
        return false;
    }
}

std::string_view toString(DeltaKind kind)
{
    switch (kind) {
    case DeltaKind::WorkerUpsert:
        return "worker.upsert";
    case DeltaKind::WorkerRemoved:
        return "worker.removed";
    case DeltaKind::PoolUpsert:
        return "pool.upsert";
    case DeltaKind::PoolRemoved:
        return "pool.removed";
    case DeltaKind::EventAdded:
        return "event";
    case DeltaKind::HealthSampled:
        return "health.sample";
    case DeltaKind::RolloutUpsert:
        return "rollout.upsert";
    }
    return "event";
}

} // namespace drover::api
