#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace drover::engine {

/// One reading of /proc/<pid>/stat (and, when asked, /proc/<pid>/fd).
struct ProcStat
{
    int pid = 0;
    int ppid = 0;
    int pgid = 0;
    char state = '?';            ///< R, S, D, Z, T, ...
    std::uint64_t startTime = 0; ///< clock ticks after boot (field 22): guards against PID reuse
    double cpuSeconds = 0;       ///< utime + stime
    std::uint64_t rssBytes = 0;
    int threads = 0;
    int fds = -1; ///< open file descriptors; -1 when not read or not readable
};

/// Parses the text of a /proc/<pid>/stat file (the command name may hold spaces and ')').
std::optional<ProcStat> parseProcStat(std::string_view text);
/// Reads /proc/<pid>/stat under `procRoot` (tests pass a fixture directory); with `withFds`
/// also counts /proc/<pid>/fd. Nothing when the process is gone or the file is unreadable.
std::optional<ProcStat> readProcStat(int pid, bool withFds = false,
                                     const std::string &procRoot = "/proc");
/// Field 22 of /proc/<pid>/stat, or nothing.
std::optional<std::uint64_t> processStartTime(int pid, const std::string &procRoot = "/proc");

/// CPU usage between two readings of one process, in percent of one core.
class CpuMeter
{
public:
    /// Feeds a reading of cpuSeconds at a monotonic time (seconds); returns the percent since
    /// the previous reading (0 for the first).
    double update(double cpuSeconds, double monotonicSeconds);

private:
    double m_lastCpu = -1;
    double m_lastTime = 0;
};

/// Keeps /proc/<pid>/stat open and re-reads it with pread, which costs a fraction of an
/// open/read/close: the master samples every worker at 1 Hz. One per watched process.
class ProcStatReader
{
public:
    explicit ProcStatReader(int pid, const std::string &procRoot = "/proc");
    ~ProcStatReader();
    ProcStatReader(ProcStatReader &&) noexcept;
    ProcStatReader &operator=(ProcStatReader &&) noexcept;
    ProcStatReader(const ProcStatReader &) = delete;
    ProcStatReader &operator=(const ProcStatReader &) = delete;

    int pid() const { return m_pid; }
    /// Nothing once the process is gone.
    std::optional<ProcStat> read(bool withFds = false);
    /// Closes the open stat file until the next read() opens it again: the master keeps it
    /// open only for workers that run, as every descriptor it holds is copied and closed
    /// again by each spawn (3000 of them make a spawn about 1 ms slower).
    void release();
    /// The CPU time of the whole process (every thread, exited ones included) in ns, from its
    /// POSIX CPU clock (clock_getcpuclockid): one light syscall, about half the cost of a
    /// pread of /proc/<pid>/schedstat and a quarter of stat, and more exact than stat's
    /// clock ticks. The master's "did it run" check every second. Nothing once the process
    /// is gone, or under a procRoot other than /proc.
    std::optional<std::uint64_t> cpuNs();

private:
    int m_pid = 0;
    static constexpr int kReleased = -2;
    int m_fd = -1; ///< -1: gone; kReleased: closed by release()
    clockid_t m_clock{};
    int m_clockState = 0; ///< 0: not asked yet, 1: m_clock is the process's, -1: none
    std::string m_procRoot;
};

/// Clock ticks per second (sysconf(_SC_CLK_TCK)) and the page size, read once.
long clockTicks();
/// The start time (field 22) that /proc shows for a process cloned between the
/// CLOCK_BOOTTIME readings `before` and `after`: the kernel takes the same clock and
/// truncates it to clock ticks. Nothing when the two fall in different ticks.
std::optional<std::uint64_t> startTicksBetween(const timespec &before, const timespec &after);
long pageSize();

} // namespace drover::engine
