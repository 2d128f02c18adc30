// The console's GUI under a large master: the real main window, offscreen, fed by a synthetic
// backend, the way the targets are stated:
//   build/bench/bench_console [--workers 10000,1000] [--seconds 20] [--series 50]
//                             [--chart-panes 1] [--pool-size 100] [--scroll-ms 100]
//                             [--no-events]
// `SyntheticBackend` is a real api::Backend with its own thread (as LocalBackend's engine
// thread or RemoteBackend's network thread: every callback comes from it). subscribe() gets a
// snapshot of --workers workers in pools of --pool-size; then once a second a `worker.upsert`
// for EVERY worker (CPU and memory changed; every 50th also changes state, with its
// `worker.state` event unless --no-events), a `pool.upsert` per pool, and the metric batch of
// the series set by setMetricSeries(). Requests are answered on that thread too.
//
// Each size in --workers runs in a process of its own (this program runs itself again), so
// that memory figures do not carry over. In each:
//  1. `ui::MainWindow` is shown at 1400x900 (workers tab) and paints, still empty; then the
//     backend lets the snapshot go. first_paint_ms is from the backend's call of onSnapshot()
//     to the end of the first paint of the workers table's viewport that has rows: the paint
//     event the repaint manager sends on its own (no forced repaint), timed where it is
//     dispatched (QApplication::notify, overridden here). Its parts: the listener's copy
//     (snapshot_copy_ms), waiting for the bridge's 10 Hz drain (drain_wait_ms), the drain
//     that resets the models (snapshot_drain_ms), what ran before the paint began
//     (drain_to_paint_ms) and the paint itself (first_paint_only_ms).
//  2. The charts: the main window's Charts tab is opened once (it charts the selected worker)
//     and the workers tab brought back; then a second window (1400x900 for one pane) charts
//     as many workers (CPU, RSS and their two probes: 4 series each) as it takes to reach
//     --series series on screen (rounded up to whole workers; --series 0: none), spread over
//     --chart-panes ChartsPanes: 1 is how an operator compares workers (select them, one
//     colour each on the same three charts); as many panes as workers is one pane per worker,
//     12 QCharts for 50 series and more.
//  3. Steady phase, --seconds: nothing but the feed. gui_busy_percent is the GUI thread's CPU
//     clock (CLOCK_THREAD_CPUTIME_ID: drains, models, views, paints, everything) over the
//     wall time; process_cpu_percent is getrusage() (every thread, the synthetic backend's
//     included: backend_cpu_percent says how much of it is the backend's).
//  4. Scroll phase, --seconds: the same, and every --scroll-ms the workers table moves a page
//     (verticalScrollBar()->setValue(), back to the top at the end) and is repainted at once
//     (viewport()->repaint()); each such frame is timed: scroll_paint_p50_ms / _p99_ms.
// Prints `RESULT bench=console ...` per size, a `RESULT bench=console_gui ...` line with where
// the GUI thread's time went (top-level events by kind, and the paints inside them), and
// `RESULT bench=console_targets ...` with the targets.
#include "api/backend.h"
#include "api/types.h"
#include "models/backendbridge.h"
#include "models/workersmodel.h"
#include "ui/chartspane.h"
#include "ui/mainwindow.h"
#include "ui/masterview.h"
#include "ui/workerspane.h"

#include <QAbstractItemModel>
#include <QApplication>
#include <QElapsedTimer>
#include <QEvent>
#include <QGridLayout>
#include <QScrollBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QtCharts/QChartView>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <time.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace {

using namespace drover;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;
using namespace std::chrono_literals;

struct Options
{
    std::vector<int> workers{10'000, 1000};
    int seconds = 20;
    int series = 50;
    int chartPanes = 1;
    int poolSize = 100;
    int scrollMs = 100;
    bool events = true;
};

// ---- clocks and memory --------------------------------------------------------------------

double ms(Clock::duration d)
{
    return std::chrono::duration<double, std::milli>(d).count();
}

double cpuClock(clockid_t id)
{
    timespec ts{};
    if (clock_gettime(id, &ts) != 0)
        return 0;
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

/// The calling thread's CPU time, in seconds.
double selfCpuSeconds()
{
    return cpuClock(CLOCK_THREAD_CPUTIME_ID);
}

/// User + system time of every thread of the process, in seconds.
double processCpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/// A `kB` line of /proc/self/status (VmRSS, VmHWM), in MiB.
double statusMiB(const char *key)
{
    std::ifstream in("/proc/self/status");
    std::string line;
    const std::size_t n = std::strlen(key);
    while (std::getline(in, line)) {
        if (line.compare(0, n, key) == 0 && line.size() > n && line[n] == ':')
            return double(std::strtoll(line.c_str() + n + 1, nullptr, 10)) / 1024.0;
    }
    return 0;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size())))];
}

std::int64_t nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// A repeatable value in [0, 1) for (a, b): noise without a random engine.
double noise(std::uint64_t a, std::uint64_t b)
{
    std::uint64_t x = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull);
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return double(x >> 11) / double(1ull << 53);
}

// ---- the synthetic backend ----------------------------------------------------------------

