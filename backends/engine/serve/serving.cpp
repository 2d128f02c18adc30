#include "engine/serve/serving.h"

#include "api/clock.h"
#include "engine/health/prober.h"
#include "engine/loop.h"
#include "engine/observe/metricsstore.h"
#include "engine/pools.h"
#include "engine/registry.h"
#include "engine/specs.h"
#include "engine/stream.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>

namespace drover::engine {

using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kScaleEventsKept = 100;

const char *strategyName(config::GatewayStrategy s)
{
    switch (s) {
    case config::GatewayStrategy::RoundRobin:
        return "round-robin";
    case config::GatewayStrategy::LeastBusy:
        return "least-busy";
    case config::GatewayStrategy::RandomTwo:
        return "random-two";
    }
    return "least-busy";
}

struct ScaleEvent
{
    std::int64_t timeMs = 0;
    int from = 0;
    int to = 0;
    std::string why;
};

/// The gauges and counters recorded once a second, as `pool/<name>/gateway/<what>` (the
/// console charts them; /metrics shows their newest values).
constexpr std::array kSeries{"rps",
                             "inflight",
                             "queued",
                             "queue_wait_p50_ms",
                             "queue_wait_p99_ms",
                             "latency_p50_ms",
                             "latency_p99_ms",
                             "errors_per_s",
                             "requests_total",
                             "responses_2xx_total",
                             "responses_3xx_total",
                             "responses_4xx_total",
                             "responses_5xx_total",
                             "status_429_total",
                             "status_503_total",
                             "status_504_total",
                             "retries_total",
                             "cold_starts_total",
                             "ejections_total",
                             "leases_expired_total",
                             "scale_events_total"};

} // namespace

struct Serving::Door
{
    struct Drain
    {
        std::function<void()> then;
        std::unique_ptr<boost::asio::steady_timer> deadline;
        Clock::time_point since;
    };
    std::unique_ptr<serve::Gateway> gateway;
    std::map<std::string, Drain, std::less<>> draining; ///< by worker
    std::optional<config::Endpoint> listening;
    serve::ScaleMemory memory;
    std::deque<ScaleEvent> scaleEvents;
    std::uint64_t scaleEventsTotal = 0;
    std::uint64_t lastRequests = 0;
    std::uint64_t lastErrors = 0;
    std::array<MetricsStore::Handle, kSeries.size()> series;
};

struct Serving::Private
{
    Private(Loop &loop, Registry &registry, const ConfigView &config, Pools &pools, Stream &stream,
            MetricsStore &metrics, Prober &prober)
        : loop(loop)
        , registry(registry)
        , config(config)
        , pools(pools)
        , stream(stream)
        , metrics(metrics)
        , prober(prober)
        , timer(loop.io)
    {}

    Loop &loop;
    Registry &registry;
    const ConfigView &config;
    Pools &pools;
    Stream &stream;
    MetricsStore &metrics;
    Prober &prober;
    boost::asio::steady_timer timer;
    std::map<std::string, Door, std::less<>> doors;
    /// Doors of removed pools (or an old listen address) whose workers still drain.
    std::map<std::string, Door, std::less<>> retiring;
    std::map<std::string, serve::ScaleMemory, std::less<>> undoored; ///< autoscaled, no door
    std::map<std::string, std::deque<ScaleEvent>, std::less<>> undooredEvents;
    std::map<std::string, serve::Route, std::less<>> routes; ///< by pool, when not All
    bool closed = false;
    Clock::time_point lastTick = Clock::now();
};

Serving::Serving(Loop &loop, Registry &registry, const ConfigView &config, Pools &pools,
                 Stream &stream, MetricsStore &metrics, Prober &prober)
    : d(std::make_unique<Private>(loop, registry, config, pools, stream, metrics, prober))
{}

Serving::~Serving()
{
    close();
}

Serving::Door *Serving::findDoor(const std::string &pool)
{
    auto it = d->doors.find(pool);
    return it == d->doors.end() ? nullptr : &it->second;
}

