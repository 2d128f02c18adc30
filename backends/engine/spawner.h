#pragma once

#include "api/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace drover::engine {

/// Everything one process is started with.
struct SpawnRequest
{
    std::vector<std::string> argv; ///< argv[0] is looked up in the env's PATH unless it has a '/'
    std::string cwd;               ///< empty: the master's
    std::vector<std::string> env;  ///< `NAME=value`
    int outputFd = -1;             ///< stdout and stderr (the worker's log); -1: /dev/null
    std::optional<std::uint64_t> nofile; ///< RLIMIT_NOFILE, soft and hard
    /// Without `nofile`: the soft RLIMIT_NOFILE only (capped at the hard one). The master
    /// raises its own soft limit to hold thousands of workers' descriptors; its workers get
    /// the usual one back (select() breaks past 1024).
    std::optional<std::uint64_t> nofileSoft;
    std::optional<std::uint64_t> addressSpace; ///< RLIMIT_AS (memory without a cgroup)
    /// The worker's groups, joined before exec: the child writes "0" to each v1 hierarchy's
    /// `tasks` file in `cgroupTaskFds`, and is born in the v2 group `cgroupDir` (an O_PATH
    /// directory, through clone3's CLONE_INTO_CGROUP) or, where the kernel cannot, writes
    /// "0" to its `cgroupProcs`. The first two do not wait for an RCU grace period, as a
    /// process moved through cgroup.procs does (2-16 ms where the kernel does not expedite
    /// grace periods, on every restart).
    std::vector<int> cgroupTaskFds;
    int cgroupDir = -1;
    int cgroupProcs = -1;
};

struct SpawnedProcess
{
    int pid = 0;
    int pidfd = -1; ///< owned by the caller; readable once the process exits
    /// Its start time as /proc/<pid>/stat's field 22 gives it (clock ticks since boot), when
    /// the clock read before and after the clone fall in the same tick; nothing otherwise.
    /// Reading the stat file instead would wait for the child's exec to finish with its
    /// memory (0.1-0.3 ms on the loop here, at every start).
    std::optional<std::uint64_t> startTime;
};

/// Starts a process in its own process group, stdin from /dev/null, with the limits and
/// cgroups applied *before* exec, through clone(CLONE_VM | CLONE_VFORK | CLONE_PIDFD), or
/// clone3 with the same flags and CLONE_INTO_CGROUP for a v2 group (x86-64): the
/// master's memory is not copied (cheap at any size), the pidfd comes race-free with the
/// pid, and a failed chdir or exec is reported as an error value with its step and errno
/// (code `spawn`), e.g. `cannot execute "/opt/x": Permission denied`; the failed child has
/// then already been reaped. Signals are reset to their defaults and unblocked in the child;
/// every descriptor but 0, 1 and 2 is closed on exec. Blocks the caller for the few
/// microseconds until the child has exec'd.
api::Result<SpawnedProcess> spawnProcess(const SpawnRequest &request);

/// The file `command` names, looked up like execvp does in `path` (a PATH value); nothing
/// when there is no such executable.
std::optional<std::string> findExecutable(const std::string &command, const std::string &path,
                                          const std::string &cwd);

/// `SIGTERM` for 15, `SIG42` for an unnamed one.
std::string signalName(int sig);

} // namespace drover::engine
