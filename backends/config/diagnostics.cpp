#include "config/diagnostics.h"

#include <algorithm>
#include <tuple>
#include <unordered_set>

namespace drover::config {

void Diagnostics::add(Mark at, std::string path, std::string message)
{
    if (m_items.size() >= kStored) {
        ++m_dropped;
        return;
    }
    m_items.push_back({m_file, at.line, at.column, std::move(path), std::move(message)});
}

std::vector<api::Diagnostic> Diagnostics::report(std::size_t cap, std::size_t &more) const
{
    std::vector<api::Diagnostic> all = m_items;
    std::stable_sort(all.begin(), all.end(), [](const auto &a, const auto &b) {
        return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    // The same problem found twice (a template checked for two pools) is reported once.
    std::unordered_set<std::string> seen;
    all.erase(
        std::remove_if(all.begin(), all.end(),
                       [&](const api::Diagnostic &d) { return !seen.insert(d.toString()).second; }),
        all.end());
    std::size_t total = all.size() + m_dropped;
    if (all.size() > cap)
        all.resize(cap);
    more = total - all.size();
    return all;
}

} // namespace drover::config
