#pragma once

#include <set>
#include <string>

namespace drover::engine {

class ConfigView;
class Registry;
class StateStore;

/// Rotates the workers' logs past their size (copy-truncate, docs/operations.md). The logs
/// written to since the last look are named by an inotify watch on the logs directory
/// (IN_MODIFY, read without waiting), so idle workers' logs cost nothing. Without inotify,
/// or when its queue overflowed, every log is checked.
class LogRotation
{
public:
    LogRotation(const Registry &registry, const ConfigView &config, const StateStore &state);
    ~LogRotation();
    LogRotation(const LogRotation &) = delete;
    LogRotation &operator=(const LogRotation &) = delete;

    void watch();
    void rotate();

private:
    void rotateOne(const std::string &id);

    const Registry &m_registry;
    const ConfigView &m_config;
    const StateStore &m_state;
    int m_fd = -1;
    std::set<std::string> m_written; ///< worker ids
};

} // namespace drover::engine