/// A master with `workers` workers that all change once a second, on a thread of its own.
class SyntheticBackend : public api::Backend
{
public:
    SyntheticBackend(int workers, int poolSize, bool events)
        : m_events(events)
    {
        const std::int64_t now = nowMs();
        const int pools = (workers + poolSize - 1) / poolSize;
        m_workers.reserve(std::size_t(workers));
        for (int n = 0; n < workers; ++n) {
            api::WorkerInfo w;
            w.pool = "pool" + std::to_string(n / poolSize);
            w.index = n % poolSize;
            w.id = w.pool + "-" + std::to_string(w.index);
            w.revision = "r7f3a9c1";
            w.port = 20'000 + n;
            w.threads = 4 + n % 8;
            w.fds = 24 + n % 40;
            w.limits = {"memory 512Mi (cgroup v2)", "cpu 1.0 (cgroup v2)"};
            w.restarts = n % 7 == 0 ? 1 : 0;
            w.lastExit = w.restarts ? "signal:SIGKILL" : "";
            const std::string port = std::to_string(*w.port);
            w.probes = {{"liveness", "tcp", "tcp 127.0.0.1:" + port, "passing", now - 3'600'000,
                         "connected"},
                        {"readiness", "http", "GET http://127.0.0.1:" + port + "/ready", "passing",
                         now - 3'600'000, "200 OK"}};
            if (n % 500 == 13) {
                w.state = api::WorkerState::Failed;
                w.reason = "restart limit: 5 in 60s";
                w.lastExit = "exit:1";
                w.probes[1].state = "failing";
                w.probes[1].message = "connection refused";
            } else if (n % 300 == 7) {
                w.state = api::WorkerState::Backoff;
                w.reason = "exit:1";
                w.lastExit = "exit:1";
                w.nextStartAtMs = now + 30'000;
            } else {
                w.state = api::WorkerState::Ready;
                w.reason = "readiness passed";
                w.pid = 100'000 + n;
                w.startedAtMs = now - std::int64_t(noise(n, 1) * 86'400'000);
                w.cpuPercent = 1 + 20 * noise(n, 2);
                w.rssBytes = std::uint64_t(40 + 200 * noise(n, 3)) << 20;
            }
            m_index.emplace(w.id, n);
            m_workers.push_back(std::move(w));
        }
        for (int p = 0; p < pools; ++p) {
            api::PoolInfo pool;
            pool.name = "pool" + std::to_string(p);
            pool.revision = "r7f3a9c1";
            m_poolIndex.emplace(pool.name, p);
            m_pools.push_back(std::move(pool));
        }
        countPools();
        m_thread = std::thread([this] { run(); });
    }
    ~SyntheticBackend() override { stop(); }

    void stop()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        if (m_thread.joinable())
            m_thread.join();
    }

    /// Lets the snapshot go to the subscribers (until then subscribe() only registers).
    void release()
    {
        post([this] {
            m_released = true;
            for (Subscriber &s : m_subscribers)
                sendSnapshot(s);
        });
    }

    /// When onSnapshot() was called, and when it returned; nullopt before.
    std::optional<Clock::time_point> snapshotAt() const
    {
        const auto t = m_snapshotAt.load();
        return t ? std::optional(Clock::time_point(Clock::duration(t))) : std::nullopt;
    }
    std::optional<Clock::time_point> snapshotTakenAt() const
    {
        const auto t = m_snapshotTakenAt.load();
        return t ? std::optional(Clock::time_point(Clock::duration(t))) : std::nullopt;
    }
    double threadCpuSeconds() const
    {
        clockid_t id;
        if (pthread_getcpuclockid(const_cast<std::thread &>(m_thread).native_handle(), &id) != 0)
            return 0;
        return cpuClock(id);
    }
    std::uint64_t deltasSent() const { return m_deltasSent.load(); }
    std::uint64_t metricPointsSent() const { return m_pointsSent.load(); }
    std::uint64_t requests() const { return m_requests.load(); }

    std::uint64_t subscribe(std::shared_ptr<api::StreamListener> listener, std::uint64_t) override
    {
        const std::uint64_t id = ++m_nextId;
        post([this, id, listener = std::move(listener)] {
            m_subscribers.push_back({id, listener, false, {}});
            if (m_released)
                sendSnapshot(m_subscribers.back());
        });
        return id;
    }

    void unsubscribe(std::uint64_t subscription) override
    {
        post([this, subscription] {
            std::erase_if(m_subscribers, [&](const Subscriber &s) { return s.id == subscription; });
        });
    }

    void setMetricSeries(std::uint64_t subscription, std::vector<std::string> series) override
    {
        post([this, subscription, series = std::move(series)] {
            for (Subscriber &s : m_subscribers) {
                if (s.id != subscription)
                    continue;
                s.series.clear();
                for (const std::string &wish : series)
                    resolve(wish, s.series);
                std::sort(s.series.begin(), s.series.end(),
                          [](const Series &a, const Series &b) { return a.name < b.name; });
                s.series.erase(
                    std::unique(s.series.begin(), s.series.end(),
                                [](const Series &a, const Series &b) { return a.name == b.name; }),
                    s.series.end());
            }
        });
    }

    void request(const std::string &op, const json &args, api::ReplyFn done) override
    {
        ++m_requests;
        post([this, op, args, done = std::move(done)] { done(answer(op, args)); });
    }

    std::uint64_t followLogs(const json &args, api::LogLinesFn, api::ReplyFn done) override
    {
        const std::uint64_t id = ++m_nextId;
        ++m_requests;
        post([this, args, done = std::move(done)] {
            json reply = logLines(args.value("worker", std::string()), 5);
            done(std::move(reply));
        });
        return id;
    }

    void unfollowLogs(std::uint64_t) override {}

