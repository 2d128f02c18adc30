// The error sink's paths, mappings with known keys, placeholder sites and names.
#include "config/validate_fields.h"

#include <algorithm>
#include <cctype>

namespace drover::config::detail {

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

// ---------------------------------------------------------------------------------------------
// Mappings with known keys

Fields::Fields(Ctx &ctx, const Node *node, std::string path,
               std::span<const std::string_view> known, bool reportUnknown)
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

void Fields::reportUnknownKey(Ctx &ctx, const Entry &e, const std::vector<std::string> &names,
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

const Entry *Fields::entry(std::string_view key) const
{
    if (!present())
        return nullptr;
    for (const Entry &e : m_node->entries) {
        if (e.key == key)
            return &e;
    }
    return nullptr;
}

const Node *Fields::require(std::string_view key, std::string_view hint) const
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

// ---------------------------------------------------------------------------------------------
// Placeholders

void Sites::scan(Ctx &ctx, const Node *n, const std::string &path)
{
    if (!n || !n->isScalar())
        return;
    std::vector<TextError> errors;
    for (PlaceholderUse &use : findPlaceholders(n->scalar, errors))
        uses.push_back({n, path, std::move(use.name)});
    for (const TextError &e : errors)
        ctx.localAt(*n, ctx.in.source.find(n->mark, e.needle), path, e.message);
}

void Sites::scanList(Ctx &ctx, const Node *n, const std::string &path)
{
    if (n && n->isSequence()) {
        for (std::size_t i = 0; i < n->items.size(); ++i)
            scan(ctx, &n->items[i], at(path, i));
    }
}

void Sites::scanMapValues(Ctx &ctx, const Node *n, const std::string &path)
{
    if (n && n->isMap()) {
        for (const Entry &e : n->entries)
            scan(ctx, &e.value, join(path, e.key));
    }
}

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

} // namespace drover::config::detail
