#pragma once

#include <memory>
#include <string>

namespace drover::config {
struct Config;
struct PoolSpec;
} // namespace drover::config

namespace drover::engine {

class ConfigView;
class Registry;
class Rollouts;
class Stream;
class Supervisor;
struct Pool;

/// Pools: each one's desired count, reconciled into workers; start-up in `depends_on` order;
/// a new revision handed to the rollout room, which decides the pool's workers while its
/// rollout acts.
class Pools
{
public:
    Pools(Registry &registry, const ConfigView &config, Supervisor &supervisor, Rollouts &rollouts,
          Stream &stream, const bool &shutting);

    /// The config's pools, as records (their workers come when they start).
    void addAll();
    /// After re-adoption: pools that have workers already are started (and topped up); a
    /// pool with workers of another revision than its template's rolls them out.
    void startReadopted();
    /// Starts the pools whose dependencies are up; the others say what they wait for.
    void startWaiting();
    /// After transitions (once per turn of the loop): waiting pools and rollouts move on.
    void followUp();
    /// Makes a started pool's workers match its desired count: missing indices are created
    /// and started, extra workers (newest first) are stopped and removed. While the pool's
    /// rollout acts, the rollout decides instead.
    void reconcile(Pool &pool);
    /// Sets a pool's desired count and reconciles it, with a `pool.scaled` event that says
    /// `why` (`operator`, `autoscale: ...`).
    void scale(Pool &pool, int desired, const std::string &why);
    /// The pool part of a reload: removed pools stop, added ones are made, changed sizes
    /// scale, and a changed template (a new revision) starts a rollout.
    void reload(const std::shared_ptr<const config::Config> &old);
    /// Whether every worker of a pool is up: ready (a worker without a readiness probe is
    /// ready once running), or a job that finished well.
    bool up(const std::string &name) const;

private:
    /// Starts a rollout of `pool` to `revision`; a refusal (the revision's template is not
    /// in the history) becomes a `rollout.failed` event rather than vanishing.
    void startRollout(Pool &pool, const std::string &revision, const std::string &cause);

    Registry &m_registry;
    const ConfigView &m_config;
    Supervisor &m_supervisor;
    Rollouts &m_rollouts;
    Stream &m_stream;
    const bool &m_shutting;
    /// Whether a pool may still be waiting to start (false once every pool has started).
    bool m_someWaiting = false;
};

} // namespace drover::engine
