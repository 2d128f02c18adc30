// droverd: the headless master. `--check FILE` validates a config; `--config FILE` runs it:
// one io_context on this thread owns the engine; SIGTERM/SIGINT stop every worker
// gracefully, SIGHUP or a change of the file reloads it, SIGUSR2 hands over: droverd exits
// with kExitHandOver and leaves every worker running for the next droverd to re-adopt
// (a package upgrade restarts the service this way).
#include "api/version.h"
#include "config/loader.h"
#include "engine/configwatch.h"
#include "engine/containers/podman.h"
#include "engine/engine.h"
#include "fleetentry.h"
#include "remote/audit.h"
#include "remote/server.h"
#include "remote/tokens.h"
#include "tokencli.h"

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sys/stat.h>
#include <utility> // before Asio: Boost 1.74 + g++ 12

namespace {

namespace asio = boost::asio;
using drover::config::LoadResult;

/// The exit status after SIGUSR2 (EX_TEMPFAIL): the unit restarts droverd on it
/// (RestartForceExitStatus) and does not count it as a failure (SuccessExitStatus).
constexpr int kExitHandOver = 75;

int check(const std::string &file)
{
    LoadResult result = drover::config::loadFile(file);
    if (!result.ok()) {
        std::cerr << result.report();
        std::size_t n = result.errors.size() + result.moreErrors;
        std::cerr << file << ": " << n << (n == 1 ? " error" : " errors") << '\n';
        return 1;
    }
    std::cout << file << ": ok (" << result.config->summary().toString() << ")\n";
    // Each job's next runs, so that a schedule can be seen to mean what was meant.
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    for (const drover::config::PoolSpec &pool : result.config->pools) {
        if (pool.job)
            std::cout << "pool " << pool.name << ": "
                      << drover::config::describeSchedule(*pool.job, now) << '\n';
    }
    // Container workers need podman: what it can do on this machine.
    std::vector<std::string> containerPools;
    for (const drover::config::PoolSpec &pool : result.config->pools)
        if (pool.container)
            containerPools.push_back(pool.name);
    if (!containerPools.empty()) {
        const char *path = std::getenv("PATH");
        const drover::engine::containers::PodmanSetup podman =
            drover::engine::containers::detectPodman(
                path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        std::string pools;
        for (const std::string &name : containerPools)
            pools += (pools.empty() ? "" : ", ") + name;
        std::cout << "containers (" << pools << "): " << podman.describe() << '\n';
    }
    if (const auto &fleet = result.config->master.fleet) {
        std::string endpoints;
        for (const drover::config::EtcdEndpoint &e : fleet->etcd)
            endpoints += (endpoints.empty() ? "" : ", ") + e.toString();
        std::cout << "fleet: registers as "
                  << (fleet->name.empty() ? "<hostname>:<port>" : fleet->name) << " under "
                  << fleet->prefix << " in etcd " << endpoints << " (lease "
                  << drover::config::formatDuration(fleet->ttl) << ")\n";
    }
    for (const drover::api::Diagnostic &d : result.config->notActedOn)
        std::cout << d.toString() << '\n';
    if (const std::size_t n = result.config->notActedOn.size())
        std::cout << file << ": " << n << (n == 1 ? " key is" : " keys are")
                  << " checked but not acted on by this build\n";
    return 0;
}

/// Loads `file`; on errors logs each of them and returns nothing.
std::shared_ptr<const drover::config::Config> load(const std::string &file)
{
    LoadResult result = drover::config::loadFile(file);
    if (!result.ok()) {
        for (const drover::api::Diagnostic &d : result.errors)
            spdlog::error("config.error {}", d.toString());
        if (result.moreErrors)
            spdlog::error("config.error and {} more", result.moreErrors);
        return nullptr;
    }
    return std::make_shared<const drover::config::Config>(std::move(*result.config));
}

/// Size and modification time of a file, to tell when it changed ("" when missing).
std::string fileStamp(const std::string &path)
{
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        return {};
    return std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_ino);
}

int run(const std::string &file)
{
    auto config = load(file);
    if (!config) {
        spdlog::error("master.exit reason=\"invalid config\" file={}", file);
        return 1;
    }
    std::signal(SIGPIPE, SIG_IGN);
    asio::io_context io{1};
    drover::engine::Engine engine(io);
    // The signals are ours before the first worker is spawned: a SIGTERM that comes while
    // the workers are still starting (a service manager stopping us at once) then stops
    // them, instead of killing droverd and leaving them behind.
    asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
    signals.add(SIGUSR2);
    auto started = engine.start(config);
    if (!started.ok()) {
        spdlog::error("master.exit reason=\"{}\"", started.error().message);
        return 1;
    }
    spdlog::info("master.started version={} config={} state_dir={} ({})", drover::kVersion, file,
                 engine.stateDir(), config->summary().toString());

    // The wire: tokens (config and tokens file), the audit log, then the server.
    auto tokens = drover::remote::TokenStore::load(config->master.stateDir, config->master.tokens);
    if (!tokens.ok()) {
        spdlog::error("master.exit reason=\"{}\"", tokens.error().message);
        engine.shutdown([&] { io.stop(); });
        io.run();
        return 1;
    }
    auto audit = std::make_shared<drover::remote::AuditLog>();
    if (auto opened = audit->open(config->master.stateDir); !opened.ok())
        spdlog::warn("audit.off reason=\"{}\"", opened.error().message);
    drover::remote::ServerOptions serverOptions;
    serverOptions.listen = config->master.listen;
    serverOptions.tls = config->master.tls;
    // Tokens made or revoked while the master runs count at once: the tokens file is read
    // again when it changed (one stat per check).
    serverOptions.refreshTokens =
        [&engine,
         seen = fileStamp(drover::remote::TokenStore::filePath(
             config->master.stateDir))]() mutable -> std::shared_ptr<drover::remote::TokenStore> {
        auto cfg = engine.config();
        std::string path = drover::remote::TokenStore::filePath(cfg->master.stateDir);
        std::string now = fileStamp(path);
        if (now == seen)
            return nullptr;
        seen = now;
        auto fresh = drover::remote::TokenStore::load(cfg->master.stateDir, cfg->master.tokens);
        if (!fresh.ok()) {
            spdlog::error("tokens.reload refused: {}", fresh.error().message);
            return nullptr;
        }
        return std::make_shared<drover::remote::TokenStore>(std::move(*fresh));
    };
    drover::remote::Server server(io, engine, serverOptions,
                                  std::make_shared<drover::remote::TokenStore>(std::move(*tokens)),
                                  audit);
    if (auto listening = server.start(); !listening.ok()) {
        spdlog::error("master.exit reason=\"{}\"", listening.error().message);
        engine.shutdown([&] { io.stop(); });
        io.run();
        return 1;
    }

    // The fleet: this master's entry in etcd, when master.fleet says so. Supervision never
    // waits for etcd.
    drover::master::FleetEntry fleet(io, engine, server);
    fleet.apply(config->master);

    auto reload = [&](const char *why) {
        if (engine.shuttingDown())
            return;
        spdlog::info("config.reload trigger={} file={}", why, file);
        auto next = load(file);
        if (!next) {
            spdlog::error("config.reload refused: the file has errors; the running config is "
                          "unchanged");
            return;
        }
        engine.reload(next);
        fleet.apply(next->master);
        if (auto fresh =
                drover::remote::TokenStore::load(next->master.stateDir, next->master.tokens);
            fresh.ok())
            server.setTokens(std::make_shared<drover::remote::TokenStore>(std::move(*fresh)));
        else
            spdlog::error("tokens.reload refused: {}", fresh.error().message);
        spdlog::info("config.reloaded ({})", next->summary().toString());
    };
    drover::engine::ConfigWatcher watcher(io, file, [&] { reload("file-changed"); });
    if (!watcher.error().empty())
        spdlog::warn("config.watch off: {}; SIGHUP still reloads", watcher.error());

    int exitCode = 0;
    std::function<void()> wait = [&] {
        signals.async_wait([&](const boost::system::error_code &ec, int sig) {
            if (ec)
                return;
            if (sig == SIGHUP) {
                reload("SIGHUP");
            } else if (sig == SIGUSR2 && !engine.shuttingDown()) {
                // The engine's destructor leaves the workers and their records in place.
                spdlog::info("master.handover signal=SIGUSR2: leaving every worker running for "
                             "the next droverd to re-adopt");
                exitCode = kExitHandOver;
                server.stop();
                signals.cancel();
                io.stop();
                return;
            } else if (!engine.shuttingDown()) {
                spdlog::info("master.stopping signal={}", sig == SIGTERM ? "SIGTERM" : "SIGINT");
                // The fleet's entry goes first (consoles see the master leave at once), while
                // the workers stop; droverd exits when both are done.
                auto pending = std::make_shared<int>(2);
                auto finished = [&, pending] {
                    if (--*pending > 0)
                        return;
                    spdlog::info("master.stopped");
                    server.stop();
                    signals.cancel();
                    io.stop();
                };
                fleet.stop(finished);
                engine.shutdown(finished);
            } else {
                spdlog::warn("master.stopping again: still waiting for workers to stop");
            }
            wait();
        });
    };
    wait();
    io.run();
    return exitCode;
}

} // namespace

