#include "engine/statestore.h"

#include "api/atomicfile.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
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
    for (const char *sub : {"logs"}) {
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

StateStore::~StateStore()
{
    close();
}

void StateStore::close()
{
    if (m_journalFd >= 0)
        ::close(m_journalFd);
    m_journalFd = -1;
    if (m_lockFd >= 0)
        ::close(m_lockFd);
    m_lockFd = -1;
}

std::string StateStore::logPath(const std::string &worker) const
{
    return m_dir + "/logs/" + worker + ".log";
}

namespace {

json toJson(const WorkerRecord &r)
{
    json j{{"op", "up"},
           {"id", r.id},
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
    if (!r.container.empty())
        j["container"] = r.container;
    return j;
}

std::optional<WorkerRecord> fromJson(const json &j)
{
    if (!j.is_object())
        return std::nullopt;
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
        r.container = j.value("container", std::string());
        if (j.contains("port"))
            r.port = j.at("port").get<int>();
        if (r.pid <= 0 || r.id.empty())
            return std::nullopt;
        return r;
    } catch (const std::exception &) {
        return std::nullopt;
    }
}

} // namespace

std::string StateStore::journalPath() const
{
    return m_dir + "/workers.journal";
}

std::optional<std::string> StateStore::append(const std::string &line)
{
    if (m_journalFd < 0) {
        m_journalFd =
            ::open(journalPath().c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (m_journalFd < 0)
            return "cannot open \"" + journalPath() + "\": " + std::strerror(errno);
    }
    // One write: a line is in the file whole or not at all, however the master ends.
    const ssize_t n = ::write(m_journalFd, line.data(), line.size());
    if (n != ssize_t(line.size()))
        return "cannot write \"" + journalPath() +
               "\": " + (n < 0 ? std::strerror(errno) : "disk full");
    ++m_lines;
    return std::nullopt;
}

std::optional<std::string> StateStore::save(const WorkerRecord &r)
{
    std::string line = toJson(r).dump() + "\n";
    m_live[r.id] = line;
    if (auto problem = append(line))
        return problem;
    if (m_lines > 1024 && m_lines > 4 * m_live.size())
        compact();
    return std::nullopt;
}

void StateStore::remove(const std::string &worker)
{
    // Written when this store knows the record, or has not read the journal yet.
    if (m_live.erase(worker) == 0 && m_loaded)
        return;
    if (auto problem = append(json{{"op", "down"}, {"id", worker}}.dump() + "\n"))
        spdlog::error("state.remove worker={} error=\"{}\"", worker, *problem);
}

void StateStore::compact()
{
    std::string text;
    for (const auto &[id, line] : m_live)
        text += line;
    // Not fsync()ed, as the lines are not: a crash may leave the longer journal, which
    // replays to the same records.
    auto written = api::writeFileAtomically(journalPath(), text, 0600, false);
    if (!written.ok()) {
        spdlog::warn("state.compact error=\"{}\"", written.error().message);
        return;
    }
    if (m_journalFd >= 0)
        ::close(m_journalFd);
    m_journalFd = -1;
    m_lines = m_live.size();
}

std::vector<WorkerRecord> StateStore::load(std::vector<std::string> &problems)
{
    std::map<std::string, WorkerRecord> records;
    // Records of earlier versions, one file each.
    std::vector<fs::path> legacy;
    std::error_code ec;
    for (const fs::directory_entry &entry : fs::directory_iterator(m_dir + "/workers", ec)) {
        if (entry.path().extension() != ".json")
            continue;
        legacy.push_back(entry.path());
        auto text = api::readWholeFile(entry.path().string());
        std::optional<WorkerRecord> r;
        if (text.ok())
            r = fromJson(json::parse(*text, nullptr, false));
        if (r)
            records[r->id] = std::move(*r);
        else
            problems.push_back("\"" + entry.path().string() + "\": not a worker record");
    }
    auto text = api::readWholeFile(journalPath());
    if (text.ok()) {
        std::size_t pos = 0;
        int lineNo = 0;
        // A last line without its newline is a write cut short: not a record yet.
        for (std::size_t nl; (nl = text->find('\n', pos)) != std::string::npos; pos = nl + 1) {
            ++lineNo;
            json j = json::parse(text->begin() + std::ptrdiff_t(pos),
                                 text->begin() + std::ptrdiff_t(nl), nullptr, false);
            const std::string op = j.is_object() ? j.value("op", std::string()) : std::string();
            if (op == "down" && j.contains("id") && j["id"].is_string()) {
                records.erase(j["id"].get<std::string>());
            } else if (std::optional<WorkerRecord> r = op == "up" ? fromJson(j) : std::nullopt) {
                records[r->id] = std::move(*r);
            } else {
                problems.push_back("\"" + journalPath() + "\" line " + std::to_string(lineNo) +
                                   ": not a worker record");
            }
        }
    }
    std::vector<WorkerRecord> out;
    m_live.clear();
    for (auto &[id, r] : records) {
        m_live[id] = toJson(r).dump() + "\n";
        out.push_back(std::move(r));
    }
    m_loaded = true;
    compact();
    for (const fs::path &p : legacy)
        fs::remove(p, ec);
    fs::remove(m_dir + "/workers", ec); // only when empty
    return out;
}

} // namespace drover::engine
