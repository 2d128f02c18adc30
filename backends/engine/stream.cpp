#include "engine/stream.h"

#include "api/clock.h"
#include "engine/observe/metricsstore.h"

namespace drover::engine {

template <class Fn>
void Stream::forEachSubscriber(Fn fn)
{
    const std::uint64_t last = m_subscriberCounter;
    for (auto it = m_subscribers.begin(); it != m_subscribers.end() && it->first <= last;) {
        const std::uint64_t id = it->first;
        std::shared_ptr<api::StreamListener> keep = it->second.listener;
        fn(it->second);
        it = m_subscribers.upper_bound(id);
    }
}

void Stream::publish(api::DeltaKind kind, decltype(api::Delta::value) value)
{
    api::Delta delta{++m_seq, kind, std::move(value)};
    forEachSubscriber([&delta](Subscriber &sub) { sub.listener->onDelta(delta); });
    m_ring.push_back(std::move(delta));
    if (m_ring.size() > kRingSize)
        m_ring.pop_front();
}

void Stream::addEvent(std::string kind, std::string subject, std::string message, std::string from,
                      std::string to, std::string reason)
{
    api::Event e{++m_eventCounter,   api::nowMs(),    std::move(kind), std::move(subject),
                 std::move(message), std::move(from), std::move(to),   std::move(reason)};
    m_events.push_back(e);
    if (m_events.size() > kEventsKept)
        m_events.pop_front();
    publish(api::DeltaKind::EventAdded, std::move(e));
}

std::uint64_t Stream::subscribe(std::shared_ptr<api::StreamListener> listener, std::uint64_t since,
                                const std::function<api::Snapshot()> &snapshot)
{
    std::uint64_t id = ++m_subscriberCounter;
    bool resumed = false;
    if (since > 0 && since <= m_seq) {
        if (since == m_seq) {
            resumed = true;
        } else if (!m_ring.empty() && m_ring.front().seq <= since + 1) {
            for (const api::Delta &delta : m_ring) {
                if (delta.seq > since)
                    listener->onDelta(delta);
            }
            resumed = true;
        }
    }
    if (!resumed)
        listener->onSnapshot(snapshot());
    m_subscribers[id] = Subscriber{std::move(listener), {}};
    return id;
}

void Stream::unsubscribe(std::uint64_t subscription)
{
    m_subscribers.erase(subscription);
}

void Stream::setMetricSeries(std::uint64_t subscription, std::vector<std::string> series)
{
    if (auto it = m_subscribers.find(subscription); it != m_subscribers.end())
        it->second.series = std::move(series);
}

void Stream::recordedLate(const std::string &series, double value, std::int64_t t,
                          std::int64_t resolutionMs)
{
    if (t - t % resolutionMs <= m_lastBatchSlot && !m_subscribers.empty())
        m_late.push_back({series, value});
}

void Stream::sendMetrics(std::int64_t t, const MetricsStore &metrics)
{
    const std::int64_t slot = t - t % metrics.resolution().count();
    m_lastBatchSlot = slot;
    forEachSubscriber([&](Subscriber &sub) {
        if (sub.series.empty())
            return;
        api::MetricBatch batch;
        batch.timeMs = t;
        // A slot's points once, also when sampling is faster than the resolution.
        const bool newSlot = slot != sub.slotSent;
        sub.slotSent = slot;
        for (const std::string &s : sub.series) {
            const bool prefix = !s.empty() && s.back() == '/';
            std::vector<std::string> names;
            if (prefix)
                names = metrics.seriesNames(s);
            else
                names.push_back(s);
            for (const std::string &name : names) {
                MetricsStore::Point p;
                if (newSlot && metrics.latest(name, p) && p.t == slot)
                    batch.points.push_back({name, p.v});
            }
            for (const api::MetricPoint &late : m_late) {
                if (late.series == s || (prefix && late.series.rfind(s, 0) == 0))
                    batch.points.push_back(late);
            }
        }
        if (!batch.points.empty())
            sub.listener->onMetrics(batch);
    });
    m_late.clear();
}

} // namespace drover::engine