int main(int argc, char **argv)
{
    CLI::App app{"droverd: the Drover master. Supervises worker processes and pools on this "
                 "machine and serves the console and droverctl.",
                 "droverd"};
    app.set_version_flag("-V,--version", std::string("droverd ") + drover::kVersion);
    std::string checkFile;
    std::string configFile;
    std::string logLevel = "info";
    auto *checkOpt =
        app.add_option("--check", checkFile,
                       "Validate a config file: print every error as file:line:col: path: "
                       "message and exit 1, or print a summary and exit 0")
            ->type_name("FILE");
    app.add_option("-c,--config", configFile,
                   "Run this config: supervise its pools until SIGTERM or SIGINT (which stop "
                   "every worker); SIGHUP or a change of the file reloads it; SIGUSR2 exits "
                   "with 75 and leaves the workers running for the next droverd")
        ->type_name("FILE")
        ->excludes(checkOpt);
    app.add_option("--log-level", logLevel, "trace, debug, info, warn, error or off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
        ->capture_default_str();
    app.footer("Exit codes: 0 ok (and after a graceful stop), 1 invalid config or cannot start, "
               "2 usage error, 75 handed over (SIGUSR2; the workers run on).\nConfig "
               "reference: docs/config.md; operations: docs/operations.md");
    auto runToken = drover::master::addTokenCommand(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    if (std::optional<int> code = runToken())
        return *code;
    if (!checkFile.empty())
        return check(checkFile);
    if (configFile.empty()) {
        std::cerr << "droverd: nothing to do; give --config FILE or --check FILE (see --help)\n";
        return 2;
    }
    auto logger = spdlog::stderr_logger_mt("droverd");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    logger->set_level(spdlog::level::from_str(logLevel));
    spdlog::set_default_logger(logger);
    return run(configFile);
}
