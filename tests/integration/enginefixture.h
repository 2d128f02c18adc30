#pragma once
// The engine under test, shared by the engine test programs: an engine on its own io_context
// run by the test's thread, a Recorder of what it streams, and the requests it answers.
// Workers carry a marker in their environment; tearDown() fails if any is left running.
#include "api/codec.h"
#include "api/statemirror.h"
#include "config/loader.h"
#include "engine/engine.h"
#include "markedprocesses.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <fstream>
#include <map>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>
#include <utility> // before Asio: Boost 1.74 + g++ 12

extern char **environ;

namespace drover::test {

using api::WorkerState;
using nlohmann::json;

/// Records what the engine streams.
struct Recorder : api::StreamListener
{
    api::Snapshot snapshot;
    std::vector<api::Delta> deltas;
    std::vector<api::Event> events;
    std::vector<api::HealthSample> samples;
    api::StateMirror mirror;
    std::map<std::string, api::WorkerInfo> &workers = mirror.workers;
    std::map<std::string, api::PoolInfo> &pools = mirror.pools;

    void onSnapshot(const api::Snapshot &s) override
    {
        snapshot = s;
        mirror.reset(s);
    }
    void onDelta(const api::Delta &d) override
    {
        deltas.push_back(d);
        if (!mirror.valid) { // resumed with `since`: no snapshot, the deltas from there on
            mirror.valid = true;
            mirror.seq = d.seq - 1;
        }
        mirror.apply(d);
        if (d.kind == api::DeltaKind::EventAdded)
            events.push_back(std::get<api::Event>(d.value));
        else if (d.kind == api::DeltaKind::HealthSampled)
            samples.push_back(std::get<api::HealthSample>(d.value));
    }
    WorkerState state(const std::string &id) const
    {
        auto it = workers.find(id);
        return it == workers.end() ? WorkerState::Pending : it->second.state;
    }
    /// The `worker.state` events of one worker: (to, reason, time).
    std::vector<api::Event> transitions(const std::string &id) const
    {
        std::vector<api::Event> out;
        for (const auto &e : events) {
            if (e.kind == "worker.state" && e.subject == id)
                out.push_back(e);
        }
        return out;
    }
};

inline std::string readFile(const std::string &path)
{
    std::ifstream in(path);
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

class EngineFixture
{
public:
    void setUp()
    {
        m_master.clear();
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_mark =
            "DROVER_TEST_MARK=" + QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
        m_io = std::make_unique<boost::asio::io_context>(1);
        m_rec = std::make_shared<Recorder>();
    }

    void tearDown()
    {
        stopEngine();
        for (int pid : m_ownChildren) {
            ::kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
        m_ownChildren.clear();
        const std::vector<int> left = test::killLeftovers(m_mark);
        QVERIFY2(left.empty(),
                 qPrintable(QStringLiteral("%1 worker processes left running").arg(left.size())));
    }

    /// Loads `yaml` (with the state dir filled in, and m_master added to `master:`).
    std::shared_ptr<const config::Config> load(const std::string &yaml)
    {
        std::string text = "version: 1\nmaster: {state_dir: " + m_dir->path().toStdString() +
                           "/state, metrics: {resolution: 1s, retention: 10m}" +
                           (m_master.empty() ? "" : ", " + m_master) + "}\n" + yaml;
        config::LoadOptions options;
        options.env = [](std::string_view name) -> std::optional<std::string> {
            if (name == "BIN")
                return std::string(DROVER_BIN_DIR);
            if (const char *v = getenv(std::string(name).c_str()))
                return std::string(v);
            return std::nullopt;
        };
        options.baseDir = m_dir->path().toStdString();
        config::LoadResult result = config::loadText(text, "test.yaml", options);
        if (!result.ok()) {
            qWarning("%s", result.report().c_str());
            return nullptr;
        }
        return std::make_shared<const config::Config>(std::move(*result.config));
    }

    /// Starts an engine on `yaml` and subscribes m_rec.
    void start(const std::string &yaml, engine::EngineOptions options = {})
    {
        auto config = load(yaml);
        QVERIFY(config);
        for (char **e = environ; *e; ++e)
            options.masterEnv.emplace_back(*e);
        options.masterEnv.push_back(m_mark);
        if (options.cgroupParent == "drover")
            options.cgroupParent = drover::test::testCgroupParent();
        m_engine = std::make_unique<engine::Engine>(*m_io, options);
        m_engine->subscribe(m_rec, 0);
        auto started = m_engine->start(config);
        QVERIFY2(started.ok(), started.ok() ? "" : started.error().message.c_str());
    }

    /// Runs the loop until `pred` holds or `ms` pass; returns whether it held.
    bool runUntil(const std::function<bool()> &pred, int ms = 10000)
    {
        QElapsedTimer t;
        t.start();
        while (!pred()) {
            if (t.elapsed() > ms)
                return false;
            m_io->restart();
            m_io->run_for(std::chrono::milliseconds(10));
        }
        return true;
    }

    /// One request; its reply payload (null on error, then `err` says why).
    json call(const std::string &op, const json &args, api::Error *err = nullptr)
    {
        std::optional<api::Reply> reply;
        int calls = 0;
        m_engine->request(op, args, [&](api::Reply r) {
            ++calls;
            reply.emplace(std::move(r));
        });
        runUntil([&] { return reply.has_value(); }, 30000);
        runUntil([] { return false; }, 20); // a second reply would arrive now
        if (calls != 1) {
            qWarning("%s: %d replies", op.c_str(), calls);
            return json();
        }
        if (!reply->ok()) {
            if (err)
                *err = reply->error();
            return json();
        }
        return reply->value();
    }

    void stopEngine()
    {
        if (!m_engine)
            return;
        bool done = false;
        m_engine->shutdown([&] { done = true; });
        runUntil([&] { return done; }, 30000);
        m_engine.reset();
        m_io.reset();
    }

protected:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::string m_master; ///< more `master:` settings for load(), e.g. `probes: {history: 10}`
    std::string m_mark;
    std::unique_ptr<boost::asio::io_context> m_io;
    std::unique_ptr<engine::Engine> m_engine;
    std::shared_ptr<Recorder> m_rec;
    std::vector<int> m_ownChildren;
};

} // namespace drover::test
