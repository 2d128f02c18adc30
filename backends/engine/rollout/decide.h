#pragma once

#include "api/types.h"
#include "config/spec.h"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

/// The rollout controller's decision as a pure function (no I/O, no clock of its own): given a
/// pool's workers by revision and state, the rollout's spec and the time, what to do next.
/// The rollout room (rollouts.*) gathers the input and acts on the answer.
namespace drover::engine::rollout {

using Clock = std::chrono::steady_clock;

/// New workers that crashed this often (or gave up) count as failing: a reason to roll back.
inline constexpr int kFailingRestarts = 3;

/// One worker of the pool, as the decision sees it.
struct Member
{
    std::string id;
    bool isNew = false;   ///< of the revision worked towards (made by this rollout, for a restart)
    bool leaving = false; ///< being stopped for good already (drained, then removed)
    api::WorkerState state = api::WorkerState::Pending;
    Clock::time_point readySince; ///< when it last became ready (state Ready)
    int restarts = 0;             ///< crashes since it was made
    std::uint64_t created = 0;    ///< creation order (newest are stopped first)
};

struct Input
{
    config::RolloutSpec spec;
    int desired = 0;
    std::vector<Member> members;
    Clock::time_point now;
    /// When the rollout last made progress (started, resumed, or `progress` changed).
    Clock::time_point lastProgress;
    /// What the last decision counted (Decision::progress); a change is progress.
    std::tuple<int, int, int> progress{-1, -1, -1};
    bool paused = false;
    bool rollingBack = false; ///< back to the revision before: no deadline, no second rollback
    int freeSlots = 1 << 30;  ///< more workers the pool's port range can hold

    // Canary: the step it is at (steps.size(): all passed, promoting), since when the
    // step's weight is applied (none: its workers are not all ready yet), and the canary
    // workers' requests and failures at the gateway since then.
    int canaryStep = 0;
    std::optional<Clock::time_point> stepSince;
    std::uint64_t canaryRequests = 0;
    std::uint64_t canaryFailures = 0;
};

/// A canary over max_error_rate after this many requests rolls back before its pause ends.
inline constexpr std::uint64_t kCanarySample = 20;

struct Decision
{
    enum class Verdict {
        Progressing, ///< acting, or waiting for readiness
        Complete,    ///< every worker of the revision worked towards, ready, none other left
        RollBack,    ///< new workers fail, or the deadline passed: back to the revision before
        Failed,      ///< the deadline passed and auto_rollback is off: it stops where it is
    };
    Verdict verdict = Verdict::Progressing;
    int create = 0;                ///< new workers to make now
    std::vector<std::string> stop; ///< workers to drain, stop and remove now
    std::string reason;            ///< why it rolls back or failed
    /// Blue-green, and canary once promoted: the whole new set is available, so requests go
    /// to it alone from now on.
    bool switchTraffic = false;
    /// Canary: the percent of requests the new revision's workers get now (negative: no
    /// split); `stepBegins` the step's weight applies from now (the room notes the time),
    /// `nextStep` the step's pause passed within max_error_rate.
    int weight = -1;
    bool stepBegins = false;
    bool nextStep = false;
    std::string step;     ///< what it does or waits for, one line
    int updated = 0;      ///< new workers not leaving (those made now included)
    int updatedReady = 0; ///< of those, ready for at least min_ready
    int old = 0;          ///< other workers, leaving ones included
    int ready = 0;        ///< ready workers of either revision
    /// (updated, updatedReady, old): the room keeps it for the next Input::progress.
    std::tuple<int, int, int> progress;
    bool progressed = false;                   ///< `progress` differs from the input's
    std::optional<Clock::time_point> deadline; ///< when the deadline passes (none: none runs)
    /// Decide again at this time at the latest (min_ready elapsing, the deadline).
    std::optional<Clock::time_point> wakeAt;
};

/// The effective surge and unavailability budgets of a spec for `desired` workers: rolling as
/// written (never both 0); blue-green starts the whole new set first (surge = desired); canary
/// and recreate as documented in docs/config.md. (decide() runs blue-green, canary's steps
/// and recreate with rules of their own; a canary that rolls back does so as rolling 1/0.)
std::pair<int, int> budgets(const config::RolloutSpec &spec, int desired);

Decision decide(const Input &in);

/// `rolling`, `recreate`, `blue-green`, `canary`.
std::string_view strategyName(config::RolloutStrategy strategy);

} // namespace drover::engine::rollout
