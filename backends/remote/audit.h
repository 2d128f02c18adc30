#pragma once

#include "api/result.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace drover::remote {

/// One mutating request, allowed or refused.
struct AuditEntry
{
    std::int64_t timeMs = 0;
    std::string token;   ///< the token's name; empty when the master has no tokens
    std::string role;    ///< the connection's role
    std::string peer;    ///< `127.0.0.1:53122`, or `local` for the embedded master
    std::string op;      ///< `worker.restart`, `config.apply`...
    std::string args;    ///< the request's args as compact JSON (config text elided to its size)
    std::string result;  ///< `ok`, or the error code (`forbidden`, `invalid_config`...)
    std::string message; ///< for errors, the error's message
};

/// The audit log: JSON lines appended to `<state_dir>/audit.log` (mode 0600, O_APPEND, one
/// write per line so lines never interleave), rotated by size like worker logs
/// (audit.log.1 ... .N). Each line: {"time","token","role","peer","op","args","result",
/// "message"}; `args` is an object again in the line (not a string).
class AuditLog
{
public:
    AuditLog() = default;
    ~AuditLog();
    AuditLog(const AuditLog &) = delete;
    AuditLog &operator=(const AuditLog &) = delete;

    /// Opens (creates) the log; an error says which file and why.
    api::Result<bool> open(const std::string &stateDir, std::uint64_t maxBytes = 16 << 20,
                           int files = 5);
    /// Appends one line; a write error is returned (and the entry lost), never thrown.
    api::Result<bool> write(const AuditEntry &entry);
    std::string path() const;

    /// The JSON object of one line.
    static nlohmann::json toJson(const AuditEntry &entry);

private:
    int m_fd = -1;
    std::string m_path;
    std::uint64_t m_maxBytes = 0;
    int m_files = 0;
    std::uint64_t m_size = 0;
};

} // namespace drover::remote
