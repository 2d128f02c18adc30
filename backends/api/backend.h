#pragma once

#include "api/result.h"
#include "api/types.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace drover::api {

/// Receives a backend's state stream. Called on the backend's own thread (the engine thread
/// for a local backend, the network thread for a remote one), one call at a time, in order;
/// a GUI must hand the data over to its own thread (models/BackendBridge).
class StreamListener
{
public:
    virtual ~StreamListener() = default;
    /// The whole state; after it, deltas with seq = snapshot.seq + 1, + 2, ...
    virtual void onSnapshot(const Snapshot &snapshot) = 0;
    virtual void onDelta(const Delta &delta) = 0;
    /// Once a second, the newest values of the series set by setMetricSeries().
    virtual void onMetrics(const MetricBatch &) {}
};

/// The reply to one request: ok with a JSON payload, or an Error with a stable code.
using Reply = Result<nlohmann::json>;
using ReplyFn = std::function<void(Reply)>;

/// New lines of a followed log, oldest first. `skipped` > 0: that many lines were left out
/// before these (the client did not keep up); -1: an unknown number (the link to a remote
/// master was down meanwhile).
struct LogLines
{
    std::vector<std::string> lines;
    std::int64_t skipped = 0;
};
using LogLinesFn = std::function<void(LogLines)>;

/// A state stream plus requests (ARCHITECTURE.md). LocalBackend runs an engine in-process;
/// RemoteBackend speaks the wire protocol to a droverd. The UI cannot tell them apart.
class Backend
{
public:
    virtual ~Backend() = default;

    /// Starts a stream to `listener`: with `since` = 0 a snapshot first; with the last seq
    /// seen, the deltas after it when the backend still has them, otherwise a snapshot.
    /// Returns an id for unsubscribe().
    virtual std::uint64_t subscribe(std::shared_ptr<StreamListener> listener,
                                    std::uint64_t since = 0) = 0;
    virtual void unsubscribe(std::uint64_t subscription) = 0;
    /// The series (exact names or prefixes ending in `/`) whose values reach onMetrics().
    virtual void setMetricSeries(std::uint64_t subscription, std::vector<std::string> series) = 0;

    /// `op` as in PROTOCOL.md (`worker.restart`, `pool.scale`, `logs.tail`...). `done` is
    /// called exactly once, on the backend's thread.
    virtual void request(const std::string &op, const nlohmann::json &args, ReplyFn done) = 0;

    /// Follows a worker's log (`logs.follow {worker, lines}`): `done` gets, exactly once,
    /// `{worker, file, lines}` with the last `lines` lines, or an error (then nothing else
    /// comes); after an ok, `onLines` gets each batch of lines written after those, until
    /// unfollowLogs(). Both on the backend's thread. The id is valid even when the follow
    /// fails (unfollowLogs() is then a no-op).
    virtual std::uint64_t followLogs(const nlohmann::json &args, LogLinesFn onLines,
                                     ReplyFn done) = 0;
    virtual void unfollowLogs(std::uint64_t follow) = 0;
};

} // namespace drover::api
