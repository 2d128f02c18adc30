// The least a supervisor can do to restart a process, as a program of its own, so that
// bench_master.py can time it exactly as it times droverd: the kill of a child, then the
// kernel's timestamps of its exit, the replacement's fork and the replacement's exec (the
// proc connector). The peers' spawnrate stops its clock when posix_spawn returns, which is
// when the child has let go of the parent's memory inside its exec, before the new program
// is loaded; a supervisor's restart is done when the exec is.
//
//   bench_restart_floor N [PROGRAM [ARG...]]
//
// Starts N children (default `/bin/sleep 900000+i`), prints `ready` once they run, and
// replaces each one that ends at once: waitpid() for any child, posix_spawn() of the same
// command. SIGTERM kills the children and ends it.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace {

volatile std::sig_atomic_t g_stop = 0;

void onTerm(int)
{
    g_stop = 1;
}

struct Command
{
    std::vector<std::string> args;
    pid_t start() const
    {
        std::vector<char *> argv;
        for (const std::string &a : args)
            argv.push_back(const_cast<char *>(a.c_str()));
        argv.push_back(nullptr);
        pid_t pid = -1;
        const int rc = posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
        return rc == 0 ? pid : -1;
    }
};

} // namespace

int main(int argc, char **argv)
{
    const int n = argc > 1 ? std::atoi(argv[1]) : 1000;
    if (n <= 0) {
        std::fprintf(stderr, "usage: bench_restart_floor N [PROGRAM [ARG...]]\n");
        return 2;
    }
    struct sigaction sa
    {
    };
    sa.sa_handler = onTerm; // no SA_RESTART: waitpid() returns EINTR
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);

    std::map<pid_t, Command> children;
    for (int i = 0; i < n; ++i) {
        Command c;
        if (argc > 2)
            c.args.assign(argv + 2, argv + argc);
        else
            c.args = {"/bin/sleep", std::to_string(900000 + i)};
        const pid_t pid = c.start();
        if (pid < 0) {
            std::perror("posix_spawn");
            return 1;
        }
        children.emplace(pid, std::move(c));
    }
    std::printf("ready %d\n", n);
    std::fflush(stdout);

    while (!g_stop) {
        int status = 0;
        const pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            std::perror("waitpid");
            break;
        }
        auto it = children.find(pid);
        if (it == children.end())
            continue;
        Command c = std::move(it->second);
        children.erase(it);
        const pid_t again = c.start();
        if (again > 0)
            children.emplace(again, std::move(c));
    }
    for (const auto &[pid, c] : children)
        kill(pid, SIGKILL);
    while (waitpid(-1, nullptr, 0) > 0 || errno == EINTR) {
    }
    return 0;
}
