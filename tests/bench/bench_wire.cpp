// What droverd's wire server delivers over loopback WebSockets, in three scenarios:
//   build/bench/bench_wire [--only deltas,snapshot,clients] [--deltas 200000] [--workers 10000]
//                          [--clients 100] [--fanout-workers 1000] [--fanout-deltas 5000]
//                          [--repeats 10] [--batch 1000] [--ahead 4] [--window 20000]
//                          [--synthetic] [--no-raw] [--spawn-timeout 300]
// The master runs in this process as droverd runs it (app/master/main.cpp): an Engine and a
// remote::Server on one io_context, run by one thread; 127.0.0.1, port 0, no tokens.
//  - deltas: one client subscribes; the bench makes `event` deltas on the engine thread
//    (Engine::addEvent, in batches of --batch, at most --ahead batches posted and not yet run,
//    at most --window deltas beyond what the client has seen, so that the stream is sustained
//    and not cut by the server's 32 MiB resync; --window 0 turns that off). Measured from the
//    first delta made to the last one received: first with RemoteBackend (the real client,
//    decoding every frame), then with a raw Beast client that only looks at the frames.
//  - snapshot: one pool of --workers `sleep 3600` workers (--synthetic: a command that does
//    not exist, so that the workers are in the engine's state, failed, without processes);
//    once all have started, --repeats fresh connections each subscribe: the time from
//    `subscribe` to the snapshot decoded by RemoteBackend (onSnapshot), and to the snapshot
//    frame read by the raw client; the engine's and the codec's share of it.
//  - clients: --clients RemoteBackends connect and subscribe at once to a pool of
//    --fanout-workers; the time until all have their snapshot; then --fanout-deltas deltas
//    fanned out to all of them.
// Prints `RESULT bench=wire_deltas ...`, `RESULT bench=wire_snapshot ...` and
// `RESULT bench=wire_clients ...`. The engine thread, the client threads and the generator
// share the machine's cores: `cores=` says how many there were. The defaults take about two
// minutes on 2 cores, most of it starting and stopping the 10,000 real workers.
// Unpaced (`--window 0 --ahead 1000`), every batch is queued on the loop before any write
// completes: past 32 MiB of frames (~170,000 deltas) the server sends `resync`.
// clang-format off
#include <utility> // before Asio (TOOLCHAIN.md)
// clang-format on
#include "api/backend.h"
#include "config/loader.h"
#include "engine/engine.h"
#include "remote/remotebackend.h"
#include "remote/server.h"
#include "remote/wire.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <time.h>
#include <type_traits>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace drover;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// The kind of the events the bench makes; their subject is `w-<index>`.
constexpr std::string_view kEventKind = "bench.wire";
constexpr const char *kMissingCommand = "/nonexistent/drover-bench-no-such-command";

struct Options
{
    std::set<std::string> only{"deltas", "snapshot", "clients"};
    long deltas = 200'000;
    int workers = 10'000;
    int clients = 100;
    int fanoutWorkers = 1000;
    long fanoutDeltas = 5000;
    int repeats = 10;
    long batch = 1000;
    long ahead = 4;
    long window = 20'000;
    bool synthetic = false;
    bool raw = true;
    int spawnTimeoutS = 300;
};

// ---- clocks -------------------------------------------------------------------------------

double ms(Clock::duration d)
{
    return std::chrono::duration<double, std::milli>(d).count();
}

double secondsOf(Clock::duration d)
{
    return std::chrono::duration<double>(d).count();
}

std::int64_t ticks(Clock::time_point t)
{
    return t.time_since_epoch().count();
}

Clock::time_point fromTicks(std::int64_t n)
{
    return Clock::time_point(Clock::duration(n));
}

double cpuClock(clockid_t id)
{
    timespec ts{};
    if (clock_gettime(id, &ts) != 0)
        return 0;
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

double threadCpuSeconds(pthread_t thread)
{
    clockid_t id;
    if (pthread_getcpuclockid(thread, &id) != 0)
        return 0;
    return cpuClock(id);
}

double processCpuSeconds()
{
    return cpuClock(CLOCK_PROCESS_CPUTIME_ID);
}

double selfCpuSeconds()
{
    return cpuClock(CLOCK_THREAD_CPUTIME_ID);
}

/// `n` over `s` seconds; 0 for a window too short to mean anything (nothing came).
double perSecond(double n, double s)
{
    return s > 1e-3 ? n / s : 0.0;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size())))];
}

