#include "engine/engine.h"

#include "api/clock.h"
#include "api/codec.h"
#include "engine/cgroup.h"
#include "engine/configapply.h"
#include "engine/health.h"
#include "engine/logfile.h"
#include "engine/metricsstore.h"
#include "engine/probe.h"
#include "engine/procstat.h"
#include "engine/spawner.h"
#include "engine/spawnplan.h"
#include "engine/statestore.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <unordered_map>
#include <utility> // before Asio: Boost 1.74 + g++ 12

extern char **environ;

namespace drover::engine {

namespace asio = boost::asio;
using api::WorkerState;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

using api::nowMs;

int pidfdOpen(int pid)
{
    return int(syscall(SYS_pidfd_open, pid, 0));
}

api::Error error(std::string code, std::string message)
{
    return api::Error{std::move(code), std::move(message), {}};
}

/// What to do when a worker's process is gone.
enum class Intent {
    Run,     ///< it should be running: an exit is a crash (or a finished job)
    Stop,    ///< stopped on purpose: stay stopped
    Restart, ///< an operator restart or a new revision: start again at once
    Remove,  ///< scaled down or pool removed: forget the worker
    Recover, ///< a startup or liveness probe gave up on it: its exit is a crash
};

/// The states in which a worker's probes run.
bool probing(WorkerState s)
{
    return s == WorkerState::Starting || s == WorkerState::Running || s == WorkerState::Ready;
}

} // namespace

struct Engine::Private
{
    /// One probe of a worker's current process: its timer, its verdict and its series.
    struct ProbeRun
    {
        ProbeRole role = ProbeRole::Startup;
        config::ProbeSpec spec;
        std::shared_ptr<const ProbeTarget> target; ///< shared with the check on its way
        std::string targetProblem; ///< why there is no target (each check fails with it)
        std::shared_ptr<HttpProbeConnection> http; ///< kept between http checks
        std::unique_ptr<asio::steady_timer> timer;
        ProbeVerdict verdict;
        bool done = false;        ///< a startup probe that passed runs no more
        std::uint64_t serial = 0; ///< which run: answers to an earlier one are dropped
        MetricsStore::Handle latency;
    };

    struct Worker
    {
        api::WorkerInfo info;
        std::string poolName;
        bool fromPidFile = false; ///< an `adopted:` entry
        bool counted = false;     ///< in its pool's running/ready counts (see Members)
        bool spawnedByUs = false; ///< we started the current process (else adopted/re-adopted)
        bool ourChild = false;    ///< waitid can tell how it ended
        int pgid = 0;
        std::uint64_t procStart = 0;
        std::unique_ptr<asio::posix::stream_descriptor> pidfd;
        std::unique_ptr<asio::steady_timer> timer;
        Clock::time_point runningSince;
        std::deque<Clock::time_point> crashes; ///< within the restart window
        int backoffStep = 0;
        Intent intent = Intent::Run;
        std::string stopReason;
        std::vector<std::function<void()>> whenDown;
        WorkerCgroup cgroup;
        std::optional<ProcStatReader> reader;
        CpuMeter cpu;
        std::uint64_t created = 0;    ///< creation order, for scale-down newest first
        std::uint64_t generation = 0; ///< bumped per process, so stale callbacks do nothing
        std::array<MetricsStore::Handle, 4> series; ///< its metric series, named once
        std::uint64_t lastCpuNs = ~0ull;            ///< its CPU clock at the last look
        bool ranSinceFull = true;                   ///< it ran since its fds were last counted
        int idleLevel = 0;            ///< looks in a row that found it had not run (capped)
        std::size_t listIndex = 0;    ///< its place in workerList (while the list is fresh)
        bool seriesHeld = false;      ///< its series are held in the metrics store (idle)
        std::vector<ProbeRun> probes; ///< those of its current process
        std::unique_ptr<HealthHistory> health; ///< made with its first probe result
        Clock::time_point processUpAt;         ///< probes' initial delays count from here
        std::string recoverCause;              ///< `probe:liveness` while it is stopped for it
    };

    struct Pool
    {
        std::string name;
        int desired = 0;
        bool started = false; ///< its dependencies were met and its workers created
        bool removing = false;
        std::string waitingFor;
        int restarts = 0;
        std::string revision;
        std::set<int> rollingQueue; ///< indices still to restart for a new revision
        bool rolling = false;
        std::array<MetricsStore::Handle, 4> series; ///< its metric series, named once
        api::PoolInfo published;                    ///< as last published, to publish changes only
        std::array<double, 4> recorded{};           ///< the values of `series` last recorded
        bool recordedOnce = false;
        bool seriesHeld = false; ///< `series` held in the metrics store (unchanged)
        bool toRecord = false;   ///< in poolsToRecord
    };

    asio::io_context &io;
    EngineOptions options;
    std::shared_ptr<const config::Config> config;
    std::optional<StateStore> state;
    std::optional<Cgroups> cgroups;
    std::unique_ptr<MetricsStore> metrics;
    std::map<std::string, std::unique_ptr<Worker>> workers; ///< by id
    /// A pool's workers, and how many of them (PID-file entries not counted) have a process
    /// and are ready: kept as states change, so a pool's counts cost nothing to publish
    /// however large it is.
    struct Members
    {
        std::vector<Worker *> list;
        int running = 0;
        int ready = 0;
    };
    std::map<std::string, Members> byPool; ///< the same workers, by pool name

    /// Adds (sign 1) or takes away (-1) `w`'s part in its pool's counts.
    void count(const Worker &w, int sign)
    {
        if (!w.counted)
            return;
        Members &m = byPool[w.poolName];
        m.running += sign * int(api::hasProcess(w.info.state));
        m.ready += sign * int(w.info.state == WorkerState::Ready);
    }

    Worker &insertWorker(std::unique_ptr<Worker> w)
    {
        Worker &ref = *w;
        byPool[ref.poolName].list.push_back(&ref);
        ref.counted = !ref.fromPidFile;
        count(ref, 1);
        workers[ref.info.id] = std::move(w);
        listsStale = true;
        return ref;
    }
    std::map<std::string, Pool> pools; ///< by name
    /// The workers in a flat list for the sampler, which walks them all every second: a
    /// vector instead of map nodes scattered over the heap. Rebuilt when a worker comes or
    /// goes (map nodes do not move otherwise).
    struct Sampled
    {
        const std::string *id;
        Worker *worker;
        /// Samples to go until the next look at an idle worker. Kept here, in a flat array,
        /// so that a sample skips an idle worker without touching it: at 1000 workers the
        /// cache and TLB misses of reaching each scattered Worker were most of idle cost.
        int skip;
    };
    std::vector<Sampled> workerList;
    /// Pools whose published counts changed since the last sample: the others' series are
    /// held, and a sample does not touch them.
    std::vector<std::string> poolsToRecord;
    bool listsStale = true;

    void refreshLists()
    {
        if (!listsStale)
            return;
        workerList.clear();
        for (auto &[id, w] : workers) {
            w->listIndex = workerList.size();
            workerList.push_back({&id, w.get(), 0}); // one look at each again
        }
        listsStale = false;
    }
    std::uint64_t workerCounter = 0;
    bool shutting = false;
    std::function<void()> shutdownDone;
    std::mt19937_64 rng{std::random_device{}()};

    // The state stream.
    std::uint64_t seq = 0;
    std::deque<api::Delta> ring; ///< recent deltas, for `subscribe since`
    static constexpr std::size_t kRingSize = 8192;
    struct Subscriber
    {
        std::shared_ptr<api::StreamListener> listener;
        std::vector<std::string> series;
        std::int64_t slotSent = -1; ///< the slot whose points it was sent last
    };
    /// Points recorded in a slot whose batch had gone out already (a probe's latency comes
    /// at its own pace): they go with the next batch.
    std::vector<api::MetricPoint> lateMetrics;
    std::int64_t lastBatchSlot = 0;
    std::map<std::uint64_t, Subscriber> subscribers;
    std::uint64_t subscriberCounter = 0;
    std::map<std::uint64_t, std::unique_ptr<LogFollower>> logFollows; ///< `logs.follow`
    std::uint64_t logFollowCounter = 0;
    std::deque<api::Event> events; ///< recent events, for `events.query`
    static constexpr std::size_t kEventsKept = 10000;
    std::uint64_t eventCounter = 0;

    bool followUpScheduled = false;
    /// Starts of new workers waiting their turn (id, generation when queued). One spawn
    /// holds the loop while the kernel copies the page tables and execs (about 3 ms on a
    /// 2-core VM, as long as a bare posix_spawn there), so they are spawned a short slice
    /// at a time and everything else on the loop (signals, requests, exits, probes) gets
    /// its turn between slices, however many workers are waiting.
    std::deque<std::pair<std::string, std::uint64_t>> spawnQueue;
    bool spawnDrainScheduled = false;
    static constexpr auto kSpawnSlice = std::chrono::milliseconds(2);
    std::shared_ptr<bool> aliveToken = std::make_shared<bool>(true);
    std::unique_ptr<ExecProber> execProber;
    std::uint64_t probeRunCounter = 0;
    asio::steady_timer sampleTimer;
    std::optional<ProcStatReader> selfReader;
    int clients = -1; ///< connected clients as the server says; -1: no server (not recorded)
    std::array<MetricsStore::Handle, 6> masterSeries; ///< named once
    CpuMeter selfCpu;
    int sampleTick = 0;
    /// An idle worker is looked at 4 samples after the first look that found it had not run,
    /// then every 8 (level 1, 2).
    static constexpr int kMaxIdleLevel = 2;
    /// Our soft RLIMIT_NOFILE before start() raised it to the hard limit: what workers get.
    std::optional<std::uint64_t> inheritedNofileSoft;

