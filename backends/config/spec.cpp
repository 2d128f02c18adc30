#include "config/spec.h"

#include <algorithm>
#include <cstdio>

namespace drover::config {

std::string formatDuration(Duration d)
{
    auto ms = d.count();
    if (ms == 0)
        return "0s";
    if (ms % 1000 != 0 && ms < 60'000)
        return ms < 1000 ? std::to_string(ms) + "ms"
                         : std::to_string(ms / 1000) + "s" + std::to_string(ms % 1000) + "ms";
    std::string out;
    struct Unit
    {
        long long ms;
        const char *name;
    };
    for (Unit u : {Unit{86'400'000, "d"}, Unit{3'600'000, "h"}, Unit{60'000, "m"}, Unit{1000, "s"},
                   Unit{1, "ms"}}) {
        if (ms >= u.ms) {
            out += std::to_string(ms / u.ms) + u.name;
            ms %= u.ms;
        }
    }
    return out;
}

std::string formatSize(std::uint64_t bytes)
{
    static const char *units[] = {"Ki", "Mi", "Gi", "Ti"};
    if (bytes < 1024)
        return std::to_string(bytes);
    double v = static_cast<double>(bytes);
    int u = -1;
    while (v >= 1024 && u < 3) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    if (v == static_cast<double>(static_cast<std::uint64_t>(v)))
        std::snprintf(buf, sizeof buf, "%llu%s", static_cast<unsigned long long>(v), units[u]);
    else
        std::snprintf(buf, sizeof buf, "%.1f%s", v, units[u]);
    return buf;
}

namespace {

/// Whether `host:port` text had a `:` before its port (the port may be empty then: an error).
bool colonGiven(std::string_view text, std::string_view port)
{
    return !port.empty() || (!text.empty() && text.back() == ':');
}

} // namespace

std::string Endpoint::toString() const
{
    if (host.find(':') != std::string::npos)
        return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

bool Endpoint::isLoopback() const
{
    if (host == "localhost" || host == "::1")
        return true;
    unsigned a = 0, b = 0, c = 0, d = 0;
    char tail = 0;
    if (std::sscanf(host.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4)
        return a == 127 && b < 256 && c < 256 && d < 256;
    return false;
}

std::string EtcdEndpoint::toString() const
{
    const bool v6 = host.find(':') != std::string::npos;
    return std::string(https ? "https://" : "http://") + (v6 ? "[" + host + "]" : host) + ":" +
           std::to_string(port);
}

std::optional<EtcdEndpoint> EtcdEndpoint::parse(std::string_view text)
{
    EtcdEndpoint out;
    if (text.starts_with("https://")) {
        out.https = true;
        text.remove_prefix(8);
    } else if (text.starts_with("http://")) {
        text.remove_prefix(7);
    } else {
        return std::nullopt;
    }
    if (!text.empty() && text.back() == '/')
        text.remove_suffix(1);
    std::string_view port;
    if (text.starts_with("[")) {
        const auto close = text.find(']');
        if (close == std::string_view::npos)
            return std::nullopt;
        out.host = std::string(text.substr(1, close - 1));
        std::string_view rest = text.substr(close + 1);
        if (!rest.empty() && !rest.starts_with(":"))
            return std::nullopt;
        port = rest.empty() ? rest : rest.substr(1);
    } else {
        const auto colon = text.find(':');
        out.host = std::string(text.substr(0, colon));
        port = colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
    }
    if (out.host.empty() || out.host.find_first_of("/?#@ ") != std::string::npos)
        return std::nullopt;
    if (colonGiven(text, port)) {
        if (port.empty() || port.size() > 5 ||
            !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return std::nullopt;
        out.port = std::stoi(std::string(port));
        if (out.port < 1 || out.port > 65535)
            return std::nullopt;
    }
    return out;
}

std::string PortRange::toString() const
{
    return first == last ? std::to_string(first)
                         : std::to_string(first) + "-" + std::to_string(last);
}

int PoolSpec::workersAtStart() const
{
    if (job)
        return 0; // runs start when they are due
    if (!autoscale)
        return replicas;
    return std::min(autoscale->max, std::max(autoscale->min, autoscale->minIdle));
}

std::string Summary::toString() const
{
    auto count = [](int n, const char *one, const char *many) {
        return std::to_string(n) + " " + (n == 1 ? one : many);
    };
    std::string out = count(pools, "pool", "pools") + ", " +
                      count(workersAtStart, "worker", "workers") + " at start, " +
                      count(probes, "probe", "probes") + ", " +
                      count(gateways, "gateway", "gateways");
    if (jobs > 0)
        out += ", " + count(jobs, "job", "jobs");
    if (adopted > 0)
        out += ", " + count(adopted, "adopted process", "adopted processes");
    return out;
}

const PoolSpec *Config::pool(std::string_view name) const
{
    auto it =
        std::find_if(pools.begin(), pools.end(), [&](const auto &p) { return p.name == name; });
    return it == pools.end() ? nullptr : &*it;
}

Summary Config::summary() const
{
    Summary s;
    s.pools = static_cast<int>(pools.size());
    for (const PoolSpec &p : pools) {
        s.workersAtStart += p.workersAtStart();
        s.probes += p.probes.count();
        s.gateways += p.gateway.has_value();
        s.jobs += p.job.has_value();
    }
    for (const AdoptedSpec &a : adopted) {
        ++s.workersAtStart;
        s.probes += a.probes.count();
    }
    s.adopted = static_cast<int>(adopted.size());
    return s;
}

} // namespace drover::config