private:
    /// One series a subscriber follows: what it is of, and which value.
    struct Series
    {
        std::string name;
        enum class Of { Master, Worker, Pool } of = Of::Master;
        int index = 0; ///< the worker or pool
        std::string field;
    };
    struct Subscriber
    {
        std::uint64_t id = 0;
        std::shared_ptr<api::StreamListener> listener;
        bool live = false; ///< has had its snapshot
        std::vector<Series> series;
    };

    static constexpr const char *kMasterFields[] = {"cpu_percent", "rss_bytes", "threads", "fds",
                                                    "workers"};
    static constexpr const char *kWorkerFields[] = {"cpu_percent",
                                                    "rss_bytes",
                                                    "threads",
                                                    "fds",
                                                    "probe/liveness/latency_ms",
                                                    "probe/readiness/latency_ms"};
    static constexpr const char *kPoolFields[] = {"workers", "running", "ready", "restarts"};

    void post(std::function<void()> task)
    {
        {
            std::lock_guard lock(m_mutex);
            m_tasks.push_back(std::move(task));
        }
        m_wake.notify_one();
    }

    void run()
    {
        pthread_setname_np(pthread_self(), "backend"); // for perf report --sort comm
        Clock::time_point next = Clock::now() + 1s;
        std::unique_lock lock(m_mutex);
        while (!m_stop) {
            if (!m_tasks.empty()) {
                std::function<void()> task = std::move(m_tasks.front());
                m_tasks.pop_front();
                lock.unlock();
                task();
                lock.lock();
            } else if (Clock::now() >= next) {
                lock.unlock();
                tick();
                lock.lock();
                next += 1s;
                if (next < Clock::now())
                    next = Clock::now() + 1s;
            } else {
                m_wake.wait_until(lock, next);
            }
        }
    }

    void sendSnapshot(Subscriber &s)
    {
        api::Snapshot snapshot;
        snapshot.seq = m_seq;
        snapshot.workers = m_workers;
        snapshot.pools = m_pools;
        snapshot.configVersion = "bench-1";
        snapshot.role = api::Role::Admin;
        std::int64_t expected = 0;
        m_snapshotAt.compare_exchange_strong(expected, Clock::now().time_since_epoch().count());
        s.listener->onSnapshot(snapshot);
        expected = 0;
        m_snapshotTakenAt.compare_exchange_strong(expected,
                                                  Clock::now().time_since_epoch().count());
        s.live = true;
    }

    /// One second: every worker changes, every pool is sent, then the metric batch.
    void tick()
    {
        ++m_ticks;
        const std::int64_t now = nowMs();
        std::vector<api::Delta> deltas;
        deltas.reserve(m_workers.size() + m_pools.size() + m_workers.size() / 40);
        std::vector<api::Event> events;
        for (std::size_t i = 0; i < m_workers.size(); ++i) {
            api::WorkerInfo &w = m_workers[i];
            const std::uint64_t n = i;
            const std::string from(api::toString(w.state));
            // Every 50th worker changes state: a hundred leave ready, a hundred come back.
            const bool fixed = w.state == api::WorkerState::Failed ||
                               (w.state == api::WorkerState::Backoff && w.nextStartAtMs == 0);
            const std::uint64_t phase = (n + m_ticks) % 100;
            if (!fixed && phase == 0 && w.state == api::WorkerState::Ready) {
                if (n % 2) {
                    w.state = api::WorkerState::Backoff;
                    w.reason = "exit:1";
                    w.lastExit = "exit:1";
                    w.pid = 0;
                    w.startedAtMs = 0;
                    w.nextStartAtMs = now + 1000;
                    ++w.restarts;
                } else {
                    w.state = api::WorkerState::Running;
                    w.reason = "readiness failing: 503 Service Unavailable";
                    w.probes[1].state = "failing";
                    w.probes[1].message = "503 Service Unavailable";
                    w.probes[1].sinceMs = now;
                }
            } else if (!fixed && phase == 1 && w.state != api::WorkerState::Ready &&
                       w.state != api::WorkerState::Failed) {
                if (w.pid == 0) {
                    w.pid = 100'000 + int(n) + int(m_ticks) * 16'384 % 800'000;
                    w.startedAtMs = now;
                    w.nextStartAtMs = 0;
                }
                w.state = api::WorkerState::Ready;
                w.reason = "readiness passed";
                w.probes[1].state = "passing";
                w.probes[1].message = "200 OK";
                w.probes[1].sinceMs = now;
            }
            if (api::hasProcess(w.state)) {
                w.cpuPercent = std::round((1 + 30 * noise(n, m_ticks)) * 10) / 10;
                w.rssBytes = (std::uint64_t(40 + 200 * noise(n, 3)) << 20) +
                             std::uint64_t(noise(n, m_ticks + 7) * (8 << 20));
            } else {
                w.cpuPercent = 0;
                w.rssBytes = 0;
            }
            api::Delta d;
            d.seq = ++m_seq;
            d.kind = api::DeltaKind::WorkerUpsert;
            d.value = w;
            deltas.push_back(std::move(d));
            const std::string to(api::toString(w.state));
            if (m_events && to != from) {
                api::Event e;
                e.id = ++m_eventId;
                e.timeMs = now;
                e.kind = "worker.state";
                e.subject = w.id;
                e.from = from;
                e.to = to;
                e.reason = w.reason;
                e.message = w.id + ": " + from + " -> " + to + " (" + w.reason + ")";
                events.push_back(std::move(e));
            }
        }
        for (api::Event &e : events) {
            api::Delta d;
            d.seq = ++m_seq;
            d.kind = api::DeltaKind::EventAdded;
            d.value = std::move(e);
            deltas.push_back(std::move(d));
        }
        countPools();
        for (const api::PoolInfo &p : m_pools) {
            api::Delta d;
            d.seq = ++m_seq;
            d.kind = api::DeltaKind::PoolUpsert;
            d.value = p;
            deltas.push_back(std::move(d));
        }
        const std::int64_t slot = now / 1000 * 1000;
        for (Subscriber &s : m_subscribers) {
            if (!s.live)
                continue;
            for (const api::Delta &d : deltas)
                s.listener->onDelta(d);
            m_deltasSent += deltas.size();
            if (s.series.empty())
                continue;
            api::MetricBatch batch;
            batch.timeMs = slot;
            batch.points.reserve(s.series.size());
            for (const Series &series : s.series)
                batch.points.push_back({series.name, valueOf(series, slot)});
            m_pointsSent += batch.points.size();
            s.listener->onMetrics(batch);
        }
    }

    void countPools()
    {
        for (api::PoolInfo &p : m_pools) {
            p.desired = p.running = p.ready = p.restarts = 0;
        }
        for (const api::WorkerInfo &w : m_workers) {
            api::PoolInfo &p = m_pools[std::size_t(m_poolIndex[w.pool])];
            ++p.desired;
            p.running += api::hasProcess(w.state);
            p.ready += w.ready();
            p.restarts += w.restarts;
        }
    }

    /// The series `wish` stands for (an exact name, or a prefix ending in `/`), as in
    /// docs/metrics.md.
    void resolve(const std::string &wish, std::vector<Series> &out) const
    {
        if (wish.empty())
            return;
        const bool prefix = wish.back() == '/';
        auto take = [&](Series::Of of, int index, const std::string &base, const auto &fields) {
            for (const char *field : fields) {
                std::string name = base + field;
                if (prefix ? name.starts_with(wish) : name == wish)
                    out.push_back({std::move(name), of, index, field});
            }
        };
        // A subject named in full: only it; otherwise every subject of the kind.
        auto named = [&](const std::string &kind) -> std::optional<std::string> {
            if (!wish.starts_with(kind))
                return std::nullopt;
            const std::size_t slash = wish.find('/', kind.size());
            return slash == std::string::npos
                       ? std::nullopt
                       : std::optional(wish.substr(kind.size(), slash - kind.size()));
        };
        if (std::string("master/").starts_with(wish) || wish.starts_with("master/"))
            take(Series::Of::Master, 0, "master/", kMasterFields);
        if (std::string("worker/").starts_with(wish) || wish.starts_with("worker/")) {
            if (auto id = named("worker/")) {
                if (auto it = m_index.find(*id); it != m_index.end())
                    take(Series::Of::Worker, it->second, "worker/" + *id + "/", kWorkerFields);
            } else {
                for (std::size_t i = 0; i < m_workers.size(); ++i)
                    take(Series::Of::Worker, int(i), "worker/" + m_workers[i].id + "/",
                         kWorkerFields);
            }
        }
        if (std::string("pool/").starts_with(wish) || wish.starts_with("pool/")) {
            if (auto name = named("pool/")) {
                if (auto it = m_poolIndex.find(*name); it != m_poolIndex.end())
                    take(Series::Of::Pool, it->second, "pool/" + *name + "/", kPoolFields);
            } else {
                for (std::size_t i = 0; i < m_pools.size(); ++i)
                    take(Series::Of::Pool, int(i), "pool/" + m_pools[i].name + "/", kPoolFields);
            }
        }
    }

    /// The value of `series` now (its newest point, at `slot`).
    double valueOf(const Series &s, std::int64_t slot) const
    {
        const std::uint64_t t = std::uint64_t(slot / 1000);
        switch (s.of) {
        case Series::Of::Master:
            if (s.field == "cpu_percent")
                return 2 + 3 * noise(1, t);
            if (s.field == "rss_bytes")
                return double((std::uint64_t(60) << 20) + m_workers.size() * 4096);
            if (s.field == "workers")
                return double(m_workers.size());
            return s.field == "threads" ? 6 : 40;
        case Series::Of::Worker: {
            const api::WorkerInfo &w = m_workers[std::size_t(s.index)];
            if (s.field == "cpu_percent")
                return w.cpuPercent;
            if (s.field == "rss_bytes")
                return double(w.rssBytes);
            if (s.field == "threads")
                return w.threads;
            if (s.field == "fds")
                return w.fds;
            return 0.3 + 4 * noise(std::uint64_t(s.index) * 2 + (s.field[6] == 'l'), t);
        }
        case Series::Of::Pool: {
            const api::PoolInfo &p = m_pools[std::size_t(s.index)];
            if (s.field == "workers")
                return p.desired;
            if (s.field == "running")
                return p.running;
            if (s.field == "ready")
                return p.ready;
            return p.restarts;
        }
        }
        return 0;
    }

    /// `metrics.query {series, from, to, max_points}`: a point per second of the range, as
    /// if the master had recorded them all; averaged into buckets beyond max_points.
    json query(const json &args) const
    {
        const std::string name = args.value("series", std::string());
        std::vector<Series> found;
        resolve(name, found);
        json points = json::array();
        if (found.size() != 1 || found[0].name != name)
            return {{"series", name}, {"points", points}};
        const std::int64_t now = nowMs() / 1000 * 1000;
        const std::int64_t to = std::min(args.value("to", now), now);
        const std::int64_t from = std::max(args.value("from", to - 3'600'000), to - 3'600'000);
        const std::int64_t first = (from + 999) / 1000 * 1000;
        const std::int64_t last = to / 1000 * 1000;
        if (last < first)
            return {{"series", name}, {"points", points}};
        const std::int64_t slotCount = (last - first) / 1000 + 1;
        const std::int64_t maxPoints = args.value("max_points", std::int64_t(0));
        const std::int64_t width =
            maxPoints > 0 && slotCount > maxPoints ? (slotCount + maxPoints - 1) / maxPoints : 1;
        for (std::int64_t b = first; b <= last; b += width * 1000) {
            double sum = 0;
            int n = 0;
            for (std::int64_t t = b; t < b + width * 1000 && t <= last; t += 1000, ++n)
                sum += history(found[0], t);
            points.push_back({b, sum / n});
        }
        return {{"series", name}, {"points", points}};
    }

    /// A past value of `s` at `t`: around its value now.
    double history(const Series &s, std::int64_t t) const
    {
        const double now = valueOf(s, t);
        if (s.of != Series::Of::Worker || s.field.starts_with("probe/"))
            return now;
        return s.field == "cpu_percent"
                   ? 1 + 30 * noise(std::uint64_t(s.index), std::uint64_t(t / 1000))
                   : now * (0.9 + 0.2 * noise(std::uint64_t(s.index), std::uint64_t(t / 1000)));
    }

    json logLines(const std::string &worker, int n) const
    {
        json lines = json::array();
        for (int i = 0; i < n; ++i)
            lines.push_back("2026-12-02T03:57:3" + std::to_string(i) + " " + worker +
                            " handled request " + std::to_string(1000 + i));
        return {
            {"worker", worker}, {"file", "/var/log/drover/" + worker + ".log"}, {"lines", lines}};
    }

    json answer(const std::string &op, const json &args) const
    {
        if (op == "metrics.query")
            return query(args);
        if (op == "events.query")
            return {{"events", json::array()}};
        if (op == "health.history")
            return {{"probes", json::array()},
                    {"results", json::array()},
                    {"transitions", json::array()}};
        if (op == "worker.describe") {
            const std::string id = args.value("worker", std::string());
            return {{"worker", id},
                    {"command", {"/srv/app/bin/worker", "--listen", "127.0.0.1:0"}},
                    {"cwd", "/srv/app"},
                    {"log", "/var/log/drover/" + id + ".log"},
                    {"env", {"APP_MODE=bench", "WORKER_ID=" + id}}};
        }
        if (op == "logs.tail")
            return logLines(args.value("worker", std::string()), 5);
        return json::object();
    }

    const bool m_events;
    std::thread m_thread;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::function<void()>> m_tasks; // guarded by m_mutex
    bool m_stop = false;                       // guarded by m_mutex
    std::atomic<std::uint64_t> m_nextId{0};
    std::atomic<std::int64_t> m_snapshotAt{0};
    std::atomic<std::int64_t> m_snapshotTakenAt{0};
    std::atomic<std::uint64_t> m_deltasSent{0};
    std::atomic<std::uint64_t> m_pointsSent{0};
    std::atomic<std::uint64_t> m_requests{0};
    // The backend thread's own, after the constructor:
    std::vector<api::WorkerInfo> m_workers;
    std::vector<api::PoolInfo> m_pools;
    std::unordered_map<std::string, int> m_index;
    std::unordered_map<std::string, int> m_poolIndex;
    std::vector<Subscriber> m_subscribers;
    std::uint64_t m_seq = 1000;
    std::uint64_t m_eventId = 0;
    std::uint64_t m_ticks = 0;
    bool m_released = false;
};

