#include "engine/spawnplan.h"

#include "config/expand.h"

#include <map>

namespace drover::engine {

std::string fillPlaceholders(std::string_view text, const WorkerVars &vars)
{
    std::vector<config::TextError> ignored;
    std::string out;
    std::size_t done = 0;
    for (const config::PlaceholderUse &use : config::findPlaceholders(text, ignored)) {
        out.append(text.substr(done, use.offset - done));
        if (use.name == "port")
            out += vars.port ? std::to_string(*vars.port) : std::string();
        else if (use.name == "index")
            out += std::to_string(vars.index);
        else if (use.name == "worker")
            out += vars.worker;
        else if (use.name == "pool")
            out += vars.pool;
        else if (use.name == "revision")
            out += vars.revision;
        done = use.offset + use.length;
    }
    out.append(text.substr(done));
    return out;
}

SpawnPlan planSpawn(const config::PoolSpec &pool, const WorkerVars &vars,
                    const std::vector<std::string> &masterEnv)
{
    SpawnPlan plan;
    for (const std::string &arg : pool.command)
        plan.argv.push_back(fillPlaceholders(arg, vars));
    plan.cwd = fillPlaceholders(pool.cwd, vars);

    std::map<std::string, std::string> env;
    for (const std::string &entry : masterEnv) {
        auto eq = entry.find('=');
        if (eq != std::string::npos && eq > 0)
            env[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    if (vars.port)
        env["PORT"] = std::to_string(*vars.port);
    env["DROVER_WORKER"] = vars.worker;
    env["DROVER_WORKER_INDEX"] = std::to_string(vars.index);
    env["DROVER_POOL"] = vars.pool;
    env["DROVER_REVISION"] = vars.revision;
    for (const auto &[name, value] : pool.env)
        env[name] = fillPlaceholders(value, vars);
    for (auto &[name, value] : env)
        plan.env.push_back(name + "=" + value);
    return plan;
}

} // namespace drover::engine
