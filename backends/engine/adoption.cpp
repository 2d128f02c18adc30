// The supervisor's adopted processes: those an earlier master recorded in the state dir, and
// those `adopted:` entries name through their PID files.
#include "engine/cgroup.h"
#include "engine/containers/containers.h"
#include "engine/health/prober.h"
#include "engine/loop.h"
#include "engine/runtime.h"
#include "engine/specs.h"
#include "engine/statestore.h"
#include "engine/supervisor.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace drover::engine {

using lifecycle::Event;
using namespace std::chrono_literals;

namespace {

std::optional<int> readPidFile(const std::string &path, std::string &why)
{
    std::ifstream in(path);
    if (!in) {
        why = "pid file \"" + path + "\": " + std::strerror(errno);
        return std::nullopt;
    }
    long pid = 0;
    if (!(in >> pid) || pid <= 0 || pid > 4194304) {
        why = "pid file \"" + path + "\": no process id in it";
        return std::nullopt;
    }
    return int(pid);
}

} // namespace

/// A process we may watch: a pidfd, and its start time (which guards against PID reuse).
bool Supervisor::attach(Worker &w, int pid, std::uint64_t expectedStart, int origin)
{
    std::optional<AdoptedRuntime::Found> found = AdoptedRuntime::attach(pid, expectedStart);
    if (!found)
        return false;
    ++w.sup.generation;
    m_registry.processStarted(w, pid, AdoptedRuntime::startedAtMs(found->startTime));
    w.process.startTime = found->startTime;
    w.process.pgid = found->pgid;
    w.process.runtime = std::make_unique<AdoptedRuntime>(AdoptedRuntime::Origin(origin));
    w.sup.runningSince = Clock::now();
    w.sup.intent = Intent::Run;
    watch(w, found->pidfd, pid);
    return true;
}

void Supervisor::readopt()
{
    std::vector<std::string> problems;
    std::vector<WorkerRecord> records = m_state.load(problems);
    for (const std::string &p : problems)
        spdlog::warn("state.load problem=\"{}\"", p);
    for (const WorkerRecord &r : records) {
        auto w = std::make_unique<Worker>();
        w->fromPidFile = r.adopted;
        api::WorkerInfo info;
        info.id = r.id;
        info.pool = r.pool;
        info.index = r.index;
        info.adopted = r.adopted;
        info.port = r.port;
        info.revision = r.revision;
        info.restarts = r.restarts;
        m_registry.init(*w, std::move(info));
        if (!attach(*w, r.pid, r.startTime, int(AdoptedRuntime::Origin::EarlierMaster))) {
            spdlog::info("state.stale worker={} pid={} (gone or reused)", r.id, r.pid);
            m_state.remove(r.id);
            continue;
        }
        const bool known =
            r.adopted ? m_config.adopted(r.pool) != nullptr : m_config.pool(r.pool) != nullptr;
        Worker &ref = m_registry.insert(std::move(w), false);
        ref.process.pgid = r.pgid;
        if (!r.container.empty()) { // podman's container, still running: the same one
            ref.process.containerId = r.container;
            ref.process.runtime = std::make_unique<ContainerRuntime>();
            if (m_containers)
                m_containers->watchMemory(r.container, r.pid);
        }
        if (m_cgroups) {
            ref.process.cgroup = m_cgroups->find(r.id);
            // Its limits are still in force: say so, as at its spawn.
            if (!ref.process.cgroup.applied.empty())
                m_registry.setLimits(ref, ref.process.cgroup.applied, {});
        }
        // Its record stays as load() rewrote it: the same process, nothing to append.
        spdlog::info("worker.readopted worker={} pid={}", r.id, r.pid);
        if (!known) {
            ref.sup.intent = Intent::Remove;
            stop(ref, Intent::Remove, "not in the config any more");
            continue;
        }
        m_prober.processUp(
            ref, "re-adopted pid " + std::to_string(r.pid) + " after a master restart", true);
    }
}

void Supervisor::adoptFromPidFile(const config::AdoptedSpec &spec)
{
    Worker *w = m_registry.find(spec.name);
    if (w) {
        if (w->hasProcess())
            return; // re-adopted from the state dir
    } else {
        auto nw = std::make_unique<Worker>();
        nw->fromPidFile = true;
        api::WorkerInfo info;
        info.id = spec.name;
        info.pool = spec.name;
        info.adopted = true;
        m_registry.init(*nw, std::move(info));
        w = &m_registry.insert(std::move(nw), true);
    }
    std::string why;
    if (std::optional<int> pid = readPidFile(spec.pidFile, why)) {
        if (attach(*w, *pid, 0, int(AdoptedRuntime::Origin::PidFile))) {
            m_prober.processUp(*w, "adopted pid " + std::to_string(*pid) + " from " + spec.pidFile,
                               true);
            return;
        }
        why = "pid file \"" + spec.pidFile + "\": process " + std::to_string(*pid) +
              " is not running";
    }
    if (!spec.command.empty()) {
        spawn(*w);
        return;
    }
    m_registry.transition(*w, Event::NotRunning, why + "; no command to start it");
    watchPidFileLater(spec.name);
}

/// An adopted process without a command: look at its PID file again every few seconds until a
/// live process is there.
void Supervisor::watchPidFileLater(const std::string &id)
{
    Worker *w = m_registry.find(id);
    if (!w)
        return;
    w->sup.timer = std::make_unique<Timer>(m_loop.io, 5s);
    w->sup.timer->async_wait([this, id, gen = ++w->sup.generation,
                              alive = m_loop.token()](const boost::system::error_code &ec) {
        if (ec || alive.expired() || m_shutting)
            return;
        Worker *w = m_registry.find(id);
        if (!w || w->sup.generation != gen)
            return;
        const config::AdoptedSpec *a = m_config.adopted(id);
        if (!a)
            return;
        std::string why;
        std::optional<int> pid = readPidFile(a->pidFile, why);
        if (pid && attach(*w, *pid, 0, int(AdoptedRuntime::Origin::PidFile)))
            m_prober.processUp(*w, "adopted pid " + std::to_string(*pid) + " from " + a->pidFile,
                               true);
        else
            watchPidFileLater(id);
    });
}

} // namespace drover::engine
