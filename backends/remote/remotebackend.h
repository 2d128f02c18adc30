#pragma once

#include "api/backend.h"
#include "remote/masterurl.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace drover::remote {

struct RemoteOptions
{
    MasterUrl url;
    std::string token;       ///< sent in hello; empty for a master without tokens
    std::string caFile;      ///< wss: verify the master's certificate against this CA
    std::string fingerprint; ///< wss: or accept exactly this certificate (SHA-256, hex)
    std::string client = "drover";
    std::chrono::milliseconds connectTimeout{5000};
    std::chrono::milliseconds backoffInitial{250};
    std::chrono::milliseconds backoffMax{15000};
    bool reconnect = true; ///< droverctl: false (one try, then the error)
};

/// Where the link to the master stands, for a status bar or droverctl's errors.
struct LinkStatus
{
    enum class State { Connecting, Connected, Waiting, Refused };
    State state = State::Connecting;
    std::string message;        ///< why it is waiting or refused, in words
    std::int64_t retryAtMs = 0; ///< Waiting: when the next try starts (Unix ms)
    api::Role role = api::Role::Viewer;
    std::string server;      ///< `droverd/0.1.0` once connected
    std::string fingerprint; ///< the master's certificate (wss), to show and pin
    std::string errorCode;   ///< Refused: `unauthorized`, `tls`...
};

/// The Backend interface over the wire protocol (PROTOCOL.md) to a droverd: the same
/// snapshot, deltas, metrics and requests as LocalBackend. Runs its own network thread;
/// listener callbacks, replies and status changes come on it. It reconnects with exponential
/// backoff and jitter, resumes the stream with `since` (or takes a new snapshot), and fails
/// the requests in flight when the link drops with `unavailable`: a request never hangs.
class RemoteBackend final : public api::Backend
{
public:
    explicit RemoteBackend(RemoteOptions options);
    ~RemoteBackend() override; ///< closes the link and joins the thread

    /// Called on the network thread whenever the link's state changes.
    void setStatusListener(std::function<void(const LinkStatus &)> listener);
    /// Starts connecting (call once, after setStatusListener).
    void start();

    std::uint64_t subscribe(std::shared_ptr<api::StreamListener> listener,
                            std::uint64_t since = 0) override;
    void unsubscribe(std::uint64_t subscription) override;
    void setMetricSeries(std::uint64_t subscription, std::vector<std::string> series) override;
    void request(const std::string &op, const nlohmann::json &args, api::ReplyFn done) override;
    /// Follows go on after a reconnect, from the new link's start; the first batch after it
    /// says `skipped = -1` (what was written meanwhile is not known here).
    std::uint64_t followLogs(const nlohmann::json &args, api::LogLinesFn onLines,
                             api::ReplyFn done) override;
    void unfollowLogs(std::uint64_t follow) override;

    struct Private;

private:
    std::shared_ptr<Private> d;
};

} // namespace drover::remote