    /// Each worker costs us a few descriptors (pidfd, /proc reader, log): a thousand of them
    /// do not fit the usual soft limit of 1024 (systemd's default for services). Raise ours
    /// to the hard limit; workers are given the old soft limit back.
    void raiseNofile()
    {
        rlimit rl{};
        if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
            return;
        rlim_t before = rl.rlim_cur;
        rl.rlim_cur = rl.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) {
            spdlog::warn("master.nofile cannot raise the open-files limit from {}: {}", before,
                         std::strerror(errno));
            return;
        }
        inheritedNofileSoft = std::uint64_t(before);
        spdlog::info("master.nofile raised the open-files limit from {} to {} (workers keep {})",
                     before, rl.rlim_max, before);
    }

    Private(asio::io_context &io, EngineOptions opts)
        : io(io)
        , options(std::move(opts))
        , sampleTimer(io)
    {
        if (options.masterEnv.empty()) {
            for (char **e = environ; e && *e; ++e)
                options.masterEnv.emplace_back(*e);
        }
    }

    // ---- the stream -------------------------------------------------------------------

    void publish(api::DeltaKind kind, decltype(api::Delta::value) value)
    {
        api::Delta delta{++seq, kind, std::move(value)};
        forEachSubscriber([&delta](Subscriber &sub) { sub.listener->onDelta(delta); });
        ring.push_back(std::move(delta));
        if (ring.size() > kRingSize)
            ring.pop_front();
    }

    /// Calls `fn` for each subscriber, safe against a listener that unsubscribes itself or
    /// another one from inside its call; one subscribed meanwhile is not called (its
    /// snapshot already has what is being sent).
    template <class Fn>
    void forEachSubscriber(Fn fn)
    {
        const std::uint64_t last = subscriberCounter;
        for (auto it = subscribers.begin(); it != subscribers.end() && it->first <= last;) {
            const std::uint64_t id = it->first;
            std::shared_ptr<api::StreamListener> keep = it->second.listener;
            fn(it->second);
            it = subscribers.upper_bound(id);
        }
    }

    void publishWorker(const Worker &w) { publish(api::DeltaKind::WorkerUpsert, w.info); }

    void addEvent(std::string kind, std::string subject, std::string message, std::string from = {},
                  std::string to = {}, std::string reason = {})
    {
        api::Event e{++eventCounter,     nowMs(),         std::move(kind), std::move(subject),
                     std::move(message), std::move(from), std::move(to),   std::move(reason)};
        events.push_back(e);
        if (events.size() > kEventsKept)
            events.pop_front();
        publish(api::DeltaKind::EventAdded, std::move(e));
    }

    api::PoolInfo poolInfo(const Pool &pool) const
    {
        api::PoolInfo info;
        info.name = pool.name;
        info.desired = pool.desired;
        info.revision = pool.revision;
        info.waitingFor = pool.waitingFor;
        info.restarts = pool.restarts;
        if (const config::PoolSpec *spec = poolSpec(pool.name)) {
            info.autoscaled = spec->autoscale.has_value();
            info.minWorkers = spec->autoscale ? spec->autoscale->min : spec->replicas;
            info.maxWorkers = spec->maxWorkers();
            if (spec->gateway)
                info.gateway = spec->gateway->listen.toString();
        }
        if (auto members = byPool.find(pool.name); members != byPool.end()) {
            info.running = members->second.running;
            info.ready = members->second.ready;
        }
        return info;
    }

    void publishPool(const std::string &name)
    {
        auto it = pools.find(name);
        if (it == pools.end())
            return;
        api::PoolInfo info = poolInfo(it->second);
        api::PoolInfo &last = it->second.published;
        if (last == info)
            return;
        last = info;
        if (!it->second.toRecord) {
            it->second.toRecord = true;
            poolsToRecord.push_back(name);
        }
        publish(api::DeltaKind::PoolUpsert, std::move(info));
    }

    api::Snapshot snapshot() const
    {
        api::Snapshot s;
        s.seq = seq;
        for (const auto &[id, w] : workers)
            s.workers.push_back(w->info);
        for (const auto &[name, pool] : pools)
            s.pools.push_back(poolInfo(pool));
        s.configVersion = config ? configVersion() : std::string();
        return s;
    }

    std::string configVersion() const
    {
        if (!config->digest.empty())
            return config->digest;
        std::string all; // a config built in code: its pools decide
        for (const config::PoolSpec &p : config->pools)
            all += p.name + ":" + p.revision + ":" + std::to_string(p.replicas) + ";";
        return std::to_string(std::hash<std::string>{}(all)&0xffffffffffffull);
    }

    // ---- worker state -----------------------------------------------------------------

    void setState(Worker &w, WorkerState to, std::string reason)
    {
        WorkerState from = w.info.state;
        count(w, -1);
        w.info.state = to;
        count(w, 1);
        if (!api::hasProcess(to))
            lookSoon(w); // its series end now, not at the next look
        w.info.reason = reason;
        if (!api::hasProcess(to)) {
            w.info.pid = 0;
            w.info.startedAtMs = 0;
            w.info.cpuPercent = 0;
            w.info.rssBytes = 0;
            w.info.threads = 0;
            w.info.fds = -1;
        }
        if (to != WorkerState::Backoff)
            w.info.nextStartAtMs = 0;
        if (!probing(to))
            stopProbes(w);
        spdlog::info("worker.state worker={} from={} to={} reason=\"{}\"", w.info.id,
                     api::toString(from), api::toString(to), reason);
        std::string message = w.info.id + ": " + std::string(api::toString(from)) + " -> " +
                              std::string(api::toString(to));
        if (!reason.empty())
            message += " (" + reason + ")";
        publishWorker(w);
        addEvent("worker.state", w.info.id, std::move(message), std::string(api::toString(from)),
                 std::string(api::toString(to)), std::move(reason));
        publishPool(w.poolName);
        if (from != to)
            scheduleFollowUp();
    }

    /// Pools waiting for dependencies, rolling restarts and shutdown move on after
    /// transitions: once per turn of the loop however many workers changed, so stopping or
    /// starting 1000 workers stays linear.
    void scheduleFollowUp() { postOnce(followUpScheduled, &Private::followUp); }

    /// Runs `fn` in a later turn of the loop, once however often it is asked for until then;
    /// `scheduled` says whether it is on its way.
    void postOnce(bool &scheduled, void (Private::*fn)())
    {
        if (scheduled)
            return;
        scheduled = true;
        asio::post(io, [this, &scheduled, fn, alive = std::weak_ptr<bool>(aliveToken)] {
            if (alive.expired())
                return;
            scheduled = false;
            (this->*fn)();
        });
    }

    void followUp()
    {
        if (shutting) {
            continueShutdown();
            return;
        }
        startWaitingPools();
        for (auto &[name, pool] : pools) {
            if (pool.rolling)
                continueRolling(pool);
        }
    }

    /// The pool specs of `config` by name (Config::pool searches the list: a master with
    /// 1000 pools asks for them thousands of times a second).
    std::unordered_map<std::string_view, const config::PoolSpec *> specs;

    void setConfig(std::shared_ptr<const config::Config> next)
    {
        config = std::move(next);
        specs.clear();
        for (const config::PoolSpec &spec : config->pools)
            specs.emplace(spec.name, &spec);
    }

    const config::PoolSpec *poolSpec(std::string_view name) const
    {
        auto it = specs.find(name);
        return it == specs.end() ? nullptr : it->second;
    }

    const config::PoolSpec *poolSpec(const Worker &w) const
    {
        return w.fromPidFile ? nullptr : poolSpec(w.poolName);
    }

    const config::AdoptedSpec *adoptedSpec(const Worker &w) const
    {
        if (!w.fromPidFile)
            return nullptr;
        for (const config::AdoptedSpec &a : config->adopted) {
            if (a.name == w.poolName)
                return &a;
        }
        return nullptr;
    }

    const config::RestartSpec &restartSpec(const Worker &w) const
    {
        static const config::RestartSpec defaults;
        if (auto *p = poolSpec(w))
            return p->restart;
        if (auto *a = adoptedSpec(w))
            return a->restart;
        return defaults;
    }

    const config::StopSpec &stopSpec(const Worker &w) const
    {
        static const config::StopSpec defaults;
        if (auto *p = poolSpec(w))
            return p->stop;
        if (auto *a = adoptedSpec(w))
            return a->stop;
        return defaults;
    }

    const config::ProbeSet *probeSet(const Worker &w) const
    {
        if (auto *p = poolSpec(w))
            return &p->probes;
        if (auto *a = adoptedSpec(w))
            return &a->probes;
        return nullptr;
    }

    /// Running, and ready unless it has a readiness probe (then the probe decides).
    void markUp(Worker &w, std::string reason)
    {
        setState(w, WorkerState::Running, reason);
        const config::ProbeSet *set = probeSet(w);
        if (!set || !set->readiness)
            setState(w, WorkerState::Ready, "no readiness probe");
    }

    /// A process of `w` is up (spawned, re-adopted or adopted from its PID file): its probes
    /// start. With a startup probe it is `starting` until that passes; otherwise running,
    /// and ready unless it has a readiness probe. Probes of a process found already running
    /// start at a random point of their first interval, so that the workers a restarted
    /// master re-adopts do not all probe at once.
    void processUp(Worker &w, std::string reason, bool found)
    {
        w.processUpAt = Clock::now();
        makeProbes(w);
        ProbeRun *startup = probeRun(w, ProbeRole::Startup);
        if (!startup) {
            markUp(w, std::move(reason));
            if (probing(w.info.state))
                scheduleLateProbes(w, found);
            return;
        }
        if (w.info.state != WorkerState::Starting)
            setState(w, WorkerState::Starting, reason);
        scheduleProbe(w, *startup, firstDelay(w, *startup, found));
    }

    // ---- probes -------------------------------------------------------------------------

    /// The config changed `w`'s probes: its process keeps running and the new probes start
    /// (spread over their first interval). A process already up skips a new startup probe;
    /// one that lost its readiness probe is ready.
    void reprobe(Worker &w)
    {
        if (!probing(w.info.state))
            return; // its next process gets them
        bool starting = w.info.state == WorkerState::Starting;
        makeProbes(w);
        addEvent("probe.reconfigured", w.info.id, w.info.id + ": probes changed by the config");
        ProbeRun *startup = probeRun(w, ProbeRole::Startup);
        if (starting && startup) {
            scheduleProbe(w, *startup, firstDelay(w, *startup, false));
            return;
        }
        if (starting) {
            markUp(w, "startup probe removed from the config");
        } else if (startup) {
            startup->done = true;
            for (api::ProbeStatus &status : w.info.probes) {
                if (status.probe == "startup") {
                    status.state = "passing";
                    status.message = "up before this probe was configured";
                }
            }
        }
        if (w.info.state == WorkerState::Running && !probeRun(w, ProbeRole::Readiness))
            setState(w, WorkerState::Ready, "no readiness probe");
        if (probing(w.info.state))
            scheduleLateProbes(w, true);
        publishWorker(w);
    }

    ProbeRun *probeRun(Worker &w, ProbeRole role)
    {
        for (ProbeRun &run : w.probes) {
            if (run.role == role)
                return &run;
        }
        return nullptr;
    }

    /// The run a timer or a check was started for; none when the probes were made again since
    /// (a new process, a reload).
    static ProbeRun *probeRunBySerial(Worker &w, std::uint64_t serial)
    {
        for (ProbeRun &run : w.probes) {
            if (run.serial == serial)
                return &run;
        }
        return nullptr;
    }

    /// The probes of `w`'s current process, their placeholders filled for this worker.
    void makeProbes(Worker &w)
    {
        stopProbes(w);
        w.probes.clear();
        w.info.probes.clear();
        const config::ProbeSet *set = probeSet(w);
        if (!set || set->count() == 0)
            return;
        WorkerVars vars{w.info.id, w.poolName, w.info.index, w.info.port, {}};
        std::vector<std::string> env;
        std::string cwd = config->baseDir;
        bool exec = false;
        for (const auto *spec : {&set->startup, &set->liveness, &set->readiness})
            exec = exec || (*spec && (*spec)->kind == config::ProbeKind::Exec);
        if (const config::PoolSpec *p = poolSpec(w)) {
            vars.revision = p->revision;
            if (exec) { // an exec probe runs with the worker's environment and directory
                SpawnPlan plan = planSpawn(*p, vars, options.masterEnv);
                env = std::move(plan.env);
                if (!plan.cwd.empty())
                    cwd = plan.cwd;
            }
        } else if (exec) {
            env = options.masterEnv;
        }
        const std::pair<const std::optional<config::ProbeSpec> *, ProbeRole> roles[] = {
            {&set->startup, ProbeRole::Startup},
            {&set->liveness, ProbeRole::Liveness},
            {&set->readiness, ProbeRole::Readiness}};
        std::string prefix = "worker/" + w.info.id + "/probe/";
        for (auto [spec, role] : roles) {
            if (!*spec)
                continue;
            ProbeRun &run = w.probes.emplace_back();
            run.role = role;
            run.serial = ++probeRunCounter;
            run.spec = **spec;
            auto target = makeProbeTarget(run.spec, vars, env, cwd);
            if (target.ok())
                run.target = std::make_shared<const ProbeTarget>(std::move(*target));
            else
                run.targetProblem = target.error().message;
            run.latency =
                MetricsStore::Handle(prefix + std::string(toString(role)) + "/latency_ms");
            api::ProbeStatus status;
            status.probe = std::string(toString(role));
            status.kind = std::string(toString(run.spec.kind));
            status.target = run.target ? run.target->describe() : run.targetProblem;
            status.state = "pending";
            status.sinceMs = nowMs();
            w.info.probes.push_back(std::move(status));
        }
    }

    void stopProbes(Worker &w)
    {
        for (ProbeRun &run : w.probes)
            run.timer.reset(); // a check on its way is dropped when it answers
    }

    /// The first check: `initial_delay` after the process came up; for a process found
    /// running, at a random point of the first interval after that.
    std::chrono::milliseconds firstDelay(const Worker &w, const ProbeRun &run, bool found)
    {
        auto elapsed =
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - w.processUpAt);
        auto delay = std::max(0ms, run.spec.initialDelay - elapsed);
        if (found) {
            std::uniform_int_distribution<std::int64_t> spread(0, run.spec.interval.count());
            delay += std::chrono::milliseconds(spread(rng));
        }
        return delay;
    }

    /// Liveness and readiness start once startup has passed (or at once without one).
    void scheduleLateProbes(Worker &w, bool found)
    {
        for (ProbeRun &run : w.probes) {
            if (run.role != ProbeRole::Startup)
                scheduleProbe(w, run, firstDelay(w, run, found));
        }
    }

    /// Checks are due on a grid of this step: those due within one step start together, in
    /// one wake-up of the loop, and their answers come back close together (on a 2-core VM a
    /// wake-up costs more than a check's own work). Like the kernel's timer slack.
    static constexpr auto kProbeStep = std::chrono::milliseconds(10);

    void scheduleProbe(Worker &w, ProbeRun &run, std::chrono::milliseconds delay)
    {
        if (!run.timer)
            run.timer = std::make_unique<asio::steady_timer>(io);
        auto due = (Clock::now() + delay).time_since_epoch();
        auto step = std::chrono::duration_cast<Clock::duration>(kProbeStep);
        run.timer->expires_at(Clock::time_point((due + step - Clock::duration(1)) / step * step));
        run.timer->async_wait(
            [this, id = w.info.id, serial = run.serial,
             alive = std::weak_ptr<bool>(aliveToken)](const boost::system::error_code &ec) {
                if (ec || alive.expired())
                    return;
                auto it = workers.find(id);
                if (it == workers.end())
                    return;
                if (ProbeRun *run = probeRunBySerial(*it->second, serial))
                    check(*it->second, *run);
            });
    }

    /// One check of one probe; its result comes back on the loop (a hung endpoint answers at
    /// its timeout). The next one is scheduled when it has answered.
    void check(Worker &w, ProbeRun &run)
    {
        if (!probing(w.info.state))
            return;
        ProbeDone done = [this, id = w.info.id, serial = run.serial,
                          alive = std::weak_ptr<bool>(aliveToken)](ProbeOutcome out) {
            if (alive.expired())
                return; // the engine is gone (a check answers after its timeout at the latest)
            auto it = workers.find(id);
            if (it == workers.end() || !probing(it->second->info.state))
                return;
            if (ProbeRun *run = probeRunBySerial(*it->second, serial);
                run && run->timer && !run->done)
                checked(*it->second, *run, std::move(out));
        };
        if (!run.target) {
            asio::post(io, [done = std::move(done), why = run.targetProblem] {
                done(ProbeOutcome{false, 0, why, {}});
            });
            return;
        }
        switch (run.target->kind) {
        case config::ProbeKind::Http:
            if (!run.http)
                run.http = makeHttpProbeConnection(io);
            runHttpProbe(*run.http, run.target, std::move(done));
            break;
        case config::ProbeKind::Tcp:
            runTcpProbe(io, *run.target, std::move(done));
            break;
        case config::ProbeKind::Grpc:
            runGrpcProbe(io, *run.target, std::move(done));
            break;
        case config::ProbeKind::Exec:
            execProber->run(*run.target, std::move(done));
            break;
        }
    }

    void checked(Worker &w, ProbeRun &run, ProbeOutcome out)
    {
        std::int64_t t = nowMs();
        std::string role(toString(run.role));
        std::string kind(toString(run.spec.kind));
        if (!w.health)
            w.health = std::make_unique<HealthHistory>(std::size_t(config->master.healthHistory));
        // A failure remembers how far the log had got, for the lines written before it.
        std::int64_t logOffset = -1;
        struct stat st;
        if (!out.ok && state && ::stat(state->logPath(w.info.id).c_str(), &st) == 0)
            logOffset = st.st_size;
        w.health->add(run.role, run.spec.kind, t, out.ok, out.latencyMs, out.message, out.excerpt,
                      logOffset);
        const double latency = std::round(out.latencyMs * 100) / 100;
        metrics->record(run.latency, t, latency);
        if (t - t % metrics->resolution().count() <= lastBatchSlot && !subscribers.empty())
            lateMetrics.push_back({run.latency.name(), latency});
        publish(api::DeltaKind::HealthSampled,
                api::HealthSample{w.info.id, role, kind, t, out.ok, out.latencyMs, out.message,
                                  out.excerpt, logOffset});

        ProbeVerdict::State before = run.verdict.state();
        ProbeVerdict::Change change =
            run.verdict.add(out.ok, run.spec.successThreshold, run.spec.failureThreshold);
        auto next = [&] {
            // Every interval, give or take 10 %: workers started together drift apart.
            std::uniform_real_distribution<double> jitter(0.9, 1.1);
            auto interval = std::chrono::milliseconds(
                std::llround(double(run.spec.interval.count()) * jitter(rng)));
            auto took = std::chrono::milliseconds(std::llround(out.latencyMs));
            scheduleProbe(w, run, std::max(0ms, interval - took));
        };
        if (change == ProbeVerdict::Change::None) {
            next();
            return;
        }
        bool passed = change == ProbeVerdict::Change::Passed;
        std::string reason =
            passed ? (run.verdict.successes() > 1
                          ? std::to_string(run.verdict.successes()) + " passes in a row: "
                          : std::string())
                   : (run.verdict.failures() > 1
                          ? std::to_string(run.verdict.failures()) + " failures in a row: "
                          : std::string());
        reason += out.message;
        api::HealthTransition transition{w.info.id,
                                         role,
                                         t,
                                         std::string(toString(before)),
                                         std::string(toString(run.verdict.state())),
                                         reason};
        w.health->addTransition(transition);
        for (api::ProbeStatus &status : w.info.probes) {
            if (status.probe == role) {
                status.state = transition.to;
                status.sinceMs = t;
                status.message = out.message;
            }
        }
        spdlog::info("probe.changed worker={} probe={} from={} to={} reason=\"{}\"", w.info.id,
                     role, transition.from, transition.to, reason);
        addEvent("probe.changed", w.info.id,
                 w.info.id + ": " + role + " probe " + transition.to + " (" + reason + ")",
                 transition.from, transition.to, "probe:" + role);

        switch (run.role) {
        case ProbeRole::Startup:
            if (passed) {
                run.done = true;
                run.timer.reset();
                markUp(w, "probe:startup passed (" + reason + ")");
                if (probing(w.info.state))
                    scheduleLateProbes(w, false);
            } else {
                recover(w, "probe:startup", reason);
            }
            return;
        case ProbeRole::Liveness:
            if (!passed) {
                recover(w, "probe:liveness", reason);
                return;
            }
            publishWorker(w);
            break;
        case ProbeRole::Readiness:
            if (passed && w.info.state == WorkerState::Running)
                setState(w, WorkerState::Ready, "probe:readiness passed (" + reason + ")");
            else if (!passed && w.info.state == WorkerState::Ready)
                setState(w, WorkerState::Running, "probe:readiness failed (" + reason + ")");
            else
                publishWorker(w);
            break;
        }
        next();
    }

    /// A startup or liveness probe gave up on `w`: its tree is stopped as its stop spec
    /// says, and the exit counts as a crash (restart policy, backoff, restart limit).
    void recover(Worker &w, std::string cause, const std::string &detail)
    {
        w.recoverCause = cause;
        spdlog::warn("worker.unhealthy worker={} cause={} detail=\"{}\"", w.info.id, cause, detail);
        stopWorker(w, Intent::Recover, cause + " failed (" + detail + ")");
    }

    // ---- processes ----------------------------------------------------------------------

    void watch(Worker &w, int pidfd)
    {
        w.pidfd = std::make_unique<asio::posix::stream_descriptor>(io, pidfd);
        std::uint64_t gen = w.generation;
        std::string id = w.info.id;
        w.pidfd->async_wait(asio::posix::stream_descriptor::wait_read,
                            [this, id, gen, alive = std::weak_ptr<bool>(aliveToken)](
                                const boost::system::error_code &ec) {
                                if (ec || alive.expired())
                                    return;
                                auto it = workers.find(id);
                                if (it != workers.end() && it->second->generation == gen)
                                    onExit(*it->second);
                            });
        w.reader.emplace(w.info.pid);
        w.lastCpuNs = ~0ull;
        w.ranSinceFull = true;
        w.idleLevel = 0;
        lookSoon(w);
    }

    /// The next sample looks at `w` (a new process, or none any more).
    void lookSoon(const Worker &w)
    {
        if (!listsStale && w.listIndex < workerList.size() && workerList[w.listIndex].worker == &w)
            workerList[w.listIndex].skip = 0;
    }

    /// Spawns `w` in a later turn of the loop, in order with the other queued starts. A
    /// stop, a removal or a shutdown before its turn cancels it (by its generation).
    void queueSpawn(Worker &w)
    {
        spawnQueue.emplace_back(w.info.id, w.generation);
        scheduleSpawnDrain();
    }

    void scheduleSpawnDrain() { postOnce(spawnDrainScheduled, &Private::drainSpawns); }

    void drainSpawns()
    {
        const Clock::time_point until = Clock::now() + kSpawnSlice;
        while (!spawnQueue.empty() && !shutting) {
            auto [id, gen] = std::move(spawnQueue.front());
            spawnQueue.pop_front();
            auto it = workers.find(id);
            if (it == workers.end() || it->second->generation != gen ||
                it->second->info.state != WorkerState::Pending || it->second->intent != Intent::Run)
                continue;
            spawn(*it->second);
            if (Clock::now() >= until)
                break;
        }
        if (shutting)
            spawnQueue.clear();
        else if (!spawnQueue.empty())
            scheduleSpawnDrain();
    }

    /// What `w`'s next process runs: its pool's (or adopted entry's) command, directory and
    /// environment on top of `baseEnv`, placeholders filled in; nothing when neither is known.
    std::optional<SpawnPlan> spawnPlan(const Worker &w,
                                       const std::vector<std::string> &baseEnv) const
    {
        std::optional<SpawnPlan> plan;
        if (auto *p = poolSpec(w)) {
            WorkerVars vars{w.info.id, w.poolName, w.info.index, w.info.port, p->revision};
            plan = planSpawn(*p, vars, baseEnv);
        } else if (auto *a = adoptedSpec(w)) {
            config::PoolSpec asPool;
            asPool.name = a->name;
            asPool.command = a->command;
            asPool.cwd = a->cwd;
            asPool.env = a->env;
            WorkerVars vars{w.info.id, w.poolName, 0, std::nullopt, {}};
            plan = planSpawn(asPool, vars, baseEnv);
        }
        if (plan && plan->cwd.empty())
            plan->cwd = config->baseDir;
        return plan;
    }

    bool spawn(Worker &w)
    {
        ++w.generation;
        std::vector<std::string> argv;
        SpawnRequest req;
        config::LimitsSpec limits;
        std::string revision;
        if (std::optional<SpawnPlan> plan = spawnPlan(w, options.masterEnv)) {
            req.argv = std::move(plan->argv);
            req.cwd = std::move(plan->cwd);
            req.env = std::move(plan->env);
        }
        if (auto *p = poolSpec(w)) {
            limits = p->limits;
            revision = p->revision;
        }
        if (req.argv.empty()) {
            setState(w, WorkerState::Failed, "no command to start it with");
            return false;
        }

        // Limits: cgroups for memory, cpu and pids; setrlimit for nofile (and memory as
        // RLIMIT_AS where no cgroup can hold it).
        w.info.limits.clear();
        w.info.limitProblems.clear();
        // The worker keeps its groups across restarts (made once, limits rewritten here):
        // removing a v1 memory cgroup can take milliseconds, which a restart should not wait.
        w.cgroup = {};
        bool cgroupLimits = limits.memory || limits.cpu || limits.pids;
        if (!cgroupLimits) {
            // No group without limits: joining a v1 cgroup waits for an RCU grace period
            // (~15 ms), which every restart would pay. The tree is the process group.
        } else if (cgroups && cgroups->mode() != Cgroups::Mode::None) {
            w.cgroup = cgroups->create(w.info.id, limits);
            req.cgroupProcsFds = w.cgroup.procsFds;
            w.info.limits = w.cgroup.applied;
            w.info.limitProblems = w.cgroup.problems;
        } else {
            std::string why = cgroups ? cgroups->describe() : std::string("cgroups are off");
            if (limits.memory) {
                req.addressSpace = *limits.memory;
                w.info.limits.push_back("memory " + config::formatSize(*limits.memory) +
                                        " (RLIMIT_AS)");
                w.info.limitProblems.push_back(
                    "memory: no cgroup (" + why +
                    "); enforced as an address-space limit (RLIMIT_AS) instead");
            }
            if (limits.cpu)
                w.info.limitProblems.push_back("cpu: not applied (" + why + ")");
            if (limits.pids)
                w.info.limitProblems.push_back("pids: not applied (" + why + ")");
        }
        if (limits.nofile) {
            req.nofile = std::uint64_t(*limits.nofile);
            w.info.limits.push_back("nofile " + std::to_string(*limits.nofile));
        } else {
            req.nofileSoft = inheritedNofileSoft;
        }

        auto logFd = logfile::openForAppend(state->logPath(w.info.id));
        if (!logFd.ok()) {
            w.cgroup.closeFds();
            setState(w, WorkerState::Failed, "cannot open the log: " + logFd.error().message);
            return false;
        }
        req.outputFd = *logFd;
        auto spawned = spawnProcess(req);
        ::close(*logFd);
        w.cgroup.closeFds();
        if (!spawned.ok()) {
            spdlog::warn("worker.spawn worker={} error=\"{}\"", w.info.id, spawned.error().message);
            setState(w, WorkerState::Failed, spawned.error().message);
            return false;
        }
        w.info.pid = spawned->pid;
        w.pgid = spawned->pid;
        w.ourChild = true;
        w.spawnedByUs = true;
        w.info.startedAtMs = nowMs();
        w.info.revision = revision;
        w.procStart = processStartTime(spawned->pid).value_or(0);
        w.runningSince = Clock::now();
        w.intent = Intent::Run;
        watch(w, spawned->pidfd);
        saveRecord(w);
        setState(w, WorkerState::Starting, "spawned pid " + std::to_string(w.info.pid));
        processUp(w, "started", false);
        return true;
    }

    void saveRecord(const Worker &w)
    {
        WorkerRecord r;
        r.id = w.info.id;
        r.pool = w.poolName;
        r.index = w.info.index;
        r.adopted = w.fromPidFile;
        r.pid = w.info.pid;
        r.pgid = w.pgid;
        r.startTime = w.procStart;
        r.startedAtMs = w.info.startedAtMs;
        r.revision = w.info.revision;
        r.port = w.info.port;
        r.restarts = w.info.restarts;
        if (auto problem = state->save(r))
            spdlog::error("state.save worker={} error=\"{}\"", w.info.id, *problem);
    }

    /// Signals the worker's whole tree: its process group (when it leads one) and its cgroups.
    void signalTree(Worker &w, int sig)
    {
        if (w.info.pid > 0) {
            if (w.pgid > 0 && w.pgid == w.info.pid)
                ::kill(-w.pgid, sig);
            else
                ::kill(w.info.pid, sig);
        }
        if (!w.cgroup.dirs.empty())
            Cgroups::signalAll(w.cgroup, sig);
    }

    void onExit(Worker &w)
    {
        std::string how = "exited";
        bool clean = false;
        if (w.ourChild) {
            siginfo_t info{};
            int fd = w.pidfd->native_handle();
            if (waitid(P_PIDFD, unsigned(fd), &info, WEXITED | WNOHANG) == 0 && info.si_pid) {
                if (info.si_code == CLD_EXITED) {
                    how = "exit:" + std::to_string(info.si_status);
                    clean = info.si_status == 0;
                } else {
                    how = "signal:" + signalName(info.si_status);
                }
            }
        } else {
            how = "exited (status unknown: not started by this droverd)";
        }
        // The tree goes with its leader: whatever it left behind is killed now, while the
        // leader's pid cannot be reused yet.
        if (w.pgid > 0 && w.pgid == w.info.pid)
            ::kill(-w.pgid, SIGKILL);
        if (!w.cgroup.dirs.empty()) {
            Cgroups::signalAll(w.cgroup, SIGKILL);
            if (how == "signal:SIGKILL" && Cgroups::oomKills(w.cgroup) > w.cgroup.oomKillsAtStart)
                how = "limit:memory";
        }
        w.pidfd.reset();
        w.reader.reset();
        w.timer.reset();
        releaseSeries(w, nowMs());
        state->remove(w.info.id);
        w.info.lastExit = how;
        spdlog::info("worker.exit worker={} pid={} how=\"{}\"", w.info.id, w.info.pid, how);

        std::vector<std::function<void()>> callbacks;
        callbacks.swap(w.whenDown);
        Intent intent = w.intent;
        std::string id = w.info.id;
        switch (intent) {
        case Intent::Stop:
            setState(w, WorkerState::Stopped, w.stopReason + " (" + how + ")");
            break;
        case Intent::Remove:
            setState(w, WorkerState::Stopped, w.stopReason + " (" + how + ")");
            removeWorker(id);
            break;
        case Intent::Restart:
            setState(w, WorkerState::Exited, w.stopReason + " (" + how + ")");
            if (!shutting)
                spawn(w);
            break;
        case Intent::Run:
            onCrash(w, how, clean);
            break;
        case Intent::Recover:
            // A probe gave up on it: a failure whatever the exit code, restarted (with
            // backoff, counted) as the restart policy says.
            w.intent = Intent::Run;
            w.info.lastExit = w.recoverCause;
            onCrash(w, w.stopReason + " (" + how + ")", false);
            break;
        }
        for (auto &fn : callbacks)
            fn();
    }

    void onCrash(Worker &w, const std::string &how, bool clean)
    {
        const config::RestartSpec &restart = restartSpec(w);
        bool canRestart = !(w.fromPidFile && (!adoptedSpec(w) || adoptedSpec(w)->command.empty()));
        if (shutting || restart.policy == config::RestartPolicy::Never ||
            (restart.policy == config::RestartPolicy::OnFailure && clean) || !canRestart) {
            std::string reason = how;
            if (!canRestart)
                reason += "; no command to restart it";
            setState(w, WorkerState::Exited, reason);
            if (w.fromPidFile && !canRestart)
                watchPidFileLater(w.info.id);
            return;
        }
        auto now = Clock::now();
        auto stableAfter = std::max<std::chrono::milliseconds>(restart.backoff.max, 1s);
        if (now - w.runningSince >= stableAfter)
            w.backoffStep = 0;
        w.crashes.push_back(now);
        while (!w.crashes.empty() && now - w.crashes.front() > restart.window)
            w.crashes.pop_front();
        ++w.info.restarts;
        if (auto it = pools.find(w.poolName); it != pools.end())
            ++it->second.restarts;
        if (int(w.crashes.size()) > restart.maxRestarts) {
            setState(w, WorkerState::Failed,
                     "restart limit: " + std::to_string(w.crashes.size()) + " crashes within " +
                         config::formatDuration(restart.window) + " (last " + how + ")");
            return;
        }
        // initial 0: the first restart is at once, the next ones back off from 1 ms.
        double delay = restart.backoff.initial.count() > 0
                           ? double(restart.backoff.initial.count()) *
                                 std::pow(restart.backoff.factor, w.backoffStep)
                       : w.backoffStep == 0 ? 0.0
                                            : std::pow(restart.backoff.factor, w.backoffStep - 1);
        delay = std::min(delay, double(restart.backoff.max.count()));
        if (restart.backoff.jitter > 0) {
            std::uniform_real_distribution<double> jitter(-restart.backoff.jitter,
                                                          restart.backoff.jitter);
            delay *= 1.0 + jitter(rng);
        }
        ++w.backoffStep;
        auto wait = std::chrono::milliseconds(std::max<std::int64_t>(0, std::llround(delay)));
        w.info.nextStartAtMs = nowMs() + wait.count();
        setState(w, WorkerState::Exited, how);
        setState(w, WorkerState::Backoff,
                 "restart in " + config::formatDuration(wait) + " (" + how + ")");
        w.timer = std::make_unique<asio::steady_timer>(io, wait);
        std::string id = w.info.id;
        std::uint64_t gen = w.generation;
        w.timer->async_wait([this, id, gen, alive = std::weak_ptr<bool>(aliveToken)](
                                const boost::system::error_code &ec) {
            if (ec || alive.expired()) // an expired timer's handler may run after its owner went
                return;
            auto it = workers.find(id);
            if (it == workers.end() || it->second->generation != gen ||
                it->second->info.state != WorkerState::Backoff)
                return;
            spawn(*it->second);
        });
    }

    /// Stops a worker's process (stop signal to the tree, SIGKILL after the timeout); `done`
    /// runs once it is gone. Without a process it only cancels a pending start.
    void stopWorker(Worker &w, Intent intent, std::string reason, std::function<void()> done = {})
    {
        if (!api::hasProcess(w.info.state)) {
            ++w.generation; // cancels a backoff timer
            w.timer.reset();
            if (intent == Intent::Remove) {
                std::string id = w.info.id;
                if (w.info.state != WorkerState::Stopped)
                    setState(w, WorkerState::Stopped, reason);
                removeWorker(id);
            } else if (intent == Intent::Restart) {
                spawn(w);
            } else if (w.info.state != WorkerState::Stopped &&
                       w.info.state != WorkerState::Failed) {
                setState(w, WorkerState::Stopped, reason);
            } else if (w.info.state == WorkerState::Failed && intent == Intent::Stop) {
                setState(w, WorkerState::Stopped, reason);
            }
            if (done)
                done();
            return;
        }
        if (done)
            w.whenDown.push_back(std::move(done));
        // Already stopping: only a stronger intent changes what happens after.
        if (w.info.state == WorkerState::Stopping) {
            if (intent == Intent::Remove || w.intent == Intent::Run)
                w.intent = intent;
            return;
        }
        w.intent = intent;
        w.stopReason = reason;
        const config::StopSpec &stop = stopSpec(w);
        setState(w, WorkerState::Stopping,
                 reason + ": " + signalName(stop.signal) + ", SIGKILL after " +
                     config::formatDuration(stop.timeout));
        signalTree(w, stop.signal);
        w.timer = std::make_unique<asio::steady_timer>(io, stop.timeout);
        std::string id = w.info.id;
        std::uint64_t gen = w.generation;
        w.timer->async_wait([this, id, gen, alive = std::weak_ptr<bool>(aliveToken)](
                                const boost::system::error_code &ec) {
            if (ec || alive.expired()) // an expired timer's handler may run after its owner went
                return;
            auto it = workers.find(id);
            if (it == workers.end() || it->second->generation != gen ||
                it->second->info.state != WorkerState::Stopping)
                return;
            Worker &w = *it->second;
            spdlog::warn("worker.kill worker={} reason=\"stop timeout\"", w.info.id);
            w.stopReason += "; killed after the stop timeout";
            signalTree(w, SIGKILL);
        });
    }

    void removeWorker(const std::string &id)
    {
        auto it = workers.find(id);
        if (it == workers.end())
            return;
        Cgroups::remove(it->second->cgroup);
        state->remove(id);
        std::string pool = it->second->poolName;
        count(*it->second, -1);
        auto &members = byPool[pool].list;
        members.erase(std::remove(members.begin(), members.end(), it->second.get()), members.end());
        workers.erase(it);
        listsStale = true;
        publish(api::DeltaKind::WorkerRemoved, id);
        publishPool(pool);
        if (auto p = pools.find(pool); p != pools.end() && p->second.removing) {
            if (members.empty()) {
                releaseSeries(p->second, nowMs());
                pools.erase(p);
                listsStale = true;
                publish(api::DeltaKind::PoolRemoved, pool);
                addEvent("pool.removed", pool, "pool " + pool + " removed");
            }
        }
    }

    // ---- pools --------------------------------------------------------------------------

    Worker &createWorker(const std::string &poolName, int index, std::string id)
    {
        auto w = std::make_unique<Worker>();
        w->info.id = std::move(id);
        w->info.pool = poolName;
        w->info.index = index;
        w->poolName = poolName;
        w->created = ++workerCounter;
        if (auto *spec = poolSpec(poolName)) {
            w->info.revision = spec->revision;
            if (spec->ports)
                w->info.port = freePort(poolName, *spec->ports);
        }
        Worker &ref = insertWorker(std::move(w));
        publishWorker(ref);
        return ref;
    }

    std::optional<int> freePort(const std::string &poolName, const config::PortRange &range)
    {
        // The pool's own workers only; the lowest port of the range none of them holds.
        std::vector<int> used;
        if (auto it = byPool.find(poolName); it != byPool.end()) {
            for (const Worker *w : it->second.list) {
                if (w->info.port)
                    used.push_back(*w->info.port);
            }
        }
        std::sort(used.begin(), used.end());
        int port = range.first;
        for (int u : used) {
            if (u > port)
                break;
            if (u == port)
                ++port;
        }
        if (port <= range.last)
            return port;
        return std::nullopt;
    }

    std::vector<Worker *> poolWorkers(const std::string &poolName)
    {
        std::vector<Worker *> out;
        if (auto it = byPool.find(poolName); it != byPool.end()) {
            for (Worker *w : it->second.list) {
                if (!w->fromPidFile)
                    out.push_back(w);
            }
        }
        return out;
    }

    /// Whether every worker of a pool is up: ready (a worker without a readiness probe is
    /// ready once running), or a job that finished well.
    bool poolUp(const std::string &name)
    {
        auto it = pools.find(name);
        if (it == pools.end() || !it->second.started)
            return false;
        std::vector<Worker *> ws = poolWorkers(name);
        if (int(ws.size()) < it->second.desired)
            return false;
        for (Worker *w : ws) {
            WorkerState s = w->info.state;
            bool finishedJob = s == WorkerState::Exited && w->info.lastExit == "exit:0";
            if (s != WorkerState::Ready && !finishedJob)
                return false;
        }
        return true;
    }

    void startWaitingPools()
    {
        bool progress = true;
        while (progress) {
            progress = false;
            for (auto &[name, pool] : pools) {
                if (pool.started || pool.removing)
                    continue;
                const config::PoolSpec *spec = poolSpec(name);
                if (!spec)
                    continue;
                std::string waiting;
                for (const std::string &dep : spec->dependsOn) {
                    if (!poolUp(dep))
                        waiting += (waiting.empty() ? "" : ", ") + dep;
                }
                if (waiting != pool.waitingFor) {
                    pool.waitingFor = waiting;
                    for (Worker *w : poolWorkers(name)) {
                        if (w->info.state == WorkerState::Pending)
                            setStateQuiet(*w, "waiting for " + waiting);
                    }
                    publishPool(name);
                }
                if (waiting.empty()) {
                    pool.started = true;
                    addEvent("pool.started", name, "pool " + name + " starting");
                    reconcile(pool);
                    progress = true;
                }
            }
        }
    }

    void setStateQuiet(Worker &w, std::string reason)
    {
        w.info.reason = std::move(reason);
        publishWorker(w);
    }

    /// Makes a started pool's workers match its desired count: missing indices are created
    /// and started, extra workers (newest first) are stopped and removed.
    void reconcile(Pool &pool)
    {
        if (!pool.started || pool.removing || shutting)
            return;
        std::vector<Worker *> ws = poolWorkers(pool.name);
        std::vector<Worker *> live;
        for (Worker *w : ws) {
            if (w->intent != Intent::Remove)
                live.push_back(w);
        }
        if (int(live.size()) > pool.desired) {
            std::sort(live.begin(), live.end(),
                      [](Worker *a, Worker *b) { return a->created > b->created; });
            int extra = int(live.size()) - pool.desired;
            for (int i = 0; i < extra; ++i) {
                live[i]->intent = Intent::Remove;
                stopWorker(*live[i], Intent::Remove, "scaled down");
            }
        } else {
            std::set<int> indices;
            for (Worker *w : live)
                indices.insert(w->info.index);
            int missing = pool.desired - int(live.size());
            for (int index = 0; missing > 0; ++index) {
                if (indices.count(index))
                    continue;
                std::string id = pool.name + "-" + std::to_string(index);
                if (workers.count(id))
                    continue; // still stopping under that name
                Worker &w = createWorker(pool.name, index, id);
                --missing;
                queueSpawn(w);
            }
            for (Worker *w : live) {
                if (w->info.state == WorkerState::Pending)
                    queueSpawn(*w);
            }
        }
        publishPool(pool.name);
    }

    void addPool(const config::PoolSpec &spec)
    {
        Pool pool;
        pool.name = spec.name;
        pool.desired = spec.workersAtStart();
        pool.revision = spec.revision;
        pools[spec.name] = pool;
        listsStale = true;
        publishPool(spec.name);
    }

    void continueRolling(Pool &pool)
    {
        // One worker of an old revision at a time: the next once none is on its way, and
        // the new ones are ready (their readiness probe passed).
        for (Worker *w : poolWorkers(pool.name)) {
            WorkerState s = w->info.state;
            if (s == WorkerState::Starting || s == WorkerState::Stopping ||
                s == WorkerState::Pending ||
                (s == WorkerState::Running && w->info.revision == pool.revision))
                return;
        }
        while (!pool.rollingQueue.empty()) {
            int index = *pool.rollingQueue.begin();
            pool.rollingQueue.erase(pool.rollingQueue.begin());
            for (Worker *w : poolWorkers(pool.name)) {
                if (w->info.index == index && w->info.revision != pool.revision &&
                    api::hasProcess(w->info.state)) {
                    stopWorker(*w, Intent::Restart, "new revision " + pool.revision);
                    return;
                }
            }
        }
        pool.rolling = false;
        addEvent("pool.revision", pool.name,
                 "pool " + pool.name + " now runs revision " + pool.revision);
    }

    // ---- adoption -----------------------------------------------------------------------

    /// A process we may watch: a pidfd, and its start time (which guards against PID reuse).
    bool attach(Worker &w, int pid, std::uint64_t expectedStart)
    {
        int fd = pidfdOpen(pid);
        if (fd < 0)
            return false;
        std::optional<ProcStat> st = readProcStat(pid);
        if (!st || st->state == 'Z' || (expectedStart && st->startTime != expectedStart)) {
            ::close(fd);
            return false;
        }
        ++w.generation;
        w.info.pid = pid;
        w.procStart = st->startTime;
        w.pgid = st->pgid;
        w.ourChild = false;
        w.spawnedByUs = false;
        w.runningSince = Clock::now();
        w.intent = Intent::Run;
        w.info.startedAtMs = nowMs() - std::int64_t(double(processAgeTicks(st->startTime)) *
                                                    1000.0 / double(clockTicks()));
        watch(w, fd);
        return true;
    }

    static std::uint64_t processAgeTicks(std::uint64_t startTicks)
    {
        std::ifstream up("/proc/uptime");
        double uptime = 0;
        up >> uptime;
        double now = uptime * double(clockTicks());
        return now > double(startTicks) ? std::uint64_t(now - double(startTicks)) : 0;
    }

    void readopt()
    {
        std::vector<std::string> problems;
        std::vector<WorkerRecord> records = state->load(problems);
        for (const std::string &p : problems)
            spdlog::warn("state.load problem=\"{}\"", p);
        for (const WorkerRecord &r : records) {
            int fd = pidfdOpen(r.pid);
            std::optional<ProcStat> st = fd >= 0 ? readProcStat(r.pid) : std::nullopt;
            if (fd >= 0)
                ::close(fd);
            if (!st || st->startTime != r.startTime || st->state == 'Z') {
                spdlog::info("state.stale worker={} pid={} (gone or reused)", r.id, r.pid);
                state->remove(r.id);
                continue;
            }
            const config::PoolSpec *spec = r.adopted ? nullptr : poolSpec(r.pool);
            bool adoptedKnown =
                r.adopted && std::any_of(config->adopted.begin(), config->adopted.end(),
                                         [&](auto &a) { return a.name == r.pool; });
            auto w = std::make_unique<Worker>();
            w->info.id = r.id;
            w->info.pool = r.pool;
            w->info.index = r.index;
            w->info.adopted = r.adopted;
            w->info.port = r.port;
            w->info.revision = r.revision;
            w->info.restarts = r.restarts;
            w->poolName = r.pool;
            w->fromPidFile = r.adopted;
            w->created = ++workerCounter;
            if (!attach(*w, r.pid, r.startTime))
                continue;
            w->ourChild = false;
            w->spawnedByUs = true; // an earlier droverd spawned it: we stop it on shutdown
            w->pgid = r.pgid;
            if (cgroups)
                w->cgroup = cgroups->find(r.id);
            Worker &ref = insertWorker(std::move(w));
            saveRecord(ref);
            spdlog::info("worker.readopted worker={} pid={}", r.id, r.pid);
            if (!spec && !adoptedKnown) {
                ref.intent = Intent::Remove;
                stopWorker(ref, Intent::Remove, "not in the config any more");
                continue;
            }
            processUp(ref, "re-adopted pid " + std::to_string(r.pid) + " after a master restart",
                      true);
        }
    }

    std::optional<int> readPidFile(const std::string &path, std::string &why)
    {
        std::ifstream in(path);
        if (!in) {
            why = "pid file \"" + path + "\": " + std::strerror(errno);
            return std::nullopt;
        }
        long pid = 0;
        if (!(in >> pid) || pid <= 0 || pid > 4194304) {
            why = "pid file \"" + path + "\": no process id in it";
            return std::nullopt;
        }
        return int(pid);
    }

    void adoptFromPidFile(const config::AdoptedSpec &spec)
    {
        Worker *w = nullptr;
        if (auto it = workers.find(spec.name); it != workers.end()) {
            w = it->second.get();
            if (api::hasProcess(w->info.state))
                return; // re-adopted from the state dir
        } else {
            auto nw = std::make_unique<Worker>();
            nw->info.id = spec.name;
            nw->info.pool = spec.name;
            nw->info.adopted = true;
            nw->poolName = spec.name;
            nw->fromPidFile = true;
            nw->created = ++workerCounter;
            w = &insertWorker(std::move(nw));
            publishWorker(*w);
        }
        std::string why;
        if (std::optional<int> pid = readPidFile(spec.pidFile, why)) {
            if (attach(*w, *pid, 0)) {
                processUp(*w, "adopted pid " + std::to_string(*pid) + " from " + spec.pidFile,
                          true);
                return;
            }
            why = "pid file \"" + spec.pidFile + "\": process " + std::to_string(*pid) +
                  " is not running";
        }
        if (!spec.command.empty()) {
            spawn(*w);
            return;
        }
        setState(*w, WorkerState::Exited, why + "; no command to start it");
        watchPidFileLater(spec.name);
    }

    /// An adopted process without a command: look at its PID file again every few seconds
    /// until a live process is there.
    void watchPidFileLater(const std::string &id)
    {
        auto it = workers.find(id);
        if (it == workers.end())
            return;
        Worker &w = *it->second;
        w.timer = std::make_unique<asio::steady_timer>(io, 5s);
        std::uint64_t gen = ++w.generation;
        w.timer->async_wait([this, id, gen, alive = std::weak_ptr<bool>(aliveToken)](
                                const boost::system::error_code &ec) {
            if (ec || alive.expired() || shutting)
                return;
            auto it = workers.find(id);
            if (it == workers.end() || it->second->generation != gen)
                return;
            for (const config::AdoptedSpec &a : config->adopted) {
                if (a.name != id)
                    continue;
                std::string why;
                std::optional<int> pid = readPidFile(a.pidFile, why);
                if (pid && attach(*it->second, *pid, 0)) {
                    processUp(*it->second,
                              "adopted pid " + std::to_string(*pid) + " from " + a.pidFile, true);
                } else {
                    watchPidFileLater(id);
                }
            }
        });
    }

    // ---- shutdown -----------------------------------------------------------------------

    void continueShutdown()
    {
        if (!shutting)
            return;
        // A pool stops once every pool that depends on it has no process left.
        auto hasProcessIn = [&](const std::string &pool) {
            for (auto &[id, w] : workers) {
                if (w->poolName == pool && api::hasProcess(w->info.state) &&
                    (w->spawnedByUs || !w->fromPidFile))
                    return true;
            }
            return false;
        };
        for (auto &[id, w] : workers) {
            if (!api::hasProcess(w->info.state) || w->info.state == WorkerState::Stopping)
                continue;
            if (w->fromPidFile && !w->spawnedByUs)
                continue;
            bool dependantsDown = true;
            for (const config::PoolSpec &p : config->pools) {
                if (std::find(p.dependsOn.begin(), p.dependsOn.end(), w->poolName) !=
                        p.dependsOn.end() &&
                    hasProcessIn(p.name))
                    dependantsDown = false;
            }
            if (dependantsDown)
                stopWorker(*w, Intent::Stop, "master shutdown");
        }
        // Cancel pending starts and backoffs.
        for (auto &[id, w] : workers) {
            if (w->info.state == WorkerState::Backoff || w->info.state == WorkerState::Pending) {
                ++w->generation;
                w->timer.reset();
            }
        }
        bool anyLeft = false;
        for (auto &[id, w] : workers) {
            if (api::hasProcess(w->info.state) && (w->spawnedByUs || !w->fromPidFile))
                anyLeft = true;
        }
        if (!anyLeft && shutdownDone) {
            auto done = std::move(shutdownDone);
            shutdownDone = nullptr;
            for (auto &[id, w] : workers) {
                if (w->fromPidFile && !w->spawnedByUs) {
                    w->pidfd.reset(); // stop watching; it keeps running
                }
            }
            addEvent("master.stopped", "", "every worker stopped");
            asio::post(io, std::move(done));
        }
    }

    // ---- usage sampling ---------------------------------------------------------------

    void scheduleSample()
    {
        sampleTimer.expires_after(options.sampleInterval);
        sampleTimer.async_wait(
            [this, alive = std::weak_ptr<bool>(aliveToken)](const boost::system::error_code &ec) {
                if (ec || alive.expired())
                    return;
                sample();
                scheduleSample();
            });
    }

    /// An idle worker's or unchanged pool's series are held in the metrics store: they go on
    /// at every sample without being recorded, until a value changes or the process ends.
    template <class Owner>
    void holdSeries(Owner &o)
    {
        if (o.seriesHeld || o.series[0].empty())
            return;
        for (MetricsStore::Handle &h : o.series)
            metrics->hold(h);
        o.seriesHeld = true;
    }

    template <class Owner>
    void releaseSeries(Owner &o, std::int64_t t)
    {
        if (!o.seriesHeld)
            return;
        for (MetricsStore::Handle &h : o.series)
            metrics->release(h, t);
        o.seriesHeld = false;
    }

    /// Rotates a worker's log once it is past its size (copy-truncate, docs/operations.md).
    void rotateLog(const std::string &id, const Worker &w)
    {
        config::LogSpec logs;
        if (auto *p = poolSpec(w))
            logs = p->logs;
        auto rotated = logfile::rotateIfLarger(state->logPath(id), logs.maxSize, logs.files);
        if (!rotated.ok())
            spdlog::warn("log.rotate worker={} error=\"{}\"", id, rotated.error().message);
    }

    /// Every 5th sample, the logs written to since the last time are checked for rotation:
    /// an inotify watch on the logs directory (IN_MODIFY, read without waiting) names them,
    /// so idle workers' logs cost nothing. Without inotify, or when its queue overflowed,
    /// every log is checked.
    int logWatchFd = -1;
    std::set<std::string> writtenLogs; ///< worker ids

    void watchLogs()
    {
        logWatchFd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (logWatchFd >= 0 &&
            ::inotify_add_watch(logWatchFd, (state->dir() + "/logs").c_str(), IN_MODIFY) < 0) {
            ::close(logWatchFd);
            logWatchFd = -1;
        }
        if (logWatchFd < 0)
            spdlog::warn("log.watch off: {}; every log is checked for rotation",
                         std::strerror(errno));
    }

    void rotateLogs()
    {
        bool all = logWatchFd < 0;
        alignas(inotify_event) char buffer[16384];
        while (logWatchFd >= 0) {
            ssize_t n = ::read(logWatchFd, buffer, sizeof buffer);
            if (n <= 0)
                break;
            for (ssize_t at = 0; at < n;) {
                const auto *e = reinterpret_cast<const inotify_event *>(buffer + at);
                std::string_view name(e->len ? e->name : "");
                name = name.substr(0, name.find('\0'));
                if (e->mask & IN_Q_OVERFLOW)
                    all = true;
                else if (name.size() > 4 && name.substr(name.size() - 4) == ".log")
                    writtenLogs.emplace(name.substr(0, name.size() - 4));
                at += ssize_t(sizeof(inotify_event) + e->len);
            }
        }
        if (all) {
            for (auto &[id, w] : workers)
                rotateLog(id, *w);
        } else {
            for (const std::string &id : writtenLogs) {
                if (auto it = workers.find(id); it != workers.end())
                    rotateLog(id, *it->second);
            }
        }
        writtenLogs.clear();
    }

    void sample()
    {
        std::int64_t t = nowMs();
        double mono = std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
        ++sampleTick;
        refreshLists();
        for (Sampled &e : workerList) {
            if (e.skip > 0) {
                --e.skip; // its series are held: its last values go on, recorded by nobody
                continue;
            }
            const std::string &id = *e.id;
            Worker &w = *e.worker;
            if (!w.reader || !api::hasProcess(w.info.state)) {
                releaseSeries(w, t);
                continue;
            }
            // A worker that does not run is looked at less and less often (every 2, 4, then
            // 8 samples), as cAdvisor's dynamic housekeeping does: a process that did not run
            // changed none of its figures, so the last ones are recorded again meanwhile, and
            // any activity brings it back to every sample. A look is its CPU clock (one light
            // syscall); stat (RSS, threads) when it ran; open fds too every 10th sample
            // (staggered), when it ran since they were last counted.
            bool changed = false;
            {
                std::optional<std::uint64_t> ns = w.reader->cpuNs();
                bool ran = !ns || *ns != w.lastCpuNs;
                w.ranSinceFull = w.ranSinceFull || ran;
                bool full =
                    w.ranSinceFull && ((sampleTick + w.created) % 10 == 0 || w.info.rssBytes == 0);
                std::optional<ProcStat> st;
                if (ran || full) {
                    st = w.reader->read(full);
                    if (!st)
                        continue;
                    changed = st->rssBytes != w.info.rssBytes || st->threads != w.info.threads ||
                              (full && st->fds != w.info.fds);
                    w.info.rssBytes = st->rssBytes;
                    w.info.threads = st->threads;
                    if (full) {
                        w.info.fds = st->fds;
                        w.ranSinceFull = false;
                    }
                }
                if (ns)
                    w.lastCpuNs = *ns;
                double cpu = w.cpu.update(ns ? double(*ns) / 1e9 : st->cpuSeconds, mono);
                cpu = std::round(cpu * 10) / 10;
                changed = changed || cpu != w.info.cpuPercent;
                w.info.cpuPercent = cpu;
                w.idleLevel = ran ? 0 : std::min(w.idleLevel + 1, kMaxIdleLevel);
                if (!ran)
                    w.reader->release();
                e.skip = w.idleLevel ? (1 << (w.idleLevel + 1)) - 1 : 0;
            }
            if (w.seriesHeld && !changed)
                continue; // a look that found nothing new: the hold goes on
            if (w.series[0].empty()) {
                std::string prefix = "worker/" + id + "/";
                w.series = {MetricsStore::Handle(prefix + "cpu_percent"),
                            MetricsStore::Handle(prefix + "rss_bytes"),
                            MetricsStore::Handle(prefix + "threads"),
                            MetricsStore::Handle(prefix + "fds")};
            }
            metrics->record(w.series[0], t, w.info.cpuPercent);
            metrics->record(w.series[1], t, double(w.info.rssBytes));
            metrics->record(w.series[2], t, w.info.threads);
            if (w.info.fds >= 0)
                metrics->record(w.series[3], t, w.info.fds);
            w.seriesHeld = false; // recording ended the hold
            if (e.skip > 0)
                holdSeries(w); // until the next look
            if (changed)
                publishWorker(w);
        }
        if (!selfReader)
            selfReader.emplace(int(getpid()));
        if (masterSeries[0].empty()) {
            masterSeries = {MetricsStore::Handle("master/cpu_percent"),
                            MetricsStore::Handle("master/rss_bytes"),
                            MetricsStore::Handle("master/threads"),
                            MetricsStore::Handle("master/fds"),
                            MetricsStore::Handle("master/workers"),
                            MetricsStore::Handle("master/clients")};
        }
        if (std::optional<ProcStat> st = selfReader->read(true)) {
            metrics->record(masterSeries[0], t, selfCpu.update(st->cpuSeconds, mono));
            metrics->record(masterSeries[1], t, double(st->rssBytes));
            metrics->record(masterSeries[2], t, st->threads);
            if (st->fds >= 0)
                metrics->record(masterSeries[3], t, st->fds);
        }
        metrics->record(masterSeries[4], t, double(workers.size()));
        if (clients >= 0)
            metrics->record(masterSeries[5], t, double(clients));
        // The counts of the pools that published new ones (publishPool keeps them current).
        for (const std::string &name : poolsToRecord) {
            auto found = pools.find(name);
            if (found == pools.end())
                continue; // removed meanwhile
            Pool &pool = found->second;
            pool.toRecord = false;
            const api::PoolInfo &info = pool.published;
            if (pool.series[0].empty()) {
                std::string prefix = "pool/" + name + "/";
                pool.series = {MetricsStore::Handle(prefix + "workers"),
                               MetricsStore::Handle(prefix + "running"),
                               MetricsStore::Handle(prefix + "ready"),
                               MetricsStore::Handle(prefix + "restarts")};
            }
            const std::array<double, 4> values{double(info.desired), double(info.running),
                                               double(info.ready), double(info.restarts)};
            if (pool.recordedOnce && values == pool.recorded) {
                holdSeries(pool);
                continue;
            }
            for (std::size_t i = 0; i < values.size(); ++i)
                metrics->record(pool.series[i], t, values[i]);
            pool.recorded = values;
            pool.recordedOnce = true;
            pool.seriesHeld = false;
            holdSeries(pool); // until its counts change again
        }
        poolsToRecord.clear();
        if (sampleTick % 5 == 0)
            rotateLogs();
        sendMetrics(t);
    }

    void sendMetrics(std::int64_t t)
    {
        lastBatchSlot = t - t % metrics->resolution().count();
        forEachSubscriber([this, t](Subscriber &sub) {
            if (sub.series.empty())
                return;
            api::MetricBatch batch;
            batch.timeMs = t;
            const std::int64_t slot = t - t % metrics->resolution().count();
            // A slot's points once, also when sampling is faster than the resolution.
            const bool newSlot = slot != sub.slotSent;
            sub.slotSent = slot;
            for (const std::string &s : sub.series) {
                std::vector<std::string> names;
                if (!s.empty() && s.back() == '/')
                    names = metrics->seriesNames(s);
                else
                    names.push_back(s);
                for (const std::string &name : names) {
                    MetricsStore::Point p;
                    if (newSlot && metrics->latest(name, p) && p.t == slot)
                        batch.points.push_back({name, p.v});
                }
                for (const api::MetricPoint &late : lateMetrics) {
                    if (late.series == s ||
                        (!s.empty() && s.back() == '/' && late.series.rfind(s, 0) == 0))
                        batch.points.push_back(late);
                }
            }
            if (!batch.points.empty())
                sub.listener->onMetrics(batch);
        });
        lateMetrics.clear();
    }

    // ---- requests -----------------------------------------------------------------------

    Worker *findWorker(const json &args, api::Reply &error)
    {
        std::string id = args.is_object() ? args.value("worker", std::string()) : std::string();
        if (id.empty()) {
            error = api::Error{"bad_request", "args.worker: the worker's id is required", {}};
            return nullptr;
        }
        auto it = workers.find(id);
        if (it == workers.end()) {
            error = api::Error{"not_found", "no worker \"" + id + "\"", {}};
            return nullptr;
        }
        return it->second.get();
    }

    void request(const std::string &op, const json &args, api::ReplyFn done)
    {
        api::Reply failure = json::object();
        if (shutting && (op == "worker.start" || op == "worker.restart" || op == "pool.scale")) {
            done(error("unavailable", "the master is shutting down"));
            return;
        }
        if (op == "worker.start" || op == "worker.stop" || op == "worker.restart") {
            Worker *w = findWorker(args, failure);
            if (!w) {
                done(failure);
                return;
            }
            std::string id = w->info.id;
            addEvent("worker.request", id, op + " " + id + " by an operator", {}, {}, "operator");
            if (op == "worker.start") {
                if (api::hasProcess(w->info.state)) {
                    done(json{{"worker", api::toJson(w->info)}, {"changed", false}});
                    return;
                }
                w->crashes.clear();
                w->backoffStep = 0;
                w->info.restarts = 0;
                ++w->generation;
                w->timer.reset();
                if (w->fromPidFile && adoptedSpec(*w) && adoptedSpec(*w)->command.empty()) {
                    adoptFromPidFile(*adoptedSpec(*w));
                } else {
                    spawn(*w);
                }
                done(json{{"worker", api::toJson(w->info)}, {"changed", true}});
                return;
            }
            if (op == "worker.stop") {
                stopWorker(*w, Intent::Stop, "operator", [this, id, done] {
                    auto it = workers.find(id);
                    done(it != workers.end() ? json{{"worker", api::toJson(it->second->info)}}
                                             : json::object());
                });
                return;
            }
            // restart: not a crash, so the restart count starts again
            if (w->fromPidFile && (!adoptedSpec(*w) || adoptedSpec(*w)->command.empty())) {
                done(error("conflict", "\"" + id +
                                           "\" is an adopted process with no command: it can "
                                           "be stopped but not restarted"));
                return;
            }
            w->crashes.clear();
            w->backoffStep = 0;
            w->info.restarts = 0;
            stopWorker(*w, Intent::Restart, "operator restart", [this, id, done] {
                auto it = workers.find(id);
                done(it != workers.end() ? json{{"worker", api::toJson(it->second->info)}}
                                         : json::object());
            });
            return;
        }
        if (op == "pool.scale") {
            std::string name = args.is_object() ? args.value("pool", std::string()) : "";
            auto it = pools.find(name);
            if (it == pools.end()) {
                done(error(name.empty() ? "bad_request" : "not_found",
                           name.empty() ? "args.pool: the pool's name is required"
                                        : "no pool \"" + name + "\""));
                return;
            }
            if (!args.contains("replicas") || !args["replicas"].is_number_integer()) {
                done(error("bad_request", "args.replicas: expected a whole number >= 0"));
                return;
            }
            long long n = args["replicas"].get<long long>();
            const config::PoolSpec *spec = poolSpec(name);
            int limit = spec && spec->ports ? spec->ports->size() : 10000;
            int lo = spec && spec->autoscale ? spec->autoscale->min : 0;
            int hi = spec && spec->autoscale ? spec->autoscale->max : limit;
            if (n < lo || n > hi) {
                done(error("bad_request", "args.replicas: " + std::to_string(n) +
                                              " is out of range for pool \"" + name + "\" (" +
                                              std::to_string(lo) + " to " + std::to_string(hi) +
                                              ")"));
                return;
            }
            Pool &pool = it->second;
            int before = pool.desired;
            pool.desired = int(n);
            addEvent("pool.scaled", name,
                     "pool " + name + " scaled from " + std::to_string(before) + " to " +
                         std::to_string(n),
                     {}, {}, "operator");
            reconcile(pool);
            publishPool(name);
            done(json{{"pool", api::toJson(poolInfo(pool))}});
            return;
        }
        if (op == "logs.tail") {
            Worker *w = findWorker(args, failure);
            if (!w) {
                done(failure);
                return;
            }
            int lines = args.value("lines", 100);
            if (lines < 0 || lines > 100000) {
                done(error("bad_request", "args.lines: expected 0 to 100000"));
                return;
            }
            // `up_to`: only the lines before that byte of the current file (a health failure's
            // log_offset).
            std::int64_t upTo = args.value("up_to", std::int64_t(-1));
            auto tail = logfile::tail(state->logPath(w->info.id), lines, 4u << 20,
                                      upTo < 0 ? UINT64_MAX : std::uint64_t(upTo));
            if (!tail.ok()) {
                done(tail.error());
                return;
            }
            done(json{
                {"worker", w->info.id}, {"file", state->logPath(w->info.id)}, {"lines", *tail}});
            return;
        }
        if (op == "worker.describe") {
            Worker *w = findWorker(args, failure);
            if (!w) {
                done(failure);
                return;
            }
            // The environment as the worker gets it less what it inherits from the master:
            // the runtime variables and the config's `env:`.
            std::optional<SpawnPlan> plan = spawnPlan(*w, {});
            json out{{"worker", w->info.id},
                     {"command", plan ? json(plan->argv) : json::array()},
                     {"cwd", plan ? plan->cwd : std::string()},
                     {"env", plan ? json(plan->env) : json::array()},
                     {"log", state->logPath(w->info.id)}};
            if (const config::AdoptedSpec *a = adoptedSpec(*w))
                out["pid_file"] = a->pidFile;
            done(std::move(out));
            return;
        }
        if (op == "metrics.query") {
            std::string series = args.is_object() ? args.value("series", std::string()) : "";
            if (series.empty()) {
                done(error("bad_request", "args.series: a series name is required"));
                return;
            }
            std::int64_t to = args.value("to", nowMs());
            std::int64_t from = args.value("from", to - metrics->retention().count());
            std::size_t maxPoints = args.value("max_points", std::size_t(0));
            json points = json::array();
            for (const MetricsStore::Point &p : metrics->query(series, from, to, maxPoints))
                points.push_back(json::array({p.t, p.v}));
            done(json{{"series", series}, {"points", std::move(points)}});
            return;
        }
        if (op == "events.query") {
            std::uint64_t after = args.value("after", std::uint64_t(0));
            std::size_t limit = std::min<std::size_t>(args.value("limit", 1000), 10000);
            std::string subject = args.value("subject", std::string());
            json out = json::array();
            for (auto it = events.rbegin(); it != events.rend() && out.size() < limit; ++it) {
                if (it->id <= after)
                    break;
                if (subject.empty() || it->subject == subject)
                    out.push_back(api::toJson(*it));
            }
            std::reverse(out.begin(), out.end());
            done(json{{"events", std::move(out)}});
            return;
        }
        if (op == "health.history") {
            Worker *w = findWorker(args, failure);
            if (!w) {
                done(failure);
                return;
            }
            std::int64_t to = args.value("to", std::numeric_limits<std::int64_t>::max());
            std::int64_t from = args.value("from", std::int64_t(0));
            std::string probe = args.value("probe", std::string());
            std::size_t limit = std::min<std::size_t>(args.value("limit", 1000), 100000);
            if (!probe.empty() && probe != "startup" && probe != "liveness" &&
                probe != "readiness") {
                done(
                    error("bad_request", "args.probe: one of startup, liveness, readiness, got \"" +
                                             probe + "\""));
                return;
            }
            json results = json::array();
            json transitions = json::array();
            if (w->health) {
                for (const api::HealthSample &h :
                     w->health->results(w->info.id, from, to, probe, limit))
                    results.push_back(api::toJson(h));
                for (const api::HealthTransition &t : w->health->transitions(from, to, probe))
                    transitions.push_back(api::toJson(t));
            }
            json probes = json::array();
            for (const api::ProbeStatus &p : w->info.probes)
                probes.push_back(api::toJson(p));
            done(json{{"worker", w->info.id},
                      {"probes", std::move(probes)},
                      {"results", std::move(results)},
                      {"transitions", std::move(transitions)},
                      {"kept_from", w->health ? w->health->keptFrom() : 0},
                      {"kept", w->health ? w->health->capacity() : 0}});
            return;
        }
        done(error("bad_request", "unknown op \"" + op + "\""));
    }
};

