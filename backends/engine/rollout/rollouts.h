#pragma once

#include "api/result.h"
#include "api/types.h"
#include "config/spec.h"
#include "engine/rollout/decide.h"
#include "engine/serve/route.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace drover::engine {

class ConfigView;
class Registry;
class Stream;
class Supervisor;
class Timer;
class Worker;
struct Loop;
struct Pool;

/// The rollout room: each pool's revision history (the last 10 templates, in memory and in
/// `<state_dir>/rollouts.json`) and its rollout, driven by rollout::decide() after every
/// transition of the loop's turn and when a timer says (min_ready, progress_deadline).
/// New workers are made here with the rollout's revision; old ones are stopped through
/// Supervisor::stop (drained at the gateway first) and removed.
class Rollouts
{
public:
    static constexpr std::size_t kHistory = 10;

    /// One template a pool ran, newest first in history().
    struct Revision
    {
        std::uint64_t number = 0; ///< counted per pool; a revision used again gets a new one
        std::string revision;
        std::string cause;
        std::int64_t timeMs = 0;
        std::shared_ptr<const config::PoolSpec> spec;
    };

    Rollouts(Loop &loop, Registry &registry, ConfigView &config, Supervisor &supervisor,
             Stream &stream, std::string stateDir, const bool &shutting);
    ~Rollouts();

    // ---- revision history -------------------------------------------------------------
    /// Reads the templates of earlier revisions from the state dir (at start, before the
    /// pools are made); problems are logged.
    void load();
    /// `spec` (a pool of the running config) as its pool's newest revision.
    void remember(const config::PoolSpec &spec, const std::string &cause);
    const std::deque<Revision> &history(const std::string &pool) const;

    /// Which of a pool's workers take requests at its gateway (the serving room's business):
    /// a blue-green rollout keeps the new set out until all of it is available, then the
    /// old set; a canary splits the requests by its step's weight. `canaryCounts` reads the
    /// canary workers' requests and failures since the split was last set.
    using Router = std::function<void(const std::string &pool, const serve::Route &route)>;
    using CanaryCounts =
        std::function<std::pair<std::uint64_t, std::uint64_t>(const std::string &pool)>;
    void setRouter(Router router, CanaryCounts canaryCounts)
    {
        m_router = std::move(router);
        m_canaryCounts = std::move(canaryCounts);
    }

    // ---- rollouts ---------------------------------------------------------------------
    /// Starts replacing `pool`'s workers by workers of `revision` (whose template must be
    /// known: the running config's or one in the history). `replaceAll`: every worker is
    /// replaced, also those of that revision already (`rollout.restart`). A rollout in
    /// progress is superseded: its target becomes the revision to go back to.
    api::Result<api::RolloutInfo> begin(Pool &pool, const std::string &revision,
                                        const std::string &cause, bool replaceAll);
    /// Whether a rollout of the pool is acting (progressing, paused or rolling back): then it,
    /// not Pools::reconcile, decides the pool's workers.
    bool active(const std::string &pool) const;
    /// Decides and acts for the pool's rollout, if it is acting.
    void step(Pool &pool);
    /// After transitions (once per turn of the loop): every acting rollout steps.
    void followUp();

    api::Result<api::RolloutInfo> pause(Pool &pool);
    api::Result<api::RolloutInfo> resume(Pool &pool);
    /// Gives the rollout up: back to the revision before, ending `aborted`.
    api::Result<api::RolloutInfo> abort(Pool &pool);
    /// While a rollout acts: back to the revision before it (`rolled-back`). Otherwise a new
    /// rollout to `revision`, or to the newest history entry of another revision.
    api::Result<api::RolloutInfo> undo(Pool &pool, const std::string &revision);

    /// The pool's current or last rollout; nothing when it had none.
    const api::RolloutInfo *info(const std::string &pool) const;
    std::vector<api::RolloutInfo> infos() const;
    /// The pool is gone (removed from the config): its rollout and history go too.
    void forget(const std::string &pool);

private:
    struct Run
    {
        api::RolloutInfo info;
        api::RolloutInfo published; ///< as last published, to publish changes only
        std::string target;         ///< the revision worked towards now
        bool paused = false;
        bool rollingBack = false;
        bool aborted = false;
        bool switched = false; ///< blue-green: the traffic went to the target's workers
        int canaryStep = 0;    ///< canary: the step it is at
        std::optional<rollout::Clock::time_point> stepSince; ///< canary: the step's weight since
        std::uint64_t floor = 0; ///< replaceAll: workers created up to this one are old
        rollout::Clock::time_point lastProgress;
        std::tuple<int, int, int> progress{-1, -1, -1};
        std::unique_ptr<Timer> timer;
    };

    bool isNew(const Run &run, const Worker &w) const;
    static bool leaving(const Worker &w);
    int freeSlots(const Pool &pool, const std::string &revision) const;
    void rollBack(Pool &pool, Run &run, const std::string &reason);
    void finish(Run &run, const std::string &phase, const std::string &reason);
    void publish(Run &run);
    void arm(Run &run, rollout::Clock::time_point at);
    void touch(const std::string &pool, const std::string &revision, const std::string &cause);
    void save() const;
    void saveSoon();
    void scheduleFollowUp();
    void route(const std::string &pool, serve::Route::Mode mode, const std::string &revision = {},
               int weight = 0);

    Loop &m_loop;
    Registry &m_registry;
    ConfigView &m_config;
    Supervisor &m_supervisor;
    Stream &m_stream;
    std::string m_stateDir;
    const bool &m_shutting;
    std::map<std::string, Run> m_runs;                     ///< by pool
    std::map<std::string, std::deque<Revision>> m_history; ///< by pool, newest first
    std::map<std::string, std::uint64_t> m_numbers;        ///< per pool: rollouts, revisions
    std::map<std::string, std::uint64_t> m_revisionNumbers;
    Router m_router;
    CanaryCounts m_canaryCounts;
    bool m_followUpScheduled = false;
    bool m_saveScheduled = false;
};

/// The JSON of a history entry's template (what makes a worker: command, cwd, env, ports,
/// limits), the values of secret env names hidden unless `showSecrets`.
nlohmann::json templateJson(const config::PoolSpec &spec, bool showSecrets);

} // namespace drover::engine
