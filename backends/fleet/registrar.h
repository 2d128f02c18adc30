#pragma once

#include "fleet/etcd.h"
#include "fleet/record.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace drover::fleet {

struct RegistrarOptions
{
    EtcdOptions etcd;
    std::string key; ///< `<prefix><name>`
    std::chrono::seconds ttl{10};
    /// How often the record is looked at (and written when it changed): at most this often.
    std::chrono::milliseconds refresh{1000};
};

struct RegistrarStatus
{
    enum class State { Connecting, Registered, Retrying, Stopped };
    State state = State::Connecting;
    std::string message;        ///< the endpoint when registered; why not, when retrying
    std::int64_t retryAtMs = 0; ///< Unix ms of the next attempt while retrying
    /// One line for the log and the events: `registered as ... at ...`, `etcd lost: ...`.
    std::string describe(const std::string &key) const;
};
std::string_view toString(RegistrarStatus::State state);

/// droverd's entry in the fleet: a lease of `ttl` granted by etcd and kept alive (every
/// ttl/3), the master's record put under `key` with that lease, and written again when it
/// changed, looked at once per `refresh`. When etcd cannot be reached it retries with
/// backoff (0.5 s doubling to 30 s, with jitter) under a new lease, and says so through
/// `onStatus`; supervision never waits for it. Everything on the io_context's thread.
class Registrar
{
public:
    using Record = std::function<MasterRecord()>;
    using OnStatus = std::function<void(const RegistrarStatus &)>;
    Registrar(boost::asio::io_context &io, RegistrarOptions options, Record record,
              OnStatus onStatus);
    ~Registrar(); ///< no key removed: its lease expires after the TTL (as after a crash)
    Registrar(const Registrar &) = delete;
    Registrar &operator=(const Registrar &) = delete;

    void start();
    /// Revokes the lease (which removes the key), waiting at most `wait` for etcd; then
    /// `done` (once, on the loop).
    void stop(std::function<void()> done,
              std::chrono::milliseconds wait = std::chrono::milliseconds(2000));
    RegistrarStatus status() const;
    const RegistrarOptions &options() const;

    struct Core;

private:
    std::shared_ptr<Core> d;
};

} // namespace drover::fleet
