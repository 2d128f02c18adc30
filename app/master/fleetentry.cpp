// clang-format off
// Boost 1.74's Asio uses std::exchange without including <utility> (g++ 12, C++20): keep it first.
#include <utility>
// clang-format on

#include "fleetentry.h"

#include "api/version.h"
#include "engine/engine.h"
#include "fleet/registrar.h"
#include "remote/server.h"

#include <boost/asio/io_context.hpp>
#include <spdlog/spdlog.h>

#include <map>
#include <unistd.h>

namespace drover::master {

namespace {

std::string hostName()
{
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || !*name)
        return "localhost";
    return name;
}

/// What a console connects to: the listen address, or this host's name when droverd
/// listens on every address.
std::string urlOf(const config::MasterSpec &master, int port)
{
    std::string host = master.listen.host;
    if (host.empty() || host == "0.0.0.0" || host == "::")
        host = hostName();
    if (host.find(':') != std::string::npos)
        host = "[" + host + "]";
    return std::string(master.tls ? "wss://" : "ws://") + host + ":" + std::to_string(port);
}

} // namespace

FleetEntry::FleetEntry(boost::asio::io_context &io, engine::Engine &engine, remote::Server &server)
    : m_io(io)
    , m_engine(engine)
    , m_server(server)
    , m_startedMs(std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count())
{}

FleetEntry::~FleetEntry() = default;

void FleetEntry::apply(const config::MasterSpec &master)
{
    if (m_spec == master.fleet)
        return;
    m_spec = master.fleet;
    m_server.setFleetRegistered(m_spec ? std::optional<bool>(false) : std::nullopt);
    if (m_registrar) {
        // The old key goes (its lease revoked) while the new one is made: a changed name or
        // prefix leaves no stale entry behind.
        std::shared_ptr<fleet::Registrar> old(std::move(m_registrar));
        old->stop([old] {});
    }
    if (!m_spec)
        return;
    const config::FleetSpec &spec = *m_spec;
    const int port = m_server.port();
    fleet::RegistrarOptions options;
    options.etcd.endpoints = spec.etcd;
    options.etcd.tls = spec.tls;
    options.ttl = std::chrono::duration_cast<std::chrono::seconds>(spec.ttl);
    const std::string name =
        spec.name.empty() ? hostName() + ":" + std::to_string(port) : spec.name;
    options.key = spec.prefix + name;

    fleet::MasterRecord base;
    base.name = name;
    base.url = spec.url.empty() ? urlOf(master, port) : spec.url;
    base.version = kVersion;
    base.fingerprint = m_server.fingerprint();
    base.host = hostName();
    base.pid = int(::getpid());
    base.startedMs = m_startedMs;
    auto record = [this, base] {
        fleet::MasterRecord r = base;
        for (api::Role role : m_server.tokenRoles())
            r.roles.emplace_back(api::toString(role));
        const api::Snapshot s = m_engine.snapshot();
        std::map<std::string, int> failed;
        for (const api::WorkerInfo &w : s.workers)
            failed[w.pool] += w.state == api::WorkerState::Failed;
        for (const api::PoolInfo &p : s.pools)
            r.pools.push_back(
                {p.name, p.desired, p.running, p.ready, failed[p.name], p.job.has_value()});
        return r;
    };
    const std::string key = options.key;
    auto onStatus = [this, key](const fleet::RegistrarStatus &status) {
        using State = fleet::RegistrarStatus::State;
        const std::string line = status.describe(key);
        switch (status.state) {
        case State::Connecting:
            spdlog::info("fleet.registering key={}", key);
            return;
        case State::Registered:
            m_server.setFleetRegistered(true);
            spdlog::info("fleet.registered key={} etcd={}", key, status.message);
            m_engine.addEvent("fleet.registered", "", line, "");
            return;
        case State::Retrying:
            m_server.setFleetRegistered(false);
            spdlog::warn("fleet.lost key={} reason=\"{}\"", key, status.message);
            m_engine.addEvent("fleet.lost", "", line, status.message);
            return;
        case State::Stopped:
            m_server.setFleetRegistered(false);
            spdlog::info("fleet.removed key={}", key);
            return;
        }
    };
    m_registrar = std::make_unique<fleet::Registrar>(m_io, std::move(options), std::move(record),
                                                     std::move(onStatus));
    m_registrar->start();
}

void FleetEntry::stop(std::function<void()> done)
{
    if (!m_registrar) {
        done();
        return;
    }
    m_registrar->stop(std::move(done));
}

} // namespace drover::master
