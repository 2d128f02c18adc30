#pragma once

#include "api/types.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace drover::remote {

/// What the master says of itself on /metrics besides its workers and pools.
struct MasterFigures
{
    std::string version;
    std::int64_t startedAtMs = 0;
    double cpuPercent = 0;
    std::uint64_t rssBytes = 0;
    int threads = 0;
    int fds = -1;
    int clients = 0;            ///< WebSocket sessions open now
    std::uint64_t requests = 0; ///< requests answered since the start
    std::uint64_t refused = 0;  ///< of those, refused for the role or a missing token
    /// In a fleet (`master.fleet`): whether its entry is in etcd now; none: not in a fleet.
    std::optional<bool> fleetRegistered;
};

/// The newest value of a metrics-store series (`worker/api-1/probe/readiness/latency_ms`).
using LatestValue = std::function<std::optional<double>(std::string_view series)>;

/// The Prometheus text exposition format (version 0.0.4) of a master: its workers (state,
/// ready, restarts, usage, probe verdicts and latencies), its pools and itself. Every family
/// has HELP and TYPE; names are `drover_*`, base units (seconds, bytes), counters end in
/// `_total`; label values escaped as the format says. The output passes
/// `promtool check metrics`.
std::string renderPrometheus(const api::Snapshot &snapshot, const MasterFigures &master,
                             const LatestValue &latest);

} // namespace drover::remote
