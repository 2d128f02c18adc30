#pragma once

#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace drover::local {

/// The engine's home: one io_context run by one thread, which owns all engine state. Other
/// threads only `post()` work onto it. LocalBackend (engine issue) is built on this.
class EngineThread
{
public:
    EngineThread();
    ~EngineThread(); ///< stops the loop and joins the thread
    EngineThread(const EngineThread &) = delete;
    EngineThread &operator=(const EngineThread &) = delete;

    void start();
    /// Runs `fn` on the engine thread, in the order posted.
    void post(std::function<void()> fn);
    /// Stops the loop after the handlers already posted have run, then joins.
    void stop();
    bool isEngineThread() const;
    /// The loop itself, to construct engine objects on (from the engine thread, or before
    /// start()).
    boost::asio::io_context &context();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace drover::local
