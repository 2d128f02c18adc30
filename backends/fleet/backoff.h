#pragma once

#include <algorithm>
#include <chrono>
#include <random>

namespace drover::fleet {

/// The wait before the next attempt to reach etcd: `first`, doubling up to `max`, plus up to
/// a quarter of it at random (so that masters that lost etcd together do not come back
/// together); reset() once etcd answered.
class Backoff
{
public:
    Backoff(std::chrono::milliseconds first, std::chrono::milliseconds max)
        : m_first(first)
        , m_max(max)
        , m_next(first)
        , m_random(std::random_device{}())
    {}

    std::chrono::milliseconds next()
    {
        const auto jitter =
            std::uniform_int_distribution<long>(0, long(m_next.count() / 4))(m_random);
        const auto wait = m_next + std::chrono::milliseconds(jitter);
        m_next = std::min(m_next * 2, m_max);
        return wait;
    }
    void reset() { m_next = m_first; }

private:
    std::chrono::milliseconds m_first;
    std::chrono::milliseconds m_max;
    std::chrono::milliseconds m_next;
    std::mt19937 m_random;
};

} // namespace drover::fleet
