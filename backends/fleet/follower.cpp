// clang-format off
// Boost 1.74's Asio uses std::exchange without including <utility> (g++ 12, C++20): keep it first.
#include <utility>
// clang-format on

#include "fleet/follower.h"

#include "api/clock.h"
#include "fleet/backoff.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <map>
#include <thread>

namespace drover::fleet {

namespace asio = boost::asio;
using nlohmann::json;
using State = FollowerStatus::State;

namespace {

/// etcd's JSON writes 64-bit numbers as strings.
std::int64_t int64Of(const json &j)
{
    if (j.is_number_integer())
        return j.get<std::int64_t>();
    if (j.is_string()) {
        try {
            return std::stoll(j.get<std::string>());
        } catch (...) {
        }
    }
    return 0;
}

json rangeOf(const std::string &prefix)
{
    return {{"key", EtcdClient::toBase64(prefix)},
            {"range_end", EtcdClient::toBase64(EtcdClient::prefixEnd(prefix))}};
}

/// The records of a range's answer.
std::map<std::string, MasterRecord> recordsOf(const json &range)
{
    std::map<std::string, MasterRecord> out;
    if (auto kvs = range.find("kvs"); kvs != range.end() && kvs->is_array()) {
        for (const json &kv : *kvs) {
            const std::string key = EtcdClient::fromBase64(kv.value("key", ""));
            out[key] = decode(key, EtcdClient::fromBase64(kv.value("value", "")));
        }
    }
    return out;
}

/// How often a watch that is quiet is checked to still have etcd at its other end.
constexpr std::chrono::milliseconds kLiveness{5000};

} // namespace

struct Follower::Core : std::enable_shared_from_this<Core>
{
    Core(asio::io_context &io, EtcdOptions options, std::string prefix, OnChange onChange,
         std::chrono::milliseconds coalesce)
        : io(io)
        , etcd(std::make_unique<EtcdClient>(io, std::move(options)))
        , prefix(std::move(prefix))
        , onChange(std::move(onChange))
        , coalesce(coalesce)
        , notifyTimer(io)
        , retryTimer(io)
        , livenessTimer(io)
        , backoff(std::chrono::milliseconds(500), std::chrono::milliseconds(15000))
    {}

    asio::io_context &io;
    std::unique_ptr<EtcdClient> etcd;
    std::string prefix;
    OnChange onChange;
    std::chrono::milliseconds coalesce;
    asio::steady_timer notifyTimer;
    asio::steady_timer retryTimer;
    asio::steady_timer livenessTimer;
    std::map<std::string, MasterRecord> masters;
    FollowerStatus status;
    std::uint64_t watch = 0;
    std::uint64_t generation = 0; ///< a new sync: what an older one hears is ignored
    bool notifyPending = false;
    bool closed = false;
    Backoff backoff;

    void notifyNow()
    {
        notifyPending = false;
        if (closed || !onChange)
            return;
        std::vector<MasterRecord> list;
        list.reserve(masters.size());
        for (const auto &[key, m] : masters)
            list.push_back(m);
        onChange(list, status);
    }

