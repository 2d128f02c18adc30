#include "engine/containers/containers.h"

#include "engine/command.h"
#include "engine/runtime.h"
#include "engine/spawner.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <utility> // before Asio (TOOLCHAIN.md)

namespace drover::engine::containers {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

api::Error startError(std::string message)
{
    return api::Error{api::ErrorCode::Spawn, std::move(message), {}};
}

/// The last line of podman's output that says something, e.g. "Error: ... manifest unknown".
std::string lastLine(std::string_view text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
        text.remove_suffix(1);
    std::size_t nl = text.rfind('\n');
    std::string_view line = nl == std::string_view::npos ? text : text.substr(nl + 1);
    if (line.starts_with("Error: "))
        line.remove_prefix(7);
    return std::string(line.substr(0, 300));
}

/// What was written to the file at `path` (a log) after `from`, at most 4 KiB.
std::string writtenSince(const std::string &path, off_t from)
{
    std::string out;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return out;
    out.resize(4096);
    ssize_t n = ::pread(fd, out.data(), out.size(), from);
    out.resize(n > 0 ? std::size_t(n) : 0);
    ::close(fd);
    return out;
}

off_t sizeOfFd(int fd)
{
    struct stat st = {};
    return ::fstat(fd, &st) == 0 ? st.st_size : 0;
}

std::string readTrimmed(const std::string &path)
{
    std::ifstream in(path);
    std::string text;
    std::getline(in, text);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    return text;
}

/// The reason a container's end gives, from podman's exit code: 128 + n is signal n (as a
/// shell says it), which is how a container killed by a signal is recorded.
ExitStatus statusOf(int code)
{
    if (code == 0)
        return {"exit:0", true};
    if (code > 128 && code <= 128 + 64)
        return {"signal:" + signalName(code - 128), false};
    return {"exit:" + std::to_string(code), false};
}

} // namespace

Containers::Containers(asio::io_context &io, std::string namePrefix, std::string path)
    : m_io(io)
    , m_prefix(std::move(namePrefix))
    , m_path(std::move(path))
    , m_commands(std::make_unique<CommandRunner>(io))
{}

Containers::~Containers()
{
    *m_alive = false;
    if (m_detector.joinable())
        m_detector.join();
}

int Containers::running() const
{
    return m_commands->running();
}

void Containers::whenIdle(std::function<void()> fn, std::chrono::milliseconds limit)
{
    if ((running() == 0 && !m_detecting) || limit.count() <= 0) {
        asio::post(m_io, std::move(fn));
        return;
    }
    auto timer = std::make_shared<asio::steady_timer>(m_io, 20ms);
    timer->async_wait([this, timer, alive = std::weak_ptr<bool>(m_alive), fn = std::move(fn),
                       limit](const boost::system::error_code &ec) mutable {
        if (ec || alive.expired())
            return;
        whenIdle(std::move(fn), limit - 20ms);
    });
}

std::vector<std::string> Containers::env() const
{
    std::vector<std::string> e{"PATH=" + m_path, "LC_ALL=C"};
    for (const char *name : {"HOME", "XDG_RUNTIME_DIR", "CONTAINERS_CONF", "CONTAINER_HOST"})
        if (const char *v = std::getenv(name))
            e.push_back(std::string(name) + "=" + v);
    return e;
}

void Containers::detect()
{
    m_detecting = true;
    // `podman info` takes 0.1-0.3 s: on a thread of its own, never on the loop.
    m_detector = std::thread([this, alive = std::weak_ptr<bool>(m_alive)] {
        PodmanSetup found = detectPodman(m_path);
        asio::post(m_io, [this, alive, found = std::move(found)]() mutable {
            if (alive.expired())
                return;
            m_setup = std::move(found);
            m_detecting = false;
            if (onSetup)
                onSetup(*m_setup);
            std::deque<std::function<void()>> waiting;
            waiting.swap(m_waiting);
            for (auto &fn : waiting)
                fn();
        });
    });
}

void Containers::afterSetup(std::function<void()> fn)
{
    if (m_setup) {
        fn();
        return;
    }
    m_waiting.push_back(std::move(fn));
    if (!m_detecting)
        detect();
}

