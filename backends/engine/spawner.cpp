#include "engine/spawner.h"

#include "engine/observe/procstat.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sched.h>
#include <string_view>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

#if defined(__x86_64__)
/// clone3's arguments as far as CLONE_INTO_CGROUP (the kernel's CLONE_ARGS_SIZE_VER2).
struct DroverClone3Args
{
    std::uint64_t flags, pidfd, childTid, parentTid, exitSignal, stack, stackSize, tls, setTid,
        setTidSize, cgroup;
};
static_assert(sizeof(DroverClone3Args) == 88);

/// clone3() with `fn(arg)` run in the child on the stack the arguments give, its result the
/// child's exit status; in the parent the child's pid or -errno. glibc exports no clone3
/// (Debian 12's 2.36), and a child with its own stack cannot return through a C function.
extern "C" long drover_clone3(DroverClone3Args *args, unsigned long size, int (*fn)(void *),
                              void *arg);
asm(R"(
    .text
    .globl drover_clone3
    .hidden drover_clone3
    .type drover_clone3, @function
drover_clone3:
    .cfi_startproc
    movq %rdx, %r8
    movq %rcx, %r9
    movl $435, %eax
    syscall
    testq %rax, %rax
    jz 1f
    ret
1:
    .cfi_undefined rip
    xorl %ebp, %ebp
    movq %r9, %rdi
    callq *%r8
    movl %eax, %edi
    movl $60, %eax
    syscall
    hlt
    .cfi_endproc
    .size drover_clone3, .-drover_clone3
)");
#endif

namespace drover::engine {

namespace {

/// What the child needs, prepared by the parent (the child may only make system calls).
struct ChildArgs
{
    const char *path = nullptr;
    char *const *argv = nullptr;
    char *const *envp = nullptr;
    const char *cwd = nullptr;
    int stdinFd = -1;
    int outputFd = -1;
    bool setNofile = false;
    rlimit nofile{};
    bool setAs = false;
    rlimit as{};
    const int *joinFds = nullptr; ///< each gets "0": v1 `tasks`, v2 cgroup.procs (fallback)
    std::size_t joinCount = 0;
    /// Sharing our descriptor table (CLONE_FILES): the child first takes its own copy of the
    /// descriptors below this bound only, where every descriptor it uses is.
    unsigned unshareFrom = 0;
    // Written by the child (CLONE_VM shares memory; CLONE_VFORK makes the parent wait).
    int error = 0;
    const char *step = nullptr;
};

int fail(ChildArgs *a, const char *step)
{
    a->error = errno;
    a->step = step;
    _exit(127);
}

int childMain(void *arg)
{
    auto *a = static_cast<ChildArgs *>(arg);
    struct sigaction dfl;
    std::memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig != SIGKILL && sig != SIGSTOP)
            sigaction(sig, &dfl, nullptr); // EINVAL for glibc's reserved signals is fine
    }
    if (a->unshareFrom && syscall(SYS_close_range, a->unshareFrom, ~0u, CLOSE_RANGE_UNSHARE) != 0)
        return fail(a, "unshare");
    if (setpgid(0, 0) != 0)
        return fail(a, "setpgid");
    // "0" is the writer: through `tasks` its one thread (the whole process, before exec),
    // which the kernel moves without the global lock that cgroup.procs takes.
    for (std::size_t i = 0; i < a->joinCount; ++i) {
        if (write(a->joinFds[i], "0", 1) != 1)
            return fail(a, "cgroup");
    }
    if (dup2(a->stdinFd, 0) < 0 || dup2(a->outputFd, 1) < 0 || dup2(a->outputFd, 2) < 0)
        return fail(a, "dup2");
    if (a->cwd && chdir(a->cwd) != 0)
        return fail(a, "chdir");
    if (a->setNofile && setrlimit(RLIMIT_NOFILE, &a->nofile) != 0)
        return fail(a, "nofile");
    if (a->setAs && setrlimit(RLIMIT_AS, &a->as) != 0)
        return fail(a, "memory");
    syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(a->path, a->argv, a->envp);
    return fail(a, "exec");
}

