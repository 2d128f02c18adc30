#include "config/validate.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <limits>
#include <set>
#include <span>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace drover::config {

namespace {

using Keys = std::initializer_list<std::string_view>;

constexpr long long kNoMax = std::numeric_limits<long long>::max();
constexpr Duration kLongest = std::chrono::hours(24 * 30);

// ---------------------------------------------------------------------------------------------
// Paths and the error sink

std::string join(const std::string &path, std::string_view key)
{
    bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
    if (!plain)
        return path + "[" + quote(key, 64) + "]";
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string at(const std::string &path, std::size_t index)
{
    return path + "[" + std::to_string(index) + "]";
}

struct Ctx
{
    ValidateContext &in;

    void error(Mark mark, const std::string &path, std::string message)
    {
        in.diagnostics.add(mark, path, std::move(message));
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
           bool reportUnknown = true)
        : m_ctx(ctx)
        , m_node(node)
        , m_path(std::move(path))
    {
        if (!node || node->isNull())
            return;
        if (!node->isMap()) {
            ctx.local(*node, m_path, "expected a mapping, got " + describe(*node));
            m_wrongType = true;
            return;
        }
        std::vector<std::string> names(known.begin(), known.end());
        for (const Entry &e : node->entries) {
            if (std::find(names.begin(), names.end(), e.key) != names.end())
                continue;
            m_unknown.push_back(&e);
            if (reportUnknown)
                reportUnknownKey(ctx, e, names, m_path);
        }
    }

    static void reportUnknownKey(Ctx &ctx, const Entry &e, const std::vector<std::string> &names,
                                 const std::string &path)
    {
        std::string msg = "unknown key " + quote(e.key);
        if (auto guess = closest(e.key, names)) {
            msg += " (did you mean \"" + *guess + "\"?)";
        } else {
            msg += " (expected one of ";
            for (std::size_t i = 0; i < names.size(); ++i)
                msg += (i ? ", " : "") + names[i];
            msg += ")";
        }
        ctx.localAt(e.value, e.keyMark, join(path, e.key), std::move(msg));
    }

    bool present() const { return m_node && m_node->isMap(); }
    bool wrongType() const { return m_wrongType; }
    const Node *node() const { return m_node; }
    const std::string &path() const { return m_path; }
    std::string path(std::string_view key) const { return join(m_path, key); }
    const std::vector<const Entry *> &unknown() const { return m_unknown; }

    const Node *get(std::string_view key) const { return present() ? m_node->find(key) : nullptr; }
    const Entry *entry(std::string_view key) const
    {
        if (!present())
            return nullptr;
        for (const Entry &e : m_node->entries) {
            if (e.key == key)
                return &e;
        }
        return nullptr;
    }

    /// The value of a key that must be there; reports it missing at the mapping.
    const Node *require(std::string_view key, std::string_view hint = {}) const
    {
        const Node *n = get(key);
        if (!n && present()) {
            std::string msg = "missing required key \"" + std::string(key) + "\"";
            if (!hint.empty())
                msg += " (" + std::string(hint) + ")";
            m_ctx.local(*m_node, m_path, std::move(msg));
        }
        return n;
    }

private:
    Ctx &m_ctx;
    const Node *m_node;
    std::string m_path;
    bool m_wrongType = false;
    std::vector<const Entry *> m_unknown;
};

// ---------------------------------------------------------------------------------------------
// Scalar readers. Each returns false (leaving `out` at its default) when the value is absent
// or wrong; a wrong value is reported with its own mark.

/// "1 port", "2 ports".
std::string count(long long n, std::string_view one, std::string_view many)
{
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string numberText(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

bool scalarText(Ctx &ctx, const Node *n, const std::string &path, std::string_view what,
                std::string &out)
{
    if (!n)
        return false;
    if (!n->isScalar()) {
        ctx.local(*n, path, "expected " + std::string(what) + ", got " + describe(*n));
        return false;
    }
    out = n->scalar;
    return true;
}

bool str(Ctx &ctx, const Node *n, const std::string &path, std::string &out, bool allowEmpty = true)
{
    std::string text;
    if (!scalarText(ctx, n, path, "a string", text))
        return false;
    if (!allowEmpty && text.empty()) {
        ctx.local(*n, path, "must not be empty");
        return false;
    }
    out = std::move(text);
    return true;
}

std::string rangeText(std::string_view what, long long min, long long max)
{
    if (max == kNoMax)
        return std::string(what) + " >= " + std::to_string(min);
    return std::string(what) + " from " + std::to_string(min) + " to " + std::to_string(max);
}

std::optional<long long> parseInteger(std::string_view s)
{
    long long v = 0;
    if (!s.empty() && s.front() == '+')
        s.remove_prefix(1);
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc::result_out_of_range)
        return s.front() == '-' ? std::numeric_limits<long long>::min() : kNoMax;
    if (ec != std::errc() || end != s.data() + s.size() || s.empty())
        return std::nullopt;
    return v;
}

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

std::optional<double> parseNumber(std::string_view s)
{
    double v = 0;
    if (!s.empty() && s.front() == '+')
        s.remove_prefix(1);
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty() || !std::isfinite(v))
        return std::nullopt;
    return v;
}

/// A number in [min, max], or (min, max] when `minExclusive`.
bool number(Ctx &ctx, const Node *n, const std::string &path, double &out, double min, double max,
            bool minExclusive = false)
{
    std::string expect = "a number ";
    if (max == std::numeric_limits<double>::max())
        expect += (minExclusive ? "> " : ">= ") + numberText(min);
    else
        expect += minExclusive
                      ? "greater than " + numberText(min) + " and at most " + numberText(max)
                      : "from " + numberText(min) + " to " + numberText(max);
    std::string text;
    if (!scalarText(ctx, n, path, expect, text))
        return false;
    auto v = parseNumber(text);
    if (!v) {
        ctx.local(*n, path, "expected " + expect + ", got " + quote(text));
        return false;
    }
    if (*v < min || (minExclusive && *v == min) || *v > max) {
        ctx.local(*n, path, "expected " + expect + ", got " + text);
        return false;
    }
    out = *v;
    return true;
}

bool boolean(Ctx &ctx, const Node *n, const std::string &path, bool &out)
{
    std::string text;
    if (!scalarText(ctx, n, path, "true or false", text))
        return false;
    if (text == "true" || text == "false") {
        out = text == "true";
        return true;
    }
    ctx.local(*n, path, "expected true or false, got " + quote(text));
    return false;
}

/// `250ms`, `5s`, `2m`, `1h`, `1d`, combined (`1m30s`) or with a fraction (`1.5s`); `0`.
std::optional<Duration> parseDuration(std::string_view s)
{
    if (s == "0")
        return Duration{0};
    double total = 0;
    bool any = false;
    while (!s.empty()) {
        std::size_t i = 0;
        while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.'))
            ++i;
        if (i == 0)
            return std::nullopt;
        auto value = parseNumber(s.substr(0, i));
        if (!value)
            return std::nullopt;
        s.remove_prefix(i);
        double unit = 0;
        if (s.starts_with("ms")) {
            unit = 1, s.remove_prefix(2);
        } else if (s.starts_with("s")) {
            unit = 1000, s.remove_prefix(1);
        } else if (s.starts_with("m")) {
            unit = 60'000, s.remove_prefix(1);
        } else if (s.starts_with("h")) {
            unit = 3'600'000, s.remove_prefix(1);
        } else if (s.starts_with("d")) {
            unit = 86'400'000, s.remove_prefix(1);
        } else {
            return std::nullopt;
        }
        total += *value * unit;
        any = true;
        if (total > 1e13)
            return Duration::max();
    }
    if (!any)
        return std::nullopt;
    return Duration{static_cast<long long>(std::llround(total))};
}

bool duration(Ctx &ctx, const Node *n, const std::string &path, Duration &out,
              Duration min = Duration{0}, Duration max = kLongest)
{
    std::string text;
    const std::string like = "a duration like 250ms, 5s, 2m or 1h";
    if (!scalarText(ctx, n, path, like, text))
        return false;
    auto d = parseDuration(text);
    if (!d) {
        ctx.local(*n, path, "expected " + like + ", got " + quote(text));
        return false;
    }
    if (*d < min || *d > max) {
        std::string expect = min.count() == 0 ? "a duration up to " + formatDuration(max)
                                              : "a duration from " + formatDuration(min) + " to " +
                                                    formatDuration(max);
        ctx.local(*n, path, "expected " + expect + ", got " + text);
        return false;
    }
    out = *d;
    return true;
}

/// `512Ki`, `256Mi`, `2Gi`, `1Ti`, decimal `K`/`M`/`G`/`T`, or plain bytes.
bool size(Ctx &ctx, const Node *n, const std::string &path, std::uint64_t &out, std::uint64_t min)
{
    std::string text;
    const std::string like = "a size like 512Ki, 256Mi or 2Gi";
    if (!scalarText(ctx, n, path, like, text))
        return false;
    std::string_view s = text;
    std::size_t i = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.'))
        ++i;
    auto value = parseNumber(s.substr(0, i));
    std::string_view unit = s.substr(i);
    static const std::pair<std::string_view, double> units[] = {{"", 1},
                                                                {"Ki", 1024.0},
                                                                {"Mi", 1048576.0},
                                                                {"Gi", 1073741824.0},
                                                                {"Ti", 1099511627776.0},
                                                                {"K", 1e3},
                                                                {"k", 1e3},
                                                                {"M", 1e6},
                                                                {"G", 1e9},
                                                                {"T", 1e12}};
    auto u = std::find_if(std::begin(units), std::end(units),
                          [&](const auto &p) { return p.first == unit; });
    if (!value || u == std::end(units)) {
        std::string msg = "expected " + like + ", got " + quote(text);
        if (value && u == std::end(units))
            msg += " (unknown unit " + quote(unit) +
                   "; use Ki, Mi, Gi, Ti, K, M, G, T or plain bytes)";
        ctx.local(*n, path, std::move(msg));
        return false;
    }
    double bytes = *value * u->second;
    if (bytes < static_cast<double>(min) || bytes > 1125899906842624.0) {
        ctx.local(*n, path, "expected a size from " + formatSize(min) + " to 1Pi, got " + text);
        return false;
    }
    out = static_cast<std::uint64_t>(std::llround(bytes));
    return true;
}

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

bool signalName(Ctx &ctx, const Node *n, const std::string &path, int &out)
{
    static const std::pair<std::string_view, int> signals[] = {
        {"SIGTERM", SIGTERM}, {"SIGINT", SIGINT},   {"SIGQUIT", SIGQUIT}, {"SIGHUP", SIGHUP},
        {"SIGUSR1", SIGUSR1}, {"SIGUSR2", SIGUSR2}, {"SIGKILL", SIGKILL}, {"SIGWINCH", SIGWINCH}};
    std::string text;
    if (!scalarText(ctx, n, path, "a signal name such as SIGTERM", text))
        return false;
    for (const auto &[name, number] : signals) {
        if (text == name || text == name.substr(3)) {
            out = number;
            return true;
        }
    }
    ctx.local(
        *n, path,
        "unknown signal " + quote(text) +
            " (one of SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2, SIGKILL, SIGWINCH)");
    return false;
}

/// A list of strings. `what` names the list in the "empty" message.
bool strList(Ctx &ctx, const Node *n, const std::string &path, std::vector<std::string> &out,
             bool nonEmpty, std::vector<const Node *> *nodes = nullptr)
{
    if (!n)
        return false;
    if (!n->isSequence()) {
        std::string msg = "expected a list of strings, got " + describe(*n);
        if (n->isScalar())
            msg += " (write a list: [\"" + n->scalar.substr(0, n->scalar.find(' ')) + "\", ...])";
        ctx.local(*n, path, std::move(msg));
        return false;
    }
    if (nonEmpty && n->items.empty()) {
        ctx.local(*n, path, "must not be empty");
        return false;
    }
    bool ok = true;
    std::vector<std::string> values;
    for (std::size_t i = 0; i < n->items.size(); ++i) {
        std::string v;
        ok = str(ctx, &n->items[i], at(path, i), v) && ok;
        values.push_back(std::move(v));
        if (nodes)
            nodes->push_back(&n->items[i]);
    }
    if (ok)
        out = std::move(values);
    return ok;
}

/// Resolves `~/` and relative paths against the config's directory.
std::string resolvePath(Ctx &ctx, const std::string &p)
{
    namespace fs = std::filesystem;
    if (p.starts_with("~/") || p == "~") {
        std::string home = ctx.in.env("HOME").value_or("/");
        return (fs::path(home) / p.substr(std::min<std::size_t>(2, p.size()))).lexically_normal();
    }
    fs::path path(p);
    if (path.is_absolute())
        return path.lexically_normal();
    return (fs::path(ctx.in.baseDir) / path).lexically_normal();
}

bool pathValue(Ctx &ctx, const Node *n, const std::string &path, std::string &out)
{
    std::string text;
    if (!str(ctx, n, path, text, false))
        return false;
    out = resolvePath(ctx, text);
    return true;
}

bool endpoint(Ctx &ctx, const Node *n, const std::string &path, Endpoint &out)
{
    std::string text;
    const std::string like = "an address like 127.0.0.1:7700";
    if (!scalarText(ctx, n, path, like, text))
        return false;
    std::string host, port;
    if (text.starts_with("[")) {
        auto close = text.find("]:");
        if (close != std::string::npos) {
            host = text.substr(1, close - 1);
            port = text.substr(close + 2);
        }
    } else if (auto colon = text.rfind(':'); colon != std::string::npos) {
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string::npos)
            host.clear(); // an IPv6 address needs brackets
    }
    auto number = parseInteger(port);
    if (host.empty() || !number) {
        ctx.local(*n, path, "expected " + like + " or [::1]:7700, got " + quote(text));
        return false;
    }
    if (*number < 1 || *number > 65535) {
        ctx.local(*n, path, "port " + port + " is out of range (1 to 65535)");
        return false;
    }
    out = {host, static_cast<int>(*number)};
    return true;
}

/// `a-b` or a single `a` (then both ends are `a`), as in ports and expect_status.
std::pair<std::optional<long long>, std::optional<long long>> parseRangeText(std::string_view text)
{
    auto dash = text.find('-', 1);
    auto first = parseInteger(text.substr(0, dash));
    auto last = dash == std::string_view::npos ? first : parseInteger(text.substr(dash + 1));
    return {first, last};
}

bool portRange(Ctx &ctx, const Node *n, const std::string &path, PortRange &out)
{
    std::string text;
    const std::string like = "a port range like 9100-9199";
    if (!scalarText(ctx, n, path, like, text))
        return false;
    auto [first, last] = parseRangeText(text);
    if (!first || !last) {
        ctx.local(*n, path, "expected " + like + ", got " + quote(text));
        return false;
    }
    for (long long p : {*first, *last}) {
        if (p < 1 || p > 65535) {
            ctx.local(*n, path, "port " + std::to_string(p) + " is out of range (1 to 65535)");
            return false;
        }
    }
    if (*first > *last) {
        ctx.local(*n, path,
                  "the range " + text + " runs backwards (write " + std::to_string(*last) + "-" +
                      std::to_string(*first) + ")");
        return false;
    }
    out = {static_cast<int>(*first), static_cast<int>(*last)};
    return true;
}

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
    void scan(Ctx &ctx, const Node *n, const std::string &path)
    {
        if (!n || !n->isScalar())
            return;
        std::vector<TextError> errors;
        for (PlaceholderUse &use : findPlaceholders(n->scalar, errors))
            uses.push_back({n, path, std::move(use.name)});
        for (const TextError &e : errors)
            ctx.localAt(*n, ctx.in.source.find(n->mark, e.needle), path, e.message);
    }
    void scanList(Ctx &ctx, const Node *n, const std::string &path)
    {
        if (n && n->isSequence()) {
            for (std::size_t i = 0; i < n->items.size(); ++i)
                scan(ctx, &n->items[i], at(path, i));
        }
    }
    void scanMapValues(Ctx &ctx, const Node *n, const std::string &path)
    {
        if (n && n->isMap()) {
            for (const Entry &e : n->entries)
                scan(ctx, &e.value, join(path, e.key));
        }
    }
};

