#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace drover::engine {

/// Time series of the master: one ring per series at a fixed resolution, kept for a fixed
/// retention (`master.metrics` in the config). Values are stored compressed in chunks of 256
/// slots (XOR-encoded doubles, one bit for "same as before", one short code for a run of
/// repeats or of gaps), so an idle series costs a few bytes per chunk, and 1000 workers' four
/// series for an hour fit in a few MB when the values are whole numbers or binary fractions
/// (docs/metrics.md has the numbers). Engine thread only: no locks.
class MetricsStore
{
public:
    struct Point
    {
        std::int64_t t = 0; ///< ms since the Unix epoch, a multiple of the resolution
        double v = 0;
        friend bool operator==(const Point &, const Point &) = default;
    };

    MetricsStore(std::chrono::milliseconds resolution, std::chrono::milliseconds retention);
    ~MetricsStore();
    MetricsStore(const MetricsStore &) = delete;
    MetricsStore &operator=(const MetricsStore &) = delete;

    /// Records `v` at `tMs`, rounded down to the resolution. A second value in the same slot
    /// replaces the first; a time older than the series' newest slot is ignored; slots skipped
    /// are gaps (not returned by queries). Points older than the retention, counted back from
    /// the newest time recorded in the store (any series), are dropped, and a series left with
    /// no point is forgotten; a time that is already that old is ignored. So is a value that
    /// is not finite (NaN, infinity), and a time more than 2^62 ms away from the epoch.
    void record(std::string_view series, std::int64_t tMs, double v);

    /// A series name that remembers where its series lives in the store, so that recording
    /// through it skips the name lookup (the master records thousands of series a second).
    /// It looks the name up again after any series was forgotten, and for another store.
    class Handle
    {
    public:
        Handle() = default;
        explicit Handle(std::string name)
            : m_name(std::move(name))
        {}
        const std::string &name() const { return m_name; }
        bool empty() const { return m_name.empty(); }

    private:
        friend class MetricsStore;
        std::string m_name;
        void *m_place = nullptr;
        const MetricsStore *m_store = nullptr;
        std::uint64_t m_epoch = 0;
    };
    /// The same as record(series.name(), tMs, v).
    void record(Handle &series, std::int64_t tMs, double v);

    /// Holds a series: its newest value goes on at every later slot, up to the newest slot
    /// recorded in the store, with nothing recorded meanwhile. Queries, latest() and the
    /// retention see those points as if they had been recorded; the next record() of the
    /// series, or release(), ends the hold. The master holds the series of idle workers and
    /// of unchanged pools, so that they cost nothing per sample. Nothing happens for a series
    /// that has no point in the retention.
    void hold(Handle &series);
    /// Ends a hold at `tMs`: the held value goes on through that slot (at most up to the
    /// store's newest slot), and the series has a gap after it until it is recorded again.
    /// Slots the store has already written out stay: it writes holds out when it sweeps the
    /// retention, once every 256 slots.
    void release(Handle &series, std::int64_t tMs);

    /// Points with from <= t <= to inside the retention, oldest first, values bit-exact. With
    /// maxPoints > 0 and more points than that, the points are averaged into at most maxPoints
    /// buckets: from the first point on, each bucket spans ceil(slots / maxPoints) slots, where
    /// `slots` counts from the first to the last point; a bucket with points gives one point
    /// (t = the bucket's start, v = their mean), an empty one (a gap) gives nothing.
    std::vector<Point> query(std::string_view series, std::int64_t fromMs, std::int64_t toMs,
                             std::size_t maxPoints = 0) const;
    /// The newest point of a series, if it has one inside the retention.
    bool latest(std::string_view series, Point &out) const;

    /// Names of the series that start with `prefix`, sorted.
    std::vector<std::string> seriesNames(std::string_view prefix = {}) const;
    /// Forgets every series that starts with `prefix` (e.g. `worker/api-3/` once it is gone).
    void removePrefix(std::string_view prefix);

    /// The resolution in use: the one given, at least 1 ms.
    std::chrono::milliseconds resolution() const;
    /// The retention in use: the one given rounded down to whole slots, at least one slot and
    /// at most 2^26 (about 67 million) slots.
    std::chrono::milliseconds retention() const;
    /// Series with a point inside the retention.
    std::size_t seriesCount() const;
    /// Heap bytes held by the store (for its own benchmark and the master's metrics), without
    /// the allocator's own overhead per block.
    std::size_t memoryBytes() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace drover::engine