// ---- where the GUI thread's time goes -----------------------------------------------------

/// Events or paints of one kind: how many, and their CPU and wall time.
struct Tally
{
    quint64 count = 0;
    double cpuS = 0;
    double wallS = 0;
    double maxWallS = 0;

    void add(double cpu, double wall)
    {
        ++count;
        cpuS += cpu;
        wallS += wall;
        maxWallS = std::max(maxWallS, wall);
    }
};

/// The application, with every event's dispatch timed (QApplication::notify): the first paint
/// of the workers table, the drains, the paints, and the rest by event type.
class BenchApp : public QApplication
{
public:
    using QApplication::QApplication;

    // What to watch, once the window exists.
    QWidget *table = nullptr; ///< the workers table's viewport
    models::BackendBridge *bridge = nullptr;
    QObject *scrollTimer = nullptr;
    bool measuring = false; ///< tally the top-level events
    bool forced = false;    ///< inside a scroll step's repaint()

    // The first paint with rows, and the drain that applied the snapshot.
    std::optional<Clock::time_point> snapshotDrainStart, snapshotDrainEnd;
    std::optional<Clock::time_point> firstPaintStart, firstPaintEnd;
    quint64 tablePaints = 0; ///< natural paints of the table's viewport, all along

    // While measuring, top-level dispatches by kind, and the paints nested in them.
    Tally drains, updates, scrolls, otherTop;
    std::map<std::string, Tally> otherByType; ///< by event type and receiver class
    Tally tablePaint, chartPaint;

