#pragma once

#include <optional>
#include <string>
#include <string_view>
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

/// The stable, machine-readable kinds of failure; their wire names are in docs/protocol.md.
enum class ErrorCode {
    BadRequest,    ///< `bad_request`: not JSON, no id or op, an unknown op, a field of a wrong type
    Unauthorized,  ///< `unauthorized`: no valid token
    Forbidden,     ///< `forbidden`: the caller's role may not make this request
    NotFound,      ///< `not_found`: no such worker, pool, follow...
    Conflict,      ///< `conflict`: the state changed under the request (a stale base_version)
    InvalidConfig, ///< `invalid_config`: `details` lists every error with its position
    Busy,          ///< `busy`: over a rate or count limit
    Unavailable,   ///< `unavailable`: shutting down, not started, or the link is down
    Timeout,       ///< `timeout`: no answer in time (client side)
    Io,            ///< `io`: a file (a worker's log) could not be read or written
    Spawn,         ///< `spawn`: a process could not be started (chdir, exec)
    InvalidProbe,  ///< `invalid_probe`: a probe's target cannot be made for a worker
    Internal,      ///< `internal`: anything else; the message says what
};

/// The code's wire name, e.g. `bad_request`.
std::string_view toString(ErrorCode code);
/// The code of a wire name; nothing for a name this build does not know.
std::optional<ErrorCode> parseErrorCode(std::string_view name);

/// A failure as a value: a stable machine-readable `code` (see PROTOCOL.md), a human
/// `message`, and located `details` where the failure is about a document.
struct Error
{
    ErrorCode code = ErrorCode::Internal;
    std::string message;
    std::vector<Diagnostic> details;
};

} // namespace drover::api
