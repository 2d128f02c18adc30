#include "engine/command.h"

#include "config/spec.h"
#include "engine/spawner.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <sys/wait.h>
#include <unistd.h>
#include <utility> // before Asio (TOOLCHAIN.md)

namespace drover::engine {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

std::string CommandResult::how() const
{
    if (!started)
        return error;
    if (timedOut)
        return "timed out; killed";
    if (signal)
        return "killed by " + signalName(signal);
    return "exit " + std::to_string(exitCode);
}

struct CommandRunner::Private : std::enable_shared_from_this<CommandRunner::Private>
{
    struct Running
    {
        int pid = 0;
        std::unique_ptr<asio::posix::stream_descriptor> pidfd;
        std::unique_ptr<asio::posix::stream_descriptor> output;
        std::unique_ptr<asio::steady_timer> timer;
        std::array<char, 4096> buffer{};
        std::string partial; ///< a line not yet ended, for onLine
        CommandOptions options;
        CommandResult result;
        Clock::time_point start = Clock::now();
        std::function<void(CommandResult)> done;
    };

    asio::io_context &io;
    std::set<std::shared_ptr<Running>> running;

    explicit Private(asio::io_context &io)
        : io(io)
    {}

    ~Private()
    {
        for (const auto &r : running) {
            ::kill(-r->pid, SIGKILL);
            siginfo_t info{};
            ::waitid(P_PIDFD, unsigned(r->pidfd->native_handle()), &info, WEXITED);
        }
    }

    void start(std::vector<std::string> argv, CommandOptions options,
               std::function<void(CommandResult)> done)
    {
        auto r = std::make_shared<Running>();
        r->done = std::move(done);
        r->options = std::move(options);
        int fds[2] = {-1, r->options.outputFd};
        if (r->options.outputFd < 0 && ::pipe2(fds, O_CLOEXEC) != 0) {
            r->result.error = std::string("cannot make a pipe: ") + std::strerror(errno);
            finish(r);
            return;
        }
        SpawnRequest req;
        req.argv = std::move(argv);
        req.env = r->options.env;
        req.cwd = r->options.cwd;
        req.outputFd = fds[1];
        r->start = Clock::now();
        auto spawned = spawnProcess(req);
        if (fds[0] >= 0)
            ::close(fds[1]);
        if (!spawned.ok()) {
            if (fds[0] >= 0)
                ::close(fds[0]);
            r->result.error = spawned.error().message;
            finish(r);
            return;
        }
        r->result.started = true;
        r->pid = spawned->pid;
        r->pidfd = std::make_unique<asio::posix::stream_descriptor>(io, spawned->pidfd);
        if (fds[0] >= 0)
            r->output = std::make_unique<asio::posix::stream_descriptor>(io, fds[0]);
        r->timer = std::make_unique<asio::steady_timer>(io, r->options.timeout);
        running.insert(r);
        r->timer->async_wait([r](const boost::system::error_code &ec) {
            if (ec)
                return;
            r->result.timedOut = true;
            ::kill(-r->pid, SIGKILL); // the whole group: a late command is not left behind
        });
        if (r->output)
            readOutput(r);
        std::weak_ptr<Private> self = weak_from_this();
        r->pidfd->async_wait(asio::posix::stream_descriptor::wait_read,
                             [self, r](const boost::system::error_code &ec) {
                                 if (auto d = self.lock(); d && !ec)
                                     d->exited(r);
                             });
    }

    static void readOutput(const std::shared_ptr<Running> &r)
    {
        r->output->async_read_some(asio::buffer(r->buffer),
                                   [r](const boost::system::error_code &ec, std::size_t n) {
                                       if (ec)
                                           return;
                                       keep(*r, n);
                                       readOutput(r);
                                   });
    }

    static void keep(Running &r, std::size_t n)
    {
        std::string &out = r.result.output;
        const std::size_t room =
            r.options.outputLimit - std::min(r.options.outputLimit, out.size());
        out.append(r.buffer.data(), std::min(room, n));
        if (!r.options.onLine)
            return;
        r.partial.append(r.buffer.data(), n);
        std::size_t from = 0;
        for (std::size_t nl; (nl = r.partial.find('\n', from)) != std::string::npos;
             from = nl + 1) {
            std::string line = r.partial.substr(from, nl - from);
            if (!line.empty() && line.back() == '\r')
                line.pop_back();
            r.options.onLine(line);
        }
        r.partial.erase(0, from);
        if (r.partial.size() > 4096) // a line without end: say what there is
            r.partial.clear();
    }

    void exited(const std::shared_ptr<Running> &r)
    {
        // What it left behind in its group goes with it (while the leader, not yet reaped,
        // keeps the group's id from being reused); then the output it wrote so far.
        ::kill(-r->pid, SIGKILL);
        siginfo_t info{};
        ::waitid(P_PIDFD, unsigned(r->pidfd->native_handle()), &info, WEXITED | WNOHANG);
        r->timer->cancel();
        boost::system::error_code ec;
        if (r->output) {
            r->output->non_blocking(true);
            while (true) {
                std::size_t n = r->output->read_some(asio::buffer(r->buffer), ec);
                if (ec || n == 0)
                    break;
                keep(*r, n);
            }
            if (!r->partial.empty() && r->options.onLine)
                r->options.onLine(r->partial);
            r->output->close(ec);
        }
        r->pidfd->close(ec);
        if (info.si_code == CLD_EXITED)
            r->result.exitCode = info.si_status;
        else
            r->result.signal = info.si_status;
        running.erase(r);
        finish(r);
    }

    void finish(const std::shared_ptr<Running> &r)
    {
        r->result.ms = std::chrono::duration<double, std::milli>(Clock::now() - r->start).count();
        asio::post(io, [self = weak_from_this(), r] {
            if (self.lock())
                r->done(std::move(r->result));
        });
    }
};

CommandRunner::CommandRunner(asio::io_context &io)
    : d(std::make_shared<Private>(io))
{}

CommandRunner::~CommandRunner() = default;

void CommandRunner::run(std::vector<std::string> argv, CommandOptions options,
                        std::function<void(CommandResult)> done)
{
    d->start(std::move(argv), std::move(options), std::move(done));
}

int CommandRunner::running() const
{
    return int(d->running.size());
}

} // namespace drover::engine
