#include "engine/observe/metricsstore.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <limits>
#include <new>
#include <optional>
#include <unordered_map>

namespace drover::engine {

namespace {

// A series is one bit stream over consecutive slots, from its first slot to the slot before
// its newest one; the newest value is kept as it is until a later slot arrives, so that a
// second value in the same slot can replace it. The stream is cut into chunks of kChunkSlots
// slots aligned to multiples of kChunkSlots, and no code spans two chunks, so whole chunks
// can be cut off the front once they are older than the retention.
//
// Codes, most significant bit first (x = value XOR previous value, as raw IEEE-754 bits):
//   0                          one slot, same value as the previous one
//   10   <len bits>            x, inside the leading/trailing-zero window of the last 110
//   110  <5: lead> <6: len-1> <len bits>
//                              x, with a new window of `lead` leading zero bits (at most 31)
//                              and `len` meaningful bits
//   1110 <8: n-1>              n slots (2..256), all the same value as the previous one
//   1111 <8: n-1>              n slots (1..256) without a value (a gap)
// The window is forgotten at every chunk start, and the value before the first slot is the
// series' base value (0.0 for a new series; the last value of the chunk cut off before it).

constexpr int kRunBits = 8;
constexpr std::int64_t kChunkSlots = std::int64_t(1) << kRunBits;
/// Repeats up to this many slots are written as single `0` bits, longer ones as a run code.
constexpr std::uint32_t kMaxSingleRepeats = 12;
/// Times further than this from the epoch (about 146 million years) are ignored, which keeps
/// all slot arithmetic far from overflow.
constexpr std::int64_t kMaxTimeMs = std::int64_t(1) << 62;
/// About 67 million slots (776 days at 1 s, 78 days at 100 ms). Skipped slots cost a code per
/// chunk, so this also bounds what one jump forward can cost (about 400 KB, briefly).
constexpr std::int64_t kMaxRetentionSlots = std::int64_t(1) << 26;

/// Rounds towards minus infinity; b > 0.
std::int64_t floorDiv(std::int64_t a, std::int64_t b)
{
    std::int64_t q = a / b;
    if (a % b != 0 && a < 0)
        --q;
    return q;
}

/// Rounds towards plus infinity; b > 0.
std::int64_t ceilDiv(std::int64_t a, std::int64_t b)
{
    std::int64_t q = a / b;
    if (a % b != 0 && a > 0)
        ++q;
    return q;
}

std::int64_t slotInChunk(std::int64_t slot)
{
    return slot - floorDiv(slot, kChunkSlots) * kChunkSlots;
}

/// Clamps a query bound to the times a point can have (a slot's start can be up to one
/// resolution before -2^62).
std::int64_t clampTime(std::int64_t tMs, std::int64_t resolutionMs)
{
    return std::clamp(tMs, -kMaxTimeMs - resolutionMs, kMaxTimeMs);
}

class Series
{
public:
    /// Forgets everything and starts over with one value.
    void start(std::int64_t slot, std::uint64_t bits)
    {
        m_words.clear();
        m_bitCount = 0;
        m_firstSlot = m_encodedEnd = m_newestSlot = slot;
        m_base = m_prev = 0;
        m_newest = bits;
        m_pending = 0;
        m_pendingGap = false;
        m_window = false;
    }

    std::int64_t newestSlot() const { return m_newestSlot; }
    std::uint64_t newestBits() const { return m_newest; }

    /// Held: the newest value goes on at every slot after it, up to the store's newest slot,
    /// without being recorded (MetricsStore::hold). extendTo() writes those slots for real.
    bool held() const { return m_held; }
    void setHeld(bool held) { m_held = held; }

    /// The newest value repeated at every slot up to `slot` (a run of repeats: a few bits).
    void extendTo(std::int64_t slot)
    {
        while (m_newestSlot < slot)
            record(m_newestSlot + 1, m_newest);
    }

    /// Records a value at a slot after, at or before the newest one (see MetricsStore::record).
    /// All memory it needs is reserved before anything changes, so a bad_alloc leaves the
    /// series as it was.
    void record(std::int64_t slot, std::uint64_t bits)
    {
        if (slot < m_newestSlot)
            return;
        if (slot == m_newestSlot) {
            m_newest = bits;
            return;
        }
        const std::int64_t gap = slot - m_newestSlot - 1;
        reserveBits(12 + 78 + 12 * (gap / kChunkSlots + 2));
        appendValue(m_newestSlot, m_newest);
        appendGaps(m_newestSlot + 1, gap);
        m_newestSlot = slot;
        m_newest = bits;
    }

