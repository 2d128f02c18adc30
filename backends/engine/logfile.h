#pragma once

#include "api/result.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace drover::engine {

/// A worker's log file, `<state_dir>/logs/<worker>.log`. The worker writes it itself through
/// an O_APPEND descriptor (so it keeps logging while the master restarts); the master only
/// rotates and reads it.
namespace logfile {

/// Opens (creating, mode 0640) for appending, close-on-exec: the spawner dup2()s it onto the
/// child's stdout and stderr. The parent directory is created when missing.
api::Result<int> openForAppend(const std::string &path);

/// Size-based rotation by copy and truncate (the writer keeps its descriptor, and O_APPEND
/// puts its next write at the new end): when `path` is larger than `maxSize`,
/// path.(files-1) -> path.files, ..., path -> path.1, then path is truncated to 0. Files past
/// `files` are deleted. `files` == 0 truncates without keeping a copy. Returns whether it
/// rotated. Lines written between the copy and the truncation can be lost (as with
/// logrotate's copytruncate); docs/operations.md says so.
api::Result<bool> rotateIfLarger(const std::string &path, std::uint64_t maxSize, int files);

/// The log's size now (how far it had got: a probe failure's or a job run's start), or
/// nothing when it does not exist yet.
std::optional<std::uint64_t> sizeOf(const std::string &path);

/// The last `lines` lines of the log (reading the rotated path.1 too when the current file
/// has fewer), oldest first, without the newlines. Reads backwards in blocks and never more
/// than `maxBytes` in all, so a huge file or a huge line costs bounded memory; a line cut by
/// that bound starts with "…". A missing file counts as empty (both missing: an empty list).
/// Only the first `upTo` bytes of the current file are read (a follower's startOffset(), so
/// that the tail and the followed lines meet without a gap or a line twice).
api::Result<std::vector<std::string>> tail(const std::string &path, int lines,
                                           std::uint64_t maxBytes = 4u << 20,
                                           std::uint64_t upTo = UINT64_MAX);

} // namespace logfile

/// Follows a log on the engine loop through inotify: calls `onLines` with each batch of new
/// complete lines appended after construction (a line longer than 64 KiB comes in cut pieces);
/// after a truncation (rotation) it starts again at the beginning of the file. No polling.
/// Destroying it stops it, also from inside `onLines`; the io_context must outlive it.
class LogFollower
{
public:
    using LinesFn = std::function<void(std::vector<std::string> lines)>;
    LogFollower(boost::asio::io_context &io, std::string path, LinesFn onLines);
    ~LogFollower();
    LogFollower(const LogFollower &) = delete;
    LogFollower &operator=(const LogFollower &) = delete;

    /// The file offset the first delivered line starts at (after the last complete line
    /// when it was constructed).
    std::uint64_t startOffset() const;
    /// Empty when following works; otherwise why not (e.g. inotify limits).
    const std::string &error() const;

private:
    struct Private;
    std::shared_ptr<Private> d;
};

} // namespace drover::engine
