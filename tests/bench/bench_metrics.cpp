// What the metrics store costs for the master's own load: 1000 workers x 4 series, one point
// per second for an hour of simulated time, against a plain ring of doubles per series (the
// uncompressed floor: no name index cost, no compression, gaps as NaN).
//   build/bench/bench_metrics [workers]
// Prints one `RESULT bench=metrics_ring ...` line for the baseline, then one
// `RESULT bench=metrics_store ...` line per form of the CPU signal: `meter` as CpuMeter computes
// it (10 ms ticks over an interval of about 1 s: any fraction), `eighth_percent` rounded to
// 1/8 %, `whole_percent` rounded to whole percents. The other three series are the same in all.
#include "engine/observe/metricsstore.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

using drover::engine::MetricsStore;

namespace {

constexpr int kSeconds = 3600;
constexpr std::int64_t kStartMs = 1'700'000'000'000;
const char *const kMetrics[] = {"cpu_percent", "rss_bytes", "threads", "fds"};

using Clock = std::chrono::steady_clock;

double nanos(Clock::duration d)
{
    return std::chrono::duration<double, std::nano>(d).count();
}

/// The values of every series, one second at a time, always the same for one seed.
class Workload
{
public:
    /// How the CPU percent is rounded: not at all (0), or to multiples of 1/step.
    Workload(int workers, double cpuStep)
        : m_cpuStep(cpuStep)
        , m_rng(42)
    {
        for (int w = 0; w < workers; ++w) {
            for (const char *metric : kMetrics)
                m_names.push_back("worker/api-" + std::to_string(w) + "/" + metric);
            m_cpuMean.push_back(double(m_rng() % 4000) / 100); // 0..40 % of a core
            m_values.push_back(0);
            m_values.push_back(double(40 + m_rng() % 40) * 1024 * 1024);
            m_values.push_back(double(4 + m_rng() % 12));
            m_values.push_back(double(12 + m_rng() % 40));
        }
    }

    const std::vector<std::string> &names() const { return m_names; }
    const std::vector<double> &values() const { return m_values; }

    /// Moves every series one second on.
    void step()
    {
        std::uniform_real_distribution<double> jitter(-0.002, 0.002);
        for (std::size_t w = 0; w < m_cpuMean.size(); ++w) {
            double *v = &m_values[w * 4];
            // CPU: whole 10 ms ticks around the worker's mean, over an interval of about 1 s.
            std::poisson_distribution<int> ticks(m_cpuMean[w]);
            const double percent = ticks(m_rng) / (1.0 + jitter(m_rng));
            v[0] = m_cpuStep > 0 ? std::round(percent * m_cpuStep) / m_cpuStep : percent;
            // RSS: a few pages more now and then.
            if (m_rng() % 20 == 0)
                v[1] += 4096.0 * double(1 + m_rng() % 16);
            // threads: constant; fds: a connection opened or closed now and then.
            if (m_rng() % 120 == 0)
                v[3] = std::max(3.0, v[3] + (m_rng() % 2 ? 1 : -1));
        }
    }

private:
    double m_cpuStep;
    std::mt19937_64 m_rng;
    std::vector<std::string> m_names;
    std::vector<double> m_cpuMean;
    std::vector<double> m_values;
};

/// The baseline: per series a ring of `capacity` doubles, NaN for a gap.
class Rings
{
public:
    explicit Rings(std::size_t capacity)
        : m_capacity(capacity)
    {}

    void record(const std::string &name, std::int64_t slot, double v)
    {
        auto it = m_series.find(name);
        if (it == m_series.end()) {
            it = m_series.emplace(name, Ring{}).first;
            it->second.values.assign(m_capacity, std::numeric_limits<double>::quiet_NaN());
            it->second.newest = slot - 1;
        }
        Ring &r = it->second;
        if (slot < r.newest)
            return;
        for (std::int64_t s = r.newest + 1; s < slot && s <= r.newest + std::int64_t(m_capacity);
             ++s)
            r.values[std::size_t(s) % m_capacity] = std::numeric_limits<double>::quiet_NaN();
        r.values[std::size_t(slot) % m_capacity] = v;
        r.newest = slot;
    }

    std::vector<MetricsStore::Point> query(const std::string &name, std::int64_t fromSlot,
                                           std::int64_t toSlot) const
    {
        std::vector<MetricsStore::Point> out;
        auto it = m_series.find(name);
        if (it == m_series.end())
            return out;
        const Ring &r = it->second;
        const std::int64_t first = std::max(fromSlot, r.newest - std::int64_t(m_capacity) + 1);
        for (std::int64_t s = first; s <= std::min(toSlot, r.newest); ++s) {
            const double v = r.values[std::size_t(s) % m_capacity];
            if (!std::isnan(v))
                out.push_back({s * 1000, v});
        }
        return out;
    }

