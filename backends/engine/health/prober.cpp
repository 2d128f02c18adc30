#include "engine/health/prober.h"

#include "api/clock.h"
#include "config/secrets.h"
#include "engine/engine.h"
#include "engine/health/probe.h"
#include "engine/logfile.h"
#include "engine/loop.h"
#include "engine/registry.h"
#include "engine/spawnplan.h"
#include "engine/specs.h"
#include "engine/statestore.h"
#include "engine/stream.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace drover::engine {

namespace asio = boost::asio;
using api::nowMs;
using api::WorkerState;
using lifecycle::Event;
using namespace std::chrono_literals;

namespace {

/// A probe's target as every role may see it in WorkerInfo: the values of the worker's
/// secret `env:` entries, and of query parameters with secret-looking names
/// (`?token=...`), read `<hidden>`.
std::string describeTarget(const ProbeTarget &target, const std::map<std::string, std::string> &env,
                           const std::vector<std::string> &secretEnv)
{
    std::string text = target.describe();
    const std::string hidden(config::kHiddenValue);
    for (const auto &[name, value] : env) {
        if (value.size() < 4 || (!config::looksSecret(name) &&
                                 !std::binary_search(secretEnv.begin(), secretEnv.end(), name)))
            continue;
        for (std::size_t at = text.find(value); at != std::string::npos;
             at = text.find(value, at + hidden.size()))
            text.replace(at, value.size(), hidden);
    }
    const std::size_t query = text.find('?');
    if (target.kind == config::ProbeKind::Http && query != std::string::npos) {
        std::string out = text.substr(0, query + 1);
        std::string_view rest = std::string_view(text).substr(query + 1);
        for (bool first = true;; first = false) {
            const std::size_t amp = rest.find('&');
            const std::string_view part = rest.substr(0, amp);
            const std::size_t eq = part.find('=');
            if (!first)
                out += '&';
            if (eq != std::string_view::npos && config::looksSecret(part.substr(0, eq)))
                out += std::string(part.substr(0, eq + 1)) + hidden;
            else
                out += part;
            if (amp == std::string_view::npos)
                break;
            rest.remove_prefix(amp + 1);
        }
        text = std::move(out);
    }
    return text;
}

} // namespace

ProbeRun::ProbeRun() = default;
ProbeRun::~ProbeRun() = default;
ProbeRun::ProbeRun(ProbeRun &&) noexcept = default;
ProbeRun &ProbeRun::operator=(ProbeRun &&) noexcept = default;

struct Prober::Private
{
    Loop &loop;
    Registry &registry;
    const ConfigView &config;
    Stream &stream;
    MetricsStore &metrics;
    const EngineOptions &options;
    const StateStore &state;
    Notices &notices;
    std::unique_ptr<ExecProber> execProber;
    std::uint64_t runCounter = 0;

    /// Checks are due on a grid of this step: those due within one step start together, in
    /// one wake-up of the loop, and their answers come back close together (on a 2-core VM a
    /// wake-up costs more than a check's own work). Like the kernel's timer slack.
    static constexpr auto kStep = std::chrono::milliseconds(10);
    /// How soon a hurried probe checks again after a failure: a refused connection costs
    /// the loop a few microseconds, and the worker takes traffic within this of listening.
    static constexpr auto kHurried = std::chrono::milliseconds(3);

    static WorkerProbes &probes(Worker &w)
    {
        if (!w.probes)
            w.probes = std::make_unique<WorkerProbes>();
        return *w.probes;
    }

    static ProbeRun *run(Worker &w, ProbeRole role)
    {
        if (!w.probes)
            return nullptr;
        for (ProbeRun &r : w.probes->runs) {
            if (r.role == role)
                return &r;
        }
        return nullptr;
    }

    /// The run a timer or a check was started for; none when the probes were made again since
    /// (a new process, a reload).
    static ProbeRun *runBySerial(Worker &w, std::uint64_t serial)
    {
        if (!w.probes)
            return nullptr;
        for (ProbeRun &r : w.probes->runs) {
            if (r.serial == serial)
                return &r;
        }
        return nullptr;
    }

    static void stopAll(Worker &w)
    {
        if (!w.probes)
            return;
        for (ProbeRun &r : w.probes->runs)
            r.timer.reset(); // a check on its way is dropped when it answers
    }

    /// Running, and ready unless it has a readiness probe (then the probe decides).
    void markUp(Worker &w, std::string reason)
    {
        registry.transition(w, Event::Up, std::move(reason));
        const config::ProbeSet *set = config.probes(w);
        if (!set || !set->readiness)
            registry.transition(w, Event::ReadinessOk, "no readiness probe");
    }

