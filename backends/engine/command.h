#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace drover::engine {

/// How a command the engine ran ended.
struct CommandResult
{
    bool started = false; ///< false: it could not be spawned (`error` says why)
    int exitCode = -1;    ///< its exit status; -1 when a signal ended it
    int signal = 0;       ///< the signal that ended it, 0 when it exited
    bool timedOut = false;
    double ms = 0;      ///< from the spawn to its end
    std::string output; ///< stdout and stderr together, the first `outputLimit` bytes
    std::string error;  ///< why it could not be spawned

    bool ok() const { return exitCode == 0; }
    /// "exit 1", "killed by SIGSEGV", "timed out after 30s; killed", or the spawn error.
    std::string how() const;
};

struct CommandOptions
{
    std::vector<std::string> env; ///< `NAME=value`
    std::string cwd;              ///< empty: the master's
    std::chrono::milliseconds timeout{30'000};
    std::size_t outputLimit = 64 * 1024;
    /// Each whole line of output as it comes (without its newline), e.g. a pull's progress.
    std::function<void(const std::string &line)> onLine;
    /// >= 0: the output goes there (e.g. a worker's log) and is not read.
    int outputFd = -1;
};

/// Runs helper programs (exec probes, podman) from the engine's loop without blocking it:
/// each in its own process group, stdin from /dev/null, its output read as it comes, killed
/// with its whole group when it is late or when it ends (nothing it started is left behind).
/// `done` runs on the loop, never inside run(). Destroying the runner kills what still runs
/// and calls nothing.
class CommandRunner
{
public:
    explicit CommandRunner(boost::asio::io_context &io);
    ~CommandRunner();
    CommandRunner(const CommandRunner &) = delete;
    CommandRunner &operator=(const CommandRunner &) = delete;

    void run(std::vector<std::string> argv, CommandOptions options,
             std::function<void(CommandResult)> done);
    /// Commands running now.
    int running() const;

private:
    struct Private;
    std::shared_ptr<Private> d;
};

} // namespace drover::engine
