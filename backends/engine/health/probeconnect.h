#pragma once
// What the tcp, http and grpc probes share: connecting to a host and port, and saying why a
// connection failed. Internal to the probe .cpp files (it includes Asio).

// clang-format off
#include <utility> // before Asio (TOOLCHAIN.md)
// clang-format on
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace drover::engine {

/// Connects `socket` to host:port: at once for a numeric address, otherwise after resolving
/// the name without blocking. `done(ec, problem)`: `problem` says what went wrong in words
/// (empty when connected), e.g. `connection refused` or `cannot resolve "db": ...`.
void connectProbe(boost::asio::ip::tcp::socket &socket, boost::asio::ip::tcp::resolver &resolver,
                  const std::string &host, std::uint16_t port,
                  std::function<void(const boost::system::error_code &, std::string problem)> done);

/// `connection refused`, `unreachable`, or the system's message.
std::string connectProblem(const boost::system::error_code &ec);

} // namespace drover::engine