/// A port that is a number or a string holding placeholders (`"{{port}}"`).
bool portValue(Ctx &ctx, const Node *n, const std::string &path, std::string &out, Sites &sites)
{
    if (!n)
        return false;
    if (!n->isScalar()) {
        ctx.local(*n, path, "expected a port number or \"{{port}}\", got " + describe(*n));
        return false;
    }
    if (n->scalar.find("{{") != std::string::npos) {
        std::vector<TextError> errors;
        auto uses = findPlaceholders(n->scalar, errors);
        if (errors.empty() && uses.size() == 1 && uses[0].name == "port" &&
            uses[0].length == n->scalar.size()) {
            sites.scan(ctx, n, path);
            out = n->scalar;
            return true;
        }
        ctx.local(*n, path, "expected a port number or \"{{port}}\", got " + describe(*n));
        return false;
    }
    int port = 0;
    if (!integer(ctx, n, path, port, 1, 65535))
        return false;
    out = std::to_string(port);
    return true;
}

bool envMap(Ctx &ctx, const Node *n, const std::string &path,
            std::map<std::string, std::string> &out, Sites &sites)
{
    if (!n || n->isNull())
        return false;
    if (!n->isMap()) {
        ctx.local(*n, path, "expected a mapping of NAME: value, got " + describe(*n));
        return false;
    }
    bool ok = true;
    for (const Entry &e : n->entries) {
        std::string p = join(path, e.key);
        bool validName = !e.key.empty() && !std::isdigit(static_cast<unsigned char>(e.key[0])) &&
                         std::all_of(e.key.begin(), e.key.end(), [](char c) {
                             return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                         });
        if (!validName) {
            ctx.localAt(e.value, e.keyMark, p,
                        "invalid variable name " + quote(e.key) +
                            " (letters, digits and _; not starting with a digit)");
            ok = false;
            continue;
        }
        std::string v;
        if (e.value.isScalar() || e.value.isNull()) {
            v = e.value.scalar; // `KEY:` sets an empty value
            sites.scan(ctx, &e.value, p);
        } else {
            ctx.local(e.value, p, "expected a string, got " + describe(e.value));
            ok = false;
        }
        out[e.key] = std::move(v);
    }
    return ok;
}