    void clearTallies()
    {
        drains = updates = scrolls = otherTop = tablePaint = chartPaint = Tally();
        otherByType.clear();
    }

    bool notify(QObject *receiver, QEvent *event) override
    {
        const QEvent::Type type = event->type();
        const bool top = m_depth == 0;
        const bool paint = type == QEvent::Paint && receiver->isWidgetType();
        if (!(measuring && top) && !paint && !(type == QEvent::Timer && bridge))
            return QApplication::notify(receiver, event);

        // The receiver may be gone afterwards (a DeferredDelete).
        const char *receiverClass = receiver->metaObject()->className();
        const bool isTable = receiver == table;
        const bool isChart = paint && (qobject_cast<QChartView *>(receiver) ||
                                       qobject_cast<QChartView *>(receiver->parent()));
        const bool isScroll = receiver == scrollTimer;
        const bool hadSnapshot = bridge && bridge->hasSnapshot();
        const quint64 drainsBefore = bridge ? bridge->drains() : 0;
        const double cpu0 = selfCpuSeconds();
        const Clock::time_point t0 = Clock::now();
        ++m_depth;
        const bool result = QApplication::notify(receiver, event);
        --m_depth;
        const Clock::time_point t1 = Clock::now();
        const double cpu = selfCpuSeconds() - cpu0;
        const double wall = std::chrono::duration<double>(t1 - t0).count();

        const bool drained = bridge && bridge->drains() != drainsBefore;
        if (drained && !hadSnapshot && bridge->hasSnapshot()) {
            snapshotDrainStart = t0;
            snapshotDrainEnd = t1;
        }
        if (paint) {
            if (isTable) {
                if (!forced)
                    ++tablePaints;
                if (!firstPaintEnd && bridge && bridge->hasSnapshot() &&
                    bridge->workers()->rowCount() > 0) {
                    firstPaintStart = t0;
                    firstPaintEnd = t1;
                }
                if (measuring)
                    tablePaint.add(cpu, wall);
            } else if (measuring && isChart) {
                chartPaint.add(cpu, wall);
            }
        }
        if (measuring && top) {
            if (drained && type == QEvent::Timer)
                drains.add(cpu, wall);
            else if (type == QEvent::UpdateRequest || type == QEvent::UpdateLater)
                updates.add(cpu, wall);
            else if (isScroll)
                scrolls.add(cpu, wall);
            else {
                otherTop.add(cpu, wall);
                otherByType[std::to_string(int(type)) + ":" + receiverClass].add(cpu, wall);
            }
        }
        return result;
    }

private:
    int m_depth = 0;
};

