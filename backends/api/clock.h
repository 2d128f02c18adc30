#pragma once

#include <chrono>
#include <cstdint>

namespace drover::api {

/// The wall clock in Unix milliseconds: the times of the wire, the events and the audit log.
inline std::int64_t nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace drover::api
