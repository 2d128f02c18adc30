#pragma once

// Internal to the validator: one reader per section of the document, the `extends:`
// machinery and the checks across pools. validate.cpp calls them in document order.

#include "config/validate_fields.h"

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace drover::config::detail {

// ---------------------------------------------------------------------------------------------
// `${VAR}` and `env:` (validate_env.cpp)

/// `${VAR}` in every value (not in keys), before anything is read.
void expandWithPaths(Ctx &ctx, Node &n, const std::string &path);

/// An `env:` mapping: `NAME: value` or `NAME: {value: ..., secret: true}`. `secret` gets the
/// names whose values are hidden from viewers and operators, sorted.
bool envMap(Ctx &ctx, const Node *n, const std::string &path,
            std::map<std::string, std::string> &out, std::vector<std::string> &secret,
            Sites &sites);

// ---------------------------------------------------------------------------------------------
// Master (validate_master.cpp)

void readMaster(Ctx &ctx, const Node *n, MasterSpec &m);

// ---------------------------------------------------------------------------------------------
// Pools and their sub-sections (validate_pool.cpp, validate_probes.cpp)

inline constexpr std::string_view kPoolKeys[] = {
    "name",       "extends", "command",  "cwd",   "env",    "replicas", "autoscale",
    "ports",      "limits",  "restart",  "stop",  "probes", "gateway",  "rollout",
    "depends_on", "logs",    "schedule", "image", "mounts", "network",  "pull"};

struct PoolNodes
{
    const Node *node = nullptr;
    std::string path;
    const Node *name = nullptr;
    const Node *dependsOn = nullptr;
    const Node *ports = nullptr;
    const Node *gatewayListen = nullptr;
    Sites sites;
};

void readRestart(Ctx &ctx, const Node *n, const std::string &path, RestartSpec &out);
void readStop(Ctx &ctx, const Node *n, const std::string &path, StopSpec &out);
void readProbes(Ctx &ctx, const Node *n, const std::string &path, ProbeSet &out, Sites &sites);
/// `schedule:` (validate_schedule.cpp): a cron expression, `manual`, or the mapping
/// {cron, timezone, concurrency, deadline, catch_up, history}. Sets `out` when given.
void readSchedule(Ctx &ctx, const Node *n, const std::string &path, std::optional<JobSpec> &out);
/// `image:`, `mounts:`, `network:` and `pull:` (validate_container.cpp): sets pool.container
/// when the pool has an image; the other three without one are errors (not in a template).
void readContainer(Ctx &ctx, const Fields &f, PoolSpec &pool, bool isTemplate);

/// Reads a pool (or, with `isTemplate`, a template: nothing required, no cross checks).
void readPoolBody(Ctx &ctx, const Fields &f, PoolSpec &pool, PoolNodes &nodes, bool isTemplate);
/// Placeholder and port checks that need the whole pool.
void checkPool(Ctx &ctx, const PoolSpec &pool, const PoolNodes &nodes);

// ---------------------------------------------------------------------------------------------
// Templates and `extends:` (validate_templates.cpp)

/// `extends:` semantics: maps merge key by key (the extending side wins), lists and scalars
/// replace.
void mergeInto(Node &base, const Node &over);

class Templates
{
public:
    Templates(Ctx &ctx, const Node *templates);

    const std::vector<std::string> &names() const { return m_names; }

    /// The fully merged body of template `name` (marked fromTemplate) and its chain, or
    /// nullopt when it is unknown or part of a cycle (reported at `where`).
    std::optional<Node> resolve(const std::string &name, const Node &where,
                                const std::string &wherePath, std::vector<std::string> &chain);

private:
    Ctx &m_ctx;
    const Node *m_templates;
    std::vector<std::string> m_names;
    std::set<std::set<std::string>> m_reportedCycles;
    struct Resolved
    {
        std::vector<std::string> chain; ///< this template and its ancestors
        Node node;
    };
    std::map<std::string, Resolved> m_resolved; // each template is merged once
    static constexpr std::size_t kMaxChain = 32;
    bool m_reportedLongChain = false;
};

// ---------------------------------------------------------------------------------------------
// Adopted processes (validate_adopted.cpp)

void readAdopted(Ctx &ctx, const Node &n, const std::string &path, AdoptedSpec &a, Sites &sites);

// ---------------------------------------------------------------------------------------------
// Checks across the document (validate_checks.cpp)

/// `depends_on`: unknown names and cycles, each cycle spelled out once.
void checkDependencies(Ctx &ctx, const Config &cfg, const std::vector<PoolNodes> &nodes);
/// Addresses and ports that must not collide.
void checkAddresses(Ctx &ctx, const Config &cfg, const std::vector<PoolNodes> &nodes,
                    const Node *masterListen);

} // namespace drover::config::detail
