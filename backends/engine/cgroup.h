#pragma once

#include "config/spec.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace drover::engine {

/// A process's group in each hierarchy, from /proc/<pid>/cgroup (`pid` 0: this process):
/// the controller's name for a v1 one ("cpu" and "cpuacct" of "cpu,cpuacct" each), "" for
/// the unified (v2) one; paths as the kernel gives them.
std::vector<std::pair<std::string, std::string>> processGroups(int pid);
/// The group of `controller` ("" for v2) in `groups`; empty for none or a hierarchy's root.
std::string groupFor(const std::vector<std::pair<std::string, std::string>> &groups,
                     const std::string &controller);

/// One worker's control groups: where its limits live and how the whole tree is found.
/// On cgroup v2 one directory; on a hybrid v1 machine one per controller (memory, cpu, pids).
struct WorkerCgroup
{
    std::vector<std::string> dirs; ///< created directories, absolute
    /// How the spawner's child joins the groups before its exec (every fd O_CLOEXEC): it
    /// writes "0" to each v1 hierarchy's `tasks` (moving its one thread, which, unlike a write
    /// to cgroup.procs, need not wait for an RCU grace period: 2-16 ms on a kernel that does
    /// not expedite them), and is born in the v2 group through clone3(CLONE_INTO_CGROUP),
    /// or, where the kernel cannot, writes "0" to its cgroup.procs.
    std::vector<int> v1TaskFds;
    int v2DirFd = -1;                 ///< the v2 group's directory (O_PATH), for CLONE_INTO_CGROUP
    int v2ProcsFd = -1;               ///< the v2 group's cgroup.procs (O_WRONLY), the fallback
    std::vector<std::string> applied; ///< e.g. "memory 256Mi (cgroup v1)", "cpu 0.5 (cgroup v1)"
    /// Limits asked for but not applied, and groups that could not be made, each with why,
    /// e.g. "pids: no writable pids controller (cgroup v1 /sys/fs/cgroup/pids: ...)".
    std::vector<std::string> problems;
    std::string memoryDir;             ///< the dir holding the memory controller, if any
    std::uint64_t oomKillsAtStart = 0; ///< the OOM-kill counter when the worker started
    /// The limits create() wrote; nothing for groups found at re-adoption.
    std::optional<config::LimitsSpec> written;

    /// Closes the join fds (after the child has joined; the directories stay).
    void closeFds();
};

/// Per-worker cgroups under `<root>/<controller>/<parent>/<worker>` (v1) or
/// `<unified>/<parent>/<worker>` (v2, where `<unified>` is `<root>` on a pure v2 machine and
/// `<root>/unified` on a hybrid one). Each of memory, cpu and pids is looked at on its own:
/// v2 where the unified hierarchy lists it in cgroup.controllers and we can enable it in our
/// parent's cgroup.subtree_control; otherwise v1 where `<root>/<controller>` is a v1 mount
/// and we can make our parent there (the hybrid layout of this machine kind); otherwise it is
/// missing, and a limit asked for it is reported as a problem (nofile is an rlimit, never a
/// cgroup matter). Nothing here throws; failures are values.
///
/// The parent is made at the root of each hierarchy, even when drover itself runs in a nested
/// group (see /proc/self/cgroup): as root, workers must not share the master's own limits nor
/// be counted in them. describe() says so when it is the case. Where the root is not ours to
/// write (droverd run by its systemd unit as the drover user) but our own group is, because
/// it was delegated to us (Delegate=yes: the group belongs to our user), the parent is made
/// inside our own group instead: `<hierarchy><own group>/<parent>/<worker>`. On v2, which
/// allows no process in a group whose children use controllers, drover first moves itself
/// into `<own group>/droverd`.
class Cgroups
{
public:
    enum class Mode { None, V1, V2 };

    /// Looks at the machine once, and makes `<hierarchy>/<parent>` in each hierarchy it
    /// will use (that is the writability check; the parent is left in place). `parent`
    /// names our directory, e.g. "drover" or "drover-test-1234" in tests; `root` is
    /// /sys/fs/cgroup except in tests.
    static Cgroups detect(std::string parent, std::string root = "/sys/fs/cgroup");

