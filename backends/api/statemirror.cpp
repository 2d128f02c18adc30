#include "api/statemirror.h"

namespace drover::api {

void StateMirror::reset(const Snapshot &snapshot)
{
    valid = true;
    seq = snapshot.seq;
    configVersion = snapshot.configVersion;
    role = snapshot.role;
    workers.clear();
    pools.clear();
    rollouts.clear();
    for (const RolloutInfo &r : snapshot.rollouts)
        rollouts[r.pool] = r;
    for (const WorkerInfo &w : snapshot.workers)
        workers[w.id] = w;
    for (const PoolInfo &p : snapshot.pools)
        pools[p.name] = p;
}

void StateMirror::reset(Snapshot &&snapshot)
{
    valid = true;
    seq = snapshot.seq;
    configVersion = std::move(snapshot.configVersion);
    role = snapshot.role;
    workers.clear();
    pools.clear();
    rollouts.clear();
    for (RolloutInfo &r : snapshot.rollouts) {
        std::string pool = r.pool;
        rollouts.insert_or_assign(std::move(pool), std::move(r));
    }
    for (WorkerInfo &w : snapshot.workers) {
        std::string id = w.id;
        workers.insert_or_assign(std::move(id), std::move(w));
    }
    for (PoolInfo &p : snapshot.pools) {
        std::string name = p.name;
        pools.insert_or_assign(std::move(name), std::move(p));
    }
}

bool StateMirror::apply(const Delta &delta)
{
    if (!valid || delta.seq != seq + 1) {
        valid = false;
        return false;
    }
    seq = delta.seq;
    switch (delta.kind) {
    case DeltaKind::WorkerUpsert: {
        const auto &w = std::get<WorkerInfo>(delta.value);
        workers[w.id] = w;
        break;
    }
    case DeltaKind::WorkerRemoved:
        workers.erase(std::get<std::string>(delta.value));
        break;
    case DeltaKind::PoolUpsert: {
        const auto &p = std::get<PoolInfo>(delta.value);
        pools[p.name] = p;
        break;
    }
    case DeltaKind::PoolRemoved:
        pools.erase(std::get<std::string>(delta.value));
        rollouts.erase(std::get<std::string>(delta.value));
        break;
    case DeltaKind::RolloutUpsert: {
        const auto &r = std::get<RolloutInfo>(delta.value);
        rollouts[r.pool] = r;
        break;
    }
    case DeltaKind::EventAdded:
    case DeltaKind::HealthSampled:
        break;
    }
    return true;
}

Snapshot StateMirror::toSnapshot() const
{
    Snapshot s;
    s.seq = seq;
    s.workers.reserve(workers.size());
    for (const auto &[id, w] : workers)
        s.workers.push_back(w);
    for (const auto &[name, p] : pools)
        s.pools.push_back(p);
    for (const auto &[name, r] : rollouts)
        s.rollouts.push_back(r);
    s.configVersion = configVersion;
    s.role = role;
    return s;
}

} // namespace drover::api