    /// Cuts off the chunks that end before `cutoff` (which is not after the newest slot).
    void dropBefore(std::int64_t cutoff)
    {
        const std::int64_t boundary = floorDiv(cutoff, kChunkSlots) * kChunkSlots;
        if (boundary <= m_firstSlot)
            return;
        if (m_encodedEnd < boundary) {
            // A pending run never crosses a chunk start, so it lies wholly before `boundary`
            // (and the newest slot is `boundary` itself).
            reserveBits(12);
            flush();
        }
        Decoder dec(*this);
        Code code;
        while (dec.slot < boundary && dec.next(code)) {
        }
        if (dec.slot != boundary) {
            // Cannot happen: codes never span a chunk start. Keep only the newest value
            // rather than decode garbage.
            m_words.clear();
            m_bitCount = 0;
            m_firstSlot = m_encodedEnd = m_newestSlot;
            m_base = m_prev;
            m_pending = 0;
            m_window = false;
            return;
        }
        removeFrontBits(dec.pos);
        m_base = dec.prev;
        m_firstSlot = boundary;
        if (m_words.capacity() > 2 * m_words.size() + 16)
            m_words.shrink_to_fit();
    }

    /// Calls fn(slot, value) for each point with from <= slot <= to, oldest first.
    template <typename Fn>
    void forEach(std::int64_t from, std::int64_t to, Fn &&fn) const
    {
        Decoder dec(*this);
        Code code;
        while (dec.slot <= to) {
            const std::int64_t first = dec.slot;
            if (!dec.next(code))
                break;
            if (code.gap)
                continue;
            const std::int64_t last = first + code.count - 1;
            for (std::int64_t s = std::max(first, from); s <= std::min(last, to); ++s)
                fn(s, std::bit_cast<double>(dec.prev));
        }
        if (m_pending > 0 && !m_pendingGap) {
            const std::int64_t last = m_encodedEnd + m_pending - 1;
            for (std::int64_t s = std::max(m_encodedEnd, from); s <= std::min(last, to); ++s)
                fn(s, std::bit_cast<double>(m_prev));
        }
        if (m_newestSlot >= from && m_newestSlot <= to)
            fn(m_newestSlot, std::bit_cast<double>(m_newest));
    }

    std::size_t heapBytes() const { return m_words.capacity() * sizeof(std::uint64_t); }

private:
    struct Code
    {
        std::int64_t count = 0; ///< slots the code covers
        bool gap = false;
    };

    /// Reads the codes of a series from its first slot on.
    struct Decoder
    {
        explicit Decoder(const Series &s)
            : words(s.m_words.data())
            , end(s.m_bitCount)
            , slot(s.m_firstSlot)
            , prev(s.m_base)
        {}

        /// Decodes the code at `slot` into `code` (its value, if any, into `prev`) and moves
        /// `slot` past it. False at the end of the stream (or on a broken one).
        bool next(Code &code)
        {
            if (pos >= end)
                return false;
            if (slotInChunk(slot) == 0)
                window = false;
            code = Code{1, false};
            if (read(1) == 0) {
                // same value
            } else if (read(1) == 0) {
                if (!window)
                    return fail();
                prev ^= read(len) << (64 - lead - len);
            } else if (read(1) == 0) {
                lead = static_cast<int>(read(5));
                len = static_cast<int>(read(6)) + 1;
                if (lead + len > 64)
                    return fail();
                window = true;
                prev ^= read(len) << (64 - lead - len);
            } else {
                code.gap = read(1) != 0;
                code.count = static_cast<std::int64_t>(read(kRunBits)) + 1;
            }
            if (broken)
                return fail();
            slot += code.count;
            return true;
        }

        bool fail()
        {
            broken = true;
            pos = end;
            return false;
        }

