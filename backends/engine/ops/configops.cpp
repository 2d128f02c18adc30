#include "engine/ops/configops.h"

#include "api/atomicfile.h"
#include "api/clock.h"
#include "config/loader.h"
#include "config/secrets.h"
#include "engine/engine.h"
#include "engine/ops/ops.h"
#include "engine/rollout/decide.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace drover::engine {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

api::Error invalidConfig(const config::LoadResult &result)
{
    std::size_t n = result.errors.size() + result.moreErrors;
    return api::Error{api::ErrorCode::InvalidConfig,
                      std::to_string(n) + (n == 1 ? " error" : " errors") + " in the config",
                      result.errors};
}

/// Loads `args.text` as the running config's file would be loaded.
api::Result<config::LoadResult> load(const Engine &engine, const json &args, bool asRunningFile)
{
    if (!args.is_object() || !args.contains("text") || !args["text"].is_string())
        return api::Error{
            api::ErrorCode::BadRequest, "args.text: the config's YAML text is required", {}};
    auto running = engine.config();
    config::LoadOptions options;
    options.baseDir = fs::path(running->file).parent_path().string();
    std::string name = asRunningFile
                           ? running->file
                           : args.value("file", fs::path(running->file).filename().string());
    return config::loadText(args["text"].get<std::string>(), name, options);
}

/// One line per apply in `<state_dir>/applied.jsonl`: which version, from which, when, by whom.
/// Best effort: the apply has happened; a line that cannot be written only leaves "who" unknown.
void recordApplied(const std::string &stateDir, const std::string &version, const std::string &base,
                   std::int64_t ms, const std::string &who)
{
    const std::string line = json{{"version", version},
                                  {"base", base},
                                  {"applied_at", ms},
                                  {"who", who.empty() ? std::string("local") : who}}
                                 .dump() +
                             "\n";
    // One write with O_APPEND: a line is whole or absent; 0640 as the kept config files.
    const int fd = ::open((stateDir + "/applied.jsonl").c_str(),
                          O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    const bool written = fd >= 0 && ::write(fd, line.data(), line.size()) == ssize_t(line.size());
    if (fd >= 0)
        ::close(fd);
    if (!written) {
        spdlog::warn("config.applied cannot record who applied: {}/applied.jsonl", stateDir);
    }
}

/// version -> its newest record in applied.jsonl.
std::map<std::string, json> appliedRecords(const std::string &stateDir)
{
    std::map<std::string, json> out;
    std::ifstream in(stateDir + "/applied.jsonl");
    std::string line;
    while (std::getline(in, line)) {
        json j = json::parse(line, nullptr, false);
        if (j.is_object() && j.contains("version") && j["version"].is_string()) {
            std::string version = j["version"].get<std::string>();
            out[version] = std::move(j);
        }
    }
    return out;
}

struct KeptVersion
{
    std::string version;
    std::int64_t replacedAt = 0;
    std::string path;
};

/// The earlier files in `<state_dir>/config-history/` (`<ms>-<version>.yaml`), newest first.
std::vector<KeptVersion> keptVersions(const std::string &stateDir)
{
    std::vector<KeptVersion> out;
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(stateDir + "/config-history", ec)) {
        const std::string name = entry.path().filename().string();
        auto dash = name.find('-');
        if (dash == std::string::npos || !name.ends_with(".yaml"))
            continue;
        KeptVersion k;
        k.version = name.substr(dash + 1, name.size() - dash - 1 - 5);
        k.replacedAt = std::strtoll(name.substr(0, dash).c_str(), nullptr, 10);
        k.path = entry.path().string();
        out.push_back(std::move(k));
    }
    std::sort(out.begin(), out.end(), [](const KeptVersion &a, const KeptVersion &b) {
        return a.replacedAt > b.replacedAt;
    });
    return out;
}

const char *strategyName(config::RolloutStrategy s)
{
    switch (s) {
    case config::RolloutStrategy::Rolling:
        return "rolling";
    case config::RolloutStrategy::BlueGreen:
        return "blue-green";
    case config::RolloutStrategy::Canary:
        return "canary";
    case config::RolloutStrategy::Recreate:
        return "recreate";
    }
    return "rolling";
}

json replicasOf(const config::PoolSpec &p)
{
    if (p.autoscale)
        return json{{"min", p.autoscale->min}, {"max", p.autoscale->max}};
    return p.replicas;
}

} // namespace