/// Descriptors at low numbers, opened once per spawning thread while the master's descriptor
/// table is still small, into which each spawn puts the child's stdin, output and cgroup
/// files. The child shares the master's table and keeps only the descriptors below the
/// highest slot: a clone that copied the table (and an exec that closed it again) cost
/// 0.2-0.3 ms per spawn with a pidfd for each of 1000 workers, and grew with them.
struct Slots
{
    int in = -1, out = -1;
    std::array<int, 3> join{-1, -1, -1}; ///< three controllers: at most three groups to join
    unsigned bound = 0;                  ///< one above the highest slot
    bool usable = false;                 ///< false: the kernel cannot; copy the table
};

Slots &slots(int devnull)
{
    thread_local Slots s = [devnull] {
        Slots made;
        made.in = fcntl(devnull, F_DUPFD_CLOEXEC, 3);
        made.out = fcntl(devnull, F_DUPFD_CLOEXEC, 3);
        int highest = std::max(made.in, made.out);
        bool ok = made.in >= 0 && made.out >= 0;
        for (int &fd : made.join) {
            fd = fcntl(devnull, F_DUPFD_CLOEXEC, 3);
            ok = ok && fd >= 0;
            highest = std::max(highest, fd);
        }
        made.bound = unsigned(highest + 1);
        made.usable = ok;
        return made;
    }();
    return s;
}

