// Readers of single values: numbers, durations, sizes, choices, signals, lists, paths,
// addresses and port ranges.
#include "config/validate_fields.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>

namespace drover::config::detail {

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

bool str(Ctx &ctx, const Node *n, const std::string &path, std::string &out, bool allowEmpty)
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
            bool minExclusive)
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

bool duration(Ctx &ctx, const Node *n, const std::string &path, Duration &out, Duration min,
              Duration max)
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
             bool nonEmpty, std::vector<const Node *> *nodes)
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

} // namespace drover::config::detail