void Containers::start(RunInput in, int logFd, Progress progress, Done done)
{
    const int fd = ::fcntl(logFd, F_DUPFD_CLOEXEC, 3);
    if (fd < 0) {
        done(startError(std::string("cannot keep the log open: ") + std::strerror(errno)));
        return;
    }
    if (!m_setup)
        progress("asking podman what it can do");
    afterSetup([this, in = std::move(in), fd, progress = std::move(progress),
                done = std::move(done)]() mutable {
        if (!m_setup->usable()) {
            ::close(fd);
            done(startError("cannot run a container here: " + m_setup->problem));
            return;
        }
        const config::ContainerSpec &c = in.container;
        if (c.pull == config::PullPolicy::Always) {
            pull(std::move(in), fd, std::move(progress), std::move(done));
            return;
        }
        if (m_present.contains(c.image)) { // a restart: the image was there a moment ago
            run(std::move(in), fd, std::move(progress), std::move(done));
            return;
        }
        CommandOptions look;
        look.env = env();
        look.timeout = 30s;
        // Made before the call: the callback below takes `in` (and `c` with it) away.
        std::vector<std::string> argv{m_setup->binary, "image", "exists", c.image};
        m_commands->run(
            std::move(argv), std::move(look),
            [this, alive = std::weak_ptr<bool>(m_alive), in = std::move(in), fd,
             progress = std::move(progress), done = std::move(done)](CommandResult r) mutable {
                if (alive.expired())
                    return;
                const std::string image = in.container.image;
                if (r.ok()) {
                    m_present.insert(image);
                    run(std::move(in), fd, std::move(progress), std::move(done));
                } else if (r.exitCode == 1 && in.container.pull == config::PullPolicy::Never) {
                    ::close(fd);
                    done(startError("image " + image + " is not on this machine (pull: never)"));
                } else if (r.exitCode == 1) {
                    pull(std::move(in), fd, std::move(progress), std::move(done));
                } else {
                    ::close(fd);
                    done(startError("cannot look for image " + image + ": " +
                                    (r.output.empty() ? r.how() : lastLine(r.output))));
                }
            });
    });
}

void Containers::pull(RunInput in, int fd, Progress progress, Done done)
{
    const std::string image = in.container.image;
    progress("pulling image " + image);
    CommandOptions options;
    options.env = env();
    options.timeout = 30min;
    options.onLine = [progress, image](const std::string &line) {
        if (!line.empty())
            progress("pulling image " + image + ": " + line.substr(0, 200));
    };
    m_commands->run({m_setup->binary, "pull", image}, std::move(options),
                    [this, alive = std::weak_ptr<bool>(m_alive), in = std::move(in), fd, image,
                     progress = std::move(progress),
                     done = std::move(done)](CommandResult r) mutable {
                        if (alive.expired())
                            return;
                        if (!r.ok()) {
                            ::close(fd);
                            done(startError("image " + image + " cannot be pulled: " +
                                            (r.output.empty() ? r.how() : lastLine(r.output))));
                            return;
                        }
                        m_present.insert(image);
                        run(std::move(in), fd, std::move(progress), std::move(done));
                    });
}

void Containers::run(RunInput in, int fd, Progress progress, Done done)
{
    progress("creating the container");
    ::unlink(in.cidFile.c_str()); // podman refuses a cidfile that exists
    ::unlink(in.pidFile.c_str());
    const off_t logStart = sizeOfFd(fd);
    CommandOptions options;
    options.env = env();
    options.timeout = 5min;
    options.outputFd = fd; // the container's output goes where podman's goes
    std::string cidFile = in.cidFile;
    std::string pidFile = in.pidFile;
    std::string logPath = in.logPath;
    std::string image = in.container.image;
    std::string name = in.name;
    m_commands->run(
        runArguments(*m_setup, in), std::move(options),
        [this, alive = std::weak_ptr<bool>(m_alive), fd, logStart, cidFile, pidFile, logPath, image,
         name, done = std::move(done)](CommandResult r) mutable {
            if (alive.expired()) {
                ::close(fd);
                return;
            }
            if (!r.ok()) {
                m_present.erase(image); // gone, perhaps: looked for again next time
                remove(name);           // a run that failed may leave a created container
                std::string said = lastLine(writtenSince(logPath, logStart));
                ::close(fd);
                done(startError("podman run failed: " + (said.empty() ? r.how() : said)));
                return;
            }
            ::close(fd);
            const std::string id = readTrimmed(cidFile);
            if (id.empty()) {
                done(startError("podman run wrote no container id to " + cidFile));
                return;
            }
            // Its first process, as podman wrote it (--pidfile): watched from now on.
            Started s;
            s.id = id;
            s.pid = std::atoi(readTrimmed(pidFile).c_str());
            if (s.pid > 0) {
                s.pidfd = int(::syscall(SYS_pidfd_open, s.pid, 0));
                if (s.pidfd < 0) // ended already: podman says how
                    s.pid = 0;
                else
                    watchMemory(id, s.pid);
            }
            done(std::move(s));
        });
}

