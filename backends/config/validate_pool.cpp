// A pool's body (also a template's): its own keys and sub-sections, then the checks that
// need the whole pool.
#include "config/validate_sections.h"

#include <algorithm>

namespace drover::config::detail {

namespace {

void readBackoff(Ctx &ctx, const Node *n, const std::string &path, BackoffSpec &out)
{
    Fields f(ctx, n, path, {"initial", "max", "factor", "jitter"});
    duration(ctx, f.get("initial"), f.path("initial"), out.initial, 0ms, 1h);
    duration(ctx, f.get("max"), f.path("max"), out.max, 1ms, 24h);
    number(ctx, f.get("factor"), f.path("factor"), out.factor, 1, 10);
    number(ctx, f.get("jitter"), f.path("jitter"), out.jitter, 0, 1);
    if ((f.get("initial") || f.get("max")) && out.initial > out.max) {
        const Node *at = f.get("max") ? f.get("max") : f.get("initial");
        ctx.local(*at, f.get("max") ? f.path("max") : f.path("initial"),
                  "max " + formatDuration(out.max) + " is shorter than initial " +
                      formatDuration(out.initial));
    }
}

void readLimits(Ctx &ctx, const Node *n, const std::string &path, LimitsSpec &out)
{
    Fields f(ctx, n, path, {"memory", "cpu", "nofile", "pids"});
    std::uint64_t memory = 0;
    if (size(ctx, f.get("memory"), f.path("memory"), memory, 1u << 20))
        out.memory = memory;
    double cpu = 0;
    if (number(ctx, f.get("cpu"), f.path("cpu"), cpu, 0, 1024, true))
        out.cpu = cpu;
    int nofile = 0;
    if (integer(ctx, f.get("nofile"), f.path("nofile"), nofile, 16, 1 << 20))
        out.nofile = nofile;
    int pids = 0;
    if (integer(ctx, f.get("pids"), f.path("pids"), pids, 1, 4'194'304))
        out.pids = pids;
}

void readAutoscale(Ctx &ctx, const Node *n, const std::string &path,
                   std::optional<AutoscaleSpec> &out)
{
    if (!n || n->isNull())
        return;
    Fields f(
        ctx, n, path,
        {"min", "max", "target_utilization", "scale_up_after", "scale_down_after", "min_idle"});
    if (!f.present())
        return;
    AutoscaleSpec a;
    integer(ctx, f.get("min"), f.path("min"), a.min, 0, 10'000);
    integer(ctx, f.require("max"), f.path("max"), a.max, 1, 10'000);
    number(ctx, f.get("target_utilization"), f.path("target_utilization"), a.targetUtilization, 0,
           1, true);
    duration(ctx, f.get("scale_up_after"), f.path("scale_up_after"), a.scaleUpAfter);
    duration(ctx, f.get("scale_down_after"), f.path("scale_down_after"), a.scaleDownAfter);
    integer(ctx, f.get("min_idle"), f.path("min_idle"), a.minIdle, 0, 10'000);
    if (f.get("max") && a.min > a.max && f.get("min"))
        ctx.local(*f.get("min"), f.path("min"),
                  "min " + std::to_string(a.min) + " is greater than max " + std::to_string(a.max));
    if (f.get("max") && a.minIdle > a.max && f.get("min_idle"))
        ctx.local(*f.get("min_idle"), f.path("min_idle"),
                  "min_idle " + std::to_string(a.minIdle) + " is greater than max " +
                      std::to_string(a.max));
    out = a;
}

void readGateway(Ctx &ctx, const Node *n, const std::string &path, std::optional<GatewaySpec> &out)
{
    if (!n || n->isNull())
        return;
    Fields f(ctx, n, path,
             {"listen", "strategy", "per_worker_concurrency", "queue", "request_timeout", "retry",
              "circuit_breaker", "rate_limit", "drain_timeout"});
    if (!f.present())
        return;
    GatewaySpec g;
    bool listenOk = endpoint(ctx, f.require("listen"), f.path("listen"), g.listen);
    choice(ctx, f.get("strategy"), f.path("strategy"), g.strategy,
           {{"round-robin", GatewayStrategy::RoundRobin},
            {"least-busy", GatewayStrategy::LeastBusy},
            {"random-two", GatewayStrategy::RandomTwo}});
    integer(ctx, f.get("per_worker_concurrency"), f.path("per_worker_concurrency"),
            g.perWorkerConcurrency, 1, 100'000);
    Fields q(ctx, f.get("queue"), f.path("queue"), {"max", "timeout"});
    integer(ctx, q.get("max"), q.path("max"), g.queueMax, 0, 1'000'000);
    duration(ctx, q.get("timeout"), q.path("timeout"), g.queueTimeout, 0ms, 1h);
    duration(ctx, f.get("request_timeout"), f.path("request_timeout"), g.requestTimeout, 1ms, 24h);
    Fields r(ctx, f.get("retry"), f.path("retry"), {"attempts", "on"});
    integer(ctx, r.get("attempts"), r.path("attempts"), g.retryAttempts, 0, 10);
    if (const Node *on = r.get("on"); on && !on->isNull()) {
        if (!on->isSequence()) {
            ctx.local(*on, r.path("on"), "expected a list, got " + describe(*on));
        } else {
            g.retryOn.clear();
            for (std::size_t i = 0; i < on->items.size(); ++i) {
                RetryOn v{};
                if (choice(ctx, &on->items[i], at(r.path("on"), i), v,
                           {{"connect-error", RetryOn::ConnectError},
                            {"timeout", RetryOn::Timeout},
                            {"5xx", RetryOn::Status5xx}}))
                    g.retryOn.push_back(v);
            }
        }
    }
    Fields cb(ctx, f.get("circuit_breaker"), f.path("circuit_breaker"),
              {"consecutive_failures", "open_for"});
    integer(ctx, cb.get("consecutive_failures"), cb.path("consecutive_failures"), g.breakerFailures,
            1, 1000);
    duration(ctx, cb.get("open_for"), cb.path("open_for"), g.breakerOpenFor, 1ms, 24h);
    Fields rl(ctx, f.get("rate_limit"), f.path("rate_limit"), {"rps", "burst"});
    if (rl.present()) {
        double rps = 0;
        if (number(ctx, rl.require("rps"), rl.path("rps"), rps, 0, 1e9, true))
            g.rateLimitRps = rps;
        g.rateLimitBurst = static_cast<int>(std::clamp(rps, 1.0, 1e6)); // one second's worth
        integer(ctx, rl.get("burst"), rl.path("burst"), g.rateLimitBurst, 1, 1'000'000);
    }
    duration(ctx, f.get("drain_timeout"), f.path("drain_timeout"), g.drainTimeout, 0ms, 1h);
    if (listenOk) // without an address there is nothing to compare with other gateways
        out = std::move(g);
}

constexpr std::string_view strategyName(RolloutStrategy s)
{
    switch (s) {
    case RolloutStrategy::Rolling:
        return "rolling";
    case RolloutStrategy::BlueGreen:
        return "blue-green";
    case RolloutStrategy::Canary:
        return "canary";
    case RolloutStrategy::Recreate:
        return "recreate";
    }
    return "rolling";
}

void readRollout(Ctx &ctx, const Node *n, const std::string &path, RolloutSpec &out)
{
    Fields f(ctx, n, path,
             {"strategy", "max_surge", "max_unavailable", "min_ready", "progress_deadline",
              "auto_rollback", "canary"});
    choice(ctx, f.get("strategy"), f.path("strategy"), out.strategy,
           {{"rolling", RolloutStrategy::Rolling},
            {"blue-green", RolloutStrategy::BlueGreen},
            {"canary", RolloutStrategy::Canary},
            {"recreate", RolloutStrategy::Recreate}});
    integer(ctx, f.get("max_surge"), f.path("max_surge"), out.maxSurge, 0, 10'000);
    integer(ctx, f.get("max_unavailable"), f.path("max_unavailable"), out.maxUnavailable, 0,
            10'000);
    duration(ctx, f.get("min_ready"), f.path("min_ready"), out.minReady, 0ms, 1h);
    duration(ctx, f.get("progress_deadline"), f.path("progress_deadline"), out.progressDeadline, 1s,
             24h);
    boolean(ctx, f.get("auto_rollback"), f.path("auto_rollback"), out.autoRollback);

    const Node *canary = f.get("canary");
    Fields c(ctx, canary, f.path("canary"), {"steps", "max_error_rate"});
    number(ctx, c.get("max_error_rate"), c.path("max_error_rate"), out.maxErrorRate, 0, 1);
    if (const Node *steps = c.get("steps"); steps && !steps->isNull()) {
        if (!steps->isSequence() || steps->items.empty()) {
            ctx.local(*steps, c.path("steps"),
                      steps->isSequence()
                          ? std::string("must not be empty")
                          : "expected a list of {weight, pause} steps, got " + describe(*steps));
        } else {
            int previous = 0;
            for (std::size_t i = 0; i < steps->items.size(); ++i) {
                std::string sp = at(c.path("steps"), i);
                Fields s(ctx, &steps->items[i], sp, {"weight", "pause"});
                CanaryStep step;
                if (integer(ctx, s.require("weight"), s.path("weight"), step.weight, 1, 100)) {
                    if (step.weight <= previous)
                        ctx.local(*s.get("weight"), s.path("weight"),
                                  "weights must increase, but " + std::to_string(step.weight) +
                                      " follows " + std::to_string(previous));
                    previous = step.weight;
                }
                duration(ctx, s.get("pause"), s.path("pause"), step.pause, 0ms, 24h);
                out.canarySteps.push_back(step);
            }
        }
    }

    // Options that only one strategy reads are an error elsewhere, not silently ignored.
    if (!f.present())
        return;
    std::string_view name = strategyName(out.strategy);
    auto misfit = [&](std::string_view key, std::string_view owner) {
        if (const Entry *e = f.entry(key))
            ctx.error(e->keyMark, f.path(key),
                      std::string(key) + " applies to the " + std::string(owner) +
                          " strategy, not " + std::string(name));
    };
    if (out.strategy != RolloutStrategy::Rolling) {
        misfit("max_surge", "rolling");
        misfit("max_unavailable", "rolling");
    }
    if (out.strategy != RolloutStrategy::Canary)
        misfit("canary", "canary");
    if (out.strategy == RolloutStrategy::Canary && out.canarySteps.empty() &&
        (!c.get("steps") || c.get("steps")->isNull()))
        ctx.error(n->mark, path,
                  "the canary strategy needs canary.steps (e.g. [{weight: 10, "
                  "pause: 30s}, {weight: 50, pause: 1m}])");
    if (out.strategy == RolloutStrategy::Rolling && out.maxSurge == 0 && out.maxUnavailable == 0 &&
        (f.get("max_surge") || f.get("max_unavailable")))
        ctx.error(n->mark, path,
                  "max_surge and max_unavailable are both 0: a rolling update could not start");
    if (out.strategy != RolloutStrategy::Rolling) {
        out.maxSurge = 0;
        out.maxUnavailable = 0;
    }
}

void readLogs(Ctx &ctx, const Node *n, const std::string &path, LogSpec &out)
{
    Fields f(ctx, n, path, {"max_size", "files"});
    size(ctx, f.get("max_size"), f.path("max_size"), out.maxSize, 4096);
    integer(ctx, f.get("files"), f.path("files"), out.files, 1, 100);
}

/// `gateway:` and `rollout:`, which a job has not.
void readTraffic(Ctx &ctx, const Fields &f, PoolSpec &pool, PoolNodes &nodes, bool isTemplate)
{
    readGateway(ctx, f.get("gateway"), f.path("gateway"), pool.gateway);
    if (const Node *g = f.get("gateway"); g && g->isMap())
        nodes.gatewayListen = g->find("listen");
    readRollout(ctx, f.get("rollout"), f.path("rollout"), pool.rollout);
    // Blue-green's switch and canary's split happen at the pool's gateway: without one, say
    // what does not happen, where the strategy is.
    const Node *rollout = f.get("rollout");
    const Node *strategy = rollout && rollout->isMap() ? rollout->find("strategy") : nullptr;
    if (strategy && !isTemplate && !pool.gateway) {
        const std::string where = join(f.path("rollout"), "strategy");
        if (pool.rollout.strategy == RolloutStrategy::BlueGreen)
            ctx.notActedOn(strategy->mark, where,
                           "not acted on without a gateway: no traffic is switched (only "
                           "leases follow the switch); the new set starts whole and the old "
                           "one stops once all of it is ready");
        else if (pool.rollout.strategy == RolloutStrategy::Canary)
            ctx.notActedOn(strategy->mark, where,
                           "not acted on without a gateway: the steps' weights and "
                           "max_error_rate (only leases follow the split); the canary workers "
                           "start step by step and each step passes when its pause is over");
    }
}

/// A job (a pool with `schedule:`) has none of these; each one given says why.
void checkJobKeys(Ctx &ctx, const Fields &f)
{
    static constexpr std::pair<std::string_view, std::string_view> kNotForJobs[] = {
        {"replicas", "a job's runs are its workers: schedule.concurrency says whether they "
                     "overlap"},
        {"autoscale", "a job's runs are its workers: schedule.concurrency says whether they "
                      "overlap"},
        {"gateway", "a job takes no traffic"},
        {"rollout", "a job's next run uses the new revision"},
    };
    for (const auto &[key, why] : kNotForJobs) {
        const Entry *e = f.entry(key);
        if (!e || e->value.isNull())
            continue;
        std::string msg = std::string(key) +
                          " does not apply to a job (a pool with a schedule): " + std::string(why);
        if (e->value.fromTemplate)
            msg += " (inherited through extends; write " + std::string(key) +
                   ": ~ in the pool to drop it)";
        ctx.error(e->keyMark, f.path(key), std::move(msg));
    }
    // A run is never restarted; only `never` (the policy a job gets) may be written.
    const Node *restart = f.get("restart");
    const Node *policy = restart && restart->isMap() ? restart->find("policy") : nullptr;
    if (policy && policy->isScalar() &&
        (policy->scalar == "always" || policy->scalar == "on-failure")) {
        std::string msg = quote(policy->scalar) +
                          " does not apply to a job: a run is not restarted; a failed run is "
                          "recorded and the next one starts at its time";
        msg += policy->fromTemplate ? " (inherited through extends; write restart: {policy: "
                                      "never} in the pool)"
                                    : " (write never, or leave policy out)";
        ctx.error(policy->mark, join(f.path("restart"), "policy"), std::move(msg));
    }
    // The rest of `restart:` says how a worker is restarted: never acted on for a job.
    if (restart && restart->isMap()) {
        for (const Entry &e : restart->entries) {
            if (e.key != "policy")
                ctx.notActedOn(e.keyMark, join(f.path("restart"), e.key),
                               "not acted on for a job: a run is never restarted");
        }
    }
}

} // namespace

void readRestart(Ctx &ctx, const Node *n, const std::string &path, RestartSpec &out)
{
    Fields f(ctx, n, path, {"policy", "backoff", "max_restarts", "window"});
    choice(ctx, f.get("policy"), f.path("policy"), out.policy,
           {{"always", RestartPolicy::Always},
            {"on-failure", RestartPolicy::OnFailure},
            {"never", RestartPolicy::Never}});
    readBackoff(ctx, f.get("backoff"), f.path("backoff"), out.backoff);
    integer(ctx, f.get("max_restarts"), f.path("max_restarts"), out.maxRestarts, 0, 1'000'000);
    duration(ctx, f.get("window"), f.path("window"), out.window, 1s);
}

void readStop(Ctx &ctx, const Node *n, const std::string &path, StopSpec &out)
{
    Fields f(ctx, n, path, {"signal", "timeout"});
    signalName(ctx, f.get("signal"), f.path("signal"), out.signal);
    duration(ctx, f.get("timeout"), f.path("timeout"), out.timeout, 0ms, 1h);
}

/// Reads a pool (or, with `isTemplate`, a template: nothing required, no cross checks).
void readPoolBody(Ctx &ctx, const Fields &f, PoolSpec &pool, PoolNodes &nodes, bool isTemplate)
{
    // A container's command is its arguments; without one the image's own runs.
    const bool image = f.get("image") && !f.get("image")->isNull();
    const Node *cmd = isTemplate || image
                          ? f.get("command")
                          : f.require("command", "the program and its arguments, as a list");
    if (cmd && !(image && cmd->isNull()) &&
        strList(ctx, cmd, f.path("command"), pool.command, true))
        nodes.sites.scanList(ctx, cmd, f.path("command"));
    readContainer(ctx, f, pool, isTemplate);
    if (pathValue(ctx, f.get("cwd"), f.path("cwd"), pool.cwd))
        nodes.sites.scan(ctx, f.get("cwd"), f.path("cwd"));
    envMap(ctx, f.get("env"), f.path("env"), pool.env, pool.secretEnv, nodes.sites);
    readSchedule(ctx, f.get("schedule"), f.path("schedule"), pool.job);
    // A job's runs are started by its schedule: what sizes, routes or rolls out a set of
    // workers does not apply to it. Checked on the merged pool (a key may come from a
    // template, then the mark is there); a template may hold both, for pools that differ.
    const bool job = !isTemplate && f.get("schedule") && !f.get("schedule")->isNull();
    if (job) {
        checkJobKeys(ctx, f);
    } else {
        integer(ctx, f.get("replicas"), f.path("replicas"), pool.replicas, 0, 10'000);
        readAutoscale(ctx, f.get("autoscale"), f.path("autoscale"), pool.autoscale);
    }
    if (pool.autoscale && f.get("replicas")) {
        const Entry *e = f.entry("autoscale");
        ctx.localAt(e->value, e->keyMark, f.path("autoscale"),
                    "replicas and autoscale exclude each other; keep one");
    }
    PortRange range;
    nodes.ports = f.get("ports");
    if (portRange(ctx, nodes.ports, f.path("ports"), range))
        pool.ports = range;
    readLimits(ctx, f.get("limits"), f.path("limits"), pool.limits);
    readRestart(ctx, f.get("restart"), f.path("restart"), pool.restart);
    if (job)
        pool.restart.policy = RestartPolicy::Never; // a failed run waits for the next tick
    readStop(ctx, f.get("stop"), f.path("stop"), pool.stop);
    readProbes(ctx, f.get("probes"), f.path("probes"), pool.probes, nodes.sites);
    if (!job)
        readTraffic(ctx, f, pool, nodes, isTemplate);
    nodes.dependsOn = f.get("depends_on");
    if (nodes.dependsOn && !nodes.dependsOn->isNull())
        strList(ctx, nodes.dependsOn, f.path("depends_on"), pool.dependsOn, false);
    readLogs(ctx, f.get("logs"), f.path("logs"), pool.logs);
}

/// Placeholder and port checks that need the whole pool.
void checkPool(Ctx &ctx, const PoolSpec &pool, const PoolNodes &nodes)
{
    bool reportedPort = false;
    for (const PlaceholderSite &use : nodes.sites.uses) {
        if (use.name == "port" && !pool.ports && !reportedPort) {
            ctx.error(ctx.in.source.find(use.node->mark, "{{"), use.path,
                      "{{port}} needs a port range, but " + nodes.path + " (" + quote(pool.name) +
                          ") has no \"ports\"");
            reportedPort = true;
        }
    }
    if (pool.gateway && !pool.ports && nodes.gatewayListen) {
        ctx.error(nodes.gatewayListen->mark, join(join(nodes.path, "gateway"), "listen"),
                  "a gateway reaches its workers by port: give the pool \"ports\"");
    }
    if (pool.ports && nodes.ports) {
        int extra = 0;
        std::string why;
        // A job runs one at a time unless its concurrency allows more, and has no rollout.
        switch (pool.job ? RolloutStrategy::Recreate : pool.rollout.strategy) {
        case RolloutStrategy::Rolling:
            extra = pool.rollout.maxSurge;
            why = " + " + std::to_string(extra) + " surge during rollouts";
            break;
        case RolloutStrategy::BlueGreen:
        case RolloutStrategy::Canary:
            extra = pool.maxWorkers();
            why = " + " + std::to_string(extra) + " of the new revision during " +
                  std::string(strategyName(pool.rollout.strategy)) + " rollouts";
            break;
        case RolloutStrategy::Recreate:
            break;
        }
        int needed = pool.maxWorkers() + extra;
        if (pool.ports->size() < needed) {
            ctx.error(nodes.ports->mark, join(nodes.path, "ports"),
                      "the range " + pool.ports->toString() + " has " +
                          count(pool.ports->size(), "port", "ports") + ", but the pool needs " +
                          std::to_string(needed) + " (" +
                          count(pool.maxWorkers(), "worker", "workers") +
                          (extra ? why : std::string()) + ")");
        }
    }
}

} // namespace drover::config::detail
