// Who gets in, and to which worker: the queue, grants, breakers, rate limit and leases.
//
// clang-format off
// Boost 1.74's Asio uses std::exchange without including <utility> (g++ 12, C++20): keep it first.
#include <utility>
// clang-format on

#include "engine/serve/admission.h"

#include "api/clock.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace drover::engine::serve {

namespace {

namespace asio = boost::asio;
using boost::system::error_code;

constexpr std::size_t kRecorderSize = 1000;

double msSince(Clock::time_point since)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

} // namespace

Admission::Admission(asio::io_context &io, std::string pool,
                     std::optional<config::GatewaySpec> spec, Gateway::Hooks hooks)
    : m_io(io)
    , m_pool(std::move(pool))
    , m_spec(std::move(spec))
    , m_hooks(std::move(hooks))
    , m_rng(std::random_device{}())
    , m_recorder(kRecorderSize)
{
    resetBucket();
}

int Admission::perWorker() const
{
    return m_spec ? std::max(1, m_spec->perWorkerConcurrency) : 1;
}

int Admission::queueMax() const
{
    return m_spec ? m_spec->queueMax : 256;
}

config::GatewayStrategy Admission::strategy() const
{
    return m_spec ? m_spec->strategy : config::GatewayStrategy::LeastBusy;
}

std::chrono::milliseconds Admission::requestTimeout() const
{
    return m_spec ? std::chrono::duration_cast<std::chrono::milliseconds>(m_spec->requestTimeout)
                  : std::chrono::milliseconds(30000);
}

std::chrono::milliseconds Admission::queueTimeout() const
{
    return m_spec ? std::chrono::duration_cast<std::chrono::milliseconds>(m_spec->queueTimeout)
                  : std::chrono::milliseconds(5000);
}

void Admission::update(std::optional<config::GatewaySpec> spec)
{
    const bool rateChanged = !m_spec || !spec || m_spec->rateLimitRps != spec->rateLimitRps ||
                             m_spec->rateLimitBurst != spec->rateLimitBurst;
    m_spec = std::move(spec);
    if (rateChanged)
        resetBucket();
    pump(); // a larger concurrency may free waiting requests
}

void Admission::resetBucket()
{
    if (m_spec && m_spec->rateLimitRps && *m_spec->rateLimitRps > 0) {
        const double burst =
            m_spec->rateLimitBurst > 0 ? double(m_spec->rateLimitBurst) : *m_spec->rateLimitRps;
        m_bucket.emplace(*m_spec->rateLimitRps, std::max(1.0, burst), Clock::now());
    } else {
        m_bucket.reset();
    }
}

bool Admission::admit(Clock::time_point now)
{
    return !m_bucket || m_bucket->take(now);
}

int Admission::retryAfterSeconds() const
{
    return m_bucket ? m_bucket->retryAfterSeconds() : 1;
}

void Admission::close()
{
    m_closed = true;
    m_hooks.coldStart = nullptr; // (idle still tells of workers that finish draining)
    for (auto &w : m_queue)
        w->timer.cancel();
    for (auto &[id, l] : m_leases)
        l.timer->cancel();
    m_leases.clear();
    for (const auto &timer : m_trialTimers)
        timer->cancel();
}

// ---- backends ----------------------------------------------------------------------------

Backend *Admission::findMutable(std::string_view worker)
{
    for (Backend &b : m_backends) {
        if (b.worker == worker)
            return &b;
    }
    return nullptr;
}

const Backend *Admission::find(std::string_view worker) const
{
    return const_cast<Admission *>(this)->findMutable(worker);
}

bool Admission::anyReady() const
{
    return std::any_of(m_backends.begin(), m_backends.end(),
                       [](const Backend &b) { return b.ready; });
}

bool Admission::setBackend(const std::string &worker, int port, bool ready)
{
    Backend *b = findMutable(worker);
    if (!b) {
        m_backends.push_back(Backend{});
        b = &m_backends.back();
        b->worker = worker;
    }
    const bool wasReady = b->ready;
    const bool newPort = b->port != port; // another process: its connections are gone
    b->port = port;
    // The proxy needs the worker's port; a lease (a pool without a gateway) only the worker.
    b->ready = ready && (port > 0 || !m_spec);
    const bool stale = newPort || !b->ready;
    if (b->ready && !wasReady) {
        b->breaker = Breaker::Closed;
        b->consecutiveFailures = 0;
        b->trialInFlight = false;
        pump();
    }
    if (!b->ready && wasReady && b->inflight == 0 && m_hooks.idle)
        m_hooks.idle(worker);
    return stale;
}