    /// The probes of `w`'s current process, their placeholders filled for this worker.
    void make(Worker &w)
    {
        stopAll(w);
        WorkerProbes &p = probes(w);
        p.runs.clear();
        std::vector<api::ProbeStatus> statuses;
        const config::ProbeSet *set = config.probes(w);
        if (!set || set->count() == 0) {
            registry.setProbes(w, {});
            return;
        }
        const api::WorkerInfo &info = w.info();
        WorkerVars vars{info.id, info.pool, info.index, info.port, {}};
        std::vector<std::string> env;
        std::string cwd = config->baseDir;
        bool exec = false;
        for (const auto *spec : {&set->startup, &set->liveness, &set->readiness})
            exec = exec || (*spec && (*spec)->kind == config::ProbeKind::Exec);
        if (const config::PoolSpec *pool = config.templateOf(w)) { // its revision's
            vars.revision = pool->revision;
            if (exec) { // an exec probe runs with the worker's environment and directory
                SpawnPlan plan = planSpawn(*pool, vars, options.masterEnv);
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
        const std::string prefix = "worker/" + info.id + "/probe/";
        static const std::map<std::string, std::string> noEnv;
        static const std::vector<std::string> noNames;
        const std::map<std::string, std::string> *secretEnv = &noEnv;
        const std::vector<std::string> *secretNames = &noNames;
        if (const config::PoolSpec *pool = config.pool(w)) {
            secretEnv = &pool->env;
            secretNames = &pool->secretEnv;
        } else if (const config::AdoptedSpec *adopted = config.adopted(w)) {
            secretEnv = &adopted->env;
            secretNames = &adopted->secretEnv;
        }
        for (auto [spec, role] : roles) {
            if (!*spec)
                continue;
            ProbeRun &r = p.runs.emplace_back();
            r.role = role;
            r.serial = ++runCounter;
            r.spec = **spec;
            auto target = makeProbeTarget(r.spec, vars, env, cwd);
            if (target.ok())
                r.target = std::make_shared<const ProbeTarget>(std::move(*target));
            else
                r.targetProblem = target.error().message;
            r.latency = MetricsStore::Handle(prefix + std::string(toString(role)) + "/latency_ms");
            api::ProbeStatus status;
            status.probe = std::string(toString(role));
            status.kind = std::string(toString(r.spec.kind));
            status.target =
                r.target ? describeTarget(*r.target, *secretEnv, *secretNames) : r.targetProblem;
            status.state = "pending";
            status.sinceMs = nowMs();
            statuses.push_back(std::move(status));
        }
        registry.setProbes(w, std::move(statuses));
    }

    /// The first check: `initial_delay` after the process came up; for a process found
    /// running, at a random point of the first interval after that.
    std::chrono::milliseconds firstDelay(const Worker &w, const ProbeRun &r, bool found)
    {
        auto elapsed =
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - w.probes->upAt);
        auto delay = std::max(0ms, r.spec.initialDelay - elapsed);
        if (found) {
            std::uniform_int_distribution<std::int64_t> spread(0, r.spec.interval.count());
            delay += std::chrono::milliseconds(spread(loop.rng));
        }
        return delay;
    }

    /// Liveness and readiness start once startup has passed (or at once without one).
    void scheduleLate(Worker &w, bool found)
    {
        for (ProbeRun &r : w.probes->runs) {
            if (r.role != ProbeRole::Startup)
                schedule(w, r, firstDelay(w, r, found));
        }
    }

    /// The next check of `r` after `delay`, on the grid of kStep unless `exact` (a hurried
    /// probe).
    void schedule(Worker &w, ProbeRun &r, std::chrono::milliseconds delay, bool exact = false)
    {
        if (!r.timer)
            r.timer = std::make_unique<Timer>(loop.io);
        if (exact) {
            r.timer->expires_after(delay);
        } else {
            auto due = (Clock::now() + delay).time_since_epoch();
            auto step = std::chrono::duration_cast<Clock::duration>(kStep);
            r.timer->expires_at(Clock::time_point((due + step - Clock::duration(1)) / step * step));
        }
        r.timer->async_wait([this, id = w.id(), serial = r.serial,
                             alive = loop.token()](const boost::system::error_code &ec) {
            if (ec || alive.expired())
                return;
            Worker *w = registry.find(id);
            if (!w)
                return;
            // A timer moved by hurry() after it had fired may fire twice: the check on its
            // way schedules the next one when it answers.
            if (ProbeRun *r = runBySerial(*w, serial); r && !r->inFlight)
                check(*w, *r);
        });
    }

    /// Whether a failed check of `r` should be tried again soon: requests wait for `w`.
    static bool hurried(const Worker &w, const ProbeRun &r)
    {
        return w.probes && w.probes->urgent && !r.done &&
               (r.role == ProbeRole::Startup ||
                (r.role == ProbeRole::Readiness && w.state() != WorkerState::Ready));
    }

    /// The delay of a hurried check: kHurried, but not before the probe's `initial_delay`.
    std::chrono::milliseconds hurriedDelay(const Worker &w, const ProbeRun &r) const
    {
        auto elapsed =
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - w.probes->upAt);
        return std::max(std::chrono::milliseconds(kHurried), r.spec.initialDelay - elapsed);
    }

