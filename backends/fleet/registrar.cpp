// clang-format off
// Boost 1.74's Asio uses std::exchange without including <utility> (g++ 12, C++20): keep it first.
#include <utility>
// clang-format on

#include "fleet/registrar.h"

#include "api/clock.h"
#include "fleet/backoff.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>

namespace drover::fleet {

namespace asio = boost::asio;
using nlohmann::json;
using State = RegistrarStatus::State;

std::string_view toString(RegistrarStatus::State state)
{
    switch (state) {
    case State::Connecting:
        return "connecting";
    case State::Registered:
        return "registered";
    case State::Retrying:
        return "retrying";
    case State::Stopped:
        return "stopped";
    }
    return "stopped";
}

std::string RegistrarStatus::describe(const std::string &key) const
{
    switch (state) {
    case State::Connecting:
        return "registering " + key + " in etcd";
    case State::Registered:
        return "registered " + key + " in etcd " + message;
    case State::Retrying: {
        const std::int64_t in = std::max<std::int64_t>(0, retryAtMs - api::nowMs());
        return "etcd lost (" + message + "); supervision goes on; next attempt in " +
               std::to_string((in + 999) / 1000) + " s";
    }
    case State::Stopped:
        return "removed " + key + " from etcd";
    }
    return {};
}

struct Registrar::Core : std::enable_shared_from_this<Core>
{
    Core(asio::io_context &io, RegistrarOptions options, Record record, OnStatus onStatus)
        : io(io)
        , options(std::move(options))
        , etcd(std::make_unique<EtcdClient>(io, this->options.etcd))
        , record(std::move(record))
        , onStatus(std::move(onStatus))
        , timer(io)
        , backoff(std::chrono::milliseconds(500), std::chrono::milliseconds(30000))
    {
        status.state = State::Stopped; // start() says "connecting"
    }

    asio::io_context &io;
    RegistrarOptions options;
    std::unique_ptr<EtcdClient> etcd;
    Record record;
    OnStatus onStatus;
    asio::steady_timer timer;
    RegistrarStatus status;
    std::string lease;   ///< etcd's lease ID (a 64-bit number, as etcd's JSON writes it)
    std::string written; ///< the record as last put (without its time)
    std::chrono::steady_clock::time_point keptAlive;
    Backoff backoff;
    bool stopping = false;
    std::uint64_t generation = 0; ///< a new lease's attempt: older callbacks are ignored

    void setStatus(State state, std::string message, std::int64_t retryAtMs = 0)
    {
        const bool same = status.state == state && status.message == message;
        status = {state, std::move(message), retryAtMs};
        if (!same && onStatus)
            onStatus(status);
    }

    /// Ignores what comes back for an attempt that is over.
    template <class F>
    EtcdClient::Reply guard(F f)
    {
        return [self = shared_from_this(), g = generation,
                f = std::move(f)](api::Result<json> r) mutable {
            if (self->stopping || g != self->generation)
                return;
            f(std::move(r));
        };
    }

    void grant()
    {
        ++generation;
        lease.clear();
        etcd->call("/v3/lease/grant", {{"TTL", options.ttl.count()}},
                   guard([this](api::Result<json> r) {
                       if (!r.ok())
                           return fail(r.error().message);
                       const json &id = (*r)["ID"];
                       lease = id.is_string() ? id.get<std::string>() : id.dump();
                       keptAlive = std::chrono::steady_clock::now();
                       put(true, record());
                   }));
    }

    void put(bool first, MasterRecord rec)
    {
        rec.updatedMs = api::nowMs();
        std::string stable = encode(rec, true);
        json body{{"key", EtcdClient::toBase64(options.key)},
                  {"value", EtcdClient::toBase64(encode(rec))},
                  {"lease", lease}};
        etcd->call("/v3/kv/put", std::move(body),
                   guard([this, first, stable = std::move(stable)](api::Result<json> r) {
                       if (!r.ok())
                           return fail(r.error().message);
                       written = stable;
                       if (first) {
                           backoff.reset();
                           setStatus(State::Registered, etcd->endpoint());
                       }
                       tick();
                   }));
    }

    void tick()
    {
        timer.expires_after(options.refresh);
        timer.async_wait([self = shared_from_this(), g = generation](boost::system::error_code ec) {
            if (ec || self->stopping || g != self->generation)
                return;
            self->refresh();
        });
    }

    void refresh()
    {
        if (std::chrono::steady_clock::now() - keptAlive >= options.ttl / 3) {
            etcd->call("/v3/lease/keepalive", {{"ID", lease}}, guard([this](api::Result<json> r) {
                           if (!r.ok())
                               return fail(r.error().message);
                           // A lease that expired meanwhile comes back with no TTL.
                           const json &ttl = r->value("TTL", json());
                           if (ttl.is_null() || ttl == "0" || ttl == 0)
                               return fail("the lease expired");
                           keptAlive = std::chrono::steady_clock::now();
                           setStatus(State::Registered, etcd->endpoint());
                           writeIfChanged();
                       }));
            return;
        }
        writeIfChanged();
    }

    /// The record as it is now (one look at the engine), written when it is not what was
    /// written last; then the next tick.
    void writeIfChanged()
    {
        MasterRecord rec = record();
        if (encode(rec, true) == written)
            return tick();
        put(false, std::move(rec));
    }

    void fail(const std::string &why)
    {
        ++generation;
        const auto wait = backoff.next();
        setStatus(State::Retrying, why, api::nowMs() + wait.count());
        timer.expires_after(wait);
        timer.async_wait([self = shared_from_this(), g = generation](boost::system::error_code ec) {
            if (ec || self->stopping || g != self->generation)
                return;
            self->grant();
        });
    }
};

Registrar::Registrar(asio::io_context &io, RegistrarOptions options, Record record,
                     OnStatus onStatus)
    : d(std::make_shared<Core>(io, std::move(options), std::move(record), std::move(onStatus)))
{}

Registrar::~Registrar()
{
    d->stopping = true;
    d->timer.cancel();
    d->etcd.reset(); // no callback after this
}

void Registrar::start()
{
    d->setStatus(State::Connecting, {});
    d->grant();
}

void Registrar::stop(std::function<void()> done, std::chrono::milliseconds wait)
{
    d->stopping = true;
    d->timer.cancel();
    auto once = std::make_shared<std::function<void()>>(std::move(done));
    auto finish = [self = d, once] {
        if (!*once)
            return;
        auto f = std::move(*once);
        *once = nullptr;
        self->setStatus(State::Stopped, {});
        f();
    };
    if (d->lease.empty() || d->status.state != State::Registered) {
        asio::post(d->io, finish);
        return;
    }
    auto deadline = std::make_shared<asio::steady_timer>(d->io, wait);
    deadline->async_wait([finish](boost::system::error_code) { finish(); });
    d->etcd->call("/v3/lease/revoke", {{"ID", d->lease}}, [finish, deadline](api::Result<json>) {
        deadline->cancel();
        finish();
    });
}

RegistrarStatus Registrar::status() const
{
    return d->status;
}

const RegistrarOptions &Registrar::options() const
{
    return d->options;
}

} // namespace drover::fleet
