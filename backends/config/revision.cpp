#include "config/spec.h"

#include <openssl/evp.h>

namespace drover::config {

namespace {

/// Length-prefixed fields, so that ["a b"] and ["a", "b"] never hash alike.
void field(std::string &out, std::string_view tag, std::string_view value)
{
    out += tag;
    out += ':';
    out += std::to_string(value.size());
    out += ':';
    out += value;
    out += ';';
}

} // namespace

std::string computeRevision(const PoolSpec &pool)
{
    std::string canon = "drover-revision-v1;";
    for (const std::string &arg : pool.command)
        field(canon, "arg", arg);
    field(canon, "cwd", pool.cwd);
    for (const auto &[k, v] : pool.env) { // std::map: sorted, so key order never matters
        field(canon, "envk", k);
        field(canon, "envv", v);
    }
    if (pool.ports)
        field(canon, "ports", pool.ports->toString());
    if (pool.limits.memory)
        field(canon, "mem", std::to_string(*pool.limits.memory));
    if (pool.limits.cpu)
        field(canon, "cpu", std::to_string(static_cast<long long>(*pool.limits.cpu * 1000)));
    if (pool.limits.nofile)
        field(canon, "nofile", std::to_string(*pool.limits.nofile));
    if (pool.limits.pids)
        field(canon, "pids", std::to_string(*pool.limits.pids));
    if (pool.container) { // a new tag is a new revision
        field(canon, "image", pool.container->image);
        for (const MountSpec &m : pool.container->mounts) {
            field(canon, "mnts", m.source);
            field(canon, "mntt", m.target);
            field(canon, "mntro", m.readOnly ? "1" : "0");
        }
        field(canon, "net", pool.container->network == ContainerNetwork::Host ? "host" : "private");
    }

    return shortDigest(canon);
}

std::string shortDigest(std::string_view data)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < 6 && i < len; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

} // namespace drover::config
