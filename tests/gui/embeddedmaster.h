#pragma once

// An embedded master for the console's tests: a real LocalBackend on a config made from a
// test's pools, its workers marked so that the test can check none is left behind.
#include "../integration/markedprocesses.h"
#include "config/loader.h"
#include "local/localbackend.h"

#include <QDebug>
#include <QElapsedTimer>
#include <QString>
#include <QTest>

#include <nlohmann/json.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unistd.h>

extern char **environ;

namespace drover::test {

/// A LocalBackend running `pools` with `masterExtra` (YAML lines of `master:`, indented two
/// spaces) in `stateDir`; `mark` (`NAME=value`) goes into every worker's environment. It is
/// stopped when the last reference goes, also when a check fails half-way: its processes
/// must not outlive the test case. Null (and a warning with the errors) when it cannot start.
inline std::shared_ptr<local::LocalBackend> startEmbedded(const std::string &pools,
                                                          const QString &stateDir,
                                                          const std::string &mark,
                                                          const std::string &masterExtra = {})
{
    const std::string text = "version: 1\nmaster:\n  state_dir: \"" + stateDir.toStdString() +
                             "\"\n" + masterExtra + "pools:\n" + pools;
    auto loaded = config::loadText(text, stateDir.toStdString() + ".yaml");
    if (!loaded.ok()) {
        qWarning("%s", loaded.report().c_str());
        return nullptr;
    }
    engine::EngineOptions options;
    for (char **e = environ; *e; ++e)
        options.masterEnv.emplace_back(*e);
    options.masterEnv.push_back(mark);
    options.cgroupParent = drover::test::testCgroupParent();
    std::shared_ptr<local::LocalBackend> backend(new local::LocalBackend(options),
                                                 [](local::LocalBackend *b) {
                                                     b->shutdown();
                                                     delete b;
                                                 });
    if (!backend->start(std::make_shared<config::Config>(std::move(*loaded.config))).ok())
        return nullptr;
    return backend;
}

/// Sends one request and waits (processing events, 15 s at most) for its reply, which comes
/// on the backend's thread.
inline api::Reply callAndWait(api::Backend &backend, const std::string &op,
                              const nlohmann::json &args)
{
    auto reply = std::make_shared<std::optional<api::Reply>>(); // outlives a timeout
    auto mutex = std::make_shared<std::mutex>();
    backend.request(op, args, [reply, mutex](api::Reply r) {
        std::lock_guard lock(*mutex);
        *reply = std::move(r);
    });
    QElapsedTimer t;
    t.start();
    for (;;) {
        {
            std::lock_guard lock(*mutex);
            if (*reply)
                return **reply;
        }
        if (t.elapsed() > 15'000)
            return api::Error{api::ErrorCode::Timeout, "no reply", {}};
        QTest::qWait(10);
    }
}

} // namespace drover::test
