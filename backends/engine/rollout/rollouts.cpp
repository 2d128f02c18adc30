#include "engine/rollout/rollouts.h"

#include "api/atomicfile.h"
#include "api/clock.h"
#include "config/secrets.h"
#include "engine/loop.h"
#include "engine/registry.h"
#include "engine/specs.h"
#include "engine/stream.h"
#include "engine/supervisor.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace drover::engine {

using api::WorkerState;
using nlohmann::json;
using rollout::Decision;

namespace {

api::Error error(api::ErrorCode code, std::string message)
{
    return api::Error{code, std::move(message), {}};
}

const std::deque<Rollouts::Revision> kNoHistory;
using Mode = serve::Route::Mode;

} // namespace

json templateJson(const config::PoolSpec &spec, bool showSecrets)
{
    json env = json::object();
    for (const auto &[k, v] : spec.env) {
        const bool secret = config::looksSecret(k) ||
                            std::binary_search(spec.secretEnv.begin(), spec.secretEnv.end(), k);
        env[k] = secret && !showSecrets ? std::string(config::kHiddenValue) : v;
    }
    json limits = json::object();
    if (spec.limits.memory)
        limits["memory"] = *spec.limits.memory;
    if (spec.limits.cpu)
        limits["cpu"] = *spec.limits.cpu;
    if (spec.limits.nofile)
        limits["nofile"] = *spec.limits.nofile;
    if (spec.limits.pids)
        limits["pids"] = *spec.limits.pids;
    json j{{"command", spec.command},
           {"cwd", spec.cwd},
           {"env", std::move(env)},
           {"limits", std::move(limits)}};
    if (spec.ports)
        j["ports"] = spec.ports->toString();
    return j;
}

Rollouts::Rollouts(Loop &loop, Registry &registry, ConfigView &config, Supervisor &supervisor,
                   Stream &stream, std::string stateDir, const bool &shutting)
    : m_loop(loop)
    , m_registry(registry)
    , m_config(config)
    , m_supervisor(supervisor)
    , m_stream(stream)
    , m_stateDir(std::move(stateDir))
    , m_shutting(shutting)
{}

Rollouts::~Rollouts() = default;

// ---- revision history -------------------------------------------------------------------

void Rollouts::load()
{
    const std::string path = m_stateDir + "/rollouts.json";
    auto text = api::readWholeFile(path);
    if (!text.ok())
        return; // none yet
    json j = json::parse(*text, nullptr, false);
    if (!j.is_object() || !j.contains("pools") || !j["pools"].is_object()) {
        spdlog::warn("rollout.history cannot read {}: not the expected JSON", path);
        return;
    }
    try {
        for (const auto &[name, entries] : j["pools"].items()) {
            const config::PoolSpec *now = m_config.pool(name);
            if (!now || !entries.is_array())
                continue; // a pool no longer in the config
            std::deque<Revision> &h = m_history[name];
            for (const json &e : entries) {
                auto spec = std::make_shared<config::PoolSpec>(*now);
                const json &t = e.at("template");
                spec->command = t.at("command").get<std::vector<std::string>>();
                spec->cwd = t.value("cwd", std::string());
                spec->env = t.at("env").get<std::map<std::string, std::string>>();
                spec->secretEnv = t.value("secret_env", std::vector<std::string>());
                spec->ports.reset();
                if (t.contains("ports")) {
                    const auto ports = t["ports"].get<std::vector<int>>();
                    if (ports.size() == 2)
                        spec->ports = config::PortRange{ports[0], ports[1]};
                }
                const json l = t.value("limits", json::object());
                spec->limits = {};
                if (l.contains("memory"))
                    spec->limits.memory = l["memory"].get<std::uint64_t>();
                if (l.contains("cpu"))
                    spec->limits.cpu = l["cpu"].get<double>();
                if (l.contains("nofile"))
                    spec->limits.nofile = l["nofile"].get<int>();
                if (l.contains("pids"))
                    spec->limits.pids = l["pids"].get<int>();
                spec->revision = e.at("revision").get<std::string>();
                Revision r{e.at("number").get<std::uint64_t>(), spec->revision,
                           e.value("cause", std::string()), e.value("time", std::int64_t(0)), spec};
                m_revisionNumbers[name] = std::max(m_revisionNumbers[name], r.number);
                if (h.size() < kHistory) {
                    m_config.keepTemplate(spec);
                    h.push_back(std::move(r));
                }
            }
        }
    } catch (const json::exception &e) {
        spdlog::warn("rollout.history cannot read {}: {}", path, e.what());
    }
}

