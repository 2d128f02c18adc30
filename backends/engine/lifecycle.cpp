#include "engine/lifecycle.h"

#include <algorithm>
#include <array>

namespace drover::engine::lifecycle {

namespace {

using S = api::WorkerState;

/// No process: a start, an adoption or a stop that only cancels begins here.
constexpr std::array kIdle{S::Pending, S::Stopped, S::Exited, S::Backoff, S::Failed};
/// A process is (believed to be) alive.
constexpr std::array kAlive{S::Starting, S::Running, S::Ready, S::Draining, S::Stopping};
constexpr std::array kUpFrom{S::Starting, S::Pending, S::Stopped, S::Exited, S::Backoff, S::Failed};
constexpr std::array kRunning{S::Running};
constexpr std::array kReady{S::Ready};
constexpr std::array kStoppable{S::Starting, S::Running, S::Ready, S::Draining};
constexpr std::array kCancellable{S::Pending, S::Exited, S::Backoff, S::Failed};

// clang-format off
constexpr std::array<Row, kEventCount> kTable{{
    {Event::Spawned,       kIdle,        S::Starting},
    {Event::Attached,      kIdle,        S::Starting},
    {Event::Up,            kUpFrom,      S::Running},
    {Event::ReadinessOk,   kRunning,     S::Ready},
    {Event::ReadinessLost, kReady,       S::Running},
    {Event::StopAsked,     kStoppable,   S::Stopping},
    {Event::Cancelled,     kCancellable, S::Stopped},
    {Event::StoppedExit,   kAlive,       S::Stopped},
    {Event::Exit,          kAlive,       S::Exited},
    {Event::ExitToBackoff, kAlive,       S::Backoff},
    {Event::GaveUp,        kAlive,       S::Failed},
    {Event::SpawnFailed,   kIdle,        S::Failed},
    {Event::NotRunning,    kIdle,        S::Exited},
}};
// clang-format on

constexpr bool inEventOrder()
{
    for (std::size_t i = 0; i < kTable.size(); ++i) {
        if (std::size_t(kTable[i].event) != i)
            return false;
    }
    return true;
}
static_assert(inEventOrder(), "kTable has one row per Event, in the enum's order");

} // namespace

std::string_view toString(Event event)
{
    switch (event) {
    case Event::Spawned:
        return "spawned";
    case Event::Attached:
        return "attached";
    case Event::Up:
        return "up";
    case Event::ReadinessOk:
        return "readiness-ok";
    case Event::ReadinessLost:
        return "readiness-lost";
    case Event::StopAsked:
        return "stop-asked";
    case Event::Cancelled:
        return "cancelled";
    case Event::StoppedExit:
        return "stopped-exit";
    case Event::Exit:
        return "exit";
    case Event::ExitToBackoff:
        return "exit-to-backoff";
    case Event::GaveUp:
        return "gave-up";
    case Event::SpawnFailed:
        return "spawn-failed";
    case Event::NotRunning:
        return "not-running";
    }
    return "?";
}

std::optional<api::WorkerState> next(api::WorkerState from, Event event)
{
    const Row &row = kTable[std::size_t(event)];
    if (std::find(row.from.begin(), row.from.end(), from) == row.from.end())
        return std::nullopt;
    return row.to;
}

std::span<const Row> table()
{
    return kTable;
}

} // namespace drover::engine::lifecycle