Engine::Engine(asio::io_context &io, EngineOptions options)
    : d(std::make_unique<Private>(io, std::move(options)))
{}

Engine::~Engine()
{
    // Leave the processes running and their records in place: the next master re-adopts.
    for (auto &[id, w] : d->workers) {
        if (w->pidfd)
            w->pidfd->close();
    }
    if (d->logWatchFd >= 0)
        ::close(d->logWatchFd);
    if (d->state)
        d->state->close();
}

api::Result<bool> Engine::start(std::shared_ptr<const config::Config> config)
{
    d->setConfig(std::move(config));
    d->raiseNofile();
    d->state.emplace(d->config->master.stateDir);
    if (auto problem = d->state->open())
        return error("unavailable", *problem);
    d->metrics = std::make_unique<MetricsStore>(d->config->master.metricsResolution,
                                                d->config->master.metricsRetention);
    d->execProber = std::make_unique<ExecProber>(d->io, d->config->master.maxExecProbes);
    if (d->options.cgroups) {
        d->cgroups = Cgroups::detect(d->options.cgroupParent);
        spdlog::info("master.cgroups {}", d->cgroups->describe());
    }
    for (const config::PoolSpec &spec : d->config->pools)
        d->addPool(spec);
    d->readopt();
    // Re-adopted workers belong to their pools, which are then started (topping them up).
    for (auto &[name, pool] : d->pools) {
        if (!d->poolWorkers(name).empty()) {
            pool.started = true;
            d->reconcile(pool);
        }
    }
    for (const config::AdoptedSpec &a : d->config->adopted)
        d->adoptFromPidFile(a);
    d->addEvent("master.started", "",
                "master started with " + d->config->file + " (" + d->config->summary().toString() +
                    ")",
                {}, d->configVersion());
    d->startWaitingPools();
    d->watchLogs();
    d->scheduleSample();
    return true;
}

