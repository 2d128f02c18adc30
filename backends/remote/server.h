#pragma once

#include "api/result.h"
#include "api/role.h"
#include "config/spec.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace drover::engine {
class Engine;
}

namespace drover::remote {

class AuditLog;
class TokenStore;

struct ServerOptions
{
    config::Endpoint listen{"127.0.0.1", 7700};
    std::optional<config::TlsSpec> tls;
    /// Largest WebSocket message a client may send; a larger one is refused and the
    /// connection closed.
    std::size_t maxFrameBytes = 1 << 20;
    /// Requests a connection may make per second (a token bucket of `burst`); beyond, `busy`.
    double requestsPerSecond = 200;
    double burst = 400;
    int maxConnections = 256;
    /// TLS handshake, HTTP request head and WebSocket upgrade must be done within this.
    std::chrono::milliseconds handshakeTimeout{5000};
    /// Frames waiting for a slow client, in bytes: past this its deltas stop with `resync`.
    std::size_t maxQueuedBytes = 32 << 20;
    /// Frames in a row that are not valid requests before the connection is closed.
    int garbageLimit = 8;
    /// Asked before a token is checked: new tokens when they changed (`droverd token create`
    /// or `revoke` while the master runs), else null.
    std::function<std::shared_ptr<TokenStore>()> refreshTokens;
};

/// droverd's server (PROTOCOL.md, docs/protocol.md): the WebSocket `/v1/stream` and HTTP
/// `/healthz`, `/readyz`, `/metrics` on the master's listen address, with TLS when
/// configured. It runs on the engine's io_context: sessions subscribe to the engine directly,
/// and a delta is encoded once for every session that sends it. Every function must be
/// called on the loop's thread.
class Server
{
public:
    Server(boost::asio::io_context &io, engine::Engine &engine, ServerOptions options,
           std::shared_ptr<TokenStore> tokens, std::shared_ptr<AuditLog> audit);
    ~Server();
    Server(const Server &) = delete;
    Server &operator=(const Server &) = delete;

    /// Binds and listens. Refused, with a message saying what to do, when the address is not
    /// loopback and TLS or tokens are missing; an error when the port is taken.
    api::Result<bool> start();
    /// Closes the listener and every connection.
    void stop();
    /// The port listened on (the configured one, or the one picked for port 0).
    int port() const;
    /// New tokens (after `droverd token create` and a reload); sessions keep their role.
    void setTokens(std::shared_ptr<TokenStore> tokens);
    int clients() const;
    /// The SHA-256 fingerprint of the server's certificate (`ab:cd:...`); empty without TLS.
    std::string fingerprint() const;
    /// The roles its tokens give, lowest first; none when no token is needed (loopback
    /// without tokens: every client is an admin).
    std::vector<api::Role> tokenRoles() const;
    /// Whether the master's fleet entry is in etcd (`drover_fleet_registered` on /metrics);
    /// nothing: not in a fleet.
    void setFleetRegistered(std::optional<bool> registered);

    struct Private;

private:
    std::shared_ptr<Private> d;
};

} // namespace drover::remote
