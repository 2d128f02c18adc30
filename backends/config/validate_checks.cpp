// Checks across pools: `depends_on` names and cycles, port and address collisions.
#include "config/validate_sections.h"

#include <algorithm>
#include <iterator>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace drover::config::detail {

/// `depends_on`: unknown names and cycles, each cycle spelled out once.
void checkDependencies(Ctx &ctx, const Config &cfg, const std::vector<PoolNodes> &nodes)
{
    std::vector<std::string> names;
    std::unordered_map<std::string, std::size_t> poolIndex;
    for (std::size_t i = 0; i < cfg.pools.size(); ++i) {
        names.push_back(cfg.pools[i].name);
        poolIndex.try_emplace(cfg.pools[i].name, i);
    }
    std::unordered_set<std::string> known(names.begin(), names.end());
    for (const AdoptedSpec &a : cfg.adopted) {
        names.push_back(a.name);
        known.insert(a.name);
    }
    for (std::size_t i = 0; i < cfg.pools.size(); ++i) {
        const PoolSpec &p = cfg.pools[i];
        const Node *list = nodes[i].dependsOn;
        for (std::size_t k = 0; k < p.dependsOn.size() && list && list->isSequence(); ++k) {
            const std::string &dep = p.dependsOn[k];
            if (known.contains(dep))
                continue;
            std::string msg = "unknown pool or adopted process " + quote(dep);
            if (auto guess = closest(dep, names))
                msg += " (did you mean \"" + *guess + "\"?)";
            ctx.error(list->items[k].mark, at(join(nodes[i].path, "depends_on"), k), msg);
        }
    }
    // Depth-first search with our own stack (chains can be long); a back edge closes a
    // cycle, reported where it is closed.
    enum class Color { White, Grey, Black };
    std::vector<Color> color(cfg.pools.size(), Color::White);
    struct Frame
    {
        std::size_t pool;
        std::size_t next = 0; // the next depends_on entry to follow
    };
    std::vector<Frame> stack;
    auto spell = [&](std::size_t from, std::size_t to) {
        // The cycle as names; a long one is shortened in the middle.
        std::vector<std::string> names;
        auto begin = std::find_if(stack.begin(), stack.end(),
                                  [&](const Frame &f) { return f.pool == from; });
        for (auto f = begin; f != stack.end(); ++f)
            names.push_back(cfg.pools[f->pool].name);
        names.push_back(cfg.pools[to].name);
        std::string out;
        for (std::size_t k = 0; k < names.size(); ++k) {
            if (names.size() > 12 && k == 6) {
                out += "... (" + std::to_string(names.size() - 10) + " more) -> ";
                k = names.size() - 4;
            }
            out += names[k] + (k + 1 < names.size() ? " -> " : "");
        }
        return out;
    };
    for (std::size_t root = 0; root < cfg.pools.size(); ++root) {
        if (color[root] != Color::White)
            continue;
        color[root] = Color::Grey;
        stack.push_back({root});
        while (!stack.empty()) {
            Frame &top = stack.back();
            const PoolSpec &p = cfg.pools[top.pool];
            if (top.next == p.dependsOn.size()) {
                color[top.pool] = Color::Black;
                stack.pop_back();
                continue;
            }
            std::size_t k = top.next++;
            auto it = poolIndex.find(p.dependsOn[k]);
            if (it == poolIndex.end())
                continue;
            std::size_t j = it->second;
            if (color[j] == Color::Grey) {
                std::size_t i = top.pool;
                const Node *list = nodes[i].dependsOn;
                Mark mark = list && list->isSequence() && k < list->items.size()
                                ? list->items[k].mark
                                : nodes[i].node->mark;
                ctx.error(mark, at(join(nodes[i].path, "depends_on"), k),
                          "dependency cycle: " + spell(j, j));
            } else if (color[j] == Color::White) {
                color[j] = Color::Grey;
                stack.push_back({j});
            }
        }
    }
}