void Engine::reload(std::shared_ptr<const config::Config> config)
{
    if (d->shutting)
        return;
    std::shared_ptr<const config::Config> old = d->config;
    const std::string oldVersion = d->configVersion();
    d->setConfig(std::move(config));
    d->execProber->setMaxRunning(d->config->master.maxExecProbes);
    for (auto &[id, w] : d->workers) {
        if (w->health)
            w->health->setCapacity(std::size_t(d->config->master.healthHistory));
    }
    // Removed pools and adopted entries stop; their workers are forgotten once stopped.
    for (auto &[name, pool] : d->pools) {
        if (!d->poolSpec(name) && !pool.removing) {
            pool.removing = true;
            d->addEvent("pool.removing", name, "pool " + name + " is no longer in the config");
        }
    }
    std::vector<std::string> gone;
    for (auto &[name, pool] : d->pools) {
        if (pool.removing)
            gone.push_back(name);
    }
    for (const std::string &name : gone) {
        std::vector<Private::Worker *> ws = d->poolWorkers(name);
        if (ws.empty()) {
            d->releaseSeries(d->pools[name], nowMs());
            d->pools.erase(name);
            d->listsStale = true;
            d->publish(api::DeltaKind::PoolRemoved, name);
            continue;
        }
        for (Private::Worker *w : ws)
            d->stopWorker(*w, Intent::Remove, "pool removed from the config");
    }
    std::vector<std::string> adoptedGone;
    for (auto &[id, w] : d->workers) {
        if (w->fromPidFile && !d->adoptedSpec(*w))
            adoptedGone.push_back(id);
    }
    for (const std::string &id : adoptedGone) {
        Private::Worker &w = *d->workers[id];
        if (w.spawnedByUs && api::hasProcess(w.info.state)) {
            d->stopWorker(w, Intent::Remove, "adopted entry removed from the config");
        } else {
            w.pidfd.reset();
            d->removeWorker(id);
        }
    }
    for (const config::PoolSpec &spec : d->config->pools) {
        auto it = d->pools.find(spec.name);
        if (it == d->pools.end()) {
            d->addPool(spec);
            d->addEvent("pool.added", spec.name, "pool " + spec.name + " added");
            continue;
        }
        Private::Pool &pool = it->second;
        const config::PoolSpec *before = old ? old->pool(spec.name) : nullptr;
        int oldStart = before ? before->workersAtStart() : pool.desired;
        if (spec.workersAtStart() != oldStart)
            pool.desired = spec.workersAtStart();
        if (spec.revision != pool.revision) {
            pool.revision = spec.revision;
            pool.rollingQueue.clear();
            for (Private::Worker *w : d->poolWorkers(spec.name)) {
                if (w->info.revision != spec.revision)
                    pool.rollingQueue.insert(w->info.index);
            }
            pool.rolling = !pool.rollingQueue.empty();
            d->addEvent("pool.revision", spec.name,
                        "pool " + spec.name + ": new revision " + spec.revision +
                            ", restarting its workers one at a time");
        }
        d->reconcile(pool);
        if (pool.rolling)
            d->continueRolling(pool);
        d->publishPool(spec.name);
    }
    for (const config::AdoptedSpec &a : d->config->adopted) {
        if (!d->workers.count(a.name))
            d->adoptFromPidFile(a);
    }
    // Probes are not part of the revision: changed ones apply to the running processes.
    for (auto &[id, w] : d->workers) {
        const config::ProbeSet *now = d->probeSet(*w);
        const config::ProbeSet *before = nullptr;
        if (old && w->fromPidFile) {
            for (const config::AdoptedSpec &a : old->adopted)
                before = a.name == w->poolName ? &a.probes : before;
        } else if (old) {
            const config::PoolSpec *p = old->pool(w->poolName);
            before = p ? &p->probes : nullptr;
        }
        if (now && before && !(*now == *before))
            d->reprobe(*w);
    }
    // The versions in from/to: a listener's config version follows the stream.
    d->addEvent("config.reloaded", "", "config reloaded from " + d->config->file, oldVersion,
                d->configVersion());
    d->startWaitingPools();
}