    void notifySoon()
    {
        if (notifyPending)
            return;
        notifyPending = true;
        notifyTimer.expires_after(coalesce);
        notifyTimer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (!ec)
                self->notifyNow();
        });
    }

    void sync()
    {
        const std::uint64_t g = ++generation;
        etcd->call(
            "/v3/kv/range", rangeOf(prefix), [self = shared_from_this(), g](api::Result<json> r) {
                if (self->closed || g != self->generation)
                    return;
                if (!r.ok())
                    return self->fail(r.error().message);
                self->masters = recordsOf(*r);
                const std::int64_t revision = int64Of((*r)["header"].value("revision", json()));
                self->backoff.reset();
                self->status = {State::Following, self->etcd->endpoint(), 0};
                self->notifyNow();
                self->follow(g, revision + 1);
            });
    }

    void follow(std::uint64_t g, std::int64_t fromRevision)
    {
        json create = rangeOf(prefix);
        create["start_revision"] = std::to_string(fromRevision);
        watch = etcd->stream(
            "/v3/watch", {{"create_request", create}},
            [self = shared_from_this(), g](const json &m) {
                if (g == self->generation)
                    self->onMessage(m);
            },
            [self = shared_from_this(), g](const api::Error &e) {
                if (!self->closed && g == self->generation)
                    self->fail(e.message);
            });
        checkLiveness(g);
    }

    void onMessage(const json &m)
    {
        if (m.value("canceled", false) || int64Of(m.value("compact_revision", json())) > 0) {
            // Compacted past our revision, or cancelled by etcd: read everything again.
            etcd->cancel(watch);
            return sync();
        }
        auto events = m.find("events");
        if (events == m.end() || !events->is_array())
            return;
        for (const json &e : *events) {
            const json &kv = e.value("kv", json::object());
            const std::string key = EtcdClient::fromBase64(kv.value("key", ""));
            if (e.value("type", "PUT") == "DELETE")
                masters.erase(key);
            else
                masters[key] = decode(key, EtcdClient::fromBase64(kv.value("value", "")));
        }
        notifySoon();
    }

    /// A watch says nothing when nothing changes, also when etcd's host is gone without a
    /// word: etcd is asked for its status every few seconds, and the watch started again
    /// when it does not answer.
    void checkLiveness(std::uint64_t g)
    {
        livenessTimer.expires_after(kLiveness);
        livenessTimer.async_wait([self = shared_from_this(), g](boost::system::error_code ec) {
            if (ec || self->closed || g != self->generation)
                return;
            self->etcd->call("/v3/maintenance/status", json::object(),
                             [self, g](api::Result<json> r) {
                                 if (self->closed || g != self->generation)
                                     return;
                                 if (!r.ok())
                                     return self->fail(r.error().message);
                                 self->checkLiveness(g);
                             });
        });
    }

    void fail(const std::string &why)
    {
        const std::uint64_t g = ++generation;
        if (watch)
            etcd->cancel(watch);
        watch = 0;
        livenessTimer.cancel();
        const auto wait = backoff.next();
        status = {State::Retrying, why, api::nowMs() + wait.count()};
        notifyNow(); // the masters seen last stay listed, with the state saying it
        retryTimer.expires_after(wait);
        retryTimer.async_wait([self = shared_from_this(), g](boost::system::error_code ec) {
            if (!ec && !self->closed && g == self->generation)
                self->sync();
        });
    }
};

Follower::Follower(asio::io_context &io, EtcdOptions etcd, std::string prefix, OnChange onChange,
                   std::chrono::milliseconds coalesce)
    : d(std::make_shared<Core>(io, std::move(etcd), std::move(prefix), std::move(onChange),
                               coalesce))
{}

Follower::~Follower()
{
    d->closed = true;
    d->notifyTimer.cancel();
    d->retryTimer.cancel();
    d->livenessTimer.cancel();
    d->etcd.reset();
}

void Follower::start()
{
    d->status = {State::Connecting, {}, 0};
    d->sync();
}

struct FollowerThread::Private
{
    asio::io_context io{1};
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    std::unique_ptr<Follower> follower;
    std::thread thread;
};

FollowerThread::FollowerThread(EtcdOptions etcd, std::string prefix, Follower::OnChange onChange)
    : d(std::make_unique<Private>())
{
    d->follower =
        std::make_unique<Follower>(d->io, std::move(etcd), std::move(prefix), std::move(onChange));
    asio::post(d->io, [f = d->follower.get()] { f->start(); });
    d->thread = std::thread([io = &d->io] { io->run(); });
}

FollowerThread::~FollowerThread()
{
    // The follower is destroyed on its own thread, then the loop ends.
    asio::post(d->io, [this] {
        d->follower.reset();
        d->work.reset();
        d->io.stop();
    });
    d->thread.join();
}

api::Result<std::vector<MasterRecord>> listMasters(const EtcdOptions &etcd,
                                                   const std::string &prefix)
{
    asio::io_context io{1};
    EtcdClient client(io, etcd);
    std::optional<api::Result<json>> answer;
    client.call("/v3/kv/range", rangeOf(prefix),
                [&answer](api::Result<json> r) { answer = std::move(r); });
    io.run();
    if (!answer)
        return api::Error{api::ErrorCode::Unavailable, "etcd did not answer", {}};
    if (!answer->ok())
        return answer->error();
    std::vector<MasterRecord> out;
    for (auto &[key, m] : recordsOf(**answer))
        out.push_back(std::move(m));
    return out;
}

} // namespace drover::fleet