void Admission::removeBackend(const std::string &worker)
{
    auto it = std::find_if(m_backends.begin(), m_backends.end(),
                           [&](const Backend &b) { return b.worker == worker; });
    if (it != m_backends.end())
        m_backends.erase(it);
}

void Admission::setSplit(int weight)
{
    m_balancer.setSplit(weight);
    m_canary = {};
    pump();
}

void Admission::setCanary(const std::string &worker, bool canary)
{
    if (Backend *b = findMutable(worker))
        b->canary = canary;
}

// ---- the queue ---------------------------------------------------------------------------

Admission::Grant Admission::take(std::size_t i, Clock::time_point since)
{
    Backend &b = m_backends[i];
    ++b.inflight;
    ++b.served;
    ++m_traffic.inflight;
    Grant g{b.worker, b.port, msSince(since), "ok"};
    if (m_coldPending) {
        m_coldPending = false;
        ++m_traffic.coldStarts;
        m_traffic.lastColdStartMs = msSince(m_coldSince);
        spdlog::info("gateway.cold-start pool={} worker={} waited_ms={:.1f}", m_pool, b.worker,
                     m_traffic.lastColdStartMs);
    }
    return g;
}

std::optional<Admission::Grant> Admission::takeNow(Clock::time_point since)
{
    if (m_closed || !m_queue.empty())
        return std::nullopt;
    const int i = m_balancer.choose(m_backends, strategy(), perWorker(), since);
    if (i < 0)
        return std::nullopt;
    return take(std::size_t(i), since);
}

Awaitable<Admission::Grant> Admission::acquire(std::chrono::milliseconds wait)
{
    auto self = shared_from_this();
    const Clock::time_point since = Clock::now();
    if (m_closed)
        co_return Grant{{}, 0, 0, "closing"};
    if (std::optional<Grant> now = takeNow(since))
        co_return std::move(*now);
    if (int(m_queue.size()) >= queueMax())
        co_return Grant{{}, 0, 0, "queue-full"};
    auto waiter = std::make_shared<Waiter>(m_io);
    waiter->since = since;
    m_queue.push_back(waiter);
    m_traffic.queued = int(m_queue.size());
    if (!anyReady() && m_hooks.coldStart)
        m_hooks.coldStart();
    waiter->timer.expires_after(wait);
    error_code ec;
    co_await waiter->timer.async_wait(asio::redirect_error(asio::use_awaitable_t<Executor>{}, ec));
    if (waiter->granted)
        co_return Grant{waiter->worker, waiter->port, msSince(since), "ok"};
    auto at = std::find(m_queue.begin(), m_queue.end(), waiter);
    if (at != m_queue.end())
        m_queue.erase(at);
    m_traffic.queued = int(m_queue.size());
    co_return Grant{{}, 0, msSince(since), m_closed ? "closing" : "queue-timeout"};
}

void Admission::pump()
{
    const Clock::time_point now = Clock::now();
    while (!m_queue.empty()) {
        const int i = m_balancer.choose(m_backends, strategy(), perWorker(), now);
        if (i < 0)
            break;
        std::shared_ptr<Waiter> w = m_queue.front();
        m_queue.pop_front();
        Grant g = take(std::size_t(i), w->since);
        w->granted = true;
        w->worker = std::move(g.worker);
        w->port = g.port;
        w->timer.cancel();
    }
    m_traffic.queued = int(m_queue.size());
}

void Admission::release(const std::string &worker, std::optional<bool> failed)
{
    --m_traffic.inflight;
    if (Backend *b = findMutable(worker)) {
        --b->inflight;
        if (failed && b->canary) {
            ++m_canary.requests;
            m_canary.failures += *failed;
        }
        if (failed && m_spec) {
            const bool ejected = Balancer::record(
                *b, *failed, m_spec->breakerFailures,
                std::chrono::duration_cast<std::chrono::milliseconds>(m_spec->breakerOpenFor),
                Clock::now());
            if (ejected) {
                ++m_traffic.ejections;
                spdlog::warn("gateway.eject pool={} worker={} failures={} open_for={}", m_pool,
                             worker, b->consecutiveFailures,
                             config::formatDuration(m_spec->breakerOpenFor));
                // Its trial comes when it is due, even with no other request to pump.
                armTrialTimer(*b);
            }
        } else if (b->breaker == Breaker::HalfOpen) {
            b->trialInFlight = false;
        }
        if (!b->ready && b->inflight == 0 && m_hooks.idle)
            m_hooks.idle(worker);
    }
    pump();
}

