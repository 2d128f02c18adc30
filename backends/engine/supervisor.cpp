#include "engine/supervisor.h"

#include "api/clock.h"
#include "engine/cgroup.h"
#include "engine/containers/containers.h"
#include "engine/engine.h"
#include "engine/health/prober.h"
#include "engine/logfile.h"
#include "engine/loop.h"
#include "engine/runtime.h"
#include "engine/spawnplan.h"
#include "engine/specs.h"
#include "engine/statestore.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <stop_token>
#include <thread>
#include <unistd.h>

namespace drover::engine {

using api::nowMs;
using api::WorkerState;
using lifecycle::Event;
using namespace std::chrono_literals;

namespace {

double msSince(Clock::time_point t)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

} // namespace

Supervisor::Supervisor(Loop &loop, Registry &registry, const ConfigView &config, Prober &prober,
                       StateStore &state, Cgroups *cgroups, MetricsStore &metrics,
                       const EngineOptions &options,
                       std::optional<std::uint64_t> inheritedNofileSoft, const bool &shutting)
    : m_loop(loop)
    , m_registry(registry)
    , m_config(config)
    , m_prober(prober)
    , m_state(state)
    , m_cgroups(cgroups)
    , m_metrics(metrics)
    , m_options(options)
    , m_nofileSoft(inheritedNofileSoft)
    , m_shutting(shutting)
{}

Supervisor::~Supervisor() = default;

/// Creates the log files of workers waiting to be spawned, on a thread of its own, ahead of
/// the loop's spawns: a new file costs 0.1-1 ms of file-system work on this VM's ext4, which
/// the loop then does not wait for, as it opens a file that is there. It only creates; the
/// loop opens each file itself when it spawns the worker, whether or not this got there first.
class LogsAhead
{
public:
    explicit LogsAhead(std::vector<std::string> paths)
        : m_thread([this, paths = std::move(paths)](const std::stop_token &stop) {
            for (const std::string &path : paths) {
                if (stop.stop_requested())
                    break;
                if (api::Result<int> fd = logfile::openForAppend(path); fd.ok())
                    ::close(*fd);
            }
            m_done = true;
        })
    {}
    bool done() const { return m_done; }

private:
    std::atomic<bool> m_done{false};
    std::jthread m_thread; ///< last: stopped and joined before the flag goes
};

// ---- starting -----------------------------------------------------------------------------

void Supervisor::queueSpawn(Worker &w)
{
    m_spawnQueue.emplace_back(w.id(), w.sup.generation);
    ++m_queued;
    m_loop.postOnce(m_drainScheduled, [this] { drainSpawns(); });
}

void Supervisor::drainSpawns()
{
    // Many at once (start-up, a scale-up): their logs are made ahead, off the loop.
    const std::size_t fresh = std::min<std::size_t>(m_spawnQueue.size(), m_queued - m_logsAheadTo);
    if (fresh >= kLogsAheadFrom && (!m_logsAhead || m_logsAhead->done())) {
        std::vector<std::string> paths;
        paths.reserve(fresh);
        for (auto it = m_spawnQueue.end() - std::ptrdiff_t(fresh); it != m_spawnQueue.end(); ++it)
            paths.push_back(m_state.logPath(it->first));
        m_logsAhead = std::make_unique<LogsAhead>(std::move(paths));
        m_logsAheadTo = m_queued;
    }
    const Clock::time_point until = Clock::now() + kSpawnSlice;
    while (!m_spawnQueue.empty() && !m_shutting) {
        auto [id, gen] = std::move(m_spawnQueue.front());
        m_spawnQueue.pop_front();
        Worker *w = m_registry.find(id);
        if (!w || w->sup.generation != gen || w->state() != WorkerState::Pending ||
            w->sup.intent != Intent::Run)
            continue;
        spawn(*w);
        if (Clock::now() >= until)
            break;
    }
    if (m_shutting) {
        m_spawnQueue.clear();
        m_logsAhead.reset();
    } else if (!m_spawnQueue.empty())
        m_loop.postOnce(m_drainScheduled, [this] { drainSpawns(); });
}

std::optional<SpawnPlan> Supervisor::plan(const Worker &w,
                                          const std::vector<std::string> &baseEnv) const
{
    std::optional<SpawnPlan> plan;
    if (const config::PoolSpec *p = m_config.templateOf(w)) {
        WorkerVars vars{w.id(), w.pool(), w.info().index, w.info().port, p->revision};
        plan = planSpawn(*p, vars, baseEnv);
    } else if (const config::AdoptedSpec *a = m_config.adopted(w)) {
        config::PoolSpec asPool;
        asPool.name = a->name;
        asPool.command = a->command;
        asPool.cwd = a->cwd;
        asPool.env = a->env;
        WorkerVars vars{w.id(), w.pool(), 0, std::nullopt, {}};
        plan = planSpawn(asPool, vars, baseEnv);
    }
    if (plan && plan->cwd.empty())
        plan->cwd = m_config->baseDir;
    return plan;
}

bool Supervisor::spawn(Worker &w)
{
    Clock::time_point t0 = Clock::now();
    ++w.sup.generation;
    if (const config::PoolSpec *p = m_config.templateOf(w); p && p->container)
        return spawnContainer(w, *p);
    SpawnRequest req;
    config::LimitsSpec limits;
    std::string revision;
    if (std::optional<SpawnPlan> p = plan(w, m_options.masterEnv)) {
        req.argv = std::move(p->argv);
        req.cwd = std::move(p->cwd);
        req.env = std::move(p->env);
    }
    if (const config::PoolSpec *p = m_config.templateOf(w)) { // its revision's
        limits = p->limits;
        revision = p->revision;
    }
    if (req.argv.empty()) {
        m_registry.transition(w, Event::SpawnFailed, "no command to start it with");
        return false;
    }
    Clock::time_point t1 = Clock::now();

    // Limits: cgroups for memory, cpu and pids; setrlimit for nofile (and memory as
    // RLIMIT_AS where no cgroup can hold it).
    std::vector<std::string> applied, problems;
    // The worker keeps its groups across restarts (made once, limits rewritten here):
    // removing a v1 memory cgroup can take milliseconds, which a restart should not wait.
    WorkerCgroup &cgroup = w.process.cgroup;
    WorkerCgroup made = std::move(cgroup);
    cgroup = {};
    const bool cgroupLimits = limits.memory || limits.cpu || limits.pids;
    if (!cgroupLimits) {
        // No group without limits: making a worker's groups (a directory per v1
        // hierarchy) would be paid by every first start. The tree is the process group.
    } else if (m_cgroups && m_cgroups->mode() != Cgroups::Mode::None) {
        cgroup = made.written == limits && made.problems.empty()
                     ? m_cgroups->reopen(std::move(made))
                     : m_cgroups->create(w.id(), limits);
        req.cgroupTaskFds = cgroup.v1TaskFds;
        req.cgroupDir = cgroup.v2DirFd;
        req.cgroupProcs = cgroup.v2ProcsFd;
        applied = cgroup.applied;
        problems = cgroup.problems;
    } else {
        std::string why = m_cgroups ? m_cgroups->describe() : std::string("cgroups are off");
        if (limits.memory) {
            req.addressSpace = *limits.memory;
            applied.push_back("memory " + config::formatSize(*limits.memory) + " (RLIMIT_AS)");
            problems.push_back("memory: no cgroup (" + why +
                               "); enforced as an address-space limit (RLIMIT_AS) instead");
        }
        if (limits.cpu)
            problems.push_back("cpu: not applied (" + why + ")");
        if (limits.pids)
            problems.push_back("pids: not applied (" + why + ")");
    }
    if (limits.nofile) {
        req.nofile = std::uint64_t(*limits.nofile);
        applied.push_back("nofile " + std::to_string(*limits.nofile));
    } else {
        req.nofileSoft = m_nofileSoft;
    }
    m_registry.setLimits(w, std::move(applied), std::move(problems));
    Clock::time_point t2 = Clock::now();

    auto logFd = logfile::openForAppend(m_state.logPath(w.id()));
    if (!logFd.ok()) {
        cgroup.closeFds();
        m_registry.transition(w, Event::SpawnFailed,
                              "cannot open the log: " + logFd.error().message);
        return false;
    }
    req.outputFd = *logFd;
    Clock::time_point t3 = Clock::now();
    auto spawned = NativeRuntime::spawn(req);
    Clock::time_point t4 = Clock::now();
    ::close(*logFd);
    cgroup.closeFds();
    if (!spawned.ok()) {
        spdlog::warn("worker.spawn worker={} error=\"{}\"", w.id(), spawned.error().message);
        m_registry.transition(w, Event::SpawnFailed, spawned.error().message);
        return false;
    }
    m_registry.processStarted(w, spawned->pid, nowMs());
    m_registry.setRevision(w, revision);
    w.process.pgid = spawned->pid;
    w.process.runtime = std::make_unique<NativeRuntime>();
    w.sup.runningSince = Clock::now();
    w.sup.intent = Intent::Run;
    watch(w, spawned->pidfd, spawned->pid);
    if (spawned->startTime) {
        w.process.startTime = *spawned->startTime;
    } else { // through the usage reader's descriptor, which stays open for sampling
        std::optional<ProcStat> stat = w.usage.reader->read();
        w.process.startTime = stat ? stat->startTime : 0;
    }
    Clock::time_point t5 = Clock::now();
    saveRecord(w);
    Clock::time_point t6 = Clock::now();
    m_registry.transition(w, Event::Spawned, "spawned pid " + std::to_string(spawned->pid));
    m_prober.processUp(w, "started", false);

    for (StartCosts *costs : {&m_costs, m_exitSeen ? &m_restartCosts : nullptr}) {
        if (!costs)
            continue;
        costs->starts += 1;
        costs->planMs += std::chrono::duration<double, std::milli>(t1 - t0).count();
        costs->cgroupMs += std::chrono::duration<double, std::milli>(t2 - t1).count();
        costs->logMs += std::chrono::duration<double, std::milli>(t3 - t2).count();
        costs->spawnMs += std::chrono::duration<double, std::milli>(t4 - t3).count();
        costs->watchMs += std::chrono::duration<double, std::milli>(t5 - t4).count();
        costs->recordMs += std::chrono::duration<double, std::milli>(t6 - t5).count();
        costs->publishMs += msSince(t6);
    }
    if (m_exitSeen)
        m_restartCosts.exitMs +=
            std::chrono::duration<double, std::milli>(t0 - *m_exitSeen).count();
    return true;
}

void Supervisor::watch(Worker &w, int pidfd, int pid)
{
    w.process.exitWatch = std::make_unique<Watch>(m_loop.io, pidfd);
    w.process.exitWatch->async_wait(Watch::wait_read,
                                    [this, id = w.id(), gen = w.sup.generation,
                                     alive = m_loop.token()](const boost::system::error_code &ec) {
                                        if (ec || alive.expired())
                                            return;
                                        Worker *w = m_registry.find(id);
                                        if (w && w->sup.generation == gen)
                                            onExit(*w);
                                    });
    Usage &u = w.usage;
    u.reader.emplace(pid);
    u.lastCpuNs = ~0ull;
    u.ranSinceFull = true;
    u.idleLevel = 0;
}

void Supervisor::saveRecord(const Worker &w)
{
    WorkerRecord r;
    r.id = w.id();
    r.pool = w.pool();
    r.index = w.info().index;
    r.adopted = w.fromPidFile;
    r.pid = w.info().pid;
    r.pgid = w.process.pgid;
    r.startTime = w.process.startTime;
    r.startedAtMs = w.info().startedAtMs;
    r.revision = w.info().revision;
    r.port = w.info().port;
    r.restarts = w.info().restarts;
    r.container = w.process.containerId;
    if (auto problem = m_state.save(r))
        spdlog::error("state.save worker={} error=\"{}\"", w.id(), *problem);
}

// ---- exits --------------------------------------------------------------------------------

void Supervisor::signalTree(Worker &w, int sig)
{
    const int pid = w.info().pid;
    if (pid > 0) {
        if (w.process.pgid > 0 && w.process.pgid == pid)
            ::kill(-w.process.pgid, sig);
        else
            ::kill(pid, sig);
    }
    if (!w.process.cgroup.dirs.empty())
        Cgroups::signalAll(w.process.cgroup, sig);
}

void Supervisor::onExit(Worker &w)
{
    if (!w.process.containerId.empty() && m_containers) {
        // podman knows how a container ended, once conmon has recorded it.
        m_containers->ended(w.process.containerId,
                            [this, id = w.id(), gen = w.sup.generation](ExitStatus status) {
                                Worker *w = m_registry.find(id);
                                if (w && w->sup.generation == gen && w->hasProcess())
                                    onExit(*w, std::move(status));
                            });
        return;
    }
    ExitStatus status = w.process.runtime
                            ? w.process.runtime->reap(w.process.exitWatch->native_handle())
                            : ExitStatus{"exited", false};
    onExit(w, std::move(status));
}

void Supervisor::onExit(Worker &w, ExitStatus status)
{
    m_exitSeen = Clock::now();
    struct Clear
    {
        std::optional<Clock::time_point> &seen;
        ~Clear() { seen.reset(); }
    } clear{m_exitSeen};
    std::string how = std::move(status.how);
    // The tree goes with its leader: whatever it left behind is killed now, while the
    // leader's pid cannot be reused yet.
    if (w.process.pgid > 0 && w.process.pgid == w.info().pid)
        ::kill(-w.process.pgid, SIGKILL);
    if (!w.process.cgroup.dirs.empty()) {
        Cgroups::signalAll(w.process.cgroup, SIGKILL);
        if (how == "signal:SIGKILL" &&
            Cgroups::oomKills(w.process.cgroup) > w.process.cgroup.oomKillsAtStart)
            how = "limit:memory";
    }
    w.process.exitWatch.reset();
    w.usage.reader.reset();
    w.sup.timer.reset();
    releaseSeries(m_metrics, w.usage, nowMs());
    // A container stopped for good (by an operator, or the master's shutdown, which waits
    // for it) goes; one that restarts is replaced by its next run.
    std::string container = std::exchange(w.process.containerId, {});
    if (!container.empty() && m_containers &&
        (w.sup.intent == Intent::Stop || w.sup.intent == Intent::Remove))
        m_containers->remove(container);
    m_registry.setLastExit(w, how);
    spdlog::info("worker.exit worker={} pid={} how=\"{}\"", w.id(), w.info().pid, how);

    std::vector<std::function<void()>> callbacks;
    callbacks.swap(w.sup.whenDown);
    const std::string id = w.id();
    switch (w.sup.intent) {
    case Intent::Stop:
        m_registry.transition(w, Event::StoppedExit, w.sup.stopReason + " (" + how + ")");
        break;
    case Intent::Remove:
        m_registry.transition(w, Event::StoppedExit, w.sup.stopReason + " (" + how + ")");
        remove(id);
        break;
    case Intent::Restart:
        m_registry.transition(w, Event::Exit, w.sup.stopReason + " (" + how + ")");
        if (!m_shutting)
            spawn(w);
        break;
    case Intent::Run:
        onCrash(w, how, status.clean);
        break;
    case Intent::Recover:
        // A probe gave up on it: a failure whatever the exit code, restarted (with backoff,
        // counted) as the restart policy says.
        w.sup.intent = Intent::Run;
        m_registry.setLastExit(w, w.sup.recoverCause);
        onCrash(w, w.sup.stopReason + " (" + how + ")", false);
        break;
    }
    // Its record goes unless a replacement was spawned at once, whose record (written by
    // spawn()) took its place: one journal line less on the path of a restart. A master
    // lost in between finds the old record's process gone and starts the worker anew.
    if (Worker *now = m_registry.find(id); !now || !now->hasProcess())
        m_state.remove(id);
    for (auto &fn : callbacks)
        fn();
}

void Supervisor::onCrash(Worker &w, const std::string &how, bool clean)
{
    const config::RestartSpec &restart = m_config.restart(w);
    const bool canRestart = m_config.canStart(w);
    const auto now = Clock::now();
    RestartDecision decision;
    if (!m_shutting && canRestart) {
        std::uniform_real_distribution<double> draw(-1.0, 1.0);
        decision =
            decideRestart(restart, w.sup.crashes, now, w.sup.runningSince, clean, draw(m_loop.rng));
    }
    switch (decision.action) {
    case RestartDecision::Action::Stay:
        m_registry.transition(w, Event::Exit,
                              canRestart ? how : how + "; no command to restart it");
        if (w.fromPidFile && !canRestart)
            watchPidFileLater(w.id());
        return;
    case RestartDecision::Action::GiveUp:
        m_registry.countRestart(w);
        m_registry.transition(w, Event::GaveUp,
                              "restart limit: " + std::to_string(decision.crashes) +
                                  " crashes within " + config::formatDuration(restart.window) +
                                  " (last " + how + ")");
        return;
    case RestartDecision::Action::Restart:
        break;
    }
    m_registry.countRestart(w);
    // One transition: the delta says backoff, with how the process ended (last_exit) and
    // when it starts again.
    m_registry.transition(w, Event::ExitToBackoff,
                          "restart in " + config::formatDuration(decision.delay) + " (" + how + ")",
                          nowMs() + decision.delay.count());
    if (decision.delay.count() == 0)
        spawn(w); // no backoff: a timer would only add a turn of the loop to the restart
    else
        armTimer(w, decision.delay, WorkerState::Backoff, [this](Worker &w) { spawn(w); });
}

void Supervisor::armTimer(Worker &w, std::chrono::milliseconds delay, WorkerState state,
                          std::function<void(Worker &)> fn)
{
    w.sup.timer = std::make_unique<Timer>(m_loop.io, delay);
    w.sup.timer->async_wait([this, id = w.id(), gen = w.sup.generation, state, fn = std::move(fn),
                             alive = m_loop.token()](const boost::system::error_code &ec) {
        if (ec || alive.expired()) // an expired timer's handler may run after its owner went
            return;
        Worker *w = m_registry.find(id);
        if (w && w->sup.generation == gen && w->state() == state)
            fn(*w);
    });
}

// ---- stopping -----------------------------------------------------------------------------

void Supervisor::stop(Worker &w, Intent intent, std::string reason, std::function<void()> done)
{
    if (!w.hasProcess()) {
        cancel(w);
        const WorkerState s = w.state();
        if (intent == Intent::Remove) {
            const std::string id = w.id();
            if (s != WorkerState::Stopped)
                m_registry.transition(w, Event::Cancelled, reason);
            remove(id);
        } else if (intent == Intent::Restart) {
            spawn(w);
        } else if (s != WorkerState::Stopped &&
                   (s != WorkerState::Failed || intent == Intent::Stop)) {
            m_registry.transition(w, Event::Cancelled, reason);
        }
        if (done)
            done();
        return;
    }
    if (done)
        w.sup.whenDown.push_back(std::move(done));
    // Already stopping: only a stronger intent changes what happens after.
    if (w.state() == WorkerState::Stopping) {
        if (intent == Intent::Remove || w.sup.intent == Intent::Run)
            w.sup.intent = intent;
        return;
    }
    // Draining at its gateway: the stop comes once that is done, with the strongest intent.
    // A broken worker (Recover) is not waited for.
    if (w.sup.drainingFor) {
        if (intent != Intent::Recover) {
            if (intent == Intent::Remove)
                w.sup.drainingFor = {intent, std::move(reason)};
            return;
        }
        w.sup.drainingFor.reset();
    }
    if (intent != Intent::Recover && !w.sup.drained && m_drainer &&
        m_drainer(w, [this, id = w.id()] {
            Worker *w = m_registry.find(id);
            if (!w || !w->sup.drainingFor)
                return;
            auto [intent, reason] = std::move(*w->sup.drainingFor);
            w->sup.drainingFor.reset();
            w->sup.drained = true;
            stop(*w, intent, std::move(reason));
        })) {
        w.sup.drainingFor = {intent, std::move(reason)};
        return;
    }
    w.sup.drained = false;
    w.sup.intent = intent;
    w.sup.stopReason = reason;
    const config::StopSpec &spec = m_config.stop(w);
    m_registry.transition(w, Event::StopAsked,
                          reason + ": " + signalName(spec.signal) + ", SIGKILL after " +
                              config::formatDuration(spec.timeout));
    signalTree(w, spec.signal);
    armTimer(w, spec.timeout, WorkerState::Stopping, [this](Worker &w) {
        spdlog::warn("worker.kill worker={} reason=\"stop timeout\"", w.id());
        w.sup.stopReason += "; killed after the stop timeout";
        signalTree(w, SIGKILL);
    });
}

void Supervisor::recover(Worker &w, std::string cause, const std::string &detail)
{
    spdlog::warn("worker.unhealthy worker={} cause={} detail=\"{}\"", w.id(), cause, detail);
    w.sup.recoverCause = cause;
    stop(w, Intent::Recover, cause + " failed (" + detail + ")");
}

void Supervisor::cancel(Worker &w)
{
    ++w.sup.generation; // cancels a queued spawn and a backoff timer's start
    w.sup.timer.reset();
}

void Supervisor::remove(const std::string &id)
{
    Worker *w = m_registry.find(id);
    if (!w)
        return;
    Cgroups::remove(w->process.cgroup);
    m_state.remove(id);
    m_registry.remove(id);
}

void Supervisor::release(Worker &w)
{
    w.process.exitWatch.reset();
}

void Supervisor::abandon()
{
    for (const auto &[id, w] : m_registry.workers()) {
        if (w->process.exitWatch)
            w->process.exitWatch->close();
    }
}

} // namespace drover::engine
