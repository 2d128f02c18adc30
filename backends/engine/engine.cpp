// The engine's facade: it owns the rooms (rooms.h), starts them in order, applies a reload,
// shuts down in dependency order, and dispatches requests through the op table.
#include "engine/engine.h"

#include "api/clock.h"
#include "engine/ops/ops.h"
#include "engine/rooms.h"
#include "engine/runtime.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <sys/resource.h>
#include <unistd.h>

extern char **environ;

namespace drover::engine {

namespace asio = boost::asio;
using api::WorkerState;
using nlohmann::json;

namespace {

api::Error error(api::ErrorCode code, std::string message)
{
    return api::Error{code, std::move(message), {}};
}

} // namespace

struct Engine::Private : Rooms, Notices
{
    Private(asio::io_context &io, EngineOptions opts)
        : Rooms(io, std::move(opts))
    {
        if (options.masterEnv.empty()) {
            for (char **e = environ; e && *e; ++e)
                options.masterEnv.emplace_back(*e);
        }
        registry = std::make_unique<Registry>(stream, config, *this);
    }

    ~Private()
    {
        // The components first (their timers and watches), while the records they point
        // into are still there.
        sampler.reset();
        logs.reset();
        serving.reset();
        jobs.reset();
        pools.reset();
        rollouts.reset();
        supervisor.reset();
        prober.reset();
    }

    bool followUpScheduled = false;

    // ---- notices from the rooms -----------------------------------------------------

    void transitioned(Worker &w, WorkerState from) override
    {
        if (prober)
            prober->stateChanged(w);
        if (sampler)
            sampler->lookSoon(w); // a new process, or its series end now
        if (serving)
            serving->transitioned(w); // only ready workers take traffic
        if (jobs)
            jobs->transitioned(w, from); // a job's run started or ended
        // Pools waiting for dependencies, rollouts and shutdown move on after transitions:
        // once per turn of the loop however many workers changed, so stopping or starting
        // 1000 workers stays linear.
        if (from != w.state())
            loop.postOnce(followUpScheduled, [this] { followUp(); });
    }

    void unhealthy(Worker &w, std::string cause, std::string detail) override
    {
        supervisor->recover(w, std::move(cause), detail);
    }

    void followUp()
    {
        if (shutting)
            continueShutdown();
        else
            pools->followUp();
    }

