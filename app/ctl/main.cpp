// droverctl: the command-line client. Talks to a droverd over the wire protocol through the
// same RemoteBackend as the console; `config validate` works offline.
#include "api/codec.h"
#include "api/ops.h"
#include "api/version.h"
#include "config/loader.h"
#include "fleet/follower.h"
#include "remote/masterurl.h"
#include "remote/remotebackend.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <future>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace {

using namespace drover;
using nlohmann::json;

/// Exit codes (documented in --help and docs/protocol.md).
enum Exit {
    Ok = 0,
    MasterError = 1,
    Usage = 2,
    CannotConnect = 3,
    NotAllowed = 4,
    RolledBack = 5, ///< `rollout status --watch`: it ended rolled back, aborted or failed
    RunFailed = 6,  ///< `job run --wait`: the run did not succeed
};

int exitFor(const api::Error &e)
{
    if (e.code == api::ErrorCode::Unauthorized || e.code == api::ErrorCode::Forbidden)
        return NotAllowed;
    if (e.code == api::ErrorCode::Unavailable)
        return CannotConnect;
    return MasterError;
}

void printError(const api::Error &e)
{
    std::cerr << "droverctl: " << api::toString(e.code) << ": " << e.message << "\n";
    for (const api::Diagnostic &d : e.details)
        std::cerr << d.toString() << "\n";
}

std::string age(std::int64_t sinceMs)
{
    if (sinceMs <= 0)
        return "-";
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    std::int64_t s = std::max<std::int64_t>(0, (now - sinceMs) / 1000);
    char buf[32];
    if (s < 60)
        std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
    else if (s < 3600)
        std::snprintf(buf, sizeof buf, "%lldm%llds", static_cast<long long>(s / 60),
                      static_cast<long long>(s % 60));
    else if (s < 86400)
        std::snprintf(buf, sizeof buf, "%lldh%lldm", static_cast<long long>(s / 3600),
                      static_cast<long long>(s % 3600 / 60));
    else
        std::snprintf(buf, sizeof buf, "%lldd%lldh", static_cast<long long>(s / 86400),
                      static_cast<long long>(s % 86400 / 3600));
    return buf;
}

std::string bytes(std::uint64_t b)
{
    char buf[32];
    if (b >= (1ull << 30))
        std::snprintf(buf, sizeof buf, "%.1fGi", double(b) / double(1ull << 30));
    else if (b >= (1ull << 20))
        std::snprintf(buf, sizeof buf, "%.1fMi", double(b) / double(1ull << 20));
    else if (b >= 1024)
        std::snprintf(buf, sizeof buf, "%.0fKi", double(b) / 1024.0);
    else
        std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(b));
    return buf;
}

/// Unix ms in local time, as `format` (strftime) says.
std::string localTime(std::int64_t ms, const char *format)
{
    std::time_t t = std::time_t(ms / 1000);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
}

std::string clock(std::int64_t ms)
{
    return localTime(ms, "%H:%M:%S");
}

/// Prints rows with each column as wide as its widest cell.
void table(const std::vector<std::vector<std::string>> &rows)
{
    std::vector<std::size_t> width;
    for (const auto &row : rows) {
        width.resize(std::max(width.size(), row.size()));
        for (std::size_t i = 0; i < row.size(); ++i)
            width[i] = std::max(width[i], row[i].size());
    }
    for (const auto &row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size())
                line += std::string(width[i] - row[i].size() + 2, ' ');
        }
        std::cout << line << "\n";
    }
}

/// A RemoteBackend used synchronously: connect once, then calls that wait for their reply.
class Client
{
public:
    explicit Client(remote::RemoteOptions options)
        : m_backend(std::move(options))
    {
        m_backend.setStatusListener([this](const remote::LinkStatus &s) {
            if (s.state == remote::LinkStatus::State::Connected ||
                s.state == remote::LinkStatus::State::Refused) {
                std::lock_guard lock(m_mutex);
                if (!m_linked) {
                    m_linked = true;
                    m_status.set_value(s);
                } else if (s.state == remote::LinkStatus::State::Refused) {
                    // Lost after it was up: a following command (-f) ends, see waitForEnd().
                    m_lost = s.message;
                    ::kill(::getpid(), SIGUSR1);
                }
            }
        });
    }

    /// Connects; on failure prints why and returns the exit code.
    std::optional<int> connect()
    {
        auto future = m_status.get_future();
        m_backend.start();
        if (future.wait_for(std::chrono::seconds(15)) != std::future_status::ready) {
            std::cerr << "droverctl: cannot connect: no answer within 15 s\n";
            return CannotConnect;
        }
        remote::LinkStatus s = future.get();
        if (s.state == remote::LinkStatus::State::Connected)
            return std::nullopt;
        std::cerr << "droverctl: " << s.message << "\n";
        return s.errorCode == "unauthorized" || s.errorCode == "forbidden" ? NotAllowed
                                                                           : CannotConnect;
    }

    api::Reply call(const std::string &op, const json &args)
    {
        std::promise<api::Reply> reply;
        m_backend.request(op, args, [&reply](api::Reply r) { reply.set_value(std::move(r)); });
        return reply.get_future().get();
    }

    remote::RemoteBackend &backend() { return m_backend; }

    /// For the commands that follow (-f): blocks SIGINT, SIGTERM and SIGUSR1 (the link is
    /// lost) in this thread and in every thread made after, so that waitForEnd() takes them.
    static void blockEndSignals()
    {
        sigset_t set = endSignals();
        pthread_sigmask(SIG_BLOCK, &set, nullptr);
    }
    /// Until Ctrl-C (Ok) or the link is lost (CannotConnect, after saying why).
    int waitForEnd()
    {
        sigset_t set = endSignals();
        int sig = 0;
        sigwait(&set, &sig);
        if (sig != SIGUSR1)
            return Ok;
        std::lock_guard lock(m_mutex);
        std::cerr << "droverctl: the connection to the master was lost: " << m_lost << "\n";
        return CannotConnect;
    }

private:
    static sigset_t endSignals()
    {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGUSR1);
        return set;
    }

    remote::RemoteBackend m_backend;
    std::mutex m_mutex;
    bool m_linked = false;
    std::string m_lost;
    std::promise<remote::LinkStatus> m_status;
};

/// The master's state once: subscribes, takes the snapshot, unsubscribes.
struct SnapshotTaker : api::StreamListener
{
    std::promise<api::Snapshot> promise;
    bool done = false;
    void onSnapshot(const api::Snapshot &s) override
    {
        if (!done) {
            done = true;
            promise.set_value(s);
        }
    }
    void onDelta(const api::Delta &) override {}
};

