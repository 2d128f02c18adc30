#pragma once

#include "api/result.h"

#include <string>

namespace drover::remote {

/// Where a master listens, as given to `droverctl --master` or `drover --connect`:
/// `ws://127.0.0.1:7700`, `wss://host:7700`, `[::1]:7700` or just `host` (port 7700).
struct MasterUrl
{
    bool tls = false;
    std::string host;
    int port = 7700;
    std::string toString() const; ///< normalized, always with scheme and port
};

api::Result<MasterUrl> parseMasterUrl(std::string_view text);

} // namespace drover::remote
