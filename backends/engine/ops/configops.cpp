#include "engine/ops/configops.h"

#include "api/atomicfile.h"
#include "api/clock.h"
#include "config/loader.h"
#include "config/secrets.h"
#include "engine/engine.h"
#include "engine/ops/ops.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <sys/stat.h>

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

} // namespace

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

api::Reply applyConfig(Engine &engine, const json &args)
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
    spdlog::info("config.applied file={} version={}", running->file, engine.configVersion());
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
    call.done(applyConfig(call.engine, call.args));
}

} // namespace ops

} // namespace drover::engine
