#pragma once

#include "api/backend.h"
#include "api/role.h"
#include "remote/server.h"

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

/// The server's sessions without their transport: what a client's frames do (hello, roles,
/// the rate limit, subscriptions, log follows, requests to the engine, audit) and the queue of
/// frames to send with its slow-consumer bounds. server.cpp carries them over Beast
/// WebSockets; the fuzzer (tests/fuzz/fuzz_dispatch.cpp) drives them directly.
namespace drover::remote {

struct ClientFrame;
class Session;

/// What every session of one server shares. Used on the engine's loop only.
struct Hub
{
    Hub(engine::Engine &engine, ServerOptions options, std::shared_ptr<TokenStore> tokens,
        std::shared_ptr<AuditLog> audit);
    virtual ~Hub();

    engine::Engine &engine;
    ServerOptions options;
    std::shared_ptr<TokenStore> tokens;
    std::shared_ptr<AuditLog> audit;
    std::set<std::shared_ptr<Session>> sessions; ///< open WebSocket sessions
    int connections = 0;                         ///< every connection, HTTP ones too
    std::uint64_t requests = 0;
    std::uint64_t refused = 0;
    std::optional<bool> fleetRegistered; ///< drover_fleet_registered; none: not in a fleet

    /// The delta as a frame, encoded once: the engine hands the same delta to every session
    /// in turn.
    std::shared_ptr<const std::string> deltaFrame(const api::Delta &delta);
    /// The snapshot as a frame for `role`, encoded once per seq and role.
    std::shared_ptr<const std::string> snapshotFrame(const api::Snapshot &snapshot, api::Role role);
    /// Whether requests need a token (reloading the tokens first when they changed).
    bool tokensRequired();
    /// Writes the audit line and sends the `audit` event of a mutating request.
    void audited(const std::string &token, api::Role role, const std::string &peer,
                 const ClientFrame &frame, const api::Reply &reply);

private:
    std::uint64_t m_cachedSeq = 0;
    std::shared_ptr<const std::string> m_cachedFrame;
    std::array<std::pair<std::uint64_t, std::shared_ptr<const std::string>>, 3> m_cachedSnapshots;
};

/// WebSocket close codes a session asks its transport for (RFC 6455).
enum class CloseCode : std::uint16_t { GoingAway = 1001, PolicyError = 1008, TooBig = 1009 };

/// One client's session, whatever carries its frames.
class Session : public std::enable_shared_from_this<Session>
{
public:
    Session(std::shared_ptr<Hub> hub, std::string peer);
    virtual ~Session();
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    /// A message from the client (`isText` false: a binary one, refused).
    void onMessage(std::string text, bool isText);
    /// The transport refused a message larger than options.maxFrameBytes: the client is told
    /// why, then the connection is closed.
    void onOversizeFrame();
    /// The transport is gone: the session lets go of the engine and leaves the hub.
    void closed();
    /// Asks the transport to close; closed() follows.
    virtual void close(CloseCode code, const std::string &why) = 0;
    const std::string &peer() const { return m_peer; }

protected:
    /// Writes one frame; the write holds `frame` until it is done (closed() may clear the
    /// queue meanwhile). `done(false)`: the write failed, the transport calls closed().
    virtual void write(std::shared_ptr<const std::string> frame,
                       std::function<void(bool ok)> done) = 0;

    std::shared_ptr<Hub> m_hub;

private:
    /// What a queued frame is: Delta, Batch and Snapshot count against the slow-consumer
    /// bound; a Batch is deltas already merged (never merged again).
    enum class Frame { Reply, Delta, Batch, Snapshot, Log };
    static bool isStream(Frame kind)
    {
        return kind == Frame::Delta || kind == Frame::Batch || kind == Frame::Snapshot;
    }
    struct Listener;
    struct Follow
    {
        std::uint64_t skipped = 0; ///< lines dropped since the last log frame sent
    };

    void send(std::shared_ptr<const std::string> frame, Frame kind = Frame::Reply);
    void sendMetrics(std::shared_ptr<const std::string> frame);
    void sendLog(std::uint64_t follow, api::LogLines lines);
    void writeNext();
    void mergeDeltas();
    void dispatch(ClientFrame frame);
    void reply(const nlohmann::json &id, const api::Reply &r);
    void subscribe(std::uint64_t since);
    void unsubscribe();
    void resync();
    void followLogs(const ClientFrame &frame);
    void unfollowLogs(const ClientFrame &frame);
    /// A frame that is not a valid request: past options.garbageLimit of these in a row the
    /// connection is closed.
    void countBadFrame(const std::string &why);

    std::string m_peer;
    std::optional<api::Role> m_role;
    std::string m_tokenName;
    std::uint64_t m_subscription = 0;
    std::shared_ptr<Listener> m_listener;      ///< of m_subscription (or of one being made)
    std::map<std::uint64_t, Follow> m_follows; ///< the engine's follow ids
    std::deque<std::pair<std::shared_ptr<const std::string>, Frame>> m_queue;
    std::shared_ptr<const std::string> m_metrics; ///< the newest metrics batch not yet sent
    std::size_t m_queuedDeltaBytes = 0;
    std::size_t m_queuedLogBytes = 0;
    bool m_writing = false;
    bool m_closed = false;
    bool m_closing = false;
    bool m_batch = false;   ///< subscribed with `batch`: waiting deltas go as one `deltas` frame
    int m_badFrames = 0;    ///< in a row
    int m_unauthorized = 0; ///< requests refused for want of a token, in all
    double m_tokens;        ///< the request rate's token bucket
    std::chrono::steady_clock::time_point m_refilled;
};

} // namespace drover::remote
