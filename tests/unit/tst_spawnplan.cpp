// The small engine-side pieces that exist before the engine: filling a pool's template into
// what one worker is spawned with (a process, or a podman container's run), the engine
// thread, and master URLs.
#include "config/loader.h"
#include "engine/containers/podman.h"
#include "engine/spawnplan.h"
#include "local/enginethread.h"
#include "remote/masterurl.h"

#include <QTest>

#include <atomic>
#include <sys/resource.h>
#include <thread>

using namespace drover;

class TestSpawnPlan : public QObject
{
    Q_OBJECT

private slots:
    void fillPlaceholders_data();
    void fillPlaceholders();
    void planFromConfig();
    void containerRun();
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

// `podman run` for one worker: every setting of the pool where podman takes it.
void TestSpawnPlan::containerRun()
{
    config::LoadResult loaded = config::loadText(R"(version: 1
pools:
  - name: web
    image: localhost/app:3
    command: [serve, --port, "{{port}}"]
    mounts: ["/srv:/data:ro"]
    ports: 9000-9009
    env: {MODE: "w{{index}}"}
    limits: {memory: 64Mi, cpu: 0.5, pids: 50}
  - name: host
    image: localhost/app:3
    network: host
    cwd: /work
    limits: {nofile: 4096}
)",
                                                 "t.yaml");
    QVERIFY2(loaded.ok(), loaded.report().c_str());
    const config::PoolSpec &web = loaded.config->pools.at(0);
    engine::containers::PodmanSetup setup;
    setup.binary = "/usr/bin/podman";
    setup.runtime = "runc";
    setup.nofileHard = 20000;
    setup.nprocSoft = setup.nprocHard = 5000;
    engine::WorkerVars vars{"web-1", "web", 1, 9001, web.revision};
    engine::SpawnPlan plan = engine::planSpawn(web, vars, {});
    engine::containers::RunInput in;
    in.container = *web.container;
    in.limits = web.limits;
    in.cwd = web.cwd;
    in.vars = vars;
    in.args = plan.argv;
    in.env = {"MODE=w1", "PORT=9001"};
    in.name = engine::containers::containerName("abc", "web-1");
    in.cidFile = "/state/containers/web-1.cid";
    in.pidFile = "/state/containers/web-1.pid";
    in.nofileSoft = 1024;
    const std::vector<std::string> expected{"/usr/bin/podman", "run",
                                            "--detach",        "--replace",
                                            "--name",          "drover-abc-web-1",
                                            "--cidfile",       "/state/containers/web-1.cid",
                                            "--pidfile",       "/state/containers/web-1.pid",
                                            "--log-driver",    "passthrough",
                                            "--pull",          "never",
                                            "--runtime",       "runc",
                                            "--label",         "io.drover.worker=web-1",
                                            "--label",         "io.drover.pool=web",
                                            "--label",         "io.drover.revision=" + web.revision,
                                            "--ulimit",        "nofile=1024:20000",
                                            "--ulimit",        "nproc=5000:5000",
                                            "--memory",        "67108864",
                                            "--memory-swap",   "67108864",
                                            "--cpus",          "0.5",
                                            "--pids-limit",    "50",
                                            "--publish",       "127.0.0.1:9001:9001",
                                            "--volume",        "/srv:/data:ro",
                                            "--env",           "MODE=w1",
                                            "--env",           "PORT=9001",
                                            "localhost/app:3", "serve",
                                            "--port",          "9001"};
    auto joined = [](const std::vector<std::string> &words) {
        std::string out;
        for (const std::string &w : words)
            out += w + " ";
        return QString::fromStdString(out);
    };
    QCOMPARE(joined(engine::containers::runArguments(setup, in)), joined(expected));
    QCOMPARE(
        engine::containers::containerLimits(&setup, web.limits).applied,
        (std::vector<std::string>{"memory 64Mi (podman)", "cpu 0.5 (podman)", "pids 50 (podman)"}));
    QVERIFY(engine::containers::containerLimits(&setup, web.limits).problems.empty());
    // Rootless podman on cgroup v1 cannot set them: not passed, and said to be not applied.
    {
        engine::containers::PodmanSetup rootless = setup;
        rootless.rootless = true;
        rootless.cgroups = "v1";
        const std::string args =
            joined(engine::containers::runArguments(rootless, in)).toStdString();
        QVERIFY2(args.find("--memory") == std::string::npos &&
                     args.find("--cpus") == std::string::npos &&
                     args.find("--pids-limit") == std::string::npos,
                 args.c_str());
        const engine::containers::ContainerLimits said =
            engine::containers::containerLimits(&rootless, web.limits);
        QVERIFY(said.applied.empty());
        QCOMPARE(said.problems.size(), std::size_t(3));
        QCOMPARE(
            said.problems[0],
            std::string("memory: not applied (rootless podman on cgroup v1 cannot set limits)"));
    }

    // The machine's network, a working directory, the pool's nofile; no command: the image's.
    const config::PoolSpec &host = loaded.config->pools.at(1);
    in.container = *host.container;
    in.limits = host.limits;
    in.cwd = host.cwd;
    in.args.clear();
    in.env.clear();
    setup.runtime.clear();
    setup.nprocHard = std::uint64_t(RLIM_INFINITY);
    const std::vector<std::string> got = engine::containers::runArguments(setup, in);
    const QString all = joined(got);
    QVERIFY2(all.contains(QStringLiteral(
                 "--ulimit nofile=4096:4096 --network host --workdir /work localhost/app:3 ")),
             qPrintable(all));
    QVERIFY2(!all.contains(QStringLiteral("--runtime")), qPrintable(all));
    QVERIFY2(!all.contains(QStringLiteral("nproc")), qPrintable(all));
    QCOMPARE(got.back(), std::string("localhost/app:3"));
}

QTEST_GUILESS_MAIN(TestSpawnPlan)
#include "tst_spawnplan.moc"
