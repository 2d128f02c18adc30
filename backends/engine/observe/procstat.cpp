#include "engine/observe/procstat.h"

#include <array>
#include <cerrno>
#include <charconv>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

namespace drover::engine {

namespace {

// /proc/<pid>/stat is a single line of about 52 fields; the command name is at most 64
// bytes (kernel threads), so the line stays well under this. Only the first 24 fields are
// used, so even a longer line would parse from what fits.
constexpr std::size_t kStatBufferSize = 4096;

template <class T>
bool parseNumber(std::string_view token, T &out)
{
    const char *end = token.data() + token.size();
    auto [ptr, ec] = std::from_chars(token.data(), end, out);
    return ec == std::errc() && ptr == end;
}

bool isSpace(char c)
{
    return c == ' ' || c == '\n' || c == '\t';
}

std::string statPath(const std::string &procRoot, int pid, const char *leaf)
{
    return procRoot + '/' + std::to_string(pid) + '/' + leaf;
}

// The number of open fds of a process; -1 when /proc/<pid>/fd cannot be read (another
// user's process, or the process is gone). Since Linux 6.2 the size of that directory on
// procfs is the count, which one stat gives; older kernels (size 0) and other file systems
// (test fixtures) are listed. The master lists itself otherwise: thousands of entries.
int countFds(const std::string &procRoot, int pid)
{
    const std::string dir = statPath(procRoot, pid, "fd");
    struct stat st
    {
    };
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return -1;
    struct statfs fs
    {
    };
    if (st.st_size > 0 && ::statfs(dir.c_str(), &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC)
        return int(st.st_size);
    DIR *d = ::opendir(dir.c_str());
    if (!d)
        return -1;
    int count = 0;
    while (const dirent *entry = ::readdir(d)) {
        std::string_view name(entry->d_name);
        if (name != "." && name != "..")
            ++count;
    }
    ::closedir(d);
    return count;
}

// One pread at offset 0: the kernel formats the whole line for it, so a re-read sees fresh
// values. The bytes read, or -1 with errno set.
ssize_t preadFromStart(int fd, char *buffer, std::size_t size)
{
    ssize_t n;
    do {
        n = ::pread(fd, buffer, size, 0);
    } while (n < 0 && errno == EINTR);
    return n;
}

std::optional<ProcStat> readAndParse(int fd)
{
    std::array<char, kStatBufferSize> buffer;
    ssize_t n = preadFromStart(fd, buffer.data(), buffer.size());
    if (n <= 0) // ESRCH once the task is gone, 0 for an empty file
        return std::nullopt;
    return parseProcStat(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
}

} // namespace

std::optional<ProcStat> parseProcStat(std::string_view text)
{
    // "pid (comm) state ppid ...": comm may hold anything, ')' included, but every field
    // after it is a number or the state letter, so the last ')' closes the name.
    const std::size_t open = text.find('(');
    const std::size_t close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open)
        return std::nullopt;

    ProcStat stat;
    std::string_view head = text.substr(0, open);
    while (!head.empty() && isSpace(head.back()))
        head.remove_suffix(1);
    if (!parseNumber(head, stat.pid) || stat.pid <= 0)
        return std::nullopt;

    // Fields from 3 (state) on; fields[i] is field i + 3 of proc(5).
    constexpr std::size_t kFieldsNeeded = 22; // up to field 24, rss
    std::array<std::string_view, kFieldsNeeded> fields;
    std::size_t count = 0;
    std::string_view rest = text.substr(close + 1);
    while (count < kFieldsNeeded) {
        std::size_t start = 0;
        while (start < rest.size() && isSpace(rest[start]))
            ++start;
        if (start == rest.size())
            break;
        std::size_t end = start;
        while (end < rest.size() && !isSpace(rest[end]))
            ++end;
        fields[count++] = rest.substr(start, end - start);
        rest = rest.substr(end);
    }
    if (count < kFieldsNeeded || fields[0].size() != 1)
        return std::nullopt;

    stat.state = fields[0][0];
    std::uint64_t utime = 0;
    std::uint64_t stime = 0;
    long long rssPages = 0;
    if (!parseNumber(fields[1], stat.ppid) || !parseNumber(fields[2], stat.pgid) ||
        !parseNumber(fields[11], utime) || !parseNumber(fields[12], stime) ||
        !parseNumber(fields[17], stat.threads) || !parseNumber(fields[19], stat.startTime) ||
        !parseNumber(fields[21], rssPages))
        return std::nullopt;
    stat.cpuSeconds = static_cast<double>(utime + stime) / static_cast<double>(clockTicks());
    stat.rssBytes =
        rssPages > 0 ? static_cast<std::uint64_t>(rssPages) * static_cast<std::uint64_t>(pageSize())
                     : 0;
    return stat;
}

std::optional<ProcStat> readProcStat(int pid, bool withFds, const std::string &procRoot)
{
    try {
        const std::string path = statPath(procRoot, pid, "stat");
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return std::nullopt;
        std::optional<ProcStat> stat = readAndParse(fd);
        ::close(fd);
        if (stat && withFds)
            stat->fds = countFds(procRoot, pid);
        return stat;
    } catch (...) { // std::bad_alloc building the path
        return std::nullopt;
    }
}

std::optional<std::uint64_t> processStartTime(int pid, const std::string &procRoot)
{
    if (std::optional<ProcStat> stat = readProcStat(pid, false, procRoot))
        return stat->startTime;
    return std::nullopt;
}

double CpuMeter::update(double cpuSeconds, double monotonicSeconds)
{
    if (m_lastCpu < 0 || cpuSeconds < m_lastCpu) {
        // The first reading, or the counter went back (a new process under this meter).
        m_lastCpu = cpuSeconds;
        m_lastTime = monotonicSeconds;
        return 0;
    }
    const double elapsed = monotonicSeconds - m_lastTime;
    if (elapsed <= 0)
        return 0; // keep the older reading as the base for the next one
    const double percent = (cpuSeconds - m_lastCpu) / elapsed * 100.0;
    m_lastCpu = cpuSeconds;
    m_lastTime = monotonicSeconds;
    return percent;
}

ProcStatReader::ProcStatReader(int pid, const std::string &procRoot)
    : m_pid(pid)
{
    try {
        m_procRoot = procRoot;
        const std::string path = statPath(procRoot, pid, "stat");
        m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    } catch (...) { // std::bad_alloc: behaves as for a process that is gone
        m_fd = -1;
    }
}

ProcStatReader::~ProcStatReader()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

ProcStatReader::ProcStatReader(ProcStatReader &&other) noexcept
    : m_pid(other.m_pid)
    , m_fd(other.m_fd)
    , m_clock(other.m_clock)
    , m_clockState(other.m_clockState)
    , m_procRoot(std::move(other.m_procRoot))
{
    other.m_fd = -1;
}

ProcStatReader &ProcStatReader::operator=(ProcStatReader &&other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_pid = other.m_pid;
        m_fd = other.m_fd;
        m_clock = other.m_clock;
        m_clockState = other.m_clockState;
        m_procRoot = std::move(other.m_procRoot);
        other.m_fd = -1;
    }
    return *this;
}

std::optional<std::uint64_t> ProcStatReader::cpuNs()
{
    if (m_clockState == 0) {
        // Only a live process of this machine has a CPU clock (not a fixture directory).
        m_clockState =
            m_procRoot == "/proc" && ::clock_getcpuclockid(m_pid, &m_clock) == 0 ? 1 : -1;
    }
    if (m_clockState < 0)
        return std::nullopt;
    timespec ts{};
    if (::clock_gettime(m_clock, &ts) != 0) {
        m_clockState = -1; // gone
        return std::nullopt;
    }
    return std::uint64_t(ts.tv_sec) * 1'000'000'000u + std::uint64_t(ts.tv_nsec);
}

void ProcStatReader::release()
{
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = kReleased;
    }
}

