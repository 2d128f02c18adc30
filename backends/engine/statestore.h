#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace drover::engine {

/// What the state dir records of one managed process, so that a restarted master can find
/// it again. Kept in `<state_dir>/workers.journal`, one JSON line per change.
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
    std::string container; ///< a container worker's container id (podman)
};

/// The records of the processes the master runs, as a journal: each start appends an `up`
/// line with the record, each end a `down` line, with one write() on a descriptor kept open
/// (a line is whole or absent whatever happens to the master). A new file per start, written
/// and renamed, cost 0.1-0.6 ms of file system work on the path of every start. Reading
/// replays the lines; the journal is rewritten with only the live records after a load and
/// whenever it has grown to four times their number. Records of earlier versions
/// (`workers/<id>.json`) are read too and folded into the journal.
class StateStore
{
public:
    explicit StateStore(std::string dir);
    ~StateStore();
    StateStore(const StateStore &) = delete;
    StateStore &operator=(const StateStore &) = delete;

    /// Creates the dir and its `logs/` subdirectory and takes an exclusive lock on
    /// `droverd.lock` (released by the kernel however the master ends). An error message
    /// when another master holds it or the dir cannot be made.
    std::optional<std::string> open();
    void close();

    const std::string &dir() const { return m_dir; }
    std::string logPath(const std::string &worker) const;
    std::string journalPath() const;

    std::optional<std::string> save(const WorkerRecord &record);
    void remove(const std::string &worker);
    /// Every live record; unreadable lines and files are skipped and listed in `problems`
    /// (a last line cut short by a crash is not a problem). Then rewrites the journal with
    /// exactly these records.
    std::vector<WorkerRecord> load(std::vector<std::string> &problems);

private:
    std::optional<std::string> append(const std::string &line);
    void compact();

    std::string m_dir;
    int m_lockFd = -1;
    int m_journalFd = -1;
    std::map<std::string, std::string> m_live; ///< id -> its `up` line, for rewriting
    std::size_t m_lines = 0;                   ///< lines in the journal now
    bool m_loaded = false;                     ///< load() has read the journal
};

} // namespace drover::engine
