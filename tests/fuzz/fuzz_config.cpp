// libFuzzer: any bytes through the config loader. Besides crashes, sanitizer findings and
// time-outs, it checks the loader's promises: a result is either a config or errors, never
// both; the report is bounded; every located error has a sane position.
#include "config/loader.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace drover::config;
    LoadOptions options;
    options.env = [](const std::string &name) -> std::optional<std::string> {
        if (name == "HOME")
            return "/home/fuzz";
        if (name == "SET")
            return "value";
        return std::nullopt;
    };
    options.baseDir = "/fuzz";
    LoadResult r = loadText(std::string_view(reinterpret_cast<const char *>(data), size),
                            "fuzz.yaml", options);
    if (r.ok() == !r.errors.empty())
        std::abort();
    if (r.errors.size() > options.maxErrors)
        std::abort();
    for (const auto &e : r.errors) {
        if (e.line < 0 || e.column < 0 || e.message.empty() || e.message.size() > 4096)
            std::abort();
    }
    return 0;
}