// ---------------------------------------------------------------------------------------------
// Sections

void readBackoff(Ctx &ctx, const Node *n, const std::string &path, BackoffSpec &out)
{
    Fields f(ctx, n, path, {"initial", "max", "factor", "jitter"});
    duration(ctx, f.get("initial"), f.path("initial"), out.initial, 0ms, 1h);
    duration(ctx, f.get("max"), f.path("max"), out.max, 1ms, 24h);
    number(ctx, f.get("factor"), f.path("factor"), out.factor, 1, 10);
    number(ctx, f.get("jitter"), f.path("jitter"), out.jitter, 0, 1);
    if ((f.get("initial") || f.get("max")) && out.initial > out.max) {
        const Node *at = f.get("max") ? f.get("max") : f.get("initial");
        ctx.local(*at, f.get("max") ? f.path("max") : f.path("initial"),
                  "max " + formatDuration(out.max) + " is shorter than initial " +
                      formatDuration(out.initial));
    }
}

void readRestart(Ctx &ctx, const Node *n, const std::string &path, RestartSpec &out)
{
    Fields f(ctx, n, path, {"policy", "backoff", "max_restarts", "window"});
    choice(ctx, f.get("policy"), f.path("policy"), out.policy,
           {{"always", RestartPolicy::Always},
            {"on-failure", RestartPolicy::OnFailure},
            {"never", RestartPolicy::Never}});
    readBackoff(ctx, f.get("backoff"), f.path("backoff"), out.backoff);
    integer(ctx, f.get("max_restarts"), f.path("max_restarts"), out.maxRestarts, 0, 1'000'000);
    duration(ctx, f.get("window"), f.path("window"), out.window, 1s);
}

void readStop(Ctx &ctx, const Node *n, const std::string &path, StopSpec &out)
{
    Fields f(ctx, n, path, {"signal", "timeout"});
    signalName(ctx, f.get("signal"), f.path("signal"), out.signal);
    duration(ctx, f.get("timeout"), f.path("timeout"), out.timeout, 0ms, 1h);
}

constexpr std::string_view kProbeKinds[] = {"http", "tcp", "exec", "grpc"};

void readProbe(Ctx &ctx, const Node *n, const std::string &path, std::optional<ProbeSpec> &out,
               Sites &sites)
{
    if (!n || n->isNull())
        return;
    Fields f(ctx, n, path,
             {"http", "tcp", "exec", "grpc", "interval", "timeout", "initial_delay",
              "failure_threshold", "success_threshold"},
             false);
    if (!f.present())
        return;
    ProbeSpec p;
    static const std::vector<std::string> known = {"http",
                                                   "tcp",
                                                   "exec",
                                                   "grpc",
                                                   "interval",
                                                   "timeout",
                                                   "initial_delay",
                                                   "failure_threshold",
                                                   "success_threshold"};
    bool unknownKind = false; // an unknown or misspelt kind: "missing the kind" would be noise
    for (const Entry *e : f.unknown()) {
        auto guess = closest(e->key, known);
        if (guess && std::find(std::begin(kProbeKinds), std::end(kProbeKinds), *guess) !=
                         std::end(kProbeKinds))
            unknownKind = true;
        if (e->value.isMap() && !guess) {
            ctx.localAt(e->value, e->keyMark, join(path, e->key),
                        "unknown probe kind " + quote(e->key) + " (one of http, tcp, exec, grpc)");
            unknownKind = true;
        } else {
            Fields::reportUnknownKey(ctx, *e, known, path);
        }
    }
    const Entry *kind = nullptr;
    for (const Entry &e : n->entries) {
        if (std::find(std::begin(kProbeKinds), std::end(kProbeKinds), e.key) ==
            std::end(kProbeKinds))
            continue;
        if (kind) {
            ctx.localAt(e.value, e.keyMark, join(path, e.key),
                        "a probe has one kind, but this one also has \"" + kind->key + "\"");
            continue;
        }
        kind = &e;
    }
    if (!kind && !unknownKind) {
        ctx.local(*n, path, "missing the probe kind (one of http, tcp, exec, grpc)");
    }
    if (kind) {
        std::string kp = join(path, kind->key);
        Fields k(ctx, &kind->value, kp,
                 kind->key == "http"
                     ? Keys{"url", "method", "expect_status", "headers", "reuse_connection"}
                 : kind->key == "tcp"  ? Keys{"host", "port"}
                 : kind->key == "exec" ? Keys{"command"}
                                       : Keys{"host", "port", "service"});
        if (kind->value.isNull())
            ctx.local(kind->value, kp, "expected a mapping, got nothing");
        if (kind->key == "http") {
            p.kind = ProbeKind::Http;
            if (const Node *url = k.require("url");
                url && str(ctx, url, k.path("url"), p.http.url)) {
                if (!p.http.url.starts_with("http://") && !p.http.url.starts_with("https://"))
                    ctx.local(*url, k.path("url"),
                              "expected an http:// or https:// URL, got " + quote(p.http.url));
                sites.scan(ctx, url, k.path("url"));
            }
            choice(ctx, k.get("method"), k.path("method"), p.http.method,
                   {{"GET", std::string("GET")},
                    {"HEAD", std::string("HEAD")},
                    {"POST", std::string("POST")},
                    {"PUT", std::string("PUT")},
                    {"OPTIONS", std::string("OPTIONS")}});
            if (const Node *s = k.get("expect_status")) {
                auto [lo, hi] = parseRangeText(s->isScalar() ? s->scalar : "");
                if (!s->isScalar() || !lo || !hi || *lo < 100 || *hi > 599 || *lo > *hi) {
                    ctx.local(*s, k.path("expect_status"),
                              "expected a status or range within 100-599 like 200-399, got " +
                                  describe(*s));
                } else {
                    p.http.statusMin = static_cast<int>(*lo);
                    p.http.statusMax = static_cast<int>(*hi);
                }
            }
            boolean(ctx, k.get("reuse_connection"), k.path("reuse_connection"),
                    p.http.reuseConnection);
            if (const Node *h = k.get("headers"); h && !h->isNull()) {
                if (!h->isMap()) {
                    ctx.local(*h, k.path("headers"),
                              "expected a mapping of Header: value, got " + describe(*h));
                } else {
                    for (const Entry &e : h->entries) {
                        std::string v;
                        if (str(ctx, &e.value, join(k.path("headers"), e.key), v))
                            p.http.headers.emplace_back(e.key, v);
                        sites.scan(ctx, &e.value, join(k.path("headers"), e.key));
                    }
                }
            }
        } else if (kind->key == "tcp" || kind->key == "grpc") {
            bool tcp = kind->key == "tcp";
            p.kind = tcp ? ProbeKind::Tcp : ProbeKind::Grpc;
            std::string &host = tcp ? p.tcp.host : p.grpc.host;
            std::string &port = tcp ? p.tcp.port : p.grpc.port;
            if (str(ctx, k.get("host"), k.path("host"), host, false))
                sites.scan(ctx, k.get("host"), k.path("host"));
            portValue(ctx, k.require("port"), k.path("port"), port, sites);
            if (!tcp)
                str(ctx, k.get("service"), k.path("service"), p.grpc.service);
        } else {
            p.kind = ProbeKind::Exec;
            if (strList(ctx, k.require("command"), k.path("command"), p.exec.command, true))
                sites.scanList(ctx, k.get("command"), k.path("command"));
        }
    }
    duration(ctx, f.get("interval"), f.path("interval"), p.interval, 100ms, 24h);
    duration(ctx, f.get("timeout"), f.path("timeout"), p.timeout, 10ms, 1h);
    duration(ctx, f.get("initial_delay"), f.path("initial_delay"), p.initialDelay, 0ms, 24h);
    integer(ctx, f.get("failure_threshold"), f.path("failure_threshold"), p.failureThreshold, 1,
            1000);
    integer(ctx, f.get("success_threshold"), f.path("success_threshold"), p.successThreshold, 1,
            1000);
    out = std::move(p);
}

