#include "engine/cgrouplimits.h"

#include "engine/cgroupfs.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace drover::engine::cgrouplimits {

using namespace cgroupfs;

namespace {

constexpr long kCpuPeriodUs = 100000;
constexpr long kCpuMinQuotaUs = 1000; ///< the kernel refuses a smaller CFS quota

std::string formatCores(double cores)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", cores);
    return buf;
}

/// Writes the limits of one controller into `dir` and records what was applied or not.
class LimitWriter
{
public:
    LimitWriter(const std::string &dir, bool v2, const config::LimitsSpec &limits,
                WorkerCgroup &out)
        : m_dir(dir)
        , m_v2(v2)
        , m_limits(limits)
        , m_out(out)
    {}

    void apply(std::string_view controller)
    {
        if (controller == "memory")
            memory();
        else if (controller == "cpu")
            cpu();
        else if (controller == "pids")
            pids();
    }

private:
    std::string suffix() const { return m_v2 ? " (cgroup v2)" : " (cgroup v1)"; }

    /// Writes one value; on failure adds a problem for `what` and returns false.
    bool put(const char *what, const std::string &file, const std::string &value, bool asked)
    {
        std::string path = m_dir + "/" + file;
        int err = writeFile(path, value);
        if (err == 0)
            return true;
        if (asked)
            m_out.problems.push_back(std::string(what) + ": cannot write " + value + " to " + path +
                                     ": " + errorText(err));
        else
            m_out.problems.push_back(std::string(what) + ": cannot reset to unlimited (" + path +
                                     ": " + errorText(err) + ")");
        return false;
    }

    void memory()
    {
        const auto &limit = m_limits.memory;
        std::string value;
        if (m_v2) {
            value = limit ? std::to_string(*limit) : "max";
            if (put("memory", "memory.max", value, limit.has_value()) && limit)
                m_out.applied.push_back("memory " + config::formatSize(*limit) + suffix());
            return;
        }
        // v1 wants limit_in_bytes <= memsw.limit_in_bytes at all times: open memsw first,
        // then set the limit, then close memsw down to it (no swapping past the limit). The
        // memsw file exists only with swap accounting; its failures are not problems.
        std::string memsw = m_dir + "/memory.memsw.limit_in_bytes";
        bool hasMemsw = exists(memsw);
        if (hasMemsw)
            writeFile(memsw, "-1");
        value = limit ? std::to_string(*limit) : "-1";
        if (!put("memory", "memory.limit_in_bytes", value, limit.has_value()) || !limit)
            return;
        if (hasMemsw)
            writeFile(memsw, value);
        m_out.applied.push_back("memory " + config::formatSize(*limit) + suffix());
    }

    void cpu()
    {
        const auto &cores = m_limits.cpu;
        long quota = -1;
        if (cores) {
            if (!std::isfinite(*cores) || *cores <= 0) {
                m_out.problems.push_back("cpu: invalid value " + formatCores(*cores));
                // still reset a reused group below
            } else {
                double q = std::round(*cores * static_cast<double>(kCpuPeriodUs));
                quota = q > 1e15 ? static_cast<long>(1e15) : static_cast<long>(q);
                quota = std::max(quota, kCpuMinQuotaUs);
            }
        }
        bool asked = quota > 0;
        if (m_v2) {
            std::string value = (asked ? std::to_string(quota) : std::string("max")) + " " +
                                std::to_string(kCpuPeriodUs);
            if (put("cpu", "cpu.max", value, asked) && asked)
                m_out.applied.push_back("cpu " + formatCores(*cores) + suffix());
            return;
        }
        // Unlimited first, so that the period can change whatever the old quota was.
        if (!put("cpu", "cpu.cfs_quota_us", "-1", asked))
            return;
        if (!put("cpu", "cpu.cfs_period_us", std::to_string(kCpuPeriodUs), asked))
            return;
        if (asked && put("cpu", "cpu.cfs_quota_us", std::to_string(quota), true))
            m_out.applied.push_back("cpu " + formatCores(*cores) + suffix());
    }

    void pids()
    {
        const auto &limit = m_limits.pids;
        if (limit && *limit < 0) {
            m_out.problems.push_back("pids: invalid value " + std::to_string(*limit));
            put("pids", "pids.max", "max", false);
            return;
        }
        std::string value = limit ? std::to_string(*limit) : "max";
        if (put("pids", "pids.max", value, limit.has_value()) && limit)
            m_out.applied.push_back("pids " + value + suffix());
    }

    const std::string &m_dir;
    bool m_v2;
    const config::LimitsSpec &m_limits;
    WorkerCgroup &m_out;
};

} // namespace

bool asked(const config::LimitsSpec &limits, std::string_view controller)
{
    if (controller == "memory")
        return limits.memory.has_value();
    if (controller == "cpu")
        return limits.cpu.has_value();
    if (controller == "pids")
        return limits.pids.has_value();
    return false;
}

std::string read(const std::string &dir, const std::string &controller, bool v2)
{
    const std::string suffix = v2 ? " (cgroup v2)" : " (cgroup v1)";
    if (controller == "memory") {
        auto bytes = readNumber(dir + (v2 ? "/memory.max" : "/memory.limit_in_bytes"));
        return bytes ? "memory " + config::formatSize(*bytes) + suffix : std::string();
    }
    if (controller == "cpu") {
        std::optional<std::uint64_t> quota, period;
        if (v2) {
            int err = 0;
            std::string text = readFile(dir + "/cpu.max", err); // "50000 100000" or "max ..."
            std::uint64_t q = 0, p = 0;
            const char *end = text.data() + text.size();
            auto first = std::from_chars(text.data(), end, q);
            if (err == 0 && first.ec == std::errc() && first.ptr < end && *first.ptr == ' ' &&
                std::from_chars(first.ptr + 1, end, p).ec == std::errc()) {
                quota = q;
                period = p;
            }
        } else {
            quota = readNumber(dir + "/cpu.cfs_quota_us");
            period = readNumber(dir + "/cpu.cfs_period_us");
        }
        if (!quota || !period || *period == 0)
            return {};
        return "cpu " + formatCores(double(*quota) / double(*period)) + suffix;
    }
    if (controller == "pids") {
        auto n = readNumber(dir + "/pids.max");
        return n ? "pids " + std::to_string(*n) + suffix : std::string();
    }
    return {};
}

void write(const std::string &dir, bool v2, std::string_view controller,
           const config::LimitsSpec &limits, WorkerCgroup &out)
{
    LimitWriter(dir, v2, limits, out).apply(controller);
}

} // namespace drover::engine::cgrouplimits
