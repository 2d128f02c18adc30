// Leases over the wire: `pool.acquire` and `pool.release` through droverctl's client library
// (remote::RemoteBackend) to a real droverd on loopback, with a pool of 4 demo workers.
//   build/bench/bench_leases [--bin build/bin] [--sequential 1000] [--rounds 2000] [--rate 90]
// Each client paces itself to --rate acquire+release pairs a second: the master allows 200
// requests a second on one connection (PROTOCOL.md), so a client that leases faster than that
// opens more connections.
//  - sequential: one client, a free worker each time: acquire -> release, --sequential
//    times; the acquire's round trip p50/p99/max (the figure the seeds promise: p50 < 1 ms,
//    p99 < 10 ms), and the release's.
//  - concurrent: 4 and then 8 clients at once on the 4 workers (at the pool's max, and twice
//    over it: the others wait in the pool's queue), each holding its lease 1 ms, --rounds
//    acquisitions in all: the share that succeeded (>= 99.9 % within the max) and the
//    acquire's p50/p99, queue wait included.
// Prints `RESULT bench=leases ...` lines.
// clang-format off
#include <utility> // before Asio (TOOLCHAIN.md)
// clang-format on
#include "remote/remotebackend.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace drover;

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using nlohmann::json;
namespace fs = std::filesystem;

int freePort()
{
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(s, reinterpret_cast<sockaddr *>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr *>(&a), &len);
    ::close(s);
    return ntohs(a.sin_port);
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const std::size_t i = std::min(v.size() - 1, std::size_t(p / 100.0 * double(v.size())));
    return v[i];
}

/// One request through the client library, waited for.
struct Call
{
    bool ok = false;
    json value;
    std::string error;
    double ms = 0;
};

Call call(remote::RemoteBackend &backend, const std::string &op, const json &args)
{
    auto promise = std::make_shared<std::promise<Call>>();
    auto future = promise->get_future();
    const auto t0 = Clock::now();
    backend.request(op, args, [promise, t0](api::Reply r) {
        Call c;
        c.ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        c.ok = r.ok();
        if (c.ok)
            c.value = r.value();
        else
            c.error = r.error().message;
        promise->set_value(std::move(c));
    });
    if (future.wait_for(30s) != std::future_status::ready)
        return Call{false, {}, "no reply in 30 s", 30000};
    return future.get();
}

std::unique_ptr<remote::RemoteBackend> connect(int port)
{
    remote::RemoteOptions options;
    options.url.host = "127.0.0.1";
    options.url.port = port;
    options.client = "bench_leases";
    auto connected = std::make_shared<std::atomic<bool>>(false);
    auto backend = std::make_unique<remote::RemoteBackend>(options);
    backend->setStatusListener([connected](const remote::LinkStatus &s) {
        if (s.state == remote::LinkStatus::State::Connected)
            *connected = true;
    });
    backend->start();
    const auto until = Clock::now() + 10s;
    while (!*connected && Clock::now() < until)
        std::this_thread::sleep_for(5ms);
    if (!*connected)
        return nullptr;
    return backend;
}

} // namespace

