#pragma once

#include "config/spec.h"
#include "engine/serve/balancer.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace drover::engine::serve {

class Admission;
class Proxy;

/// One routing decision, as the flight recorder keeps it.
struct Decision
{
    std::int64_t timeMs = 0; ///< when the request arrived (Unix ms)
    std::string requestId;
    std::string method;
    std::string target;
    std::string worker;   ///< empty when none took it
    double queueMs = 0;   ///< time waiting for a free worker
    double latencyMs = 0; ///< arrival to the response's header sent
    int status = 0;       ///< as sent to the client
    std::string outcome;  ///< `ok`, `queue-full`, `queue-timeout`, `timeout`, `worker-error`,
                          ///< `rate-limited`, `retried`, `lease`...
    int attempts = 1;
    std::string detail; ///< what went wrong with the worker, in words (empty when nothing)
};

/// The flight recorder: the last `capacity` decisions in a ring whose slots are reused, so
/// that keeping one costs no allocation once the ring is full.
class Recorder
{
public:
    explicit Recorder(std::size_t capacity)
        : m_capacity(capacity)
    {}
    void add(const Decision &d)
    {
        if (m_slots.size() < m_capacity) {
            m_slots.push_back(d);
            return;
        }
        m_slots[m_first] = d;
        m_first = (m_first + 1) % m_capacity;
    }
    std::size_t size() const { return m_slots.size(); }
    /// The i-th oldest.
    const Decision &operator[](std::size_t i) const
    {
        return m_slots[(m_first + i) % m_slots.size()];
    }

private:
    std::size_t m_capacity;
    std::vector<Decision> m_slots;
    std::size_t m_first = 0; ///< the oldest, once the ring is full
};

/// What a pool's traffic has been since the gateway began (counters) and is now (gauges).
struct Traffic
{
    int inflight = 0; ///< requests and leases held by workers
    int queued = 0;
    int tunnels = 0;            ///< upgraded connections (WebSocket) passed through
    std::uint64_t requests = 0; ///< finished, whatever the outcome
    std::uint64_t status2xx = 0, status3xx = 0, status4xx = 0, status5xx = 0;
    std::uint64_t status429 = 0, status503 = 0, status504 = 0;
    std::uint64_t retries = 0;
    std::uint64_t coldStarts = 0;
    std::uint64_t ejections = 0;
    std::uint64_t leases = 0;        ///< granted
    std::uint64_t leasesExpired = 0; ///< reclaimed at their TTL
    Percentiles queueWaitMs;
    Percentiles latencyMs;
    double lastColdStartMs = 0; ///< first request's wait for a worker, from zero
};

/// A pool's door: the bounded queue in front of its workers, the choice of a worker, the
/// breakers and rate limit (an Admission, admission.h), and (when the pool has `gateway:`) the
/// HTTP/1.1 reverse proxy on the engine's loop (a Proxy, proxy.h). Leases (`pool.acquire`)
/// wait in the same queue.
class Gateway
{
public:
    struct Hooks
    {
        /// A request or lease waits and the pool has no worker that could ever take it
        /// (scaled to zero): start one now.
        std::function<void()> coldStart;
        /// A worker that is no longer ready has nothing in flight any more.
        std::function<void(const std::string &worker)> idle;
    };

    /// `spec` absent: a pool without `gateway:` (leases only; one lease per worker).
    Gateway(boost::asio::io_context &io, std::string pool, std::optional<config::GatewaySpec> spec,
            Hooks hooks);
    ~Gateway();
    Gateway(const Gateway &) = delete;
    Gateway &operator=(const Gateway &) = delete;

    /// Opens the listener (when the spec has one); an error message when it cannot.
    std::optional<std::string> listen();
    /// New settings from a reload (the listen address is the room's business: a changed one
    /// makes a new Gateway).
    void update(std::optional<config::GatewaySpec> spec);
    const std::optional<config::GatewaySpec> &spec() const;
    /// Stops accepting; open connections end after their current request.
    void close();

    /// A worker of the pool, as it is now; `ready` false stops new requests to it.
    void setBackend(const std::string &worker, int port, bool ready);
    void removeBackend(const std::string &worker);
    int inflight(const std::string &worker) const;
    std::vector<Backend> backends() const;

    /// A canary rollout: `weight` percent of the requests to the canary workers (negative:
    /// no split), see Balancer::setSplit. Their answers are counted from each call on.
    void setSplit(int weight);
    void setCanary(const std::string &worker, bool canary);
    struct CanaryCounts
    {
        std::uint64_t requests = 0; ///< answered by (or failed at) a canary worker
        std::uint64_t failures = 0; ///< of those: no connection, no answer in time, a 5xx
    };
    CanaryCounts canaryCounts() const;

    /// A lease: waits in the queue (at most `wait`) for a worker, holds it until release()
    /// or `ttl`. `done` gets the worker and its port, or an error outcome (`queue-full`,
    /// `queue-timeout`).
    struct Lease
    {
        std::string id;
        std::string worker;
        int port = 0;
        std::int64_t expiresAtMs = 0;
    };
    void acquire(std::chrono::milliseconds wait, std::chrono::milliseconds ttl,
                 std::function<void(std::optional<Lease>, std::string outcome)> done);
    bool release(const std::string &leaseId);
    std::vector<Lease> leases() const;

    const Traffic &traffic() const;
    /// The last routing decisions, oldest first.
    const Recorder &recorder() const;
    /// Sets the cold start timer: the next grant after it measures the wait from zero.
    void markColdStart();

private:
    std::shared_ptr<Admission> m_admission;
    std::unique_ptr<Proxy> m_proxy; ///< with `gateway:` only
};

} // namespace drover::engine::serve
