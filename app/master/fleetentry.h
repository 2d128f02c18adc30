#pragma once

#include "config/spec.h"

#include <functional>
#include <memory>
#include <optional>

namespace boost::asio {
class io_context;
}
namespace drover::engine {
class Engine;
}
namespace drover::remote {
class Server;
}
namespace drover::fleet {
class Registrar;
}

namespace drover::master {

/// droverd's entry in the fleet (`master.fleet`): a Registrar whose record is the master's
/// URL, version, certificate fingerprint, token roles and pools, from the engine and the
/// server; its state changes are logged and added to the events (`fleet.*`).
class FleetEntry
{
public:
    FleetEntry(boost::asio::io_context &io, engine::Engine &engine, remote::Server &server);
    ~FleetEntry();
    /// Starts registering as `master.fleet` says, registers again when it changed, stops
    /// (removing the key) when it is gone.
    void apply(const config::MasterSpec &master);
    /// Removes the key (at most 2 s), then `done`.
    void stop(std::function<void()> done);

private:
    boost::asio::io_context &m_io;
    engine::Engine &m_engine;
    remote::Server &m_server;
    std::optional<config::FleetSpec> m_spec;
    std::unique_ptr<fleet::Registrar> m_registrar;
    std::int64_t m_startedMs = 0;
};

} // namespace drover::master
