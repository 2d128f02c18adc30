// What 1000 http readiness probes at 1 s cost the engine, against a plain client sending the
// same checks in the same run.
//   build/bench/bench_probes [N=1000] [seconds=20] [keepalive|fresh]
// The engine runs as in droverd: on its own thread, supervising N drover-demo-worker
// processes, each with `readiness: {http: {url: http://127.0.0.1:{{port}}/ready}, interval: 1s}`.
// While it probes, a reference thread sends the same checks (GET /ready, read the answer; N a
// second, evenly paced) with a synchronous Beast client: the least a check can cost.
// `keepalive` (the default, as the probe does by default): both keep one connection per
// worker open between checks; `fresh`: both open a new connection per check
// (`reuse_connection: false`). Both measure their own thread's CPU clock and the latencies
// they see. Prints `RESULT bench=probes_engine ...` and `RESULT bench=probes_reference ...`.
#include "config/loader.h"
#include "engine/engine.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <optional>
#include <pthread.h>
#include <string>
#include <thread>
#include <time.h>
#include <utility> // before Asio: Boost 1.74 + g++ 12
#include <vector>

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace drover;
using Clock = std::chrono::steady_clock;

constexpr int kFirstPort = 21000;

double threadCpuSeconds(pthread_t thread)
{
    clockid_t id;
    timespec ts{};
    if (pthread_getcpuclockid(thread, &id) != 0 || clock_gettime(id, &ts) != 0)
        return 0;
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

std::int64_t nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size())))];
}

/// Collects the engine's probe results (called on the engine thread).
struct Samples : api::StreamListener
{
    std::vector<std::pair<std::int64_t, double>> latencies; ///< (time, ms)
    std::vector<std::int64_t> failures;
    int ready = 0;
    void onSnapshot(const api::Snapshot &) override {}
    void onDelta(const api::Delta &d) override
    {
        if (d.kind == api::DeltaKind::PoolUpsert)
            ready = std::get<api::PoolInfo>(d.value).ready;
        if (d.kind != api::DeltaKind::HealthSampled)
            return;
        const auto &s = std::get<api::HealthSample>(d.value);
        if (s.ok)
            latencies.emplace_back(s.timeMs, s.latencyMs);
        else
            failures.push_back(s.timeMs);
    }
};

/// The plain client: N checks a second, each on a new connection.
struct Reference
{
    std::vector<double> latencies;
    int failures = 0;
    double cpuSeconds = 0;

