#pragma once

#include "config/spec.h"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace drover::engine {

class Worker;

/// The running config and quick lookups into it: a master with 1000 pools asks for their
/// specs thousands of times a second (Config::pool searches the list).
class ConfigView
{
public:
    void set(std::shared_ptr<const config::Config> config);
    const std::shared_ptr<const config::Config> &config() const { return m_config; }
    const config::Config &operator*() const { return *m_config; }
    const config::Config *operator->() const { return m_config.get(); }
    explicit operator bool() const { return bool(m_config); }

    const config::PoolSpec *pool(std::string_view name) const;
    const config::AdoptedSpec *adopted(std::string_view name) const;

    /// A worker's pool spec (none for an `adopted:` entry's process) or adopted entry.
    const config::PoolSpec *pool(const Worker &w) const;
    const config::AdoptedSpec *adopted(const Worker &w) const;
    /// What governs a worker: its pool's or adopted entry's settings, else the defaults.
    const config::RestartSpec &restart(const Worker &w) const;
    const config::StopSpec &stop(const Worker &w) const;
    const config::ProbeSet *probes(const Worker &w) const;
    /// The template a pool's worker of `revision` is started from: the running config's pool
    /// when it has that revision, else one kept by the rollout room (an earlier revision, to
    /// roll back to), else nothing.
    const config::PoolSpec *templateOf(std::string_view pool, std::string_view revision) const;
    /// The template of `w`'s revision, or its pool's in the running config when that revision
    /// is not known; nothing for an `adopted:` entry's process.
    const config::PoolSpec *templateOf(const Worker &w) const;
    /// Keeps `spec` as the template of its pool and revision (until dropTemplate()).
    void keepTemplate(std::shared_ptr<const config::PoolSpec> spec);
    void dropTemplate(const std::string &pool, const std::string &revision);

    /// Whether the worker's process can be started again: a pool member, or an adopted entry
    /// with a command.
    bool canStart(const Worker &w) const;

    /// The digest of the running file (`config.apply`'s base_version), or a hash of the pools
    /// of a config built in code.
    std::string version() const;

private:
    std::shared_ptr<const config::Config> m_config;
    std::unordered_map<std::string_view, const config::PoolSpec *> m_pools;
    /// (pool, revision) -> template, as the rollout room's revision history keeps them.
    std::map<std::pair<std::string, std::string>, std::shared_ptr<const config::PoolSpec>,
             std::less<>>
        m_templates;
};

} // namespace drover::engine
