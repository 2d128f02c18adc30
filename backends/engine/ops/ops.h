#pragma once

#include "api/backend.h"
#include "api/ops.h"
#include "api/role.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace drover::engine {

class Engine;
class Worker;
struct Rooms;

/// One request on its way to its handler.
struct OpCall
{
    Rooms &rooms;
    Engine &engine;
    const nlohmann::json &args;
    api::Role role; ///< the caller's (an embedded master's console is admin)
    api::ReplyFn done;
    /// Who asks: a token's name, `console` for the embedded master's console, `local`.
    const std::string &caller;
};

/// The engine's column of the op table (api/ops.cpp has the names, roles and whether each
/// changes anything): the handler of each op the engine answers.
struct OpHandler
{
    api::Op op;
    void (*handle)(OpCall &call);
    bool refusedWhileShutting; ///< it would start workers
};

/// The handler of `op`; nothing for an op the engine does not answer (a session's own).
const OpHandler *opHandler(api::Op op);
/// Engine-scope ops of api::allOps() that have no handler (none: a test says so).
std::vector<api::Op> opsWithoutHandler();

namespace ops {

// Workers and pools (workerops.cpp).
void workerStart(OpCall &call);
void workerStop(OpCall &call);
void workerRestart(OpCall &call);
void poolScale(OpCall &call);
// Serving: leases and traffic (serveops.cpp).
void poolAcquire(OpCall &call);
void poolRelease(OpCall &call);
void poolTraffic(OpCall &call);
// Rollouts (rolloutops.cpp).
void rolloutStatus(OpCall &call);
void rolloutHistory(OpCall &call);
void rolloutStart(OpCall &call);
void rolloutPause(OpCall &call);
void rolloutResume(OpCall &call);
void rolloutAbort(OpCall &call);
void rolloutUndo(OpCall &call);
void rolloutRestart(OpCall &call);
// Jobs (jobops.cpp).
void jobRun(OpCall &call);
void jobHistory(OpCall &call);
void jobCancel(OpCall &call);
// Queries (queryops.cpp).
void logsTail(OpCall &call);
void workerDescribe(OpCall &call);
void metricsQuery(OpCall &call);
void eventsQuery(OpCall &call);
void healthHistory(OpCall &call);
// The config (configops.cpp).
void configGet(OpCall &call);
void configValidate(OpCall &call);
void configApply(OpCall &call);
void configPlan(OpCall &call);
void configHistory(OpCall &call);

/// The worker `args.worker` names; nothing (and the error in `call.done`) otherwise.
Worker *findWorker(OpCall &call);

} // namespace ops

} // namespace drover::engine
