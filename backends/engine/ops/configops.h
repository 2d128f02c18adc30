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
/// `who` (a token's name, `console`, `local`) is recorded with the new version in
/// `<state_dir>/applied.jsonl` (one JSON line per apply) for `config.history`.
api::Reply applyConfig(Engine &engine, const nlohmann::json &args, const std::string &who = {});
/// `config.plan {text, file?}`: what applying the text would do, as data (docs/protocol.md):
/// pools added, removed, scaled, whose template (revision) changes and how their workers are
/// replaced, probes changed, adopted entries added or removed, master settings that need a
/// restart of droverd. Errors as validateConfig's.
api::Reply planConfig(const Engine &engine, const nlohmann::json &args);
/// `config.history {version?}`: the versions kept (the running one first, then the state
/// dir's earlier files, newest first) with when and by whom each was applied where recorded;
/// with `version`, that version's text. `reveal`: secrets shown (admins).
api::Reply configHistory(const Engine &engine, const nlohmann::json &args, bool reveal);

} // namespace drover::engine
