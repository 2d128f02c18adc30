// Per-worker cgroups on the real machine (root, hybrid layout: cgroup v1 controllers plus a
// unified v2 hierarchy without controllers): detection, the exact limit values written, a
// reused group reset to unlimited, children joining through the tasks files, the spawner's
// child joining v1 groups and born in a v2 group (clone3), signalAll on a whole tree, an OOM
// kill counted, removal, and a fake root with no cgroups at all. Every group is
// made under a parent of our own, "drover-test-<pid>", swept away at the end however the
// tests went.
#include "engine/cgroup.h"
#include "engine/spawner.h"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <linux/magic.h>
#include <string>
#include <string_view>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace drover::engine;
using namespace std::chrono_literals;

namespace {

const std::string kRoot = "/sys/fs/cgroup";

std::string parentName()
{
    return "drover-test-" + std::to_string(::getpid());
}

bool startsWith(const std::string &text, std::string_view prefix)
{
    return text.starts_with(prefix);
}

bool contains(const std::string &text, std::string_view part)
{
    return text.find(part) != std::string::npos;
}

/// A cgroup file's value without its newline; "<unreadable>" when it cannot be read.
std::string readValue(const std::string &path)
{
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly))
        return "<unreadable>";
    return f.readAll().trimmed().toStdString();
}

/// The first problem of a group, for a failure message (QVERIFY2 builds it in any case).
QByteArray firstProblem(const WorkerCgroup &g)
{
    return g.problems.empty() ? QByteArray() : QByteArray::fromStdString(g.problems.front());
}

/// What a descriptor is open on.
std::string fdPath(int fd)
{
    std::error_code ec;
    return std::filesystem::read_symlink("/proc/self/fd/" + std::to_string(fd), ec).string();
}

