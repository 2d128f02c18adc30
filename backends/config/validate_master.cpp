// `master:` listen address, state dir, TLS, tokens, metrics and probe settings.
#include "config/validate_sections.h"

#include <algorithm>
#include <cctype>

namespace drover::config::detail {

namespace {

/// `master.fleet`: etcd's endpoints, the key prefix, the lease's TTL, TLS to etcd, and the
/// name and URL this master is listed under.
void readFleet(Ctx &ctx, const Node *n, const std::string &path, MasterSpec &m)
{
    Fields f(ctx, n, path, {"etcd", "prefix", "ttl", "tls", "name", "url"});
    if (!f.present())
        return;
    FleetSpec fleet;
    std::vector<std::string> endpoints;
    std::vector<const Node *> nodes;
    bool ok = strList(ctx, f.require("etcd", "etcd's client URLs, like http://127.0.0.1:2379"),
                      f.path("etcd"), endpoints, true, &nodes);
    for (std::size_t i = 0; ok && i < endpoints.size(); ++i) {
        auto e = EtcdEndpoint::parse(endpoints[i]);
        if (!e) {
            ctx.local(*nodes[i], at(f.path("etcd"), i),
                      "expected an etcd client URL like http://127.0.0.1:2379 or "
                      "https://etcd.example:2379, got " +
                          quote(endpoints[i]));
            ok = false;
            continue;
        }
        fleet.etcd.push_back(*e);
    }
    if (const Node *prefix = f.get("prefix");
        prefix && str(ctx, prefix, f.path("prefix"), fleet.prefix, false)) {
        if (!fleet.prefix.starts_with("/")) {
            ctx.local(*prefix, f.path("prefix"),
                      "expected a key prefix that starts with \"/\", like /drover/fleet/, got " +
                          quote(fleet.prefix));
            ok = false;
        } else if (!fleet.prefix.ends_with("/")) {
            fleet.prefix += '/';
        }
    }
    duration(ctx, f.get("ttl"), f.path("ttl"), fleet.ttl, 2s, 5min);
    Fields tls(ctx, f.get("tls"), f.path("tls"), {"ca", "cert", "key"});
    if (tls.present()) {
        EtcdTlsSpec t;
        pathValue(ctx, tls.get("ca"), tls.path("ca"), t.ca);
        pathValue(ctx, tls.get("cert"), tls.path("cert"), t.cert);
        pathValue(ctx, tls.get("key"), tls.path("key"), t.key);
        if (t.cert.empty() != t.key.empty()) {
            const Node *given = tls.get("cert") ? tls.get("cert") : tls.get("key");
            ctx.local(*given, t.cert.empty() ? tls.path("cert") : tls.path("key"),
                      "a client certificate needs both cert and key");
            ok = false;
        }
        for (std::size_t i = 0; i < fleet.etcd.size(); ++i) {
            if (!fleet.etcd[i].https) {
                ctx.local(*nodes[i], at(f.path("etcd"), i),
                          "tls is set, so every etcd endpoint must be https://, got " +
                              quote(endpoints[i]));
                ok = false;
            }
        }
        fleet.tls = t;
    }
    if (const Node *name = f.get("name");
        name && str(ctx, name, f.path("name"), fleet.name, false) &&
        (fleet.name.size() > 128 || fleet.name.find_first_of("/ \t\n") != std::string::npos)) {
        ctx.local(*name, f.path("name"),
                  "expected a name of at most 128 characters without \"/\" or spaces, got " +
                      quote(fleet.name));
        ok = false;
    }
    if (const Node *url = f.get("url"); url && str(ctx, url, f.path("url"), fleet.url, false) &&
                                        !fleet.url.starts_with("ws://") &&
                                        !fleet.url.starts_with("wss://")) {
        ctx.local(*url, f.path("url"),
                  "expected the URL consoles connect to, like wss://host.example:7700, got " +
                      quote(fleet.url));
        ok = false;
    }
    if (ok)
        m.fleet = std::move(fleet);
}

} // namespace

void readMaster(Ctx &ctx, const Node *n, MasterSpec &m)
{
    Fields f(ctx, n, "master",
             {"listen", "state_dir", "tls", "auth", "metrics", "probes", "fleet"});
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

    readFleet(ctx, f.get("fleet"), f.path("fleet"), m);

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

} // namespace drover::config::detail