/// Runs the event loop until `pred` holds (looked at every 2 ms) or `limit` passes; returns
/// whether it held.
bool spinUntil(const std::function<bool()> &pred, Clock::duration limit)
{
    const Clock::time_point until = Clock::now() + limit;
    QEventLoop loop;
    QTimer poll;
    poll.setInterval(2);
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (pred() || Clock::now() > until)
            loop.quit();
    });
    if (pred())
        return true;
    poll.start();
    loop.exec();
    return pred();
}

/// Runs the event loop for `d` (timers, paints and all, as QApplication::exec would).
void spinFor(Clock::duration d)
{
    QEventLoop loop;
    QTimer::singleShot(int(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()), &loop,
                       &QEventLoop::quit);
    loop.exec();
}

// ---- one size -----------------------------------------------------------------------------

struct Phase
{
    double wallS = 0;
    double guiCpuS = 0;
    double processCpuS = 0;
    double backendCpuS = 0;
    quint64 drains = 0;
    quint64 deltas = 0;
    quint64 tablePaints = 0;
};

int runOne(BenchApp &app, const Options &o, int workers)
{
    QStandardPaths::setTestModeEnabled(true); // the window's QSettings in a test location
    QCoreApplication::setOrganizationName(QStringLiteral("drover-bench"));
    QCoreApplication::setApplicationName(QStringLiteral("bench_console"));
    QSettings().clear(); // the default layout: the workers tab

    double loads[3] = {0, 0, 0};
    getloadavg(loads, 3);
    const double rssStart = statusMiB("VmRSS");
    auto backend = std::make_shared<SyntheticBackend>(workers, o.poolSize, o.events);
    const double rssBackend = statusMiB("VmRSS");

    auto window = std::make_unique<ui::MainWindow>(backend, QStringLiteral("synthetic"));
    ui::MasterView *master = window->current();
    QTableView *view = window->workersPane()->view();
    app.table = view->viewport();
    app.bridge = window->bridge();
    window->resize(1400, 900);
    window->show();
    // Shown and painted empty, as when a master is still connecting.
    if (!spinUntil([&] { return app.tablePaints > 0; }, 10s))
        std::printf("# the workers table did not paint before the snapshot\n");
    spinFor(300ms);
    const double rssEmpty = statusMiB("VmRSS");

    backend->release();
    if (!spinUntil([&] { return app.firstPaintEnd.has_value(); }, 60s)) {
        std::printf("# no paint of the workers table with rows within 60 s\n");
        return 1;
    }
    const Clock::time_point snapshotAt = *backend->snapshotAt();
    const double firstPaintMs = ms(*app.firstPaintEnd - snapshotAt);
    const double copyMs = ms(*backend->snapshotTakenAt() - snapshotAt);
    const double waitMs =
        app.snapshotDrainStart ? ms(*app.snapshotDrainStart - *backend->snapshotTakenAt()) : -1;
    const double drainMs =
        app.snapshotDrainStart ? ms(*app.snapshotDrainEnd - *app.snapshotDrainStart) : -1;
    const double betweenMs =
        app.snapshotDrainEnd ? ms(*app.firstPaintStart - *app.snapshotDrainEnd) : -1;
    const double paintOnlyMs = ms(*app.firstPaintEnd - *app.firstPaintStart);
    const int rows = view->model()->rowCount();

    // The charts: the main window's tab once (it charts the selected worker), then workers
    // spread over panes in a window of their own until --series series are on screen.
    master->showPane(ui::MasterView::Charts);
    spinFor(500ms);
    master->showPane(ui::MasterView::Workers);
    std::printf("# the main window's charts pane (hidden behind the workers tab): %s\n",
                qPrintable(master->chartsPane()->subject()));
    QWidget charts;
    charts.setWindowTitle(QStringLiteral("bench charts"));
    auto *grid = new QGridLayout(&charts);
    const int chartWorkers = (o.series + 3) / 4;
    const int panes = chartWorkers == 0 ? 0 : std::clamp(o.chartPanes, 1, chartWorkers);
    const int columns = std::clamp(panes, 1, 5);
    std::vector<ui::ChartsPane *> chartPanes;
    std::vector<QStringList> paneWorkers(std::size_t(std::max(panes, 1)));
    for (int k = 0; k < chartWorkers; ++k) {
        // Spread over the pools: every pool's workers change alike, so any will do.
        const int n =
            int((std::int64_t(k) * workers) / chartWorkers + (workers / chartWorkers) / 2);
        paneWorkers[std::size_t(k % panes)].append(
            QStringLiteral("pool%1-%2").arg(n / o.poolSize).arg(n % o.poolSize));
    }
    for (int p = 0; p < panes; ++p) {
        auto *pane = new ui::ChartsPane(window->bridge(), &charts);
        pane->showWorkers(paneWorkers[std::size_t(p)]);
        grid->addWidget(pane, p / columns, p % columns);
        chartPanes.push_back(pane);
    }
    if (panes == 1)
        charts.resize(1400, 900);
    else if (panes > 1)
        charts.resize(1400, 520 * ((panes + columns - 1) / columns));
    if (panes > 0)
        charts.show();
    auto seriesOnScreen = [&] {
        int n = 0;
        for (ui::ChartsPane *pane : chartPanes)
            n += int(pane->seriesNames().size());
        return n;
    };
    spinUntil([&] { return seriesOnScreen() >= chartWorkers * 4; }, 10s);
    spinFor(2s); // history loaded, a live batch or two drawn
    const int series = seriesOnScreen();

    QTimer scroll;
    scroll.setInterval(o.scrollMs);
    std::vector<double> scrollMs;
    QObject::connect(&scroll, &QTimer::timeout, &app, [&] {
        QScrollBar *bar = view->verticalScrollBar();
        const int next = bar->value() >= bar->maximum() ? 0 : bar->value() + bar->pageStep();
        const Clock::time_point t0 = Clock::now();
        app.forced = true;
        bar->setValue(std::min(next, bar->maximum()));
        view->viewport()->repaint();
        app.forced = false;
        scrollMs.push_back(ms(Clock::now() - t0));
    });
    app.scrollTimer = &scroll;

    auto measure = [&](bool scrolling, Phase &out) {
        app.clearTallies();
        if (scrolling)
            scroll.start();
        const quint64 drains0 = app.bridge->drains();
        const quint64 deltas0 = app.bridge->deltasSeen();
        const quint64 paints0 = app.tablePaints;
        const double backend0 = backend->threadCpuSeconds();
        const double process0 = processCpuSeconds();
        const double gui0 = selfCpuSeconds();
        const Clock::time_point t0 = Clock::now();
        app.measuring = true;
        spinFor(std::chrono::seconds(o.seconds));
        app.measuring = false;
        out.wallS = std::chrono::duration<double>(Clock::now() - t0).count();
        out.guiCpuS = selfCpuSeconds() - gui0;
        out.processCpuS = processCpuSeconds() - process0;
        out.backendCpuS = backend->threadCpuSeconds() - backend0;
        out.drains = app.bridge->drains() - drains0;
        out.deltas = app.bridge->deltasSeen() - deltas0;
        out.tablePaints = app.tablePaints - paints0;
        scroll.stop();
    };
    auto pct = [](double s, double wall) { return wall > 0 ? 100.0 * s / wall : 0.0; };
    auto breakdown = [&](const char *phase, const Phase &p) {
        auto part = [&](const char *name, const Tally &t) {
            std::printf(" %s_n=%llu %s_cpu_pct=%.2f %s_max_ms=%.1f", name,
                        (unsigned long long)t.count, name, pct(t.cpuS, p.wallS), name,
                        t.maxWallS * 1000);
        };
        std::printf("RESULT bench=console_gui workers=%d phase=%s", workers, phase);
        part("drain", app.drains);
        part("update", app.updates);
        part("table_paint", app.tablePaint);
        part("chart_paint", app.chartPaint);
        part("scroll", app.scrolls);
        part("other", app.otherTop);
        std::printf("\n");
        std::vector<std::pair<std::string, Tally>> others(app.otherByType.begin(),
                                                          app.otherByType.end());
        std::sort(others.begin(), others.end(),
                  [](const auto &a, const auto &b) { return a.second.cpuS > b.second.cpuS; });
        std::printf("# %s, other top-level events by CPU:", phase);
        for (std::size_t i = 0; i < std::min<std::size_t>(others.size(), 6); ++i)
            std::printf(" type%s n=%llu %.2f%%", others[i].first.c_str(),
                        (unsigned long long)others[i].second.count,
                        pct(others[i].second.cpuS, p.wallS));
        std::printf("\n");
    };

    Phase steady;
    measure(false, steady);
    breakdown("steady", steady);
    const double rssSteady = statusMiB("VmRSS");
    Phase scrolled;
    measure(true, scrolled);
    breakdown("scroll", scrolled);
    const double rssEnd = statusMiB("VmRSS");
    const double peak = statusMiB("VmHWM");
    int chartPoints = 0;
    for (ui::ChartsPane *pane : chartPanes)
        for (const QString &s : pane->seriesNames())
            chartPoints += pane->pointCount(s);

    std::printf("RESULT bench=console workers=%d rows=%d pools=%d series=%d series_asked=%d "
                "chart_panes=%d chart_points=%d first_paint_ms=%.1f snapshot_copy_ms=%.1f "
                "drain_wait_ms=%.1f snapshot_drain_ms=%.1f drain_to_paint_ms=%.1f "
                "first_paint_only_ms=%.1f gui_busy_percent=%.2f process_cpu_percent=%.2f "
                "backend_cpu_percent=%.2f gui_busy_scrolling_percent=%.2f "
                "process_cpu_scrolling_percent=%.2f rss_mb=%.1f peak_rss_mb=%.1f "
                "rss_start_mb=%.1f rss_backend_mb=%.1f rss_empty_window_mb=%.1f "
                "rss_steady_mb=%.1f drains=%llu deltas=%llu table_paints=%llu "
                "scroll_frames=%zu scroll_paint_p50_ms=%.2f scroll_paint_p99_ms=%.2f "
                "scroll_paint_max_ms=%.2f seconds=%d requests=%llu cores=%u load1=%.2f\n",
                workers, rows, (workers + o.poolSize - 1) / o.poolSize, series, o.series, panes,
                chartPoints, firstPaintMs, copyMs, waitMs, drainMs, betweenMs, paintOnlyMs,
                pct(steady.guiCpuS, steady.wallS), pct(steady.processCpuS, steady.wallS),
                pct(steady.backendCpuS, steady.wallS), pct(scrolled.guiCpuS, scrolled.wallS),
                pct(scrolled.processCpuS, scrolled.wallS), rssEnd, peak, rssStart, rssBackend,
                rssEmpty, rssSteady, (unsigned long long)steady.drains,
                (unsigned long long)steady.deltas, (unsigned long long)steady.tablePaints,
                scrollMs.size(), percentile(scrollMs, 0.5), percentile(scrollMs, 0.99),
                percentile(scrollMs, 1.0), o.seconds, (unsigned long long)backend->requests(),
                std::thread::hardware_concurrency(), loads[0]);
    std::fflush(stdout);

    // Nothing comes from the backend while the windows go.
    app.measuring = false;
    app.bridge = nullptr;
    app.table = nullptr;
    app.scrollTimer = nullptr;
    backend->stop();
    for (ui::ChartsPane *pane : chartPanes)
        delete pane;
    window.reset();
    return 0;
}

