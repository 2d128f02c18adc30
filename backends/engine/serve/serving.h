#pragma once

#include "engine/serve/autoscaler.h"
#include "engine/serve/gateway.h"
#include "engine/serve/route.h"

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <memory>
#include <string>

namespace drover::config {
struct Config;
}

namespace drover::engine {

struct Loop;
class ConfigView;
class MetricsStore;
class Pools;
class Prober;
class Registry;
class Stream;
class Worker;

/// The serving room: each pool's Gateway (queue, worker choice, breakers, the HTTP proxy
/// when the pool has `gateway:`), its leases, and the autoscaler that sizes it from the load.
/// Told of every transition, so that only ready workers take traffic.
class Serving
{
public:
    Serving(Loop &loop, Registry &registry, const ConfigView &config, Pools &pools, Stream &stream,
            MetricsStore &metrics, Prober &prober);
    ~Serving();

    /// Opens the gateways of the config's pools; the problems (a port in use) as messages,
    /// each also an event and a log line; the master runs on without that gateway.
    std::vector<std::string> start();
    /// After a reload: gateways of removed pools close, new ones open, changed ones take
    /// their new settings (a new listen address means a new listener).
    void reload();
    /// The master is stopping: no new connections; open ones end after their request.
    void close();
    /// Only ready workers take requests; a worker that requests wait for is probed soon
    /// (Prober::hurry) until it is ready.
    void transitioned(Worker &w);
    /// Which of the pool's workers take requests (Rollouts::Router).
    void route(const std::string &pool, const serve::Route &route);
    /// The canary workers' requests and failures at the pool's gateway since its split was
    /// last set (zeros without a gateway).
    serve::Gateway::CanaryCounts canaryCounts(const std::string &pool);
    /// Before `w` is stopped (Supervisor's drainer): when its gateway has requests in flight
    /// on it, it takes no new ones and `drained` runs once they finished or `drain_timeout`
    /// passed; false when there is nothing to wait for.
    bool drain(Worker &w, std::function<void()> drained);

    /// `pool.acquire`: a lease on a worker, waiting in the pool's queue.
    void acquire(const std::string &pool, std::chrono::milliseconds wait,
                 std::chrono::milliseconds ttl,
                 std::function<void(std::optional<serve::Gateway::Lease>, std::string)> done);
    /// `pool.release`; false for an unknown lease.
    bool release(const std::string &pool, const std::string &lease);

    /// The pool's gateway, if it has one (or leases made one).
    serve::Gateway *gateway(const std::string &pool);
    /// The traffic of a pool as JSON (`pool.traffic`): counters, percentiles, backends with
    /// their breakers, leases, the flight recorder's last `recent` decisions, scale events.
    nlohmann::json traffic(const std::string &pool, std::size_t recent) const;

private:
    struct Door;
    Door &door(const std::string &pool);
    Door *findDoor(const std::string &pool);
    void openDoor(const std::string &pool, bool withListener, std::vector<std::string> *problems);
    void tick();
    /// Ready, not draining, and of a revision the pool's route lets through.
    bool routable(const Worker &w) const;
    /// The worker's backend at the door as routable() and the route's canaries say.
    void applyRoute(Door &door, Worker &w);
    /// A request waits and no worker is ready: the workers on their way are hurried, and a
    /// pool scaled to zero starts one.
    void coldStart(const std::string &pool);
    void drainedOne(const std::string &pool, const std::string &worker, bool timedOut);
    void recordMetrics(const std::string &pool, Door &door, std::int64_t tMs, double seconds);

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace drover::engine
