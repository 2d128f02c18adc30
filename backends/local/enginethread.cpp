#include "local/enginethread.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <optional>
#include <thread>

namespace drover::local {

namespace asio = boost::asio;

struct EngineThread::Private
{
    asio::io_context io{1}; // one thread: no locks inside the engine
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
    std::thread thread;
};

EngineThread::EngineThread()
    : d(std::make_unique<Private>())
{}

EngineThread::~EngineThread()
{
    stop();
}

void EngineThread::start()
{
    if (d->thread.joinable())
        return;
    d->guard.emplace(d->io.get_executor());
    d->thread = std::thread([this] { d->io.run(); });
}

void EngineThread::post(std::function<void()> fn)
{
    asio::post(d->io, std::move(fn));
}

void EngineThread::stop()
{
    if (!d->thread.joinable())
        return;
    d->guard.reset(); // run() returns once the posted handlers are done
    d->thread.join();
    d->io.restart();
}

bool EngineThread::isEngineThread() const
{
    return d->thread.get_id() == std::this_thread::get_id();
}

boost::asio::io_context &EngineThread::context()
{
    return d->io;
}

} // namespace drover::local
