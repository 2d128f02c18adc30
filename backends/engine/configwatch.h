#pragma once

#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace drover::engine {

/// Calls `onChange` when a config file is written or replaced (editors often write a new file
/// and rename it over the old one, so the directory is watched, not the file). Changes within
/// `settle` of each other are reported once. inotify on the io_context: no polling.
class ConfigWatcher
{
public:
    ConfigWatcher(boost::asio::io_context &io, std::string file, std::function<void()> onChange,
                  int settleMs = 300);
    ~ConfigWatcher();
    ConfigWatcher(const ConfigWatcher &) = delete;
    ConfigWatcher &operator=(const ConfigWatcher &) = delete;

    /// Empty when watching works; otherwise why not.
    const std::string &error() const;

private:
    struct Private;
    std::shared_ptr<Private> d;
};

} // namespace drover::engine