void Engine::shutdown(std::function<void()> done)
{
    if (d->shutting) {
        if (!d->shutdownDone) { // already done
            asio::post(d->io, std::move(done));
            return;
        }
        d->shutdownDone = [first = std::move(d->shutdownDone), then = std::move(done)] {
            first();
            then();
        };
        return;
    }
    d->shutting = true;
    d->shutdownDone = std::move(done);
    d->addEvent("master.stopping", "", "stopping every worker");
    d->continueShutdown();
}

bool Engine::shuttingDown() const
{
    return d->shutting;
}

std::uint64_t Engine::subscribe(std::shared_ptr<api::StreamListener> listener, std::uint64_t since)
{
    std::uint64_t id = ++d->subscriberCounter;
    bool resumed = false;
    if (since > 0 && since <= d->seq) {
        if (since == d->seq) {
            resumed = true;
        } else if (!d->ring.empty() && d->ring.front().seq <= since + 1) {
            for (const api::Delta &delta : d->ring) {
                if (delta.seq > since)
                    listener->onDelta(delta);
            }
            resumed = true;
        }
    }
    if (!resumed)
        listener->onSnapshot(d->snapshot());
    d->subscribers[id] = Private::Subscriber{std::move(listener), {}};
    return id;
}

void Engine::unsubscribe(std::uint64_t subscription)
{
    d->subscribers.erase(subscription);
}

