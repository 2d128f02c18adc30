#include "config/loader.h"

#include "config/diagnostics.h"
#include "config/validate.h"
#include "config/yamltree.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <new>
#include <sys/stat.h>
#include <tuple>
#include <unistd.h>

namespace drover::config {

std::string LoadResult::report() const
{
    std::string out;
    for (const api::Diagnostic &d : errors)
        out += d.toString() + '\n';
    if (moreErrors > 0)
        out += "and " + std::to_string(moreErrors) + " more error" + (moreErrors == 1 ? "" : "s") +
               '\n';
    return out;
}

namespace {

LoadResult fileError(const std::string &file, std::string message)
{
    LoadResult r;
    r.errors.push_back({file, 0, 0, {}, std::move(message)});
    return r;
}

std::string absoluteDir(const std::string &dir)
{
    std::error_code ec;
    auto p = std::filesystem::absolute(dir.empty() ? "." : dir, ec);
    return ec ? dir : p.lexically_normal().string();
}

} // namespace

LoadResult loadText(std::string_view text, const std::string &fileName, const LoadOptions &options)
{
    try {
        Diagnostics diagnostics(fileName);
        ParsedTree tree = parseYaml(text, options.limits);
        for (const TreeError &e : tree.errors)
            diagnostics.add(e.mark, {}, e.message);
        Config config;
        if (!tree.fatal) {
            SourceMap source(text);
            ValidateContext ctx{source, options.env, absoluteDir(options.baseDir), diagnostics};
            config.file = fileName;
            config.baseDir = ctx.baseDir;
            validate(std::move(tree.root), ctx, config);
            config.notActedOn = std::move(ctx.notActedOn);
            std::stable_sort(config.notActedOn.begin(), config.notActedOn.end(),
                             [](const api::Diagnostic &a, const api::Diagnostic &b) {
                                 return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                             });
            config.notActedOn.erase(std::unique(config.notActedOn.begin(), config.notActedOn.end()),
                                    config.notActedOn.end());
        }
        LoadResult result;
        result.errors = diagnostics.report(options.maxErrors, result.moreErrors);
        if (diagnostics.empty()) {
            config.text = std::string(text);
            config.digest = shortDigest(text);
            result.config = std::move(config);
        }
        return result;
    } catch (const std::bad_alloc &) {
        return fileError(fileName, "out of memory while checking the file");
    } catch (const std::exception &e) {
        return fileError(fileName,
                         std::string("internal error while checking the file: ") + e.what());
    }
}

LoadResult loadFile(const std::string &path, const LoadOptions &options)
{
    // Check what the path is before reading it: a directory, a FIFO or /dev/zero must not
    // make us read forever, and a huge file is refused by its size.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return fileError(path, std::string("cannot open: ") + std::strerror(errno));
    struct stat st
    {
    };
    if (::fstat(fd, &st) != 0) {
        int err = errno;
        ::close(fd);
        return fileError(path, std::string("cannot read: ") + std::strerror(err));
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        return fileError(path, "is a directory, not a config file");
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return fileError(path, "is not a regular file");
    }
    if (static_cast<std::uint64_t>(st.st_size) > options.limits.maxBytes) {
        ::close(fd);
        char buf[96];
        std::snprintf(buf, sizeof buf,
                      "the file is %.1f MiB; config files over %.1f MiB are refused",
                      static_cast<double>(st.st_size) / (1 << 20),
                      static_cast<double>(options.limits.maxBytes) / (1 << 20));
        LoadResult r;
        r.errors.push_back({path, 1, 1, {}, buf});
        return r;
    }
    std::string text;
    text.resize(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < text.size()) {
        ssize_t n = ::read(fd, text.data() + got, text.size() - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;
            ::close(fd);
            return fileError(path, std::string("cannot read: ") + std::strerror(err));
        }
        if (n == 0)
            break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    text.resize(got);

    LoadOptions o = options;
    if (o.baseDir.empty())
        o.baseDir = std::filesystem::path(path).parent_path().string();
    return loadText(text, path, o);
}

} // namespace drover::config