    /// One check of one probe; its result comes back on the loop (a hung endpoint answers at
    /// its timeout). The next one is scheduled when it has answered.
    void check(Worker &w, ProbeRun &r)
    {
        if (!probing(w.state()))
            return;
        r.inFlight = true;
        ProbeDone done = [this, id = w.id(), serial = r.serial,
                          alive = loop.token()](ProbeOutcome out) {
            if (alive.expired())
                return; // the engine is gone (a check answers after its timeout at the latest)
            Worker *w = registry.find(id);
            ProbeRun *r = w ? runBySerial(*w, serial) : nullptr;
            if (!r)
                return;
            r->inFlight = false;
            if (probing(w->state()) && r->timer && !r->done)
                checked(*w, *r, std::move(out));
        };
        if (!r.target) {
            asio::post(loop.io, [done = std::move(done), why = r.targetProblem] {
                done(ProbeOutcome{false, 0, why, {}});
            });
            return;
        }
        switch (r.target->kind) {
        case config::ProbeKind::Http:
            if (!r.http)
                r.http = makeHttpProbeConnection(loop.io);
            runHttpProbe(*r.http, r.target, std::move(done));
            break;
        case config::ProbeKind::Tcp:
            runTcpProbe(loop.io, *r.target, std::move(done));
            break;
        case config::ProbeKind::Grpc:
            runGrpcProbe(loop.io, *r.target, std::move(done));
            break;
        case config::ProbeKind::Exec:
            execProber->run(*r.target, std::move(done));
            break;
        }
    }

    void checked(Worker &w, ProbeRun &r, ProbeOutcome out);
};

void Prober::Private::checked(Worker &w, ProbeRun &r, ProbeOutcome out)
{
    const std::int64_t t = nowMs();
    const std::string role(toString(r.role));
    const std::string kind(toString(r.spec.kind));
    WorkerProbes &p = *w.probes;
    if (!p.history)
        p.history = std::make_unique<HealthHistory>(std::size_t(config->master.healthHistory));
    // A failure remembers how far the log had got, for the lines written before it.
    std::int64_t logOffset = -1;
    if (!out.ok)
        logOffset = std::int64_t(logfile::sizeOf(state.logPath(w.id())).value_or(-1));
    p.history->add(r.role, r.spec.kind, t, out.ok, out.latencyMs, out.message, out.excerpt,
                   logOffset);
    const double latency = std::round(out.latencyMs * 100) / 100;
    metrics.record(r.latency, t, latency);
    stream.recordedLate(r.latency.name(), latency, t, metrics.resolution().count());
    stream.publish(api::DeltaKind::HealthSampled,
                   api::HealthSample{w.id(), role, kind, t, out.ok, out.latencyMs, out.message,
                                     out.excerpt, logOffset});

    const ProbeVerdict::State before = r.verdict.state();
    const ProbeVerdict::Change change =
        r.verdict.add(out.ok, r.spec.successThreshold, r.spec.failureThreshold);
    auto next = [&] {
        if (!out.ok && hurried(w, r)) {
            schedule(w, r, hurriedDelay(w, r), true);
            return;
        }
        // Every interval, give or take 10 %: workers started together drift apart.
        std::uniform_real_distribution<double> jitter(0.9, 1.1);
        auto interval = std::chrono::milliseconds(
            std::llround(double(r.spec.interval.count()) * jitter(loop.rng)));
        auto took = std::chrono::milliseconds(std::llround(out.latencyMs));
        schedule(w, r, std::max(0ms, interval - took));
    };
    if (change == ProbeVerdict::Change::None) {
        // A probe that stays failing for another reason (refused, then 503) shows the latest.
        if (!out.ok && r.verdict.state() == ProbeVerdict::State::Failing) {
            for (const api::ProbeStatus &status : w.info().probes) {
                if (status.probe == role && status.message != out.message) {
                    registry.setProbe(w, role, status.state, status.sinceMs, out.message);
                    registry.publish(w);
                    break;
                }
            }
        }
        next();
        return;
    }
    const bool passed = change == ProbeVerdict::Change::Passed;
    std::string reason = passed
                             ? (r.verdict.successes() > 1
                                    ? std::to_string(r.verdict.successes()) + " passes in a row: "
                                    : std::string())
                             : (r.verdict.failures() > 1
                                    ? std::to_string(r.verdict.failures()) + " failures in a row: "
                                    : std::string());
    reason += out.message;
    api::HealthTransition transition{
        w.id(), role, t, std::string(toString(before)), std::string(toString(r.verdict.state())),
        reason};
    p.history->addTransition(transition);
    registry.setProbe(w, role, transition.to, t, out.message);
    spdlog::info("probe.changed worker={} probe={} from={} to={} reason=\"{}\"", w.id(), role,
                 transition.from, transition.to, reason);
    stream.addEvent("probe.changed", w.id(),
                    w.id() + ": " + role + " probe " + transition.to + " (" + reason + ")",
                    transition.from, transition.to, "probe:" + role);

    switch (r.role) {
    case ProbeRole::Startup:
        if (passed) {
            r.done = true;
            r.timer.reset();
            markUp(w, "probe:startup passed (" + reason + ")");
            if (probing(w.state()))
                scheduleLate(w, false);
        } else {
            notices.unhealthy(w, "probe:startup", reason);
        }
        return;
    case ProbeRole::Liveness:
        if (!passed) {
            notices.unhealthy(w, "probe:liveness", reason);
            return;
        }
        registry.publish(w);
        break;
    case ProbeRole::Readiness:
        if (passed && w.state() == WorkerState::Running)
            registry.transition(w, Event::ReadinessOk, "probe:readiness passed (" + reason + ")");
        else if (!passed && w.state() == WorkerState::Ready)
            registry.transition(w, Event::ReadinessLost, "probe:readiness failed (" + reason + ")");
        else
            registry.publish(w);
        break;
    }
    next();
}

