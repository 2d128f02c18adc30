#pragma once

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace drover::config {

/// Looks a variable up in the master's environment (or a test's map).
using EnvLookup = std::function<std::optional<std::string>(const std::string &name)>;
EnvLookup processEnvironment();

/// A problem at a byte offset inside one string value.
struct TextError
{
    std::size_t offset = 0;
    std::string needle; ///< the text at the offset, to find it again in the source
    std::string message;
};

/// Expands `${NAME}` and `${NAME:-default}` from `env`; `$${` writes a literal `${`.
/// An unset variable without a default, a bad name or an unclosed `${` is an error.
/// `fromEnvironment`, when given, is set to whether any text came from `env` (a default
/// that was used does not count: it is in the file for everyone to read).
std::string expandVariables(std::string_view in, const EnvLookup &env,
                            std::vector<TextError> &errors, bool *fromEnvironment = nullptr);

/// The per-worker names usable as `{{name}}`, filled in at spawn time.
inline constexpr std::array<std::string_view, 5> kPlaceholderNames = {"port", "index", "worker",
                                                                      "pool", "revision"};

struct PlaceholderUse
{
    std::size_t offset = 0;
    std::size_t length = 0;
    std::string name;
};

/// Every `{{name}}` in `in` (spaces inside the braces allowed). Unknown names and unclosed
/// braces are reported in `errors` (with a "did you mean").
std::vector<PlaceholderUse> findPlaceholders(std::string_view in, std::vector<TextError> &errors);

/// The known name closest to `word` (edit distance, case-insensitive), if close enough.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string> &known);

} // namespace drover::config
