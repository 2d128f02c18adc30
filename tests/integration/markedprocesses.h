#pragma once
// Every engine test gives its workers a marker in their environment (DROVER_TEST_MARK=<uuid>):
// the processes carrying it are the test's own, children and grandchildren included, and a
// test fails if any is left running after it.

#include <algorithm>
#include <cstdlib>
#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <signal.h>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace drover::test {

/// Whether the process exists and is not a zombie.
inline bool alive(int pid)
{
    if (pid <= 0 || ::kill(pid, 0) != 0)
        return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string all;
    std::getline(stat, all);
    auto close = all.rfind(')');
    return close != std::string::npos && all.size() > close + 2 && all[close + 2] != 'Z';
}

/// Live processes whose environment holds `mark` (NAME=value).
inline std::vector<int> markedProcesses(const std::string &mark)
{
    std::vector<int> out;
    DIR *proc = opendir("/proc");
    while (dirent *e = proc ? readdir(proc) : nullptr) {
        int pid = atoi(e->d_name);
        if (pid <= 0 || pid == getpid())
            continue;
        std::ifstream env("/proc/" + std::string(e->d_name) + "/environ", std::ios::binary);
        std::stringstream buf;
        buf << env.rdbuf();
        if (buf.str().find(mark) != std::string::npos && alive(pid))
            out.push_back(pid);
    }
    if (proc)
        closedir(proc);
    return out;
}

/// Waits up to `ms` for the marked processes to be gone (a killed tree may take a moment to be
/// reaped by init), then kills those still there with SIGKILL and returns them: what a test
/// left running.
inline std::vector<int> killLeftovers(const std::string &mark, int ms = 2000)
{
    std::vector<int> left;
    for (int waited = 0;; waited += 20) {
        left = markedProcesses(mark);
        if (left.empty() || waited >= ms)
            break;
        ::usleep(20'000);
    }
    for (int pid : left)
        ::kill(pid, SIGKILL);
    return left;
}

/// The cgroup parent for this test process's engines, "drover-test-<pid>". At exit it is
/// removed from every hierarchy with the worker groups left in it (empty ones: a test that
/// leaves a process behind fails on its own), so that runs do not pile groups up.
inline std::string testCgroupParent()
{
    static const std::string name = [] {
        std::atexit([] {
            const std::string parent = "drover-test-" + std::to_string(::getpid());
            std::error_code ec;
            for (const char *root : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
                for (const auto &mount : std::filesystem::directory_iterator(root, ec)) {
                    const std::filesystem::path dir = mount.path() / parent;
                    if (!std::filesystem::is_directory(dir, ec))
                        continue;
                    std::vector<std::string> dirs;
                    for (const auto &entry : std::filesystem::recursive_directory_iterator(dir, ec))
                        if (entry.is_directory(ec))
                            dirs.push_back(entry.path().string());
                    std::sort(dirs.begin(), dirs.end(), [](const auto &a, const auto &b) {
                        return a.size() > b.size(); // the deepest first
                    });
                    dirs.push_back(dir.string());
                    for (const std::string &d : dirs)
                        ::rmdir(d.c_str());
                }
            }
        });
        return "drover-test-" + std::to_string(::getpid());
    }();
    return name;
}

} // namespace drover::test