/// Polls `pred` every millisecond until it holds or `limit` passes; returns whether it held.
bool waitFor(const std::function<bool()> &pred, Clock::duration limit)
{
    Clock::time_point until = Clock::now() + limit;
    while (!pred()) {
        if (Clock::now() > until)
            return false;
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

/// Waits until `done()`, or until `progress()` has not moved for `stall`.
bool waitProgress(const std::function<bool()> &done, const std::function<long()> &progress,
                  Clock::duration stall)
{
    long seen = progress();
    Clock::time_point moved = Clock::now();
    while (!done()) {
        std::this_thread::sleep_for(1ms);
        long now = progress();
        if (now != seen) {
            seen = now;
            moved = Clock::now();
        } else if (Clock::now() - moved > stall) {
            return false;
        }
    }
    return true;
}

// ---- the master's log ---------------------------------------------------------------------

/// The master's log at `warn` (droverd's quiet level): counts the server's resyncs
/// (`session.resync`) and the engine's spawn failures (every worker of --synthetic), and
/// prints the first few other lines.
class LogCounter : public spdlog::sinks::base_sink<std::mutex>
{
public:
    std::atomic<int> resyncs{0};
    std::atomic<int> spawnFailures{0};

protected:
    void sink_it_(const spdlog::details::log_msg &msg) override
    {
        std::string_view text(msg.payload.data(), msg.payload.size());
        if (text.starts_with("session.resync")) {
            ++resyncs;
        } else if (text.starts_with("worker.spawn")) {
            if (spawnFailures++ == 0)
                std::printf("# log (first spawn failure): %.*s\n", int(text.size()), text.data());
        } else if (m_printed++ < 20) {
            std::printf("# log: %.*s\n", int(text.size()), text.data());
        }
    }
    void flush_() override {}

private:
    int m_printed = 0;
};

// ---- the master ---------------------------------------------------------------------------

struct WorkerCounts
{
    int total = 0;
    int running = 0; ///< with a process
    int failed = 0;
    int settled = 0; ///< running, ready, failed, exited or stopped
};

/// droverd in this process: an Engine and a remote::Server on one io_context, one thread.
class Master
{
public:
    explicit Master(const std::string &name)
        : m_dir(std::filesystem::temp_directory_path() /
                ("drover-bench-wire-" + name + "-" + std::to_string(getpid())))
    {}
    ~Master() { stop(); }

    /// Starts the engine on `pools` (the YAML of `pools:`) with `mark` in the workers'
    /// environment, then the server on 127.0.0.1:0, then the loop's thread.
    bool start(const std::string &pools, const std::string &mark)
    {
        std::filesystem::create_directories(m_dir);
        std::string yaml =
            "version: 1\nmaster: {state_dir: " + (m_dir / "state").string() + "}\npools:\n" + pools;
        config::LoadResult loaded = config::loadText(yaml, "bench.yaml");
        if (!loaded.ok()) {
            std::fprintf(stderr, "%s", loaded.report().c_str());
            return false;
        }
        auto config = std::make_shared<const config::Config>(std::move(*loaded.config));
        engine::EngineOptions options;
        for (char **e = environ; *e; ++e)
            options.masterEnv.emplace_back(*e);
        options.masterEnv.push_back(mark);
        options.cgroups = false; // no limits in these configs: no cgroup would be made anyway
        m_engine = std::make_unique<engine::Engine>(m_io, options);
        if (auto started = m_engine->start(config); !started.ok()) {
            std::fprintf(stderr, "engine: %s\n", started.error().message.c_str());
            return false;
        }
        remote::ServerOptions serverOptions;
        serverOptions.listen = config::Endpoint{"127.0.0.1", 0};
        m_server =
            std::make_unique<remote::Server>(m_io, *m_engine, serverOptions, nullptr, nullptr);
        if (auto listening = m_server->start(); !listening.ok()) {
            std::fprintf(stderr, "server: %s\n", listening.error().message.c_str());
            return false;
        }
        m_port = m_server->port();
        m_loop = std::thread([this] {
            pthread_setname_np(pthread_self(), "engine"); // for perf report --sort comm
            m_io.run();
        });
        return true;
    }

    /// Runs `fn` on the loop's thread and returns what it returns.
    template <class F>
    auto onLoop(F fn) -> decltype(fn())
    {
        using R = decltype(fn());
        std::promise<R> done;
        asio::post(m_io, [&] {
            if constexpr (std::is_void_v<R>) {
                fn();
                done.set_value();
            } else {
                done.set_value(fn());
            }
        });
        return done.get_future().get();
    }

    asio::io_context &io() { return m_io; }
    engine::Engine &engine() { return *m_engine; }
    int port() const { return m_port; }
    double loopCpuSeconds() { return threadCpuSeconds(m_loop.native_handle()); }
    int clients()
    {
        return onLoop([this] { return m_server->clients(); });
    }

    WorkerCounts counts()
    {
        return onLoop([this] {
            WorkerCounts c;
            for (const api::WorkerInfo &w : m_engine->snapshot().workers) {
                ++c.total;
                c.running += api::hasProcess(w.state);
                c.failed += w.state == api::WorkerState::Failed;
                c.settled +=
                    w.state == api::WorkerState::Running || w.state == api::WorkerState::Ready ||
                    w.state == api::WorkerState::Failed || w.state == api::WorkerState::Exited ||
                    w.state == api::WorkerState::Stopped;
            }
            return c;
        });
    }

    /// Waits until all `n` workers have settled (started, or failed to); returns the counts.
    WorkerCounts waitSettled(int n, int timeoutS)
    {
        Clock::time_point t0 = Clock::now();
        WorkerCounts c;
        while (Clock::now() - t0 < std::chrono::seconds(timeoutS)) {
            c = counts();
            if (c.total >= n && c.settled >= n)
                break;
            std::this_thread::sleep_for(250ms);
        }
        std::printf("# %d workers: %d with a process, %d failed, %d settled after %.1f s\n",
                    c.total, c.running, c.failed, c.settled, secondsOf(Clock::now() - t0));
        std::fflush(stdout);
        return c;
    }

    /// Stops every worker (Engine::shutdown), then the server and the loop; returns how long
    /// the shutdown took, in seconds.
    double stop()
    {
        if (!m_engine)
            return 0;
        if (!m_loop.joinable()) // start() failed half-way: its workers still need stopping
            m_loop = std::thread([this] { m_io.run(); });
        Clock::time_point t0 = Clock::now();
        auto stopped = std::make_shared<std::promise<void>>();
        asio::post(m_io, [this, stopped] {
            m_engine->shutdown([this, stopped] {
                if (m_server)
                    m_server->stop();
                stopped->set_value();
            });
        });
        if (stopped->get_future().wait_for(180s) != std::future_status::ready)
            std::printf("# the engine's shutdown did not finish in 180 s\n");
        double took = secondsOf(Clock::now() - t0);
        m_work.reset();
        m_io.stop();
        m_loop.join();
        m_server.reset();
        m_engine.reset();
        std::error_code ec;
        std::filesystem::remove_all(m_dir, ec);
        return took;
    }

private:
    std::filesystem::path m_dir;
    asio::io_context m_io{1};
    asio::executor_work_guard<asio::io_context::executor_type> m_work{m_io.get_executor()};
    std::unique_ptr<engine::Engine> m_engine;
    std::unique_ptr<remote::Server> m_server;
    std::thread m_loop;
    int m_port = 0;
};

/// `pools:` YAML of one pool `p` of `n` workers: `sleep 3600`, or a command that cannot run.
std::string poolYaml(int n, bool synthetic)
{
    std::string command = synthetic ? std::string("[\"") + kMissingCommand + "\"]"
                                    : std::string("[\"/bin/sleep\", \"3600\"]");
    return "  - name: p\n    command: " + command + "\n    replicas: " + std::to_string(n) + "\n";
}

/// Processes this run left behind: those with `mark` in their environment (killed), and
/// children of ours not reaped.
struct Leftovers
{
    int marked = 0;
    int children = 0;
};

Leftovers findLeftovers(const std::string &mark)
{
    Leftovers left;
    const std::string needle = std::string(1, '\0') + mark + '\0';
    const std::string ppid = std::to_string(getpid());
    std::error_code ec;
    for (const auto &entry : std::filesystem::directory_iterator("/proc", ec)) {
        std::string name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        int pid = std::atoi(name.c_str());
        if (pid == getpid())
            continue;
        std::ifstream env(entry.path() / "environ", std::ios::binary);
        std::string text =
            std::string(1, '\0') + std::string(std::istreambuf_iterator<char>(env), {}) + '\0';
        if (text.find(needle) != std::string::npos) {
            ++left.marked;
            ::kill(pid, SIGKILL);
        }
        std::ifstream stat(entry.path() / "stat");
        std::string line;
        std::getline(stat, line);
        // pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
        std::size_t close = line.rfind(')');
        if (close != std::string::npos) {
            std::istringstream rest(line.substr(close + 1));
            std::string state, parent;
            rest >> state >> parent;
            if (parent == ppid)
                ++left.children;
        }
    }
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    return left;
}

// ---- clients ------------------------------------------------------------------------------

/// Counts what a RemoteBackend hands its listener: snapshots, and the bench's `event` deltas.
struct Counter : api::StreamListener
{
    std::atomic<long> last{-1}; ///< the index of the last delta the bench makes
    std::atomic<int> snapshots{0};
    std::atomic<std::int64_t> snapshotAt{0}; ///< when the first snapshot came
    std::atomic<std::size_t> snapshotWorkers{0};
    std::atomic<long> received{0};
    std::atomic<long> highest{-1};
    std::atomic<std::int64_t> lastAt{0};
    std::atomic<bool> done{false};

    void onSnapshot(const api::Snapshot &s) override
    {
        if (snapshots.load() == 0)
            snapshotAt = ticks(Clock::now());
        snapshotWorkers = s.workers.size();
        ++snapshots;
    }
    void onDelta(const api::Delta &d) override
    {
        if (d.kind != api::DeltaKind::EventAdded)
            return;
        const auto &e = std::get<api::Event>(d.value);
        if (e.kind != kEventKind || e.subject.size() < 3)
            return;
        long i = std::strtol(e.subject.c_str() + 2, nullptr, 10);
        received.fetch_add(1, std::memory_order_relaxed);
        if (i > highest.load(std::memory_order_relaxed))
            highest.store(i, std::memory_order_relaxed);
        lastAt.store(ticks(Clock::now()), std::memory_order_relaxed);
        if (i == last.load(std::memory_order_relaxed))
            done = true;
    }
};

/// One RemoteBackend to the master, with its Counter.
struct RemoteClient
{
    std::shared_ptr<Counter> counter = std::make_shared<Counter>();
    std::atomic<bool> connected{false};
    std::atomic<bool> refused{false};
    std::atomic<bool> named{false};
    std::unique_ptr<remote::RemoteBackend> backend; ///< last: its thread ends first

    explicit RemoteClient(int port)
    {
        remote::RemoteOptions options;
        options.url.host = "127.0.0.1";
        options.url.port = port;
        options.client = "bench_wire";
        backend = std::make_unique<remote::RemoteBackend>(options);
        backend->setStatusListener([this](const remote::LinkStatus &s) {
            // Called on RemoteBackend's thread, first when it starts connecting.
            if (!named.exchange(true))
                pthread_setname_np(pthread_self(), "remote-client"); // for perf report
            if (s.state == remote::LinkStatus::State::Connected)
                connected = true;
            else if (s.state == remote::LinkStatus::State::Refused)
                refused = true;
        });
        backend->start();
    }
    void subscribe() { backend->subscribe(counter, 0); }
};

/// A minimal client: a synchronous Beast WebSocket that subscribes and only looks at the
/// frames' text (no JSON decoding), to tell the server's cost from RemoteBackend's.
class RawClient
{
public:
    bool connect(int port)
    {
        boost::system::error_code ec;
        m_ws.next_layer().connect({asio::ip::make_address("127.0.0.1"), std::uint16_t(port)}, ec);
        if (!ec)
            m_ws.next_layer().set_option(tcp::no_delay(true), ec);
        m_ws.read_message_max(std::uint64_t(1) << 30);
        if (!ec)
            m_ws.handshake("127.0.0.1:" + std::to_string(port), "/v1/stream", ec);
        m_ws.text(true);
        return !ec;
    }
    bool subscribe()
    {
        boost::system::error_code ec;
        std::string frame =
            R"({"id":)" + std::to_string(++m_id) + R"(,"op":"subscribe","args":{"since":0}})";
        m_ws.write(asio::buffer(frame), ec);
        return !ec;
    }
    /// The next frame's text (valid until the next read), or nothing when the link broke.
    std::optional<std::string_view> read()
    {
        m_buffer.clear();
        boost::system::error_code ec;
        m_ws.read(m_buffer, ec);
        if (ec)
            return std::nullopt;
        auto data = m_buffer.data();
        return std::string_view(static_cast<const char *>(data.data()), data.size());
    }
    /// Ends a read() blocked on another thread.
    void abort() { ::shutdown(m_ws.next_layer().native_handle(), SHUT_RDWR); }

private:
    asio::io_context m_io;
    websocket::stream<tcp::socket> m_ws{m_io};
    beast::flat_buffer m_buffer;
    int m_id = 0;
};

/// The index of a bench delta frame (`"subject":"w-<i>"` in an event of kind bench.wire), or -1.
long benchIndex(std::string_view frame)
{
    if (frame.find(R"("kind":"bench.wire")") == std::string_view::npos)
        return -1;
    constexpr std::string_view key = R"("subject":"w-)";
    std::size_t at = frame.find(key);
    if (at == std::string_view::npos)
        return -1;
    return std::strtol(frame.data() + at + key.size(), nullptr, 10);
}

// ---- the generator ------------------------------------------------------------------------

struct Generated
{
    long made = 0;
    Clock::time_point first; ///< when the first delta was made (on the engine thread)
    bool stalled = false;
};

/// Makes `total` bench events on the engine thread, `batch` per posted handler, with at most
/// `ahead` handlers posted and not yet run, and (window > 0) at most `window` events beyond
/// `seen()`, the number the slowest client has seen.
Generated generate(Master &master, long total, const Options &o, const std::function<long()> &seen)
{
    std::atomic<long> ran{0};
    std::atomic<std::int64_t> first{0};
    long posted = 0;
    long made = 0;
    Generated g;
    long lastSeen = seen();
    Clock::time_point moved = Clock::now();
    engine::Engine &engine = master.engine();
    while (made < total) {
        long now = seen();
        if (now != lastSeen) {
            lastSeen = now;
            moved = Clock::now();
        }
        if (posted - ran.load() >= o.ahead || (o.window > 0 && made - now >= o.window)) {
            if (Clock::now() - moved > 20s) {
                g.stalled = true;
                break;
            }
            std::this_thread::sleep_for(100us);
            continue;
        }
        long from = made;
        long n = std::min(o.batch, total - made);
        asio::post(master.io(), [&engine, &ran, &first, from, n] {
            if (from == 0)
                first = ticks(Clock::now());
            for (long i = from; i < from + n; ++i) {
                std::string subject = "w-" + std::to_string(i);
                engine.addEvent(std::string(kEventKind), subject,
                                subject + ": running -> ready (bench delta)", "bench");
            }
            ++ran;
        });
        made += n;
        ++posted;
    }
    waitFor([&] { return ran.load() == posted; }, 120s);
    g.made = made;
    g.first = fromTicks(first.load());
    return g;
}

/// One bench delta as the server encodes it, for its size.
std::size_t sampleDeltaBytes(long i)
{
    api::Event e;
    e.id = std::uint64_t(i) + 10;
    e.timeMs = 1'790'000'000'000;
    e.kind = std::string(kEventKind);
    e.subject = "w-" + std::to_string(i);
    e.message = e.subject + ": running -> ready (bench delta)";
    e.reason = "bench";
    return remote::encodeDelta(api::Delta{std::uint64_t(i) + 20, api::DeltaKind::EventAdded, e})
        .size();
}

int cores()
{
    return int(std::thread::hardware_concurrency());
}

// ---- scenario 1: deltas to one client -----------------------------------------------------

void benchDeltas(const Options &o, LogCounter &log, const std::string &mark)
{
    Master master("deltas");
    if (!master.start(poolYaml(1, false), mark))
        return;
    master.waitSettled(1, 10);
    const long last = o.deltas - 1;

    {
        RemoteClient client(master.port());
        client.subscribe();
        if (!waitFor([&] { return client.counter->snapshots.load() > 0; }, 10s)) {
            std::printf("# RemoteBackend got no snapshot in 10 s\n");
            return;
        }
        Counter &c = *client.counter;
        c.last = last;
        int resyncs0 = log.resyncs;
        double engine0 = master.loopCpuSeconds();
        double process0 = processCpuSeconds();
        double self0 = selfCpuSeconds();
        Generated g = generate(master, o.deltas, o, [&] { return c.highest.load() + 1; });
        bool complete =
            waitProgress([&] { return c.done.load(); }, [&] { return c.received.load(); }, 10s);
        double engineCpu = master.loopCpuSeconds() - engine0;
        double selfCpu = selfCpuSeconds() - self0;
        double clientCpu = processCpuSeconds() - process0 - engineCpu - selfCpu;
        double s = secondsOf(fromTicks(c.lastAt.load()) - g.first);
        std::printf(
            "RESULT bench=wire_deltas client=remote deltas=%ld made=%ld received=%ld "
            "complete=%d seconds=%.3f deltas_per_s=%.0f resyncs_server=%d snapshots_after=%d "
            "engine_cpu_s=%.3f engine_cpu_percent=%.1f engine_us_per_delta=%.2f "
            "client_cpu_s=%.3f client_us_per_delta=%.2f generator_cpu_s=%.3f "
            "frame_bytes=%zu batch=%ld ahead=%ld window=%ld stalled=%d cores=%d\n",
            o.deltas, g.made, c.received.load(), int(complete), s,
            perSecond(double(c.received.load()), s), log.resyncs - resyncs0, c.snapshots.load() - 1,
            engineCpu, 100.0 * perSecond(engineCpu, s),
            1e6 * engineCpu / double(std::max(1L, g.made)), clientCpu,
            1e6 * clientCpu / double(std::max(1L, c.received.load())), selfCpu,
            sampleDeltaBytes(o.deltas / 2), o.batch, o.ahead, o.window, int(g.stalled), cores());
        std::fflush(stdout);
    }
    waitFor([&] { return master.clients() == 0; }, 10s);

    if (o.raw) {
        RawClient raw;
        if (!raw.connect(master.port()) || !raw.subscribe()) {
            std::printf("# the raw client could not connect\n");
            return;
        }
        // The reply, then the snapshot.
        for (int frames = 0; frames < 2; ++frames) {
            if (!raw.read())
                return;
        }
        std::atomic<long> received{0};
        std::atomic<long> highest{-1};
        std::atomic<std::int64_t> lastAt{0};
        std::atomic<bool> done{false};
        std::atomic<int> resyncs{0};
        std::size_t bytes = 0;
        double rawCpu = 0;
        int resyncs0 = log.resyncs;
        std::thread reader([&] {
            pthread_setname_np(pthread_self(), "raw-client");
            double cpu0 = selfCpuSeconds();
            while (auto frame = raw.read()) {
                long i = benchIndex(*frame);
                if (i >= 0) {
                    bytes += frame->size();
                    received.fetch_add(1, std::memory_order_relaxed);
                    if (i > highest.load(std::memory_order_relaxed))
                        highest.store(i, std::memory_order_relaxed);
                    lastAt.store(ticks(Clock::now()), std::memory_order_relaxed);
                    if (i == last)
                        break;
                } else if (frame->find(R"("type":"resync")") != std::string_view::npos) {
                    ++resyncs;
                    raw.subscribe();
                }
            }
            rawCpu = selfCpuSeconds() - cpu0;
            done = true;
        });
        double engine0 = master.loopCpuSeconds();
        Generated g = generate(master, o.deltas, o, [&] { return highest.load() + 1; });
        bool complete =
            waitProgress([&] { return done.load(); }, [&] { return received.load(); }, 10s);
        double engineCpu = master.loopCpuSeconds() - engine0;
        if (!complete)
            raw.abort();
        reader.join();
        double s = secondsOf(fromTicks(lastAt.load()) - g.first);
        std::printf(
            "RESULT bench=wire_deltas client=raw deltas=%ld made=%ld received=%ld complete=%d "
            "seconds=%.3f deltas_per_s=%.0f resyncs_server=%d resyncs_seen=%d "
            "engine_cpu_s=%.3f engine_cpu_percent=%.1f engine_us_per_delta=%.2f "
            "client_cpu_s=%.3f client_us_per_delta=%.2f bytes_per_delta=%.1f "
            "MiB_per_s=%.1f stalled=%d cores=%d\n",
            o.deltas, g.made, received.load(), int(complete), s,
            perSecond(double(received.load()), s), log.resyncs - resyncs0, resyncs.load(),
            engineCpu, 100.0 * perSecond(engineCpu, s),
            1e6 * engineCpu / double(std::max(1L, g.made)), rawCpu,
            1e6 * rawCpu / double(std::max(1L, received.load())),
            double(bytes) / double(std::max(1L, received.load())),
            perSecond(double(bytes), s) / (1 << 20), int(g.stalled), cores());
        std::fflush(stdout);
    }
    waitFor([&] { return master.clients() == 0; }, 10s);
    master.stop();
    Leftovers left = findLeftovers(mark);
    if (left.marked || left.children)
        std::printf("# deltas: %d worker processes and %d children left behind (killed)\n",
                    left.marked, left.children);
}

// ---- scenario 2: the snapshot of many workers ---------------------------------------------

void benchSnapshot(const Options &o, LogCounter &log, const std::string &mark)
{
    Master master("snapshot");
    Clock::time_point t0 = Clock::now();
    if (!master.start(poolYaml(o.workers, o.synthetic), mark))
        return;
    WorkerCounts counts = master.waitSettled(o.workers, o.spawnTimeoutS);
    double startS = secondsOf(Clock::now() - t0);
    std::this_thread::sleep_for(2s); // the start-up burst settles

    // The engine's part (on its loop, as the server does it for every subscription): the
    // snapshot's copy and its encoding; then the client's decoding of that text.
    std::vector<double> copyMs, encodeMs, decodeMs;
    std::string text;
    for (int i = 0; i < 5; ++i) {
        master.onLoop([&] {
            Clock::time_point a = Clock::now();
            api::Snapshot s = master.engine().snapshot();
            Clock::time_point b = Clock::now();
            text = remote::encodeSnapshot(s);
            Clock::time_point c = Clock::now();
            copyMs.push_back(ms(b - a));
            encodeMs.push_back(ms(c - b));
        });
        Clock::time_point a = Clock::now();
        auto decoded = remote::decodeServerFrame(text);
        decodeMs.push_back(ms(Clock::now() - a));
        if (!decoded.ok() || decoded->snapshot.workers.size() != std::size_t(counts.total))
            std::printf("# the snapshot did not decode to %d workers\n", counts.total);
    }

    // The raw client: subscribe -> the snapshot frame read, no decoding.
    std::vector<double> rawMs;
    std::size_t rawBytes = 0;
    if (o.raw) {
        for (int i = 0; i < o.repeats; ++i) {
            RawClient raw;
            if (!raw.connect(master.port())) {
                std::printf("# the raw client could not connect\n");
                break;
            }
            Clock::time_point a = Clock::now();
            raw.subscribe();
            while (auto frame = raw.read()) {
                if (frame->find(R"("type":"snapshot")") != std::string_view::npos) {
                    rawMs.push_back(ms(Clock::now() - a));
                    rawBytes = frame->size();
                    break;
                }
            }
        }
        waitFor([&] { return master.clients() == 0; }, 10s);
    }

    // RemoteBackend, a fresh connection each time: subscribe -> onSnapshot.
    std::vector<double> remoteMs;
    std::size_t remoteWorkers = 0;
    int resyncs0 = log.resyncs;
    double engine0 = master.loopCpuSeconds();
    for (int i = 0; i < o.repeats; ++i) {
        RemoteClient client(master.port());
        if (!waitFor([&] { return client.connected.load(); }, 10s)) {
            std::printf("# RemoteBackend did not connect in 10 s\n");
            break;
        }
        Clock::time_point a = Clock::now();
        client.subscribe();
        if (!waitFor([&] { return client.counter->snapshots.load() > 0; }, 30s)) {
            std::printf("# RemoteBackend got no snapshot in 30 s\n");
            break;
        }
        remoteMs.push_back(ms(fromTicks(client.counter->snapshotAt.load()) - a));
        remoteWorkers = client.counter->snapshotWorkers;
    }
    double engineCpu = master.loopCpuSeconds() - engine0;
    waitFor([&] { return master.clients() == 0; }, 10s);

    double stopS = master.stop();
    Leftovers left = findLeftovers(mark);
    std::printf(
        "RESULT bench=wire_snapshot workers=%d mode=%s with_process=%d failed=%d start_s=%.1f "
        "decoded_workers=%zu bytes=%zu bytes_per_worker=%.0f repeats=%zu remote_p50_ms=%.1f "
        "remote_min_ms=%.1f remote_max_ms=%.1f raw_p50_ms=%.1f raw_min_ms=%.1f "
        "engine_copy_ms=%.1f encode_ms=%.1f decode_ms=%.1f engine_cpu_per_subscribe_ms=%.1f "
        "raw_frame_bytes=%zu resyncs_server=%d stop_s=%.1f leftover_processes=%d "
        "leftover_children=%d cores=%d\n",
        counts.total, o.synthetic ? "synthetic" : "real", counts.running, counts.failed, startS,
        remoteWorkers, text.size(), counts.total ? double(text.size()) / counts.total : 0.0,
        remoteMs.size(), percentile(remoteMs, 0.5),
        remoteMs.empty() ? 0.0 : *std::min_element(remoteMs.begin(), remoteMs.end()),
        remoteMs.empty() ? 0.0 : *std::max_element(remoteMs.begin(), remoteMs.end()),
        percentile(rawMs, 0.5), rawMs.empty() ? 0.0 : *std::min_element(rawMs.begin(), rawMs.end()),
        percentile(copyMs, 0.5), percentile(encodeMs, 0.5), percentile(decodeMs, 0.5),
        remoteMs.empty() ? 0.0 : 1000.0 * engineCpu / double(remoteMs.size()), rawBytes,
        log.resyncs - resyncs0, stopS, left.marked, left.children, cores());
    std::fflush(stdout);
}

// ---- scenario 3: many clients at once -----------------------------------------------------

void benchClients(const Options &o, LogCounter &log, const std::string &mark)
{
    Master master("clients");
    if (!master.start(poolYaml(o.fanoutWorkers, o.synthetic), mark))
        return;
    master.waitSettled(o.fanoutWorkers, o.spawnTimeoutS);
    std::this_thread::sleep_for(1s);
    std::size_t snapshotBytes =
        master.onLoop([&] { return remote::encodeSnapshot(master.engine().snapshot()).size(); });

    int resyncs0 = log.resyncs;
    double engine0 = master.loopCpuSeconds();
    double process0 = processCpuSeconds();
    double self0 = selfCpuSeconds();
    Clock::time_point t0 = Clock::now();
    std::vector<std::unique_ptr<RemoteClient>> clients;
    for (int i = 0; i < o.clients; ++i) {
        clients.push_back(std::make_unique<RemoteClient>(master.port()));
        clients.back()->subscribe(); // sent once the hello is answered
    }
    Clock::time_point created = Clock::now();
    bool all = waitFor(
        [&] {
            return std::all_of(clients.begin(), clients.end(),
                               [](const auto &c) { return c->counter->snapshots.load() > 0; });
        },
        60s);
    std::vector<double> snapshotMs;
    for (const auto &c : clients) {
        if (c->counter->snapshots.load() > 0)
            snapshotMs.push_back(ms(fromTicks(c->counter->snapshotAt.load()) - t0));
    }
    double connectEngineCpu = master.loopCpuSeconds() - engine0;
    double connectProcessCpu = processCpuSeconds() - process0;
    std::printf("RESULT bench=wire_clients phase=connect clients=%d workers=%d mode=%s "
                "with_snapshot=%zu all=%d all_snapshots_ms=%.1f snapshot_p50_ms=%.1f "
                "snapshot_min_ms=%.1f create_ms=%.1f snapshot_bytes=%zu engine_cpu_s=%.3f "
                "process_cpu_s=%.3f cores=%d\n",
                o.clients, o.fanoutWorkers, o.synthetic ? "synthetic" : "real", snapshotMs.size(),
                int(all), percentile(snapshotMs, 1.0), percentile(snapshotMs, 0.5),
                percentile(snapshotMs, 0.0), ms(created - t0), snapshotBytes, connectEngineCpu,
                connectProcessCpu, cores());
    std::fflush(stdout);

    std::this_thread::sleep_for(500ms);
    const long last = o.fanoutDeltas - 1;
    for (auto &c : clients)
        c->counter->last = last;
    auto slowest = [&] {
        long low = o.fanoutDeltas;
        for (const auto &c : clients)
            low = std::min(low, c->counter->highest.load(std::memory_order_relaxed) + 1);
        return low;
    };
    auto total = [&] {
        long sum = 0;
        for (const auto &c : clients)
            sum += c->counter->received.load(std::memory_order_relaxed);
        return sum;
    };
    engine0 = master.loopCpuSeconds();
    process0 = processCpuSeconds();
    self0 = selfCpuSeconds();
    // The window is per client: the slowest one paces the generator.
    Generated g = generate(master, o.fanoutDeltas, o, slowest);
    bool complete = waitProgress(
        [&] {
            return std::all_of(clients.begin(), clients.end(),
                               [](const auto &c) { return c->counter->done.load(); });
        },
        total, 10s);
    double engineCpu = master.loopCpuSeconds() - engine0;
    double selfCpu = selfCpuSeconds() - self0;
    double clientCpu = processCpuSeconds() - process0 - engineCpu - selfCpu;
    std::int64_t lastAt = 0;
    int extraSnapshots = 0;
    std::vector<double> perClient;
    for (const auto &c : clients) {
        lastAt = std::max(lastAt, c->counter->lastAt.load());
        extraSnapshots += c->counter->snapshots.load() - 1;
        double s = secondsOf(fromTicks(c->counter->lastAt.load()) - g.first);
        if (s > 1e-3)
            perClient.push_back(double(c->counter->received.load()) / s);
    }
    double s = secondsOf(fromTicks(lastAt) - g.first);
    long delivered = total();
    std::printf(
        "RESULT bench=wire_clients phase=fanout clients=%d deltas=%ld made=%ld delivered=%ld "
        "expected=%ld complete=%d seconds=%.3f deliveries_per_s=%.0f "
        "per_client_deltas_per_s_p50=%.0f per_client_deltas_per_s_min=%.0f resyncs_server=%d "
        "snapshots_after=%d engine_cpu_s=%.3f engine_cpu_percent=%.1f "
        "engine_us_per_delivery=%.2f client_cpu_s=%.3f client_us_per_delivery=%.2f "
        "window=%ld stalled=%d cores=%d\n",
        o.clients, o.fanoutDeltas, g.made, delivered, g.made * long(o.clients), int(complete), s,
        perSecond(double(delivered), s), percentile(perClient, 0.5), percentile(perClient, 0.0),
        log.resyncs - resyncs0, extraSnapshots, engineCpu, 100.0 * perSecond(engineCpu, s),
        1e6 * engineCpu / double(std::max(1L, delivered)), clientCpu,
        1e6 * clientCpu / double(std::max(1L, delivered)), o.window, int(g.stalled), cores());
    std::fflush(stdout);

    clients.clear();
    waitFor([&] { return master.clients() == 0; }, 10s);
    double stopS = master.stop();
    Leftovers left = findLeftovers(mark);
    std::printf("# clients: stop_s=%.1f leftover_processes=%d leftover_children=%d\n", stopS,
                left.marked, left.children);
}

// ---- main ---------------------------------------------------------------------------------

void usage()
{
    std::printf(
        "bench_wire: droverd's wire server over loopback (see the top of bench_wire.cpp)\n"
        "  --only LIST          deltas,snapshot,clients (default: all three)\n"
        "  --deltas N           deltas to one client (200000)\n"
        "  --workers N          workers in the snapshot scenario (10000)\n"
        "  --synthetic          workers with a command that cannot run: state, no processes\n"
        "  --repeats N          fresh subscriptions measured for the snapshot (10)\n"
        "  --clients N          clients at once (100)\n"
        "  --fanout-workers N   workers in the clients scenario (1000)\n"
        "  --fanout-deltas N    deltas fanned out to every client (5000)\n"
        "  --batch N            addEvent calls per posted handler (1000)\n"
        "  --ahead N            handlers posted and not yet run (4)\n"
        "  --window N           deltas beyond what the slowest client has seen; 0: unpaced "
        "(20000)\n"
        "  --no-raw             skip the raw Beast client\n"
        "  --spawn-timeout S    how long to wait for the workers to start (300)\n");
}

bool parse(int argc, char **argv, Options &o)
{
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= argc)
                return std::nullopt;
            return std::string(argv[++i]);
        };
        auto number = [&](auto &out) {
            auto v = value();
            if (!v)
                return false;
            char *end = nullptr;
            long long n = std::strtoll(v->c_str(), &end, 10);
            if (*end || n < 0)
                return false;
            out = static_cast<std::remove_reference_t<decltype(out)>>(n);
            return true;
        };
        bool ok = true;
        if (arg == "--help" || arg == "-h") {
            usage();
            std::exit(0);
        } else if (arg == "--only") {
            auto v = value();
            ok = v.has_value();
            if (ok) {
                o.only.clear();
                std::stringstream list(*v);
                std::string item;
                while (std::getline(list, item, ','))
                    o.only.insert(item);
            }
        } else if (arg == "--deltas") {
            ok = number(o.deltas);
        } else if (arg == "--workers") {
            ok = number(o.workers);
        } else if (arg == "--clients") {
            ok = number(o.clients);
        } else if (arg == "--fanout-workers") {
            ok = number(o.fanoutWorkers);
        } else if (arg == "--fanout-deltas") {
            ok = number(o.fanoutDeltas);
        } else if (arg == "--repeats") {
            ok = number(o.repeats);
        } else if (arg == "--batch") {
            ok = number(o.batch);
        } else if (arg == "--ahead") {
            ok = number(o.ahead);
        } else if (arg == "--window") {
            ok = number(o.window);
        } else if (arg == "--spawn-timeout") {
            ok = number(o.spawnTimeoutS);
        } else if (arg == "--synthetic") {
            o.synthetic = true;
        } else if (arg == "--no-raw") {
            o.raw = false;
        } else {
            ok = false;
        }
        if (!ok) {
            std::fprintf(stderr, "bench_wire: bad argument \"%s\" (see --help)\n", arg.c_str());
            return false;
        }
    }
    o.batch = std::max(1L, o.batch);
    o.ahead = std::max(1L, o.ahead);
    o.deltas = std::max(1L, o.deltas);
    o.fanoutDeltas = std::max(1L, o.fanoutDeltas);
    return true;
}