        /// The next n (1..64) bits.
        std::uint64_t read(int n)
        {
            if (end - pos < static_cast<std::size_t>(n)) {
                broken = true;
                pos = end;
                return 0;
            }
            const std::uint64_t w = words[pos / 64];
            const int off = static_cast<int>(pos % 64);
            const int avail = 64 - off;
            pos += static_cast<std::size_t>(n);
            if (n <= avail)
                return (w << off) >> (64 - n);
            const int rest = n - avail;
            const std::uint64_t high = w & ((std::uint64_t(1) << avail) - 1);
            return (high << rest) | (words[(pos - 1) / 64] >> (64 - rest));
        }

        const std::uint64_t *words;
        std::size_t pos = 0;
        std::size_t end;
        std::int64_t slot;
        std::uint64_t prev;
        bool window = false;
        bool broken = false;
        int lead = 0;
        int len = 0;
    };

    /// Makes room for `bits` more bits, growing by an eighth rather than doubling: most
    /// series stop growing once they span the retention.
    void reserveBits(std::int64_t bits)
    {
        const std::size_t words = (m_bitCount + static_cast<std::size_t>(bits)) / 64 + 1;
        if (words > m_words.capacity())
            m_words.reserve(std::max(words, m_words.capacity() + m_words.capacity() / 8 + 4));
    }

    /// Appends the low n (1..64) bits of value. Room must be reserved.
    void put(std::uint64_t value, int n)
    {
        if (n < 64)
            value &= (std::uint64_t(1) << n) - 1;
        const int used = static_cast<int>(m_bitCount % 64);
        if (used == 0)
            m_words.push_back(0);
        const int room = 64 - used;
        if (n <= room) {
            m_words.back() |= value << (room - n);
        } else {
            m_words.back() |= value >> (n - room);
            m_words.push_back(value << (64 - (n - room)));
        }
        m_bitCount += static_cast<std::size_t>(n);
    }

    /// Called before anything is appended for `slot`: a chunk starts afresh.
    void beginSlot(std::int64_t slot)
    {
        if (slotInChunk(slot) == 0) {
            flush();
            m_window = false;
        }
    }

    void appendValue(std::int64_t slot, std::uint64_t bits)
    {
        beginSlot(slot);
        if (bits == m_prev) {
            if (m_pendingGap)
                flush();
            m_pendingGap = false;
            ++m_pending;
            return;
        }
        flush();
        putXor(bits ^ m_prev);
        m_prev = bits;
        m_encodedEnd = slot + 1;
    }

    void appendGaps(std::int64_t from, std::int64_t count)
    {
        while (count > 0) {
            beginSlot(from);
            if (m_pending > 0 && !m_pendingGap)
                flush();
            m_pendingGap = true;
            const std::int64_t n = std::min(count, kChunkSlots - slotInChunk(from));
            m_pending += static_cast<std::uint32_t>(n);
            from += n;
            count -= n;
        }
    }

    /// Writes the pending run of repeats or gaps.
    void flush()
    {
        if (m_pending == 0)
            return;
        if (m_pendingGap)
            put((std::uint64_t(0b1111) << kRunBits) | (m_pending - 1), 4 + kRunBits);
        else if (m_pending <= kMaxSingleRepeats)
            put(0, static_cast<int>(m_pending));
        else
            put((std::uint64_t(0b1110) << kRunBits) | (m_pending - 1), 4 + kRunBits);
        m_encodedEnd += m_pending;
        m_pending = 0;
    }

    void putXor(std::uint64_t x)
    {
        const int lead = std::min(std::countl_zero(x), 31);
        const int trail = std::countr_zero(x);
        const int len = 64 - lead - trail;
        if (m_window) {
            const int windowTrail = 64 - m_lead - m_len;
            // Reuse the window when the value fits in it, unless a new, tighter window is
            // cheaper even with its 11 bits of header.
            if (lead >= m_lead && trail >= windowTrail && 2 + m_len <= 14 + len) {
                put(0b10, 2);
                put(x >> windowTrail, m_len);
                return;
            }
        }
        put(0b110, 3);
        put(static_cast<std::uint64_t>(lead), 5);
        put(static_cast<std::uint64_t>(len - 1), 6);
        put(x >> trail, len);
        m_window = true;
        m_lead = lead;
        m_len = len;
    }

