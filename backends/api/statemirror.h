#pragma once

#include "api/types.h"

#include <cstdint>
#include <map>
#include <string>

namespace drover::api {

/// A backend's state as its stream tells it: a snapshot, then each delta in seq order.
/// RemoteBackend keeps one to resume and to serve listeners that come later; the console's
/// bridge and the tests keep one to look at.
struct StateMirror
{
    bool valid = false; ///< a snapshot came, and no gap since
    std::uint64_t seq = 0;
    std::map<std::string, WorkerInfo> workers;
    std::map<std::string, PoolInfo> pools;
    std::map<std::string, RolloutInfo> rollouts; ///< by pool
    std::string configVersion;
    Role role = Role::Viewer;

    void reset(const Snapshot &snapshot);
    void reset(Snapshot &&snapshot); ///< the same, taking the workers and pools over
    /// Applies the next delta. A delta that does not follow `seq` (a gap, or none before a
    /// snapshot) changes nothing but `valid`, and false says: take a new snapshot.
    bool apply(const Delta &delta);
    /// The mirrored state as one snapshot (for a listener that comes later).
    Snapshot toSnapshot() const;
};

} // namespace drover::api
