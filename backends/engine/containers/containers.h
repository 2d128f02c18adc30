#pragma once

#include "api/result.h"
#include "config/spec.h"
#include "engine/containers/oomwatch.h"
#include "engine/containers/podman.h"

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace drover::engine {
class CommandRunner;
struct ExitStatus;
} // namespace drover::engine

namespace drover::engine::containers {

/// A container that runs: its id and its first process, seen from the machine.
struct Started
{
    std::string id;
    int pid = 0;    ///< 0 when it had already ended when podman was asked
    int pidfd = -1; ///< the caller's; -1 with pid 0
};

/// The podman side of container workers, on the engine's loop: every podman command runs as
/// a child process through a CommandRunner, nothing blocks. podman is asked what it can do
/// once, on a thread of its own, when the first container worker starts; until then starts
/// wait (their reason says so). The supervisor keeps the worker's state; this room says what
/// podman did.
class Containers
{
public:
    /// `namePrefix`: a short digest of the master's state directory (containerName());
    /// `path`: the PATH podman is looked for in.
    Containers(boost::asio::io_context &io, std::string namePrefix, std::string path);
    ~Containers();
    Containers(const Containers &) = delete;
    Containers &operator=(const Containers &) = delete;

    /// What podman can do here, once known.
    const std::optional<PodmanSetup> &setup() const { return m_setup; }
    const std::string &namePrefix() const { return m_prefix; }
    /// Called once podman has been asked (on the loop), e.g. to log what it can do.
    std::function<void(const PodmanSetup &)> onSetup;

    using Progress = std::function<void(std::string reason)>;
    using Done = std::function<void(api::Result<Started>)>;
    /// Starts a worker's container: asks podman what it can do (once), looks for the image
    /// and pulls it as `pull` says (each line of the pull's progress to `progress`), then
    /// `podman run` (its output, and the container's, to `logFd`, which this keeps open until
    /// then), then finds the container's process. `done` once, with a reason for the worker
    /// when it fails: the image that cannot be pulled, podman's own error.
    void start(RunInput in, int logFd, Progress progress, Done done);

    /// How a container whose process ended ended, as podman recorded it: "exit:3",
    /// "signal:SIGKILL" (an exit status of 128 + n), "limit:memory" (killed by the kernel's
    /// OOM killer, as podman or watchMemory() saw it). Asks `podman wait`, which answers once
    /// conmon has recorded the end; call it as soon as the container's process has ended.
    void ended(const std::string &id, std::function<void(ExitStatus)> done);

    /// Watches the memory group of container `id`, whose first process is `pid`, for the
    /// kernel's OOM killer (ended() then says `limit:memory` where podman cannot): done for
    /// the containers start() makes; a re-adopted one is watched from then on.
    void watchMemory(const std::string &id, int pid);

    /// podman's word for the container's state now ("running", "exited", ...), or why it
    /// cannot say.
    void state(const std::string &id, std::function<void(std::string)> done);

    /// Removes a container that is not wanted any more (stopped, or started for a worker
    /// that was stopped meanwhile); nothing waits for it.
    void remove(const std::string &nameOrId);

    /// Podman commands running now.
    int running() const;
    /// Calls `fn` on the loop once no podman command runs any more (a master's shutdown
    /// waits for its containers' removal), or after `limit`.
    void whenIdle(std::function<void()> fn, std::chrono::milliseconds limit);

private:
    void detect();
    void afterSetup(std::function<void()> fn);
    void run(RunInput in, int logFd, Progress progress, Done done);
    void pull(RunInput in, int logFd, Progress progress, Done done);
    std::vector<std::string> env() const;

    boost::asio::io_context &m_io;
    std::string m_prefix;
    std::string m_path;
    std::unique_ptr<CommandRunner> m_commands;
    std::optional<PodmanSetup> m_setup;
    bool m_detecting = false;
    std::thread m_detector;
    std::deque<std::function<void()>> m_waiting;
    /// Images seen on this machine (`pull: missing` then runs at once); one whose run
    /// failed is looked for again.
    std::set<std::string> m_present;
    std::map<std::string, OomWatch> m_oom; ///< by container id, while it runs
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

} // namespace drover::engine::containers