std::optional<ProcStat> ProcStatReader::read(bool withFds)
{
    if (m_fd == kReleased) {
        try {
            m_fd = ::open(statPath(m_procRoot, m_pid, "stat").c_str(), O_RDONLY | O_CLOEXEC);
        } catch (...) {
            m_fd = -1;
        }
    }
    if (m_fd < 0)
        return std::nullopt;
    std::optional<ProcStat> stat = readAndParse(m_fd);
    if (!stat) {
        // ESRCH: the task behind the open file has been reaped; it never comes back, even
        // when its pid is reused, so the descriptor is of no further use.
        ::close(m_fd);
        m_fd = -1;
        return std::nullopt;
    }
    if (withFds) {
        try {
            stat->fds = countFds(m_procRoot, m_pid);
        } catch (...) {
            stat->fds = -1;
        }
    }
    return stat;
}

long clockTicks()
{
    static const long ticks = [] {
        long t = ::sysconf(_SC_CLK_TCK);
        return t > 0 ? t : 100;
    }();
    return ticks;
}

std::optional<std::uint64_t> startTicksBetween(const timespec &before, const timespec &after)
{
    constexpr std::uint64_t kNsPerSec = 1'000'000'000;
    const auto hz = std::uint64_t(clockTicks());
    if (kNsPerSec % hz != 0)
        return std::nullopt; // the kernel would not truncate as this does
    auto ticks = [nsPerTick = kNsPerSec / hz](const timespec &t) {
        return (std::uint64_t(t.tv_sec) * kNsPerSec + std::uint64_t(t.tv_nsec)) / nsPerTick;
    };
    if (ticks(before) != ticks(after))
        return std::nullopt;
    return ticks(before);
}

long pageSize()
{
    static const long size = [] {
        long s = ::sysconf(_SC_PAGESIZE);
        return s > 0 ? s : 4096;
    }();
    return size;
}

} // namespace drover::engine
