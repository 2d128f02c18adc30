#pragma once

#include "config/diagnostics.h"
#include "config/expand.h"
#include "config/spec.h"
#include "config/yamltree.h"

namespace drover::config {

struct ValidateContext
{
    const SourceMap &source;
    EnvLookup env;
    std::string baseDir; ///< relative paths resolve against this (absolute)
    Diagnostics &diagnostics;
    /// Keys that are given, valid, and that this build reads but does not act on yet.
    std::vector<api::Diagnostic> notActedOn = {};
};

/// Expands `${VAR}`s, resolves `extends:`, reads every key into `out`, fills defaults, checks
/// every rule of the schema and computes revisions. Errors go to the diagnostics; `out` is
/// meaningful only when there are none.
void validate(Node root, ValidateContext &ctx, Config &out);

} // namespace drover::config
