#pragma once

#include "api/backend.h"
#include "config/spec.h"
#include "engine/engine.h"

#include <memory>

namespace drover::local {

/// The embedded master: an engine on its own thread behind the Backend interface. Listener
/// callbacks and replies come on the engine thread.
class LocalBackend final : public api::Backend
{
public:
    explicit LocalBackend(engine::EngineOptions options = {});
    /// Leaves the workers running (a later master re-adopts them); call shutdown() first to
    /// stop them.
    ~LocalBackend() override;

    /// Starts the engine on `config`; waits until it has started (or failed).
    api::Result<bool> start(std::shared_ptr<const config::Config> config);
    void reload(std::shared_ptr<const config::Config> config);
    /// Stops every worker gracefully; waits until they are gone.
    void shutdown();

    std::uint64_t subscribe(std::shared_ptr<api::StreamListener> listener,
                            std::uint64_t since = 0) override;
    void unsubscribe(std::uint64_t subscription) override;
    void setMetricSeries(std::uint64_t subscription, std::vector<std::string> series) override;
    void request(const std::string &op, const nlohmann::json &args, api::ReplyFn done) override;
    std::uint64_t followLogs(const nlohmann::json &args, api::LogLinesFn onLines,
                             api::ReplyFn done) override;
    void unfollowLogs(std::uint64_t follow) override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace drover::local
