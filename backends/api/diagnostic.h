#pragma once

#include <string>
#include <vector>

namespace drover::api {

/// One problem found in a document (a config file, a request), located for a human:
/// `file:line:column: path: message`. Line and column are 1-based; 0 means "the whole file".
struct Diagnostic
{
    std::string file;
    int line = 0;
    int column = 0;
    std::string path;    ///< where in the document, e.g. `pools[0].replicas`; empty for the root
    std::string message; ///< what is wrong, quoting the offending value

    /// `file:line:col: path: message`, leaving out the parts that are unknown.
    std::string toString() const;
    friend bool operator==(const Diagnostic &, const Diagnostic &) = default;
};

/// A failure as a value: a stable machine-readable `code` (see PROTOCOL.md), a human
/// `message`, and located `details` where the failure is about a document.
struct Error
{
    std::string code;
    std::string message;
    std::vector<Diagnostic> details;
};

} // namespace drover::api
