#pragma once

#include "api/backend.h"

#include <nlohmann/json_fwd.hpp>

namespace drover::engine {

class Engine;

/// `config.get`: the running config's file, version and text.
api::Reply getConfig(const Engine &engine);
/// `config.validate {text, file?}`: the text checked as the running config's file would be
/// (relative paths against its directory); ok with a summary, or `invalid_config` with every
/// error's file:line:column and path.
api::Reply validateConfig(const Engine &engine, const nlohmann::json &args);
/// `config.apply {text, file?, base_version?}`: `conflict` when base_version is not the
/// running version; then validated (an invalid text changes nothing); then the running file
/// is kept in `<state_dir>/config-history/`, replaced atomically by the text, and reloaded.
api::Reply applyConfig(Engine &engine, const nlohmann::json &args);

} // namespace drover::engine