    /// Drops the first n bits of the stream.
    void removeFrontBits(std::size_t n)
    {
        const std::size_t q = n / 64;
        const int r = static_cast<int>(n % 64);
        const std::size_t bits = m_bitCount - n;
        const std::size_t words = (bits + 63) / 64;
        if (r == 0) {
            m_words.erase(m_words.begin(), m_words.begin() + static_cast<std::ptrdiff_t>(q));
        } else {
            for (std::size_t i = 0; i < words; ++i) {
                const std::uint64_t low =
                    q + i + 1 < m_words.size() ? m_words[q + i + 1] >> (64 - r) : 0;
                m_words[i] = (m_words[q + i] << r) | low;
            }
            m_words.resize(words);
        }
        m_bitCount = bits;
    }

    std::vector<std::uint64_t> m_words; ///< the codes; bits past m_bitCount are zero
    std::size_t m_bitCount = 0;
    std::int64_t m_firstSlot = 0;  ///< the first slot the codes describe
    std::int64_t m_encodedEnd = 0; ///< the codes describe [m_firstSlot, m_encodedEnd)
    std::int64_t m_newestSlot = 0; ///< == m_encodedEnd + m_pending
    std::uint64_t m_base = 0;      ///< the value before m_firstSlot
    std::uint64_t m_prev = 0;      ///< the last value appended (coded or pending)
    std::uint64_t m_newest = 0;    ///< the value at m_newestSlot, not coded yet
    std::uint32_t m_pending = 0;   ///< slots after m_encodedEnd in a run not written yet
    bool m_pendingGap = false;     ///< that run is a gap (else repeats of m_prev)
    bool m_window = false;         ///< m_lead/m_len hold the window of this chunk
    bool m_held = false;           ///< see held()
    int m_lead = 0;
    int m_len = 0;
};

struct NameHash
{
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept
    {
        return std::hash<std::string_view>{}(s);
    }
};

bool startsWith(std::string_view s, std::string_view prefix)
{
    return s.substr(0, prefix.size()) == prefix;
}

} // namespace

struct MetricsStore::Private
{
    /// The first slot still inside the retention.
    std::int64_t cutoff() const
    {
        return m_hasNow ? m_nowSlot - m_retentionSlots + 1
                        : std::numeric_limits<std::int64_t>::min();
    }

    /// The series, if it still has a point inside the retention.
    const Series *find(std::string_view name) const
    {
        auto it = m_series.find(name);
        if (it == m_series.end() || !alive(it->second))
            return nullptr;
        return &it->second;
    }

    /// Whether a series has a point inside the retention (a held one always has: now).
    bool alive(const Series &s) const { return s.held() || s.newestSlot() >= cutoff(); }

    /// Writes out what a held series holds, up to `slot`: at most the retention's worth (a
    /// longer hold, after the clock jumped forward, starts the series over at `slot`).
    void extendHeld(Series &s, std::int64_t slot)
    {
        if (slot - s.newestSlot() > m_retentionSlots)
            s.start(slot, s.newestBits());
        else
            s.extendTo(slot);
    }

    /// Moves the store's clock to `slot`. Each time the retention passes a chunk start, old
    /// chunks are cut off every series and the series with nothing left are forgotten.
    void advance(std::int64_t slot)
    {
        if (m_hasNow && slot <= m_nowSlot)
            return;
        m_hasNow = true;
        m_nowSlot = slot;
        const std::int64_t limit = cutoff();
        const std::int64_t chunk = floorDiv(limit, kChunkSlots);
        if (chunk == m_sweptChunk)
            return;
        for (auto it = m_series.begin(); it != m_series.end();) {
            if (it->second.held())
                extendHeld(it->second, slot);
            if (it->second.newestSlot() < limit) {
                it = m_series.erase(it);
                ++m_epoch;
            } else {
                it->second.dropBefore(limit);
                ++it;
            }
        }
        m_sweptChunk = chunk;
    }

