#pragma once

#include "api/diagnostic.h"
#include "api/result.h"
#include "api/types.h"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>

/// JSON forms of the domain types, as on the wire (PROTOCOL.md, docs/protocol.md). Field
/// names are snake_case; optional values are left out when unset.
namespace drover::api {

nlohmann::json toJson(const WorkerInfo &w);
nlohmann::json toJson(const PoolInfo &p);
nlohmann::json toJson(const RolloutInfo &r);
nlohmann::json toJson(const JobStatus &j);
nlohmann::json toJson(const JobRun &r);
nlohmann::json toJson(const Event &e);
nlohmann::json toJson(const ProbeStatus &p);
nlohmann::json toJson(const HealthSample &h);
nlohmann::json toJson(const HealthTransition &t);
nlohmann::json toJson(const Diagnostic &d);
nlohmann::json toJson(const Error &e);
/// `{"type":"snapshot","seq":..,"workers":[..],"pools":[..],"rollouts":[..],"config_version":..}`
nlohmann::json toJson(const Snapshot &s);
/// `{"type":"delta","seq":..,"kind":"worker.upsert","worker":{..}}`
nlohmann::json toJson(const Delta &d);

/// The same JSON text as toJson(w).dump() (up to the order of keys and how numbers are
/// written), appended to `out` directly: a 10,000-worker snapshot without building a tree.
/// Invalid UTF-8 in a string becomes U+FFFD, as dump() with the replace handler does.
void appendJson(std::string &out, const WorkerInfo &w);
/// toJson(s).dump(), with `role` instead of the snapshot's own when given, written directly.
std::string snapshotText(const Snapshot &s, std::optional<Role> role = std::nullopt);

/// Lenient readers: unknown fields are ignored, missing ones keep their defaults; a field
/// of the wrong type gives an error naming it.
Result<WorkerInfo> workerFromJson(const nlohmann::json &j);
Result<PoolInfo> poolFromJson(const nlohmann::json &j);
Result<RolloutInfo> rolloutFromJson(const nlohmann::json &j);
Result<JobStatus> jobStatusFromJson(const nlohmann::json &j);
Result<JobRun> jobRunFromJson(const nlohmann::json &j);
Result<Event> eventFromJson(const nlohmann::json &j);
Result<HealthSample> healthSampleFromJson(const nlohmann::json &j);
Result<HealthTransition> healthTransitionFromJson(const nlohmann::json &j);

} // namespace drover::api
