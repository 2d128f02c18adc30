#pragma once

#include "api/diagnostic.h"
#include "config/yamltree.h"

#include <string>
#include <vector>

namespace drover::config {

/// Collects the errors of one file. The report is sorted by position, free of repeats and
/// capped, so that no input can make the report itself huge.
class Diagnostics
{
public:
    static constexpr std::size_t kStored = 10'000;

    explicit Diagnostics(std::string file)
        : m_file(std::move(file))
    {}

    void add(Mark at, std::string path, std::string message);
    bool empty() const { return m_items.empty() && m_dropped == 0; }
    std::size_t size() const { return m_items.size() + m_dropped; }
    const std::string &file() const { return m_file; }

    /// The first `cap` errors by position; `more` gets how many were left out.
    std::vector<api::Diagnostic> report(std::size_t cap, std::size_t &more) const;

private:
    std::string m_file;
    std::vector<api::Diagnostic> m_items;
    std::size_t m_dropped = 0;
};

} // namespace drover::config