    std::int64_t m_resolutionMs = 1000;
    std::int64_t m_retentionSlots = 3600;
    bool m_hasNow = false;
    std::int64_t m_nowSlot = 0; ///< the newest slot recorded in any series
    std::int64_t m_sweptChunk = std::numeric_limits<std::int64_t>::min();
    /// The slot of a point that is recorded; nothing for one that is ignored (not finite,
    /// too far from the epoch, or older than the retention).
    std::optional<std::int64_t> slotToRecord(std::int64_t tMs, double v) const
    {
        if (!std::isfinite(v) || tMs < -kMaxTimeMs || tMs > kMaxTimeMs)
            return std::nullopt;
        const std::int64_t slot = floorDiv(tMs, m_resolutionMs);
        if (slot < cutoff())
            return std::nullopt;
        return slot;
    }

    /// The series `name`, made when new (`created`).
    Series &place(std::string_view name, bool &created)
    {
        auto it = m_series.find(name);
        created = it == m_series.end();
        if (created)
            it = m_series.try_emplace(std::string(name)).first;
        return it->second;
    }

    void put(Series &series, bool created, std::int64_t slot, double v)
    {
        if (!created && series.held()) {
            // The held value went on until this slot, which has the new one.
            series.setHeld(false);
            extendHeld(series, slot - 1);
        }
        if (created || series.newestSlot() < cutoff()) {
            // New, or everything it held is older than the retention (a jump forward).
            series.start(slot, std::bit_cast<std::uint64_t>(v));
        } else {
            series.record(slot, std::bit_cast<std::uint64_t>(v));
        }
    }

    /// The series behind a handle, its place cached; nothing when it does not exist.
    Series *lookup(Handle &h, const MetricsStore *store)
    {
        if (h.m_store == store && h.m_epoch == m_epoch && h.m_place)
            return static_cast<Series *>(h.m_place);
        auto it = m_series.find(std::string_view(h.m_name));
        if (it == m_series.end())
            return nullptr;
        h.m_place = &it->second;
        h.m_store = store;
        h.m_epoch = m_epoch;
        return &it->second;
    }

