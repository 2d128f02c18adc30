#pragma once

#include "config/spec.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace drover::engine {

/// The per-worker values behind `{{port}}`, `{{index}}`, `{{worker}}`, `{{pool}}` and
/// `{{revision}}`.
struct WorkerVars
{
    std::string worker; ///< e.g. `api-2`
    std::string pool;
    int index = 0;
    std::optional<int> port;
    std::string revision;
};

/// `{{name}}` replaced by its value; names the loader would have refused are left as written.
std::string fillPlaceholders(std::string_view text, const WorkerVars &vars);

/// What one worker is started with.
struct SpawnPlan
{
    std::vector<std::string> argv;
    std::string cwd;
    std::vector<std::string> env; ///< `NAME=value`, sorted by name, each name once
};

/// The master's environment, then the runtime variables (`PORT`, `DROVER_WORKER`,
/// `DROVER_WORKER_INDEX`, `DROVER_POOL`, `DROVER_REVISION`), then the pool's `env:` (which may
/// override both), with placeholders filled in everywhere.
SpawnPlan planSpawn(const config::PoolSpec &pool, const WorkerVars &vars,
                    const std::vector<std::string> &masterEnv);

} // namespace drover::engine
