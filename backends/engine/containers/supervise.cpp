// The supervisor's part of a container worker's start: what it is started with, and what
// the worker becomes when podman has done (or could not).
#include "api/clock.h"
#include "engine/containers/containers.h"
#include "engine/health/prober.h"
#include "engine/logfile.h"
#include "engine/observe/procstat.h"
#include "engine/runtime.h"
#include "engine/spawnplan.h"
#include "engine/specs.h"
#include "engine/statestore.h"
#include "engine/supervisor.h"

#include <spdlog/spdlog.h>

#include <unistd.h>

namespace drover::engine {

using lifecycle::Event;

bool Supervisor::spawnContainer(Worker &w, const config::PoolSpec &pool)
{
    // Inside the container only drover's variables and the pool's env: the master's own
    // environment (its PATH, HOME) belongs to the machine, not to the image.
    std::optional<SpawnPlan> plan = this->plan(w, {});
    containers::RunInput in;
    in.container = *pool.container;
    in.limits = pool.limits;
    in.cwd = pool.cwd.empty() || !plan ? std::string() : plan->cwd; // placeholders filled
    in.vars = {w.id(), w.pool(), w.info().index, w.info().port, pool.revision};
    if (plan) {
        in.args = std::move(plan->argv);
        in.env = std::move(plan->env);
    }
    in.name = containers::containerName(m_containers->namePrefix(), w.id());
    in.cidFile = m_state.dir() + "/containers/" + w.id() + ".cid";
    in.pidFile = m_state.dir() + "/containers/" + w.id() + ".pid";
    in.logPath = m_state.logPath(w.id());
    in.nofileSoft = m_nofileSoft.value_or(1024);
    if (auto made = logfile::openForAppend(in.cidFile); made.ok()) // makes the directory
        ::close(*made);
    {
        const auto &setup = m_containers->setup();
        containers::ContainerLimits limits =
            containers::containerLimits(setup ? &*setup : nullptr, pool.limits);
        m_registry.setLimits(w, std::move(limits.applied), std::move(limits.problems));
    }

    auto logFd = logfile::openForAppend(in.logPath);
    if (!logFd.ok()) {
        m_registry.transition(w, Event::SpawnFailed,
                              "cannot open the log: " + logFd.error().message);
        return false;
    }
    const std::string id = w.id();
    const std::uint64_t gen = w.sup.generation;
    // Still this start: not stopped, removed or started again meanwhile (each of which
    // moves the generation on).
    auto current = [this, id, gen]() -> Worker * {
        Worker *w = m_registry.find(id);
        return w && w->sup.generation == gen && !w->hasProcess() ? w : nullptr;
    };
    m_containers->start(
        std::move(in), *logFd,
        [this, current](std::string reason) {
            if (Worker *w = current())
                m_registry.setReason(*w, std::move(reason));
        },
        [this, current, revision = pool.revision,
         limits = pool.limits](api::Result<containers::Started> r) {
            Worker *w = current();
            if (!w) { // stopped, removed or started again meanwhile: not wanted
                if (r.ok()) {
                    if (r->pidfd >= 0)
                        ::close(r->pidfd);
                    m_containers->remove(r->id);
                }
                return;
            }
            if (!r.ok()) {
                spdlog::warn("worker.spawn worker={} error=\"{}\"", w->id(), r.error().message);
                m_registry.transition(*w, Event::SpawnFailed, r.error().message);
                return;
            }
            const std::string shortId = r->id.substr(0, 12);
            if (m_containers->setup()) { // podman has been asked by now: what it did apply
                containers::ContainerLimits said =
                    containers::containerLimits(&*m_containers->setup(), limits);
                m_registry.setLimits(*w, std::move(said.applied), std::move(said.problems));
            }
            m_registry.processStarted(*w, r->pid, api::nowMs());
            m_registry.setRevision(*w, revision);
            w->process.pgid = 0; // the container's init: its namespace goes with it
            w->process.runtime = std::make_unique<ContainerRuntime>();
            w->process.containerId = r->id;
            w->sup.runningSince = Clock::now();
            w->sup.intent = Intent::Run;
            if (r->pid <= 0) { // ended before podman was asked where it runs
                m_registry.transition(*w, Event::Spawned,
                                      "started container " + shortId + ", which ended at once");
                onExit(*w);
                return;
            }
            watch(*w, r->pidfd, r->pid);
            std::optional<ProcStat> stat = w->usage.reader->read();
            w->process.startTime = stat ? stat->startTime : 0;
            saveRecord(*w);
            m_registry.transition(*w, Event::Spawned,
                                  "started container " + shortId + " (pid " +
                                      std::to_string(r->pid) + ")");
            m_prober.processUp(*w, "started", false);
        });
    ::close(*logFd);
    return true;
}

} // namespace drover::engine