void Rollouts::saveSoon()
{
    // Once per turn of the loop: a start with 1000 pools writes the file once.
    m_loop.postOnce(m_saveScheduled, [this] { save(); });
}

void Rollouts::save() const
{
    if (m_stateDir.empty())
        return;
    json pools = json::object();
    for (const auto &[name, h] : m_history) {
        json entries = json::array();
        for (const Revision &r : h) {
            json t = templateJson(*r.spec, true);
            t["secret_env"] = r.spec->secretEnv;
            if (r.spec->ports)
                t["ports"] = json::array({r.spec->ports->first, r.spec->ports->last});
            entries.push_back({{"number", r.number},
                               {"revision", r.revision},
                               {"cause", r.cause},
                               {"time", r.timeMs},
                               {"template", std::move(t)}});
        }
        pools[name] = std::move(entries);
    }
    // 0600: a template's env may hold secrets, as the config file does.
    auto written = api::writeFileAtomically(m_stateDir + "/rollouts.json",
                                            json{{"version", 1}, {"pools", pools}}.dump(1), 0600);
    if (!written.ok())
        spdlog::error("rollout.history cannot write: {}", written.error().message);
}

void Rollouts::remember(const config::PoolSpec &spec, const std::string &cause)
{
    std::deque<Revision> &h = m_history[spec.name];
    if (!h.empty() && h.front().revision == spec.revision)
        return;
    auto kept = std::make_shared<const config::PoolSpec>(spec);
    m_config.keepTemplate(kept);
    h.push_front({++m_revisionNumbers[spec.name], spec.revision, cause, api::nowMs(), kept});
    for (auto it = std::next(h.begin()); it != h.end(); ++it) {
        if (it->revision == spec.revision) { // used again: one entry, the newest
            h.erase(it);
            break;
        }
    }
    while (h.size() > kHistory) {
        m_config.dropTemplate(spec.name, h.back().revision);
        h.pop_back();
    }
    saveSoon();
}

void Rollouts::touch(const std::string &pool, const std::string &revision, const std::string &cause)
{
    std::deque<Revision> &h = m_history[pool];
    if (!h.empty() && h.front().revision == revision)
        return;
    for (auto it = h.begin(); it != h.end(); ++it) {
        if (it->revision == revision) {
            Revision r = std::move(*it);
            h.erase(it);
            r.number = ++m_revisionNumbers[pool];
            r.cause = cause;
            r.timeMs = api::nowMs();
            h.push_front(std::move(r));
            saveSoon();
            return;
        }
    }
    if (const config::PoolSpec *t = m_config.templateOf(pool, revision)) {
        config::PoolSpec copy = *t;
        remember(copy, cause);
    }
}

const std::deque<Rollouts::Revision> &Rollouts::history(const std::string &pool) const
{
    auto it = m_history.find(pool);
    return it == m_history.end() ? kNoHistory : it->second;
}

// ---- rollouts ---------------------------------------------------------------------------

bool Rollouts::leaving(const Worker &w)
{
    return w.sup.intent == Intent::Remove ||
           (w.sup.drainingFor && w.sup.drainingFor->first == Intent::Remove);
}

bool Rollouts::isNew(const Run &run, const Worker &w) const
{
    return w.info().revision == run.target && (run.rollingBack || w.created > run.floor);
}

