#include "engine/cgroupfs.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <fcntl.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace drover::engine::cgroupfs {

std::string errorText(int err)
{
    return std::generic_category().message(err);
}

int writeFile(const std::string &path, std::string_view value)
{
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int err = 0;
    ssize_t n = ::write(fd, value.data(), value.size());
    if (n < 0)
        err = errno;
    else if (static_cast<std::size_t>(n) != value.size())
        err = EIO;
    ::close(fd);
    return err;
}

std::string readFile(const std::string &path, int &err)
{
    err = 0;
    std::string out;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        err = errno;
        return out;
    }
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            err = errno;
            break;
        }
        if (n == 0)
            break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

bool exists(const std::string &path)
{
    struct stat st = {};
    return ::stat(path.c_str(), &st) == 0;
}

bool hasWord(std::string_view text, std::string_view word)
{
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
            ++i;
        std::size_t start = i;
        while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])))
            ++i;
        if (i > start && text.substr(start, i - start) == word)
            return true;
    }
    return false;
}

std::optional<std::uint64_t> readNumber(const std::string &path)
{
    int err = 0;
    std::string text = readFile(path, err);
    std::uint64_t v = 0;
    const char *begin = text.data();
    const char *end = text.data() + text.size();
    auto [stop, ec] = std::from_chars(begin, end, v);
    if (err != 0 || ec != std::errc() || stop == begin || v >= (std::uint64_t(1) << 62))
        return std::nullopt;
    return v;
}

} // namespace drover::engine::cgroupfs
