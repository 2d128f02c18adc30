#include "api/clock.h"
#include "engine/observe/procstat.h"
#include "engine/runtime.h"

#include <fstream>
#include <sys/syscall.h>
#include <unistd.h>

namespace drover::engine {

namespace {

int pidfdOpen(int pid)
{
    return int(::syscall(SYS_pidfd_open, pid, 0));
}

} // namespace

std::optional<AdoptedRuntime::Found> AdoptedRuntime::attach(int pid, std::uint64_t expectedStart)
{
    int fd = pidfdOpen(pid);
    if (fd < 0)
        return std::nullopt;
    std::optional<ProcStat> st = readProcStat(pid);
    if (!st || st->state == 'Z' || (expectedStart && st->startTime != expectedStart)) {
        ::close(fd);
        return std::nullopt;
    }
    return Found{fd, st->pgid, st->startTime};
}

std::int64_t AdoptedRuntime::startedAtMs(std::uint64_t startTicks)
{
    std::ifstream up("/proc/uptime");
    double uptime = 0;
    up >> uptime;
    const double now = uptime * double(clockTicks());
    const std::uint64_t age =
        now > double(startTicks) ? std::uint64_t(now - double(startTicks)) : 0;
    return api::nowMs() - std::int64_t(double(age) * 1000.0 / double(clockTicks()));
}

ExitStatus AdoptedRuntime::reap(int)
{
    return {"exited (status unknown: not started by this droverd)", false};
}

} // namespace drover::engine