int Rollouts::freeSlots(const Pool &pool, const std::string &revision) const
{
    const config::PoolSpec *t = m_config.templateOf(pool.name, revision);
    if (!t || !t->ports)
        return 1 << 30;
    int held = 0;
    for (const Worker *w : m_registry.poolWorkers(pool.name)) {
        const std::optional<int> &port = w->info().port;
        held += port && *port >= t->ports->first && *port <= t->ports->last;
    }
    return t->ports->size() - held;
}

bool Rollouts::active(const std::string &pool) const
{
    auto it = m_runs.find(pool);
    return it != m_runs.end() && it->second.info.active();
}

const api::RolloutInfo *Rollouts::info(const std::string &pool) const
{
    auto it = m_runs.find(pool);
    return it == m_runs.end() ? nullptr : &it->second.info;
}

std::vector<api::RolloutInfo> Rollouts::infos() const
{
    std::vector<api::RolloutInfo> out;
    for (const auto &[name, run] : m_runs)
        out.push_back(run.info);
    return out;
}

void Rollouts::forget(const std::string &pool)
{
    m_runs.erase(pool);
    route(pool, Mode::All);
    for (const Revision &r : history(pool))
        m_config.dropTemplate(pool, r.revision);
    m_history.erase(pool);
    saveSoon();
}

api::Result<api::RolloutInfo> Rollouts::begin(Pool &pool, const std::string &revision,
                                              const std::string &cause, bool replaceAll)
{
    const config::PoolSpec *t = m_config.templateOf(pool.name, revision);
    if (!t)
        return error(api::ErrorCode::NotFound, "pool \"" + pool.name + "\" has no revision \"" +
                                                   revision + "\" in its history");
    Run &run = m_runs[pool.name];
    if (run.info.active())
        m_stream.addEvent("rollout.superseded", pool.name,
                          "pool " + pool.name + ": rollout " + std::to_string(run.info.number) +
                              " to " + run.info.toRevision + " superseded by a rollout to " +
                              revision,
                          {}, {}, cause);
    const config::PoolSpec *spec = m_config.pool(pool.name);
    const config::RolloutSpec rs = spec ? spec->rollout : config::RolloutSpec{};
    run.timer.reset();
    run.paused = run.rollingBack = run.aborted = run.switched = false;
    run.canaryStep = 0;
    run.stepSince.reset();
    run.target = revision;
    // Blue-green: the new set takes no request until all of it is available; canary: none
    // until its first step's workers are.
    if (rs.strategy == config::RolloutStrategy::BlueGreen)
        route(pool.name, Mode::Exclude, revision);
    else if (rs.strategy == config::RolloutStrategy::Canary)
        route(pool.name, Mode::Split, revision, 0);
    else
        route(pool.name, Mode::All);
    run.floor = replaceAll ? m_registry.createdCount() : 0;
    run.lastProgress = Clock::now();
    run.progress = {-1, -1, -1};
    api::RolloutInfo info;
    info.pool = pool.name;
    info.number = ++m_numbers[pool.name];
    info.strategy = std::string(rollout::strategyName(rs.strategy));
    info.phase = "progressing";
    info.cause = cause;
    info.fromRevision = pool.revision;
    info.toRevision = revision;
    info.desired = pool.desired;
    info.startedAtMs = api::nowMs();
    run.info = info;
    pool.revision = revision;
    m_registry.publishPool(pool.name);
    touch(pool.name, revision, cause);
    const auto [surge, unavailable] = rollout::budgets(rs, pool.desired);
    std::string how = info.strategy;
    if (rs.strategy != config::RolloutStrategy::Recreate)
        how += ", max_surge " + std::to_string(surge) + ", max_unavailable " +
               std::to_string(unavailable);
    spdlog::info("rollout.started pool={} number={} from={} to={} cause={}", pool.name, info.number,
                 info.fromRevision, revision, cause);
    m_stream.addEvent("rollout.started", pool.name,
                      "pool " + pool.name + ": rollout " + std::to_string(info.number) + " from " +
                          info.fromRevision + " to " + revision + " (" + how + ")",
                      info.fromRevision, revision, cause);
    publish(run); // also while the pool waits for its dependencies (step does nothing)
    step(pool);
    return m_runs[pool.name].info;
}

