#pragma once

#include "config/spec.h"
#include "engine/cgroup.h"

#include <string>
#include <string_view>

/// What a worker's groups hold: the memory, cpu and pids limits written into them (v1 or v2
/// files) and read back from them.
namespace drover::engine::cgrouplimits {

/// Whether `limits` asks for a limit of `controller` (memory, cpu or pids).
bool asked(const config::LimitsSpec &limits, std::string_view controller);

/// Writes `controller`'s limit from `limits` into the group `dir`, or resets it to unlimited
/// when none is asked for (a reused group); adds "memory 256Mi (cgroup v1)" to out.applied or
/// a line to out.problems.
void write(const std::string &dir, bool v2, std::string_view controller,
           const config::LimitsSpec &limits, WorkerCgroup &out);

/// The limit the group `dir` holds for `controller`, read back in write()'s words, or ""
/// when unlimited or unreadable: what a re-adopted worker reports.
std::string read(const std::string &dir, const std::string &controller, bool v2);

} // namespace drover::engine::cgrouplimits
