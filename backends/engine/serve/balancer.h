#pragma once

#include "config/spec.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

/// The gateway's decisions as plain data and functions (no sockets, no loop): which worker
/// takes a request, each worker's circuit breaker, the rate limit. The proxy (proxy.cpp)
/// and the leases ask these; tst_balancer checks them without a network.
namespace drover::engine::serve {

using Clock = std::chrono::steady_clock;

/// A worker's circuit: closed (takes traffic), open (ejected until `openUntil`), half-open
/// (one trial request decides).
enum class Breaker : std::uint8_t { Closed, Open, HalfOpen };
const char *toString(Breaker b);

/// One worker as the gateway sees it.
struct Backend
{
    std::string worker;  ///< its id, `api-2`
    int port = 0;        ///< 127.0.0.1:port
    bool ready = false;  ///< ready and not being stopped: may take new requests
    bool canary = false; ///< of the revision a canary rollout tries (see Balancer::setSplit)
    int inflight = 0;    ///< requests (and leases) it holds now
    std::uint64_t served = 0;

    Breaker breaker = Breaker::Closed;
    int consecutiveFailures = 0;
    Clock::time_point openUntil{};
    bool trialInFlight = false; ///< half-open: the one trial request is out
    std::uint64_t ejections = 0;
};

/// Picks the backend for the next request among those that may take one now: ready, under
/// `perWorkerConcurrency`, and not ejected (a half-open one takes exactly one trial request).
/// Returns an index into `backends`, or -1 when none may (the request waits in the queue).
class Balancer
{
public:
    explicit Balancer(std::uint64_t seed = std::random_device{}())
        : m_rng(seed)
    {}

    int choose(std::vector<Backend> &backends, config::GatewayStrategy strategy,
               int perWorkerConcurrency, Clock::time_point now);

    /// A canary rollout's traffic split: `weight` percent of the requests go to the canary
    /// backends, the rest to the others (the strategy chooses within the group); when the
    /// drawn group has no backend free now, the other one takes the request rather than
    /// let it wait. A negative weight: no split.
    void setSplit(int weight) { m_split = weight; }
    int split() const { return m_split; }

    /// The outcome of a request sent to `b`: a failure is a connect error, a reset, a
    /// timeout or a 5xx answer (as Envoy's consecutive_5xx). Returns true when this failure
    /// opened the breaker (an ejection).
    static bool record(Backend &b, bool failed, int failuresToOpen,
                       std::chrono::milliseconds openFor, Clock::time_point now);

private:
    static bool eligible(Backend &b, int perWorkerConcurrency, Clock::time_point now);
    /// choose() among the backends whose `canary` is `group` (any when negative).
    int chooseIn(std::vector<Backend> &backends, config::GatewayStrategy strategy,
                 int perWorkerConcurrency, Clock::time_point now, int group);

    std::mt19937_64 m_rng;
    int m_split = -1;
    std::size_t m_next = 0;                ///< round-robin position
    std::array<std::size_t, 2> m_nextIn{}; ///< ... within the split's groups (not canary, canary)
};

/// A token bucket: `rate` tokens a second, at most `burst` kept.
class TokenBucket
{
public:
    TokenBucket() = default;
    TokenBucket(double rate, double burst, Clock::time_point now)
        : m_rate(rate)
        , m_burst(burst)
        , m_tokens(burst)
        , m_last(now)
    {}

    bool take(Clock::time_point now);
    /// Whole seconds until the next token (for Retry-After), at least 1.
    int retryAfterSeconds() const;

private:
    double m_rate = 0;
    double m_burst = 0;
    double m_tokens = 0;
    Clock::time_point m_last{};
};

/// A bounded sample of recent values with their percentiles (queue wait, latency).
class Percentiles
{
public:
    explicit Percentiles(std::size_t capacity = 2048)
        : m_capacity(capacity)
    {}
    void add(double v);
    /// The p-th percentile (0..100) of the values kept; 0 when there are none.
    double at(double p) const;
    std::size_t size() const { return m_values.size(); }
    void clear()
    {
        m_values.clear();
        m_next = 0;
    }

private:
    std::size_t m_capacity;
    std::vector<double> m_values;
    std::size_t m_next = 0;
};

} // namespace drover::engine::serve
