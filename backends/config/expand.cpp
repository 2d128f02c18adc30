#include "config/expand.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace drover::config {

EnvLookup processEnvironment()
{
    return [](const std::string &name) -> std::optional<std::string> {
        if (const char *v = std::getenv(name.c_str()))
            return std::string(v);
        return std::nullopt;
    };
}

namespace {

bool isNameStart(char c)
{
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool isNameChar(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbours each cost 1 ("wbe" -> "web" is 1), case-insensitive.
std::size_t editDistance(std::string_view a, std::string_view b)
{
    auto same = [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    };
    const std::size_t w = b.size() + 1;
    std::vector<std::size_t> d((a.size() + 1) * w);
    for (std::size_t i = 0; i <= a.size(); ++i)
        d[i * w] = i;
    for (std::size_t j = 0; j <= b.size(); ++j)
        d[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t cost = same(a[i - 1], b[j - 1]) ? 0 : 1;
            std::size_t v = std::min(
                {d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1, d[(i - 1) * w + j - 1] + cost});
            if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1]))
                v = std::min(v, d[(i - 2) * w + j - 2] + 1);
            d[i * w + j] = v;
        }
    }
    return d[a.size() * w + b.size()];
}

} // namespace

std::optional<std::string> closest(std::string_view word, const std::vector<std::string> &known)
{
    if (word.size() > 64)
        return std::nullopt;
    std::size_t best = std::string::npos;
    const std::string *match = nullptr;
    for (const std::string &k : known) {
        std::size_t d = editDistance(word, k);
        if (d < best) {
            best = d;
            match = &k;
        }
    }
    // A third of the word may be wrong (at least one letter): "replica" -> "replicas".
    std::size_t allowed =
        std::max<std::size_t>(1, std::min(word.size(), match ? match->size() : 0) / 3);
    if (match && best <= allowed)
        return *match;
    return std::nullopt;
}

std::string expandVariables(std::string_view in, const EnvLookup &env,
                            std::vector<TextError> &errors, bool *fromEnvironment)
{
    if (fromEnvironment)
        *fromEnvironment = false;
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size();) {
        if (in.compare(i, 3, "$${") == 0) {
            out += "${";
            i += 3;
            continue;
        }
        if (in.compare(i, 2, "${") != 0) {
            out += in[i++];
            continue;
        }
        std::size_t close = in.find('}', i + 2);
        if (close == std::string_view::npos) {
            errors.push_back({i, "${", "unclosed \"${\" (write \"$${\" for a literal \"${\")"});
            out.append(in.substr(i));
            break;
        }
        std::string_view body = in.substr(i + 2, close - i - 2);
        std::size_t sep = body.find(":-");
        std::string_view name = body.substr(0, sep);
        bool validName = !name.empty() && isNameStart(name[0]) &&
                         std::all_of(name.begin(), name.end(), isNameChar);
        if (!validName) {
            errors.push_back({i, std::string(in.substr(i, close - i + 1)),
                              "invalid variable name \"" + std::string(name) +
                                  "\" (letters, digits and _; not starting with a digit)"});
        } else if (auto value = env(std::string(name));
                   value && (!value->empty() || sep == std::string_view::npos)) {
            out += *value;
            if (fromEnvironment)
                *fromEnvironment = true;
        } else if (sep != std::string_view::npos) {
            out += body.substr(sep + 2); // as in the shell: unset or empty takes the default
        } else {
            errors.push_back({i, "${" + std::string(name),
                              "environment variable " + std::string(name) +
                                  " is not set (give a default with ${" + std::string(name) +
                                  ":-value})"});
        }
        i = close + 1;
    }
    return out;
}

std::vector<PlaceholderUse> findPlaceholders(std::string_view in, std::vector<TextError> &errors)
{
    static const std::vector<std::string> known(kPlaceholderNames.begin(), kPlaceholderNames.end());
    std::vector<PlaceholderUse> uses;
    for (std::size_t i = in.find("{{"); i != std::string_view::npos; i = in.find("{{", i)) {
        std::size_t close = in.find("}}", i + 2);
        if (close == std::string_view::npos) {
            errors.push_back({i, "{{", "unclosed \"{{\" (placeholders look like {{port}})"});
            break;
        }
        std::string_view name = in.substr(i + 2, close - i - 2);
        while (!name.empty() && name.front() == ' ')
            name.remove_prefix(1);
        while (!name.empty() && name.back() == ' ')
            name.remove_suffix(1);
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            std::string msg = "unknown placeholder {{" + std::string(name) + "}}";
            if (auto guess = closest(name, known))
                msg += " (did you mean {{" + *guess + "}}?)";
            else
                msg += " (one of {{port}}, {{index}}, {{worker}}, {{pool}}, {{revision}})";
            errors.push_back({i, std::string(in.substr(i, close - i + 2)), std::move(msg)});
        } else {
            uses.push_back({i, close + 2 - i, std::string(name)});
        }
        i = close + 2;
    }
    return uses;
}

} // namespace drover::config
