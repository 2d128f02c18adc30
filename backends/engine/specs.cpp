#include "engine/specs.h"

#include "engine/registry.h"

#include <functional>

namespace drover::engine {

void ConfigView::set(std::shared_ptr<const config::Config> config)
{
    m_config = std::move(config);
    m_pools.clear();
    for (const config::PoolSpec &spec : m_config->pools)
        m_pools.emplace(spec.name, &spec);
}

const config::PoolSpec *ConfigView::pool(std::string_view name) const
{
    auto it = m_pools.find(name);
    return it == m_pools.end() ? nullptr : it->second;
}

const config::AdoptedSpec *ConfigView::adopted(std::string_view name) const
{
    for (const config::AdoptedSpec &a : m_config->adopted) {
        if (a.name == name)
            return &a;
    }
    return nullptr;
}

const config::PoolSpec *ConfigView::pool(const Worker &w) const
{
    return w.fromPidFile ? nullptr : pool(w.pool());
}

const config::AdoptedSpec *ConfigView::adopted(const Worker &w) const
{
    return w.fromPidFile ? adopted(w.pool()) : nullptr;
}

const config::PoolSpec *ConfigView::templateOf(std::string_view pool,
                                               std::string_view revision) const
{
    if (const config::PoolSpec *p = this->pool(pool); p && p->revision == revision)
        return p;
    auto it = m_templates.find(std::pair{std::string(pool), std::string(revision)});
    return it == m_templates.end() ? nullptr : it->second.get();
}

const config::PoolSpec *ConfigView::templateOf(const Worker &w) const
{
    if (w.fromPidFile)
        return nullptr;
    if (const config::PoolSpec *t = templateOf(w.pool(), w.info().revision))
        return t;
    return pool(w.pool());
}

void ConfigView::keepTemplate(std::shared_ptr<const config::PoolSpec> spec)
{
    m_templates[{spec->name, spec->revision}] = std::move(spec);
}

void ConfigView::dropTemplate(const std::string &pool, const std::string &revision)
{
    m_templates.erase({pool, revision});
}

const config::RestartSpec &ConfigView::restart(const Worker &w) const
{
    static const config::RestartSpec defaults;
    if (auto *p = pool(w))
        return p->restart;
    if (auto *a = adopted(w))
        return a->restart;
    return defaults;
}

const config::StopSpec &ConfigView::stop(const Worker &w) const
{
    static const config::StopSpec defaults;
    if (auto *p = pool(w))
        return p->stop;
    if (auto *a = adopted(w))
        return a->stop;
    return defaults;
}

const config::ProbeSet *ConfigView::probes(const Worker &w) const
{
    if (auto *p = pool(w))
        return &p->probes;
    if (auto *a = adopted(w))
        return &a->probes;
    return nullptr;
}

bool ConfigView::canStart(const Worker &w) const
{
    if (!w.fromPidFile)
        return true;
    const config::AdoptedSpec *a = adopted(w);
    return a && !a->command.empty();
}

std::string ConfigView::version() const
{
    if (!m_config)
        return {};
    if (!m_config->digest.empty())
        return m_config->digest;
    std::string all; // a config built in code: its pools decide
    for (const config::PoolSpec &p : m_config->pools)
        all += p.name + ":" + p.revision + ":" + std::to_string(p.replicas) + ";";
    return std::to_string(std::hash<std::string>{}(all)&0xffffffffffffull);
}

} // namespace drover::engine