void readProbes(Ctx &ctx, const Node *n, const std::string &path, ProbeSet &out, Sites &sites)
{
    Fields f(ctx, n, path, {"startup", "liveness", "readiness"});
    readProbe(ctx, f.get("startup"), f.path("startup"), out.startup, sites);
    readProbe(ctx, f.get("liveness"), f.path("liveness"), out.liveness, sites);
    readProbe(ctx, f.get("readiness"), f.path("readiness"), out.readiness, sites);
}

void readLimits(Ctx &ctx, const Node *n, const std::string &path, LimitsSpec &out)
{
    Fields f(ctx, n, path, {"memory", "cpu", "nofile", "pids"});
    std::uint64_t memory = 0;
    if (size(ctx, f.get("memory"), f.path("memory"), memory, 1u << 20))
        out.memory = memory;
    double cpu = 0;
    if (number(ctx, f.get("cpu"), f.path("cpu"), cpu, 0, 1024, true))
        out.cpu = cpu;
    int nofile = 0;
    if (integer(ctx, f.get("nofile"), f.path("nofile"), nofile, 16, 1 << 20))
        out.nofile = nofile;
    int pids = 0;
    if (integer(ctx, f.get("pids"), f.path("pids"), pids, 1, 4'194'304))
        out.pids = pids;
}