/// The child's stack: one mapping, reused (spawns happen one at a time on the engine thread,
/// and CLONE_VFORK keeps the parent waiting until the child no longer needs it).
constexpr std::size_t kChildStackSize = 256 * 1024;
char *childStack()
{
    static void *stack = [] {
        void *p = mmap(nullptr, kChildStackSize, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        return p == MAP_FAILED ? nullptr : p;
    }();
    return static_cast<char *>(stack);
}

/// Whether clone3 with CLONE_INTO_CGROUP is worth trying: false once the kernel (before 5.7),
/// a seccomp filter or the architecture has said no.
#if defined(__x86_64__)
std::atomic<bool> g_clone3{true};
#else
std::atomic<bool> g_clone3{false};
#endif

/// Starts the child as clone() does, or born in the v2 group `cgroupDir` (clone3 with
/// CLONE_INTO_CGROUP) when that is not -1: the pid, or -1 with errno.
int cloneChild(ChildArgs *args, char *stack, int flags, int *pidfd, int cgroupDir)
{
#if defined(__x86_64__)
    if (cgroupDir >= 0) {
        DroverClone3Args c{};
        c.flags = std::uint64_t(flags & ~0xff) | CLONE_INTO_CGROUP;
        c.pidfd = reinterpret_cast<std::uintptr_t>(pidfd);
        c.exitSignal = std::uint64_t(flags & 0xff);
        c.stack = reinterpret_cast<std::uintptr_t>(stack);
        c.stackSize = kChildStackSize;
        c.cgroup = std::uint64_t(cgroupDir);
        long r = drover_clone3(&c, sizeof c, childMain, args);
        if (r < 0) {
            errno = int(-r);
            return -1;
        }
        return int(r);
    }
#else
    (void)cgroupDir;
#endif
    return clone(childMain, stack + kChildStackSize, flags, args, pidfd);
}

std::vector<char *> pointers(const std::vector<std::string> &strings)
{
    std::vector<char *> out;
    out.reserve(strings.size() + 1);
    for (const std::string &s : strings)
        out.push_back(const_cast<char *>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

api::Error spawnError(std::string message)
{
    return api::Error{api::ErrorCode::Spawn, std::move(message), {}};
}

std::string quoted(const std::string &s)
{
    return "\"" + s + "\"";
}

} // namespace

std::optional<std::string> findExecutable(const std::string &command, const std::string &path,
                                          const std::string &cwd)
{
    auto executable = [](const std::string &file) {
        struct stat st;
        return stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
               access(file.c_str(), X_OK) == 0;
    };
    if (command.find('/') != std::string::npos) {
        std::string full = command[0] == '/' || cwd.empty() ? command : cwd + "/" + command;
        return executable(full) ? std::optional<std::string>(command) : std::nullopt;
    }
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find(':', start);
        if (end == std::string::npos)
            end = path.size();
        std::string dir = path.substr(start, end - start);
        if (dir.empty())
            dir = ".";
        std::string candidate = dir + "/" + command;
        if (executable(candidate))
            return candidate;
        start = end + 1;
    }
    return std::nullopt;
}

std::string signalName(int sig)
{
    if (const char *abbrev = sigabbrev_np(sig))
        return std::string("SIG") + abbrev;
    return "SIG" + std::to_string(sig);
}

namespace {

api::Result<SpawnedProcess> spawn(const SpawnRequest &request, bool intoCgroup)
{
    if (request.argv.empty() || request.argv[0].empty())
        return spawnError("no command to run");
    std::string pathVar = "/usr/local/bin:/usr/bin:/bin";
    for (const std::string &e : request.env) {
        if (e.rfind("PATH=", 0) == 0)
            pathVar = e.substr(5);
    }
    if (!request.cwd.empty()) {
        struct stat st;
        if (stat(request.cwd.c_str(), &st) != 0)
            return spawnError("cannot change to directory " + quoted(request.cwd) + ": " +
                              std::strerror(errno));
        if (!S_ISDIR(st.st_mode))
            return spawnError("cannot change to directory " + quoted(request.cwd) +
                              ": not a directory");
    }
    std::optional<std::string> path = findExecutable(request.argv[0], pathVar, request.cwd);
    if (!path) {
        if (request.argv[0].find('/') == std::string::npos)
            return spawnError("command not found: " + quoted(request.argv[0]) +
                              " (searched PATH=" + pathVar + ")");
        std::string full = request.argv[0][0] == '/' || request.cwd.empty()
                               ? request.argv[0]
                               : request.cwd + "/" + request.argv[0];
        struct stat st;
        if (stat(full.c_str(), &st) != 0)
            return spawnError("cannot execute " + quoted(request.argv[0]) + ": " +
                              std::strerror(errno));
        if (!S_ISREG(st.st_mode))
            return spawnError("cannot execute " + quoted(request.argv[0]) + ": not a file");
        return spawnError("cannot execute " + quoted(request.argv[0]) +
                          ": Permission denied (not executable)");
    }
    char *stack = childStack();
    if (!stack)
        return spawnError(std::string("cannot map a stack for the child: ") + std::strerror(errno));

    // Every worker's stdin; opened once (it is close-on-exec, the children get a copy).
    static const int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0)
        return spawnError(std::string("cannot open /dev/null: ") + std::strerror(errno));

    std::vector<char *> argv = pointers(request.argv);
    std::vector<char *> envp = pointers(request.env);
    ChildArgs args;
    args.path = path->c_str();
    args.argv = argv.data();
    args.envp = envp.data();
    args.cwd = request.cwd.empty() ? nullptr : request.cwd.c_str();
    args.stdinFd = devnull;
    args.outputFd = request.outputFd >= 0 ? request.outputFd : devnull;
    if (request.nofile) {
        args.setNofile = true;
        args.nofile.rlim_cur = args.nofile.rlim_max = rlim_t(*request.nofile);
    } else if (request.nofileSoft && ::getrlimit(RLIMIT_NOFILE, &args.nofile) == 0 &&
               args.nofile.rlim_cur != rlim_t(*request.nofileSoft)) {
        args.setNofile = true;
        args.nofile.rlim_cur = std::min(args.nofile.rlim_max, rlim_t(*request.nofileSoft));
    }
    if (request.addressSpace) {
        args.setAs = true;
        args.as.rlim_cur = args.as.rlim_max = rlim_t(*request.addressSpace);
    }
    // Born in the v2 group (clone3), or joining it as the v1 ones are, by a write.
    const int cgroupDir = intoCgroup && request.cgroupDir >= 0 && g_clone3 ? request.cgroupDir : -1;
    std::vector<int> join = request.cgroupTaskFds;
    if (request.cgroupProcs >= 0 && cgroupDir < 0)
        join.push_back(request.cgroupProcs);
    args.joinFds = join.data();
    args.joinCount = join.size();
    Slots &slot = slots(devnull);
    std::array<int, 3> joinInSlots{};
    const bool useSlots = slot.usable && join.size() <= slot.join.size() &&
                          dup3(args.outputFd, slot.out, O_CLOEXEC) >= 0;
    if (useSlots) {
        args.stdinFd = slot.in;
        args.outputFd = slot.out;
        for (std::size_t i = 0; i < join.size(); ++i) {
            joinInSlots[i] = slot.join[i];
            dup3(join[i], slot.join[i], O_CLOEXEC);
        }
        args.joinFds = joinInSlots.data();
        args.unshareFrom = slot.bound;
    }

    // No signal handler of ours may run in the child while it shares our memory.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int pidfd = -1;
    const int flags = CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD | (useSlots ? CLONE_FILES : 0);
    timespec before{}, after{};
    clock_gettime(CLOCK_BOOTTIME, &before);
    int pid = cloneChild(&args, stack, flags, &pidfd, cgroupDir);
    int cloneErrno = errno;
    clock_gettime(CLOCK_BOOTTIME, &after);
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (useSlots) {
        // The slots let go of the log and cgroup files until the next spawn.
        dup3(devnull, slot.out, O_CLOEXEC);
        for (std::size_t i = 0; i < join.size(); ++i)
            dup3(devnull, slot.join[i], O_CLOEXEC);
    }

    if (pid < 0 && cgroupDir >= 0 && cloneErrno != EAGAIN && cloneErrno != ENOMEM) {
        // No clone3 (ENOSYS: before 5.3, or a seccomp filter), no CLONE_INTO_CGROUP (E2BIG:
        // before 5.7), or the group refused: join it by a write, which says why if it fails.
        if (cloneErrno == ENOSYS || cloneErrno == E2BIG || cloneErrno == EPERM)
            g_clone3 = false;
        return spawn(request, false);
    }
    if (pid < 0)
        return spawnError(std::string("cannot start a process: ") + std::strerror(cloneErrno));
    if (args.step) {
        siginfo_t info;
        waitid(P_PIDFD, unsigned(pidfd), &info, WEXITED); // reap the failed child
        close(pidfd);
        if (std::string_view(args.step) == "unshare") {
            slot.usable = false; // a kernel before 5.9: copy the whole table from now on
            return spawn(request, intoCgroup);
        }
        std::string why = std::strerror(args.error);
        std::string step = args.step;
        if (step == "exec")
            return spawnError("cannot execute " + quoted(*path) + ": " + why);
        if (step == "chdir")
            return spawnError("cannot change to directory " + quoted(request.cwd) + ": " + why);
        if (step == "nofile")
            return spawnError("cannot set the nofile limit to " +
                              std::to_string(std::uint64_t(args.nofile.rlim_cur)) + ": " + why);
        if (step == "memory")
            return spawnError("cannot set the address-space limit: " + why);
        if (step == "cgroup")
            return spawnError("cannot join the worker's cgroup: " + why);
        return spawnError("cannot start the process (" + step + "): " + why);
    }
    return SpawnedProcess{pid, pidfd, startTicksBetween(before, after)};
}

} // namespace

api::Result<SpawnedProcess> spawnProcess(const SpawnRequest &request)
{
    return spawn(request, true);
}

} // namespace drover::engine
