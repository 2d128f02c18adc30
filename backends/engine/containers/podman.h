#pragma once

#include "config/spec.h"
#include "engine/spawnplan.h"

#include <cstdint>
#include <string>
#include <vector>

namespace drover::engine::containers {

/// What podman on this machine can do for container workers (`image:`), found by asking it
/// (`podman info`) and looking at the machine, never assumed: droverd says it at start and
/// `droverd --check` prints it.
struct PodmanSetup
{
    std::string binary;  ///< absolute path; empty when podman is not installed
    std::string version; ///< e.g. "4.3.1"
    std::string cgroups; ///< podman's view: "v1" or "v2"
    bool rootless = false;
    /// The OCI runtime drover asks podman for (`--runtime`), e.g. "runc"; empty: podman's
    /// own default.
    std::string runtime;
    /// What was found and chosen, each with why, e.g. "crun cannot run on this hybrid
    /// cgroup machine (the unified hierarchy holds hugetlb): runc".
    std::vector<std::string> notes;
    /// Why no container worker can start here; empty when they can.
    std::string problem;
    /// Given to every container (`--ulimit`): droverd's own (hard) limits, which podman
    /// would otherwise raise to values this process may not be allowed to set; processes at
    /// most kernel.pid_max, the most conmon passes on.
    std::uint64_t nofileHard = 0;
    std::uint64_t nprocSoft = 0, nprocHard = 0;

    bool usable() const { return problem.empty(); }
    /// "podman 4.3.1 (root, cgroup v1, runtime runc; crun cannot ...)" or "none: <problem>".
    std::string describe() const;
};

/// Asks podman (found in `path`, a PATH value) and the machine. Blocks for the time of one
/// `podman info` (0.1-0.3 s): call it at start-up, never on the engine's loop.
PodmanSetup detectPodman(const std::string &path);

/// The name a worker's container gets: `drover-<worker>`, with `prefix` (a short digest of
/// the master's state directory) in between so that two masters never take each other's.
std::string containerName(const std::string &prefix, const std::string &worker);

/// Everything `podman run` needs for one worker, besides the setup.
struct RunInput
{
    config::ContainerSpec container; ///< copies: a reload may change the pool meanwhile
    config::LimitsSpec limits;
    std::string cwd; ///< the pool's `cwd:`; empty: the image's own WORKDIR
    WorkerVars vars;
    std::vector<std::string> args; ///< the container's command, placeholders filled
    std::vector<std::string> env;  ///< `NAME=value`: drover's variables and the pool's env
    std::string name;              ///< containerName()
    std::string cidFile;           ///< where podman writes the container's id
    std::string pidFile;           ///< where podman writes its first process's pid
    std::string logPath;           ///< the worker's log, where podman says why it failed
    /// The container's soft nofile limit when the pool sets none (the hard one is the
    /// setup's): native workers get the same.
    std::uint64_t nofileSoft = 1024;
};

/// `podman run -d ...` for one worker: detached (conmon keeps the container), the log
/// passed through to the worker's log file (podman's stdout, which the spawner gives it),
/// never pulling (the image was looked at before), replacing a container of the same name
/// (so a worker never has two), labelled with its worker, pool and revision; the network
/// (`host`, or a private one with the worker's port published on 127.0.0.1), mounts,
/// limits (podman's own flags), ulimits and environment; then the image and its arguments.
std::vector<std::string> runArguments(const PodmanSetup &setup, const RunInput &in);

/// Whether podman can apply memory, cpu and pids limits with `setup` (not rootless on
/// cgroup v1; unknown until podman has been asked: assumed).
bool cgroupLimitsWork(const PodmanSetup *setup);

/// The limits a container gets, as a worker's lists say them: applied ("memory 64Mi
/// (podman)") and not applied, with why (rootless podman on cgroup v1).
struct ContainerLimits
{
    std::vector<std::string> applied;
    std::vector<std::string> problems;
};
ContainerLimits containerLimits(const PodmanSetup *setup, const config::LimitsSpec &limits);

} // namespace drover::engine::containers