std::uint64_t Engine::followLogs(const json &args, api::LogLinesFn onLines, api::ReplyFn done)
{
    if (!d->config) {
        done(error("unavailable", "the engine has not started"));
        return 0;
    }
    api::Reply failure = json::object();
    Private::Worker *w = nullptr;
    int lines = 10;
    try {
        w = d->findWorker(args, failure);
        if (w)
            lines = args.value("lines", 10);
    } catch (const json::exception &e) {
        failure = error("bad_request",
                        std::string("args: a field has the wrong type (") + e.what() + ")");
        w = nullptr;
    }
    if (!w) {
        done(failure);
        return 0;
    }
    if (lines < 0 || lines > 100000) {
        done(error("bad_request", "args.lines: expected 0 to 100000"));
        return 0;
    }
    const std::string path = d->state->logPath(w->info.id);
    if (auto fd = logfile::openForAppend(path); fd.ok()) // a worker that never ran has none yet
        ::close(*fd);
    std::uint64_t id = ++d->logFollowCounter;
    auto follower = std::make_unique<LogFollower>(
        d->io, path, [onLines = std::move(onLines)](std::vector<std::string> batch) {
            onLines(api::LogLines{std::move(batch), 0});
        });
    if (!follower->error().empty()) {
        done(error("unavailable", follower->error()));
        return 0;
    }
    // Up to where the follower starts: no line missing between the two, none twice.
    auto tail = logfile::tail(path, lines, 4u << 20, follower->startOffset());
    if (!tail.ok()) {
        done(tail.error());
        return 0;
    }
    d->logFollows.emplace(id, std::move(follower));
    done(json{{"worker", w->info.id}, {"file", path}, {"lines", *tail}, {"follow", id}});
    return id;
}

