// `${VAR}` expansion over the whole document and `env:` mappings, with which of their values
// are secret.
#include "config/secrets.h"
#include "config/validate_sections.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace drover::config::detail {

/// `${VAR}` in every value (not in keys), before anything is read.
void expandWithPaths(Ctx &ctx, Node &n, const std::string &path)
{
    if (n.isScalar()) {
        if (n.scalar.find('$') == std::string::npos)
            return;
        std::vector<TextError> errors;
        bool fromEnvironment = false;
        std::string expanded = expandVariables(n.scalar, ctx.in.env, errors, &fromEnvironment);
        for (const TextError &e : errors)
            ctx.error(ctx.in.source.find(n.mark, e.needle), path, e.message);
        n.scalar = std::move(expanded);
        n.fromEnvironment = fromEnvironment;
        return;
    }
    for (std::size_t i = 0; i < n.items.size(); ++i)
        expandWithPaths(ctx, n.items[i], at(path, i));
    for (Entry &e : n.entries)
        expandWithPaths(ctx, e.value, join(path, e.key));
}

namespace {

/// The long form `NAME: {value: "...", secret: true}`. False when it is not valid.
bool longEnvValue(Ctx &ctx, const Node &n, const std::string &path, std::string &value,
                  bool &secret, Sites &sites)
{
    Fields f(ctx, &n, path, {"value", "secret"});
    bool ok = f.unknown().empty();
    const Node *v = f.require("value", "the long form is {value: \"...\", secret: true}");
    if (!v) {
        ok = false;
    } else if (v->isScalar() || v->isNull()) {
        value = v->scalar; // `value:` sets an empty value
        secret = secret || v->fromEnvironment;
        sites.scan(ctx, v, f.path("value"));
    } else {
        ctx.local(*v, f.path("value"), "expected a string, got " + describe(*v));
        ok = false;
    }
    bool marked = false;
    if (const Node *s = f.get("secret"))
        ok = boolean(ctx, s, f.path("secret"), marked) && ok;
    secret = secret || marked;
    return ok;
}

} // namespace

bool envMap(Ctx &ctx, const Node *n, const std::string &path,
            std::map<std::string, std::string> &out, std::vector<std::string> &secret, Sites &sites)
{
    if (!n || n->isNull())
        return false;
    if (!n->isMap()) {
        ctx.local(*n, path, "expected a mapping of NAME: value, got " + describe(*n));
        return false;
    }
    bool ok = true;
    std::set<std::string> hidden;
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
        // Secret by its name, by text from droverd's environment, or marked so.
        bool isSecret = looksSecret(e.key);
        if (e.value.isScalar() || e.value.isNull()) {
            v = e.value.scalar; // `KEY:` sets an empty value
            isSecret = isSecret || e.value.fromEnvironment;
            sites.scan(ctx, &e.value, p);
        } else if (e.value.isMap()) {
            ok = longEnvValue(ctx, e.value, p, v, isSecret, sites) && ok;
        } else {
            ctx.local(e.value, p,
                      "expected a string or {value: \"...\", secret: true}, got " +
                          describe(e.value));
            ok = false;
        }
        if (isSecret)
            hidden.insert(e.key);
        out[e.key] = std::move(v);
    }
    secret.assign(hidden.begin(), hidden.end());
    return ok;
}

} // namespace drover::config::detail