/// The engine keeps two descriptors per worker (its pidfd and its /proc reader) and raises
/// its soft limit to the hard one; a hard limit below what the workers need is raised here
/// (we may, as root), and said.
void raiseNofile(const Options &o)
{
    int workers = 0;
    if (o.only.count("snapshot"))
        workers = std::max(workers, o.workers);
    if (o.only.count("clients"))
        workers = std::max(workers, o.fanoutWorkers);
    rlim_t need = rlim_t(2 * workers + 4 * o.clients + 4096);
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_max >= need)
        return;
    rlim_t before = rl.rlim_max;
    rl.rlim_max = need;
    if (::setrlimit(RLIMIT_NOFILE, &rl) == 0)
        std::printf("# raised the hard open-files limit from %lu to %lu (2 per worker, and "
                    "room)\n",
                    static_cast<unsigned long>(before), static_cast<unsigned long>(need));
    else
        std::printf("# the hard open-files limit %lu is below 2 per worker and room (%lu for %d "
                    "workers) and cannot be raised (%s): the engine may run short\n",
                    static_cast<unsigned long>(before), static_cast<unsigned long>(need), workers,
                    std::strerror(errno));
}

} // namespace

int main(int argc, char **argv)
{
    Options o;
    if (!parse(argc, argv, o))
        return 2;
    std::signal(SIGPIPE, SIG_IGN);
    auto log = std::make_shared<LogCounter>();
    auto logger = std::make_shared<spdlog::logger>("bench", log);
    logger->set_level(spdlog::level::warn); // droverd's production level for a quiet master
    spdlog::set_default_logger(logger);
    raiseNofile(o);
    std::printf("# %d cores: the engine thread, the client threads and the generator share "
                "them\n",
                cores());
    std::fflush(stdout);
    const std::string mark = "DROVER_BENCH_WIRE=" + std::to_string(getpid());
    if (o.only.count("deltas"))
        benchDeltas(o, *log, mark + "-deltas");
    if (o.only.count("snapshot"))
        benchSnapshot(o, *log, mark + "-snapshot");
    if (o.only.count("clients"))
        benchClients(o, *log, mark + "-clients");
    if (log->spawnFailures)
        std::printf("# spawn failures logged: %d\n", log->spawnFailures.load());
    return 0;
}
