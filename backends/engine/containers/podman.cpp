#include "engine/containers/podman.h"

#include "engine/spawner.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <linux/magic.h>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

namespace drover::engine::containers {

namespace {

using Clock = std::chrono::steady_clock;

struct Ran
{
    int exitCode = -1; ///< -1: did not run or did not end in time
    std::string output;
    std::string error; ///< why it did not run
};

/// Runs `argv` with its output (stdout and stderr together) captured, for at most `limit`.
/// Only for start-up, `--check` and the containers room's own thread: it blocks. Through
/// posix_spawn, not the engine's spawner, whose child stack belongs to the engine's thread.
Ran runBlocking(const std::vector<std::string> &argv, std::chrono::milliseconds limit)
{
    Ran ran;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        ran.error = std::string("cannot make a pipe: ") + std::strerror(errno);
        return ran;
    }
    std::vector<std::string> env{"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LC_ALL=C"};
    for (const char *name : {"HOME", "XDG_RUNTIME_DIR", "CONTAINERS_CONF", "CONTAINER_HOST"})
        if (const char *v = std::getenv(name))
            env.push_back(std::string(name) + "=" + v);
    std::vector<char *> args, envp;
    for (const std::string &a : argv)
        args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    for (const std::string &e : env)
        envp.push_back(const_cast<char *>(e.c_str()));
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    pid_t pid = 0;
    int err = posix_spawn(&pid, argv[0].c_str(), &actions, &attr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(fds[1]);
    if (err != 0) {
        ::close(fds[0]);
        ran.error = "cannot run " + argv[0] + ": " + std::strerror(err);
        return ran;
    }
    const Clock::time_point end = Clock::now() + limit;
    char buf[4096];
    int status = 0;
    bool ended = false;
    // Until it ends (a helper it leaves behind may hold the pipe open), or its time is up.
    while (!ended && Clock::now() < end) {
        pollfd p{fds[0], POLLIN, 0};
        if (::poll(&p, 1, 50) > 0) {
            ssize_t got = ::read(fds[0], buf, sizeof buf);
            if (got > 0 && ran.output.size() < (1u << 20))
                ran.output.append(buf, std::size_t(got));
            if (got > 0)
                continue;
        }
        ended = ::waitpid(pid, &status, WNOHANG) == pid;
    }
    ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
    for (ssize_t got; ended && (got = ::read(fds[0], buf, sizeof buf)) > 0;)
        ran.output.append(buf, std::size_t(got));
    ::close(fds[0]);
    if (!ended) {
        ::kill(-pid, SIGKILL); // its whole group
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        ran.error = "no answer within " + std::to_string(limit.count()) + " ms";
    } else if (WIFEXITED(status)) {
        ran.exitCode = WEXITSTATUS(status);
    } else {
        ran.error = "killed by " + signalName(WTERMSIG(status));
    }
    return ran;
}

std::string readSmall(const std::string &path)
{
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    std::string text = s.str();
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    return text;
}

bool isCgroup2(const std::string &path)
{
    struct statfs fs = {};
    return ::statfs(path.c_str(), &fs) == 0 &&
           static_cast<unsigned long>(fs.f_type) == CGROUP2_SUPER_MAGIC;
}

/// The last line of podman's output that says something (its "Error: ..." line).
std::string lastLine(const std::string &output)
{
    std::string text = output;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    std::size_t nl = text.rfind('\n');
    return nl == std::string::npos ? text : text.substr(nl + 1);
}

std::string limitText(std::uint64_t v)
{
    return v == RLIM_INFINITY ? std::string("unlimited") : std::to_string(v);
}

} // namespace

std::string PodmanSetup::describe() const
{
    if (!usable())
        return "none: " + problem;
    std::string out =
        "podman " + version + " (" + (rootless ? "rootless" : "root") + ", cgroup " + cgroups +
        ", runtime " + (runtime.empty() ? std::string("podman's default") : runtime) +
        ", ulimits nofile " + limitText(nofileHard) + " nproc " + limitText(nprocHard) + ")";
    for (const std::string &note : notes)
        out += "; " + note;
    return out;
}

PodmanSetup detectPodman(const std::string &path)
{
    PodmanSetup s;
    rlimit nofile{}, nproc{};
    ::getrlimit(RLIMIT_NOFILE, &nofile);
    ::getrlimit(RLIMIT_NPROC, &nproc);
    s.nofileHard = nofile.rlim_max;
    s.nprocSoft = nproc.rlim_cur;
    s.nprocHard = nproc.rlim_max;
    // podman's monitor (conmon) runs with a process limit of at most kernel.pid_max, and a
    // container's first process cannot raise its own above what it inherits from there.
    const std::string pidMax = readSmall("/proc/sys/kernel/pid_max");
    if (const std::uint64_t most = std::strtoull(pidMax.c_str(), nullptr, 10); most > 0) {
        s.nprocHard = std::min<std::uint64_t>(s.nprocHard, most);
        s.nprocSoft = std::min(s.nprocSoft, s.nprocHard);
    }

    std::optional<std::string> binary = findExecutable("podman", path, {});
    if (!binary) {
        s.problem = "podman is not installed (not found in PATH=" + path + ")";
        return s;
    }
    s.binary = *binary;
    Ran info = runBlocking({s.binary, "info", "--format", "json"}, std::chrono::seconds(20));
    if (info.exitCode != 0) {
        s.problem =
            "`podman info` failed: " + (info.error.empty() ? lastLine(info.output) : info.error);
        return s;
    }
    nlohmann::json j = nlohmann::json::parse(info.output, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        s.problem = "`podman info` did not answer in JSON: " + lastLine(info.output);
        return s;
    }
    const nlohmann::json host = j.value("host", nlohmann::json::object());
    s.version = j.value("version", nlohmann::json::object()).value("Version", std::string("?"));
    s.cgroups = host.value("cgroupVersion", std::string("?"));
    s.rootless = host.value("security", nlohmann::json::object()).value("rootless", false);
    const std::string defaultRuntime =
        host.value("ociRuntime", nlohmann::json::object()).value("name", std::string());

    // crun refuses a hybrid machine whose unified hierarchy holds any controller ("cgroups
    // in hybrid mode not supported"); runc runs there.
    const std::string unified = "/sys/fs/cgroup/unified";
    const bool hybrid = s.cgroups == "v1" && isCgroup2(unified);
    const std::string controllers = hybrid ? readSmall(unified + "/cgroup.controllers") : "";
    if (defaultRuntime == "crun" && hybrid && !controllers.empty()) {
        const std::string why = "crun cannot run on this hybrid cgroup machine (the unified "
                                "hierarchy holds " +
                                controllers + ")";
        if (findExecutable("runc", path + ":/usr/sbin:/sbin", {})) {
            s.runtime = "runc";
            s.notes.push_back(why + ": runc");
        } else {
            s.problem = why + " and runc is not installed (apt-get install runc)";
            return s;
        }
    } else {
        s.runtime = defaultRuntime;
    }
    if (s.rootless && s.cgroups == "v1")
        s.notes.push_back("rootless on cgroup v1: podman cannot apply memory, cpu or pids "
                          "limits to containers");
    return s;
}

std::string containerName(const std::string &prefix, const std::string &worker)
{
    return "drover-" + prefix + "-" + worker;
}

std::vector<std::string> runArguments(const PodmanSetup &setup, const RunInput &in)
{
    const config::ContainerSpec &c = in.container;
    const config::LimitsSpec &limits = in.limits;
    std::vector<std::string> a{setup.binary, "run", "--detach", "--replace", "--name", in.name,
                               "--cidfile", in.cidFile, "--pidfile", in.pidFile,
                               // the container writes straight into the worker's log
                               "--log-driver", "passthrough", "--pull", "never"};
    if (!setup.runtime.empty()) {
        a.push_back("--runtime");
        a.push_back(setup.runtime);
    }
    a.push_back("--label");
    a.push_back("io.drover.worker=" + in.vars.worker);
    a.push_back("--label");
    a.push_back("io.drover.pool=" + in.vars.pool);
    a.push_back("--label");
    a.push_back("io.drover.revision=" + in.vars.revision);

    const std::uint64_t nofileHard =
        limits.nofile ? std::uint64_t(*limits.nofile) : setup.nofileHard;
    const std::uint64_t nofileSoft =
        limits.nofile ? nofileHard : std::min(in.nofileSoft, nofileHard);
    a.push_back("--ulimit");
    a.push_back("nofile=" + std::to_string(nofileSoft) + ":" + std::to_string(nofileHard));
    if (setup.nprocHard != RLIM_INFINITY) {
        a.push_back("--ulimit");
        a.push_back("nproc=" + std::to_string(setup.nprocSoft) + ":" +
                    std::to_string(setup.nprocHard));
    }
    // Rootless on cgroup v1, podman would only warn that it ignores them: the worker's
    // limit problems say so instead (containerLimits()).
    const bool cgroupLimits = cgroupLimitsWork(&setup);
    if (limits.memory && cgroupLimits) {
        a.push_back("--memory");
        a.push_back(std::to_string(*limits.memory));
        a.push_back("--memory-swap"); // no swap beyond the limit, as the v1 memsw limit
        a.push_back(std::to_string(*limits.memory));
    }
    if (limits.cpu && cgroupLimits) {
        std::ostringstream cpus;
        cpus << *limits.cpu;
        a.push_back("--cpus");
        a.push_back(cpus.str());
    }
    if (limits.pids && cgroupLimits) {
        a.push_back("--pids-limit");
        a.push_back(std::to_string(*limits.pids));
    }

    if (c.network == config::ContainerNetwork::Host) {
        a.push_back("--network");
        a.push_back("host");
    } else if (in.vars.port) {
        // Its own network namespace; the port the master gave it, on loopback only, where
        // probes and the gateway reach it as they reach a native worker.
        const std::string port = std::to_string(*in.vars.port);
        a.push_back("--publish");
        a.push_back("127.0.0.1:" + port + ":" + port);
    }
    for (const config::MountSpec &m : c.mounts) {
        a.push_back("--volume");
        a.push_back(m.source + ":" + m.target + (m.readOnly ? ":ro" : ""));
    }
    if (!in.cwd.empty()) {
        a.push_back("--workdir");
        a.push_back(in.cwd);
    }
    for (const std::string &e : in.env) {
        a.push_back("--env");
        a.push_back(e);
    }
    a.push_back(c.image);
    a.insert(a.end(), in.args.begin(), in.args.end());
    return a;
}

bool cgroupLimitsWork(const PodmanSetup *setup)
{
    return !setup || !(setup->rootless && setup->cgroups == "v1");
}

ContainerLimits containerLimits(const PodmanSetup *setup, const config::LimitsSpec &limits)
{
    ContainerLimits out;
    const bool work = cgroupLimitsWork(setup);
    auto add = [&](const std::string &name, const std::string &value) {
        if (work)
            out.applied.push_back(name + " " + value + " (podman)");
        else
            out.problems.push_back(name + ": not applied (rootless podman on cgroup v1 cannot "
                                          "set limits)");
    };
    if (limits.memory)
        add("memory", config::formatSize(*limits.memory));
    if (limits.cpu) {
        std::ostringstream cpus;
        cpus << *limits.cpu;
        add("cpu", cpus.str());
    }
    if (limits.pids)
        add("pids", std::to_string(*limits.pids));
    if (limits.nofile)
        out.applied.push_back("nofile " + std::to_string(*limits.nofile));
    return out;
}

} // namespace drover::engine::containers
