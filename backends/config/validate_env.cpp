// `${VAR}` expansion over the whole document and `env:` mappings.
#include "config/validate_sections.h"

#include <algorithm>
#include <cctype>

namespace drover::config::detail {

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

} // namespace drover::config::detail
