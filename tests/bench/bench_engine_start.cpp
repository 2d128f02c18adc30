// What starting and stopping N workers costs the engine's loop, against the physical floor
// measured in the same run: a plain posix_spawn loop of the same command, then kill + reap.
//   build/bench/bench_engine_start [N=1000] [command=/bin/sleep] [limits]
// With `limits` every worker has a pids limit, so that each start and restart joins its
// cgroups (the worker's own groups are made at its first start and kept).
// Prints `RESULT bench=spawn_floor ...` for the loop, `RESULT bench=engine_start ...` for
// the engine: time until every worker is running, the longest the loop was held (a 1 ms
// ticker measures the gaps between its ticks), and the time to stop them all; then where a
// start's time goes, per start: `engine_start_costs` for every start, `engine_restart_costs`
// for 20 workers killed once running and restarted at once (with the time from the exit
// seen to the spawn).
#include "config/loader.h"
#include "engine/engine.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <utility> // before Asio: Boost 1.74 + g++ 12
#include <vector>

extern char **environ;

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double ms(Clock::duration d)
{
    return std::chrono::duration<double, std::milli>(d).count();
}

/// posix_spawn N times back to back, then SIGKILL and reap them all.
void spawnFloor(int n, const std::string &command)
{
    std::vector<pid_t> pids;
    pids.reserve(std::size_t(n));
    std::string arg = "100000";
    char *argv[] = {const_cast<char *>(command.c_str()), arg.data(), nullptr};
    Clock::time_point t0 = Clock::now();
    for (int i = 0; i < n; ++i) {
        pid_t pid = 0;
        if (posix_spawn(&pid, command.c_str(), nullptr, nullptr, argv, environ) == 0)
            pids.push_back(pid);
    }
    Clock::duration spawned = Clock::now() - t0;
    Clock::time_point t1 = Clock::now();
    for (pid_t pid : pids)
        ::kill(pid, SIGKILL);
    for (pid_t pid : pids)
        ::waitpid(pid, nullptr, 0);
    std::printf("RESULT bench=spawn_floor n=%d spawned=%zu spawn_all_ms=%.1f kill_reap_ms=%.1f\n",
                n, pids.size(), ms(spawned), ms(Clock::now() - t1));
    std::fflush(stdout);
}

/// Measures the loop's responsiveness: a timer that wants to tick every millisecond.
class Ticker
{
public:
    explicit Ticker(asio::io_context &io)
        : m_timer(io)
    {}
    void start()
    {
        m_last = Clock::now();
        arm();
    }
    void stop() { m_timer.cancel(); }
    double maxGapMs() const
    {
        return m_gaps.empty() ? 0 : ms(*std::max_element(m_gaps.begin(), m_gaps.end()));
    }
    double percentileGapMs(double p)
    {
        if (m_gaps.empty())
            return 0;
        std::sort(m_gaps.begin(), m_gaps.end());
        return ms(m_gaps[std::min(m_gaps.size() - 1, std::size_t(p * double(m_gaps.size())))]);
    }
    std::function<void()> onTick;

private:
    void arm()
    {
        m_timer.expires_after(1ms);
        m_timer.async_wait([this](const boost::system::error_code &ec) {
            if (ec)
                return;
            Clock::time_point now = Clock::now();
            m_gaps.push_back(now - m_last);
            m_last = now;
            if (onTick)
                onTick();
            arm();
        });
    }
    asio::steady_timer m_timer;
    Clock::time_point m_last;
    std::vector<Clock::duration> m_gaps;
};

/// /sys/kernel/rcu_expedited: whether this kernel hurries RCU grace periods, which decides
/// what moving a process into a cgroup through cgroup.procs costs (0.2 ms or 2-16 ms here).
std::string rcuExpedited()
{
    std::FILE *f = std::fopen("/sys/kernel/rcu_expedited", "r");
    int c = f ? std::fgetc(f) : EOF;
    if (f)
        std::fclose(f);
    return c == '0' || c == '1' ? std::string(1, char(c)) : std::string("unknown");
}

