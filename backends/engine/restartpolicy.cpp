#include "engine/restartpolicy.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace drover::engine {

using namespace std::chrono_literals;

RestartDecision decideRestart(const config::RestartSpec &spec, CrashHistory &history,
                              std::chrono::steady_clock::time_point now,
                              std::chrono::steady_clock::time_point runningSince, bool cleanExit,
                              double jitterDraw)
{
    RestartDecision d;
    if (spec.policy == config::RestartPolicy::Never ||
        (spec.policy == config::RestartPolicy::OnFailure && cleanExit))
        return d;
    const auto stableAfter = std::max<std::chrono::milliseconds>(spec.backoff.max, 1s);
    if (now - runningSince >= stableAfter)
        history.backoffStep = 0;
    history.crashes.push_back(now);
    while (!history.crashes.empty() && now - history.crashes.front() > spec.window)
        history.crashes.pop_front();
    d.crashes = int(history.crashes.size());
    if (d.crashes > spec.maxRestarts) {
        d.action = RestartDecision::Action::GiveUp;
        return d;
    }
    const config::BackoffSpec &b = spec.backoff;
    const int step = history.backoffStep;
    double delay = b.initial.count() > 0 ? double(b.initial.count()) * std::pow(b.factor, step)
                   : step == 0           ? 0.0
                                         : std::pow(b.factor, step - 1);
    delay = std::min(delay, double(b.max.count()));
    if (b.jitter > 0)
        delay *= 1.0 + b.jitter * std::clamp(jitterDraw, -1.0, 1.0);
    ++history.backoffStep;
    d.action = RestartDecision::Action::Restart;
    d.delay = std::chrono::milliseconds(std::max<std::int64_t>(0, std::llround(delay)));
    return d;
}

} // namespace drover::engine