api::Reply planConfig(const Engine &engine, const json &args)
{
    // Errors under the name the user gave, as config.validate; then loaded as the running
    // file it would become, as config.apply does (a pool's default cwd, and so its revision,
    // is the running file's directory).
    api::Reply valid = validateConfig(engine, args);
    if (!valid.ok())
        return valid;
    auto result = load(engine, args, true);
    if (!result.ok())
        return result.error();
    if (!result->ok())
        return invalidConfig(*result);
    const config::Config &next = *result->config;
    auto running = engine.config();
    json pools = json::array();
    for (const config::PoolSpec &p : next.pools) {
        const config::PoolSpec *before = running->pool(p.name);
        if (!before) {
            pools.push_back({{"pool", p.name},
                             {"change", "added"},
                             {"replicas", replicasOf(p)},
                             {"workers", p.workersAtStart()}});
            continue;
        }
        if (replicasOf(*before) != replicasOf(p))
            pools.push_back({{"pool", p.name},
                             {"change", "scaled"},
                             {"from", replicasOf(*before)},
                             {"to", replicasOf(p)}});
        if (before->revision != p.revision) {
            // A rollout (rollout/rollouts.h) with the new file's rollout settings.
            const auto [surge, unavailable] = rollout::budgets(p.rollout, p.workersAtStart());
            pools.push_back({{"pool", p.name},
                             {"change", "template"},
                             {"from_revision", before->revision},
                             {"to_revision", p.revision},
                             {"strategy", strategyName(p.rollout.strategy)},
                             {"max_surge", surge},
                             {"max_unavailable", unavailable},
                             {"min_ready_ms", p.rollout.minReady.count()},
                             {"progress_deadline_ms", p.rollout.progressDeadline.count()},
                             {"auto_rollback", p.rollout.autoRollback}});
        }
        if (!(before->probes == p.probes))
            pools.push_back({{"pool", p.name}, {"change", "probes"}});
    }
    for (const config::PoolSpec &p : running->pools) {
        if (!next.pool(p.name))
            pools.push_back({{"pool", p.name}, {"change", "removed"}});
    }
    json adopted = json::array();
    auto findAdopted = [](const config::Config &c, const std::string &name) {
        for (const config::AdoptedSpec &a : c.adopted) {
            if (a.name == name)
                return true;
        }
        return false;
    };
    for (const config::AdoptedSpec &a : next.adopted) {
        if (!findAdopted(*running, a.name))
            adopted.push_back({{"name", a.name}, {"change", "added"}});
    }
    for (const config::AdoptedSpec &a : running->adopted) {
        if (!findAdopted(next, a.name))
            adopted.push_back({{"name", a.name}, {"change", "removed"}});
    }
    // What droverd reads only when it starts: its address, TLS, state dir and metrics store.
    json master = json::array();
    const config::MasterSpec &was = running->master;
    const config::MasterSpec &now = next.master;
    auto setting = [&master](const char *name, const std::string &from, const std::string &to) {
        if (from != to)
            master.push_back({{"setting", name}, {"from", from}, {"to", to}, {"restart", true}});
    };
    setting("listen", was.listen.toString(), now.listen.toString());
    setting("tls", was.tls ? was.tls->cert + " " + was.tls->key : "",
            now.tls ? now.tls->cert + " " + now.tls->key : "");
    setting("state_dir", was.stateDir, now.stateDir);
    setting("metrics.retention", config::formatDuration(was.metricsRetention),
            config::formatDuration(now.metricsRetention));
    setting("metrics.resolution", config::formatDuration(was.metricsResolution),
            config::formatDuration(now.metricsResolution));
    const bool unchanged = next.digest == running->digest;
    return json{{"version", engine.configVersion()},
                {"new_version", next.digest},
                {"unchanged", unchanged},
                {"pools", std::move(pools)},
                {"adopted", std::move(adopted)},
                {"master", std::move(master)},
                {"summary", next.summary().toString()}};
}

api::Reply configHistory(const Engine &engine, const json &args, bool reveal)
{
    const std::string stateDir = engine.stateDir();
    const auto records = appliedRecords(stateDir);
    auto described = [&records](json entry) {
        auto r = records.find(entry["version"].get<std::string>());
        entry["applied_at"] = r != records.end() ? r->second.value("applied_at", json()) : json();
        entry["who"] = r != records.end() ? r->second.value("who", json()) : json();
        return entry;
    };
    auto running = engine.config();
    const std::string current = engine.configVersion();
    std::vector<KeptVersion> kept = keptVersions(stateDir);
    auto show = [reveal](const std::string &text) {
        return reveal ? text : config::redactConfigText(text);
    };
    if (args.is_object() && args.contains("version")) {
        const std::string wanted = args["version"].get<std::string>();
        if (wanted == current) {
            json out = described({{"version", current}, {"current", true}});
            out["text"] = show(running->text);
            return out;
        }
        for (const KeptVersion &k : kept) {
            if (k.version != wanted)
                continue;
            auto text = api::readWholeFile(k.path);
            if (!text.ok())
                return text.error();
            json out = described({{"version", k.version}, {"current", false}});
            out["replaced_at"] = k.replacedAt;
            out["text"] = show(*text);
            return out;
        }
        return api::Error{api::ErrorCode::NotFound,
                          "no config version \"" + wanted + "\" is kept in the state dir",
                          {}};
    }
    json versions = json::array();
    versions.push_back(described({{"version", current}, {"current", true}}));
    std::set<std::string> seen{current};
    for (const KeptVersion &k : kept) {
        if (!seen.insert(k.version).second)
            continue;
        json entry = described({{"version", k.version}, {"current", false}});
        entry["replaced_at"] = k.replacedAt;
        versions.push_back(std::move(entry));
    }
    return json{{"versions", std::move(versions)}, {"file", running->file}};
}