int runEngine(int n, const std::string &command, bool limits)
{
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("drover-bench-start-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::string yaml = "version: 1\nmaster: {state_dir: " + (dir / "state").string() +
                       "}\npools:\n  - name: p\n    command: [\"" + command +
                       "\", \"100000\"]\n    replicas: " + std::to_string(n) +
                       "\n    restart: {policy: always, backoff: {initial: 0ms, jitter: 0}}\n" +
                       (limits ? "    limits: {pids: 4096}\n" : "");
    drover::config::LoadResult loaded = drover::config::loadText(yaml, "bench.yaml");
    if (!loaded.ok()) {
        std::fprintf(stderr, "%s", loaded.report().c_str());
        return 1;
    }
    auto config = std::make_shared<const drover::config::Config>(std::move(*loaded.config));

    asio::io_context io{1};
    drover::engine::Engine engine(io);
    Ticker ticker(io);
    Clock::time_point t0 = Clock::now();
    Clock::duration allRunning{};
    Clock::duration startCall{};
    Clock::duration stopAll{};
    double startMaxGap = 0;
    double startP99Gap = 0;
    bool stopping = false;
    int ticks = 0;
    // Then kKills workers are killed (SIGKILL), one every 20 ms; each restarts at once.
    constexpr int kKills = 20;
    int killed = 0;
    ticker.onTick = [&] {
        // A snapshot copies every worker: look at it every 10th tick only.
        if (stopping || ++ticks % 10 != 0)
            return;
        drover::api::Snapshot snapshot = engine.snapshot();
        if (snapshot.pools.empty() || snapshot.pools.front().running < n)
            return;
        if (allRunning == Clock::duration{}) {
            allRunning = Clock::now() - t0;
            startMaxGap = ticker.maxGapMs();
            startP99Gap = ticker.percentileGapMs(0.99);
        }
        if (killed < kKills) {
            if (ticks % 20 == 0) {
                const drover::api::WorkerInfo &w =
                    snapshot.workers[std::size_t(killed) * snapshot.workers.size() / kKills];
                if (w.pid > 0)
                    ::kill(w.pid, SIGKILL);
                ++killed;
            }
            return;
        }
        stopping = true;
        Clock::time_point t1 = Clock::now();
        engine.shutdown([&, t1] {
            stopAll = Clock::now() - t1;
            ticker.stop();
            io.stop();
        });
    };
    ticker.start();
    if (auto started = engine.start(config); !started.ok()) {
        std::fprintf(stderr, "start: %s\n", started.error().message.c_str());
        return 1;
    }
    startCall = Clock::now() - t0;
    io.run_for(300s);
    std::filesystem::remove_all(dir);
    const std::string setting =
        std::string(" limits=") + (limits ? "pids" : "none") + " rcu_expedited=" + rcuExpedited();
    std::printf("RESULT bench=engine_start n=%d start_call_ms=%.1f all_running_ms=%.1f "
                "loop_max_gap_ms=%.1f loop_p99_gap_ms=%.2f stop_all_ms=%.1f%s\n",
                n, ms(startCall), ms(allRunning), startMaxGap, startP99Gap, ms(stopAll),
                setting.c_str());
    // Where a start's time went, per start (engine.h StartCosts): the next regression shows
    // in which step it is.
    auto print = [&setting](const char *bench, const drover::engine::StartCosts &costs) {
        const double per = costs.starts ? 1000.0 / double(costs.starts) : 0;
        std::printf("RESULT bench=%s starts=%llu exit_us=%.1f plan_us=%.1f cgroup_us=%.1f "
                    "log_us=%.1f spawn_us=%.1f watch_us=%.1f record_us=%.1f publish_us=%.1f%s\n",
                    bench, static_cast<unsigned long long>(costs.starts), costs.exitMs * per,
                    costs.planMs * per, costs.cgroupMs * per, costs.logMs * per,
                    costs.spawnMs * per, costs.watchMs * per, costs.recordMs * per,
                    costs.publishMs * per, setting.c_str());
    };
    print("engine_start_costs", engine.startCosts());
    // The restarts alone: exit_us is from the exit seen to the spawn beginning.
    print("engine_restart_costs", engine.restartCosts());
    std::fflush(stdout);
    return allRunning.count() > 0 && stopAll.count() > 0 ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    int n = argc > 1 ? std::atoi(argv[1]) : 1000;
    std::string command = argc > 2 ? argv[2] : "/bin/sleep";
    std::signal(SIGPIPE, SIG_IGN);
    spdlog::set_level(spdlog::level::warn); // droverd's production level for a quiet master
    const bool limits = argc > 3 && std::string(argv[3]) == "limits";
    spawnFloor(n, command);
    return runEngine(n, command, limits);
}
