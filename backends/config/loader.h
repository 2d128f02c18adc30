#pragma once

#include "api/diagnostic.h"
#include "config/expand.h"
#include "config/spec.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace drover::config {

struct LoadOptions
{
    EnvLookup env = processEnvironment(); ///< for `${VAR}`; tests pass their own
    /// Relative paths resolve against this; empty: the file's directory (loadFile) or the
    /// current directory (loadText).
    std::string baseDir;
    std::size_t maxErrors = 100; ///< the report lists at most this many, then "and N more"
    Limits limits;
};

struct LoadResult
{
    std::optional<Config> config;        ///< set only when the file has no error at all
    std::vector<api::Diagnostic> errors; ///< sorted by position, at most maxErrors
    std::size_t moreErrors = 0;          ///< errors beyond maxErrors

    bool ok() const { return config.has_value(); }
    /// One `file:line:col: path: message` per line, then "and N more errors".
    std::string report() const;
};

/// Reads, checks and types a config file. Never throws; every problem is in `errors`.
LoadResult loadFile(const std::string &path, const LoadOptions &options = {});

/// The same for text already in memory; `fileName` is what the messages call it.
LoadResult loadText(std::string_view text, const std::string &fileName,
                    const LoadOptions &options = {});

} // namespace drover::config