/// Addresses and ports that must not collide. Sorted and hashed, not pairwise: a file may
/// hold tens of thousands of pools.
void checkAddresses(Ctx &ctx, const Config &cfg, const std::vector<PoolNodes> &nodes,
                    const Node *masterListen)
{
    struct Range
    {
        PortRange ports;
        std::size_t pool;
    };
    std::vector<Range> ranges;
    for (std::size_t i = 0; i < cfg.pools.size(); ++i) {
        if (cfg.pools[i].ports && nodes[i].ports)
            ranges.push_back({*cfg.pools[i].ports, i});
    }
    std::sort(ranges.begin(), ranges.end(), [](const Range &a, const Range &b) {
        return std::tie(a.ports.first, a.pool) < std::tie(b.ports.first, b.pool);
    });
    auto describePool = [&](std::size_t j, const Node *where) {
        return nodes[j].path + " (" + quote(cfg.pools[j].name) + ", line " +
               std::to_string(where->mark.line) + ")";
    };
    // Overlaps: each range against the one reaching furthest among those before it.
    std::optional<Range> reach;
    for (const Range &r : ranges) {
        if (reach && reach->ports.overlaps(r.ports)) {
            // Report at whichever of the two comes later in the file.
            const Range &early = reach->pool < r.pool ? *reach : r;
            const Range &late = reach->pool < r.pool ? r : *reach;
            ctx.error(nodes[late.pool].ports->mark, join(nodes[late.pool].path, "ports"),
                      late.ports.toString() + " overlaps the ports " + early.ports.toString() +
                          " of " + describePool(early.pool, nodes[early.pool].ports));
        }
        if (!reach || r.ports.last > reach->ports.last)
            reach = r;
    }
    // The range with the largest start <= port; overlapping ranges were reported above.
    auto rangeHolding = [&](int port) -> const Range * {
        auto it = std::upper_bound(ranges.begin(), ranges.end(), port,
                                   [](int p, const Range &r) { return p < r.ports.first; });
        if (it == ranges.begin() || port > std::prev(it)->ports.last)
            return nullptr;
        return &*std::prev(it);
    };
    const int masterPort = cfg.master.listen.port;
    if (const Range *r = rangeHolding(masterPort)) {
        ctx.error(nodes[r->pool].ports->mark, join(nodes[r->pool].path, "ports"),
                  r->ports.toString() + " contains the master's listen port " +
                      std::to_string(masterPort));
    }

    // Gateways clash when they share a port and a host, or when either takes every address
    // (0.0.0.0, ::): the second bind would fail.
    auto hostKey = [](const std::string &host) {
        return host == "localhost" ? std::string("127.0.0.1") : host;
    };
    auto wildcard = [](const std::string &host) { return host == "0.0.0.0" || host == "::"; };
    std::unordered_map<int, std::vector<std::size_t>> gatewaysByPort;
    for (std::size_t i = 0; i < cfg.pools.size(); ++i) {
        const PoolSpec &p = cfg.pools[i];
        if (!p.gateway || !nodes[i].gatewayListen)
            continue;
        const Node &listen = *nodes[i].gatewayListen;
        std::string path = join(join(nodes[i].path, "gateway"), "listen");
        std::vector<std::size_t> &samePort = gatewaysByPort[p.gateway->listen.port];
        for (std::size_t j : samePort) {
            const std::string &a = p.gateway->listen.host;
            const std::string &b = cfg.pools[j].gateway->listen.host;
            if (hostKey(a) == hostKey(b) || wildcard(a) || wildcard(b)) {
                std::string what =
                    hostKey(a) == hostKey(b)
                        ? p.gateway->listen.toString() + " is already the gateway of "
                        : p.gateway->listen.toString() + " clashes with " +
                              cfg.pools[j].gateway->listen.toString() + ", the gateway of ";
                ctx.error(listen.mark, path, what + describePool(j, nodes[j].gatewayListen));
                break;
            }
        }
        samePort.push_back(i);
        const int port = p.gateway->listen.port;
        if (port == masterPort) {
            ctx.error(listen.mark, path,
                      "port " + std::to_string(port) + " is the master's own listen port" +
                          (masterListen ? " (line " + std::to_string(masterListen->mark.line) + ")"
                                        : std::string(" (the default 7700)")));
        }
        if (const Range *r = rangeHolding(port)) {
            ctx.error(listen.mark, path,
                      "port " + std::to_string(port) + " is inside the worker ports " +
                          r->ports.toString() + " of " + nodes[r->pool].path + " (" +
                          quote(cfg.pools[r->pool].name) + ")");
        }
    }
}

} // namespace drover::config::detail
