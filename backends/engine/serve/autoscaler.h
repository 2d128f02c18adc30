#pragma once

#include "config/spec.h"

#include <chrono>
#include <optional>
#include <string>

namespace drover::engine::serve {

/// What the autoscaler looks at, once a second.
struct Load
{
    int desired = 0;   ///< the pool's desired count now
    int busy = 0;      ///< requests and leases in flight plus those waiting in the queue
    int perWorker = 1; ///< requests one worker takes at once
};

/// The hysteresis of one pool: since when the load has asked for more, or for fewer.
struct ScaleMemory
{
    std::optional<std::chrono::steady_clock::time_point> upSince;
    std::optional<std::chrono::steady_clock::time_point> downSince;
    int wantedMax = 0; ///< the largest size asked for while `upSince`
};

struct ScaleDecision
{
    int desired = 0;
    std::string why; ///< for the `pool.scaled` event: `autoscale: 14 busy, 8 per worker at 0.7`
};

/// The size the pool should have: enough workers that busy / (workers x per_worker) stays at
/// `target_utilization`, plus `min_idle` spares, within [min, max]. A larger size is taken
/// once the load has asked for it for `scale_up_after` (at once from zero: a request waits),
/// a smaller one once it has for `scale_down_after`. Nothing when the size stays.
std::optional<ScaleDecision> decide(const config::AutoscaleSpec &spec, const Load &load,
                                    ScaleMemory &memory, std::chrono::steady_clock::time_point now);

/// The size the load alone asks for (no hysteresis).
int wanted(const config::AutoscaleSpec &spec, const Load &load);

} // namespace drover::engine::serve
