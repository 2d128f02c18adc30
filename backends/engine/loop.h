#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <memory>
#include <random>
#include <utility> // before Asio: Boost 1.74 + g++ 12

/// The engine's one thread (engine-internal: included by the engine's .cpp files and its
/// components' headers, never by engine.h).
namespace drover::engine {

/// What every component on the loop shares: the io_context, a token that says whether the
/// engine still exists (handlers that run after it went check it), and one random source.
struct Loop
{
    explicit Loop(boost::asio::io_context &io)
        : io(io)
    {}

    boost::asio::io_context &io;
    std::shared_ptr<bool> alive = std::make_shared<bool>(true);
    std::mt19937_64 rng{std::random_device{}()};

    std::weak_ptr<bool> token() const { return alive; }

    /// Runs `fn` in a later turn of the loop, unless the engine is gone by then.
    template <class Fn>
    void later(Fn fn)
    {
        boost::asio::post(io, [fn = std::move(fn), alive = token()]() mutable {
            if (!alive.expired())
                fn();
        });
    }

    /// Runs `fn` in a later turn of the loop, once however often it is asked for until then;
    /// `scheduled` says whether it is on its way (and must outlive the loop's handlers, as a
    /// component's member does).
    template <class Fn>
    void postOnce(bool &scheduled, Fn fn)
    {
        if (scheduled)
            return;
        scheduled = true;
        boost::asio::post(io, [&scheduled, fn = std::move(fn), alive = token()]() mutable {
            if (alive.expired())
                return;
            scheduled = false;
            fn();
        });
    }
};

/// A worker's timer (registry.h forward-declares it, so that the records need no Asio).
class Timer : public boost::asio::steady_timer
{
public:
    using boost::asio::steady_timer::steady_timer;
};

/// A pidfd on the loop: readable once the process has exited.
class Watch : public boost::asio::posix::stream_descriptor
{
public:
    using boost::asio::posix::stream_descriptor::stream_descriptor;
};

} // namespace drover::engine