std::optional<api::Snapshot> snapshot(Client &client)
{
    auto taker = std::make_shared<SnapshotTaker>();
    auto future = taker->promise.get_future();
    std::uint64_t id = client.backend().subscribe(taker, 0);
    if (future.wait_for(std::chrono::seconds(15)) != std::future_status::ready)
        return std::nullopt;
    client.backend().unsubscribe(id);
    return future.get();
}

/// Follows the event stream, printing each event, until interrupted.
struct EventPrinter : api::StreamListener
{
    bool asJson = false;
    void onSnapshot(const api::Snapshot &) override {}
    void onDelta(const api::Delta &d) override
    {
        if (d.kind != api::DeltaKind::EventAdded)
            return;
        print(std::get<api::Event>(d.value), asJson);
    }
    static void print(const api::Event &e, bool asJson)
    {
        if (asJson)
            std::cout << api::toJson(e).dump() << std::endl;
        else
            std::cout << clock(e.timeMs) << "  " << e.kind << "  " << e.message << std::endl;
    }
};

/// `workers --json`, `pools --json`: a JSON array of the objects as on the wire.
template <class T>
int printJsonArray(const std::vector<T> &items)
{
    json out = json::array();
    for (const T &item : items)
        out.push_back(api::toJson(item));
    std::cout << out.dump(2) << "\n";
    return Ok;
}

/// `2026-12-06 09:30:12` in local time.
std::string dateTime(std::int64_t ms)
{
    return localTime(ms, "%Y-%m-%d %H:%M:%S");
}

std::string replicasText(const json &r)
{
    if (r.is_object())
        return "autoscale " + std::to_string(r.value("min", 0)) + ".." +
               std::to_string(r.value("max", 0));
    return r.is_number() ? std::to_string(r.get<int>()) : r.dump();
}

/// A `config.plan` result in words, one change a line.
void printPlan(const json &plan)
{
    if (plan.value("unchanged", false)) {
        std::cout << "no change: the text is the running version " << plan.value("version", "")
                  << "\n";
        return;
    }
    int n = 0;
    for (const json &p : plan.value("pools", json::array())) {
        const std::string pool = p.value("pool", "");
        const std::string change = p.value("change", "");
        ++n;
        if (change == "added")
            std::cout << "pool " << pool << ": added, " << replicasText(p["replicas"])
                      << " workers\n";
        else if (change == "removed")
            std::cout << "pool " << pool << ": removed, its workers stop\n";
        else if (change == "scaled")
            std::cout << "pool " << pool << ": scaled from " << replicasText(p["from"]) << " to "
                      << replicasText(p["to"]) << "\n";
        else if (change == "template") {
            std::cout << "pool " << pool << ": template changed (revision "
                      << p.value("from_revision", "") << " -> " << p.value("to_revision", "")
                      << "), a " << p.value("strategy", "rolling") << " rollout";
            if (p.value("strategy", "") == "recreate")
                std::cout << ": every old worker stops, then the new ones start";
            else
                std::cout << ": max_surge " << p.value("max_surge", 0) << ", max_unavailable "
                          << p.value("max_unavailable", 0) << ", each new worker ready before "
                          << "an old one is drained and stopped";
            std::cout << (p.value("auto_rollback", true) ? ", rolled back if it fails" : "")
                      << "\n";
        } else if (change == "probes")
            std::cout << "pool " << pool << ": probes changed, applied without a restart\n";
        else
            std::cout << "pool " << pool << ": " << change << "\n";
    }
    for (const json &a : plan.value("adopted", json::array())) {
        ++n;
        std::cout << "adopted " << a.value("name", "") << ": " << a.value("change", "") << "\n";
    }
    for (const json &m : plan.value("master", json::array())) {
        ++n;
        std::cout << "master." << m.value("setting", "") << ": " << m.value("from", "") << " -> "
                  << m.value("to", "") << " (takes effect when droverd restarts)\n";
    }
    if (n == 0)
        std::cout << "no pool or master setting changes (other settings apply in place)\n";
    std::cout << "after: " << plan.value("summary", "") << "\n";
}

/// `12s`, `1m30s` for a span of milliseconds.
std::string span(std::int64_t ms)
{
    const std::int64_t s = std::max<std::int64_t>(0, ms / 1000);
    if (s < 60)
        return std::to_string(s) + "s";
    return std::to_string(s / 60) + "m" + (s % 60 ? std::to_string(s % 60) + "s" : "");
}

std::int64_t wallMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// A pool's rollout in two lines.
void printRollout(const api::RolloutInfo &r)
{
    std::cout << "pool " << r.pool << ": rollout " << r.number << " " << r.phase << " ("
              << r.strategy << ", " << r.cause << ") from " << r.fromRevision << " to "
              << r.toRevision << "\n";
    std::cout << "  " << r.updatedReady << " of " << r.desired << " new ready, " << r.updated
              << " new, " << r.old << " old, " << r.ready << " ready";
    const std::int64_t end = r.finishedAtMs ? r.finishedAtMs : wallMs();
    std::cout << "; " << (r.finishedAtMs ? "took " : "elapsed ") << span(end - r.startedAtMs);
    if (r.deadlineAtMs)
        std::cout << ", deadline in " << span(r.deadlineAtMs - wallMs());
    std::cout << "\n";
    if (!r.step.empty())
        std::cout << "  " << r.step << "\n";
    if (!r.reason.empty())
        std::cout << "  reason: " << r.reason << "\n";
}

/// `1.234s`, `2m5s` for a run's duration.
std::string runDuration(std::int64_t ms)
{
    if (ms < 60'000) {
        char text[32];
        std::snprintf(text, sizeof text, "%.3fs", double(ms) / 1000.0);
        return text;
    }
    return span(ms);
}

/// One run of a job: a table row, or in full with the lines it wrote.
std::vector<std::string> runRow(const api::JobRun &r)
{
    return {std::to_string(r.number),
            r.trigger + (r.by.empty() ? "" : " (" + r.by + ")"),
            dateTime(r.startedAtMs),
            r.running() ? "running " + span(wallMs() - r.startedAtMs) : runDuration(r.durationMs()),
            r.outcome,
            r.exit.empty() ? "-" : r.exit,
            r.reason.empty() ? "-" : r.reason};
}

