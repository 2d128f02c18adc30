#include "engine/containers/oomwatch.h"

#include "engine/cgroup.h"
#include "engine/cgroupfs.h"

#include <cstdint>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <utility>

namespace drover::engine::containers {

namespace {

/// Registers a new eventfd for `file` of the group at `dir` (with `args` after the two fds,
/// e.g. a threshold); the eventfd or -1.
int registerEvent(const std::string &dir, const char *file, const std::string &args)
{
    const int target = ::open((dir + "/" + file).c_str(), O_RDONLY | O_CLOEXEC);
    if (target < 0)
        return -1;
    int efd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (efd >= 0) {
        std::string line = std::to_string(efd) + " " + std::to_string(target);
        if (!args.empty())
            line += " " + args;
        if (cgroupfs::writeFile(dir + "/cgroup.event_control", line) != 0) {
            ::close(efd);
            efd = -1;
        }
    }
    ::close(target); // the registration keeps what it needs
    return efd;
}

std::uint64_t drain(int efd)
{
    std::uint64_t n = 0;
    if (efd < 0 || ::read(efd, &n, sizeof n) != ssize_t(sizeof n))
        return 0;
    return n;
}

} // namespace

OomWatch OomWatch::of(int pid, const std::string &cgroupRoot)
{
    OomWatch w;
    const std::string group = groupFor(processGroups(pid), "memory");
    if (group.empty())
        return w; // v2 only ("0::/..."), or a process in the root group
    const std::string dir = cgroupRoot + "/memory" + group;
    w.m_oom = registerEvent(dir, "memory.oom_control", {});
    // A threshold far beyond any machine's memory: only the group's removal fires it.
    w.m_gone = registerEvent(dir, "memory.usage_in_bytes", std::to_string(1ULL << 62));
    if (w.m_oom < 0 || w.m_gone < 0)
        w.close();
    return w;
}

OomWatch::~OomWatch()
{
    close();
}

OomWatch::OomWatch(OomWatch &&other) noexcept
    : m_oom(std::exchange(other.m_oom, -1))
    , m_gone(std::exchange(other.m_gone, -1))
{}

OomWatch &OomWatch::operator=(OomWatch &&other) noexcept
{
    if (this != &other) {
        close();
        m_oom = std::exchange(other.m_oom, -1);
        m_gone = std::exchange(other.m_gone, -1);
    }
    return *this;
}

void OomWatch::close()
{
    if (m_oom >= 0)
        ::close(std::exchange(m_oom, -1));
    if (m_gone >= 0)
        ::close(std::exchange(m_gone, -1));
}

bool OomWatch::oomSeen()
{
    const std::uint64_t notified = drain(m_oom);
    const std::uint64_t removed = drain(m_gone);
    return notified > removed;
}

} // namespace drover::engine::containers
