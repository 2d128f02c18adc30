#include "engine/statestore.h"

#include "api/atomicfile.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/file.h>
#include <unistd.h>

namespace drover::engine {

namespace fs = std::filesystem;
using nlohmann::json;

StateStore::StateStore(std::string dir)
    : m_dir(std::move(dir))
{}

std::optional<std::string> StateStore::open()
{
    std::error_code ec;
    for (const char *sub : {"workers", "logs"}) {
        fs::create_directories(fs::path(m_dir) / sub, ec);
        if (ec)
            return "cannot create the state dir \"" + (fs::path(m_dir) / sub).string() +
                   "\": " + ec.message();
    }
    std::string lockPath = m_dir + "/droverd.lock";
    m_lockFd = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (m_lockFd < 0)
        return "cannot open \"" + lockPath + "\": " + std::strerror(errno);
    // A child the previous master spawned just before it went away holds a copy of the lock
    // until its exec has closed the close-on-exec descriptors (the spawner marks rather than
    // closes them, which keeps spawning cheap with thousands of descriptors): a few ms. So a
    // master started right after another one went away waits up to 2 s before it gives up.
    int err = 0;
    for (int tries = 0; tries < 100; ++tries) {
        err = flock(m_lockFd, LOCK_EX | LOCK_NB) == 0 ? 0 : errno;
        if (err != EWOULDBLOCK)
            break;
        ::usleep(20'000);
    }
    if (err != 0) {
        ::close(m_lockFd);
        m_lockFd = -1;
        if (err == EWOULDBLOCK)
            return "another droverd is running with the state dir \"" + m_dir + "\"";
        return "cannot lock \"" + lockPath + "\": " + std::strerror(err);
    }
    std::string pid = std::to_string(getpid()) + "\n";
    if (ftruncate(m_lockFd, 0) == 0)
        (void)!pwrite(m_lockFd, pid.data(), pid.size(), 0);
    return std::nullopt;
}

void StateStore::close()
{
    if (m_lockFd >= 0)
        ::close(m_lockFd);
    m_lockFd = -1;
}

std::string StateStore::logPath(const std::string &worker) const
{
    return m_dir + "/logs/" + worker + ".log";
}

std::optional<std::string> StateStore::save(const WorkerRecord &r) const
{
    json j{{"id", r.id},
           {"pool", r.pool},
           {"index", r.index},
           {"adopted", r.adopted},
           {"pid", r.pid},
           {"pgid", r.pgid},
           {"start_time", r.startTime},
           {"started_at", r.startedAtMs},
           {"revision", r.revision},
           {"restarts", r.restarts}};
    if (r.port)
        j["port"] = *r.port;
    std::string text = j.dump() + "\n";
    std::string path = m_dir + "/workers/" + r.id + ".json";
    // Rewritten at every spawn: atomic, but not fsync()ed (a crash leaves the earlier record,
    // and re-adoption checks the pid's start time anyway).
    auto written = api::writeFileAtomically(path, text, 0600, false);
    if (!written.ok())
        return written.error().message;
    return std::nullopt;
}

void StateStore::remove(const std::string &worker) const
{
    ::unlink((m_dir + "/workers/" + worker + ".json").c_str());
}

std::vector<WorkerRecord> StateStore::load(std::vector<std::string> &problems) const
{
    std::vector<WorkerRecord> out;
    std::error_code ec;
    for (const fs::directory_entry &entry : fs::directory_iterator(m_dir + "/workers", ec)) {
        if (entry.path().extension() != ".json")
            continue;
        std::ifstream in(entry.path());
        std::stringstream buf;
        buf << in.rdbuf();
        json j = json::parse(buf.str(), nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
            problems.push_back("\"" + entry.path().string() + "\": not a worker record");
            continue;
        }
        try {
            WorkerRecord r;
            r.id = j.at("id").get<std::string>();
            r.pool = j.at("pool").get<std::string>();
            r.index = j.value("index", 0);
            r.adopted = j.value("adopted", false);
            r.pid = j.at("pid").get<int>();
            r.pgid = j.value("pgid", r.pid);
            r.startTime = j.at("start_time").get<std::uint64_t>();
            r.startedAtMs = j.value("started_at", std::int64_t(0));
            r.revision = j.value("revision", std::string());
            r.restarts = j.value("restarts", 0);
            if (j.contains("port"))
                r.port = j.at("port").get<int>();
            if (r.pid <= 0 || r.id.empty())
                throw std::runtime_error("no pid");
            out.push_back(std::move(r));
        } catch (const std::exception &) {
            problems.push_back("\"" + entry.path().string() + "\": not a worker record");
        }
    }
    return out;
}

} // namespace drover::engine