// ---- options and sizes --------------------------------------------------------------------

bool parse(int argc, char **argv, Options &o)
{
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> const char * { return i + 1 < argc ? argv[++i] : nullptr; };
        auto number = [&](int &out, int least = 1) {
            const char *v = value();
            if (!v || std::atoi(v) < least)
                return false;
            out = std::atoi(v);
            return true;
        };
        if (a == "--workers") {
            const char *v = value();
            if (!v)
                return false;
            o.workers.clear();
            for (const char *p = v; *p;) {
                char *end = nullptr;
                const long n = std::strtol(p, &end, 10);
                if (end == p || n <= 0)
                    return false;
                o.workers.push_back(int(n));
                p = *end == ',' ? end + 1 : end;
                if (*end && *end != ',')
                    return false;
            }
        } else if (a == "--seconds") {
            if (!number(o.seconds))
                return false;
        } else if (a == "--series") {
            if (!number(o.series, 0))
                return false;
        } else if (a == "--chart-panes") {
            if (!number(o.chartPanes))
                return false;
        } else if (a == "--pool-size") {
            if (!number(o.poolSize))
                return false;
        } else if (a == "--scroll-ms") {
            if (!number(o.scrollMs))
                return false;
        } else if (a == "--no-events") {
            o.events = false;
        } else {
            return false;
        }
    }
    return !o.workers.empty();
}