void Rollouts::step(Pool &pool)
{
    auto it = m_runs.find(pool.name);
    if (it == m_runs.end() || !it->second.info.active() || m_shutting || pool.removing ||
        !pool.started)
        return;
    Run &run = it->second;
    const config::PoolSpec *spec = m_config.pool(pool.name);
    rollout::Input in;
    in.spec = spec ? spec->rollout : config::RolloutSpec{};
    in.desired = pool.desired;
    in.now = Clock::now();
    in.lastProgress = run.lastProgress;
    in.progress = run.progress;
    in.paused = run.paused;
    in.rollingBack = run.rollingBack;
    in.freeSlots = freeSlots(pool, run.target);
    for (const Worker *w : m_registry.poolWorkers(pool.name))
        in.members.push_back({w->id(), isNew(run, *w), leaving(*w), w->state(), w->readySince,
                              w->info().restarts, w->created});
    in.canaryStep = run.canaryStep;
    in.stepSince = run.stepSince;
    if (m_canaryCounts && run.stepSince)
        std::tie(in.canaryRequests, in.canaryFailures) = m_canaryCounts(pool.name);
    const Decision d = rollout::decide(in);
    if (d.weight >= 0 && !run.switched && !run.rollingBack)
        route(pool.name, Mode::Split, run.target, d.weight);
    if (d.stepBegins) {
        run.stepSince = in.now;
        run.lastProgress = in.now;
        spdlog::info("rollout.step pool={} number={} step={} weight={}", pool.name, run.info.number,
                     run.canaryStep + 1, d.weight);
        m_stream.addEvent("rollout.step", pool.name,
                          "pool " + pool.name + ": rollout " + std::to_string(run.info.number) +
                              " " + d.step,
                          {}, run.target);
    }
    if (d.nextStep) {
        ++run.canaryStep;
        run.stepSince.reset();
        run.lastProgress = in.now;
        scheduleFollowUp();
    }
    if (d.switchTraffic && !run.switched) {
        run.switched = true; // also when paused later: the old set does not take it back
        route(pool.name, Mode::Only, run.target);
        m_stream.addEvent("rollout.switched", pool.name,
                          "pool " + pool.name + ": rollout " + std::to_string(run.info.number) +
                              ": requests go to revision " + run.target + " now",
                          {}, run.target);
    }
    run.progress = d.progress;
    if (d.progressed)
        run.lastProgress = in.now;
    api::RolloutInfo &info = run.info;
    info.desired = pool.desired;
    info.updated = d.updated;
    info.updatedReady = d.updatedReady;
    info.old = d.old;
    info.ready = d.ready;
    switch (d.verdict) {
    case Decision::Verdict::Complete:
        info.step = d.step;
        finish(run, run.rollingBack ? (run.aborted ? "aborted" : "rolled-back") : "complete",
               info.reason);
        return;
    case Decision::Verdict::RollBack:
        rollBack(pool, run, d.reason);
        return;
    case Decision::Verdict::Failed:
        info.step = d.step;
        finish(run, "failed", d.reason);
        return;
    case Decision::Verdict::Progressing:
        break;
    }
    info.step = d.step;
    info.deadlineAtMs =
        d.deadline ? api::nowMs() +
                         std::chrono::duration_cast<std::chrono::milliseconds>(*d.deadline - in.now)
                             .count()
                   : 0;
    const std::string why =
        (run.rollingBack ? "rollback to revision " : "rollout to revision ") + run.target;
    for (const std::string &id : d.stop) {
        if (Worker *w = m_registry.find(id)) {
            w->sup.intent = Intent::Remove; // leaving from now on, also while it drains
            m_supervisor.stop(*w, Intent::Remove, why);
        }
    }
    for (int i = 0; i < d.create; ++i) {
        const int index = m_registry.freeIndex(pool.name);
        Worker &w = m_registry.create(pool.name, index, pool.name + "-" + std::to_string(index),
                                      run.target);
        m_supervisor.queueSpawn(w);
    }
    auto again = m_runs.find(pool.name); // a stop may have finished it (no process)
    if (again == m_runs.end())
        return;
    publish(again->second);
    if (d.wakeAt)
        arm(again->second, *d.wakeAt);
    if (d.create > 0 || !d.stop.empty())
        scheduleFollowUp(); // a stop that drains first makes no transition yet
}

