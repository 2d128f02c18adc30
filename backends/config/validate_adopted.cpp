// `adopted:` processes started elsewhere, found by their PID file.
#include "config/validate_sections.h"

namespace drover::config::detail {

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
    envMap(ctx, f.get("env"), f.path("env"), a.env, a.secretEnv, sites);
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

} // namespace drover::config::detail
