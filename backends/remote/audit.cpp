#include "remote/audit.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

namespace drover::remote {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

/// Serializes write() (its size count and rotation) across threads. One for every AuditLog:
/// a master has one, and the header keeps no mutex of its own.
std::mutex g_writeMutex;

/// Deeper args are kept as text: dumping JSON recurses once per level.
constexpr int kMaxArgsDepth = 64;

api::Error ioError(const std::string &what, const std::string &path, int err)
{
    return api::Error{
        api::ErrorCode::Internal, what + " \"" + path + "\": " + std::strerror(err), {}};
}

std::string rotatedName(const std::string &path, int n)
{
    return path + '.' + std::to_string(n);
}

/// Whether `text` nests arrays and objects deeper than `limit` (strings are skipped).
bool nestsDeeperThan(std::string_view text, int limit)
{
    int depth = 0;
    bool inString = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit)
                return true;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return false;
}

/// `args` as JSON again: `{}` when empty, the text itself as a string when it is not JSON.
ordered_json argsValue(const std::string &args)
{
    if (args.empty())
        return ordered_json::object();
    if (nestsDeeperThan(args, kMaxArgsDepth))
        return args;
    ordered_json value = ordered_json::parse(args, nullptr, false);
    if (value.is_discarded())
        return args;
    return value;
}

/// The line's fields in the documented order (nlohmann::json would sort them).
ordered_json orderedJson(const AuditEntry &e)
{
    ordered_json j = ordered_json::object();
    j["time"] = e.timeMs;
    j["token"] = e.token;
    j["role"] = e.role;
    j["peer"] = e.peer;
    j["op"] = e.op;
    j["args"] = argsValue(e.args);
    j["result"] = e.result;
    j["message"] = e.message;
    return j;
}

} // namespace

AuditLog::~AuditLog()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

api::Result<bool> AuditLog::open(const std::string &stateDir, std::uint64_t maxBytes, int files)
{
    std::lock_guard<std::mutex> lock(g_writeMutex);
    if (stateDir.empty())
        return api::Error{api::ErrorCode::Internal, "no state dir to keep the audit log in", {}};
    const std::string path = stateDir + "/audit.log";
    {
        namespace fs = std::filesystem;
        std::error_code ec;
        if (!fs::is_directory(stateDir, ec)) {
            const fs::path parent = fs::path(stateDir).parent_path();
            if (!parent.empty())
                fs::create_directories(parent, ec);
            if (ec)
                return api::Error{api::ErrorCode::Internal,
                                  "cannot create directory \"" + parent.string() +
                                      "\": " + ec.message(),
                                  {}};
            if (::mkdir(stateDir.c_str(), 0700) != 0 && errno != EEXIST)
                return ioError("cannot create the state dir", stateDir, errno);
        }
    }
    const int fd = ::open(path.c_str(),
                          O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600);
    if (fd < 0)
        return ioError("cannot open the audit log", path, errno);
    struct stat st
    {
    };
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return ioError("cannot open the audit log", path, err);
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return api::Error{api::ErrorCode::Internal,
                          "cannot open the audit log \"" + path + "\": not a regular file",
                          {}};
    }
    // A log made by something else (or before the mode was enforced) is closed to others.
    if ((st.st_mode & 0777) != 0600 && ::fchmod(fd, 0600) != 0) {
        const int err = errno;
        ::close(fd);
        return ioError("cannot set the mode of the audit log", path, err);
    }
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = fd;
    m_path = path;
    m_maxBytes = maxBytes;
    m_files = files < 0 ? 0 : files;
    m_size = static_cast<std::uint64_t>(st.st_size);
    return true;
}

std::string AuditLog::path() const
{
    return m_path;
}

json AuditLog::toJson(const AuditEntry &entry)
{
    return json(orderedJson(entry));
}

api::Result<bool> AuditLog::write(const AuditEntry &entry)
{
    std::string line;
    try {
        line = orderedJson(entry).dump(-1, ' ', false, json::error_handler_t::replace);
    } catch (const std::exception &e) { // std::bad_alloc
        return api::Error{
            api::ErrorCode::Internal, std::string("cannot write the audit log: ") + e.what(), {}};
    }
    line.push_back('\n');

    std::lock_guard<std::mutex> lock(g_writeMutex);
    if (m_fd < 0)
        return api::Error{api::ErrorCode::Internal, "the audit log is not open", {}};

    // Rotation by renaming, not by copy and truncate as for worker logs: this is the only
    // writer and it owns its descriptor, so nothing is copied or lost and every file keeps
    // mode 0600. audit.log.(files-1) -> audit.log.files, ..., audit.log -> audit.log.1.
    if (m_size > 0 && m_size + line.size() > m_maxBytes) {
        if (m_files == 0) {
            if (::ftruncate(m_fd, 0) != 0)
                return ioError("cannot truncate the audit log", m_path, errno);
        } else {
            // Copies left from a larger `files` setting go first.
            for (int n = m_files + 1;; ++n) {
                const std::string name = rotatedName(m_path, n);
                if (::unlink(name.c_str()) != 0) {
                    if (errno == ENOENT)
                        break;
                    return ioError("cannot delete", name, errno);
                }
            }
            for (int n = m_files - 1; n >= 1; --n) {
                const std::string from = rotatedName(m_path, n);
                if (::rename(from.c_str(), rotatedName(m_path, n + 1).c_str()) != 0 &&
                    errno != ENOENT)
                    return ioError("cannot rename", from, errno);
            }
            if (::rename(m_path.c_str(), rotatedName(m_path, 1).c_str()) != 0 && errno != ENOENT)
                return ioError("cannot rename", m_path, errno);
            const int fd =
                ::open(m_path.c_str(),
                       O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0600);
            if (fd < 0)
                return ioError("cannot open the audit log", m_path, errno);
            ::close(m_fd);
            m_fd = fd;
        }
        m_size = 0;
    }

    // One write per line: with O_APPEND the kernel puts each line whole at the end.
    ssize_t n;
    do {
        n = ::write(m_fd, line.data(), line.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return ioError("cannot write the audit log", m_path, errno);
    m_size += static_cast<std::uint64_t>(n);
    if (static_cast<std::size_t>(n) != line.size())
        return api::Error{api::ErrorCode::Internal,
                          "cannot write the audit log \"" + m_path + "\": only " +
                              std::to_string(n) + " of " + std::to_string(line.size()) +
                              " bytes written (disk full?)",
                          {}};
    return true;
}

} // namespace drover::remote