void Rollouts::followUp()
{
    std::vector<std::string> acting;
    for (const auto &[name, run] : m_runs) {
        if (run.info.active())
            acting.push_back(name);
    }
    for (const std::string &name : acting) {
        if (Pool *pool = m_registry.pool(name))
            step(*pool);
    }
}

void Rollouts::scheduleFollowUp()
{
    m_loop.postOnce(m_followUpScheduled, [this] { followUp(); });
}

void Rollouts::arm(Run &run, Clock::time_point at)
{
    run.timer = std::make_unique<Timer>(m_loop.io, at);
    run.timer->async_wait([this, pool = run.info.pool, number = run.info.number,
                           alive = m_loop.token()](const boost::system::error_code &ec) {
        if (ec || alive.expired())
            return;
        auto it = m_runs.find(pool);
        if (it == m_runs.end() || it->second.info.number != number)
            return;
        if (Pool *p = m_registry.pool(pool))
            step(*p);
    });
}

void Rollouts::route(const std::string &pool, serve::Route::Mode mode, const std::string &revision,
                     int weight)
{
    if (m_router)
        m_router(pool, serve::Route{mode, revision, weight});
}

void Rollouts::publish(Run &run)
{
    if (run.published == run.info)
        return;
    run.published = run.info;
    m_stream.publish(api::DeltaKind::RolloutUpsert, run.info);
}

void Rollouts::rollBack(Pool &pool, Run &run, const std::string &reason)
{
    api::RolloutInfo &info = run.info;
    spdlog::warn("rollout.rollback pool={} number={} reason=\"{}\"", pool.name, info.number,
                 reason);
    if (!m_config.templateOf(pool.name, info.fromRevision)) {
        finish(run, "failed",
               reason + "; cannot roll back: the template of revision " + info.fromRevision +
                   " is not known");
        return;
    }
    run.rollingBack = true;
    run.paused = false;
    run.target = info.fromRevision;
    const config::PoolSpec *spec = m_config.pool(pool.name);
    const config::RolloutStrategy strategy =
        spec ? spec->rollout.strategy : config::RolloutStrategy::Rolling;
    if (strategy == config::RolloutStrategy::BlueGreen) {
        // Back to the old set, switched as the new one was: at once when all of it is still
        // there (the next step).
        route(pool.name, Mode::Exclude, run.target);
        run.switched = false;
    } else if (strategy == config::RolloutStrategy::Canary) {
        // The canaries take nothing more; once promoted, both sets serve while the old one
        // comes back (rolling, 1 surge).
        route(pool.name, run.switched ? Mode::All : Mode::Only, run.target);
        run.switched = false;
    }
    run.progress = {-1, -1, -1};
    run.lastProgress = Clock::now();
    info.phase = "rolling-back";
    info.reason = reason;
    info.deadlineAtMs = 0;
    pool.revision = info.fromRevision;
    m_registry.publishPool(pool.name);
    touch(pool.name, info.fromRevision, run.aborted ? "abort" : "rollback");
    m_stream.addEvent("rollout.rollback", pool.name,
                      "pool " + pool.name + ": rollout " + std::to_string(info.number) +
                          " rolls back to " + info.fromRevision + ": " + reason,
                      info.toRevision, info.fromRevision, reason);
    step(pool);
}

