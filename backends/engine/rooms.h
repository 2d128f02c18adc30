#pragma once

#include "engine/cgroup.h"
#include "engine/containers/containers.h"
#include "engine/engine.h"
#include "engine/health/prober.h"
#include "engine/jobs/jobs.h"
#include "engine/logfile.h"
#include "engine/loop.h"
#include "engine/observe/logrotation.h"
#include "engine/observe/metricsstore.h"
#include "engine/observe/sampler.h"
#include "engine/pools.h"
#include "engine/registry.h"
#include "engine/rollout/rollouts.h"
#include "engine/serve/serving.h"
#include "engine/specs.h"
#include "engine/statestore.h"
#include "engine/stream.h"
#include "engine/supervisor.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace drover::engine {

/// The engine's components, in the order they are made (each may call those above it in
/// this list directly; upward notices go through Notices, which the engine implements).
/// Engine-internal: ops/ and engine.cpp include it, engine.h does not.
struct Rooms
{
    explicit Rooms(boost::asio::io_context &io, EngineOptions opts)
        : loop(io)
        , options(std::move(opts))
    {}

    Loop loop;
    EngineOptions options;
    ConfigView config;
    Stream stream;
    std::optional<StateStore> state;
    std::optional<Cgroups> cgroups;
    std::unique_ptr<MetricsStore> metrics;
    std::unique_ptr<Registry> registry;
    std::unique_ptr<Prober> prober;
    std::unique_ptr<containers::Containers> containers;
    std::unique_ptr<Supervisor> supervisor;
    std::unique_ptr<Rollouts> rollouts;
    std::unique_ptr<Pools> pools;
    std::unique_ptr<Jobs> jobs;
    std::unique_ptr<Serving> serving;
    std::unique_ptr<LogRotation> logs;
    std::unique_ptr<Sampler> sampler;

    bool shutting = false;
    std::function<void()> shutdownDone;
    /// Our soft RLIMIT_NOFILE before start() raised it to the hard limit: what workers get.
    std::optional<std::uint64_t> inheritedNofileSoft;
    std::map<std::uint64_t, std::unique_ptr<LogFollower>> logFollows; ///< `logs.follow`
    std::uint64_t logFollowCounter = 0;
    int clients = -1; ///< connected clients as the server says; -1: no server
};

} // namespace drover::engine
