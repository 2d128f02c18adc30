#pragma once

#include "api/backend.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace drover::engine {

class MetricsStore;

/// The state stream: the sequence of deltas, the ring of recent ones for `subscribe since`,
/// the subscribers and the metric series each asked for, and the events `events.query`
/// reads. Every delta goes out from here, in `seq` order.
class Stream
{
public:
    static constexpr std::size_t kRingSize = 8192;
    static constexpr std::size_t kEventsKept = 10000;

    std::uint64_t seq() const { return m_seq; }
    void publish(api::DeltaKind kind, decltype(api::Delta::value) value);
    /// An event: kept for `events.query` and published as a delta.
    void addEvent(std::string kind, std::string subject, std::string message, std::string from = {},
                  std::string to = {}, std::string reason = {});
    const std::deque<api::Event> &events() const { return m_events; }

    /// With `since` the deltas after it when the ring still has them, else `snapshot()`.
    std::uint64_t subscribe(std::shared_ptr<api::StreamListener> listener, std::uint64_t since,
                            const std::function<api::Snapshot()> &snapshot);
    void unsubscribe(std::uint64_t subscription);
    void setMetricSeries(std::uint64_t subscription, std::vector<std::string> series);
    bool hasSubscribers() const { return !m_subscribers.empty(); }

    /// A point recorded at `t` in a slot whose batch went out already (a probe's latency
    /// comes at its own pace): it goes with the next batch.
    void recordedLate(const std::string &series, double value, std::int64_t t,
                      std::int64_t resolutionMs);
    /// The points of the slot of `t` to each subscriber that asked for their series.
    void sendMetrics(std::int64_t t, const MetricsStore &metrics);

private:
    struct Subscriber
    {
        std::shared_ptr<api::StreamListener> listener;
        std::vector<std::string> series;
        std::int64_t slotSent = -1; ///< the slot whose points it was sent last
    };

    /// Calls `fn` for each subscriber, safe against a listener that unsubscribes itself or
    /// another one from inside its call; one subscribed meanwhile is not called (its
    /// snapshot already has what is being sent).
    template <class Fn>
    void forEachSubscriber(Fn fn);

    std::uint64_t m_seq = 0;
    std::deque<api::Delta> m_ring;
    std::map<std::uint64_t, Subscriber> m_subscribers;
    std::uint64_t m_subscriberCounter = 0;
    std::deque<api::Event> m_events;
    std::uint64_t m_eventCounter = 0;
    std::vector<api::MetricPoint> m_late;
    std::int64_t m_lastBatchSlot = 0;
};

} // namespace drover::engine
