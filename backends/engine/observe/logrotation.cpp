#include "engine/observe/logrotation.h"

#include "engine/logfile.h"
#include "engine/registry.h"
#include "engine/specs.h"
#include "engine/statestore.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <sys/inotify.h>
#include <unistd.h>

namespace drover::engine {

LogRotation::LogRotation(const Registry &registry, const ConfigView &config,
                         const StateStore &state)
    : m_registry(registry)
    , m_config(config)
    , m_state(state)
{}

LogRotation::~LogRotation()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

void LogRotation::watch()
{
    m_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (m_fd >= 0 && ::inotify_add_watch(m_fd, (m_state.dir() + "/logs").c_str(), IN_MODIFY) < 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    if (m_fd < 0)
        spdlog::warn("log.watch off: {}; every log is checked for rotation", std::strerror(errno));
}

void LogRotation::rotateOne(const std::string &id)
{
    auto it = m_registry.workers().find(id);
    if (it == m_registry.workers().end())
        return;
    config::LogSpec logs;
    if (const config::PoolSpec *p = m_config.pool(*it->second))
        logs = p->logs;
    auto rotated = logfile::rotateIfLarger(m_state.logPath(id), logs.maxSize, logs.files);
    if (!rotated.ok())
        spdlog::warn("log.rotate worker={} error=\"{}\"", id, rotated.error().message);
}

void LogRotation::rotate()
{
    bool all = m_fd < 0;
    alignas(inotify_event) char buffer[16384];
    while (m_fd >= 0) {
        ssize_t n = ::read(m_fd, buffer, sizeof buffer);
        if (n <= 0)
            break;
        for (ssize_t at = 0; at < n;) {
            const auto *e = reinterpret_cast<const inotify_event *>(buffer + at);
            std::string_view name(e->len ? e->name : "");
            name = name.substr(0, name.find('\0'));
            if (e->mask & IN_Q_OVERFLOW)
                all = true;
            else if (name.size() > 4 && name.substr(name.size() - 4) == ".log")
                m_written.emplace(name.substr(0, name.size() - 4));
            at += ssize_t(sizeof(inotify_event) + e->len);
        }
    }
    if (all) {
        for (const auto &[id, w] : m_registry.workers())
            rotateOne(id);
    } else {
        for (const std::string &id : m_written)
            rotateOne(id);
    }
    m_written.clear();
}

} // namespace drover::engine
