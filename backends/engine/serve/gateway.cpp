// The pool's door: the admission (queue, grants, breakers, rate limit, leases) and, when the
// pool has `gateway:`, the HTTP proxy in front of it.

#include "engine/serve/gateway.h"

#include "engine/serve/admission.h"
#include "engine/serve/proxy.h"

namespace drover::engine::serve {

Gateway::Gateway(boost::asio::io_context &io, std::string pool,
                 std::optional<config::GatewaySpec> spec, Hooks hooks)
    : m_admission(
          std::make_shared<Admission>(io, std::move(pool), std::move(spec), std::move(hooks)))
{
    if (m_admission->spec())
        m_proxy = std::make_unique<Proxy>(m_admission);
}

Gateway::~Gateway()
{
    close();
    m_admission->dropHooks(); // it may outlive us in a coroutine that is ending
}

std::optional<std::string> Gateway::listen()
{
    if (!m_proxy || m_admission->spec()->listen.port == 0)
        return std::nullopt;
    return m_proxy->listen(m_admission->spec()->listen);
}

void Gateway::update(std::optional<config::GatewaySpec> spec)
{
    m_admission->update(std::move(spec));
}

const std::optional<config::GatewaySpec> &Gateway::spec() const
{
    return m_admission->spec();
}

void Gateway::close()
{
    if (m_admission->closed())
        return;
    if (m_proxy)
        m_proxy->close();
    m_admission->close();
}

void Gateway::setBackend(const std::string &worker, int port, bool ready)
{
    if (m_admission->setBackend(worker, port, ready) && m_proxy)
        m_proxy->forget(worker);
}

void Gateway::removeBackend(const std::string &worker)
{
    if (m_proxy)
        m_proxy->forget(worker);
    m_admission->removeBackend(worker);
}

void Gateway::setSplit(int weight)
{
    m_admission->setSplit(weight);
}

void Gateway::setCanary(const std::string &worker, bool canary)
{
    m_admission->setCanary(worker, canary);
}

Gateway::CanaryCounts Gateway::canaryCounts() const
{
    return m_admission->canaryCounts();
}

int Gateway::inflight(const std::string &worker) const
{
    const Backend *b = m_admission->find(worker);
    return b ? b->inflight : 0;
}

std::vector<Backend> Gateway::backends() const
{
    return m_admission->backends();
}

void Gateway::acquire(std::chrono::milliseconds wait, std::chrono::milliseconds ttl,
                      std::function<void(std::optional<Lease>, std::string)> done)
{
    m_admission->lease(wait, ttl, std::move(done));
}

bool Gateway::release(const std::string &leaseId)
{
    return m_admission->endLease(leaseId);
}

std::vector<Gateway::Lease> Gateway::leases() const
{
    return m_admission->leases();
}

const Traffic &Gateway::traffic() const
{
    return m_admission->traffic();
}

const Recorder &Gateway::recorder() const
{
    return m_admission->recorder();
}

void Gateway::markColdStart()
{
    m_admission->markColdStart();
}

} // namespace drover::engine::serve
