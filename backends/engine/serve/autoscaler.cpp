#include "engine/serve/autoscaler.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace drover::engine::serve {

int wanted(const config::AutoscaleSpec &spec, const Load &load)
{
    const double target = spec.targetUtilization > 0 ? spec.targetUtilization : 1.0;
    const double perWorker = std::max(1, load.perWorker) * target;
    const int forLoad = load.busy > 0 ? int(std::ceil(double(load.busy) / perWorker - 1e-9)) : 0;
    const int want = forLoad + std::max(0, spec.minIdle);
    return std::clamp(want, std::max(0, spec.min), std::max(spec.min, spec.max));
}

std::optional<ScaleDecision> decide(const config::AutoscaleSpec &spec, const Load &load,
                                    ScaleMemory &memory, std::chrono::steady_clock::time_point now)
{
    const int want = wanted(spec, load);
    auto why = [&](int to) {
        char text[160];
        std::snprintf(text, sizeof text,
                      "autoscale: %d busy, %d per worker at %.2f, min_idle %d: %d workers",
                      load.busy, load.perWorker, spec.targetUtilization, spec.minIdle, to);
        return std::string(text);
    };
    if (want > load.desired) {
        memory.downSince.reset();
        if (load.desired == 0 && load.busy > 0) { // scale from zero: someone is waiting
            memory = {};
            return ScaleDecision{want, why(want)};
        }
        if (!memory.upSince) {
            memory.upSince = now;
            memory.wantedMax = want;
        }
        memory.wantedMax = std::max(memory.wantedMax, want);
        if (now - *memory.upSince >= spec.scaleUpAfter) {
            const int to = memory.wantedMax;
            memory = {};
            return ScaleDecision{to, why(to)};
        }
        return std::nullopt;
    }
    memory.upSince.reset();
    memory.wantedMax = 0;
    if (want < load.desired) {
        if (!memory.downSince)
            memory.downSince = now;
        if (now - *memory.downSince >= spec.scaleDownAfter) {
            memory = {};
            return ScaleDecision{want, why(want)};
        }
        return std::nullopt;
    }
    memory.downSince.reset();
    return std::nullopt;
}

} // namespace drover::engine::serve
