#pragma once

#include "fleet/etcd.h"
#include "fleet/record.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace drover::fleet {

struct FollowerStatus
{
    enum class State { Connecting, Following, Retrying };
    State state = State::Connecting;
    std::string message;        ///< the endpoint when following; why not, when retrying
    std::int64_t retryAtMs = 0; ///< Unix ms of the next attempt while retrying
    friend bool operator==(const FollowerStatus &, const FollowerStatus &) = default;
};

/// The masters registered under a prefix, followed live: every key read once (a range),
/// then etcd's watch from that revision on; a master that registers, changes or whose key
/// goes (a clean stop, or its lease expired) is seen as it happens. Changes are given to
/// `onChange` in batches, at most once per `coalesce`. When etcd is lost it retries with
/// backoff and reads everything again. On the io_context's thread.
class Follower
{
public:
    using OnChange =
        std::function<void(const std::vector<MasterRecord> &masters, const FollowerStatus &)>;
    Follower(boost::asio::io_context &io, EtcdOptions etcd, std::string prefix, OnChange onChange,
             std::chrono::milliseconds coalesce = std::chrono::milliseconds(100));
    ~Follower();
    Follower(const Follower &) = delete;
    Follower &operator=(const Follower &) = delete;

    void start();

    struct Core;

private:
    std::shared_ptr<Core> d;
};

/// A Follower on a thread of its own (the console's): `onChange` is called on that thread.
class FollowerThread
{
public:
    FollowerThread(EtcdOptions etcd, std::string prefix, Follower::OnChange onChange);
    ~FollowerThread(); ///< stops the thread; no callback after it returns

private:
    struct Private;
    std::unique_ptr<Private> d;
};

/// Every master under `prefix`, read once (`droverctl fleet ls`); blocks at most about the
/// etcd timeout per endpoint.
api::Result<std::vector<MasterRecord>> listMasters(const EtcdOptions &etcd,
                                                   const std::string &prefix);

} // namespace drover::fleet
