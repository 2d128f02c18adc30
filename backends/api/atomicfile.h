#pragma once

#include "api/result.h"

#include <string>
#include <string_view>

namespace drover::api {

/// Replaces `path` with `text` so that a reader sees either the old or the new file, never a
/// mix: a temporary file in the same directory with `mode`, then rename. With `durable`, the
/// data and the directory are fsync()ed too, so the new file survives a power cut (config,
/// tokens); without, a crash may leave the old file (per-worker records, rewritten often).
Result<bool> writeFileAtomically(const std::string &path, std::string_view text, unsigned mode,
                                 bool durable = true);

/// The whole file, or an error saying why it cannot be read.
Result<std::string> readWholeFile(const std::string &path);

} // namespace drover::api
