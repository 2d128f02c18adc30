#pragma once

// Private to the gateway (gateway.cpp, proxy.cpp): not for the rest of the engine.

// clang-format off
// Boost 1.74's Asio uses std::exchange without including <utility> (g++ 12, C++20): keep it first.
#include <utility>
// clang-format on

#include "engine/serve/gateway.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>

#include <deque>
#include <map>
#include <set>

namespace drover::engine::serve {

// One concrete executor, not Asio's type-erased default: no executor copies through a
// polymorphic wrapper on every operation of the proxy's hot path.
using Executor = boost::asio::io_context::executor_type;
template <class T>
using Awaitable = boost::asio::awaitable<T, Executor>;
using Timer = boost::asio::basic_waitable_timer<Clock, boost::asio::wait_traits<Clock>, Executor>;

/// `v` as `digits` lower-case hex digits at `out` (ids, trace ids).
inline void hexInto(char *out, std::uint64_t v, int digits)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    for (int i = digits - 1; i >= 0; --i, v >>= 4)
        out[i] = kDigits[v & 15];
}

/// Who gets in, and to which worker: the pool's bounded queue, the grants of free workers
/// (the balancer's choice), the breakers, the rate limit, the leases, and the counts and
/// flight recorder of what came of it all. Knows nothing of HTTP: the proxy asks it for a
/// worker and tells it how the try went; a lease holds a worker the same way.
class Admission : public std::enable_shared_from_this<Admission>
{
public:
    Admission(boost::asio::io_context &io, std::string pool,
              std::optional<config::GatewaySpec> spec, Gateway::Hooks hooks);
    Admission(const Admission &) = delete;
    Admission &operator=(const Admission &) = delete;

    /// A worker handed to a request or lease; `worker` empty when none was (see `outcome`:
    /// `queue-full`, `queue-timeout`, `closing`).
    struct Grant
    {
        std::string worker;
        int port = 0;
        double queueMs = 0;
        std::string outcome;
    };

    boost::asio::io_context &io() const { return m_io; }
    const std::string &pool() const { return m_pool; }
    const std::optional<config::GatewaySpec> &spec() const { return m_spec; }
    void update(std::optional<config::GatewaySpec> spec);
    int perWorker() const;
    std::chrono::milliseconds requestTimeout() const;
    std::chrono::milliseconds queueTimeout() const;
    /// Grants fail with `closing`, waiting ones end, leases go; hooks stop (but `idle`, for
    /// workers that finish draining).
    void close();
    bool closed() const { return m_closed; }
    /// For a Gateway that is gone while a coroutine still holds this.
    void dropHooks() { m_hooks = {}; }

    /// The rate limit: whether a request arriving at `now` may go on.
    bool admit(Clock::time_point now);
    /// When a refused one should come back.
    int retryAfterSeconds() const;

    /// A free worker now, without waiting (and without a coroutine frame): the common case.
    std::optional<Grant> takeNow(Clock::time_point since);
    /// A free worker, waiting in the queue at most `wait`.
    Awaitable<Grant> acquire(std::chrono::milliseconds wait);
    /// A request or lease is done with `worker`; `failed` says how the try went, for its
    /// breaker and a canary's counts (nothing: it does not count, e.g. a lease).
    void release(const std::string &worker, std::optional<bool> failed);

    /// The worker as it is now. True when the connections kept to it are no longer of use (a
    /// new port, or it takes no requests).
    bool setBackend(const std::string &worker, int port, bool ready);
    void removeBackend(const std::string &worker);
    const Backend *find(std::string_view worker) const;
    const std::vector<Backend> &backends() const { return m_backends; }

    void setSplit(int weight);
    void setCanary(const std::string &worker, bool canary);
    const Gateway::CanaryCounts &canaryCounts() const { return m_canary; }

    void lease(std::chrono::milliseconds wait, std::chrono::milliseconds ttl,
               std::function<void(std::optional<Gateway::Lease>, std::string)> done);
    bool endLease(const std::string &leaseId);
    std::vector<Gateway::Lease> leases() const;

    /// A finished request (or lease) into the counts and the flight recorder.
    void record(const Decision &d);
    Traffic &traffic() { return m_traffic; }
    const Recorder &recorder() const { return m_recorder; }
    void markColdStart();

private:
    struct Waiter
    {
        explicit Waiter(boost::asio::io_context &io)
            : timer(io)
        {}
        Timer timer;
        Clock::time_point since;
        bool granted = false;
        std::string worker;
        int port = 0;
    };
    struct LeaseRecord
    {
        Gateway::Lease lease;
        std::unique_ptr<Timer> timer;
    };

    config::GatewayStrategy strategy() const;
    int queueMax() const;
    void resetBucket();
    Backend *findMutable(std::string_view worker);
    bool anyReady() const;
    Grant take(std::size_t i, Clock::time_point since);
    /// Hands free workers to the requests waiting longest.
    void pump();
    void armTrialTimer(const Backend &b);
    Awaitable<void>
    leaseWhenGranted(std::chrono::milliseconds wait, std::chrono::milliseconds ttl,
                     std::function<void(std::optional<Gateway::Lease>, std::string)> done);

    boost::asio::io_context &m_io;
    std::string m_pool;
    std::optional<config::GatewaySpec> m_spec;
    Gateway::Hooks m_hooks;
    bool m_closed = false;
    std::mt19937_64 m_rng;

    Balancer m_balancer;
    std::vector<Backend> m_backends;
    std::deque<std::shared_ptr<Waiter>> m_queue;
    std::optional<TokenBucket> m_bucket;
    Traffic m_traffic;
    Recorder m_recorder;
    std::map<std::string, LeaseRecord> m_leases;
    std::uint64_t m_leaseCounter = 0;
    /// Breakers' trial timers under way: close() cancels them, else the loop (and the
    /// master's shutdown) waits up to `open_for` for them.
    std::set<std::shared_ptr<Timer>> m_trialTimers;
    bool m_coldPending = false;
    Clock::time_point m_coldSince{};
    Gateway::CanaryCounts m_canary;
};

} // namespace drover::engine::serve
