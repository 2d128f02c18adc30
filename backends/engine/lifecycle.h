#pragma once

#include "api/types.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

/// The worker state machine as a table: which event moves a worker from which state to which.
/// No I/O, no clock: the supervisor, the prober and the pools say what happened, the
/// registry asks here where that leads, and refuses (and logs) what the table does not allow.
namespace drover::engine::lifecycle {

enum class Event : std::uint8_t {
    Spawned,       ///< we started a process for it
    Attached,      ///< a process of it was found (re-adopted, PID file) and has a startup probe
    Up,            ///< alive and past its startup probe (or it has none)
    ReadinessOk,   ///< its readiness probe passed (or it has none)
    ReadinessLost, ///< its readiness probe failed
    StopAsked,     ///< its stop signal was sent
    Cancelled,     ///< stopped while it had no process (a pending start or a backoff cancelled)
    StoppedExit,   ///< its process ended after a stop we asked for
    Exit,          ///< its process ended and is not started again by the restart policy
    ExitToBackoff, ///< its process ended; it starts again after a delay
    GaveUp,        ///< its process ended once too often (restart limit)
    SpawnFailed,   ///< a process could not be started for it
    NotRunning,    ///< an adopted process without a command is not (or no longer) running
};
inline constexpr std::size_t kEventCount = std::size_t(Event::NotRunning) + 1;

std::string_view toString(Event event);

/// Where `event` takes a worker in state `from`; nothing when the table refuses it.
std::optional<api::WorkerState> next(api::WorkerState from, Event event);

struct Row
{
    Event event;
    std::span<const api::WorkerState> from;
    api::WorkerState to;
};
/// The whole table, one row per event (for docs and tests).
std::span<const Row> table();

} // namespace drover::engine::lifecycle