void Rollouts::finish(Run &run, const std::string &phase, const std::string &reason)
{
    api::RolloutInfo &info = run.info;
    info.phase = phase;
    info.reason = reason;
    info.finishedAtMs = api::nowMs();
    // Every worker is of one revision again; a failed blue-green rollout keeps the traffic
    // where it was (on the old set, unless it had switched).
    if (phase != "failed")
        route(info.pool, Mode::All);
    info.deadlineAtMs = 0;
    run.timer.reset();
    std::string message = "pool " + info.pool + ": rollout " + std::to_string(info.number);
    if (phase == "complete")
        message += " complete: every worker runs revision " + info.toRevision;
    else if (phase == "failed")
        message += " failed: " + reason;
    else
        message += std::string(phase == "aborted" ? " aborted" : " rolled back") +
                   ": every worker runs revision " + info.fromRevision + " again";
    spdlog::info("rollout.{} pool={} number={}", phase, info.pool, info.number);
    m_stream.addEvent("rollout." + phase, info.pool, message, info.fromRevision, info.toRevision,
                      reason);
    publish(run);
}

api::Result<api::RolloutInfo> Rollouts::pause(Pool &pool)
{
    auto it = m_runs.find(pool.name);
    if (it == m_runs.end() || it->second.info.phase != "progressing")
        return error(api::ErrorCode::Conflict,
                     "pool \"" + pool.name + "\" has no rollout in progress to pause");
    Run &run = it->second;
    run.paused = true;
    run.info.phase = "paused";
    m_stream.addEvent("rollout.paused", pool.name,
                      "pool " + pool.name + ": rollout " + std::to_string(run.info.number) +
                          " paused",
                      {}, {}, "operator");
    run.timer.reset();
    publish(run);
    step(pool);
    return m_runs[pool.name].info;
}

api::Result<api::RolloutInfo> Rollouts::resume(Pool &pool)
{
    auto it = m_runs.find(pool.name);
    if (it == m_runs.end() || it->second.info.phase != "paused")
        return error(api::ErrorCode::Conflict,
                     "pool \"" + pool.name + "\" has no paused rollout to resume");
    Run &run = it->second;
    run.paused = false;
    run.lastProgress = Clock::now(); // the deadline counts from here
    run.info.phase = "progressing";
    m_stream.addEvent("rollout.resumed", pool.name,
                      "pool " + pool.name + ": rollout " + std::to_string(run.info.number) +
                          " resumed",
                      {}, {}, "operator");
    publish(run);
    step(pool);
    return m_runs[pool.name].info;
}

api::Result<api::RolloutInfo> Rollouts::abort(Pool &pool)
{
    auto it = m_runs.find(pool.name);
    if (it == m_runs.end() || !it->second.info.active())
        return error(api::ErrorCode::Conflict,
                     "pool \"" + pool.name + "\" has no rollout in progress to abort");
    Run &run = it->second;
    if (!run.rollingBack) {
        run.aborted = true;
        rollBack(pool, run, "aborted by an operator");
    }
    return m_runs[pool.name].info;
}

api::Result<api::RolloutInfo> Rollouts::undo(Pool &pool, const std::string &revision)
{
    auto it = m_runs.find(pool.name);
    if (it != m_runs.end() && it->second.info.active()) {
        Run &run = it->second;
        if (!revision.empty() && revision != run.info.fromRevision)
            return error(api::ErrorCode::Conflict,
                         "pool \"" + pool.name +
                             "\" has a rollout in progress: undo goes back to revision " +
                             run.info.fromRevision + " first");
        if (run.rollingBack)
            return error(api::ErrorCode::Conflict, "pool \"" + pool.name +
                                                       "\" is rolling back to revision " +
                                                       run.info.fromRevision + " already");
        rollBack(pool, run, "undone by an operator");
        return m_runs[pool.name].info;
    }
    std::string target = revision;
    if (target.empty()) {
        for (const Revision &r : history(pool.name)) {
            if (r.revision != pool.revision) {
                target = r.revision;
                break;
            }
        }
    }
    if (target.empty())
        return error(api::ErrorCode::Conflict,
                     "pool \"" + pool.name + "\" has no earlier revision to go back to");
    return begin(pool, target, "undo", false);
}

} // namespace drover::engine
