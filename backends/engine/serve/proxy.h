#pragma once

// Private to the gateway (gateway.cpp): not for the rest of the engine.

#include <memory>
#include <optional>
#include <string>

namespace drover::config {
struct Endpoint;
}

namespace drover::engine::serve {

class Admission;

/// The pool's HTTP/1.1 reverse proxy on the engine's loop: accepts clients, asks the
/// admission for a worker for each request, passes the request and its answer (whole when
/// small, streamed otherwise, or tunnelled after an upgrade), and keeps connections to the
/// workers alive. Boost.Beast stays inside proxy.cpp.
class Proxy
{
public:
    explicit Proxy(std::shared_ptr<Admission> admission);
    ~Proxy();
    Proxy(const Proxy &) = delete;
    Proxy &operator=(const Proxy &) = delete;

    /// Opens the listener; an error message when it cannot.
    std::optional<std::string> listen(const config::Endpoint &at);
    /// Stops accepting; open connections end after their current request.
    void close();
    /// The connections kept open to `worker` are no longer of use.
    void forget(const std::string &worker);

private:
    struct Core;
    std::shared_ptr<Core> d;
};

} // namespace drover::engine::serve
