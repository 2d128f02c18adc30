// `probes:` of pools, templates and adopted processes.
#include "config/validate_sections.h"

#include <algorithm>

namespace drover::config::detail {

namespace {

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

} // namespace

void readProbes(Ctx &ctx, const Node *n, const std::string &path, ProbeSet &out, Sites &sites)
{
    Fields f(ctx, n, path, {"startup", "liveness", "readiness"});
    readProbe(ctx, f.get("startup"), f.path("startup"), out.startup, sites);
    readProbe(ctx, f.get("liveness"), f.path("liveness"), out.liveness, sites);
    readProbe(ctx, f.get("readiness"), f.path("readiness"), out.readiness, sites);
}

} // namespace drover::config::detail
