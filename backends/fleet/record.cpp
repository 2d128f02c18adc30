#include "fleet/record.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace drover::fleet {

using nlohmann::json;

Health healthOf(const PoolBrief &pool)
{
    if (pool.job)
        return pool.failed > 0 ? Health::Degraded : Health::Idle;
    if (pool.desired == 0)
        return Health::Idle;
    if (pool.ready >= pool.desired && pool.failed == 0)
        return Health::Ready;
    return pool.ready == 0 ? Health::Failing : Health::Degraded;
}

std::string_view toString(Health health)
{
    switch (health) {
    case Health::Failing:
        return "failing";
    case Health::Degraded:
        return "degraded";
    case Health::Ready:
        return "ready";
    case Health::Idle:
        return "idle";
    }
    return "idle";
}

int MasterRecord::desired() const
{
    int n = 0;
    for (const PoolBrief &p : pools)
        n += p.job ? 0 : p.desired;
    return n;
}

int MasterRecord::ready() const
{
    int n = 0;
    for (const PoolBrief &p : pools)
        n += p.job ? 0 : std::min(p.ready, p.desired);
    return n;
}

Health MasterRecord::health() const
{
    Health worst = Health::Idle;
    for (const PoolBrief &p : pools)
        worst = std::min(worst, healthOf(p));
    return worst;
}

double MasterRecord::score() const
{
    const int want = desired();
    const double readiness = want > 0 ? double(ready()) / want : 1.0;
    return int(health()) + readiness * 0.5;
}

std::string encode(const MasterRecord &r, bool stable)
{
    json pools = json::array();
    for (const PoolBrief &p : r.pools) {
        json j{{"name", p.name},
               {"desired", p.desired},
               {"running", p.running},
               {"ready", p.ready},
               {"failed", p.failed}};
        if (p.job)
            j["job"] = true;
        pools.push_back(std::move(j));
    }
    json j{
        {"name", r.name}, {"url", r.url}, {"version", r.version},      {"roles", r.roles},
        {"host", r.host}, {"pid", r.pid}, {"started_ms", r.startedMs}, {"pools", std::move(pools)}};
    if (!r.fingerprint.empty())
        j["fingerprint"] = r.fingerprint;
    if (!stable)
        j["updated_ms"] = r.updatedMs;
    return j.dump();
}

MasterRecord decode(const std::string &key, const std::string &value)
{
    MasterRecord r;
    r.key = key;
    r.name = key;
    json j = json::parse(value, nullptr, false);
    if (!j.is_object())
        return r;
    auto text = [&](const char *k) {
        auto it = j.find(k);
        return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    auto number = [](const json &o, const char *k) -> std::int64_t {
        auto it = o.find(k);
        return it != o.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
    };
    if (std::string name = text("name"); !name.empty())
        r.name = name;
    r.url = text("url");
    r.version = text("version");
    r.fingerprint = text("fingerprint");
    r.host = text("host");
    r.pid = int(number(j, "pid"));
    r.startedMs = number(j, "started_ms");
    r.updatedMs = number(j, "updated_ms");
    if (auto roles = j.find("roles"); roles != j.end() && roles->is_array())
        for (const json &role : *roles)
            if (role.is_string())
                r.roles.push_back(role.get<std::string>());
    if (auto pools = j.find("pools"); pools != j.end() && pools->is_array()) {
        for (const json &p : *pools) {
            if (!p.is_object() || !p.contains("name") || !p["name"].is_string())
                continue;
            PoolBrief b;
            b.name = p["name"].get<std::string>();
            b.desired = int(number(p, "desired"));
            b.running = int(number(p, "running"));
            b.ready = int(number(p, "ready"));
            b.failed = int(number(p, "failed"));
            b.job = p.value("job", false);
            r.pools.push_back(std::move(b));
        }
    }
    return r;
}

} // namespace drover::fleet
