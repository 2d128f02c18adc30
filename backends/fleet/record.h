#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace drover::fleet {

/// One pool of a master, as its fleet record lists it.
struct PoolBrief
{
    std::string name;
    int desired = 0;
    int running = 0;
    int ready = 0;
    int failed = 0;
    bool job = false; ///< a pool with `schedule:` (its runs come and go: not counted as missing)
    friend bool operator==(const PoolBrief &, const PoolBrief &) = default;
};

/// How a pool looks at a glance, worst first.
enum class Health { Failing, Degraded, Ready, Idle };
Health healthOf(const PoolBrief &pool);

/// What a master writes under `<prefix><name>` in etcd (a JSON object), and what the console
/// and `droverctl fleet ls` read back.
struct MasterRecord
{
    std::string key;  ///< etcd's key (set by the reader, not stored in the value)
    std::string name; ///< `master.fleet.name`, else `<hostname>:<port>`
    std::string url;  ///< what a console connects to: ws://... or wss://...
    std::string version;
    std::string fingerprint; ///< the server certificate's SHA-256, `ab:cd:...`; empty: no TLS
    std::vector<std::string> roles; ///< the roles its tokens give: viewer, operator, admin
    std::string host;               ///< the machine's hostname
    int pid = 0;
    std::int64_t startedMs = 0;
    std::int64_t updatedMs = 0; ///< when the pools below were last written
    std::vector<PoolBrief> pools;

    int desired() const;
    int ready() const;
    /// The worst of its pools (Idle when it has none).
    Health health() const;
    /// A sort key, lowest worst: failing pools first, then degraded, then by readiness.
    double score() const;
    friend bool operator==(const MasterRecord &, const MasterRecord &) = default;
};

/// The stored value, without `key` and `updatedMs` when `stable` (for telling whether the
/// record changed since it was last written).
std::string encode(const MasterRecord &record, bool stable = false);
/// Reads a stored value; a value that is not a record (another program's key under the
/// prefix) gives a record with only the key and `name` set to it.
MasterRecord decode(const std::string &key, const std::string &value);
std::string_view toString(Health health);

} // namespace drover::fleet
