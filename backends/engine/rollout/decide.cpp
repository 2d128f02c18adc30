#include "engine/rollout/decide.h"

#include <algorithm>
#include <cstdio>

namespace drover::engine::rollout {

using api::WorkerState;

namespace {

std::string plural(int n, const char *one, const char *many)
{
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string percent(double share)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.3g%%", share * 100);
    return text;
}

/// Stop order: not ready before ready, then newest first.
void sortForStop(std::vector<const Member *> &ms)
{
    std::sort(ms.begin(), ms.end(), [](const Member *a, const Member *b) {
        const bool ra = a->state == WorkerState::Ready, rb = b->state == WorkerState::Ready;
        if (ra != rb)
            return !ra;
        return a->created > b->created;
    });
}

} // namespace

std::string_view strategyName(config::RolloutStrategy strategy)
{
    switch (strategy) {
    case config::RolloutStrategy::Rolling:
        return "rolling";
    case config::RolloutStrategy::BlueGreen:
        return "blue-green";
    case config::RolloutStrategy::Canary:
        return "canary";
    case config::RolloutStrategy::Recreate:
        return "recreate";
    }
    return "rolling";
}

std::pair<int, int> budgets(const config::RolloutSpec &spec, int desired)
{
    switch (spec.strategy) {
    case config::RolloutStrategy::Rolling:
        if (spec.maxSurge == 0 && spec.maxUnavailable == 0)
            return {0, 1}; // the validator refuses it when written; never stand still
        return {spec.maxSurge, spec.maxUnavailable};
    case config::RolloutStrategy::BlueGreen:
        return {std::max(1, desired), 0};
    case config::RolloutStrategy::Canary:
        return {1, 0};
    case config::RolloutStrategy::Recreate:
        return {0, std::max(1, desired)};
    }
    return {1, 0};
}

Decision decide(const Input &in)
{
    Decision d;
    const int n = std::max(0, in.desired);
    auto available = [&](const Member &m) {
        return m.state == WorkerState::Ready && in.now - m.readySince >= in.spec.minReady;
    };

    std::vector<const Member *> fresh, old;
    int newAvailable = 0, oldReady = 0, oldLeaving = 0;
    const Member *failing = nullptr;
    for (const Member &m : in.members) {
        if (m.leaving) {
            oldLeaving += !m.isNew;
            continue;
        }
        d.ready += m.state == WorkerState::Ready;
        if (m.isNew) {
            fresh.push_back(&m);
            newAvailable += available(m);
            if (!failing && (m.state == WorkerState::Failed || m.restarts >= kFailingRestarts))
                failing = &m;
        } else {
            old.push_back(&m);
            oldReady += m.state == WorkerState::Ready;
        }
    }
    d.updated = int(fresh.size());
    d.updatedReady = newAvailable;
    d.old = int(old.size()) + oldLeaving;
    d.progress = {d.updated, d.updatedReady, d.old};
    d.progressed = d.progress != in.progress;
    const Clock::time_point lastProgress = d.progressed ? in.now : in.lastProgress;

    auto finishStep = [&] {
        if (d.step.empty())
            d.step = std::to_string(newAvailable) + " of " + std::to_string(n) + " new ready, " +
                     plural(d.old, "old worker", "old workers") + " left";
    };

    if (!in.rollingBack && failing) {
        const std::string what =
            failing->state == WorkerState::Failed
                ? failing->id + " failed (restart limit)"
                : failing->id + " crashed " + std::to_string(failing->restarts) + " times";
        if (in.spec.autoRollback) {
            d.verdict = Decision::Verdict::RollBack;
            d.reason = "new workers fail: " + what;
            return d;
        }
        d.step = "new workers fail: " + what;
    }
    const std::vector<config::CanaryStep> &steps = in.spec.canarySteps;
    const bool canary = in.spec.strategy == config::RolloutStrategy::Canary && !in.rollingBack;
    const int k = std::max(0, in.canaryStep);
    const bool inStep = canary && k < int(steps.size());
    if (!in.paused && !in.rollingBack) {
        // A canary step's pause is not a lack of progress: the deadline runs after it.
        Clock::time_point base = lastProgress;
        if (inStep && in.stepSince)
            base = std::max(base, *in.stepSince + steps[std::size_t(k)].pause);
        d.deadline = base + in.spec.progressDeadline;
        if (in.now >= *d.deadline) {
            d.reason = "no progress for " + config::formatDuration(in.spec.progressDeadline) +
                       " (progress_deadline): " + std::to_string(newAvailable) + " of " +
                       std::to_string(n) + " new ready";
            d.verdict =
                in.spec.autoRollback ? Decision::Verdict::RollBack : Decision::Verdict::Failed;
            return d;
        }
        d.wakeAt = d.deadline;
    }
    if (old.empty() && oldLeaving == 0 && int(fresh.size()) == n && newAvailable == n) {
        d.verdict = Decision::Verdict::Complete;
        d.step = "all " + std::to_string(n) + " workers of the new revision ready";
        return d;
    }
    // A new worker that is ready but not for min_ready yet: look again when it will be.
    for (const Member *m : fresh) {
        if (m->state == WorkerState::Ready && !available(*m)) {
            const Clock::time_point at = m->readySince + in.spec.minReady;
            if (!d.wakeAt || at < *d.wakeAt)
                d.wakeAt = at;
        }
    }
    if (in.paused) {
        d.step = "paused: " + std::to_string(newAvailable) + " of " + std::to_string(n) +
                 " new ready, " + plural(d.old, "old worker", "old workers") + " left";
        return d;
    }

    // Too many new workers (the pool was scaled down meanwhile): the extra ones go.
    if (int(fresh.size()) > n) {
        std::vector<const Member *> extra = fresh;
        sortForStop(extra);
        for (std::size_t i = 0; i < fresh.size() - std::size_t(n); ++i)
            d.stop.push_back(extra[i]->id);
    }
    const int missing = std::max(0, n - int(fresh.size()));

    if (inStep) {
        // Step k: enough new workers for its weight, all available; then the weight applies
        // at the gateway for the step's pause, while the new workers' error rate stays
        // within max_error_rate. The old set stays whole meanwhile.
        const config::CanaryStep &s = steps[std::size_t(k)];
        const int want = std::clamp((n * s.weight + 99) / 100, 1, std::max(1, n));
        const std::string label = "step " + std::to_string(k + 1) + " of " +
                                  std::to_string(steps.size()) + " (" + std::to_string(s.weight) +
                                  "%)";
        d.weight = in.stepSince ? s.weight : k > 0 ? steps[std::size_t(k - 1)].weight : 0;
        d.create = std::clamp(want - int(fresh.size()), 0, std::max(0, in.freeSlots));
        if (int(fresh.size()) < want || newAvailable < want) {
            d.step =
                label + ": waiting for " +
                plural(want - std::min(want, newAvailable), "canary worker", "canary workers") +
                " to be ready";
            return d;
        }
        if (!in.stepSince) {
            d.stepBegins = true;
            d.weight = s.weight;
            d.step = label + ": " + std::to_string(s.weight) +
                     "% of the requests go to the new revision";
            const Clock::time_point end = in.now + s.pause;
            d.wakeAt = d.wakeAt ? std::min(*d.wakeAt, end) : end;
            return d;
        }
        const double rate =
            in.canaryRequests > 0 ? double(in.canaryFailures) / double(in.canaryRequests) : 0.0;
        const bool pauseOver = in.now >= *in.stepSince + s.pause;
        const std::string counted = std::to_string(in.canaryFailures) + " of " +
                                    std::to_string(in.canaryRequests) + " requests failed";
        if (in.canaryRequests > 0 && rate > in.spec.maxErrorRate &&
            (pauseOver || in.canaryRequests >= kCanarySample)) {
            d.reason = "canary " + label + ": " + counted + " (" + percent(rate) +
                       "), over max_error_rate " + percent(in.spec.maxErrorRate);
            d.verdict =
                in.spec.autoRollback ? Decision::Verdict::RollBack : Decision::Verdict::Failed;
            d.create = 0;
            return d;
        }
        if (pauseOver) {
            d.nextStep = true;
            d.step = label + " passed: " + counted;
            return d;
        }
        d.step = label + ": " + counted + " so far";
        const Clock::time_point end = *in.stepSince + s.pause;
        d.wakeAt = d.wakeAt ? std::min(*d.wakeAt, end) : end;
        return d;
    }

    if (in.spec.strategy == config::RolloutStrategy::BlueGreen || canary) {
        // (A canary whose steps all passed is promoted the same way, its last weight kept
        // until the switch.)
        if (canary && !steps.empty())
            d.weight = steps.back().weight;
        // The whole new set first, while the old one takes every request; once all of it is
        // available the traffic switches to it and every old worker drains and stops.
        d.create = std::clamp(missing, 0, std::max(0, in.freeSlots));
        if (missing == 0 && newAvailable >= n) {
            d.switchTraffic = true;
            for (const Member *m : old)
                d.stop.push_back(m->id);
            if (!old.empty())
                d.step = "traffic switched to the new revision; stopping " +
                         plural(int(old.size()), "old worker", "old workers");
            else
                d.step = "traffic switched to the new revision; waiting for " +
                         plural(oldLeaving, "old worker", "old workers") + " to stop";
        } else if (d.create == 0) {
            d.step = missing > 0 && in.freeSlots <= 0
                         ? "waiting for a free port in the pool's range (blue-green runs both "
                           "sets at once)"
                         : "starting the new set: " + std::to_string(newAvailable) + " of " +
                               std::to_string(n) + " ready; the old revision takes the traffic";
        }
        finishStep();
        return d;
    }

    if (in.spec.strategy == config::RolloutStrategy::Recreate) {
        // Every old worker stops first; the new ones start once none is left.
        if (!old.empty()) {
            for (const Member *m : old)
                d.stop.push_back(m->id);
            d.step = "stopping " + plural(int(old.size()), "old worker", "old workers");
        } else if (oldLeaving > 0) {
            d.step = "waiting for " + plural(oldLeaving, "old worker", "old workers") + " to stop";
        } else {
            d.create = std::min(missing, in.freeSlots);
        }
        finishStep();
        return d;
    }

    // Rolling: up to desired + surge workers; at least desired - unavailable available.
    const auto [surge, unavailable] = budgets(in.spec, n);
    const int total = int(fresh.size()) + int(old.size());
    d.create = std::clamp(std::min(n + surge - total, missing), 0, std::max(0, in.freeSlots));
    const int minAvailable = std::max(0, n - unavailable);
    const int newUnavailable = int(fresh.size()) - newAvailable + d.create;
    int scaleDown = total + d.create - minAvailable - newUnavailable;
    if (scaleDown > 0 && !old.empty()) {
        std::vector<const Member *> order = old;
        sortForStop(order); // the ones not ready first: stopping them costs no capacity
        int availableNow = newAvailable + oldReady;
        for (const Member *m : order) {
            if (scaleDown <= 0)
                break;
            if (m->state == WorkerState::Ready) {
                if (availableNow - 1 < minAvailable)
                    break;
                --availableNow;
            }
            d.stop.push_back(m->id);
            --scaleDown;
        }
    }
    if (d.create == 0 && d.stop.empty()) {
        if (missing > 0 && in.freeSlots <= 0)
            d.step = "waiting for a free port in the pool's range";
        else if (newAvailable < int(fresh.size()))
            d.step =
                "waiting for " +
                plural(int(fresh.size()) - newAvailable, "new worker", "new workers") +
                " to be ready" +
                (in.spec.minReady.count() > 0 ? " for " + config::formatDuration(in.spec.minReady)
                                              : std::string());
        else if (oldLeaving > 0)
            d.step = "waiting for " + plural(oldLeaving, "old worker", "old workers") + " to stop";
    }
    finishStep();
    return d;
}

} // namespace drover::engine::rollout