void printRun(const api::JobRun &r)
{
    std::cout << "job " << r.pool << " run " << r.number << ": " << r.outcome << " (" << r.trigger
              << (r.by.empty() ? "" : " by " + r.by) << ")";
    if (!r.exit.empty())
        std::cout << ", " << r.exit;
    std::cout << "\n  worker " << (r.worker.empty() ? "-" : r.worker);
    if (r.pid)
        std::cout << " pid " << r.pid;
    std::cout << ", revision " << (r.revision.empty() ? "-" : r.revision) << "\n  started "
              << dateTime(r.startedAtMs);
    if (r.scheduledAtMs)
        std::cout << " for the tick at " << dateTime(r.scheduledAtMs);
    if (!r.running())
        std::cout << ", took " << runDuration(r.durationMs());
    std::cout << "\n";
    if (!r.reason.empty())
        std::cout << "  reason: " << r.reason << "\n";
    if (!r.log.empty()) {
        std::cout << "  last lines:\n";
        std::istringstream lines(r.log);
        for (std::string line; std::getline(lines, line);)
            std::cout << "    " << line << "\n";
    }
}

/// `droverctl job ls|run|history|cancel`.
int jobCommand(Client &client, bool asJson, std::array<const CLI::App *, 4> sub,
               const std::string &pool, int runNumber, int limit, bool wait)
{
    const auto [ls, run, history, cancel] = sub;
    auto failed = [](const api::Error &e) {
        printError(e);
        return exitFor(e);
    };
    if (ls->parsed()) {
        std::optional<api::Snapshot> s = snapshot(client);
        if (!s) {
            std::cerr << "droverctl: the master sent no state within 15 s\n";
            return CannotConnect;
        }
        std::vector<api::PoolInfo> jobs;
        for (const api::PoolInfo &p : s->pools) {
            if (p.job)
                jobs.push_back(p);
        }
        if (asJson)
            return printJsonArray(jobs);
        std::vector<std::vector<std::string>> rows{{"JOB", "SCHEDULE", "NEXT RUN", "ACTIVE", "LAST",
                                                    "TOOK", "SUCCEEDED", "FAILED", "SKIPPED"}};
        for (const api::PoolInfo &p : jobs) {
            const api::JobStatus &j = *p.job;
            rows.push_back({p.name, j.schedule + (j.schedule == "manual" ? "" : " " + j.timezone),
                            j.nextRunAtMs ? dateTime(j.nextRunAtMs) : "-", std::to_string(j.active),
                            j.lastOutcome.empty() ? "-" : j.lastOutcome,
                            j.lastOutcome.empty() ? "-" : runDuration(j.lastDurationMs),
                            std::to_string(j.succeeded), std::to_string(j.failed),
                            std::to_string(j.skipped)});
        }
        table(rows);
        return Ok;
    }
    if (run->parsed()) {
        api::Reply r = client.call(api::opName(api::Op::JobRun), {{"pool", pool}});
        if (!r.ok())
            return failed(r.error());
        auto started = api::jobRunFromJson(r->value("run", json::object()));
        if (!started.ok())
            return failed(started.error());
        if (!wait) {
            if (asJson)
                std::cout << r->dump(2) << "\n";
            else
                std::cout << "job " << pool << ": run " << started->number << " "
                          << started->outcome << " on " << started->worker << "\n";
            return Ok;
        }
        // Until it has ended: its record, looked at a few times a second.
        api::JobRun last = *started;
        while (last.running()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            api::Reply h =
                client.call(api::opName(api::Op::JobHistory), {{"pool", pool}, {"limit", 10'000}});
            if (!h.ok())
                return failed(h.error());
            bool found = false;
            for (const json &j : h->value("runs", json::array())) {
                if (j.value("number", std::uint64_t(0)) != started->number)
                    continue;
                if (auto parsed = api::jobRunFromJson(j); parsed.ok()) {
                    last = *parsed;
                    found = true;
                }
            }
            if (!found)
                break; // trimmed from the history already: it ended
        }
        if (asJson)
            std::cout << api::toJson(last).dump(2) << "\n";
        else
            printRun(last);
        return last.outcome == "succeeded" ? Ok : RunFailed;
    }
    if (history->parsed()) {
        api::Reply r = client.call(api::opName(api::Op::JobHistory),
                                   {{"pool", pool}, {"limit", runNumber ? 10'000 : limit}});
        if (!r.ok())
            return failed(r.error());
        std::vector<api::JobRun> runs;
        for (const json &j : r->value("runs", json::array())) {
            if (auto parsed = api::jobRunFromJson(j);
                parsed.ok() && (!runNumber || parsed->number == std::uint64_t(runNumber)))
                runs.push_back(std::move(*parsed));
        }
        if (runNumber && runs.empty()) {
            std::cerr << "droverctl: job " << pool << " keeps no run " << runNumber << "\n";
            return MasterError;
        }
        if (asJson) {
            std::cout << (runNumber ? api::toJson(runs.front()).dump(2) : r->dump(2)) << "\n";
            return Ok;
        }
        if (runNumber) {
            printRun(runs.front());
            return Ok;
        }
        std::vector<std::vector<std::string>> rows{
            {"RUN", "TRIGGER", "STARTED", "TOOK", "OUTCOME", "EXIT", "REASON"}};
        for (const api::JobRun &run : runs)
            rows.push_back(runRow(run));
        table(rows);
        return Ok;
    }
    if (cancel->parsed()) {
        json args{{"pool", pool}};
        if (runNumber)
            args["run"] = runNumber;
        api::Reply r = client.call(api::opName(api::Op::JobCancel), args);
        if (!r.ok())
            return failed(r.error());
        if (asJson) {
            std::cout << r->dump(2) << "\n";
            return Ok;
        }
        const json &cancelled = (*r)["cancelled"];
        if (cancelled.empty())
            std::cout << "job " << pool << ": no run is going\n";
        for (const json &j : cancelled)
            std::cout << "job " << pool << ": run " << j.value("number", 0) << " on "
                      << j.value("worker", "") << " is being stopped\n";
        return Ok;
    }
    return Usage;
}

/// The exit code of a finished rollout: 0 complete, RolledBack otherwise.
int rolloutExit(const api::RolloutInfo &r)
{
    return r.phase == "complete" ? Ok : RolledBack;
}

/// `rollout status --watch`: a pool's rollout as it changes, until it has ended.
struct RolloutWatcher : api::StreamListener
{
    std::string pool;
    bool asJson = false;
    std::promise<std::optional<api::RolloutInfo>> ended; ///< nothing: the pool has none
    bool done = false;
    std::optional<api::RolloutInfo> last;

    void onSnapshot(const api::Snapshot &s) override
    {
        std::optional<api::RolloutInfo> r;
        for (const api::RolloutInfo &info : s.rollouts) {
            if (info.pool == pool)
                r = info;
        }
        if (!r) {
            finish(std::nullopt);
            return;
        }
        show(*r);
    }
    void onDelta(const api::Delta &d) override
    {
        if (d.kind == api::DeltaKind::RolloutUpsert) {
            const auto &r = std::get<api::RolloutInfo>(d.value);
            if (r.pool == pool)
                show(r);
        } else if (d.kind == api::DeltaKind::PoolRemoved &&
                   std::get<std::string>(d.value) == pool) {
            finish(last);
        }
    }
    void show(const api::RolloutInfo &r)
    {
        if (done || (last && *last == r))
            return;
        last = r;
        if (asJson)
            std::cout << api::toJson(r).dump() << std::endl;
        else
            printRollout(r);
        std::cout.flush();
        if (!r.active())
            finish(r);
    }
    void finish(std::optional<api::RolloutInfo> r)
    {
        if (done)
            return;
        done = true;
        ended.set_value(std::move(r));
    }
};

std::string readFile(const std::string &path, bool &ok)
{
    std::ifstream in(path, std::ios::binary);
    ok = bool(in);
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

/// `droverctl fleet ls`: every master registered under the prefix, worst first.
int fleetList(const std::vector<std::string> &endpoints, const std::string &prefixText,
              const std::string &ca, const std::string &cert, const std::string &key, bool asJson)
{
    fleet::EtcdOptions etcd;
    for (const std::string &text : endpoints) {
        auto e = config::EtcdEndpoint::parse(text);
        if (!e) {
            std::cerr << "droverctl: --etcd: expected a URL like http://127.0.0.1:2379, got \""
                      << text << "\"\n";
            return Usage;
        }
        etcd.endpoints.push_back(*e);
    }
    if (etcd.endpoints.empty()) {
        std::cerr << "droverctl: fleet ls needs etcd's address: --etcd http://host:2379 (or "
                     "DROVER_ETCD)\n";
        return Usage;
    }
    if (!ca.empty() || !cert.empty())
        etcd.tls = config::EtcdTlsSpec{ca, cert, key};
    std::string prefix = prefixText.empty() ? "/drover/fleet/" : prefixText;
    if (!prefix.ends_with('/'))
        prefix += '/';
    auto masters = fleet::listMasters(etcd, prefix);
    if (!masters.ok()) {
        std::cerr << "droverctl: " << masters.error().message << "\n";
        return CannotConnect;
    }
    std::stable_sort(masters->begin(), masters->end(),
                     [](const fleet::MasterRecord &a, const fleet::MasterRecord &b) {
                         return a.score() < b.score();
                     });
    if (asJson) {
        json out = json::array();
        for (const fleet::MasterRecord &m : *masters) {
            json j = json::parse(fleet::encode(m));
            j["key"] = m.key;
            j["health"] = fleet::toString(m.health());
            out.push_back(std::move(j));
        }
        std::cout << out.dump(2) << "\n";
        return Ok;
    }
    std::vector<std::vector<std::string>> rows{
        {"MASTER", "URL", "HEALTH", "READY", "POOLS", "VERSION", "ROLES", "UPDATED"}};
    for (const fleet::MasterRecord &m : *masters) {
        std::string pools;
        for (const fleet::PoolBrief &p : m.pools)
            pools +=
                (pools.empty() ? "" : " ") + p.name +
                (p.job ? "(job)"
                       : "(" + std::to_string(p.ready) + "/" + std::to_string(p.desired) + ")");
        std::string roles;
        for (const std::string &r : m.roles)
            roles += (roles.empty() ? "" : ",") + r;
        rows.push_back({m.name, m.url.empty() ? "-" : m.url,
                        std::string(fleet::toString(m.health())),
                        std::to_string(m.ready()) + "/" + std::to_string(m.desired()),
                        pools.empty() ? "-" : pools, m.version.empty() ? "-" : m.version,
                        roles.empty() ? "open" : roles, m.updatedMs ? age(m.updatedMs) : "-"});
    }
    table(rows);
    std::cout << masters->size() << (masters->size() == 1 ? " master" : " masters") << " under "
              << prefix << "\n";
    return Ok;
}

} // namespace

int main(int argc, char **argv)
{
    CLI::App app{"droverctl: manage a Drover master from the command line.", "droverctl"};
    app.set_version_flag("-V,--version", std::string("droverctl ") + kVersion);
    app.require_subcommand(1);
    app.fallthrough(); // global options may also come after the command
    std::string masterText = "ws://127.0.0.1:7700";
    std::string token;
    std::string ca;
    std::string fingerprint;
    bool asJson = false;
    app.add_option("--master", masterText,
                   "The master's address: ws://host:port or wss://host:port")
        ->envname("DROVER_MASTER")
        ->capture_default_str();
    app.add_option("--token", token, "Access token (or the environment variable DROVER_TOKEN)")
        ->envname("DROVER_TOKEN");
    app.add_option("--ca", ca, "wss: trust the master's certificate if this CA signed it")
        ->type_name("FILE");
    app.add_option("--fingerprint", fingerprint,
                   "wss: trust exactly the certificate with this SHA-256 fingerprint");
    app.add_flag("--json", asJson, "Print JSON instead of tables");

    auto *status = app.add_subcommand("status", "The master, its pools and workers in brief");
    auto *workers = app.add_subcommand("workers", "Every worker with its state and usage");
    auto *pools = app.add_subcommand("pools", "Every pool with its counts");
    std::string workerId;
    auto *start = app.add_subcommand("start", "Start a worker");
    start->add_option("WORKER", workerId, "The worker's id, e.g. api-2")->required();
    auto *stop = app.add_subcommand("stop", "Stop a worker (waits until it has stopped)");
    stop->add_option("WORKER", workerId, "The worker's id")->required();
    auto *restart = app.add_subcommand("restart", "Restart a worker");
    restart->add_option("WORKER", workerId, "The worker's id")->required();
    std::string poolName;
    int replicas = 0;
    auto *scale = app.add_subcommand("scale", "Set a pool's number of workers");
    scale->add_option("POOL", poolName, "The pool")->required();
    scale->add_option("N", replicas, "Workers")->required()->check(CLI::NonNegativeNumber);
    auto *traffic = app.add_subcommand(
        "traffic", "A pool's gateway: figures, workers and breakers, leases, recent requests");
    traffic->add_option("POOL", poolName, "The pool")->required();
    int recent = 20;
    traffic->add_option("-n,--recent", recent, "How many recent routing decisions (up to 1000)")
        ->capture_default_str()
        ->check(CLI::Range(0, 1000));
    int waitMs = 5000, ttlMs = 30000;
    auto *acquire = app.add_subcommand(
        "acquire", "Lease a worker of a pool (waits in its queue); prints the lease");
    acquire->add_option("POOL", poolName, "The pool")->required();
    acquire->add_option("--wait-ms", waitMs, "How long to wait for a free worker")
        ->capture_default_str();
    acquire->add_option("--ttl-ms", ttlMs, "When the lease expires unless released")
        ->capture_default_str();
    std::string lease;
    auto *release = app.add_subcommand("release", "Give a leased worker back");
    release->add_option("POOL", poolName, "The pool")->required();
    release->add_option("LEASE", lease, "The lease's id")->required();
    int lines = 100;
    bool follow = false;
    auto *logs = app.add_subcommand("logs", "The last lines of a worker's log; -f to follow");
    logs->add_option("WORKER", workerId, "The worker's id")->required();
    logs->add_option("-n,--lines", lines, "How many lines")->capture_default_str();
    logs->add_flag("-f,--follow", follow, "Go on printing new lines until Ctrl-C");
    auto *health = app.add_subcommand("health", "A worker's probes and their recent results");
    health->add_option("WORKER", workerId, "The worker's id")->required();
    auto *events = app.add_subcommand("events", "Recent events; -f to follow");
    events->add_flag("-f,--follow", follow, "Go on printing new events until Ctrl-C");
    auto *config = app.add_subcommand("config", "The master's config");
    config->require_subcommand(1);
    auto *configGet = config->add_subcommand(
        "get", "Print the running config (YAML, after a comment line with its file and version)");
    std::string file;
    auto *validate = config->add_subcommand("validate", "Check a config file (offline)");
    validate->add_option("FILE", file, "The config file")->required();
    auto *apply = config->add_subcommand(
        "apply", "Replace the running config with FILE (admin; refused when invalid)");
    apply->add_option("FILE", file, "The config file")->required();
    std::string baseVersion;
    apply->add_option("--base-version", baseVersion,
                      "Refuse (conflict) unless the master still runs this version");
    auto *plan = config->add_subcommand(
        "plan", "What applying FILE would change: pools added, removed, scaled, replaced");
    plan->add_option("FILE", file, "The config file")->required();
    std::string historyVersion;
    auto *history = config->add_subcommand(
        "history", "The config versions the master keeps, who applied each and when; with "
                   "VERSION, that version's YAML");
    history->add_option("VERSION", historyVersion, "A version to print");
    auto *rollout = app.add_subcommand(
        "rollout", "A pool's rollout: status (--watch), history, start, pause, resume, abort, "
                   "undo, restart");
    rollout->require_subcommand(1);
    std::string revision;
    bool watch = false;
    auto *rolloutStatus = rollout->add_subcommand("status", "The pool's current or last rollout");
    rolloutStatus->add_option("POOL", poolName, "The pool")->required();
    rolloutStatus->add_flag("-w,--watch", watch,
                            "Follow it to its end; exit 5 unless it completed");
    auto *rolloutHistory =
        rollout->add_subcommand("history", "The pool's last revisions, with their templates");
    rolloutHistory->add_option("POOL", poolName, "The pool")->required();
    auto *rolloutStart = rollout->add_subcommand(
        "start", "Roll out the config's template (or REVISION of the history) to the pool");
    rolloutStart->add_option("POOL", poolName, "The pool")->required();
    rolloutStart->add_option("REVISION", revision, "A revision of the pool's history");
    auto *rolloutPause = rollout->add_subcommand("pause", "Pause the pool's rollout");
    rolloutPause->add_option("POOL", poolName, "The pool")->required();
    auto *rolloutResume = rollout->add_subcommand("resume", "Resume the pool's paused rollout");
    rolloutResume->add_option("POOL", poolName, "The pool")->required();
    auto *rolloutAbort = rollout->add_subcommand(
        "abort", "Give the pool's rollout up: back to the revision it replaced");
    rolloutAbort->add_option("POOL", poolName, "The pool")->required();
    auto *rolloutUndo = rollout->add_subcommand(
        "undo", "Back to the previous revision (or REVISION): rolls back a rollout in progress, "
                "or rolls out the revision before");
    rolloutUndo->add_option("POOL", poolName, "The pool")->required();
    rolloutUndo->add_option("REVISION", revision, "A revision of the pool's history");
    auto *rolloutRestart = rollout->add_subcommand(
        "restart", "Replace every worker of the pool, same template, as a rollout");
    rolloutRestart->add_option("POOL", poolName, "The pool")->required();
    auto *job = app.add_subcommand(
        "job", "Jobs (pools with a schedule): ls, run (--wait), history (--run N), cancel");
    job->require_subcommand(1);
    auto *jobLs = job->add_subcommand("ls", "Every job: schedule, next run, last result");
    bool waitForRun = false;
    auto *jobRun = job->add_subcommand("run", "Start a run of the job now");
    jobRun->add_option("POOL", poolName, "The job's pool")->required();
    jobRun->add_flag("-w,--wait", waitForRun,
                     "Wait until the run has ended; exit 6 unless it succeeded");
    int runNumber = 0;
    int historyLimit = 20;
    auto *jobHistory = job->add_subcommand("history", "The job's last runs, newest first");
    jobHistory->add_option("POOL", poolName, "The job's pool")->required();
    jobHistory->add_option("-n,--limit", historyLimit, "How many runs")
        ->capture_default_str()
        ->check(CLI::Range(1, 10000));
    jobHistory->add_option("-r,--run", runNumber, "One run in full, with the last lines it wrote")
        ->check(CLI::PositiveNumber);
    auto *jobCancel = job->add_subcommand("cancel", "Stop the job's runs that are going");
    jobCancel->add_option("POOL", poolName, "The job's pool")->required();
    jobCancel->add_option("RUN", runNumber, "Only this run")->check(CLI::PositiveNumber);
    auto *fleetCmd = app.add_subcommand(
        "fleet", "The masters registered in etcd (master.fleet); needs no master, only etcd");
    fleetCmd->require_subcommand(1);
    auto *fleetLs =
        fleetCmd->add_subcommand("ls", "Every master under the prefix with its pools, worst first");
    std::vector<std::string> etcdEndpoints;
    std::string fleetPrefix = "/drover/fleet/";
    std::string etcdCa, etcdCert, etcdKey;
    fleetLs->add_option("--etcd", etcdEndpoints, "etcd's client URL; repeat for several")
        ->envname("DROVER_ETCD")
        ->delimiter(',')
        ->type_name("URL");
    fleetLs->add_option("--prefix", fleetPrefix, "The key prefix of master.fleet.prefix")
        ->envname("DROVER_FLEET_PREFIX")
        ->capture_default_str();
    fleetLs->add_option("--etcd-ca", etcdCa, "https: trust etcd's certificate if this CA signed it")
        ->type_name("FILE");
    fleetLs->add_option("--etcd-cert", etcdCert, "https: client certificate for etcd")
        ->type_name("FILE");
    fleetLs->add_option("--etcd-key", etcdKey, "https: the client certificate's key")
        ->type_name("FILE");
    app.footer("Exit codes: 0 ok, 1 error from the master, 2 usage, 3 cannot connect, "
               "4 unauthorized or forbidden, 5 the watched rollout rolled back, was aborted or "
               "failed, 6 the waited-for job run did not succeed.");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e) == 0 ? Ok : Usage;
    }

    if (validate->parsed()) {
        auto result = config::loadFile(file);
        if (!result.ok()) {
            std::cerr << result.report();
            return MasterError;
        }
        std::cout << file << ": ok (" << result.config->summary().toString() << ")\n";
        return Ok;
    }

    if (fleetLs->parsed())
        return fleetList(etcdEndpoints, fleetPrefix, etcdCa, etcdCert, etcdKey, asJson);

    auto url = remote::parseMasterUrl(masterText);
    if (!url.ok()) {
        std::cerr << "droverctl: --master: " << url.error().message << "\n";
        return Usage;
    }
    remote::RemoteOptions options;
    options.url = *url;
    options.token = token;
    options.caFile = ca;
    options.fingerprint = fingerprint;
    options.client = "droverctl";
    options.reconnect = false;
    if ((events->parsed() || logs->parsed()) && follow)
        Client::blockEndSignals(); // before the network thread starts
    Client client(options);
    if (auto failed = client.connect())
        return *failed;

    auto simple = [&](const std::string &op, const json &args) -> int {
        api::Reply r = client.call(op, args);
        if (!r.ok()) {
            printError(r.error());
            return exitFor(r.error());
        }
        if (asJson) {
            std::cout << r->dump(2) << "\n";
        } else if (r->contains("worker") && (*r)["worker"].is_object()) {
            auto w = api::workerFromJson((*r)["worker"]);
            if (w.ok())
                std::cout << w->id << ": " << api::toString(w->state)
                          << (w->reason.empty() ? "" : ", " + w->reason) << "\n";
        } else if (r->contains("pool") && (*r)["pool"].is_object()) {
            auto p = api::poolFromJson((*r)["pool"]);
            if (p.ok())
                std::cout << p->name << ": " << p->desired << " desired, " << p->running
                          << " running, " << p->ready << " ready\n";
        }
        return Ok;
    };

    if (status->parsed() || workers->parsed() || pools->parsed()) {
        std::optional<api::Snapshot> s = snapshot(client);
        if (!s) {
            std::cerr << "droverctl: the master sent no state within 15 s\n";
            return CannotConnect;
        }
        if (workers->parsed()) {
            if (asJson)
                return printJsonArray(s->workers);
            std::vector<std::vector<std::string>> rows{{"WORKER", "POOL", "STATE", "PID", "UPTIME",
                                                        "RESTARTS", "CPU%", "RSS", "READY",
                                                        "LAST EXIT"}};
            for (const auto &w : s->workers) {
                char cpu[16];
                std::snprintf(cpu, sizeof cpu, "%.1f", w.cpuPercent);
                rows.push_back({w.id, w.pool, std::string(api::toString(w.state)),
                                w.pid ? std::to_string(w.pid) : "-", age(w.startedAtMs),
                                std::to_string(w.restarts), cpu, w.pid ? bytes(w.rssBytes) : "-",
                                w.ready() ? "yes" : "no", w.lastExit.empty() ? "-" : w.lastExit});
            }
            table(rows);
            return Ok;
        }
        if (pools->parsed()) {
            if (asJson)
                return printJsonArray(s->pools);
            std::vector<std::vector<std::string>> rows{
                {"POOL", "DESIRED", "RUNNING", "READY", "RESTARTS", "REVISION", "WAITING FOR"}};
            for (const auto &p : s->pools)
                rows.push_back({p.name, std::to_string(p.desired), std::to_string(p.running),
                                std::to_string(p.ready), std::to_string(p.restarts), p.revision,
                                p.waitingFor.empty() ? "-" : p.waitingFor});
            table(rows);
            return Ok;
        }
        int ready = 0, running = 0, failed = 0;
        for (const auto &w : s->workers) {
            ready += w.ready();
            running += api::hasProcess(w.state);
            failed += w.state == api::WorkerState::Failed;
        }
        if (asJson) {
            std::cout << json{{"master", url->toString()},
                              {"role", api::toString(s->role)},
                              {"config_version", s->configVersion},
                              {"pools", s->pools.size()},
                              {"workers", s->workers.size()},
                              {"running", running},
                              {"ready", ready},
                              {"failed", failed}}
                             .dump(2)
                      << "\n";
            return Ok;
        }
        std::cout << "master   " << url->toString() << " (role " << api::toString(s->role)
                  << ", config " << s->configVersion << ")\n"
                  << "pools    " << s->pools.size() << "\n"
                  << "workers  " << s->workers.size() << ": " << ready << " ready, " << running
                  << " running, " << failed << " failed\n";
        return Ok;
    }
    if (rollout->parsed()) {
        if (rolloutStatus->parsed() && watch) {
            auto watcher = std::make_shared<RolloutWatcher>();
            watcher->pool = poolName;
            watcher->asJson = asJson;
            auto future = watcher->ended.get_future();
            // The pool first: an unknown one is an error, not an endless watch.
            api::Reply r = client.call(api::opName(api::Op::RolloutStatus), {{"pool", poolName}});
            if (!r.ok()) {
                printError(r.error());
                return exitFor(r.error());
            }
            client.backend().subscribe(watcher, 0);
            std::optional<api::RolloutInfo> last = future.get();
            if (!last) {
                std::cout << "pool " << poolName << " has had no rollout\n";
                return Ok;
            }
            return rolloutExit(*last);
        }
        api::Op op = api::Op::RolloutStatus;
        json args{{"pool", poolName}};
        if (rolloutHistory->parsed())
            op = api::Op::RolloutHistory;
        else if (rolloutStart->parsed())
            op = api::Op::RolloutStart;
        else if (rolloutPause->parsed())
            op = api::Op::RolloutPause;
        else if (rolloutResume->parsed())
            op = api::Op::RolloutResume;
        else if (rolloutAbort->parsed())
            op = api::Op::RolloutAbort;
        else if (rolloutUndo->parsed())
            op = api::Op::RolloutUndo;
        else if (rolloutRestart->parsed())
            op = api::Op::RolloutRestart;
        if (!revision.empty())
            args["revision"] = revision;
        api::Reply r = client.call(api::opName(op), args);
        if (!r.ok()) {
            printError(r.error());
            return exitFor(r.error());
        }
        if (asJson) {
            std::cout << r->dump(2) << "\n";
            return Ok;
        }
        if (op == api::Op::RolloutHistory) {
            std::vector<std::vector<std::string>> rows{
                {"NUMBER", "REVISION", "CAUSE", "SINCE", "CURRENT", "COMMAND"}};
            for (const json &e : r->value("revisions", json::array())) {
                std::string command;
                for (const json &arg : e["template"].value("command", json::array()))
                    command += (command.empty() ? "" : " ") + arg.get<std::string>();
                rows.push_back({std::to_string(e.value("number", 0)), e.value("revision", ""),
                                e.value("cause", ""), dateTime(e.value("time", std::int64_t(0))),
                                e.value("current", false) ? "yes" : "", command});
            }
            table(rows);
            return Ok;
        }
        const json &info = r->contains("rollout") ? (*r)["rollout"] : json();
        if (info.is_object()) {
            if (auto ri = api::rolloutFromJson(info); ri.ok())
                printRollout(*ri);
        } else {
            std::cout << "pool " << poolName << " has had no rollout (revision "
                      << r->value("revision", "") << ")\n";
        }
        if (op == api::Op::RolloutStart && !r->value("started", true))
            std::cout << "nothing to roll out: every worker runs that revision already (rollout "
                         "restart replaces them anyway)\n";
        return Ok;
    }
    if (job->parsed())
        return jobCommand(client, asJson, {jobLs, jobRun, jobHistory, jobCancel}, poolName,
                          runNumber, historyLimit, waitForRun);
    if (start->parsed())
        return simple(api::opName(api::Op::WorkerStart), {{"worker", workerId}});
    if (stop->parsed())
        return simple(api::opName(api::Op::WorkerStop), {{"worker", workerId}});
    if (restart->parsed())
        return simple(api::opName(api::Op::WorkerRestart), {{"worker", workerId}});
    if (scale->parsed())
        return simple(api::opName(api::Op::PoolScale),
                      {{"pool", poolName}, {"replicas", replicas}});
    if (logs->parsed() && follow) {
        // The tail and then every new line; a line is printed as soon as it is complete.
        std::promise<api::Reply> first;
        client.backend().followLogs(
            {{"worker", workerId}, {"lines", lines}},
            [asJson, workerId](api::LogLines batch) {
                if (batch.skipped < 0)
                    std::cerr << "droverctl: reconnected; lines written meanwhile are not shown\n";
                else if (batch.skipped > 0)
                    std::cerr << "droverctl: " << batch.skipped
                              << " lines skipped: this client did not keep up\n";
                for (const std::string &line : batch.lines) {
                    if (asJson)
                        std::cout << json{{"worker", workerId}, {"line", line}}.dump(
                                         -1, ' ', false, json::error_handler_t::replace)
                                  << "\n";
                    else
                        std::cout << line << "\n";
                }
                std::cout.flush();
            },
            [&first](api::Reply r) { first.set_value(std::move(r)); });
        api::Reply r = first.get_future().get();
        if (!r.ok()) {
            printError(r.error());
            return exitFor(r.error());
        }
        for (const json &line : r->value("lines", json::array())) {
            if (asJson)
                std::cout << json{{"worker", workerId}, {"line", line}}.dump(
                                 -1, ' ', false, json::error_handler_t::replace)
                          << "\n";
            else
                std::cout << line.get<std::string>() << "\n";
        }
        std::cout.flush();
        return client.waitForEnd();
    }
    if (logs->parsed()) {
        api::Reply r =
            client.call(api::opName(api::Op::LogsTail), {{"worker", workerId}, {"lines", lines}});
        if (!r.ok()) {
            printError(r.error());
            return exitFor(r.error());
        }
        if (asJson) {
            std::cout << r->dump(2) << "\n";
            return Ok;
        }
        for (const json &line : r->value("lines", json::array()))
            std::cout << line.get<std::string>() << "\n";
        return Ok;
    }
    if (health->parsed()) {
        api::Reply r =
            client.call(api::opName(api::Op::HealthHistory), {{"worker", workerId}, {"limit", 20}});
        if (!r.ok()) {
            printError(r.error());
            return exitFor(r.error());
        }
        if (asJson) {
            std::cout << r->dump(2) << "\n";
            return Ok;
        }
        std::vector<std::vector<std::string>> probes{{"PROBE", "KIND", "STATE", "SINCE", "TARGET"}};
        for (const json &p : r->value("probes", json::array()))
            probes.push_back({p.value("probe", ""), p.value("kind", ""), p.value("state", ""),
                              age(p.value("since", std::int64_t(0))), p.value("target", "")});
        table(probes);
        std::cout << "\n";
        std::vector<std::vector<std::string>> results{
            {"TIME", "PROBE", "OK", "LATENCY", "MESSAGE"}};
        for (const json &s : r->value("results", json::array())) {
            char latency[32];
            std::snprintf(latency, sizeof latency, "%.2fms", s.value("latency_ms", 0.0));
            results.push_back({clock(s.value("time", std::int64_t(0))), s.value("probe", ""),
                               s.value("ok", false) ? "yes" : "NO", latency,
                               s.value("message", "")});
        }
        table(results);
        return Ok;
    }
    if (events->parsed()) {
        api::Reply r = client.call(api::opName(api::Op::EventsQuery), {{"limit", 50}});
        if (!r.ok()) {
            printError(r.error());
            return exitFor(r.error());
        }
        for (const json &e : r->value("events", json::array())) {
            if (auto ev = api::eventFromJson(e); ev.ok())
                EventPrinter::print(*ev, asJson);
        }
        if (!follow)
            return Ok;
        auto printer = std::make_shared<EventPrinter>();
        printer->asJson = asJson;
        client.backend().subscribe(printer, 0);
        return client.waitForEnd();
    }
    if (traffic->parsed()) {
        api::Reply r = client.call(api::opName(api::Op::PoolTraffic),
                                   {{"pool", poolName}, {"recent", recent}});
        if (!r.ok()) {
            printError(r.error());
            return exitFor(r.error());
        }
        if (asJson) {
            std::cout << r->dump(2) << "\n";
            return Ok;
        }
        const json &t = *r;
        if (!t.contains("requests")) {
            std::cout << poolName << ": no gateway and no leases yet\n";
            return Ok;
        }
        auto ms = [](double v) {
            char text[32];
            std::snprintf(text, sizeof text, "%.2fms", v);
            return std::string(text);
        };
        const json &status = t["status"];
        std::cout << poolName << ": gateway "
                  << (t["gateway"].is_string() ? t["gateway"].get<std::string>()
                                               : "none (leases only)")
                  << ", " << t.value("inflight", 0) << " in flight, " << t.value("queued", 0) << "/"
                  << t.value("queue_max", 0) << " queued\n"
                  << "requests " << t.value("requests", 0) << ": 2xx " << status.value("2xx", 0)
                  << ", 4xx " << status.value("4xx", 0) << ", 5xx " << status.value("5xx", 0)
                  << " (429 " << status.value("429", 0) << ", 503 " << status.value("503", 0)
                  << ", 504 " << status.value("504", 0) << "), retries " << t.value("retries", 0)
                  << ", ejections " << t.value("ejections", 0) << ", cold starts "
                  << t.value("cold_starts", 0) << "\n"
                  << "latency p50 " << ms(t["latency_ms"].value("p50", 0.0)) << " p99 "
                  << ms(t["latency_ms"].value("p99", 0.0)) << ", queue wait p50 "
                  << ms(t["queue_wait_ms"].value("p50", 0.0)) << " p99 "
                  << ms(t["queue_wait_ms"].value("p99", 0.0)) << "\n\n";
        std::vector<std::vector<std::string>> workerRows{
            {"WORKER", "PORT", "READY", "IN FLIGHT", "SERVED", "BREAKER", "EJECTIONS"}};
        for (const json &w : t.value("workers", json::array()))
            workerRows.push_back({w.value("worker", ""), std::to_string(w.value("port", 0)),
                                  w.value("ready", false) ? "yes" : "no",
                                  std::to_string(w.value("inflight", 0)),
                                  std::to_string(w.value("served", 0)), w.value("breaker", ""),
                                  std::to_string(w.value("ejections", 0))});
        table(workerRows);
        if (!t.value("leases", json::array()).empty()) {
            std::cout << "\n";
            std::vector<std::vector<std::string>> leaseRows{
                {"LEASE", "WORKER", "ENDPOINT", "EXPIRES"}};
            for (const json &l : t["leases"])
                leaseRows.push_back(
                    {l.value("lease", ""), l.value("worker", ""),
                     l["endpoint"].is_string() ? l["endpoint"].get<std::string>() : "-",
                     clock(l.value("expires_at_ms", std::int64_t(0)))});
            table(leaseRows);
        }
        if (!t.value("recent", json::array()).empty()) {
            std::cout << "\n";
            std::vector<std::vector<std::string>> rows{
                {"TIME", "REQUEST", "WORKER", "QUEUE", "LATENCY", "STATUS", "OUTCOME", "TARGET"}};
            for (const json &d : t["recent"])
                rows.push_back({clock(d.value("time_ms", std::int64_t(0))),
                                d.value("request_id", "").substr(0, 16),
                                d.value("worker", "").empty() ? "-" : d.value("worker", ""),
                                ms(d.value("queue_ms", 0.0)), ms(d.value("latency_ms", 0.0)),
                                std::to_string(d.value("status", 0)), d.value("outcome", ""),
                                d.value("method", "") + " " + d.value("target", "")});
            table(rows);
        }
        return Ok;
    }
    if (acquire->parsed()) {
        api::Reply r = client.call(api::opName(api::Op::PoolAcquire),
                                   {{"pool", poolName}, {"wait_ms", waitMs}, {"ttl_ms", ttlMs}});
        if (!r.ok()) {
            printError(r.error());
            return exitFor(r.error());
        }
        std::cout << (asJson
                          ? r->dump(2)
                          : r->value("lease", "") + " " + r->value("worker", "") + " " +
                                ((*r)["endpoint"].is_string() ? (*r)["endpoint"].get<std::string>()
                                                              : "(no port)") +
                                " expires " + clock(r->value("expires_at_ms", std::int64_t(0))))
                  << "\n";
        return Ok;
    }
    if (release->parsed()) {
        api::Reply r =
            client.call(api::opName(api::Op::PoolRelease), {{"pool", poolName}, {"lease", lease}});
        if (!r.ok()) {
            printError(r.error());
            return exitFor(r.error());
        }
        std::cout << (asJson ? r->dump(2) : "released " + lease) << "\n";
        return Ok;
    }
    if (configGet->parsed()) {
        api::Reply r = client.call(api::opName(api::Op::ConfigGet), json::object());
        if (!r.ok()) {
            printError(r.error());
            return exitFor(r.error());
        }
        if (asJson) {
            std::cout << r->dump(2) << "\n";
            return Ok;
        }
        // The YAML itself, ready to edit and `config apply --base-version` again.
        std::string text = r->value("text", "");
        std::cout << "# " << r->value("file", "") << ", version " << r->value("version", "") << "\n"
                  << text << (text.empty() || text.back() == '\n' ? "" : "\n");
        return Ok;
    }
    if (plan->parsed()) {
        bool ok = false;
        std::string text = readFile(file, ok);
        if (!ok) {
            std::cerr << "droverctl: cannot read \"" << file << "\"\n";
            return Usage;
        }
        api::Reply r =
            client.call(api::opName(api::Op::ConfigPlan), json{{"text", text}, {"file", file}});
        if (!r.ok()) {
            printError(r.error());
            return exitFor(r.error());
        }
        if (asJson)
            std::cout << r->dump(2) << "\n";
        else
            printPlan(*r);
        return Ok;
    }
    if (history->parsed()) {
        json args = json::object();
        if (!historyVersion.empty())
            args["version"] = historyVersion;
        api::Reply r = client.call(api::opName(api::Op::ConfigHistory), args);
        if (!r.ok()) {
            printError(r.error());
            return exitFor(r.error());
        }
        if (asJson) {
            std::cout << r->dump(2) << "\n";
        } else if (!historyVersion.empty()) {
            std::string text = r->value("text", "");
            std::cout << text << (text.empty() || text.back() == '\n' ? "" : "\n");
        } else {
            std::vector<std::vector<std::string>> rows{{"VERSION", "APPLIED", "BY", ""}};
            for (const json &v : r->value("versions", json::array())) {
                const json at = v.value("applied_at", json());
                const json who = v.value("who", json());
                rows.push_back({v.value("version", ""),
                                at.is_number() ? dateTime(at.get<std::int64_t>()) : "-",
                                who.is_string() ? who.get<std::string>() : "-",
                                v.value("current", false) ? "running" : ""});
            }
            table(rows);
        }
        return Ok;
    }
    if (apply->parsed()) {
        bool ok = false;
        std::string text = readFile(file, ok);
        if (!ok) {
            std::cerr << "droverctl: cannot read \"" << file << "\"\n";
            return Usage;
        }
        json args{{"text", text}, {"file", file}};
        if (!baseVersion.empty())
            args["base_version"] = baseVersion;
        api::Reply r = client.call(api::opName(api::Op::ConfigApply), args);
        if (!r.ok()) {
            printError(r.error());
            return exitFor(r.error());
        }
        std::cout << (asJson ? r->dump(2)
                             : "applied: version " + r->value("version", "") + " (" +
                                   r->value("summary", "") + ")")
                  << "\n";
        return Ok;
    }
    return Usage;
}