void Containers::watchMemory(const std::string &id, int pid)
{
    OomWatch w = OomWatch::of(pid);
    if (w.watching())
        m_oom[id] = std::move(w);
    else
        m_oom.erase(id);
}

void Containers::ended(const std::string &id, std::function<void(ExitStatus)> done)
{
    // Read now, as its process has just ended: its memory group goes with the container.
    if (auto watch = m_oom.find(id); watch != m_oom.end()) {
        const bool oom = watch->second.oomSeen();
        m_oom.erase(watch);
        if (oom) {
            done = [done = std::move(done)](ExitStatus status) {
                if (status.how == "signal:SIGKILL")
                    status.how = "limit:memory";
                done(std::move(status));
            };
        }
    }
    // A re-adopted container may end before podman has been asked what it can do.
    if (!m_setup) {
        afterSetup([this, id, done = std::move(done)]() mutable { ended(id, std::move(done)); });
        return;
    }
    if (!m_setup->usable()) {
        done({"exit status lost: " + m_setup->problem, false});
        return;
    }
    CommandOptions options;
    options.env = env();
    options.timeout = 2min;
    m_commands->run({m_setup->binary, "wait", id}, std::move(options),
                    [this, alive = std::weak_ptr<bool>(m_alive), id,
                     done = std::move(done)](CommandResult r) mutable {
                        if (alive.expired())
                            return;
                        if (!r.ok()) {
                            done({"exit status lost: " + lastLine(r.output), false});
                            return;
                        }
                        ExitStatus status = statusOf(std::atoi(r.output.c_str()));
                        if (status.how != "signal:SIGKILL") {
                            done(std::move(status));
                            return;
                        }
                        // Killed: by us, or by the kernel's OOM killer at its memory limit.
                        CommandOptions ask;
                        ask.env = env();
                        ask.timeout = 30s;
                        m_commands->run(
                            {m_setup->binary, "inspect", "--format", "{{.State.OOMKilled}}", id},
                            std::move(ask),
                            [alive, status = std::move(status),
                             done = std::move(done)](CommandResult r) mutable {
                                if (alive.expired())
                                    return;
                                if (r.ok() && r.output.starts_with("true"))
                                    status.how = "limit:memory";
                                done(std::move(status));
                            });
                    });
}

void Containers::state(const std::string &id, std::function<void(std::string)> done)
{
    if (!m_setup) {
        afterSetup([this, id, done = std::move(done)]() mutable { state(id, std::move(done)); });
        return;
    }
    if (!m_setup->usable()) {
        done("unknown: " + m_setup->problem);
        return;
    }
    CommandOptions options;
    options.env = env();
    options.timeout = 30s;
    m_commands->run(
        {m_setup->binary, "inspect", "--format", "{{.State.Status}}", id}, std::move(options),
        [alive = std::weak_ptr<bool>(m_alive), done = std::move(done)](CommandResult r) {
            if (alive.expired())
                return;
            done(r.ok() ? lastLine(r.output) : "unknown: " + lastLine(r.output));
        });
}

void Containers::remove(const std::string &nameOrId)
{
    m_oom.erase(nameOrId);
    if (!m_setup) {
        afterSetup([this, nameOrId] { remove(nameOrId); });
        return;
    }
    if (!m_setup->usable())
        return;
    CommandOptions options;
    options.env = env();
    options.timeout = 2min;
    m_commands->run({m_setup->binary, "rm", "--force", "--ignore", nameOrId}, std::move(options),
                    [](CommandResult) {});
}

} // namespace drover::engine::containers