    void run(int n, int seconds, bool keepAlive)
    {
        asio::io_context io;
        std::vector<std::optional<asio::ip::tcp::socket>> kept(static_cast<std::size_t>(n));
        pthread_t self = pthread_self();
        double cpu0 = threadCpuSeconds(self);
        Clock::time_point start = Clock::now();
        const auto step = std::chrono::nanoseconds(1'000'000'000 / n);
        for (long i = 0; i < long(n) * seconds; ++i) {
            std::this_thread::sleep_until(start + step * i);
            Clock::time_point t0 = Clock::now();
            boost::system::error_code ec;
            std::optional<asio::ip::tcp::socket> &socket = kept[std::size_t(i % n)];
            if (!socket) {
                socket.emplace(io);
                socket->connect(
                    {asio::ip::make_address("127.0.0.1"), std::uint16_t(kFirstPort + int(i % n))},
                    ec);
            }
            http::request<http::empty_body> req{http::verb::get, "/ready", 11};
            req.set(http::field::host, "127.0.0.1");
            if (!keepAlive)
                req.set(http::field::connection, "close");
            if (!ec)
                http::write(*socket, req, ec);
            boost::beast::flat_buffer buffer;
            http::response<http::string_body> res;
            if (!ec)
                http::read(*socket, buffer, res, ec);
            if (ec || !keepAlive || !res.keep_alive())
                socket.reset();
            if (ec || res.result_int() != 200)
                ++failures;
            else
                latencies.push_back(
                    std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        }
        cpuSeconds = threadCpuSeconds(self) - cpu0;
    }
};

} // namespace

int main(int argc, char **argv)
{
    const int n = argc > 1 ? std::atoi(argv[1]) : 1000;
    const int seconds = argc > 2 ? std::atoi(argv[2]) : 20;
    const bool keepAlive = argc <= 3 || std::string(argv[3]) != "fresh";
    const char *mode = keepAlive ? "keepalive" : "fresh";
    spdlog::set_level(spdlog::level::warn);
    std::string dir = std::filesystem::temp_directory_path() /
                      ("drover-bench-probes-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::string yaml = "version: 1\nmaster: {state_dir: " + dir +
                       "/state}\npools:\n  - name: p\n    command: [\"" DROVER_BIN_DIR
                       "/drover-demo-worker\", \"--port\", \"{{port}}\", \"--quiet\"]\n"
                       "    replicas: " +
                       std::to_string(n) + "\n    ports: " + std::to_string(kFirstPort) + "-" +
                       std::to_string(kFirstPort + n) + // one spare: the rollout surge
                       "\n    probes:\n      readiness: {http: {url: \"http://127.0.0.1:{{port}}/"
                       "ready\", reuse_connection: " +
                       (keepAlive ? "true" : "false") + "}, interval: 1s, timeout: 1s}\n";
    config::LoadResult loaded = config::loadText(yaml, "bench.yaml", {});
    if (!loaded.ok()) {
        std::fprintf(stderr, "%s", loaded.report().c_str());
        return 2;
    }
    auto config = std::make_shared<const config::Config>(std::move(*loaded.config));

    asio::io_context io;
    auto work = asio::make_work_guard(io);
    engine::Engine engine(io);
    auto samples = std::make_shared<Samples>();
    std::thread loop([&] { io.run(); });
    pthread_t loopThread = loop.native_handle();
    auto onLoop = [&](auto fn) {
        std::promise<void> done;
        asio::post(io, [&] {
            fn();
            done.set_value();
        });
        done.get_future().wait();
    };
    onLoop([&] {
        engine.subscribe(samples, 0);
        auto started = engine.start(config);
        if (!started.ok())
            std::fprintf(stderr, "start: %s\n", started.error().message.c_str());
    });
    Clock::time_point t0 = Clock::now();
    int ready = 0;
    while (ready < n && Clock::now() - t0 < std::chrono::seconds(120)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        onLoop([&] { ready = samples->ready; });
    }
    std::printf("# %d workers ready after %.1f s\n", ready,
                std::chrono::duration<double>(Clock::now() - t0).count());
    std::this_thread::sleep_for(std::chrono::seconds(3)); // the spawn burst settles

    // The window: the engine probes as it does; the reference sends the same checks.
    std::int64_t from = nowMs();
    double cpu0 = threadCpuSeconds(loopThread);
    Reference ref;
    std::thread refThread([&] { ref.run(n, seconds, keepAlive); });
    refThread.join();
    double engineCpu = threadCpuSeconds(loopThread) - cpu0;
    std::int64_t to = nowMs();

    std::vector<double> engineLatencies;
    int engineFailures = 0;
    onLoop([&] {
        for (auto [t, ms] : samples->latencies) {
            if (t >= from && t < to)
                engineLatencies.push_back(ms);
        }
        for (std::int64_t t : samples->failures)
            engineFailures += t >= from && t < to;
    });
    double window = double(to - from) / 1000.0;
    std::printf(
        "RESULT bench=probes_engine connections=%s workers=%d seconds=%.1f checks_per_s=%.0f "
        "failures=%d cpu_percent=%.2f p50_ms=%.3f p99_ms=%.3f\n",
        mode, n, window, double(engineLatencies.size()) / window, engineFailures,
        100.0 * engineCpu / window, percentile(engineLatencies, 0.5),
        percentile(engineLatencies, 0.99));
    std::printf(
        "RESULT bench=probes_reference connections=%s workers=%d seconds=%.1f checks_per_s=%.0f "
        "failures=%d cpu_percent=%.2f p50_ms=%.3f p99_ms=%.3f\n",
        mode, n, window, double(ref.latencies.size()) / window, ref.failures,
        100.0 * ref.cpuSeconds / window, percentile(ref.latencies, 0.5),
        percentile(ref.latencies, 0.99));
    std::printf("RESULT bench=probes_ratio cpu_engine_over_reference=%.2f "
                "p50_engine_over_reference=%.2f\n",
                ref.cpuSeconds > 0 ? engineCpu / ref.cpuSeconds : 0.0,
                percentile(ref.latencies, 0.5) > 0
                    ? percentile(engineLatencies, 0.5) / percentile(ref.latencies, 0.5)
                    : 0.0);
    std::fflush(stdout);

    std::promise<void> stopped;
    asio::post(io, [&] { engine.shutdown([&] { stopped.set_value(); }); });
    stopped.get_future().wait();
    work.reset();
    io.stop();
    loop.join();
    std::filesystem::remove_all(dir);
    return 0;
}