Prober::Prober(Loop &loop, Registry &registry, const ConfigView &config, Stream &stream,
               MetricsStore &metrics, const EngineOptions &options, const StateStore &state,
               Notices &notices)
    : d(std::make_unique<Private>(
          Private{loop, registry, config, stream, metrics, options, state, notices, nullptr, 0}))
{
    d->execProber = std::make_unique<ExecProber>(loop.io, config->master.maxExecProbes);
}

Prober::~Prober() = default;

bool Prober::probing(WorkerState s)
{
    return s == WorkerState::Starting || s == WorkerState::Running || s == WorkerState::Ready;
}

void Prober::processUp(Worker &w, std::string reason, bool found)
{
    d->probes(w).upAt = Clock::now();
    d->make(w);
    ProbeRun *startup = d->run(w, ProbeRole::Startup);
    if (!startup) {
        d->markUp(w, std::move(reason));
        if (probing(w.state()))
            d->scheduleLate(w, found);
        return;
    }
    if (w.state() != WorkerState::Starting)
        d->registry.transition(w, Event::Attached, reason);
    d->schedule(w, *startup, d->firstDelay(w, *startup, found));
}

void Prober::reprobe(Worker &w)
{
    if (!probing(w.state()))
        return; // its next process gets them
    const bool starting = w.state() == WorkerState::Starting;
    d->make(w);
    d->stream.addEvent("probe.reconfigured", w.id(), w.id() + ": probes changed by the config");
    ProbeRun *startup = d->run(w, ProbeRole::Startup);
    if (starting && startup) {
        d->schedule(w, *startup, d->firstDelay(w, *startup, false));
        return;
    }
    if (starting) {
        d->markUp(w, "startup probe removed from the config");
    } else if (startup) {
        startup->done = true;
        d->registry.setProbe(w, "startup", "passing", nowMs(),
                             "up before this probe was configured");
    }
    if (w.state() == WorkerState::Running && !d->run(w, ProbeRole::Readiness))
        d->registry.transition(w, Event::ReadinessOk, "no readiness probe");
    if (probing(w.state()))
        d->scheduleLate(w, true);
    d->registry.publish(w);
}

void Prober::stateChanged(Worker &w)
{
    if (w.probes && (!probing(w.state()) || w.state() == WorkerState::Ready))
        w.probes->urgent = false;
    if (!probing(w.state()))
        d->stopAll(w);
}

void Prober::hurry(Worker &w)
{
    if (!probing(w.state()) || w.state() == WorkerState::Ready)
        return;
    WorkerProbes &p = d->probes(w);
    if (p.urgent)
        return;
    p.urgent = true;
    // Checks already scheduled an interval away come sooner; one on its way is answered
    // first (its failure then schedules the next one soon).
    for (ProbeRun &r : p.runs) {
        if (!r.timer || r.inFlight || !d->hurried(w, r) ||
            (r.role == ProbeRole::Readiness && w.state() == WorkerState::Starting))
            continue;
        const auto delay = d->hurriedDelay(w, r);
        if (r.timer->expiry() > Clock::now() + delay)
            d->schedule(w, r, delay, true);
    }
}

void Prober::setLimits(int maxExecProbes, std::size_t historyKept)
{
    d->execProber->setMaxRunning(maxExecProbes);
    for (const auto &[id, w] : d->registry.workers()) {
        if (w->probes && w->probes->history)
            w->probes->history->setCapacity(historyKept);
    }
}

} // namespace drover::engine
