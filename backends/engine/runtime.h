#pragma once

#include "api/result.h"
#include "engine/spawner.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace drover::engine {

/// How a process ended, as far as we can know.
struct ExitStatus
{
    std::string how;    ///< `exit:1`, `signal:SIGKILL`, or why it cannot be known
    bool clean = false; ///< exit 0
};

/// How a worker's current process came to us, and what that lets us know and do with it.
/// A native process is our child: we know how it ended. An adopted one (left by an earlier
/// master, or found through a PID file) is not: its exit status is lost. A container's is
/// podman's to tell.
class Runtime
{
public:
    virtual ~Runtime() = default;
    virtual std::string_view name() const = 0;
    /// How the process ended, once its pidfd is readable.
    virtual ExitStatus reap(int pidfd) = 0;
    /// Whether a master shutdown stops it: a process we or an earlier master started. One
    /// found through its PID file is left running.
    virtual bool stoppedOnShutdown() const = 0;
};

/// A process this master spawned (clone + exec, spawner.h).
class NativeRuntime final : public Runtime
{
public:
    /// Starts the process; the pidfd in the result is the caller's.
    static api::Result<SpawnedProcess> spawn(const SpawnRequest &request);

    std::string_view name() const override { return "native"; }
    ExitStatus reap(int pidfd) override;
    bool stoppedOnShutdown() const override { return true; }
};

/// A container's first process (podman started it; its conmon watches it). How it ended is
/// podman's to say (containers::Containers::ended), asked for when its pidfd is readable.
class ContainerRuntime final : public Runtime
{
public:
    std::string_view name() const override { return "container"; }
    ExitStatus reap(int) override { return {"exit status asked of podman", false}; }
    bool stoppedOnShutdown() const override { return true; }
};

/// A process that was running before we watched it.
class AdoptedRuntime final : public Runtime
{
public:
    enum class Origin {
        EarlierMaster, ///< a master before us spawned it (its record in the state dir)
        PidFile,       ///< an `adopted:` entry's PID file names it
    };

    /// What attaching to a live process found.
    struct Found
    {
        int pidfd = -1; ///< the caller's
        int pgid = 0;
        std::uint64_t startTime = 0;
    };
    /// A pidfd for `pid` when it is alive, not a zombie, and (with `expectedStart`) still the
    /// process that started then (PID reuse); nothing otherwise.
    static std::optional<Found> attach(int pid, std::uint64_t expectedStart);
    /// When a process that started at `startTicks` (clock ticks after boot) started, in
    /// Unix ms.
    static std::int64_t startedAtMs(std::uint64_t startTicks);

    explicit AdoptedRuntime(Origin origin)
        : m_origin(origin)
    {}
    std::string_view name() const override { return "adopted"; }
    ExitStatus reap(int) override;
    bool stoppedOnShutdown() const override { return m_origin == Origin::EarlierMaster; }

private:
    Origin m_origin;
};

} // namespace drover::engine
