#include "engine/serve/balancer.h"

#include <algorithm>
#include <cmath>

namespace drover::engine::serve {

const char *toString(Breaker b)
{
    switch (b) {
    case Breaker::Closed:
        return "closed";
    case Breaker::Open:
        return "open";
    case Breaker::HalfOpen:
        return "half-open";
    }
    return "closed";
}

bool Balancer::eligible(Backend &b, int perWorkerConcurrency, Clock::time_point now)
{
    if (!b.ready || b.inflight >= perWorkerConcurrency)
        return false;
    switch (b.breaker) {
    case Breaker::Closed:
        return true;
    case Breaker::Open:
        if (now < b.openUntil)
            return false;
        b.breaker = Breaker::HalfOpen;
        b.trialInFlight = false;
        [[fallthrough]];
    case Breaker::HalfOpen:
        return !b.trialInFlight;
    }
    return false;
}

int Balancer::choose(std::vector<Backend> &backends, config::GatewayStrategy strategy,
                     int perWorkerConcurrency, Clock::time_point now)
{
    if (m_split < 0)
        return chooseIn(backends, strategy, perWorkerConcurrency, now, -1);
    const int group = int(m_rng() % 100) < m_split ? 1 : 0;
    const int chosen = chooseIn(backends, strategy, perWorkerConcurrency, now, group);
    return chosen >= 0 ? chosen
                       : chooseIn(backends, strategy, perWorkerConcurrency, now, 1 - group);
}

int Balancer::chooseIn(std::vector<Backend> &backends, config::GatewayStrategy strategy,
                       int perWorkerConcurrency, Clock::time_point now, int group)
{
    const std::size_t n = backends.size();
    if (n == 0)
        return -1;
    std::size_t &next = group < 0 ? m_next : m_nextIn[std::size_t(group)];
    auto eligible = [&](Backend &b) {
        return (group < 0 || int(b.canary) == group) &&
               Balancer::eligible(b, perWorkerConcurrency, now);
    };
    int chosen = -1;
    switch (strategy) {
    case config::GatewayStrategy::RoundRobin:
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t at = (next + i) % n;
            if (eligible(backends[at])) {
                chosen = int(at);
                next = at + 1;
                break;
            }
        }
        break;
    case config::GatewayStrategy::LeastBusy:
        // The fewest in flight; among equals, the one after the last chosen, so that an idle
        // pool still spreads its requests.
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t at = (next + i) % n;
            if (eligible(backends[at]) &&
                (chosen < 0 || backends[at].inflight < backends[std::size_t(chosen)].inflight))
                chosen = int(at);
        }
        if (chosen >= 0)
            next = std::size_t(chosen) + 1;
        break;
    case config::GatewayStrategy::RandomTwo: {
        // Two distinct random candidates among the eligible ones; the less busy one wins.
        std::vector<int> candidates;
        candidates.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            if (eligible(backends[i]))
                candidates.push_back(int(i));
        }
        if (candidates.empty())
            break;
        if (candidates.size() == 1) {
            chosen = candidates.front();
            break;
        }
        std::uniform_int_distribution<std::size_t> pick(0, candidates.size() - 1);
        const std::size_t a = pick(m_rng);
        std::size_t b = pick(m_rng);
        if (b == a)
            b = (a + 1) % candidates.size();
        const int x = candidates[a], y = candidates[b];
        chosen = backends[std::size_t(y)].inflight < backends[std::size_t(x)].inflight ? y : x;
        break;
    }
    }
    if (chosen >= 0 && backends[std::size_t(chosen)].breaker == Breaker::HalfOpen)
        backends[std::size_t(chosen)].trialInFlight = true;
    return chosen;
}

bool Balancer::record(Backend &b, bool failed, int failuresToOpen,
                      std::chrono::milliseconds openFor, Clock::time_point now)
{
    const bool trial = b.breaker == Breaker::HalfOpen;
    b.trialInFlight = false;
    if (!failed) {
        b.consecutiveFailures = 0;
        b.breaker = Breaker::Closed;
        return false;
    }
    ++b.consecutiveFailures;
    if (trial || (b.breaker == Breaker::Closed && failuresToOpen > 0 &&
                  b.consecutiveFailures >= failuresToOpen)) {
        b.breaker = Breaker::Open;
        b.openUntil = now + openFor;
        ++b.ejections;
        return true;
    }
    return false;
}

bool TokenBucket::take(Clock::time_point now)
{
    const double elapsed = std::chrono::duration<double>(now - m_last).count();
    m_last = now;
    m_tokens = std::min(m_burst, m_tokens + elapsed * m_rate);
    if (m_tokens < 1.0)
        return false;
    m_tokens -= 1.0;
    return true;
}

int TokenBucket::retryAfterSeconds() const
{
    if (m_rate <= 0)
        return 1;
    return std::max(1, int(std::ceil((1.0 - m_tokens) / m_rate)));
}

void Percentiles::add(double v)
{
    if (m_values.size() < m_capacity) {
        m_values.push_back(v);
        return;
    }
    m_values[m_next] = v;
    m_next = (m_next + 1) % m_capacity;
}

double Percentiles::at(double p) const
{
    if (m_values.empty())
        return 0;
    std::vector<double> sorted = m_values;
    const std::size_t rank =
        std::min(sorted.size() - 1,
                 std::size_t(std::ceil(p / 100.0 * double(sorted.size()))) - (p > 0 ? 1 : 0));
    std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(rank), sorted.end());
    return sorted[rank];
}

} // namespace drover::engine::serve