int main(int argc, char **argv)
{
    std::string bin = DROVER_BIN_DIR;
    int sequential = 1000, rounds = 2000, rate = 90;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--bin")
            bin = argv[i + 1];
        else if (a == "--sequential")
            sequential = std::atoi(argv[i + 1]);
        else if (a == "--rounds")
            rounds = std::atoi(argv[i + 1]);
        else if (a == "--rate")
            rate = std::max(1, std::atoi(argv[i + 1]));
    }
    std::signal(SIGPIPE, SIG_IGN);
    const fs::path dir = fs::temp_directory_path() / ("bench_leases." + std::to_string(getpid()));
    fs::create_directories(dir);
    const int port = freePort();
    const int workerBase = 29400;
    {
        std::ofstream cfg(dir / "leases.yaml");
        cfg << "version: 1\nmaster: {listen: 127.0.0.1:" << port << ", state_dir: " << dir.string()
            << "/state}\npools:\n  - name: leases\n    command: [\"" << bin
            << "/drover-demo-worker\", \"--port\", \"{{port}}\", \"--quiet\"]\n    replicas: 4\n"
            << "    ports: " << workerBase << "-" << workerBase + 9 << "\n";
    }
    const pid_t master = ::fork();
    if (master == 0) {
        const std::string log = (dir / "droverd.log").string();
        std::freopen(log.c_str(), "w", stderr);
        std::freopen(log.c_str(), "a", stdout);
        const std::string droverd = bin + "/droverd";
        const std::string config = (dir / "leases.yaml").string();
        ::execl(droverd.c_str(), droverd.c_str(), "--config", config.c_str(), nullptr);
        ::_exit(127);
    }
    int status = 1;
    auto finish = [&](int code) {
        ::kill(master, SIGTERM);
        ::waitpid(master, nullptr, 0);
        std::error_code ec;
        fs::remove_all(dir, ec);
        return code;
    };

    std::unique_ptr<remote::RemoteBackend> client;
    for (int tries = 0; tries < 100 && !client; ++tries) {
        std::this_thread::sleep_for(50ms);
        client = connect(port);
    }
    if (!client) {
        std::printf("# droverd did not answer on 127.0.0.1:%d (log in %s)\n", port,
                    (dir / "droverd.log").c_str());
        return finish(1);
    }
    // The four workers are ready when four leases can be had at once.
    {
        std::vector<std::string> held;
        const auto until = Clock::now() + 20s;
        while (held.size() < 4 && Clock::now() < until) {
            Call c = call(*client, "pool.acquire", {{"pool", "leases"}, {"wait_ms", 2000}});
            if (c.ok)
                held.push_back(c.value["lease"]);
        }
        for (const std::string &l : held)
            call(*client, "pool.release", {{"pool", "leases"}, {"lease", l}});
        if (held.size() < 4) {
            std::printf("# the pool's workers did not all start\n");
            return finish(1);
        }
    }

    // Sequential: a free worker every time.
    std::vector<double> acquireMs, releaseMs;
    int failed = 0;
    const auto period = std::chrono::microseconds(1'000'000 / rate);
    auto due = Clock::now();
    for (int i = 0; i < sequential; ++i) {
        std::this_thread::sleep_until(due);
        due += period;
        Call a = call(*client, "pool.acquire", {{"pool", "leases"}, {"wait_ms", 1000}});
        if (!a.ok) {
            if (failed++ == 0)
                std::printf("# first failure: %s (after %.1f ms)\n", a.error.c_str(), a.ms);
            continue;
        }
        acquireMs.push_back(a.ms);
        Call r = call(*client, "pool.release", {{"pool", "leases"}, {"lease", a.value["lease"]}});
        releaseMs.push_back(r.ms);
    }
    std::printf("RESULT bench=leases mode=sequential n=%d failed=%d acquire_p50_ms=%.3f "
                "acquire_p99_ms=%.3f acquire_max_ms=%.3f release_p50_ms=%.3f "
                "release_p99_ms=%.3f\n",
                sequential, failed, percentile(acquireMs, 50), percentile(acquireMs, 99),
                percentile(acquireMs, 100), percentile(releaseMs, 50), percentile(releaseMs, 99));
    std::fflush(stdout);

    // Concurrent: at the pool's max, then twice over it.
    for (int clients : {4, 8}) {
        std::vector<std::unique_ptr<remote::RemoteBackend>> links;
        for (int i = 0; i < clients; ++i) {
            links.push_back(connect(port));
            if (!links.back()) {
                std::printf("# client %d did not connect\n", i);
                return finish(1);
            }
        }
        std::atomic<int> next{0}, ok{0}, bad{0};
        std::mutex lock;
        std::vector<double> ms;
        std::vector<std::thread> threads;
        const auto t0 = Clock::now();
        for (int i = 0; i < clients; ++i) {
            threads.emplace_back([&, i] {
                std::vector<double> mine;
                auto due = Clock::now();
                while (next.fetch_add(1) < rounds) {
                    std::this_thread::sleep_until(due);
                    due += period;
                    Call a = call(*links[std::size_t(i)], "pool.acquire",
                                  {{"pool", "leases"}, {"wait_ms", 5000}});
                    if (!a.ok) {
                        ++bad;
                        continue;
                    }
                    ++ok;
                    mine.push_back(a.ms);
                    std::this_thread::sleep_for(1ms);
                    call(*links[std::size_t(i)], "pool.release",
                         {{"pool", "leases"}, {"lease", a.value["lease"]}});
                }
                std::lock_guard g(lock);
                ms.insert(ms.end(), mine.begin(), mine.end());
            });
        }
        for (auto &t : threads)
            t.join();
        const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        std::printf("RESULT bench=leases mode=concurrent clients=%d workers=4 n=%d ok=%d "
                    "failed=%d success_pct=%.3f acquire_p50_ms=%.3f acquire_p99_ms=%.3f "
                    "leases_per_s=%.0f rate_per_client=%d\n",
                    clients, rounds, ok.load(), bad.load(),
                    100.0 * ok.load() / std::max(1, ok.load() + bad.load()), percentile(ms, 50),
                    percentile(ms, 99), ok.load() / seconds, rate);
        std::fflush(stdout);
    }
    status = 0;
    client.reset();
    return finish(status);
}