void Serving::openDoor(const std::string &pool, bool withListener,
                       std::vector<std::string> *problems)
{
    const config::PoolSpec *spec = d->config.pool(pool);
    std::optional<config::GatewaySpec> gw = spec ? spec->gateway : std::nullopt;
    Door &door = d->doors[pool];
    serve::Gateway::Hooks hooks;
    hooks.coldStart = [this, pool] { coldStart(pool); };
    hooks.idle = [this, pool](const std::string &worker) { drainedOne(pool, worker, false); };
    door.gateway = std::make_unique<serve::Gateway>(d->loop.io, pool, gw, std::move(hooks));
    for (Worker *w : d->registry.poolWorkers(pool))
        applyRoute(door, *w);
    if (auto r = d->routes.find(pool);
        r != d->routes.end() && r->second.mode == serve::Route::Mode::Split)
        door.gateway->setSplit(r->second.weight);
    if (withListener && gw && gw->listen.port) {
        if (std::optional<std::string> problem = door.gateway->listen()) {
            const std::string message = "pool " + pool + ": gateway " + *problem;
            spdlog::error("gateway.error pool={} error=\"{}\"", pool, *problem);
            d->stream.addEvent("gateway.error", pool, message);
            if (problems)
                problems->push_back(message);
        } else {
            door.listening = gw->listen;
            spdlog::info("gateway.listen pool={} address={} strategy={}", pool,
                         gw->listen.toString(), strategyName(gw->strategy));
            d->stream.addEvent("gateway.listening", pool,
                               "pool " + pool + ": gateway listening on " + gw->listen.toString());
        }
    }
}

Serving::Door &Serving::door(const std::string &pool)
{
    if (Door *found = findDoor(pool))
        return *found;
    openDoor(pool, false, nullptr);
    return d->doors[pool];
}

std::vector<std::string> Serving::start()
{
    std::vector<std::string> problems;
    for (const config::PoolSpec &spec : d->config->pools) {
        if (spec.gateway)
            openDoor(spec.name, true, &problems);
    }
    tick();
    return problems;
}

void Serving::reload()
{
    if (d->closed)
        return;
    // Doors of pools that are gone, or whose listen address changed, close.
    std::vector<std::string> closing;
    for (auto &[name, door] : d->doors) {
        const config::PoolSpec *spec = d->config.pool(name);
        const std::optional<config::Endpoint> want =
            spec && spec->gateway && spec->gateway->listen.port
                ? std::optional(spec->gateway->listen)
                : std::nullopt;
        if (!spec || want != door.listening)
            closing.push_back(name);
        else
            door.gateway->update(spec->gateway);
    }
    for (const std::string &name : closing) {
        auto node = d->doors.extract(name);
        node.mapped().gateway->close();
        // A door with workers still draining stays until they are done (no new requests).
        if (node.mapped().draining.empty())
            continue;
        auto kept = d->retiring.insert(std::move(node));
        if (!kept.inserted) {
            // One retiring door per pool at a time: the stops this one held go on now.
            for (auto &[worker, drain] : kept.node.mapped().draining)
                d->loop.later(std::move(drain.then));
        }
    }
    for (const config::PoolSpec &spec : d->config->pools) {
        if (spec.gateway && !findDoor(spec.name))
            openDoor(spec.name, true, nullptr);
    }
}

void Serving::close()
{
    if (d->closed)
        return;
    d->closed = true;
    d->timer.cancel();
    for (auto &[name, door] : d->doors)
        door.gateway->close();
}

void Serving::transitioned(Worker &w)
{
    if (w.fromPidFile)
        return;
    Door *door = findDoor(w.pool());
    if (!door)
        return;
    applyRoute(*door, w);
    if (door->gateway->traffic().queued > 0)
        d->prober.hurry(w); // a worker starting while requests wait
}

bool Serving::routable(const Worker &w) const
{
    // A worker whose stop waits for its drain takes nothing new, whatever its probes say.
    if (!w.info().ready() || w.sup.drainingFor)
        return false;
    auto it = d->routes.find(w.pool());
    if (it == d->routes.end())
        return true;
    const serve::Route &r = it->second;
    switch (r.mode) {
    case serve::Route::Mode::Only:
        return w.info().revision == r.revision;
    case serve::Route::Mode::Exclude:
        return w.info().revision != r.revision;
    case serve::Route::Mode::All:
    case serve::Route::Mode::Split:
        break;
    }
    return true;
}

void Serving::applyRoute(Door &door, Worker &w)
{
    auto it = d->routes.find(w.pool());
    const bool canary = it != d->routes.end() && it->second.mode == serve::Route::Mode::Split &&
                        w.info().revision == it->second.revision;
    door.gateway->setBackend(w.id(), w.info().port.value_or(0), routable(w));
    door.gateway->setCanary(w.id(), canary);
}

