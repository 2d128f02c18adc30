#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace drover::engine {

/// What the state dir records of one managed process, so that a restarted master can find
/// it again: `<state_dir>/workers/<id>.json`, written (temp + rename) when the process starts
/// and removed when it is gone.
struct WorkerRecord
{
    std::string id;
    std::string pool;
    int index = 0;
    bool adopted = false; ///< an `adopted:` entry that we (re)started ourselves
    int pid = 0;
    int pgid = 0;
    std::uint64_t startTime = 0; ///< /proc/<pid>/stat field 22, against PID reuse
    std::int64_t startedAtMs = 0;
    std::string revision;
    std::optional<int> port;
    int restarts = 0;
};

class StateStore
{
public:
    explicit StateStore(std::string dir);
    /// Creates the dir and its `workers/` and `logs/` subdirectories and takes an exclusive
    /// lock on `droverd.lock` (released by the kernel however the master ends). An error
    /// message when another master holds it or the dir cannot be made.
    std::optional<std::string> open();
    void close();

    const std::string &dir() const { return m_dir; }
    std::string logPath(const std::string &worker) const;

    std::optional<std::string> save(const WorkerRecord &record) const;
    void remove(const std::string &worker) const;
    /// Every record; unreadable files are skipped and listed in `problems`.
    std::vector<WorkerRecord> load(std::vector<std::string> &problems) const;

private:
    std::string m_dir;
    int m_lockFd = -1;
};

} // namespace drover::engine
