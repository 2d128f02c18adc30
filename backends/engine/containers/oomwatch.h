#pragma once

#include <string>

namespace drover::engine::containers {

/// Whether the kernel's OOM killer acted in a container's memory cgroup. podman 4.3 does not
/// record it on cgroup v1 (`OOMKilled` stays false), and the container's group is removed
/// as soon as it has ended, so the counter cannot be read afterwards: this registers for
/// the group's OOM notification (`cgroup.event_control` on `memory.oom_control`) while the
/// container runs. A v1 group also notifies each registered eventfd when it is removed; a
/// second registration that only removal can fire (a usage threshold never reached) tells
/// the two apart. Empty (it says nothing) where there is no v1 memory group to watch: cgroup
/// v2, rootless, no memory controller.
class OomWatch
{
public:
    OomWatch() = default;
    /// Watches the v1 memory cgroup of `pid`, a container's first process.
    static OomWatch of(int pid, const std::string &cgroupRoot = "/sys/fs/cgroup");
    ~OomWatch();
    OomWatch(OomWatch &&other) noexcept;
    OomWatch &operator=(OomWatch &&other) noexcept;
    OomWatch(const OomWatch &) = delete;
    OomWatch &operator=(const OomWatch &) = delete;

    bool watching() const { return m_oom >= 0; }
    /// Whether the group ran out of memory since the watch began (read once).
    bool oomSeen();

private:
    void close();
    int m_oom = -1;  ///< eventfd: OOM notifications, plus one at the group's removal
    int m_gone = -1; ///< eventfd: only the group's removal
};

} // namespace drover::engine::containers