void Engine::unfollowLogs(std::uint64_t follow)
{
    d->logFollows.erase(follow);
}

void Engine::setMetricSeries(std::uint64_t subscription, std::vector<std::string> series)
{
    if (auto it = d->subscribers.find(subscription); it != d->subscribers.end())
        it->second.series = std::move(series);
}

void Engine::request(const std::string &op, const json &args, api::ReplyFn done)
{
    if (!d->config) {
        done(error("unavailable", "the engine has not started"));
        return;
    }
    // A field of the wrong type (`"lines": "many"`) is the client's error, never the master's
    // end: json's type errors become bad_request, and the request still gets one reply.
    auto replied = std::make_shared<bool>(false);
    api::ReplyFn once = [done = std::move(done), replied](api::Reply r) {
        if (!*replied) {
            *replied = true;
            done(std::move(r));
        }
    };
    if (args.is_object()) {
        for (const auto &[key, value] : args.items()) {
            if (value.is_number_float() && !(std::abs(value.get<double>()) < 9.0e18)) { // NaN too
                once(error("bad_request", "args." + key + ": the number is out of range"));
                return;
            }
        }
    }
    try {
        if (op == "config.get")
            once(getConfig(*this));
        else if (op == "config.validate")
            once(validateConfig(*this, args));
        else if (op == "config.apply")
            once(applyConfig(*this, args));
        else
            d->request(op, args, once);
    } catch (const json::exception &e) {
        if (!*replied)
            once(error("bad_request",
                       std::string("args: a field has the wrong type (") + e.what() + ")"));
    }
}

void Engine::addEvent(const std::string &kind, const std::string &subject,
                      const std::string &message, const std::string &reason)
{
    d->addEvent(kind, subject, message, {}, {}, reason);
}

api::Snapshot Engine::snapshot() const
{
    return d->snapshot();
}

std::shared_ptr<const config::Config> Engine::config() const
{
    return d->config;
}

std::string Engine::configVersion() const
{
    return d->config ? d->configVersion() : std::string();
}

void Engine::setClients(int clients)
{
    d->clients = clients;
}

const MetricsStore &Engine::metrics() const
{
    return *d->metrics;
}

std::string Engine::stateDir() const
{
    return d->state ? d->state->dir() : std::string();
}

} // namespace drover::engine
