#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

/// Which config and environment values are secret, and hiding them. Viewers and operators see
/// `<hidden>` where an admin sees the value (docs/config.md, "Secret values").
namespace drover::config {

/// What a hidden value reads as.
inline constexpr std::string_view kHiddenValue = "<hidden>";

/// True when a key or variable name looks like it holds a secret: it contains `token`,
/// `secret`, `password` or `key`, in any case (`DB_PASSWORD`, `ApiKey`, `tls.key`). Broad on
/// purpose: a false match only hides a value.
bool looksSecret(std::string_view key);

/// `NAME=value` entries with the value of every secret name replaced by `<hidden>`: the names
/// in `secretNames` (a pool's `secretEnv`) and any name that looksSecret() (droverd's own
/// environment, which workers inherit, is covered too). Entries without `=` are kept.
std::vector<std::string> redactEnvironment(const std::vector<std::string> &env,
                                           const std::vector<std::string> &secretNames);

struct RedactedText
{
    std::string text;
    std::size_t hidden = 0; ///< values replaced
    /// The text could not be redacted value by value (it does not parse, or the result did not
    /// check out), so `text` is a single comment that says so and shows nothing of it.
    bool whollyHidden = false;
};

/// The YAML text with every scalar value under a key that looksSecret() (at any depth below
/// it), and every value in a mapping that has `secret: true`, replaced by `"<hidden>"`.
/// Everything else (comments, layout, quoting of other values, `${VAR}` references) is kept
/// byte for byte. The value an alias under a secret key refers to is hidden where its anchor
/// is. The result is parsed again and compared with the original; if anything does not
/// match, nothing is shown (`whollyHidden`). Never throws.
RedactedText redactConfig(std::string_view yamlText);

/// redactConfig(yamlText).text.
std::string redactConfigText(std::string_view yamlText);

} // namespace drover::config