/// Runs this program again for each size, so that each has a fresh process.
int runSizes(int argc, char **argv, const Options &o)
{
    int failed = 0;
    for (int n : o.workers) {
        std::vector<std::string> args{"/proc/self/exe"};
        for (int i = 1; i < argc; ++i) {
            if (std::strcmp(argv[i], "--workers") == 0) {
                ++i;
                continue;
            }
            args.emplace_back(argv[i]);
        }
        args.emplace_back("--workers");
        args.push_back(std::to_string(n));
        std::fflush(stdout);
        const pid_t pid = fork();
        if (pid == 0) {
            setenv("DROVER_BENCH_CONSOLE_CHILD", "1", 1);
            std::vector<char *> cargs;
            for (std::string &s : args)
                cargs.push_back(s.data());
            cargs.push_back(nullptr);
            execv("/proc/self/exe", cargs.data());
            std::perror("execv");
            _exit(127);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            std::printf("# workers=%d: the run failed (status %d)\n", n, status);
            ++failed;
        }
    }
    return failed ? 1 : 0;
}

void printTargets()
{
    std::printf("RESULT bench=console_targets gui_busy_max=15 rss_max_mb=400 "
                "first_paint_max_ms=300 scroll_paint_p99_max_ms=16\n");
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv)
{
    Options o;
    if (!parse(argc, argv, o)) {
        std::fprintf(stderr,
                     "usage: %s [--workers N[,N...]] [--seconds S] [--series K] "
                     "[--chart-panes C] [--pool-size P] [--scroll-ms MS] [--no-events]\n",
                     argv[0]);
        return 2;
    }
    if (o.workers.size() > 1) {
        const int rc = runSizes(argc, argv, o);
        printTargets();
        return rc;
    }
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    BenchApp app(argc, argv);
    const int rc = runOne(app, o, o.workers.front());
    if (!qEnvironmentVariableIsSet("DROVER_BENCH_CONSOLE_CHILD")) // else the parent does
        printTargets();
    return rc;
}