    std::unordered_map<std::string, Series, NameHash, std::equal_to<>> m_series;
    /// Bumped whenever a series is forgotten: the places that handles keep are then stale
    /// (the map's nodes stay where they are otherwise, rehashing included).
    std::uint64_t m_epoch = 1;
};

MetricsStore::MetricsStore(std::chrono::milliseconds resolution,
                           std::chrono::milliseconds retention)
    : d(std::make_unique<Private>())
{
    d->m_resolutionMs = std::clamp<std::int64_t>(resolution.count(), 1, kMaxTimeMs);
    d->m_retentionSlots =
        std::clamp<std::int64_t>(retention.count() / d->m_resolutionMs, 1, kMaxRetentionSlots);
}

MetricsStore::~MetricsStore() = default;

void MetricsStore::record(std::string_view series, std::int64_t tMs, double v)
{
    const std::optional<std::int64_t> slot = d->slotToRecord(tMs, v);
    if (!slot)
        return;
    try {
        d->advance(*slot);
        bool created = false;
        Series &s = d->place(series, created);
        d->put(s, created, *slot, v);
    } catch (const std::bad_alloc &) {
        // The point is lost; the series stays as it was.
    }
}

void MetricsStore::record(Handle &series, std::int64_t tMs, double v)
{
    const std::optional<std::int64_t> slot = d->slotToRecord(tMs, v);
    if (!slot)
        return;
    try {
        d->advance(*slot); // may forget series, and so bump the epoch
        bool created = false;
        Series *s = d->lookup(series, this);
        if (!s) {
            s = &d->place(series.m_name, created);
            series.m_place = s;
            series.m_store = this;
            series.m_epoch = d->m_epoch;
        }
        d->put(*s, created, *slot, v);
    } catch (const std::bad_alloc &) {
        // The point is lost; the series stays as it was.
    }
}

void MetricsStore::hold(Handle &series)
{
    if (Series *s = d->lookup(series, this); s && d->alive(*s))
        s->setHeld(true);
}

void MetricsStore::release(Handle &series, std::int64_t tMs)
{
    Series *s = d->lookup(series, this);
    if (!s || !s->held())
        return;
    s->setHeld(false);
    if (tMs < -kMaxTimeMs || tMs > kMaxTimeMs)
        return;
    const std::int64_t slot = std::min(floorDiv(tMs, d->m_resolutionMs), d->m_nowSlot);
    try {
        d->extendHeld(*s, slot);
    } catch (const std::bad_alloc &) {
        // The held points are lost; the series ends at its newest recorded one.
    }
}

std::vector<MetricsStore::Point> MetricsStore::query(std::string_view series, std::int64_t fromMs,
                                                     std::int64_t toMs, std::size_t maxPoints) const
{
    const Series *s = d->find(series);
    if (!s)
        return {};
    const std::int64_t res = d->m_resolutionMs;
    const std::int64_t from = std::max(ceilDiv(clampTime(fromMs, res), res), d->cutoff());
    const std::int64_t to = floorDiv(clampTime(toMs, res), res);
    if (from > to)
        return {};
    std::vector<Point> points; // t holds the slot until the end
    try {
        s->forEach(from, to, [&](std::int64_t slot, double v) { points.push_back({slot, v}); });
        if (s->held()) {
            const double v = std::bit_cast<double>(s->newestBits());
            for (std::int64_t slot = std::max(from, s->newestSlot() + 1);
                 slot <= std::min(to, d->m_nowSlot); ++slot)
                points.push_back({slot, v});
        }
    } catch (const std::bad_alloc &) {
        return {};
    }
    if (maxPoints > 0 && points.size() > maxPoints) {
        // Buckets of `width` slots from the first point on; each non-empty one gives its mean.
        const std::int64_t first = points.front().t;
        const std::int64_t span = points.back().t - first + 1;
        const std::int64_t width = ceilDiv(span, static_cast<std::int64_t>(maxPoints));
        std::size_t out = 0;
        std::size_t i = 0;
        while (i < points.size()) {
            const std::int64_t start = first + (points[i].t - first) / width * width;
            long double sum = 0; // cannot overflow, even for n times DBL_MAX
            std::size_t n = 0;
            for (; i < points.size() && points[i].t < start + width; ++i, ++n)
                sum += points[i].v;
            points[out++] = {start, static_cast<double>(sum / n)};
        }
        points.resize(out);
    }
    for (Point &p : points)
        p.t *= res;
    return points;
}

bool MetricsStore::latest(std::string_view series, Point &out) const
{
    const Series *s = d->find(series);
    if (!s)
        return false;
    const std::int64_t slot = s->held() ? std::max(s->newestSlot(), d->m_nowSlot) : s->newestSlot();
    out = {slot * d->m_resolutionMs, std::bit_cast<double>(s->newestBits())};
    return true;
}

std::vector<std::string> MetricsStore::seriesNames(std::string_view prefix) const
{
    std::vector<std::string> names;
    const std::int64_t limit = d->cutoff();
    for (const auto &[name, s] : d->m_series) {
        if ((s.held() || s.newestSlot() >= limit) && startsWith(name, prefix))
            names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

void MetricsStore::removePrefix(std::string_view prefix)
{
    if (std::erase_if(d->m_series,
                      [&](const auto &entry) { return startsWith(entry.first, prefix); }) > 0)
        ++d->m_epoch;
}

std::chrono::milliseconds MetricsStore::resolution() const
{
    return std::chrono::milliseconds(d->m_resolutionMs);
}

std::chrono::milliseconds MetricsStore::retention() const
{
    return std::chrono::milliseconds(d->m_retentionSlots * d->m_resolutionMs);
}

std::size_t MetricsStore::seriesCount() const
{
    const std::int64_t limit = d->cutoff();
    return static_cast<std::size_t>(
        std::count_if(d->m_series.begin(), d->m_series.end(), [limit](const auto &entry) {
            return entry.second.held() || entry.second.newestSlot() >= limit;
        }));
}

std::size_t MetricsStore::memoryBytes() const
{
    // Each node of the map: the next pointer, the key and value, the cached hash.
    constexpr std::size_t node =
        sizeof(void *) + sizeof(std::pair<const std::string, Series>) + sizeof(std::size_t);
    std::size_t bytes = sizeof(Private) + d->m_series.bucket_count() * sizeof(void *);
    for (const auto &[name, s] : d->m_series) {
        bytes += node + s.heapBytes();
        const char *text = name.data();
        const char *self = reinterpret_cast<const char *>(&name);
        if (text < self || text >= self + sizeof(name)) // not in the small-string buffer
            bytes += name.capacity() + 1;
    }
    return bytes;
}

} // namespace drover::engine
