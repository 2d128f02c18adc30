#include "engine/configwatch.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sys/inotify.h>
#include <unistd.h>
#include <utility> // before Asio: Boost 1.74 + g++ 12

namespace drover::engine {

namespace asio = boost::asio;

struct ConfigWatcher::Private : std::enable_shared_from_this<ConfigWatcher::Private>
{
    asio::posix::stream_descriptor fd;
    asio::steady_timer settle;
    std::string dir;
    std::string name;
    std::function<void()> onChange;
    int settleMs = 300;
    std::string error;
    char buffer[8192];

    Private(asio::io_context &io)
        : fd(io)
        , settle(io)
    {}

    void read()
    {
        fd.async_wait(asio::posix::stream_descriptor::wait_read,
                      [weak = weak_from_this()](const boost::system::error_code &ec) {
                          auto self = weak.lock();
                          if (!self || ec)
                              return;
                          self->drain();
                          self->read();
                      });
    }

    void drain()
    {
        bool ours = false;
        for (;;) {
            ssize_t n = ::read(fd.native_handle(), buffer, sizeof buffer);
            if (n <= 0)
                break;
            for (ssize_t off = 0; off < n;) {
                auto *ev = reinterpret_cast<inotify_event *>(buffer + off);
                if (ev->len && name == ev->name)
                    ours = true;
                off += ssize_t(sizeof(inotify_event) + ev->len);
            }
        }
        if (!ours)
            return;
        settle.expires_after(std::chrono::milliseconds(settleMs));
        settle.async_wait([weak = weak_from_this()](const boost::system::error_code &ec) {
            auto self = weak.lock();
            if (self && !ec && self->onChange)
                self->onChange();
        });
    }
};

ConfigWatcher::ConfigWatcher(asio::io_context &io, std::string file, std::function<void()> onChange,
                             int settleMs)
    : d(std::make_shared<Private>(io))
{
    std::filesystem::path path = std::filesystem::absolute(file);
    d->dir = path.parent_path().string();
    d->name = path.filename().string();
    d->onChange = std::move(onChange);
    d->settleMs = settleMs;
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
        d->error = std::string("inotify: ") + std::strerror(errno);
        return;
    }
    if (inotify_add_watch(fd, d->dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0) {
        d->error = "cannot watch \"" + d->dir + "\": " + std::strerror(errno);
        ::close(fd);
        return;
    }
    d->fd.assign(fd);
    d->read();
}

ConfigWatcher::~ConfigWatcher()
{
    boost::system::error_code ignored;
    d->fd.close(ignored);
    d->settle.cancel();
}

const std::string &ConfigWatcher::error() const
{
    return d->error;
}

} // namespace drover::engine