void Serving::route(const std::string &pool, const serve::Route &route)
{
    // The rollout room says its route at every step: only a change is applied (a worker's
    // own changes come through transitioned()).
    auto it = d->routes.find(pool);
    if (it == d->routes.end() ? route.mode == serve::Route::Mode::All : it->second == route)
        return;
    if (route.mode == serve::Route::Mode::All)
        d->routes.erase(pool);
    else
        d->routes[pool] = route;
    Door *door = findDoor(pool);
    if (!door)
        return;
    for (Worker *w : d->registry.poolWorkers(pool))
        applyRoute(*door, *w);
    // The canaries' counts start again.
    door->gateway->setSplit(route.mode == serve::Route::Mode::Split ? route.weight : -1);
}

serve::Gateway::CanaryCounts Serving::canaryCounts(const std::string &pool)
{
    Door *door = findDoor(pool);
    return door ? door->gateway->canaryCounts() : serve::Gateway::CanaryCounts{};
}

bool Serving::drain(Worker &w, std::function<void()> drained)
{
    if (w.fromPidFile)
        return false;
    Door *door = findDoor(w.pool());
    if (!door || !door->gateway->spec() || door->draining.count(w.id()))
        return false;
    const config::Duration timeout = door->gateway->spec()->drainTimeout;
    door->gateway->setBackend(w.id(), w.info().port.value_or(0), false); // nothing new
    const int inflight = door->gateway->inflight(w.id());
    if (inflight == 0 || timeout <= 0ms)
        return false;
    spdlog::info("worker.draining worker={} inflight={} timeout={}", w.id(), inflight,
                 config::formatDuration(timeout));
    d->stream.addEvent("worker.draining", w.id(),
                       w.id() + ": no new requests; waiting for " + std::to_string(inflight) +
                           " in flight to finish (at most " + config::formatDuration(timeout) +
                           ")");
    Door::Drain &drain = door->draining[w.id()];
    drain.then = std::move(drained);
    drain.since = Clock::now();
    drain.deadline = std::make_unique<boost::asio::steady_timer>(d->loop.io, timeout);
    drain.deadline->async_wait([this, pool = w.pool(), id = w.id(),
                                alive = d->loop.token()](boost::system::error_code ec) {
        if (!ec && !alive.expired())
            drainedOne(pool, id, true);
    });
    return true;
}

void Serving::drainedOne(const std::string &pool, const std::string &worker, bool timedOut)
{
    Door *door = findDoor(pool);
    if (!door || !door->draining.count(worker)) {
        auto retired = d->retiring.find(pool);
        door = retired == d->retiring.end() ? nullptr : &retired->second;
    }
    if (!door)
        return;
    auto it = door->draining.find(worker);
    if (it == door->draining.end())
        return;
    Door::Drain drain = std::move(it->second);
    door->draining.erase(it);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - drain.since).count();
    if (timedOut) {
        const int left = door->gateway->inflight(worker);
        spdlog::warn("worker.drain-timeout worker={} inflight={} after_ms={:.0f}", worker, left,
                     ms);
        d->stream.addEvent("worker.drain-timeout", worker,
                           worker + ": drain timed out with " + std::to_string(left) +
                               " still in flight; stopping it now");
    } else {
        spdlog::info("worker.drained worker={} after_ms={:.0f}", worker, ms);
        drain.deadline->cancel();
    }
    if (door->draining.empty()) {
        // A retired door has done its last drain. (Erased in a later turn: its gateway may
        // be the one calling us.)
        auto retired = d->retiring.find(pool);
        if (retired != d->retiring.end() && &retired->second == door)
            d->loop.later([this, pool] {
                auto r = d->retiring.find(pool);
                if (r != d->retiring.end() && r->second.draining.empty())
                    d->retiring.erase(r);
            });
    }
    // The stop continues in a later turn: not inside the gateway's bookkeeping.
    d->loop.later(std::move(drain.then));
}

void Serving::acquire(const std::string &pool, std::chrono::milliseconds wait,
                      std::chrono::milliseconds ttl,
                      std::function<void(std::optional<serve::Gateway::Lease>, std::string)> done)
{
    door(pool).gateway->acquire(wait, ttl, std::move(done));
}

