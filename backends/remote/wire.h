#pragma once

#include "api/backend.h"
#include "api/ops.h"
#include "api/role.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

/// The wire protocol's frames (docs/protocol.md): what a client sends and what the master
/// answers, as JSON text. No transport here: the server and RemoteBackend carry these
/// strings over a WebSocket; the fuzzer feeds the decoder garbage.
namespace drover::remote {

inline constexpr int kProtocolVersion = 1;

/// A request as a client sends it: `{"id":3,"op":"worker.restart","args":{...}}`.
struct ClientFrame
{
    nlohmann::json id; ///< a number or a string, echoed in the reply
    std::string op;
    nlohmann::json args = nlohmann::json::object();
};

/// Reads one client frame. A frame that is not JSON, not an object, or without a usable `id`
/// or `op` is an error (`bad_request`) that says what is wrong; `id` is then filled in when
/// the frame had one, so that the error reply can carry it.
api::Result<ClientFrame> decodeClientFrame(std::string_view text, nlohmann::json *idOut = nullptr);

// Server frames, encoded once and shared by every session that sends them.
std::string encodeReply(const nlohmann::json &id, const api::Reply &reply);
/// With `role`, the snapshot says that role instead of its own (each session its caller's).
std::string encodeSnapshot(const api::Snapshot &snapshot,
                           std::optional<api::Role> role = std::nullopt);
std::string encodeDelta(const api::Delta &delta);
/// `{"type":"deltas","deltas":[<delta frame>, ...]}`: several encoded `delta` frames as one
/// message, for a client that subscribed with `batch` (fewer writes and wake-ups per delta).
std::string encodeDeltaBatch(std::span<const std::shared_ptr<const std::string>> frames);
std::string encodeMetrics(const api::MetricBatch &batch);
/// `{"type":"log","follow":3,"lines":[...],"skipped":0}`: new lines of a `logs.follow`.
std::string encodeLog(std::uint64_t follow, const api::LogLines &lines);
/// `{"type":"resync","reason":...}`: the client has fallen behind; it takes a new snapshot
/// by subscribing again.
std::string encodeResync(const std::string &reason);

/// The client side: reads a server frame back into domain values.
struct ServerFrame
{
    enum class Kind { Reply, Snapshot, Delta, Deltas, Metrics, Log, Resync } kind = Kind::Reply;
    nlohmann::json id;
    api::Reply reply = nlohmann::json::object();
    api::Snapshot snapshot;
    api::Delta delta;
    std::vector<api::Delta> deltas; ///< Deltas: in seq order
    api::MetricBatch metrics;
    std::uint64_t follow = 0; ///< Log: the follow's id (the `follow` of logs.follow's reply)
    api::LogLines log;
    std::string reason;
};
api::Result<ServerFrame> decodeServerFrame(std::string_view text);

} // namespace drover::remote