    /// V2 when any controller is on the unified hierarchy, V1 when all usable ones are on v1
    /// hierarchies, None when none is usable.
    Mode mode() const { return m_mode; }
    /// "cgroup v1 (memory, cpu, pids)", "cgroup v2 (memory, cpu, pids)" or "none: <why>";
    /// a mixed machine gives "cgroup v2 (memory) + cgroup v1 (pids)". Controllers that cannot
    /// be used follow as "; cpu: no writable cpu controller (...)", and when drover itself
    /// is in a nested group "; drover itself is in memory:/x, worker groups are made at the
    /// hierarchy root" ends it.
    std::string describe() const;

    /// Creates (or reuses, after a master restart) the worker's groups, writes the limits
    /// (memory.max / memory.limit_in_bytes, cpu.max / cpu.cfs_quota_us+cfs_period_us,
    /// pids.max) and opens what the spawner's child joins the groups through before exec
    /// (WorkerCgroup::v1TaskFds, v2DirFd, v2ProcsFd). Limits not set in `limits` are reset to
    /// unlimited in a reused group. Even with no limits at all a group is made where possible: it
    /// is how the whole process tree is found and killed. `problems` gets one line per limit asked
    /// for but not applied, and one per group that could not be made or opened.
    WorkerCgroup create(const std::string &worker, const config::LimitsSpec &limits) const;
    /// The groups create() made before, for a restart with the same limits: opens the join
    /// fds again and reads the OOM-kill counter, writing nothing (the limits are rewritten
    /// only when they change: 0.15-0.2 ms of every restart on a v1 machine).
    WorkerCgroup reopen(WorkerCgroup made) const;

    /// The OOM-kill count of a worker's memory group (v2 memory.events `oom_kill`, v1
    /// memory.oom_control `oom_kill`); 0 when unknown.
    static std::uint64_t oomKills(const WorkerCgroup &group);
    /// Pids in the worker's groups (cgroup.procs), the whole tree even after setsid().
    static std::vector<int> pids(const WorkerCgroup &group);
    /// Sends `sig` to every process in the groups (never to ourselves), reading cgroup.procs
    /// again until no new process shows up (a few rounds, for forks racing the signal);
    /// returns how many were signalled.
    static int signalAll(const WorkerCgroup &group, int sig);
    /// Removes the groups (rmdir) once they are empty; false while processes (or child
    /// groups made by the worker) remain. A directory already gone counts as removed.
    static bool remove(const WorkerCgroup &group);
    /// The groups a worker of this name has, for re-adoption after a master restart: the
    /// existing dirs, memoryDir, oomKillsAtStart = the counter now, and in `applied` the
    /// limits the groups hold, read back ("memory 256Mi (cgroup v1)"); no fds.
    WorkerCgroup find(const std::string &worker) const;

private:
    /// One mounted hierarchy we use: the v2 unified one (several controllers in one
    /// directory) or a v1 one (usually one controller; co-mounted ones share it).
    struct Hierarchy
    {
        std::string base; ///< `<mount>/<parent>`, created by detect()
        bool v2 = false;
        std::vector<std::string> controllers; ///< of memory, cpu, pids
    };

    const Hierarchy *hierarchyOf(const std::string &controller) const;
    std::string whyMissing(const std::string &controller) const;

    Mode m_mode = Mode::None;
    std::string m_root;
    std::string m_parent;
    std::string m_why;                      ///< for Mode::None
    std::vector<std::string> m_controllers; ///< usable ones, in the order memory, cpu, pids
    std::vector<Hierarchy> m_hierarchies;
    /// Controllers that cannot be used, each with "<controller>: <why>".
    std::vector<std::pair<std::string, std::string>> m_missing;
    std::string m_self; ///< where drover itself lives when that is not a hierarchy's root
    /// Our own groups used as the parent's place, e.g. "memory:/system.slice/droverd.service".
    std::string m_delegated;
};

} // namespace drover::engine
