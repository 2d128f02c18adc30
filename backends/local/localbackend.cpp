#include "local/localbackend.h"

#include "local/enginethread.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <future>
#include <map>
#include <vector>

namespace drover::local {

struct LocalBackend::Private
{
    EngineThread thread;
    engine::EngineOptions options;
    std::unique_ptr<engine::Engine> engine; ///< made, used and destroyed on the engine thread
    std::atomic<std::uint64_t> nextId{0};
    std::map<std::uint64_t, std::uint64_t> engineIds;     ///< ours -> the engine's (engine thread)
    std::map<std::uint64_t, std::uint64_t> engineFollows; ///< log follows, the same way
    /// Subscriptions made before start(): attached to the engine before it starts, so they
    /// see every worker come up.
    struct Early
    {
        std::shared_ptr<api::StreamListener> listener;
        std::uint64_t since = 0;
        std::vector<std::string> series;
    };
    std::map<std::uint64_t, Early> early;
};

LocalBackend::LocalBackend(engine::EngineOptions options)
    : d(std::make_unique<Private>())
{
    d->options = std::move(options);
    d->thread.start();
}

LocalBackend::~LocalBackend()
{
    std::promise<void> gone;
    d->thread.post([this, &gone] {
        d->engine.reset();
        gone.set_value();
    });
    gone.get_future().wait();
    d->thread.stop();
}

api::Result<bool> LocalBackend::start(std::shared_ptr<const config::Config> config)
{
    std::promise<api::Result<bool>> result;
    d->thread.post([this, &result, config = std::move(config)] {
        d->engine = std::make_unique<engine::Engine>(d->thread.context(), d->options);
        for (auto &[id, e] : d->early) {
            std::uint64_t engineId = d->engine->subscribe(std::move(e.listener), e.since);
            d->engineIds[id] = engineId;
            if (!e.series.empty())
                d->engine->setMetricSeries(engineId, std::move(e.series));
        }
        d->early.clear();
        const bool fleet = config && config->master.fleet;
        result.set_value(d->engine->start(config));
        // Only droverd serves consoles, so only droverd registers in a fleet: said, never
        // silently ignored.
        if (fleet)
            d->engine->addEvent("config.not-acted-on", "",
                                "master.fleet: not acted on by an embedded master (only droverd "
                                "registers in etcd; the console follows a fleet through File > "
                                "Add Fleet)",
                                "");
    });
    return result.get_future().get();
}

void LocalBackend::reload(std::shared_ptr<const config::Config> config)
{
    d->thread.post([this, config = std::move(config)] {
        if (d->engine)
            d->engine->reload(config);
    });
}

void LocalBackend::shutdown()
{
    std::promise<void> stopped;
    d->thread.post([this, &stopped] {
        if (!d->engine)
            return stopped.set_value();
        d->engine->shutdown([&stopped] { stopped.set_value(); });
    });
    stopped.get_future().wait();
}

std::uint64_t LocalBackend::subscribe(std::shared_ptr<api::StreamListener> listener,
                                      std::uint64_t since)
{
    std::uint64_t id = ++d->nextId;
    d->thread.post([this, id, since, listener = std::move(listener)]() mutable {
        if (d->engine)
            d->engineIds[id] = d->engine->subscribe(std::move(listener), since);
        else
            d->early[id] = Private::Early{std::move(listener), since, {}};
    });
    return id;
}

void LocalBackend::unsubscribe(std::uint64_t subscription)
{
    d->thread.post([this, subscription] {
        d->early.erase(subscription);
        auto it = d->engineIds.find(subscription);
        if (it == d->engineIds.end())
            return;
        if (d->engine)
            d->engine->unsubscribe(it->second);
        d->engineIds.erase(it);
    });
}

void LocalBackend::setMetricSeries(std::uint64_t subscription, std::vector<std::string> series)
{
    d->thread.post([this, subscription, series = std::move(series)]() mutable {
        if (auto e = d->early.find(subscription); e != d->early.end()) {
            e->second.series = std::move(series);
            return;
        }
        auto it = d->engineIds.find(subscription);
        if (it != d->engineIds.end() && d->engine)
            d->engine->setMetricSeries(it->second, std::move(series));
    });
}

void LocalBackend::request(const std::string &op, const nlohmann::json &args, api::ReplyFn done)
{
    d->thread.post([this, op, args, done = std::move(done)]() mutable {
        if (!d->engine) {
            done(
                api::Error{api::ErrorCode::Unavailable, "the embedded master has not started", {}});
            return;
        }
        d->engine->request(op, args, std::move(done), api::Role::Admin, "console");
    });
}

std::uint64_t LocalBackend::followLogs(const nlohmann::json &args, api::LogLinesFn onLines,
                                       api::ReplyFn done)
{
    std::uint64_t id = ++d->nextId;
    d->thread.post([this, id, args, onLines = std::move(onLines),
                    done = std::move(done)]() mutable {
        if (!d->engine) {
            done(
                api::Error{api::ErrorCode::Unavailable, "the embedded master has not started", {}});
            return;
        }
        if (std::uint64_t engineId =
                d->engine->followLogs(args, std::move(onLines), std::move(done)))
            d->engineFollows[id] = engineId;
    });
    return id;
}

void LocalBackend::unfollowLogs(std::uint64_t follow)
{
    d->thread.post([this, follow] {
        auto it = d->engineFollows.find(follow);
        if (it == d->engineFollows.end())
            return;
        if (d->engine)
            d->engine->unfollowLogs(it->second);
        d->engineFollows.erase(it);
    });
}

} // namespace drover::local