api::Reply getConfig(const Engine &engine)
{
    auto running = engine.config();
    return json{
        {"file", running->file}, {"version", engine.configVersion()}, {"text", running->text}};
}

api::Reply validateConfig(const Engine &engine, const json &args)
{
    auto result = load(engine, args, false);
    if (!result.ok())
        return result.error();
    if (!result->ok())
        return invalidConfig(*result);
    return json{{"ok", true}, {"summary", result->config->summary().toString()}};
}

api::Reply applyConfig(Engine &engine, const json &args, const std::string &who)
{
    auto running = engine.config();
    const std::string current = engine.configVersion();
    if (auto base = args.is_object() ? args.find("base_version") : args.end();
        args.is_object() && base != args.end() && base->is_string() &&
        base->get<std::string>() != current)
        return api::Error{api::ErrorCode::Conflict,
                          "the config changed since version " + base->get<std::string>() +
                              " (it is now " + current + "): get it again and re-apply",
                          {}};
    // Checked under the name the user gave (their errors name their file), then loaded as
    // the running file it becomes.
    api::Reply valid = validateConfig(engine, args);
    if (!valid.ok())
        return valid;
    auto result = load(engine, args, true);
    if (!result.ok() || !result->ok())
        return result.ok() ? api::Reply(invalidConfig(*result)) : api::Reply(result.error());
    auto next = std::make_shared<config::Config>(std::move(*result->config));

    // The file it replaces is kept: <state_dir>/config-history/<time>-<version>.yaml.
    std::string historyDir = engine.stateDir() + "/config-history";
    std::error_code ec;
    fs::create_directories(historyDir, ec);
    if (ec)
        return api::Error{
            api::ErrorCode::Internal, "cannot create \"" + historyDir + "\": " + ec.message(), {}};
    auto before = api::readWholeFile(running->file);
    std::string kept = before.ok() ? *before : running->text;
    const std::int64_t ms = api::nowMs();
    auto saved = api::writeFileAtomically(
        historyDir + "/" + std::to_string(ms) + "-" + current + ".yaml", kept, 0640);
    if (!saved.ok())
        return saved.error();
    struct stat st
    {
    };
    unsigned mode = ::stat(running->file.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0644;
    auto written = api::writeFileAtomically(running->file, next->text, mode);
    if (!written.ok())
        return written.error();
    engine.reload(next);
    recordApplied(engine.stateDir(), engine.configVersion(), current, ms, who);
    spdlog::info("config.applied file={} version={} by={}", running->file, engine.configVersion(),
                 who.empty() ? "-" : who);
    return json{{"version", engine.configVersion()}, {"summary", next->summary().toString()}};
}

namespace ops {

void configGet(OpCall &call)
{
    api::Reply reply = getConfig(call.engine);
    // Values under secret-looking keys and `secret: true` entries are for admins only.
    const bool reveal = call.role >= api::Role::Admin;
    if (reply.ok()) {
        json &out = reply.value();
        if (!reveal) {
            config::RedactedText redacted = config::redactConfig(out["text"].get<std::string>());
            out["text"] = std::move(redacted.text);
            out["hidden"] = redacted.hidden;
        }
        out["secrets_shown"] = reveal;
    }
    call.done(std::move(reply));
}

void configValidate(OpCall &call)
{
    call.done(validateConfig(call.engine, call.args));
}

void configApply(OpCall &call)
{
    call.done(applyConfig(call.engine, call.args, call.caller));
}

void configPlan(OpCall &call)
{
    call.done(planConfig(call.engine, call.args));
}

void configHistory(OpCall &call)
{
    call.done(drover::engine::configHistory(call.engine, call.args, call.role >= api::Role::Admin));
}

} // namespace ops

} // namespace drover::engine
