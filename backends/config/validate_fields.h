#pragma once

// Internal to the validator: the error sink, mappings with known keys and the readers of
// single values. Each reader returns false (leaving `out` at its default) when the value is
// absent or wrong; a wrong value is reported with its own mark.

#include "config/validate.h"

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace drover::config::detail {

using Keys = std::initializer_list<std::string_view>;

inline constexpr long long kNoMax = std::numeric_limits<long long>::max();
inline constexpr Duration kLongest = std::chrono::hours(24 * 30);

// ---------------------------------------------------------------------------------------------
// Paths and the error sink

/// `path.key`, or `path["odd key"]` for a key that is not a plain name.
std::string join(const std::string &path, std::string_view key);
/// `path[index]`.
std::string at(const std::string &path, std::size_t index);

struct Ctx
{
    ValidateContext &in;

    void error(Mark mark, const std::string &path, std::string message)
    {
        in.diagnostics.add(mark, path, std::move(message));
    }
    /// A valid key that the engine does not act on: `droverd --check` and start-up say so.
    void notActedOn(Mark mark, const std::string &path, std::string message)
    {
        in.notActedOn.push_back(
            {in.diagnostics.file(), mark.line, mark.column, path, std::move(message)});
    }
    /// A problem with a value on its own. A value copied into a pool by `extends:` was checked
    /// where the template is, so it is not reported again for every pool that uses it.
    void local(const Node &node, const std::string &path, std::string message)
    {
        if (!node.fromTemplate)
            error(node.mark, path, std::move(message));
    }
    void localAt(const Node &node, Mark mark, const std::string &path, std::string message)
    {
        if (!node.fromTemplate)
            error(mark, path, std::move(message));
    }
};

// ---------------------------------------------------------------------------------------------
// Mappings with known keys

class Fields
{
public:
    /// Checks that `node` is a mapping (absent and null count as empty) and reports keys that
    /// are not in `known`, with a "did you mean" where one is close.
    Fields(Ctx &ctx, const Node *node, std::string path, Keys known, bool reportUnknown = true)
        : Fields(ctx, node, std::move(path), std::span(known.begin(), known.size()), reportUnknown)
    {}
    Fields(Ctx &ctx, const Node *node, std::string path, std::span<const std::string_view> known,
           bool reportUnknown = true);

    static void reportUnknownKey(Ctx &ctx, const Entry &e, const std::vector<std::string> &names,
                                 const std::string &path);

    bool present() const { return m_node && m_node->isMap(); }
    bool wrongType() const { return m_wrongType; }
    const Node *node() const { return m_node; }
    const std::string &path() const { return m_path; }
    std::string path(std::string_view key) const { return join(m_path, key); }
    const std::vector<const Entry *> &unknown() const { return m_unknown; }

    const Node *get(std::string_view key) const { return present() ? m_node->find(key) : nullptr; }
    const Entry *entry(std::string_view key) const;

    /// The value of a key that must be there; reports it missing at the mapping.
    const Node *require(std::string_view key, std::string_view hint = {}) const;

private:
    Ctx &m_ctx;
    const Node *m_node;
    std::string m_path;
    bool m_wrongType = false;
    std::vector<const Entry *> m_unknown;
};

// ---------------------------------------------------------------------------------------------
// Scalar readers (validate_values.cpp)

/// "1 port", "2 ports".
std::string count(long long n, std::string_view one, std::string_view many);
std::string numberText(double v);
std::string rangeText(std::string_view what, long long min, long long max);

std::optional<long long> parseInteger(std::string_view s);
std::optional<double> parseNumber(std::string_view s);
/// `250ms`, `5s`, `2m`, `1h`, `1d`, combined (`1m30s`) or with a fraction (`1.5s`); `0`.
std::optional<Duration> parseDuration(std::string_view s);
/// `a-b` or a single `a` (then both ends are `a`), as in ports and expect_status.
std::pair<std::optional<long long>, std::optional<long long>> parseRangeText(std::string_view text);

bool scalarText(Ctx &ctx, const Node *n, const std::string &path, std::string_view what,
                std::string &out);
bool str(Ctx &ctx, const Node *n, const std::string &path, std::string &out,
         bool allowEmpty = true);

template <class Int>
bool integer(Ctx &ctx, const Node *n, const std::string &path, Int &out, long long min,
             long long max = kNoMax)
{
    std::string text;
    std::string expect = rangeText("a whole number", min, max);
    if (!scalarText(ctx, n, path, expect, text))
        return false;
    auto v = parseInteger(text);
    if (!v) {
        ctx.local(*n, path, "expected " + expect + ", got " + quote(text));
        return false;
    }
    if (*v < min || *v > max) {
        ctx.local(*n, path, "expected " + expect + ", got " + text);
        return false;
    }
    out = static_cast<Int>(*v);
    return true;
}

/// A number in [min, max], or (min, max] when `minExclusive`.
bool number(Ctx &ctx, const Node *n, const std::string &path, double &out, double min, double max,
            bool minExclusive = false);
bool boolean(Ctx &ctx, const Node *n, const std::string &path, bool &out);
bool duration(Ctx &ctx, const Node *n, const std::string &path, Duration &out,
              Duration min = Duration{0}, Duration max = kLongest);
/// `512Ki`, `256Mi`, `2Gi`, `1Ti`, decimal `K`/`M`/`G`/`T`, or plain bytes.
bool size(Ctx &ctx, const Node *n, const std::string &path, std::uint64_t &out, std::uint64_t min);

template <class E>
bool choice(Ctx &ctx, const Node *n, const std::string &path, E &out,
            std::initializer_list<std::pair<std::string_view, E>> values)
{
    std::string text;
    std::string names;
    for (const auto &v : values)
        names += (names.empty() ? "" : ", ") + std::string(v.first);
    if (!scalarText(ctx, n, path, "one of " + names, text))
        return false;
    for (const auto &v : values) {
        if (v.first == text) {
            out = v.second;
            return true;
        }
    }
    ctx.local(*n, path, "unknown value " + quote(text) + " (one of " + names + ")");
    return false;
}

bool signalName(Ctx &ctx, const Node *n, const std::string &path, int &out);
/// A list of strings.
bool strList(Ctx &ctx, const Node *n, const std::string &path, std::vector<std::string> &out,
             bool nonEmpty, std::vector<const Node *> *nodes = nullptr);
/// Resolves `~/` and relative paths against the config's directory.
std::string resolvePath(Ctx &ctx, const std::string &p);
bool pathValue(Ctx &ctx, const Node *n, const std::string &path, std::string &out);
bool endpoint(Ctx &ctx, const Node *n, const std::string &path, Endpoint &out);
bool portRange(Ctx &ctx, const Node *n, const std::string &path, PortRange &out);
/// A pool, template, adopted or token name.
bool nameValue(Ctx &ctx, const Node *n, const std::string &path, std::string &out);

// ---------------------------------------------------------------------------------------------
// Placeholders: checked wherever they may appear, remembered for the per-pool checks.

struct PlaceholderSite
{
    const Node *node;
    std::string path;
    std::string name;
};

struct Sites
{
    std::vector<PlaceholderSite> uses;

    /// Checks the placeholders of one string value and records the ones it uses.
    void scan(Ctx &ctx, const Node *n, const std::string &path);
    void scanList(Ctx &ctx, const Node *n, const std::string &path);
    void scanMapValues(Ctx &ctx, const Node *n, const std::string &path);
};

/// A port that is a number or a string holding placeholders (`"{{port}}"`).
bool portValue(Ctx &ctx, const Node *n, const std::string &path, std::string &out, Sites &sites);

} // namespace drover::config::detail
