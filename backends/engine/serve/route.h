#pragma once

#include <string>

namespace drover::engine::serve {

/// Which of a pool's workers take its requests during a rollout, by revision: set by the
/// rollout room, applied by the serving room at the pool's gateway.
struct Route
{
    enum class Mode {
        All,     ///< every ready worker (no rollout, or one that needs no routing)
        Only,    ///< only `revision`'s workers (blue-green after its switch)
        Exclude, ///< every worker but `revision`'s (blue-green before its switch)
        Split,   ///< `weight` percent to `revision`'s workers, the rest to the others (canary)
    };
    Mode mode = Mode::All;
    std::string revision;
    int weight = 0;

    friend bool operator==(const Route &, const Route &) = default;
};

} // namespace drover::engine::serve