    /// The rings' payload only (names and the map not counted).
    std::size_t bytes() const { return m_series.size() * m_capacity * sizeof(double); }

private:
    struct Ring
    {
        std::vector<double> values;
        std::int64_t newest = 0;
    };
    std::size_t m_capacity;
    std::unordered_map<std::string, Ring> m_series;
};

struct Result
{
    std::size_t series = 0;
    std::size_t points = 0;
    double recordNs = 0; ///< per point
    std::size_t bytes = 0;
    double queryUs = 0;    ///< one series, the whole hour, every point
    double query600Us = 0; ///< the same, averaged into 600 points
};

template <typename Record, typename Query, typename Query600>
Result run(Workload &load, Record &&record, Query &&query, Query600 &&query600)
{
    Result r;
    const std::vector<std::string> &names = load.names();
    const std::vector<double> &values = load.values();
    Clock::duration recording{};
    for (int t = 0; t < kSeconds; ++t) {
        load.step();
        const auto start = Clock::now();
        for (std::size_t i = 0; i < names.size(); ++i)
            record(names[i], kStartMs + std::int64_t(t) * 1000, values[i]);
        recording += Clock::now() - start;
    }
    r.series = names.size();
    r.points = names.size() * kSeconds;
    r.recordNs = nanos(recording) / double(r.points);

    std::size_t checked = 0;
    auto start = Clock::now();
    for (const std::string &name : names)
        checked += query(name);
    r.queryUs = nanos(Clock::now() - start) / 1000 / double(names.size());
    start = Clock::now();
    for (const std::string &name : names)
        checked += query600(name);
    r.query600Us = nanos(Clock::now() - start) / 1000 / double(names.size());
    if (checked != names.size() * (kSeconds + 600))
        std::printf("WARNING: queries returned %zu points, expected %zu\n", checked,
                    names.size() * (kSeconds + 600));
    return r;
}

} // namespace

int main(int argc, char **argv)
{
    const int workers = argc > 1 ? std::max(1, std::atoi(argv[1])) : 1000;
    const std::int64_t from = kStartMs;
    const std::int64_t to = kStartMs + (kSeconds - 1) * 1000;

    Rings rings(kSeconds);
    Result baseline;
    {
        Workload load(workers, 0);
        baseline = run(
            load,
            [&](const std::string &name, std::int64_t t, double v) {
                rings.record(name, t / 1000, v);
            },
            [&](const std::string &name) {
                return rings.query(name, from / 1000, to / 1000).size();
            },
            [&](const std::string &name) {
                // Averaging the copy into 600 buckets, as the store does.
                std::vector<MetricsStore::Point> p = rings.query(name, from / 1000, to / 1000);
                std::size_t out = 0;
                for (std::size_t i = 0; i < p.size(); i += 6) {
                    double sum = 0;
                    std::size_t n = 0;
                    for (; n < 6 && i + n < p.size(); ++n)
                        sum += p[i + n].v;
                    p[out++] = {p[i].t, sum / double(n)};
                }
                return out;
            });
        baseline.bytes = rings.bytes();
    }
    std::printf("RESULT bench=metrics_ring series=%zu points=%zu record_ns_per_point=%.1f "
                "bytes=%zu bytes_per_point=%.2f query_1h_us=%.1f query_1h_600_us=%.1f\n",
                baseline.series, baseline.points, baseline.recordNs, baseline.bytes,
                double(baseline.bytes) / double(baseline.points), baseline.queryUs,
                baseline.query600Us);
    std::fflush(stdout);
    rings = Rings(kSeconds);

    const struct
    {
        const char *name;
        double step;
    } cpuForms[] = {{"meter", 0}, {"eighth_percent", 8}, {"whole_percent", 1}};
    for (const auto &cpu : cpuForms) {
        MetricsStore store(std::chrono::seconds(1), std::chrono::hours(1));
        Workload load(workers, cpu.step);
        Result r = run(
            load,
            [&](const std::string &name, std::int64_t t, double v) { store.record(name, t, v); },
            [&](const std::string &name) { return store.query(name, from, to).size(); },
            [&](const std::string &name) { return store.query(name, from, to, 600).size(); });
        r.bytes = store.memoryBytes();
        std::printf("RESULT bench=metrics_store cpu=%s series=%zu points=%zu "
                    "record_ns_per_point=%.1f bytes=%zu bytes_per_point=%.3f query_1h_us=%.1f "
                    "query_1h_600_us=%.1f baseline_bytes=%zu ratio=%.1f "
                    "record_vs_baseline=%.2f\n",
                    cpu.name, r.series, r.points, r.recordNs, r.bytes,
                    double(r.bytes) / double(r.points), r.queryUs, r.query600Us, baseline.bytes,
                    double(baseline.bytes) / double(r.bytes), r.recordNs / baseline.recordNs);
        std::fflush(stdout);
    }
    return 0;
}