void Admission::armTrialTimer(const Backend &b)
{
    if (m_closed)
        return;
    auto timer = std::make_shared<Timer>(m_io);
    timer->expires_at(b.openUntil);
    m_trialTimers.insert(timer);
    timer->async_wait([self = shared_from_this(), timer](error_code ec) {
        self->m_trialTimers.erase(timer);
        if (!ec)
            self->pump();
    });
}

void Admission::markColdStart()
{
    if (!m_coldPending) {
        m_coldPending = true;
        m_coldSince = Clock::now();
    }
}

// ---- records -----------------------------------------------------------------------------

void Admission::record(const Decision &d)
{
    ++m_traffic.requests;
    const int s = d.status;
    if (s >= 200 && s < 300)
        ++m_traffic.status2xx;
    else if (s >= 300 && s < 400)
        ++m_traffic.status3xx;
    else if (s >= 400 && s < 500)
        ++m_traffic.status4xx;
    else if (s >= 500)
        ++m_traffic.status5xx;
    if (s == 429)
        ++m_traffic.status429;
    else if (s == 503)
        ++m_traffic.status503;
    else if (s == 504)
        ++m_traffic.status504;
    if (!d.worker.empty())
        m_traffic.queueWaitMs.add(d.queueMs);
    m_traffic.latencyMs.add(d.latencyMs);
    m_recorder.add(d);
}

// ---- leases ------------------------------------------------------------------------------

void Admission::lease(std::chrono::milliseconds wait, std::chrono::milliseconds ttl,
                      std::function<void(std::optional<Gateway::Lease>, std::string)> done)
{
    asio::co_spawn(m_io, leaseWhenGranted(wait, ttl, std::move(done)), asio::detached);
}

Awaitable<void>
Admission::leaseWhenGranted(std::chrono::milliseconds wait, std::chrono::milliseconds ttl,
                            std::function<void(std::optional<Gateway::Lease>, std::string)> done)
{
    auto self = shared_from_this();
    const Grant g = co_await acquire(wait);
    Decision dec;
    dec.timeMs = api::nowMs();
    dec.queueMs = g.queueMs;
    if (g.worker.empty()) {
        dec.requestId = "lease";
        dec.status = 503;
        dec.outcome = g.outcome;
        record(dec);
        done(std::nullopt, g.outcome);
        co_return;
    }
    ++m_traffic.leases;
    Gateway::Lease lease;
    char tag[8];
    hexInto(tag, m_rng(), 8);
    lease.id = m_pool + "-lease-" + std::to_string(++m_leaseCounter) + "-" + std::string(tag, 8);
    lease.worker = g.worker;
    lease.port = g.port;
    lease.expiresAtMs = api::nowMs() + ttl.count();
    dec.requestId = lease.id;
    dec.worker = g.worker;
    dec.status = 200;
    dec.outcome = "lease";
    record(dec);
    auto timer = std::make_unique<Timer>(m_io, ttl);
    timer->async_wait([self, id = lease.id](error_code ec) {
        if (ec)
            return;
        auto it = self->m_leases.find(id);
        if (it == self->m_leases.end())
            return;
        const std::string worker = it->second.lease.worker;
        self->m_leases.erase(it);
        ++self->m_traffic.leasesExpired;
        spdlog::info("gateway.lease-expired pool={} lease={} worker={}", self->m_pool, id, worker);
        self->release(worker, std::nullopt);
    });
    m_leases[lease.id] = LeaseRecord{lease, std::move(timer)};
    done(lease, "ok");
}

bool Admission::endLease(const std::string &leaseId)
{
    auto it = m_leases.find(leaseId);
    if (it == m_leases.end())
        return false;
    const std::string worker = it->second.lease.worker;
    it->second.timer->cancel();
    m_leases.erase(it);
    release(worker, std::nullopt);
    return true;
}

std::vector<Gateway::Lease> Admission::leases() const
{
    std::vector<Gateway::Lease> out;
    out.reserve(m_leases.size());
    for (const auto &[id, l] : m_leases)
        out.push_back(l.lease);
    return out;
}

} // namespace drover::engine::serve