bool Serving::release(const std::string &pool, const std::string &lease)
{
    Door *door = findDoor(pool);
    return door && door->gateway->release(lease);
}

serve::Gateway *Serving::gateway(const std::string &pool)
{
    Door *door = findDoor(pool);
    return door ? door->gateway.get() : nullptr;
}

void Serving::coldStart(const std::string &name)
{
    for (Worker *w : d->registry.poolWorkers(name))
        d->prober.hurry(*w); // (only those starting or running, not yet ready)
    Pool *pool = d->registry.pool(name);
    const config::PoolSpec *spec = d->config.pool(name);
    if (d->closed || !pool || !spec || !spec->autoscale || !pool->started || pool->removing ||
        pool->desired > 0)
        return;
    Door *door = findDoor(name);
    if (!door)
        return;
    door->gateway->markColdStart();
    const serve::Traffic &t = door->gateway->traffic();
    const int perWorker = spec->gateway ? spec->gateway->perWorkerConcurrency : 1;
    const int to =
        std::max(1, serve::wanted(*spec->autoscale, {0, std::max(1, t.queued), perWorker}));
    door->scaleEvents.push_back({api::nowMs(), 0, to, "cold start: a request is waiting"});
    ++door->scaleEventsTotal;
    d->pools.scale(*pool, to, "cold start: a request is waiting");
}

void Serving::tick()
{
    if (d->closed)
        return;
    const Clock::time_point now = Clock::now();
    const double seconds = std::max(1e-3, std::chrono::duration<double>(now - d->lastTick).count());
    d->lastTick = now;
    const std::int64_t tMs = api::nowMs();
    for (const config::PoolSpec &spec : d->config->pools) {
        Door *door = findDoor(spec.name);
        if (door)
            recordMetrics(spec.name, *door, tMs, seconds);
        if (!spec.autoscale)
            continue;
        Pool *pool = d->registry.pool(spec.name);
        if (!pool || !pool->started || pool->removing)
            continue;
        serve::Load load;
        load.desired = pool->desired;
        if (door) {
            const serve::Traffic &t = door->gateway->traffic();
            load.busy = t.inflight + t.queued;
            load.perWorker =
                door->gateway->spec() ? door->gateway->spec()->perWorkerConcurrency : 1;
        }
        serve::ScaleMemory &memory = door ? door->memory : d->undoored[spec.name];
        if (std::optional<serve::ScaleDecision> decision =
                serve::decide(*spec.autoscale, load, memory, now)) {
            auto &events = door ? door->scaleEvents : d->undooredEvents[spec.name];
            events.push_back({tMs, pool->desired, decision->desired, decision->why});
            if (door)
                ++door->scaleEventsTotal;
            while (events.size() > kScaleEventsKept)
                events.pop_front();
            spdlog::info("pool.autoscale pool={} from={} to={} why=\"{}\"", spec.name,
                         pool->desired, decision->desired, decision->why);
            d->pools.scale(*pool, decision->desired, decision->why);
        }
    }
    // Workers that are gone leave their pool's door once nothing is in flight on them.
    for (auto &[name, door] : d->doors) {
        for (const serve::Backend &b : door.gateway->backends()) {
            if (b.inflight == 0 && !d->registry.find(b.worker))
                door.gateway->removeBackend(b.worker);
        }
    }
    d->timer.expires_after(1s);
    d->timer.async_wait([this, alive = d->loop.token()](boost::system::error_code ec) {
        if (!ec && !alive.expired())
            tick();
    });
}

void Serving::recordMetrics(const std::string &pool, Door &door, std::int64_t tMs, double seconds)
{
    const serve::Traffic &t = door.gateway->traffic();
    if (door.series[0].empty()) {
        for (std::size_t i = 0; i < kSeries.size(); ++i)
            door.series[i] = MetricsStore::Handle("pool/" + pool + "/gateway/" + kSeries[i]);
    }
    const std::uint64_t errors = t.status5xx + t.status429;
    const std::array<double, kSeries.size()> values{double(t.requests - door.lastRequests) /
                                                        seconds,
                                                    double(t.inflight),
                                                    double(t.queued),
                                                    t.queueWaitMs.at(50),
                                                    t.queueWaitMs.at(99),
                                                    t.latencyMs.at(50),
                                                    t.latencyMs.at(99),
                                                    double(errors - door.lastErrors) / seconds,
                                                    double(t.requests),
                                                    double(t.status2xx),
                                                    double(t.status3xx),
                                                    double(t.status4xx),
                                                    double(t.status5xx),
                                                    double(t.status429),
                                                    double(t.status503),
                                                    double(t.status504),
                                                    double(t.retries),
                                                    double(t.coldStarts),
                                                    double(t.ejections),
                                                    double(t.leasesExpired),
                                                    double(door.scaleEventsTotal)};
    door.lastRequests = t.requests;
    door.lastErrors = errors;
    for (std::size_t i = 0; i < values.size(); ++i)
        d->metrics.record(door.series[i], tMs, values[i]);
}

