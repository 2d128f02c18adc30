#include "config/validate.h"

#include "config/validate_sections.h"

#include <map>
#include <span>

namespace drover::config {

using namespace detail;

void validate(Node root, ValidateContext &in, Config &out)
{
    Ctx ctx{in};
    if (root.isNull()) {
        ctx.error({1, 1}, "", "the file is empty; a config starts with \"version: 1\"");
        return;
    }
    if (!root.isMap()) {
        ctx.error(root.mark, "",
                  "expected a mapping with \"version: 1\" at the top, got " + describe(root));
        return;
    }
    expandWithPaths(ctx, root, "");

    Fields top(ctx, &root, "", {"version", "master", "templates", "pools", "adopted"});
    if (const Node *v = top.require("version", "add \"version: 1\" at the top")) {
        int version = 0;
        if (integer(ctx, v, "version", version, 1, 1000) && version != 1)
            ctx.error(v->mark, "version",
                      "unsupported version " + std::to_string(version) +
                          " (this droverd reads version 1)");
    }
    readMaster(ctx, top.get("master"), out.master);

    // Templates are checked on their own, once, whether used or not.
    const Node *templatesNode = top.get("templates");
    if (templatesNode && !templatesNode->isNull() && !templatesNode->isMap())
        ctx.error(templatesNode->mark, "templates",
                  "expected a mapping of name: {...}, got " + describe(*templatesNode));
    Templates templates(ctx, templatesNode);
    if (templatesNode && templatesNode->isMap()) {
        for (const Entry &e : templatesNode->entries) {
            std::string tp = join("templates", e.key);
            Fields f(ctx, &e.value, tp, std::span(kPoolKeys).subspan(1));
            if (!f.present()) {
                if (e.value.isNull())
                    ctx.error(e.value.mark, tp, "expected a mapping, got nothing");
                continue;
            }
            std::string parent;
            if (str(ctx, f.get("extends"), f.path("extends"), parent, false)) {
                std::vector<std::string> chain{e.key};
                templates.resolve(parent, *f.get("extends"), f.path("extends"), chain);
            }
            PoolSpec scratch;
            PoolNodes scratchNodes;
            scratchNodes.path = tp;
            readPoolBody(ctx, f, scratch, scratchNodes, true);
        }
    }

    std::vector<PoolNodes> poolNodes;
    std::vector<Node> mergedPools; // stable storage for the nodes PoolNodes point into
    if (const Node *pools = top.get("pools"); pools && !pools->isNull()) {
        if (!pools->isSequence()) {
            ctx.error(pools->mark, "pools", "expected a list of pools, got " + describe(*pools));
        } else {
            mergedPools.reserve(pools->items.size());
            for (std::size_t i = 0; i < pools->items.size(); ++i) {
                const Node &raw = pools->items[i];
                std::string path = at("pools", i);
                Node merged = raw;
                std::vector<std::string> chain;
                if (const Node *ext = raw.isMap() ? raw.find("extends") : nullptr) {
                    std::string name;
                    if (str(ctx, ext, join(path, "extends"), name, false)) {
                        if (auto base =
                                templates.resolve(name, *ext, join(path, "extends"), chain)) {
                            mergeInto(*base, raw);
                            merged = std::move(*base);
                        }
                    }
                }
                mergedPools.push_back(std::move(merged));
                const Node &node = mergedPools.back();
                Fields f(ctx, &node, path, kPoolKeys);
                if (!f.present()) {
                    if (node.isNull())
                        ctx.error(node.mark, path, "expected a mapping, got nothing");
                    continue;
                }
                PoolSpec pool;
                pool.mark = raw.mark;
                pool.extends = chain;
                PoolNodes pn;
                pn.node = &node;
                pn.path = path;
                pn.name = f.require("name");
                nameValue(ctx, pn.name, f.path("name"), pool.name);
                readPoolBody(ctx, f, pool, pn, false);
                checkPool(ctx, pool, pn);
                if (pool.cwd.empty() && !pool.container) // a container's: the image's own
                    pool.cwd = in.baseDir;
                pool.revision = computeRevision(pool);
                out.pools.push_back(std::move(pool));
                poolNodes.push_back(std::move(pn));
            }
        }
    }

    std::vector<const Node *> adoptedNames;
    if (const Node *adopted = top.get("adopted"); adopted && !adopted->isNull()) {
        if (!adopted->isSequence()) {
            ctx.error(adopted->mark, "adopted",
                      "expected a list of {name, pid_file}, got " + describe(*adopted));
        } else {
            for (std::size_t i = 0; i < adopted->items.size(); ++i) {
                AdoptedSpec a;
                Sites sites;
                readAdopted(ctx, adopted->items[i], at("adopted", i), a, sites);
                if (a.cwd.empty())
                    a.cwd = in.baseDir;
                adoptedNames.push_back(adopted->items[i].isMap() ? adopted->items[i].find("name")
                                                                 : nullptr);
                out.adopted.push_back(std::move(a));
            }
        }
    }

    // Names are unique across pools and adopted processes: both name workers.
    std::map<std::string, std::pair<std::string, int>> names;
    auto claim = [&](const std::string &name, const Node *node, const std::string &path) {
        if (name.empty() || !node)
            return;
        auto [it, fresh] = names.try_emplace(name, path, node->mark.line);
        if (!fresh)
            ctx.error(node->mark, join(path, "name"),
                      quote(name) + " is already used by " + it->second.first + " (line " +
                          std::to_string(it->second.second) + ")");
    };
    for (std::size_t i = 0; i < out.pools.size(); ++i)
        claim(out.pools[i].name, poolNodes[i].name, poolNodes[i].path);
    for (std::size_t i = 0; i < out.adopted.size(); ++i)
        claim(out.adopted[i].name, adoptedNames[i], at("adopted", i));

    checkDependencies(ctx, out, poolNodes);
    checkAddresses(ctx, out, poolNodes,
                   top.get("master") ? top.get("master")->find("listen") : nullptr);
}

} // namespace drover::config
