// The small engine-side pieces that exist before the engine: filling a pool's template into
// what one worker is spawned with, the engine thread, and master URLs.
#include "config/loader.h"
#include "engine/spawnplan.h"
#include "local/enginethread.h"
#include "remote/masterurl.h"

#include <QTest>

#include <atomic>
#include <thread>

using namespace drover;

class TestSpawnPlan : public QObject
{
    Q_OBJECT

private slots:
    void fillPlaceholders_data();
    void fillPlaceholders();
    void planFromConfig();
    void engineThreadRunsInOrder();
    void masterUrl_data();
    void masterUrl();
};

void TestSpawnPlan::fillPlaceholders_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("filled");
    QTest::newRow("port") << "--port={{port}}"
                          << "--port=9101";
    QTest::newRow("spaces") << "{{ port }}"
                            << "9101";
    QTest::newRow("all") << "{{pool}}/{{worker}}/{{index}}/{{revision}}"
                         << "api/api-1/1/abc123";
    QTest::newRow("none") << "plain text"
                          << "plain text";
    QTest::newRow("twice") << "{{index}}{{index}}"
                           << "11";
    QTest::newRow("unknown kept") << "{{nope}} {{port}}"
                                  << "{{nope}} 9101";
    QTest::newRow("unclosed kept") << "{{port"
                                   << "{{port";
}

void TestSpawnPlan::fillPlaceholders()
{
    QFETCH(QString, text);
    QFETCH(QString, filled);
    engine::WorkerVars vars{"api-1", "api", 1, 9101, "abc123"};
    QCOMPARE(QString::fromStdString(engine::fillPlaceholders(text.toStdString(), vars)), filled);
}

void TestSpawnPlan::planFromConfig()
{
    auto result = config::loadText(R"(version: 1
pools:
  - name: api
    command: [/opt/api, "--port", "{{port}}", "--name={{worker}}"]
    cwd: /srv/{{pool}}
    env: {URL: "http://127.0.0.1:{{port}}/", LANG: C, PORT: "override-{{index}}"}
    ports: 9100-9110
)",
                                   "t.yaml");
    QVERIFY2(result.ok(), result.report().c_str());
    const config::PoolSpec &pool = result.config->pools.at(0);
    engine::WorkerVars vars{"api-2", "api", 2, 9102, pool.revision};
    engine::SpawnPlan plan =
        engine::planSpawn(pool, vars, {"PATH=/usr/bin", "LANG=de_DE.UTF-8", "broken"});
    QCOMPARE(plan.argv, (std::vector<std::string>{"/opt/api", "--port", "9102", "--name=api-2"}));
    QCOMPARE(plan.cwd, std::string("/srv/api"));
    const std::vector<std::string> env = {"DROVER_POOL=api",
                                          "DROVER_REVISION=" + pool.revision,
                                          "DROVER_WORKER=api-2",
                                          "DROVER_WORKER_INDEX=2",
                                          "LANG=C",
                                          "PATH=/usr/bin",
                                          "PORT=override-2",
                                          "URL=http://127.0.0.1:9102/"};
    QCOMPARE(plan.env, env);
}

void TestSpawnPlan::engineThreadRunsInOrder()
{
    local::EngineThread engine;
    engine.start();
    std::vector<int> seen; // touched only on the engine thread, read after stop() joins
    std::atomic<bool> onEngine{true};
    for (int i = 0; i < 1000; ++i) {
        engine.post([&, i] {
            seen.push_back(i);
            if (!engine.isEngineThread())
                onEngine = false;
        });
    }
    QVERIFY(!engine.isEngineThread());
    engine.stop();
    QCOMPARE(seen.size(), std::size_t(1000));
    QVERIFY(std::is_sorted(seen.begin(), seen.end()));
    QVERIFY(onEngine);
    engine.start(); // restartable
    std::atomic<int> ran{0};
    engine.post([&] { ++ran; });
    engine.stop();
    QCOMPARE(ran.load(), 1);
}

void TestSpawnPlan::masterUrl_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("normalized"); // empty: invalid
    QTest::newRow("ws") << "ws://127.0.0.1:7700"
                        << "ws://127.0.0.1:7700";
    QTest::newRow("wss default port") << "wss://drover.example"
                                      << "wss://drover.example:7700";
    QTest::newRow("bare host") << "host"
                               << "ws://host:7700";
    QTest::newRow("v6") << "[::1]:7701"
                        << "ws://[::1]:7701";
    QTest::newRow("stream path") << "ws://h:1/v1/stream"
                                 << "ws://h:1";
    QTest::newRow("http scheme") << "http://h"
                                 << "";
    QTest::newRow("no host") << "ws://:7700"
                             << "";
    QTest::newRow("bad port") << "ws://h:99999"
                              << "";
    QTest::newRow("empty port") << "ws://h:"
                                << "";
    QTest::newRow("path") << "ws://h/x"
                          << "";
}

void TestSpawnPlan::masterUrl()
{
    QFETCH(QString, text);
    QFETCH(QString, normalized);
    auto url = remote::parseMasterUrl(text.toStdString());
    if (normalized.isEmpty()) {
        QVERIFY(!url.ok());
        QCOMPARE(std::string(api::toString(url.error().code)), std::string("bad_request"));
        QVERIFY(QString::fromStdString(url.error().message).contains(text));
    } else {
        QVERIFY(url.ok());
        QCOMPARE(QString::fromStdString(url->toString()), normalized);
    }
}

QTEST_GUILESS_MAIN(TestSpawnPlan)
#include "tst_spawnplan.moc"