/// The process's line for hierarchy `key` in /proc/<pid>/cgroup ("memory", or "" for the
/// unified one), without the key: its group's path.
std::string groupOf(int pid, const std::string &key)
{
    QFile f(QStringLiteral("/proc/%1/cgroup").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return "<unreadable>";
    for (const QByteArray &line : f.readAll().split('\n')) {
        const QList<QByteArray> parts = line.split(':');
        if (parts.size() < 3)
            continue;
        if (parts[1].split(',').contains(QByteArray::fromStdString(key)))
            return line.mid(parts[0].size() + parts[1].size() + 2).toStdString();
    }
    return "<none>";
}

bool exists(const std::string &path)
{
    struct stat st = {};
    return ::stat(path.c_str(), &st) == 0;
}

bool isFs(const std::string &path, unsigned long magic)
{
    struct statfs fs = {};
    return ::statfs(path.c_str(), &fs) == 0 && static_cast<unsigned long>(fs.f_type) == magic;
}

/// The writable cgroup v2 hierarchy: /sys/fs/cgroup on a v2 machine, its `unified` on a
/// hybrid one; empty (with why) when there is none we may write.
std::string v2Mount(std::string &why)
{
    for (std::string dir : {kRoot, kRoot + "/unified"}) {
        if (isFs(dir, CGROUP2_SUPER_MAGIC)) {
            if (::access(dir.c_str(), W_OK) == 0)
                return dir;
            why = dir + " is not writable";
            return {};
        }
    }
    why = "no cgroup v2 hierarchy here";
    return {};
}

/// Why the real-cgroup tests cannot run here, or empty: they need root and the hybrid layout
/// of this machine kind (memory, cpu and pids on v1; the unified hierarchy, if any, without
/// them), which is what their expected paths and file names describe.
std::string notHybridRoot()
{
    if (::geteuid() != 0)
        return "needs root: the tests make real cgroups";
    if (isFs(kRoot, CGROUP2_SUPER_MAGIC))
        return "not a hybrid machine: /sys/fs/cgroup is cgroup v2";
    for (std::string name : {"memory", "cpu", "pids"})
        if (!isFs(kRoot + "/" + name, CGROUP_SUPER_MAGIC))
            return "not a hybrid machine: no cgroup v1 " + name + " mount";
    const std::string unified = " " + readValue(kRoot + "/unified/cgroup.controllers") + " ";
    for (std::string name : {"memory", "cpu", "pids"})
        if (unified.find(" " + name + " ") != std::string::npos)
            return "the unified hierarchy has the " + name + " controller: v2 would be used";
    return {};
}

#define REQUIRE_HYBRID_ROOT()                                                                      \
    do {                                                                                           \
        if (std::string why = notHybridRoot(); !why.empty())                                       \
            QSKIP(why.c_str());                                                                    \
    } while (false)

/// Polls `done` for up to `limit`.
template <typename F>
bool eventually(F done, std::chrono::milliseconds limit = 5s)
{
    auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > end)
            return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

/// Rids the machine of a worker group when the test ends, however it ends: closes the fds,
/// kills what is left inside and removes the directories.
class GroupGuard
{
public:
    explicit GroupGuard(WorkerCgroup &group)
        : m_group(group)
    {}
    ~GroupGuard()
    {
        m_group.closeFds();
        eventually([&] {
            Cgroups::signalAll(m_group, SIGKILL);
            return Cgroups::remove(m_group);
        });
    }

private:
    WorkerCgroup &m_group;
};

/// A forked child, killed and reaped when the test ends if the test has not reaped it.
class Child
{
public:
    enum class Does { Sleep, SleepTree, Allocate };

    ~Child()
    {
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
    }

    /// Forks a child that joins the groups as the spawner's child does (writes "0" to each of
    /// `group.v1TaskFds`, and to the v2 cgroup.procs) and then does its work. Returns once it
    /// is in the groups, or with an error.
    std::string start(const WorkerCgroup &group, Does does)
    {
        int sync[2];
        if (::pipe2(sync, O_CLOEXEC) != 0)
            return "pipe2 failed";
        // Everything the child needs is made before fork(): it only makes system calls.
        std::vector<int> fds = group.v1TaskFds;
        if (group.v2ProcsFd >= 0)
            fds.push_back(group.v2ProcsFd);
        m_pid = ::fork();
        if (m_pid < 0)
            return "fork failed";
        if (m_pid == 0)
            child(fds, sync[1], does);
        ::close(sync[1]);
        int err = 0;
        ssize_t n;
        do
            n = ::read(sync[0], &err, sizeof err);
        while (n < 0 && errno == EINTR);
        ::close(sync[0]);
        if (n > 0)
            return std::string("child could not join its groups: ") + strerror(err);
        return {};
    }

    /// Waits for the child's end; its wait status.
    int wait()
    {
        int status = 0;
        ::waitpid(m_pid, &status, 0);
        m_pid = -1;
        return status;
    }

    int pid() const { return m_pid; }

private:
    [[noreturn]] static void child(const std::vector<int> &fds, int sync, Does does)
    {
        for (int fd : fds) {
            if (::write(fd, "0", 1) != 1) {
                int err = errno;
                (void)!::write(sync, &err, sizeof err);
                ::_exit(127);
            }
        }
        if (does == Does::Allocate) {
            ::close(sync); // we are in the groups: let the parent go on
            constexpr std::size_t kSize = 256u << 20;
            void *mem = ::mmap(nullptr, kSize, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
            if (mem == MAP_FAILED)
                ::_exit(126);
            auto *bytes = static_cast<volatile char *>(mem);
            for (std::size_t i = 0; i < kSize; i += 4096)
                bytes[i] = 1;
            ::_exit(0); // survived: the limit did not hold
        }
        if (does == Does::Sleep) {
            const char *argv[] = {"sleep", "30", nullptr};
            ::execv("/bin/sleep", const_cast<char **>(argv));
        } else {
            // A tree: a background sleep in its own session, then the shell becomes a sleep.
            const char *argv[] = {"sh", "-c", "setsid /bin/sleep 30 & exec /bin/sleep 30", nullptr};
            ::execv("/bin/sh", const_cast<char **>(argv));
        }
        int err = errno;
        (void)!::write(sync, &err, sizeof err);
        ::_exit(127);
    }

    pid_t m_pid = -1;
};

/// A process from spawnProcess(), killed and reaped when the test ends.
struct Spawned
{
    explicit Spawned(drover::api::Result<SpawnedProcess> r)
    {
        if (r.ok()) {
            pid = r->pid;
            pidfd = r->pidfd;
        } else {
            error = r.error().message;
        }
    }
    ~Spawned()
    {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
        if (pidfd >= 0)
            ::close(pidfd);
    }
    Spawned(const Spawned &) = delete;
    Spawned &operator=(const Spawned &) = delete;

    int pid = -1;
    int pidfd = -1;
    std::string error;
};

drover::config::LimitsSpec limits(std::optional<std::uint64_t> memory, std::optional<double> cpu,
                                  std::optional<int> pids, std::optional<int> nofile = {})
{
    drover::config::LimitsSpec l;
    l.memory = memory;
    l.cpu = cpu;
    l.pids = pids;
    l.nofile = nofile;
    return l;
}

constexpr std::uint64_t kMi = 1024 * 1024;

} // namespace

class TestCgroup : public QObject
{
    Q_OBJECT

private slots:
    /// Orphans of our children (the tree test's background sleep) come back to us to be
    /// reaped, instead of lingering as zombies of init.
    void initTestCase() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }

    void detectHybrid()
    {
        REQUIRE_HYBRID_ROOT();
        Cgroups cg = Cgroups::detect(parentName());
        QCOMPARE(cg.mode(), Cgroups::Mode::V1);
        const std::string described = cg.describe();
        qInfo("%s", described.c_str());
        QVERIFY2(startsWith(described, "cgroup v1 (memory, cpu, pids)"), described.c_str());
        QVERIFY2(!contains(described, "no writable"), described.c_str());
        for (const char *name : {"memory", "cpu", "pids"})
            QVERIFY2(exists(kRoot + "/" + name + "/" + parentName()), name);
        // The unified hierarchy has none of our controllers: nothing is made there.
        QVERIFY(!exists(kRoot + "/unified/" + parentName()));
        // Detecting again (a master restart) takes the existing parents as they are.
        QCOMPARE(Cgroups::detect(parentName()).mode(), Cgroups::Mode::V1);
    }

    void limitsWrittenThenResetOnReuse()
    {
        REQUIRE_HYBRID_ROOT();
        Cgroups cg = Cgroups::detect(parentName());
        const std::string worker = "w-limits";
        WorkerCgroup g = cg.create(worker, limits(64 * kMi, 0.5, 50, 1024));
        GroupGuard guard(g);

        QVERIFY2(g.problems.empty(), firstProblem(g).constData());
        const std::string mem = kRoot + "/memory/" + parentName() + "/" + worker;
        const std::string cpu = kRoot + "/cpu/" + parentName() + "/" + worker;
        const std::string pids = kRoot + "/pids/" + parentName() + "/" + worker;
        QCOMPARE(g.dirs, (std::vector<std::string>{mem, cpu, pids}));
        QCOMPARE(g.memoryDir, mem);
        // Joined through each v1 hierarchy's tasks file (see WorkerCgroup::v1TaskFds).
        QCOMPARE(g.v1TaskFds.size(), std::size_t(3));
        for (std::size_t i = 0; i < g.v1TaskFds.size(); ++i) {
            const int fd = g.v1TaskFds[i];
            QVERIFY(fd >= 0);
            QCOMPARE(::fcntl(fd, F_GETFL) & O_ACCMODE, O_WRONLY);
            QVERIFY(::fcntl(fd, F_GETFD) & FD_CLOEXEC);
            QCOMPARE(fdPath(fd), g.dirs[i] + "/tasks");
        }
        QCOMPARE(g.v2DirFd, -1);
        QCOMPARE(g.v2ProcsFd, -1);
        QCOMPARE(g.applied,
                 (std::vector<std::string>{"memory 64Mi (cgroup v1)", "cpu 0.5 (cgroup v1)",
                                           "pids 50 (cgroup v1)"}));
        QCOMPARE(g.oomKillsAtStart, std::uint64_t(0));

        QCOMPARE(readValue(mem + "/memory.limit_in_bytes"), std::string("67108864"));
        const bool memsw = exists(mem + "/memory.memsw.limit_in_bytes");
        if (memsw)
            QCOMPARE(readValue(mem + "/memory.memsw.limit_in_bytes"), std::string("67108864"));
        QCOMPARE(readValue(cpu + "/cpu.cfs_period_us"), std::string("100000"));
        QCOMPARE(readValue(cpu + "/cpu.cfs_quota_us"), std::string("50000"));
        QCOMPARE(readValue(pids + "/pids.max"), std::string("50"));

        // A master restart: the same worker again, with no limits this time.
        WorkerCgroup again = cg.create(worker, {});
        GroupGuard guardAgain(again);
        QVERIFY2(again.problems.empty(), firstProblem(again).constData());
        QCOMPARE(again.dirs, g.dirs);
        QCOMPARE(again.v1TaskFds.size(), std::size_t(3));
        QVERIFY(again.applied.empty());
        // v1 shows "unlimited" as the largest page-aligned value below 2^63.
        const std::uint64_t unlimited = std::uint64_t(1) << 62;
        QVERIFY(std::stoull(readValue(mem + "/memory.limit_in_bytes")) > unlimited);
        if (memsw)
            QVERIFY(std::stoull(readValue(mem + "/memory.memsw.limit_in_bytes")) > unlimited);
        QCOMPARE(readValue(cpu + "/cpu.cfs_quota_us"), std::string("-1"));
        QCOMPARE(readValue(cpu + "/cpu.cfs_period_us"), std::string("100000"));
        QCOMPARE(readValue(pids + "/pids.max"), std::string("max"));

        // Lowering again from unlimited works too (memsw is opened before the limit moves).
        WorkerCgroup third = cg.create(worker, limits(32 * kMi, 2.0, std::nullopt));
        GroupGuard guardThird(third);
        QVERIFY2(third.problems.empty(), firstProblem(third).constData());
        QCOMPARE(readValue(mem + "/memory.limit_in_bytes"), std::string("33554432"));
        QCOMPARE(readValue(cpu + "/cpu.cfs_quota_us"), std::string("200000"));
        QCOMPARE(third.applied,
                 (std::vector<std::string>{"memory 32Mi (cgroup v1)", "cpu 2 (cgroup v1)"}));

        // Re-adoption finds the directories, without fds, and the limits they hold (the
        // pids group is unlimited now: nothing said of it).
        WorkerCgroup found = cg.find(worker);
        QCOMPARE(found.dirs, g.dirs);
        QCOMPARE(found.memoryDir, mem);
        QVERIFY(found.v1TaskFds.empty());
        QCOMPARE(found.applied,
                 (std::vector<std::string>{"memory 32Mi (cgroup v1)", "cpu 2 (cgroup v1)"}));
        QVERIFY(cg.find("w-never-made").dirs.empty());

        g.closeFds();
        again.closeFds();
        third.closeFds();
        QVERIFY(Cgroups::remove(g));
        for (const std::string &dir : g.dirs)
            QVERIFY2(!exists(dir), dir.c_str());
        QVERIFY(Cgroups::remove(g)); // already gone counts as removed
    }

    /// A restart with unchanged limits opens the groups again and writes nothing.
    void reopenWritesNothing()
    {
        REQUIRE_HYBRID_ROOT();
        Cgroups cg = Cgroups::detect(parentName());
        WorkerCgroup g = cg.create("w-reopen", limits(std::nullopt, std::nullopt, 50));
        GroupGuard guard(g);
        QVERIFY2(g.problems.empty(), firstProblem(g).constData());
        QVERIFY(g.written == limits(std::nullopt, std::nullopt, 50));
        const std::string pids = kRoot + "/pids/" + parentName() + "/w-reopen";
        QCOMPARE(readValue(pids + "/pids.max"), std::string("50"));
        // Changed behind our back: a reopen does not write it again.
        {
            QFile f(QString::fromStdString(pids + "/pids.max"));
            QVERIFY(f.open(QIODevice::WriteOnly));
            QCOMPARE(f.write("7"), qint64(1));
        }
        const std::vector<std::string> dirs = g.dirs;
        const std::vector<std::string> applied = g.applied;
        g = cg.reopen(std::move(g));
        QCOMPARE(g.dirs, dirs);
        QCOMPARE(g.applied, applied);
        QVERIFY(g.problems.empty());
        QCOMPARE(g.v1TaskFds.size(), std::size_t(3));
        for (std::size_t i = 0; i < g.v1TaskFds.size(); ++i)
            QCOMPARE(fdPath(g.v1TaskFds[i]), g.dirs[i] + "/tasks");
        QCOMPARE(readValue(pids + "/pids.max"), std::string("7"));

        Child child;
        std::string err = child.start(g, Child::Does::Sleep);
        QVERIFY2(err.empty(), err.c_str());
        QCOMPARE(Cgroups::pids(g), std::vector<int>{child.pid()});
    }

    void badWorkerNameMakesNothing()
    {
        REQUIRE_HYBRID_ROOT();
        Cgroups cg = Cgroups::detect(parentName());
        WorkerCgroup g = cg.create("../escape", limits(64 * kMi, std::nullopt, std::nullopt));
        GroupGuard guard(g);
        QVERIFY(g.dirs.empty());
        QVERIFY(g.v1TaskFds.empty());
        QCOMPARE(g.problems.size(), std::size_t(1));
        QVERIFY(startsWith(g.problems.front(), "memory: invalid worker name"));
        QVERIFY(!exists(kRoot + "/memory/escape"));
    }

    void childJoinsAndSignalAllKillsTheTree()
    {
        REQUIRE_HYBRID_ROOT();
        Cgroups cg = Cgroups::detect(parentName());
        WorkerCgroup g = cg.create("w-tree", {});
        GroupGuard guard(g);
        QVERIFY(g.problems.empty());
        QCOMPARE(g.v1TaskFds.size(), std::size_t(3));

        Child child;
        std::string err = child.start(g, Child::Does::SleepTree);
        QVERIFY2(err.empty(), err.c_str());
        g.closeFds();

        // The shell's background sleep (in its own session) is found too.
        QVERIFY(eventually([&] { return Cgroups::pids(g).size() >= 2; }));
        std::vector<int> found = Cgroups::pids(g);
        QVERIFY(std::find(found.begin(), found.end(), child.pid()) != found.end());
        QVERIFY(std::find(found.begin(), found.end(), int(::getpid())) == found.end());

        // Not removable while it runs.
        QVERIFY(!Cgroups::remove(g));
        for (const std::string &dir : g.dirs)
            QVERIFY(exists(dir));

        QVERIFY(Cgroups::signalAll(g, SIGKILL) >= 2);
        int status = child.wait();
        QVERIFY(WIFSIGNALED(status));
        QCOMPARE(WTERMSIG(status), SIGKILL);
        QVERIFY(eventually([&] { return Cgroups::pids(g).empty(); }));
        QVERIFY(eventually([] { return ::waitpid(-1, nullptr, WNOHANG) < 0 && errno == ECHILD; }));
        QCOMPARE(Cgroups::signalAll(g, SIGKILL), 0);
        QVERIFY(Cgroups::remove(g));
        for (const std::string &dir : g.dirs)
            QVERIFY2(!exists(dir), dir.c_str());
    }

    void sleepingChildIsInEveryGroup()
    {
        REQUIRE_HYBRID_ROOT();
        Cgroups cg = Cgroups::detect(parentName());
        WorkerCgroup g = cg.create("w-sleep", limits(std::nullopt, std::nullopt, 10));
        GroupGuard guard(g);
        QVERIFY(g.problems.empty());

        Child child;
        std::string err = child.start(g, Child::Does::Sleep);
        QVERIFY2(err.empty(), err.c_str());
        for (const std::string &dir : g.dirs)
            QCOMPARE(readValue(dir + "/cgroup.procs"), std::to_string(child.pid()));
        QCOMPARE(Cgroups::pids(g), std::vector<int>{child.pid()});

        QCOMPARE(Cgroups::signalAll(g, SIGTERM), 1);
        int status = child.wait();
        QVERIFY(WIFSIGNALED(status));
        QCOMPARE(WTERMSIG(status), SIGTERM);
    }

    /// The spawner's child joins the v1 groups before its exec, through the tasks files.
    void spawnedChildJoinsThroughTasks()
    {
        REQUIRE_HYBRID_ROOT();
        Cgroups cg = Cgroups::detect(parentName());
        WorkerCgroup g = cg.create("w-spawned", limits(std::nullopt, std::nullopt, 10));
        GroupGuard guard(g);
        QVERIFY2(g.problems.empty(), firstProblem(g).constData());
        SpawnRequest req;
        req.argv = {"/bin/sleep", "30"};
        req.cgroupTaskFds = g.v1TaskFds;
        Spawned child(spawnProcess(req));
        QVERIFY2(child.error.empty(), child.error.c_str());
        for (const char *name : {"memory", "cpu", "pids"})
            QCOMPARE(groupOf(child.pid, name), "/" + parentName() + "/w-spawned");
        QCOMPARE(Cgroups::pids(g), std::vector<int>{child.pid});
    }

    /// On cgroup v2 the spawner's child is born in its group (clone3 with CLONE_INTO_CGROUP,
    /// x86-64), and where that fails it joins by a write to cgroup.procs.
    void spawnedChildBornInV2Group()
    {
        if (::geteuid() != 0)
            QSKIP("needs root: the test makes a real cgroup");
        std::string why;
        const std::string mount = v2Mount(why);
        if (mount.empty())
            QSKIP(why.c_str());
        const std::string parent = mount + "/" + parentName();
        QVERIFY(::mkdir(parent.c_str(), 0755) == 0 || errno == EEXIST);
        WorkerCgroup g;
        for (const char *name : {"w-born", "w-written"}) {
            const std::string dir = parent + "/" + name;
            QVERIFY2(::mkdir(dir.c_str(), 0755) == 0 || errno == EEXIST, strerror(errno));
            g.dirs.push_back(dir);
        }
        GroupGuard guard(g);
        g.v2DirFd = ::open(g.dirs[0].c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        QVERIFY(g.v2DirFd >= 0);

        SpawnRequest req;
        req.argv = {"/bin/sleep", "30"};
        req.cgroupDir = g.v2DirFd;
#if !defined(__x86_64__)
        // Only x86-64 has the clone3 path: elsewhere the write is the way in.
        g.v2ProcsFd = ::open((g.dirs[0] + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
        req.cgroupProcs = g.v2ProcsFd;
#endif
        Spawned born(spawnProcess(req));
        QVERIFY2(born.error.empty(), born.error.c_str());
        QCOMPARE(groupOf(born.pid, ""), "/" + parentName() + "/w-born");

        // A directory that is no cgroup: clone3 refuses it, the write to cgroup.procs works.
        QTemporaryDir plain;
        QVERIFY(plain.isValid());
        const int plainFd =
            ::open(plain.path().toLocal8Bit().constData(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        const int procs = ::open((g.dirs[1] + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
        QVERIFY(plainFd >= 0 && procs >= 0);
        req.cgroupDir = plainFd;
        req.cgroupProcs = procs;
        Spawned written(spawnProcess(req));
        ::close(plainFd);
        ::close(procs);
        QVERIFY2(written.error.empty(), written.error.c_str());
        QCOMPARE(groupOf(written.pid, ""), "/" + parentName() + "/w-written");
    }

    void memoryLimitKillsAndIsCounted()
    {
        REQUIRE_HYBRID_ROOT();
        Cgroups cg = Cgroups::detect(parentName());
        WorkerCgroup g = cg.create("w-oom", limits(32 * kMi, std::nullopt, std::nullopt));
        GroupGuard guard(g);
        QVERIFY2(g.problems.empty(), firstProblem(g).constData());
        const std::uint64_t before = g.oomKillsAtStart;
        QCOMPARE(Cgroups::oomKills(g), before);

        Child child;
        std::string err = child.start(g, Child::Does::Allocate);
        QVERIFY2(err.empty(), err.c_str());
        g.closeFds();
        int status = child.wait();
        QVERIFY2(WIFSIGNALED(status), ("wait status " + std::to_string(status)).c_str());
        QCOMPARE(WTERMSIG(status), SIGKILL);
        QCOMPARE(Cgroups::oomKills(g), before + 1);

        // Re-adoption starts counting from now.
        QCOMPARE(cg.find("w-oom").oomKillsAtStart, before + 1);
        QVERIFY(eventually([&] { return Cgroups::remove(g); }));
    }

    void fakeRootHasNone()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::string root = tmp.path().toStdString();
        QVERIFY(QDir(tmp.path()).mkdir(QStringLiteral("memory"))); // a plain directory, not a mount

        Cgroups cg = Cgroups::detect("drover-test-fake", root);
        QCOMPARE(cg.mode(), Cgroups::Mode::None);
        const std::string why = cg.describe();
        QVERIFY2(startsWith(why, "none: "), why.c_str());
        QVERIFY2(contains(why, "memory: no writable memory controller (cgroup v1 " + root +
                                   "/memory: not a cgroup v1 mount)"),
                 why.c_str());
        QVERIFY2(contains(why, "pids: no writable pids controller (cgroup v1 " + root +
                                   "/pids: No such file or directory)"),
                 why.c_str());
        QVERIFY2(contains(why, "cpu: no writable cpu controller"), why.c_str());
        QVERIFY(!exists(root + "/memory/drover-test-fake"));

        WorkerCgroup g = cg.create("w", limits(64 * kMi, 0.5, 50, 1024));
        QVERIFY(g.dirs.empty());
        QVERIFY(g.v1TaskFds.empty());
        QVERIFY(g.applied.empty());
        QVERIFY(g.memoryDir.empty());
        QCOMPARE(g.problems.size(), std::size_t(3));
        QVERIFY2(startsWith(g.problems[0], "memory: no writable memory controller ("),
                 g.problems[0].c_str());
        QVERIFY2(startsWith(g.problems[1], "cpu: no writable cpu controller ("),
                 g.problems[1].c_str());
        QVERIFY2(startsWith(g.problems[2], "pids: no writable pids controller ("),
                 g.problems[2].c_str());

        // nofile is an rlimit: never a cgroup problem.
        QVERIFY(cg.create("w", limits(std::nullopt, std::nullopt, std::nullopt, 1024))
                    .problems.empty());
        QVERIFY(Cgroups::pids(g).empty());
        QCOMPARE(Cgroups::signalAll(g, SIGKILL), 0);
        QCOMPARE(Cgroups::oomKills(g), std::uint64_t(0));
        QVERIFY(Cgroups::remove(g));
        QVERIFY(cg.find("w").dirs.empty());
    }

    /// Sweeps every hierarchy for our parent, whatever the tests left: kills what is inside,
    /// removes the worker groups, then the parent.
    void cleanupTestCase()
    {
        if (::geteuid() != 0)
            return;
        std::error_code ec;
        std::vector<std::string> mounts{kRoot}; // a v2 machine's one hierarchy, or a hybrid's
        for (const auto &mount : std::filesystem::directory_iterator(kRoot, ec))
            mounts.push_back(mount.path().string());
        for (const std::string &mount : mounts) {
            const std::string parent = mount + "/" + parentName();
            if (!exists(parent))
                continue;
            for (const auto &entry : std::filesystem::directory_iterator(parent, ec)) {
                if (!entry.is_directory(ec))
                    continue;
                WorkerCgroup left;
                left.dirs.push_back(entry.path().string());
                eventually([&] {
                    Cgroups::signalAll(left, SIGKILL);
                    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
                    }
                    return Cgroups::remove(left);
                });
            }
            if (::rmdir(parent.c_str()) != 0)
                qWarning("cannot remove %s: %s", parent.c_str(), strerror(errno));
        }
    }
};

QTEST_APPLESS_MAIN(TestCgroup)
#include "tst_cgroup.moc"
