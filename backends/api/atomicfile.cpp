#include "api/atomicfile.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace drover::api {

namespace {

Error ioError(const std::string &what, const std::string &path, int err)
{
    return Error{api::ErrorCode::Internal, what + " \"" + path + "\": " + std::strerror(err), {}};
}

std::string directoryOf(const std::string &path)
{
    auto slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

} // namespace

Result<bool> writeFileAtomically(const std::string &path, std::string_view text, unsigned mode,
                                 bool durable)
{
    const std::string dir = directoryOf(path);
    std::string temp = path + ".XXXXXX";
    int fd = ::mkostemp(temp.data(), O_CLOEXEC);
    if (fd < 0)
        return ioError("cannot create a temporary file for", path, errno);
    auto fail = [&](const std::string &what, int err) {
        ::close(fd);
        ::unlink(temp.c_str());
        return ioError(what, path, err);
    };
    if (::fchmod(fd, mode) != 0)
        return fail("cannot set the mode of", errno);
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return fail("cannot write", n < 0 ? errno : EIO);
        done += std::size_t(n);
    }
    if (durable && ::fsync(fd) != 0)
        return fail("cannot write", errno);
    if (::close(fd) != 0) {
        int err = errno;
        ::unlink(temp.c_str());
        return ioError("cannot write", path, err);
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(temp.c_str());
        return ioError("cannot replace", path, err);
    }
    if (durable) {
        int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || ::fsync(dfd) != 0) {
            int err = errno;
            if (dfd >= 0)
                ::close(dfd);
            return ioError("cannot sync the directory", dir, err);
        }
        ::close(dfd);
    }
    return true;
}

Result<std::string> readWholeFile(const std::string &path)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ioError("cannot read", path, errno);
    std::string out;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;
            ::close(fd);
            return ioError("cannot read", path, err);
        }
        if (n == 0)
            break;
        out.append(buf, std::size_t(n));
    }
    ::close(fd);
    return out;
}

} // namespace drover::api
