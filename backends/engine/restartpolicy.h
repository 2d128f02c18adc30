#pragma once

#include "config/spec.h"

#include <chrono>
#include <deque>
#include <string>

/// What happens after a worker's process ended on its own: a pure function of the restart
/// spec, the worker's crash history and the clock, with the jitter's random draw passed in
/// (so that tests can pin it).
namespace drover::engine {

/// A worker's crashes within the restart window and how far its backoff has grown.
struct CrashHistory
{
    std::deque<std::chrono::steady_clock::time_point> crashes;
    int backoffStep = 0;

    void clear()
    {
        crashes.clear();
        backoffStep = 0;
    }
};

struct RestartDecision
{
    enum class Action {
        Stay,    ///< the policy does not restart it (never; on-failure after a clean exit)
        Restart, ///< start it again after `delay`
        GiveUp,  ///< the restart limit is hit: failed
    };
    Action action = Action::Stay;
    std::chrono::milliseconds delay{0};
    int crashes = 0; ///< crashes within the window, this one included (Restart, GiveUp)
};

/// Decides, and for Restart and GiveUp records the crash in `history`.
/// - `runningSince`: when the process that ended was started; a process that ran at least
///   max(backoff.max, 1 s) starts the backoff over.
/// - `jitterDraw`: uniform in [-1, 1]; the delay is scaled by 1 + jitter x draw.
/// The delay is backoff.initial x factor^step, capped at backoff.max; with initial 0 the
/// first restart is at once and the next ones back off from 1 ms.
RestartDecision decideRestart(const config::RestartSpec &spec, CrashHistory &history,
                              std::chrono::steady_clock::time_point now,
                              std::chrono::steady_clock::time_point runningSince, bool cleanExit,
                              double jitterDraw);

} // namespace drover::engine