json Serving::traffic(const std::string &pool, std::size_t recent) const
{
    json out = json::object();
    out["pool"] = pool;
    auto it = d->doors.find(pool);
    const std::deque<ScaleEvent> *events = nullptr;
    if (it != d->doors.end())
        events = &it->second.scaleEvents;
    else if (auto e = d->undooredEvents.find(pool); e != d->undooredEvents.end())
        events = &e->second;
    json scale = json::array();
    if (events) {
        for (const ScaleEvent &e : *events)
            scale.push_back(
                {{"time_ms", e.timeMs}, {"from", e.from}, {"to", e.to}, {"why", e.why}});
    }
    out["scale_events"] = std::move(scale);
    if (it == d->doors.end()) {
        out["gateway"] = nullptr;
        return out;
    }
    const serve::Gateway &gw = *it->second.gateway;
    const serve::Traffic &t = gw.traffic();
    out["gateway"] = it->second.listening ? json(it->second.listening->toString()) : json(nullptr);
    out["inflight"] = t.inflight;
    out["queued"] = t.queued;
    out["queue_max"] = gw.spec() ? gw.spec()->queueMax : 256;
    out["per_worker_concurrency"] = gw.spec() ? gw.spec()->perWorkerConcurrency : 1;
    out["tunnels"] = t.tunnels;
    out["requests"] = t.requests;
    out["status"] = {{"2xx", t.status2xx}, {"3xx", t.status3xx}, {"4xx", t.status4xx},
                     {"5xx", t.status5xx}, {"429", t.status429}, {"503", t.status503},
                     {"504", t.status504}};
    out["retries"] = t.retries;
    out["cold_starts"] = t.coldStarts;
    out["last_cold_start_ms"] = t.lastColdStartMs;
    out["ejections"] = t.ejections;
    out["leases_granted"] = t.leases;
    out["leases_expired"] = t.leasesExpired;
    out["queue_wait_ms"] = {{"p50", t.queueWaitMs.at(50)}, {"p99", t.queueWaitMs.at(99)}};
    out["latency_ms"] = {{"p50", t.latencyMs.at(50)}, {"p99", t.latencyMs.at(99)}};
    json backends = json::array();
    for (const serve::Backend &b : gw.backends()) {
        backends.push_back({{"worker", b.worker},
                            {"port", b.port},
                            {"ready", b.ready},
                            {"inflight", b.inflight},
                            {"served", b.served},
                            {"breaker", serve::toString(b.breaker)},
                            {"ejections", b.ejections}});
    }
    out["workers"] = std::move(backends);
    json leases = json::array();
    for (const serve::Gateway::Lease &l : gw.leases())
        leases.push_back(
            {{"lease", l.id},
             {"worker", l.worker},
             {"endpoint", l.port > 0 ? json("127.0.0.1:" + std::to_string(l.port)) : json(nullptr)},
             {"expires_at_ms", l.expiresAtMs}});
    out["leases"] = std::move(leases);
    json decisions = json::array();
    const auto &rec = gw.recorder();
    const std::size_t from = rec.size() > recent ? rec.size() - recent : 0;
    for (std::size_t i = from; i < rec.size(); ++i) {
        const serve::Decision &x = rec[i];
        decisions.push_back({{"time_ms", x.timeMs},
                             {"request_id", x.requestId},
                             {"method", x.method},
                             {"target", x.target},
                             {"worker", x.worker},
                             {"queue_ms", x.queueMs},
                             {"latency_ms", x.latencyMs},
                             {"status", x.status},
                             {"outcome", x.outcome},
                             {"attempts", x.attempts},
                             {"detail", x.detail}});
    }
    out["recent"] = std::move(decisions);
    return out;
}

} // namespace drover::engine