    /// Each worker costs us a few descriptors (pidfd, /proc reader, log): a thousand of them
    /// do not fit the usual soft limit of 1024 (systemd's default for services). Raise ours
    /// to the hard limit; workers are given the old soft limit back.
    void raiseNofile()
    {
        rlimit rl{};
        if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
            return;
        const rlim_t before = rl.rlim_cur;
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

    /// Whether `w`'s process is one the shutdown stops and waits for.
    static bool stoppedOnShutdown(const Worker &w)
    {
        return w.hasProcess() &&
               (!w.fromPidFile || (w.process.runtime && w.process.runtime->stoppedOnShutdown()));
    }

    void sayNotActedOn();
    void continueShutdown()
    {
        if (!shutting)
            return;
        // A pool stops once every pool that depends on it has no process left.
        auto hasProcessIn = [&](const std::string &pool) {
            for (const auto &[id, w] : registry->workers()) {
                if (w->pool() == pool && stoppedOnShutdown(*w))
                    return true;
            }
            return false;
        };
        std::vector<Worker *> toStop;
        for (const auto &[id, w] : registry->workers()) {
            if (!stoppedOnShutdown(*w) || w->state() == WorkerState::Stopping)
                continue;
            bool dependantsDown = true;
            for (const config::PoolSpec &p : config->pools) {
                if (std::find(p.dependsOn.begin(), p.dependsOn.end(), w->pool()) !=
                        p.dependsOn.end() &&
                    hasProcessIn(p.name))
                    dependantsDown = false;
            }
            if (dependantsDown)
                toStop.push_back(w.get());
        }
        for (Worker *w : toStop)
            supervisor->stop(*w, Intent::Stop, "master shutdown");
        // Cancel pending starts and backoffs.
        for (const auto &[id, w] : registry->workers()) {
            if (w->state() == WorkerState::Backoff || w->state() == WorkerState::Pending)
                supervisor->cancel(*w);
        }
        const bool anyLeft =
            std::any_of(registry->workers().begin(), registry->workers().end(),
                        [](const auto &e) { return stoppedOnShutdown(*e.second); });
        if (!anyLeft && shutdownDone) {
            auto done = std::move(shutdownDone);
            shutdownDone = nullptr;
            for (const auto &[id, w] : registry->workers()) {
                if (w->fromPidFile && w->hasProcess())
                    supervisor->release(*w); // stop watching; it keeps running
            }
            stream.addEvent("master.stopped", "", "every worker stopped");
            // Stopped containers are being removed: at most 10 s more.
            if (containers)
                containers->whenIdle(std::move(done), std::chrono::seconds(10));
            else
                asio::post(loop.io, std::move(done));
        }
    }
};

void Engine::Private::sayNotActedOn()
{
    // Keys that are checked but do nothing yet are said, never silently accepted.
    for (const api::Diagnostic &notice : config->notActedOn) {
        spdlog::warn("config.not-acted-on {}", notice.toString());
        stream.addEvent("config.not-acted-on", "", notice.toString());
    }
}

Engine::Engine(asio::io_context &io, EngineOptions options)
    : d(std::make_unique<Private>(io, std::move(options)))
{}

Engine::~Engine()
{
    // Leave the processes running and their records in place: the next master re-adopts.
    if (d->supervisor)
        d->supervisor->abandon();
    if (d->state)
        d->state->close();
}

api::Result<bool> Engine::start(std::shared_ptr<const config::Config> config)
{
    Private &r = *d;
    r.config.set(std::move(config));
    r.raiseNofile();
    r.state.emplace(r.config->master.stateDir);
    if (auto problem = r.state->open())
        return error(api::ErrorCode::Unavailable, *problem);
    r.metrics = std::make_unique<MetricsStore>(r.config->master.metricsResolution,
                                               r.config->master.metricsRetention);
    r.registry->setMetrics(r.metrics.get());
    if (r.options.cgroups) {
        r.cgroups = Cgroups::detect(r.options.cgroupParent);
        spdlog::info("master.cgroups {}", r.cgroups->describe());
    }
    r.prober = std::make_unique<Prober>(r.loop, *r.registry, r.config, r.stream, *r.metrics,
                                        r.options, *r.state, r);
    r.supervisor = std::make_unique<Supervisor>(r.loop, *r.registry, r.config, *r.prober, *r.state,
                                                r.cgroups ? &*r.cgroups : nullptr, *r.metrics,
                                                r.options, r.inheritedNofileSoft, r.shutting);
    // podman is asked what it can do when the first container worker starts.
    std::string path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
    for (const std::string &e : r.options.masterEnv)
        if (e.starts_with("PATH="))
            path = e.substr(5);
    r.containers = std::make_unique<containers::Containers>(
        r.loop.io, config::shortDigest(r.state->dir()), path);
    r.containers->onSetup = [](const containers::PodmanSetup &setup) {
        spdlog::info("master.containers {}", setup.describe());
    };
    r.supervisor->setContainers(r.containers.get());
    r.rollouts = std::make_unique<Rollouts>(r.loop, *r.registry, r.config, *r.supervisor, r.stream,
                                            r.state->dir(), r.shutting);
    r.rollouts->load(); // the templates of earlier revisions, to roll back to
    r.pools = std::make_unique<Pools>(*r.registry, r.config, *r.supervisor, *r.rollouts, r.stream,
                                      r.shutting);
    r.jobs = std::make_unique<Jobs>(r.loop, *r.registry, r.config, *r.supervisor, r.stream,
                                    *r.state, r.shutting);
    r.jobs->load(); // the runs an earlier master kept, before re-adoption finds their workers
    r.logs = std::make_unique<LogRotation>(*r.registry, r.config, *r.state);
    r.sampler = std::make_unique<Sampler>(r.loop, *r.registry, r.stream, *r.metrics,
                                          r.options.sampleInterval, *r.logs);
    r.serving = std::make_unique<Serving>(r.loop, *r.registry, r.config, *r.pools, r.stream,
                                          *r.metrics, *r.prober);
    r.supervisor->setDrainer([&r](Worker &w, std::function<void()> drained) {
        return r.serving && r.serving->drain(w, std::move(drained));
    });
    r.rollouts->setRouter(
        [&r](const std::string &pool, const serve::Route &route) {
            if (r.serving)
                r.serving->route(pool, route);
        },
        [&r](const std::string &pool) {
            const serve::Gateway::CanaryCounts c =
                r.serving ? r.serving->canaryCounts(pool) : serve::Gateway::CanaryCounts{};
            return std::make_pair(c.requests, c.failures);
        });

    r.pools->addAll();
    r.supervisor->readopt();
    // Re-adopted workers belong to their pools, which are then started (topping them up).
    r.pools->startReadopted();
    for (const config::AdoptedSpec &a : r.config->adopted)
        r.supervisor->adoptFromPidFile(a);
    r.stream.addEvent("master.started", "",
                      "master started with " + r.config->file + " (" +
                          r.config->summary().toString() + ")",
                      {}, r.config.version());
    r.pools->startWaiting();
    r.jobs->start(); // runs missed while no master ran, then the schedules' timers
    r.serving->start();
    r.sayNotActedOn();
    r.logs->watch();
    r.sampler->setClients(r.clients);
    r.sampler->start();
    return true;
}

void Engine::reload(std::shared_ptr<const config::Config> config)
{
    Private &r = *d;
    if (r.shutting)
        return;
    std::shared_ptr<const config::Config> old = r.config.config();
    const std::string oldVersion = r.config.version();
    r.config.set(std::move(config));
    r.prober->setLimits(r.config->master.maxExecProbes,
                        std::size_t(r.config->master.healthHistory));
    r.pools->reload(old);
    r.jobs->reload();
    r.serving->reload();
    // Removed adopted entries: a process we started is stopped, one we only watched is left.
    std::vector<std::string> adoptedGone;
    for (const auto &[id, w] : r.registry->workers()) {
        if (w->fromPidFile && !r.config.adopted(*w))
            adoptedGone.push_back(id);
    }
    for (const std::string &id : adoptedGone) {
        Worker &w = *r.registry->find(id);
        if (w.hasProcess() && w.process.runtime && w.process.runtime->stoppedOnShutdown()) {
            r.supervisor->stop(w, Intent::Remove, "adopted entry removed from the config");
        } else {
            r.supervisor->release(w);
            r.supervisor->remove(id);
        }
    }
    for (const config::AdoptedSpec &a : r.config->adopted) {
        if (!r.registry->find(a.name))
            r.supervisor->adoptFromPidFile(a);
    }
    // Probes are not part of the revision: changed ones apply to the running processes.
    std::vector<Worker *> reprobe;
    for (const auto &[id, w] : r.registry->workers()) {
        const config::ProbeSet *now = r.config.probes(*w);
        const config::ProbeSet *before = nullptr;
        if (old && w->fromPidFile) {
            for (const config::AdoptedSpec &a : old->adopted)
                before = a.name == w->pool() ? &a.probes : before;
        } else if (old) {
            const config::PoolSpec *p = old->pool(w->pool());
            before = p ? &p->probes : nullptr;
        }
        if (now && before && !(*now == *before))
            reprobe.push_back(w.get());
    }
    for (Worker *w : reprobe)
        r.prober->reprobe(*w);
    // The versions in from/to: a listener's config version follows the stream.
    r.stream.addEvent("config.reloaded", "", "config reloaded from " + r.config->file, oldVersion,
                      r.config.version());
    r.sayNotActedOn();
    r.pools->startWaiting();
}

void Engine::shutdown(std::function<void()> done)
{
    Private &r = *d;
    if (r.shutting) {
        if (!r.shutdownDone) { // already done
            asio::post(r.loop.io, std::move(done));
            return;
        }
        r.shutdownDone = [first = std::move(r.shutdownDone), then = std::move(done)] {
            first();
            then();
        };
        return;
    }
    r.shutting = true;
    r.shutdownDone = std::move(done);
    if (r.jobs)
        r.jobs->stop(); // no more ticks
    if (r.serving)
        r.serving->close(); // no new requests; those in flight finish as their workers stop
    r.stream.addEvent("master.stopping", "", "stopping every worker");
    r.continueShutdown();
}

bool Engine::shuttingDown() const
{
    return d->shutting;
}

std::uint64_t Engine::subscribe(std::shared_ptr<api::StreamListener> listener, std::uint64_t since)
{
    return d->stream.subscribe(std::move(listener), since, [this] { return snapshot(); });
}

void Engine::unsubscribe(std::uint64_t subscription)
{
    d->stream.unsubscribe(subscription);
}

void Engine::setMetricSeries(std::uint64_t subscription, std::vector<std::string> series)
{
    d->stream.setMetricSeries(subscription, std::move(series));
}

std::uint64_t Engine::followLogs(const json &args, api::LogLinesFn onLines, api::ReplyFn done)
{
    Private &r = *d;
    if (!r.config) {
        done(error(api::ErrorCode::Unavailable, "the engine has not started"));
        return 0;
    }
    api::Reply failure = json::object();
    Worker *w = nullptr;
    int lines = 10;
    try {
        const std::string caller = "local";
        OpCall call{r,
                    *this,
                    args,
                    api::Role::Admin,
                    [&failure](api::Reply reply) { failure = std::move(reply); },
                    caller};
        w = ops::findWorker(call);
        if (w)
            lines = args.value("lines", 10);
    } catch (const json::exception &e) {
        failure = error(api::ErrorCode::BadRequest,
                        std::string("args: a field has the wrong type (") + e.what() + ")");
        w = nullptr;
    }
    if (!w) {
        done(failure);
        return 0;
    }
    if (lines < 0 || lines > 100000) {
        done(error(api::ErrorCode::BadRequest, "args.lines: expected 0 to 100000"));
        return 0;
    }
    const std::string path = r.state->logPath(w->id());
    if (auto fd = logfile::openForAppend(path); fd.ok()) // a worker that never ran has none yet
        ::close(*fd);
    const std::uint64_t id = ++r.logFollowCounter;
    auto follower = std::make_unique<LogFollower>(
        r.loop.io, path, [onLines = std::move(onLines)](std::vector<std::string> batch) {
            onLines(api::LogLines{std::move(batch), 0});
        });
    if (!follower->error().empty()) {
        done(error(api::ErrorCode::Unavailable, follower->error()));
        return 0;
    }
    // Up to where the follower starts: no line missing between the two, none twice.
    auto tail = logfile::tail(path, lines, 4u << 20, follower->startOffset());
    if (!tail.ok()) {
        done(tail.error());
        return 0;
    }
    r.logFollows.emplace(id, std::move(follower));
    done(json{{"worker", w->id()}, {"file", path}, {"lines", *tail}, {"follow", id}});
    return id;
}

void Engine::unfollowLogs(std::uint64_t follow)
{
    d->logFollows.erase(follow);
}

void Engine::request(const std::string &op, const json &args, api::ReplyFn done, api::Role role,
                     const std::string &caller)
{
    Private &r = *d;
    if (!r.config) {
        done(error(api::ErrorCode::Unavailable, "the engine has not started"));
        return;
    }
    // A field of the wrong type (`"lines": "many"`) is the client's error, never the master's
    // end: json's type errors become bad_request, and the request still gets one reply.
    auto replied = std::make_shared<bool>(false);
    api::ReplyFn once = [done = std::move(done), replied](api::Reply reply) {
        if (!*replied) {
            *replied = true;
            done(std::move(reply));
        }
    };
    if (args.is_object()) {
        for (const auto &[key, value] : args.items()) {
            if (value.is_number_float() && !(std::abs(value.get<double>()) < 9.0e18)) { // NaN too
                once(error(api::ErrorCode::BadRequest,
                           "args." + key + ": the number is out of range"));
                return;
            }
        }
    }
    const api::OpInfo *info = api::findOp(op);
    const OpHandler *handler = info ? opHandler(info->op) : nullptr;
    if (!handler) {
        once(error(api::ErrorCode::BadRequest, "unknown op \"" + op + "\""));
        return;
    }
    if (r.shutting && handler->refusedWhileShutting) {
        once(error(api::ErrorCode::Unavailable, "the master is shutting down"));
        return;
    }
    try {
        OpCall call{r, *this, args, role, once, caller};
        handler->handle(call);
    } catch (const json::exception &e) {
        if (!*replied)
            once(error(api::ErrorCode::BadRequest,
                       std::string("args: a field has the wrong type (") + e.what() + ")"));
    }
}

void Engine::addEvent(const std::string &kind, const std::string &subject,
                      const std::string &message, const std::string &reason)
{
    d->stream.addEvent(kind, subject, message, {}, {}, reason);
}

api::Snapshot Engine::snapshot() const
{
    api::Snapshot s = d->registry->snapshot();
    if (d->rollouts)
        s.rollouts = d->rollouts->infos();
    return s;
}

std::shared_ptr<const config::Config> Engine::config() const
{
    return d->config.config();
}

std::string Engine::configVersion() const
{
    return d->config.version();
}

void Engine::setClients(int clients)
{
    d->clients = clients;
    if (d->sampler)
        d->sampler->setClients(clients);
}

const MetricsStore &Engine::metrics() const
{
    return *d->metrics;
}

std::string Engine::stateDir() const
{
    return d->state ? d->state->dir() : std::string();
}

StartCosts Engine::startCosts() const
{
    return d->supervisor ? d->supervisor->startCosts() : StartCosts{};
}

StartCosts Engine::restartCosts() const
{
    return d->supervisor ? d->supervisor->restartCosts() : StartCosts{};
}

} // namespace drover::engine
