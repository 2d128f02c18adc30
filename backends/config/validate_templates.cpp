// Templates and `extends:`: chains resolved once each, cycles reported once.
#include "config/validate_sections.h"

#include <algorithm>
#include <utility>

namespace drover::config::detail {

namespace {

/// Deep copy of a template's value, marked as coming from the template.
Node fromTemplate(const Node &n)
{
    Node copy = n;
    std::vector<Node *> stack{&copy};
    while (!stack.empty()) {
        Node *cur = stack.back();
        stack.pop_back();
        cur->fromTemplate = true;
        for (Node &i : cur->items)
            stack.push_back(&i);
        for (Entry &e : cur->entries)
            stack.push_back(&e.value);
    }
    return copy;
}

} // namespace

void mergeInto(Node &base, const Node &over)
{
    if (!base.isMap() || !over.isMap()) {
        base = over;
        return;
    }
    base.mark = over.mark;
    base.fromTemplate = over.fromTemplate;
    for (const Entry &e : over.entries) {
        if (e.key == "extends")
            continue;
        if (Node *existing = base.find(e.key)) {
            mergeInto(*existing, e.value);
            for (Entry &be : base.entries) {
                if (be.key == e.key)
                    be.keyMark = e.keyMark;
            }
        } else {
            base.entries.push_back(e);
        }
    }
}

Templates::Templates(Ctx &ctx, const Node *templates)
    : m_ctx(ctx)
    , m_templates(templates && templates->isMap() ? templates : nullptr)
{
    if (m_templates) {
        for (const Entry &e : m_templates->entries)
            m_names.push_back(e.key);
    }
}

std::optional<Node> Templates::resolve(const std::string &name, const Node &where,
                                       const std::string &wherePath,
                                       std::vector<std::string> &chain)
{
    const Node *body = m_templates ? m_templates->find(name) : nullptr;
    if (!body) {
        std::string msg = "unknown template " + quote(name);
        if (auto guess = closest(name, m_names))
            msg += " (did you mean \"" + *guess + "\"?)";
        else if (m_names.empty())
            msg += " (there is no \"templates:\" section)";
        m_ctx.error(where.mark, wherePath, std::move(msg));
        return std::nullopt;
    }
    if (auto start = std::find(chain.begin(), chain.end(), name); start != chain.end()) {
        // Report each cycle once, wherever it is first met.
        std::set<std::string> members(start, chain.end());
        if (m_reportedCycles.insert(members).second) {
            std::string cycle;
            for (auto it = start; it != chain.end(); ++it)
                cycle += *it + " -> ";
            m_ctx.error(where.mark, wherePath, "extends cycle: " + cycle + name);
        }
        return std::nullopt;
    }
    if (auto done = m_resolved.find(name); done != m_resolved.end()) {
        chain.insert(chain.end(), done->second.chain.begin(), done->second.chain.end());
        return done->second.node;
    }
    if (chain.size() >= kMaxChain) {
        if (!std::exchange(m_reportedLongChain, true))
            m_ctx.error(where.mark, wherePath,
                        "extends chain longer than " + std::to_string(kMaxChain) + " templates");
        return std::nullopt;
    }
    std::size_t first = chain.size();
    chain.push_back(name);
    Node merged;
    if (body->isMap()) {
        if (const Node *parent = body->find("extends"); parent && parent->isScalar()) {
            auto base =
                resolve(parent->scalar, *parent, join(join("templates", name), "extends"), chain);
            if (!base)
                return std::nullopt;
            merged = std::move(*base);
        }
    }
    mergeInto(merged, fromTemplate(*body));
    m_resolved[name] = {
        std::vector<std::string>(chain.begin() + static_cast<long>(first), chain.end()), merged};
    return merged;
}

} // namespace drover::config::detail
