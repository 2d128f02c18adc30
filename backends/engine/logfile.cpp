#include "engine/logfile.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility> // before Asio: Boost 1.74 with g++ 12 misses it otherwise

namespace drover::engine {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kBlockSize = 64 * 1024;

api::Error ioError(const std::string &what, const std::string &path, int err,
                   api::ErrorCode code = api::ErrorCode::Io)
{
    return api::Error{code, what + " \"" + path + "\": " + std::strerror(err), {}};
}

/// Closes a descriptor at the end of a scope.
class FdGuard
{
public:
    explicit FdGuard(int fd)
        : m_fd(fd)
    {}
    ~FdGuard()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    FdGuard(const FdGuard &) = delete;
    FdGuard &operator=(const FdGuard &) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

ssize_t preadRetry(int fd, char *buffer, std::size_t size, std::uint64_t offset)
{
    ssize_t n;
    do {
        n = ::pread(fd, buffer, size, static_cast<off_t>(offset));
    } while (n < 0 && errno == EINTR);
    return n;
}

bool writeAll(int fd, const char *data, std::size_t size)
{
    while (size > 0) {
        ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

/// Copies `from` (from offset 0 to its end, which may have grown since it was measured) to
/// `to`; 0 or an errno value. copy_file_range first (in-kernel, reflinks where the
/// filesystem can), read/write where it is not supported.
int copyToEnd(int from, int to)
{
    loff_t inOffset = 0;
    bool kernelCopy = true;
    while (kernelCopy) {
        ssize_t n = ::copy_file_range(from, &inOffset, to, nullptr, 1 << 30, 0);
        if (n > 0)
            continue;
        if (n == 0)
            return 0;
        if (errno == EINTR)
            continue;
        if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
            return errno;
        kernelCopy = false;
    }
    std::vector<char> buffer(kBlockSize);
    std::uint64_t offset = static_cast<std::uint64_t>(inOffset);
    for (;;) {
        ssize_t n = preadRetry(from, buffer.data(), buffer.size(), offset);
        if (n < 0)
            return errno;
        if (n == 0)
            return 0;
        if (!writeAll(to, buffer.data(), static_cast<std::size_t>(n)))
            return errno;
        offset += static_cast<std::uint64_t>(n);
    }
}

std::string rotatedName(const std::string &path, int n)
{
    return path + '.' + std::to_string(n);
}

/// What tailing one file gives: its last lines, newest first.
struct TailPart
{
    std::vector<std::string> newestFirst;
    bool reachedStart = true; ///< false when the byte budget ran out inside the file
};

/// Reads the last `want` lines of an open regular file backwards in blocks, taking at most
/// `budget` bytes (and lowering it by what was read).
api::Result<TailPart> tailFile(int fd, const std::string &path, std::uint64_t size, int want,
                               std::uint64_t &budget)
{
    TailPart part;
    if (size == 0 || want <= 0)
        return part;

    // The final newline ends the last line; it does not start a new, empty one.
    std::vector<std::string> blocks; // newest first
    std::uint64_t end = size;
    std::uint64_t start = size;
    std::uint64_t newlines = 0;
    bool skippedFinalNewline = false;
    while (start > 0 && budget > 0 && newlines < static_cast<std::uint64_t>(want)) {
        const std::uint64_t length = std::min<std::uint64_t>({kBlockSize, start, budget});
        std::string block(length, '\0');
        const std::uint64_t offset = start - length;
        std::size_t got = 0;
        while (got < length) {
            ssize_t n = preadRetry(fd, block.data() + got, length - got, offset + got);
            if (n < 0)
                return ioError("cannot read", path, errno);
            if (n == 0)
                break;
            got += static_cast<std::size_t>(n);
        }
        if (got < length) { // truncated while we read: take what is there now
            block.resize(got);
            if (got == 0)
                break;
        }
        start = offset;
        budget -= length;
        if (!skippedFinalNewline) {
            skippedFinalNewline = true;
            if (block.back() == '\n') {
                block.pop_back();
                end = size - 1;
            }
        }
        newlines += static_cast<std::uint64_t>(std::count(block.begin(), block.end(), '\n'));
        blocks.push_back(std::move(block));
    }

    std::string data;
    data.reserve(static_cast<std::size_t>(end - start));
    for (auto it = blocks.rbegin(); it != blocks.rend(); ++it)
        data += *it;

    // Split into lines, newest first, stopping at the oldest complete line wanted.
    std::size_t lineEnd = data.size();
    while (static_cast<int>(part.newestFirst.size()) < want) {
        const std::size_t nl = lineEnd == 0 ? std::string::npos : data.rfind('\n', lineEnd - 1);
        if (nl == std::string::npos) {
            if (start == 0) {
                part.newestFirst.push_back(data.substr(0, lineEnd));
            } else if (lineEnd > 0) {
                // The budget ran out inside this line: mark it as cut, and drop the UTF-8
                // continuation bytes of a character whose start was not read.
                std::size_t from = 0;
                while (from < lineEnd && (static_cast<unsigned char>(data[from]) & 0xC0) == 0x80)
                    ++from;
                part.newestFirst.push_back("…" + data.substr(from, lineEnd - from));
            }
            break;
        }
        part.newestFirst.push_back(data.substr(nl + 1, lineEnd - nl - 1));
        lineEnd = nl;
    }
    part.reachedStart = start == 0;
    return part;
}

} // namespace

namespace logfile {

api::Result<int> openForAppend(const std::string &path)
{
    // The directory is there nearly always: made only when the open says it is missing.
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0 && errno == ENOENT) {
        try {
            const std::filesystem::path parent = std::filesystem::path(path).parent_path();
            if (!parent.empty()) {
                std::error_code ec;
                std::filesystem::create_directories(parent, ec);
                if (ec)
                    return ioError("cannot create directory", parent.string(), ec.value());
            }
        } catch (const std::exception &e) { // std::bad_alloc
            return api::Error{api::ErrorCode::Io, "cannot open \"" + path + "\": " + e.what(), {}};
        }
        fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    }
    if (fd < 0)
        return ioError("cannot open", path, errno);
    return fd;
}

api::Result<bool> rotateIfLarger(const std::string &path, std::uint64_t maxSize, int files)
{
    // The master checks every worker's log every few seconds and nearly all are small: one
    // stat answers that, without an open and a close.
    struct stat quick
    {
    };
    if (::stat(path.c_str(), &quick) == 0 && S_ISREG(quick.st_mode) &&
        static_cast<std::uint64_t>(quick.st_size) <= maxSize)
        return false;
    FdGuard source(::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (source.get() < 0) {
        if (errno == ENOENT)
            return false; // nothing written yet
        return ioError("cannot open", path, errno);
    }
    struct stat st
    {
    };
    if (::fstat(source.get(), &st) != 0)
        return ioError("cannot read", path, errno);
    if (!S_ISREG(st.st_mode))
        return api::Error{
            api::ErrorCode::Io, "cannot rotate \"" + path + "\": not a regular file", {}};
    if (static_cast<std::uint64_t>(st.st_size) <= maxSize)
        return false;

    files = std::max(files, 0);
    // Copies left from a larger `files` setting go first; they are numbered without gaps.
    for (int n = files + 1;; ++n) {
        const std::string name = rotatedName(path, n);
        if (::unlink(name.c_str()) != 0) {
            if (errno == ENOENT)
                break;
            return ioError("cannot delete", name, errno);
        }
    }
    if (files > 0) {
        // path.(files-1) -> path.files, ..., path.1 -> path.2; path.files is replaced.
        for (int n = files - 1; n >= 1; --n) {
            const std::string from = rotatedName(path, n);
            const std::string to = rotatedName(path, n + 1);
            if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT)
                return ioError("cannot rename", from, errno);
        }
        const std::string first = rotatedName(path, 1);
        FdGuard copy(::open(first.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
        if (copy.get() < 0)
            return ioError("cannot create", first, errno);
        if (int err = copyToEnd(source.get(), copy.get()))
            return ioError("cannot copy to", first, err);
    }
    // The writer's O_APPEND descriptor puts its next write at the new end, offset 0.
    if (::ftruncate(source.get(), 0) != 0)
        return ioError("cannot truncate", path, errno);
    return true;
}

std::optional<std::uint64_t> sizeOf(const std::string &path)
{
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        return std::nullopt;
    return static_cast<std::uint64_t>(st.st_size);
}

api::Result<std::vector<std::string>> tail(const std::string &path, int lines,
                                           std::uint64_t maxBytes, std::uint64_t upTo)
{
    try {
        std::vector<std::string> newestFirst;
        std::uint64_t budget = maxBytes;
        // The current file first, then the last rotated copy for the lines still missing.
        for (const std::string &name : {path, rotatedName(path, 1)}) {
            const int want = lines - static_cast<int>(newestFirst.size());
            if (want <= 0 || budget == 0)
                break;
            FdGuard fd(::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
            if (fd.get() < 0) {
                if (errno == ENOENT)
                    continue;
                return ioError("cannot open", name, errno);
            }
            struct stat st
            {
            };
            if (::fstat(fd.get(), &st) != 0)
                return ioError("cannot read", name, errno);
            if (!S_ISREG(st.st_mode))
                return api::Error{
                    api::ErrorCode::Io, "cannot read \"" + name + "\": not a regular file", {}};
            std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
            if (name == path)
                size = std::min(size, upTo);
            api::Result<TailPart> part = tailFile(fd.get(), name, size, want, budget);
            if (!part)
                return part.error();
            for (std::string &line : part->newestFirst)
                newestFirst.push_back(std::move(line));
            if (!part->reachedStart)
                break; // a cut line is the oldest one we give
        }
        return std::vector<std::string>(std::make_move_iterator(newestFirst.rbegin()),
                                        std::make_move_iterator(newestFirst.rend()));
    } catch (const std::exception &e) { // std::bad_alloc
        return api::Error{api::ErrorCode::Io, "cannot read \"" + path + "\": " + e.what(), {}};
    }
}

} // namespace logfile

struct LogFollower::Private : std::enable_shared_from_this<LogFollower::Private>
{
    /// A partial line is held up to this size, then delivered cut.
    static constexpr std::size_t kMaxLine = 64 * 1024;
    /// Read at most this much per turn of the loop, so one chatty worker cannot starve it.
    static constexpr std::size_t kMaxReadPerTurn = 1 << 20;

    Private(asio::io_context &io, std::string path, LinesFn onLines)
        : m_io(io)
        , m_inotify(io)
        , m_path(std::move(path))
        , m_onLines(std::move(onLines))
    {}
    ~Private()
    {
        if (m_fileFd >= 0)
            ::close(m_fileFd);
    }

    void start();
    void waitForEvents();
    void onEvents(const boost::system::error_code &ec);
    void drainEvents();
    void readNew();
    void fail(std::string message);

    asio::io_context &m_io;
    asio::posix::stream_descriptor m_inotify; // owns the inotify descriptor
    std::string m_path;
    LinesFn m_onLines;
    std::string m_error;
    int m_fileFd = -1;
    std::uint64_t m_offset = 0;      // where the next read starts
    std::uint64_t m_startOffset = 0; // where the first read started
    std::string m_partial;           // bytes after the last newline delivered
    std::vector<char> m_buffer;      // for reads, kept to avoid an allocation per event
    bool m_stopped = false;
};

void LogFollower::Private::start()
{
    m_fileFd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (m_fileFd < 0)
        return fail("cannot open \"" + m_path + "\": " + std::strerror(errno));

    const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0)
        return fail("cannot follow \"" + m_path + "\": inotify: " + std::strerror(errno));
    boost::system::error_code ec;
    m_inotify.assign(fd, ec);
    if (ec) {
        ::close(fd);
        return fail("cannot follow \"" + m_path + "\": " + ec.message());
    }
    if (::inotify_add_watch(fd, m_path.c_str(), IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB) < 0) {
        const int err = errno;
        return fail("cannot follow \"" + m_path + "\": " +
                    (err == ENOSPC ? std::string("the inotify watch limit is reached "
                                                 "(fs.inotify.max_user_watches)")
                                   : std::string(std::strerror(err))));
    }

    // Measured after the watch is set, so nothing appended in between goes unnoticed.
    struct stat st
    {
    };
    if (::fstat(m_fileFd, &st) != 0)
        return fail("cannot read \"" + m_path + "\": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        return fail("cannot follow \"" + m_path + "\": not a regular file");
    // Start after the last complete line: a line being written now is delivered whole once
    // its newline comes (when it began within kMaxLine of the end).
    const std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
    const std::uint64_t back = std::min<std::uint64_t>(size, kMaxLine);
    std::string lastBytes(back, '\0');
    const ssize_t n = preadRetry(m_fileFd, lastBytes.data(), back, size - back);
    if (n < 0)
        return fail("cannot read \"" + m_path + "\": " + std::strerror(errno));
    lastBytes.resize(static_cast<std::size_t>(n));
    const std::size_t nl = lastBytes.rfind('\n');
    if (nl != std::string::npos)
        m_offset = size - back + nl + 1;
    else
        m_offset = back == size ? 0 : size;
    m_startOffset = m_offset;
    waitForEvents();
}

void LogFollower::Private::fail(std::string message)
{
    m_error = std::move(message);
    boost::system::error_code ignored;
    m_inotify.close(ignored);
}

void LogFollower::Private::waitForEvents()
{
    std::weak_ptr<Private> weak = weak_from_this();
    m_inotify.async_wait(asio::posix::stream_descriptor::wait_read,
                         [weak](const boost::system::error_code &ec) {
                             if (std::shared_ptr<Private> self = weak.lock())
                                 self->onEvents(ec);
                         });
}

void LogFollower::Private::onEvents(const boost::system::error_code &ec)
{
    if (m_stopped || ec == asio::error::operation_aborted)
        return;
    if (ec)
        return fail("cannot follow \"" + m_path + "\": " + ec.message());
    drainEvents();
    readNew(); // also after the watch went away: what was written last is still read
}

void LogFollower::Private::drainEvents()
{
    // Which event it was does not matter: each means "look at the file again". Only the
    // watch going away (the filesystem unmounted) ends the following.
    alignas(inotify_event) char buffer[4096];
    for (;;) {
        ssize_t n = ::read(m_inotify.native_handle(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; // EAGAIN: all read
        for (ssize_t at = 0; at < n;) {
            const auto *event = reinterpret_cast<const inotify_event *>(buffer + at);
            if (event->mask & IN_IGNORED)
                m_error = "stopped following \"" + m_path + "\": the watch was removed";
            at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
        }
    }
}

void LogFollower::Private::readNew()
{
    // Keep this object alive across the callback, which may destroy the LogFollower.
    std::shared_ptr<Private> self = shared_from_this();
    struct stat st
    {
    };
    if (::fstat(m_fileFd, &st) != 0)
        return fail("cannot read \"" + m_path + "\": " + std::strerror(errno));
    if (st.st_nlink == 0 && m_error.empty()) {
        // Deleted: no more events come for it (our descriptor keeps the inode), so this is
        // the last read.
        m_error = "stopped following \"" + m_path + "\": the file was removed";
    }
    if (static_cast<std::uint64_t>(st.st_size) < m_offset) {
        // Truncated (rotated by copy and truncate): start again at the beginning. A partial
        // line is kept: the writer's next bytes continue it.
        m_offset = 0;
    }

    std::vector<std::string> lines;
    std::size_t readThisTurn = 0;
    bool more = true;
    m_buffer.resize(kBlockSize);
    while (readThisTurn < kMaxReadPerTurn) {
        const ssize_t n = preadRetry(m_fileFd, m_buffer.data(), m_buffer.size(), m_offset);
        if (n < 0)
            return fail("cannot read \"" + m_path + "\": " + std::strerror(errno));
        if (n == 0) {
            more = false;
            break;
        }
        m_offset += static_cast<std::uint64_t>(n);
        readThisTurn += static_cast<std::size_t>(n);
        std::string_view chunk(m_buffer.data(), static_cast<std::size_t>(n));
        while (!chunk.empty()) {
            const std::size_t nl = chunk.find('\n');
            if (nl == std::string_view::npos) {
                m_partial.append(chunk);
                break;
            }
            m_partial.append(chunk.substr(0, nl));
            lines.push_back(std::move(m_partial));
            m_partial.clear();
            chunk.remove_prefix(nl + 1);
        }
        while (m_partial.size() >= kMaxLine) {
            lines.push_back(m_partial.substr(0, kMaxLine));
            m_partial.erase(0, kMaxLine);
        }
    }

    if (!lines.empty() && m_onLines)
        m_onLines(std::move(lines));
    if (m_stopped)
        return;
    if (more) {
        // Yield to the other handlers on the loop, then go on reading.
        std::weak_ptr<Private> weak = self;
        asio::post(m_io, [weak] {
            if (std::shared_ptr<Private> p = weak.lock(); p && !p->m_stopped)
                p->readNew();
        });
    } else if (m_error.empty()) {
        waitForEvents();
    }
}

LogFollower::LogFollower(boost::asio::io_context &io, std::string path, LinesFn onLines)
    : d(std::make_shared<Private>(io, std::move(path), std::move(onLines)))
{
    d->start();
}

LogFollower::~LogFollower()
{
    // A handler that runs later finds the weak_ptr expired; one running now (this is called
    // from the callback) holds its own reference and sees m_stopped.
    d->m_stopped = true;
    boost::system::error_code ignored;
    d->m_inotify.close(ignored);
}

std::uint64_t LogFollower::startOffset() const
{
    return d->m_startOffset;
}

const std::string &LogFollower::error() const
{
    return d->m_error;
}

} // namespace drover::engine
