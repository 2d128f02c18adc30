#pragma once

#include "api/result.h"
#include "config/spec.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace drover::fleet {

struct EtcdOptions
{
    std::vector<config::EtcdEndpoint> endpoints;
    std::optional<config::EtcdTlsSpec> tls; ///< for https endpoints; none: the system's CAs
    /// Connecting, sending and the whole answer of one call, per endpoint tried.
    std::chrono::milliseconds timeout{3000};
};

/// etcd's v3 API through its gRPC gateway: JSON over HTTP/1.1 (`POST /v3/kv/range`...), TLS
/// for https endpoints. Runs on the io_context given; callbacks are called there, never
/// after the client is gone. A call tries the endpoints in turn, starting with the one that
/// answered last, and moves on when one cannot be reached; an answer that is etcd's error
/// (a lease not found) is not tried elsewhere.
class EtcdClient
{
public:
    EtcdClient(boost::asio::io_context &io, EtcdOptions options);
    ~EtcdClient(); ///< cancels every call and stream; their callbacks are not called
    EtcdClient(const EtcdClient &) = delete;
    EtcdClient &operator=(const EtcdClient &) = delete;

    using Reply = std::function<void(api::Result<nlohmann::json>)>;
    /// One request, one answer: `path` like `/v3/kv/put`. Errors: `unavailable` when no
    /// endpoint answered (each one's reason in the message), `not_found` for etcd's
    /// NotFound (an expired lease), `internal` for its other errors.
    void call(const std::string &path, nlohmann::json body, Reply done);

    using Message = std::function<void(const nlohmann::json &)>;
    using Ended = std::function<void(const api::Error &)>;
    /// A streaming call (`/v3/watch`): `each` for every message as it comes, then `ended`
    /// once when the stream ends (etcd gone, or it closed it). Not called after cancel().
    std::uint64_t stream(const std::string &path, nlohmann::json body, Message each, Ended ended);
    void cancel(std::uint64_t stream);

    /// The endpoint that answered last (or the first), as written.
    std::string endpoint() const;

    /// etcd's JSON carries keys and values in base64.
    static std::string toBase64(std::string_view data);
    static std::string fromBase64(std::string_view text);
    /// The `range_end` that selects every key starting with `prefix`.
    static std::string prefixEnd(std::string prefix);

    struct Core;

private:
    std::shared_ptr<Core> d;
};

} // namespace drover::fleet