void readAutoscale(Ctx &ctx, const Node *n, const std::string &path,
                   std::optional<AutoscaleSpec> &out)
{
    if (!n || n->isNull())
        return;
    Fields f(
        ctx, n, path,
        {"min", "max", "target_utilization", "scale_up_after", "scale_down_after", "min_idle"});
    if (!f.present())
        return;
    AutoscaleSpec a;
    integer(ctx, f.get("min"), f.path("min"), a.min, 0, 10'000);
    integer(ctx, f.require("max"), f.path("max"), a.max, 1, 10'000);
    number(ctx, f.get("target_utilization"), f.path("target_utilization"), a.targetUtilization, 0,
           1, true);
    duration(ctx, f.get("scale_up_after"), f.path("scale_up_after"), a.scaleUpAfter);
    duration(ctx, f.get("scale_down_after"), f.path("scale_down_after"), a.scaleDownAfter);
    integer(ctx, f.get("min_idle"), f.path("min_idle"), a.minIdle, 0, 10'000);
    if (f.get("max") && a.min > a.max && f.get("min"))
        ctx.local(*f.get("min"), f.path("min"),
                  "min " + std::to_string(a.min) + " is greater than max " + std::to_string(a.max));
    if (f.get("max") && a.minIdle > a.max && f.get("min_idle"))
        ctx.local(*f.get("min_idle"), f.path("min_idle"),
                  "min_idle " + std::to_string(a.minIdle) + " is greater than max " +
                      std::to_string(a.max));
    out = a;
}

void readGateway(Ctx &ctx, const Node *n, const std::string &path, std::optional<GatewaySpec> &out)
{
    if (!n || n->isNull())
        return;
    Fields f(ctx, n, path,
             {"listen", "strategy", "per_worker_concurrency", "queue", "request_timeout", "retry",
              "circuit_breaker", "rate_limit", "drain_timeout"});
    if (!f.present())
        return;
    GatewaySpec g;
    bool listenOk = endpoint(ctx, f.require("listen"), f.path("listen"), g.listen);
    choice(ctx, f.get("strategy"), f.path("strategy"), g.strategy,
           {{"round-robin", GatewayStrategy::RoundRobin},
            {"least-busy", GatewayStrategy::LeastBusy},
            {"random-two", GatewayStrategy::RandomTwo}});
    integer(ctx, f.get("per_worker_concurrency"), f.path("per_worker_concurrency"),
            g.perWorkerConcurrency, 1, 100'000);
    Fields q(ctx, f.get("queue"), f.path("queue"), {"max", "timeout"});
    integer(ctx, q.get("max"), q.path("max"), g.queueMax, 0, 1'000'000);
    duration(ctx, q.get("timeout"), q.path("timeout"), g.queueTimeout, 0ms, 1h);
    duration(ctx, f.get("request_timeout"), f.path("request_timeout"), g.requestTimeout, 1ms, 24h);
    Fields r(ctx, f.get("retry"), f.path("retry"), {"attempts", "on"});
    integer(ctx, r.get("attempts"), r.path("attempts"), g.retryAttempts, 0, 10);
    if (const Node *on = r.get("on"); on && !on->isNull()) {
        if (!on->isSequence()) {
            ctx.local(*on, r.path("on"), "expected a list, got " + describe(*on));
        } else {
            g.retryOn.clear();
            for (std::size_t i = 0; i < on->items.size(); ++i) {
                RetryOn v{};
                if (choice(ctx, &on->items[i], at(r.path("on"), i), v,
                           {{"connect-error", RetryOn::ConnectError},
                            {"timeout", RetryOn::Timeout},
                            {"5xx", RetryOn::Status5xx}}))
                    g.retryOn.push_back(v);
            }
        }
    }
    Fields cb(ctx, f.get("circuit_breaker"), f.path("circuit_breaker"),
              {"consecutive_failures", "open_for"});
    integer(ctx, cb.get("consecutive_failures"), cb.path("consecutive_failures"), g.breakerFailures,
            1, 1000);
    duration(ctx, cb.get("open_for"), cb.path("open_for"), g.breakerOpenFor, 1ms, 24h);
    Fields rl(ctx, f.get("rate_limit"), f.path("rate_limit"), {"rps", "burst"});
    if (rl.present()) {
        double rps = 0;
        if (number(ctx, rl.require("rps"), rl.path("rps"), rps, 0, 1e9, true))
            g.rateLimitRps = rps;
        g.rateLimitBurst = static_cast<int>(std::clamp(rps, 1.0, 1e6)); // one second's worth
        integer(ctx, rl.get("burst"), rl.path("burst"), g.rateLimitBurst, 1, 1'000'000);
    }
    duration(ctx, f.get("drain_timeout"), f.path("drain_timeout"), g.drainTimeout, 0ms, 1h);
    if (listenOk) // without an address there is nothing to compare with other gateways
        out = std::move(g);
}

constexpr std::string_view strategyName(RolloutStrategy s)
{
    switch (s) {
    case RolloutStrategy::Rolling:
        return "rolling";
    case RolloutStrategy::BlueGreen:
        return "blue-green";
    case RolloutStrategy::Canary:
        return "canary";
    case RolloutStrategy::Recreate:
        return "recreate";
    }
    return "rolling";
}

void readRollout(Ctx &ctx, const Node *n, const std::string &path, RolloutSpec &out)
{
    Fields f(ctx, n, path,
             {"strategy", "max_surge", "max_unavailable", "min_ready", "progress_deadline",
              "auto_rollback", "canary"});
    choice(ctx, f.get("strategy"), f.path("strategy"), out.strategy,
           {{"rolling", RolloutStrategy::Rolling},
            {"blue-green", RolloutStrategy::BlueGreen},
            {"canary", RolloutStrategy::Canary},
            {"recreate", RolloutStrategy::Recreate}});
    integer(ctx, f.get("max_surge"), f.path("max_surge"), out.maxSurge, 0, 10'000);
    integer(ctx, f.get("max_unavailable"), f.path("max_unavailable"), out.maxUnavailable, 0,
            10'000);
    duration(ctx, f.get("min_ready"), f.path("min_ready"), out.minReady, 0ms, 1h);
    duration(ctx, f.get("progress_deadline"), f.path("progress_deadline"), out.progressDeadline, 1s,
             24h);
    boolean(ctx, f.get("auto_rollback"), f.path("auto_rollback"), out.autoRollback);

    const Node *canary = f.get("canary");
    Fields c(ctx, canary, f.path("canary"), {"steps", "max_error_rate"});
    number(ctx, c.get("max_error_rate"), c.path("max_error_rate"), out.maxErrorRate, 0, 1);
    if (const Node *steps = c.get("steps"); steps && !steps->isNull()) {
        if (!steps->isSequence() || steps->items.empty()) {
            ctx.local(*steps, c.path("steps"),
                      steps->isSequence()
                          ? std::string("must not be empty")
                          : "expected a list of {weight, pause} steps, got " + describe(*steps));
        } else {
            int previous = 0;
            for (std::size_t i = 0; i < steps->items.size(); ++i) {
                std::string sp = at(c.path("steps"), i);
                Fields s(ctx, &steps->items[i], sp, {"weight", "pause"});
                CanaryStep step;
                if (integer(ctx, s.require("weight"), s.path("weight"), step.weight, 1, 100)) {
                    if (step.weight <= previous)
                        ctx.local(*s.get("weight"), s.path("weight"),
                                  "weights must increase, but " + std::to_string(step.weight) +
                                      " follows " + std::to_string(previous));
                    previous = step.weight;
                }
                duration(ctx, s.get("pause"), s.path("pause"), step.pause, 0ms, 24h);
                out.canarySteps.push_back(step);
            }
        }
    }

    // Options that only one strategy reads are an error elsewhere, not silently ignored.
    if (!f.present())
        return;
    std::string_view name = strategyName(out.strategy);
    auto misfit = [&](std::string_view key, std::string_view owner) {
        if (const Entry *e = f.entry(key))
            ctx.error(e->keyMark, f.path(key),
                      std::string(key) + " applies to the " + std::string(owner) +
                          " strategy, not " + std::string(name));
    };
    if (out.strategy != RolloutStrategy::Rolling) {
        misfit("max_surge", "rolling");
        misfit("max_unavailable", "rolling");
    }
    if (out.strategy != RolloutStrategy::Canary)
        misfit("canary", "canary");
    if (out.strategy == RolloutStrategy::Canary && out.canarySteps.empty() &&
        (!c.get("steps") || c.get("steps")->isNull()))
        ctx.error(n->mark, path,
                  "the canary strategy needs canary.steps (e.g. [{weight: 10, "
                  "pause: 30s}, {weight: 50, pause: 1m}])");
    if (out.strategy == RolloutStrategy::Rolling && out.maxSurge == 0 && out.maxUnavailable == 0 &&
        (f.get("max_surge") || f.get("max_unavailable")))
        ctx.error(n->mark, path,
                  "max_surge and max_unavailable are both 0: a rolling update could not start");
    if (out.strategy != RolloutStrategy::Rolling) {
        out.maxSurge = 0;
        out.maxUnavailable = 0;
    }
}

void readLogs(Ctx &ctx, const Node *n, const std::string &path, LogSpec &out)
{
    Fields f(ctx, n, path, {"max_size", "files"});
    size(ctx, f.get("max_size"), f.path("max_size"), out.maxSize, 4096);
    integer(ctx, f.get("files"), f.path("files"), out.files, 1, 100);
}

bool nameValue(Ctx &ctx, const Node *n, const std::string &path, std::string &out)
{
    std::string text;
    if (!str(ctx, n, path, text))
        return false;
    bool ok =
        !text.empty() && text.size() <= 63 && std::isalnum(static_cast<unsigned char>(text[0])) &&
        std::all_of(text.begin(), text.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
        });
    if (!ok) {
        ctx.local(*n, path,
                  "invalid name " + quote(text) +
                      " (letters, digits, \"-\", \"_\" and \".\", starting with a letter or "
                      "digit, at most 63)");
        return false;
    }
    out = std::move(text);
    return true;
}

// ---------------------------------------------------------------------------------------------
// Pools and templates

constexpr std::string_view kPoolKeys[] = {
    "name",   "extends", "command", "cwd",    "env",     "replicas", "autoscale",  "ports",
    "limits", "restart", "stop",    "probes", "gateway", "rollout",  "depends_on", "logs"};

struct PoolNodes
{
    const Node *node = nullptr;
    std::string path;
    const Node *name = nullptr;
    const Node *dependsOn = nullptr;
    const Node *ports = nullptr;
    const Node *gatewayListen = nullptr;
    Sites sites;
};

/// Reads a pool (or, with `isTemplate`, a template: nothing required, no cross checks).
void readPoolBody(Ctx &ctx, const Fields &f, PoolSpec &pool, PoolNodes &nodes, bool isTemplate)
{
    const Node *cmd = isTemplate ? f.get("command")
                                 : f.require("command", "the program and its arguments, as a list");
    if (strList(ctx, cmd, f.path("command"), pool.command, true))
        nodes.sites.scanList(ctx, cmd, f.path("command"));
    if (pathValue(ctx, f.get("cwd"), f.path("cwd"), pool.cwd))
        nodes.sites.scan(ctx, f.get("cwd"), f.path("cwd"));
    envMap(ctx, f.get("env"), f.path("env"), pool.env, nodes.sites);
    integer(ctx, f.get("replicas"), f.path("replicas"), pool.replicas, 0, 10'000);
    readAutoscale(ctx, f.get("autoscale"), f.path("autoscale"), pool.autoscale);
    if (pool.autoscale && f.get("replicas")) {
        const Entry *e = f.entry("autoscale");
        ctx.localAt(e->value, e->keyMark, f.path("autoscale"),
                    "replicas and autoscale exclude each other; keep one");
    }
    PortRange range;
    nodes.ports = f.get("ports");
    if (portRange(ctx, nodes.ports, f.path("ports"), range))
        pool.ports = range;
    readLimits(ctx, f.get("limits"), f.path("limits"), pool.limits);
    readRestart(ctx, f.get("restart"), f.path("restart"), pool.restart);
    readStop(ctx, f.get("stop"), f.path("stop"), pool.stop);
    readProbes(ctx, f.get("probes"), f.path("probes"), pool.probes, nodes.sites);
    readGateway(ctx, f.get("gateway"), f.path("gateway"), pool.gateway);
    if (const Node *g = f.get("gateway"); g && g->isMap())
        nodes.gatewayListen = g->find("listen");
    readRollout(ctx, f.get("rollout"), f.path("rollout"), pool.rollout);
    nodes.dependsOn = f.get("depends_on");
    if (nodes.dependsOn && !nodes.dependsOn->isNull())
        strList(ctx, nodes.dependsOn, f.path("depends_on"), pool.dependsOn, false);
    readLogs(ctx, f.get("logs"), f.path("logs"), pool.logs);
}

/// Placeholder and port checks that need the whole pool.
void checkPool(Ctx &ctx, const PoolSpec &pool, const PoolNodes &nodes)
{
    bool reportedPort = false;
    for (const PlaceholderSite &use : nodes.sites.uses) {
        if (use.name == "port" && !pool.ports && !reportedPort) {
            ctx.error(ctx.in.source.find(use.node->mark, "{{"), use.path,
                      "{{port}} needs a port range, but " + nodes.path + " (" + quote(pool.name) +
                          ") has no \"ports\"");
            reportedPort = true;
        }
    }
    if (pool.gateway && !pool.ports && nodes.gatewayListen) {
        ctx.error(nodes.gatewayListen->mark, join(join(nodes.path, "gateway"), "listen"),
                  "a gateway reaches its workers by port: give the pool \"ports\"");
    }
    if (pool.ports && nodes.ports) {
        int extra = 0;
        std::string why;
        switch (pool.rollout.strategy) {
        case RolloutStrategy::Rolling:
            extra = pool.rollout.maxSurge;
            why = " + " + std::to_string(extra) + " surge during rollouts";
            break;
        case RolloutStrategy::BlueGreen:
        case RolloutStrategy::Canary:
            extra = pool.maxWorkers();
            why = " + " + std::to_string(extra) + " of the new revision during " +
                  std::string(strategyName(pool.rollout.strategy)) + " rollouts";
            break;
        case RolloutStrategy::Recreate:
            break;
        }
        int needed = pool.maxWorkers() + extra;
        if (pool.ports->size() < needed) {
            ctx.error(nodes.ports->mark, join(nodes.path, "ports"),
                      "the range " + pool.ports->toString() + " has " +
                          count(pool.ports->size(), "port", "ports") + ", but the pool needs " +
                          std::to_string(needed) + " (" +
                          count(pool.maxWorkers(), "worker", "workers") +
                          (extra ? why : std::string()) + ")");
        }
    }
}

/// Deep copy of a template's value, marked as coming from the template.
Node fromTemplate(const Node &n)
{
    Node copy = n;
    std::vector<Node *> stack{&copy};
    while (!stack.empty()) {
        Node *cur = stack.back();
        stack.pop_back();
        cur->fromTemplate = true;
        for (Node &i : cur->items)
            stack.push_back(&i);
        for (Entry &e : cur->entries)
            stack.push_back(&e.value);
    }
    return copy;
}

/// `extends:` semantics: maps merge key by key (the extending side wins), lists and scalars
/// replace.
void mergeInto(Node &base, const Node &over)
{
    if (!base.isMap() || !over.isMap()) {
        base = over;
        return;
    }
    base.mark = over.mark;
    base.fromTemplate = over.fromTemplate;
    for (const Entry &e : over.entries) {
        if (e.key == "extends")
            continue;
        if (Node *existing = base.find(e.key)) {
            mergeInto(*existing, e.value);
            for (Entry &be : base.entries) {
                if (be.key == e.key)
                    be.keyMark = e.keyMark;
            }
        } else {
            base.entries.push_back(e);
        }
    }
}

class Templates
{
public:
    Templates(Ctx &ctx, const Node *templates)
        : m_ctx(ctx)
        , m_templates(templates && templates->isMap() ? templates : nullptr)
    {
        if (m_templates) {
            for (const Entry &e : m_templates->entries)
                m_names.push_back(e.key);
        }
    }

    const std::vector<std::string> &names() const { return m_names; }

    /// The fully merged body of template `name` (marked fromTemplate) and its chain, or
    /// nullopt when it is unknown or part of a cycle (reported at `where`).
    std::optional<Node> resolve(const std::string &name, const Node &where,
                                const std::string &wherePath, std::vector<std::string> &chain)
    {
        const Node *body = m_templates ? m_templates->find(name) : nullptr;
        if (!body) {
            std::string msg = "unknown template " + quote(name);
            if (auto guess = closest(name, m_names))
                msg += " (did you mean \"" + *guess + "\"?)";
            else if (m_names.empty())
                msg += " (there is no \"templates:\" section)";
            m_ctx.error(where.mark, wherePath, std::move(msg));
            return std::nullopt;
        }
        if (auto start = std::find(chain.begin(), chain.end(), name); start != chain.end()) {
            // Report each cycle once, wherever it is first met.
            std::set<std::string> members(start, chain.end());
            if (m_reportedCycles.insert(members).second) {
                std::string cycle;
                for (auto it = start; it != chain.end(); ++it)
                    cycle += *it + " -> ";
                m_ctx.error(where.mark, wherePath, "extends cycle: " + cycle + name);
            }
            return std::nullopt;
        }
        if (auto done = m_resolved.find(name); done != m_resolved.end()) {
            chain.insert(chain.end(), done->second.chain.begin(), done->second.chain.end());
            return done->second.node;
        }
        if (chain.size() >= kMaxChain) {
            if (!std::exchange(m_reportedLongChain, true))
                m_ctx.error(where.mark, wherePath,
                            "extends chain longer than " + std::to_string(kMaxChain) +
                                " templates");
            return std::nullopt;
        }
        std::size_t first = chain.size();
        chain.push_back(name);
        Node merged;
        if (body->isMap()) {
            if (const Node *parent = body->find("extends"); parent && parent->isScalar()) {
                auto base = resolve(parent->scalar, *parent,
                                    join(join("templates", name), "extends"), chain);
                if (!base)
                    return std::nullopt;
                merged = std::move(*base);
            }
        }
        mergeInto(merged, fromTemplate(*body));
        m_resolved[name] = {
            std::vector<std::string>(chain.begin() + static_cast<long>(first), chain.end()),
            merged};
        return merged;
    }

private:
    Ctx &m_ctx;
    const Node *m_templates;
    std::vector<std::string> m_names;
    std::set<std::set<std::string>> m_reportedCycles;
    struct Resolved
    {
        std::vector<std::string> chain; ///< this template and its ancestors
        Node node;
    };
    std::map<std::string, Resolved> m_resolved; // each template is merged once
    static constexpr std::size_t kMaxChain = 32;
    bool m_reportedLongChain = false;
};

// ---------------------------------------------------------------------------------------------
// The whole document

/// `${VAR}` in every value (not in keys), before anything is read.
void expandWithPaths(Ctx &ctx, Node &n, const std::string &path)
{
    if (n.isScalar()) {
        if (n.scalar.find('$') == std::string::npos)
            return;
        std::vector<TextError> errors;
        std::string expanded = expandVariables(n.scalar, ctx.in.env, errors);
        for (const TextError &e : errors)
            ctx.error(ctx.in.source.find(n.mark, e.needle), path, e.message);
        n.scalar = std::move(expanded);
        return;
    }
    for (std::size_t i = 0; i < n.items.size(); ++i)
        expandWithPaths(ctx, n.items[i], at(path, i));
    for (Entry &e : n.entries)
        expandWithPaths(ctx, e.value, join(path, e.key));
}

void readMaster(Ctx &ctx, const Node *n, MasterSpec &m)
{
    Fields f(ctx, n, "master", {"listen", "state_dir", "tls", "auth", "metrics", "probes"});
    endpoint(ctx, f.get("listen"), f.path("listen"), m.listen);
    if (!pathValue(ctx, f.get("state_dir"), f.path("state_dir"), m.stateDir)) {
        auto xdg = ctx.in.env("XDG_STATE_HOME");
        m.stateDir =
            resolvePath(ctx, xdg && !xdg->empty() ? *xdg + "/drover" : "~/.local/state/drover");
    }
    Fields tls(ctx, f.get("tls"), f.path("tls"), {"cert", "key"});
    if (tls.present()) {
        TlsSpec t;
        bool ok = pathValue(ctx, tls.require("cert"), tls.path("cert"), t.cert);
        ok = pathValue(ctx, tls.require("key"), tls.path("key"), t.key) && ok;
        if (ok)
            m.tls = t;
    }
    Fields auth(ctx, f.get("auth"), f.path("auth"), {"tokens"});
    if (const Node *tokens = auth.get("tokens"); tokens && !tokens->isNull()) {
        if (!tokens->isSequence()) {
            ctx.local(*tokens, auth.path("tokens"),
                      "expected a list of {name, role, sha256}, got " + describe(*tokens));
        } else {
            std::map<std::string, std::pair<std::string, Mark>> seen;
            for (std::size_t i = 0; i < tokens->items.size(); ++i) {
                std::string tp = at(auth.path("tokens"), i);
                Fields t(ctx, &tokens->items[i], tp, {"name", "role", "sha256"});
                if (!t.present()) {
                    if (tokens->items[i].isNull())
                        ctx.local(tokens->items[i], tp, "expected a mapping, got nothing");
                    continue;
                }
                TokenSpec token;
                if (nameValue(ctx, t.require("name"), t.path("name"), token.name)) {
                    auto [it, fresh] = seen.try_emplace(token.name, tp, t.get("name")->mark);
                    if (!fresh)
                        ctx.error(t.get("name")->mark, t.path("name"),
                                  quote(token.name) + " is already used by " + it->second.first +
                                      " (line " + std::to_string(it->second.second.line) + ")");
                }
                choice(ctx, t.require("role"), t.path("role"), token.role,
                       {{"viewer", api::Role::Viewer},
                        {"operator", api::Role::Operator},
                        {"admin", api::Role::Admin}});
                if (str(ctx, t.require("sha256", "made by \"droverd token create\""),
                        t.path("sha256"), token.sha256)) {
                    bool hex = token.sha256.size() == 64 &&
                               std::all_of(token.sha256.begin(), token.sha256.end(), [](char c) {
                                   return std::isxdigit(static_cast<unsigned char>(c));
                               });
                    if (!hex)
                        ctx.local(*t.get("sha256"), t.path("sha256"),
                                  "expected 64 hex digits (a SHA-256), got " + quote(token.sha256));
                    std::transform(token.sha256.begin(), token.sha256.end(), token.sha256.begin(),
                                   [](unsigned char c) { return std::tolower(c); });
                }
                m.tokens.push_back(std::move(token));
            }
        }
    }
    Fields metrics(ctx, f.get("metrics"), f.path("metrics"), {"retention", "resolution"});
    duration(ctx, metrics.get("resolution"), metrics.path("resolution"), m.metricsResolution, 100ms,
             1h);
    duration(ctx, metrics.get("retention"), metrics.path("retention"), m.metricsRetention, 1s,
             std::chrono::hours(24 * 7));
    Fields probes(ctx, f.get("probes"), f.path("probes"), {"max_exec", "history"});
    integer(ctx, probes.get("max_exec"), probes.path("max_exec"), m.maxExecProbes, 1, 1000);
    integer(ctx, probes.get("history"), probes.path("history"), m.healthHistory, 1, 10000);
    if (metrics.get("retention") && m.metricsRetention < m.metricsResolution)
        ctx.local(*metrics.get("retention"), metrics.path("retention"),
                  "retention " + formatDuration(m.metricsRetention) +
                      " is shorter than the resolution " + formatDuration(m.metricsResolution));

    // Tokens may also be in the tokens file of the state dir, which droverd checks at start
    // (it refuses to listen there without one); TLS can be checked here.
    if (!m.listen.isLoopback() && !m.tls) {
        const Node *listen = f.get("listen");
        ctx.error(listen ? listen->mark : Mark{1, 1}, f.path("listen"),
                  m.listen.toString() +
                      " is not a loopback address: listening there needs tls (master.tls: "
                      "{cert, key}) and at least one token (droverd token create)");
    }
}

void readAdopted(Ctx &ctx, const Node &n, const std::string &path, AdoptedSpec &a, Sites &sites)
{
    Fields f(ctx, &n, path,
             {"name", "pid_file", "command", "cwd", "env", "probes", "restart", "stop"});
    if (!f.present()) {
        if (n.isNull())
            ctx.local(n, path, "expected a mapping, got nothing");
        return;
    }
    a.mark = n.mark;
    nameValue(ctx, f.require("name"), f.path("name"), a.name);
    pathValue(ctx, f.require("pid_file"), f.path("pid_file"), a.pidFile);
    if (strList(ctx, f.get("command"), f.path("command"), a.command, true))
        sites.scanList(ctx, f.get("command"), f.path("command"));
    if (pathValue(ctx, f.get("cwd"), f.path("cwd"), a.cwd))
        sites.scan(ctx, f.get("cwd"), f.path("cwd"));
    envMap(ctx, f.get("env"), f.path("env"), a.env, sites);
    readProbes(ctx, f.get("probes"), f.path("probes"), a.probes, sites);
    readRestart(ctx, f.get("restart"), f.path("restart"), a.restart);
    readStop(ctx, f.get("stop"), f.path("stop"), a.stop);
    for (const PlaceholderSite &use : sites.uses) {
        if (use.name == "port" || use.name == "index" || use.name == "revision")
            ctx.error(ctx.in.source.find(use.node->mark, "{{"), use.path,
                      "{{" + use.name +
                          "}} is not available for an adopted process (only "
                          "{{worker}} and {{pool}} are)");
    }
}

/// `depends_on`: unknown names and cycles, each cycle spelled out once.
void checkDependencies(Ctx &ctx, const Config &cfg, const std::vector<PoolNodes> &nodes)
{
    std::vector<std::string> names;
    std::unordered_map<std::string, std::size_t> poolIndex;
    for (std::size_t i = 0; i < cfg.pools.size(); ++i) {
        names.push_back(cfg.pools[i].name);
        poolIndex.try_emplace(cfg.pools[i].name, i);
    }
    std::unordered_set<std::string> known(names.begin(), names.end());
    for (const AdoptedSpec &a : cfg.adopted) {
        names.push_back(a.name);
        known.insert(a.name);
    }
    for (std::size_t i = 0; i < cfg.pools.size(); ++i) {
        const PoolSpec &p = cfg.pools[i];
        const Node *list = nodes[i].dependsOn;
        for (std::size_t k = 0; k < p.dependsOn.size() && list && list->isSequence(); ++k) {
            const std::string &dep = p.dependsOn[k];
            if (known.contains(dep))
                continue;
            std::string msg = "unknown pool or adopted process " + quote(dep);
            if (auto guess = closest(dep, names))
                msg += " (did you mean \"" + *guess + "\"?)";
            ctx.error(list->items[k].mark, at(join(nodes[i].path, "depends_on"), k), msg);
        }
    }
    // Depth-first search with our own stack (chains can be long); a back edge closes a
    // cycle, reported where it is closed.
    enum class Color { White, Grey, Black };
    std::vector<Color> color(cfg.pools.size(), Color::White);
    struct Frame
    {
        std::size_t pool;
        std::size_t next = 0; // the next depends_on entry to follow
    };
    std::vector<Frame> stack;
    auto spell = [&](std::size_t from, std::size_t to) {
        // The cycle as names; a long one is shortened in the middle.
        std::vector<std::string> names;
        auto begin = std::find_if(stack.begin(), stack.end(),
                                  [&](const Frame &f) { return f.pool == from; });
        for (auto f = begin; f != stack.end(); ++f)
            names.push_back(cfg.pools[f->pool].name);
        names.push_back(cfg.pools[to].name);
        std::string out;
        for (std::size_t k = 0; k < names.size(); ++k) {
            if (names.size() > 12 && k == 6) {
                out += "... (" + std::to_string(names.size() - 10) + " more) -> ";
                k = names.size() - 4;
            }
            out += names[k] + (k + 1 < names.size() ? " -> " : "");
        }
        return out;
    };
    for (std::size_t root = 0; root < cfg.pools.size(); ++root) {
        if (color[root] != Color::White)
            continue;
        color[root] = Color::Grey;
        stack.push_back({root});
        while (!stack.empty()) {
            Frame &top = stack.back();
            const PoolSpec &p = cfg.pools[top.pool];
            if (top.next == p.dependsOn.size()) {
                color[top.pool] = Color::Black;
                stack.pop_back();
                continue;
            }
            std::size_t k = top.next++;
            auto it = poolIndex.find(p.dependsOn[k]);
            if (it == poolIndex.end())
                continue;
            std::size_t j = it->second;
            if (color[j] == Color::Grey) {
                std::size_t i = top.pool;
                const Node *list = nodes[i].dependsOn;
                Mark mark = list && list->isSequence() && k < list->items.size()
                                ? list->items[k].mark
                                : nodes[i].node->mark;
                ctx.error(mark, at(join(nodes[i].path, "depends_on"), k),
                          "dependency cycle: " + spell(j, j));
            } else if (color[j] == Color::White) {
                color[j] = Color::Grey;
                stack.push_back({j});
            }
        }
    }
}

/// Addresses and ports that must not collide. Sorted and hashed, not pairwise: a file may
/// hold tens of thousands of pools.
void checkAddresses(Ctx &ctx, const Config &cfg, const std::vector<PoolNodes> &nodes,
                    const Node *masterListen)
{
    struct Range
    {
        PortRange ports;
        std::size_t pool;
    };
    std::vector<Range> ranges;
    for (std::size_t i = 0; i < cfg.pools.size(); ++i) {
        if (cfg.pools[i].ports && nodes[i].ports)
            ranges.push_back({*cfg.pools[i].ports, i});
    }
    std::sort(ranges.begin(), ranges.end(), [](const Range &a, const Range &b) {
        return std::tie(a.ports.first, a.pool) < std::tie(b.ports.first, b.pool);
    });
    auto describePool = [&](std::size_t j, const Node *where) {
        return nodes[j].path + " (" + quote(cfg.pools[j].name) + ", line " +
               std::to_string(where->mark.line) + ")";
    };
    // Overlaps: each range against the one reaching furthest among those before it.
    std::optional<Range> reach;
    for (const Range &r : ranges) {
        if (reach && reach->ports.overlaps(r.ports)) {
            // Report at whichever of the two comes later in the file.
            const Range &early = reach->pool < r.pool ? *reach : r;
            const Range &late = reach->pool < r.pool ? r : *reach;
            ctx.error(nodes[late.pool].ports->mark, join(nodes[late.pool].path, "ports"),
                      late.ports.toString() + " overlaps the ports " + early.ports.toString() +
                          " of " + describePool(early.pool, nodes[early.pool].ports));
        }
        if (!reach || r.ports.last > reach->ports.last)
            reach = r;
    }
    // The range with the largest start <= port; overlapping ranges were reported above.
    auto rangeHolding = [&](int port) -> const Range * {
        auto it = std::upper_bound(ranges.begin(), ranges.end(), port,
                                   [](int p, const Range &r) { return p < r.ports.first; });
        if (it == ranges.begin() || port > std::prev(it)->ports.last)
            return nullptr;
        return &*std::prev(it);
    };
    const int masterPort = cfg.master.listen.port;
    if (const Range *r = rangeHolding(masterPort)) {
        ctx.error(nodes[r->pool].ports->mark, join(nodes[r->pool].path, "ports"),
                  r->ports.toString() + " contains the master's listen port " +
                      std::to_string(masterPort));
    }

    // Gateways clash when they share a port and a host, or when either takes every address
    // (0.0.0.0, ::): the second bind would fail.
    auto hostKey = [](const std::string &host) {
        return host == "localhost" ? std::string("127.0.0.1") : host;
    };
    auto wildcard = [](const std::string &host) { return host == "0.0.0.0" || host == "::"; };
    std::unordered_map<int, std::vector<std::size_t>> gatewaysByPort;
    for (std::size_t i = 0; i < cfg.pools.size(); ++i) {
        const PoolSpec &p = cfg.pools[i];
        if (!p.gateway || !nodes[i].gatewayListen)
            continue;
        const Node &listen = *nodes[i].gatewayListen;
        std::string path = join(join(nodes[i].path, "gateway"), "listen");
        std::vector<std::size_t> &samePort = gatewaysByPort[p.gateway->listen.port];
        for (std::size_t j : samePort) {
            const std::string &a = p.gateway->listen.host;
            const std::string &b = cfg.pools[j].gateway->listen.host;
            if (hostKey(a) == hostKey(b) || wildcard(a) || wildcard(b)) {
                std::string what =
                    hostKey(a) == hostKey(b)
                        ? p.gateway->listen.toString() + " is already the gateway of "
                        : p.gateway->listen.toString() + " clashes with " +
                              cfg.pools[j].gateway->listen.toString() + ", the gateway of ";
                ctx.error(listen.mark, path, what + describePool(j, nodes[j].gatewayListen));
                break;
            }
        }
        samePort.push_back(i);
        const int port = p.gateway->listen.port;
        if (port == masterPort) {
            ctx.error(listen.mark, path,
                      "port " + std::to_string(port) + " is the master's own listen port" +
                          (masterListen ? " (line " + std::to_string(masterListen->mark.line) + ")"
                                        : std::string(" (the default 7700)")));
        }
        if (const Range *r = rangeHolding(port)) {
            ctx.error(listen.mark, path,
                      "port " + std::to_string(port) + " is inside the worker ports " +
                          r->ports.toString() + " of " + nodes[r->pool].path + " (" +
                          quote(cfg.pools[r->pool].name) + ")");
        }
    }
}

} // namespace

void validate(Node root, ValidateContext &in, Config &out)
{
    Ctx ctx{in};
    if (root.isNull()) {
        ctx.error({1, 1}, "", "the file is empty; a config starts with \"version: 1\"");
        return;
    }
    if (!root.isMap()) {
        ctx.error(root.mark, "",
                  "expected a mapping with \"version: 1\" at the top, got " + describe(root));
        return;
    }
    expandWithPaths(ctx, root, "");

    Fields top(ctx, &root, "", {"version", "master", "templates", "pools", "adopted"});
    if (const Node *v = top.require("version", "add \"version: 1\" at the top")) {
        int version = 0;
        if (integer(ctx, v, "version", version, 1, 1000) && version != 1)
            ctx.error(v->mark, "version",
                      "unsupported version " + std::to_string(version) +
                          " (this droverd reads version 1)");
    }
    readMaster(ctx, top.get("master"), out.master);

    // Templates are checked on their own, once, whether used or not.
    const Node *templatesNode = top.get("templates");
    if (templatesNode && !templatesNode->isNull() && !templatesNode->isMap())
        ctx.error(templatesNode->mark, "templates",
                  "expected a mapping of name: {...}, got " + describe(*templatesNode));
    Templates templates(ctx, templatesNode);
    if (templatesNode && templatesNode->isMap()) {
        for (const Entry &e : templatesNode->entries) {
            std::string tp = join("templates", e.key);
            Fields f(ctx, &e.value, tp, std::span(kPoolKeys).subspan(1));
            if (!f.present()) {
                if (e.value.isNull())
                    ctx.error(e.value.mark, tp, "expected a mapping, got nothing");
                continue;
            }
            std::string parent;
            if (str(ctx, f.get("extends"), f.path("extends"), parent, false)) {
                std::vector<std::string> chain{e.key};
                templates.resolve(parent, *f.get("extends"), f.path("extends"), chain);
            }
            PoolSpec scratch;
            PoolNodes scratchNodes;
            scratchNodes.path = tp;
            readPoolBody(ctx, f, scratch, scratchNodes, true);
        }
    }

    std::vector<PoolNodes> poolNodes;
    std::vector<Node> mergedPools; // stable storage for the nodes PoolNodes point into
    if (const Node *pools = top.get("pools"); pools && !pools->isNull()) {
        if (!pools->isSequence()) {
            ctx.error(pools->mark, "pools", "expected a list of pools, got " + describe(*pools));
        } else {
            mergedPools.reserve(pools->items.size());
            for (std::size_t i = 0; i < pools->items.size(); ++i) {
                const Node &raw = pools->items[i];
                std::string path = at("pools", i);
                Node merged = raw;
                std::vector<std::string> chain;
                if (const Node *ext = raw.isMap() ? raw.find("extends") : nullptr) {
                    std::string name;
                    if (str(ctx, ext, join(path, "extends"), name, false)) {
                        if (auto base =
                                templates.resolve(name, *ext, join(path, "extends"), chain)) {
                            mergeInto(*base, raw);
                            merged = std::move(*base);
                        }
                    }
                }
                mergedPools.push_back(std::move(merged));
                const Node &node = mergedPools.back();
                Fields f(ctx, &node, path, kPoolKeys);
                if (!f.present()) {
                    if (node.isNull())
                        ctx.error(node.mark, path, "expected a mapping, got nothing");
                    continue;
                }
                PoolSpec pool;
                pool.mark = raw.mark;
                pool.extends = chain;
                PoolNodes pn;
                pn.node = &node;
                pn.path = path;
                pn.name = f.require("name");
                nameValue(ctx, pn.name, f.path("name"), pool.name);
                readPoolBody(ctx, f, pool, pn, false);
                checkPool(ctx, pool, pn);
                if (pool.cwd.empty())
                    pool.cwd = in.baseDir;
                pool.revision = computeRevision(pool);
                out.pools.push_back(std::move(pool));
                poolNodes.push_back(std::move(pn));
            }
        }
    }

    std::vector<const Node *> adoptedNames;
    if (const Node *adopted = top.get("adopted"); adopted && !adopted->isNull()) {
        if (!adopted->isSequence()) {
            ctx.error(adopted->mark, "adopted",
                      "expected a list of {name, pid_file}, got " + describe(*adopted));
        } else {
            for (std::size_t i = 0; i < adopted->items.size(); ++i) {
                AdoptedSpec a;
                Sites sites;
                readAdopted(ctx, adopted->items[i], at("adopted", i), a, sites);
                if (a.cwd.empty())
                    a.cwd = in.baseDir;
                adoptedNames.push_back(adopted->items[i].isMap() ? adopted->items[i].find("name")
                                                                 : nullptr);
                out.adopted.push_back(std::move(a));
            }
        }
    }

    // Names are unique across pools and adopted processes: both name workers.
    std::map<std::string, std::pair<std::string, int>> names;
    auto claim = [&](const std::string &name, const Node *node, const std::string &path) {
        if (name.empty() || !node)
            return;
        auto [it, fresh] = names.try_emplace(name, path, node->mark.line);
        if (!fresh)
            ctx.error(node->mark, join(path, "name"),
                      quote(name) + " is already used by " + it->second.first + " (line " +
                          std::to_string(it->second.second) + ")");
    };
    for (std::size_t i = 0; i < out.pools.size(); ++i)
        claim(out.pools[i].name, poolNodes[i].name, poolNodes[i].path);
    for (std::size_t i = 0; i < out.adopted.size(); ++i)
        claim(out.adopted[i].name, adoptedNames[i], at("adopted", i));

    checkDependencies(ctx, out, poolNodes);
    checkAddresses(ctx, out, poolNodes,
                   top.get("master") ? top.get("master")->find("listen") : nullptr);
}

} // namespace drover::config
