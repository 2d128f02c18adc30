// Container workers (podman) against the real podman of this machine, with no registry: the
// image is made here by `podman import` of a root holding only busybox (Debian's
// busybox-static) and a page to serve. A pool of two containers with an http probe, one
// killed and replaced, the master restarted and the same containers re-adopted (no
// duplicate), a stop that removes them; the private network with the port published on
// loopback; an image that cannot be pulled fails its worker with that reason instead of a
// crash loop, and podman's own error is the reason a start failed; and what podman can do
// here, as droverd says it; a gateway in front of containers and a rollout of a new image
// tag; podman's limits and an OOM kill said as `limit:memory`; droverd run by a user of its
// own, with rootless podman; pull progress as the reason, from an archive pulled as from a
// registry. Skipped, saying why, only where podman cannot run containers at all.
#include "engine/containers/podman.h"
#include "enginefixture.h"
#include "testimage.h"

#include <QProcess>
#include <QTest>
#include <QThread>

#include <algorithm>
#include <arpa/inet.h>
#include <csignal>
#include <future>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace drover;
using namespace drover::test;
using namespace std::chrono_literals;

namespace {

/// A pool of container workers of the test image serving HTTP on their port.
std::string webPool(const std::string &name, int replicas, const std::string &network,
                    int firstPort, const std::string &more = {},
                    const std::string &image = kImage.toStdString())
{
    return "  - name: " + name + "\n    image: " + image +
           "\n    command: [sh, -c, \"echo hello from {{worker}}; exec httpd -f -p {{port}} -h "
           "/www\"]\n    network: " +
           network + "\n    replicas: " + std::to_string(replicas) +
           "\n    ports: " + std::to_string(firstPort) + "-" + std::to_string(firstPort + 9) +
           "\n    restart: {policy: always, backoff: {initial: 0ms, jitter: 0}}" +
           "\n    stop: {timeout: 1s}" +
           "\n    probes:\n      readiness: {http: {url: "
           "\"http://127.0.0.1:{{port}}/index.html\"}, "
           "interval: 200ms, timeout: 1s}\n" +
           more;
}

/// GET `target` from 127.0.0.1:`port` with blocking sockets (on a client thread): the
/// whole answer, status line, headers and body; empty when nothing answered.
std::string httpGet(int port, const std::string &target)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return {};
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in to = {};
    to.sin_family = AF_INET;
    to.sin_port = htons(std::uint16_t(port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string answer;
    if (::connect(fd, reinterpret_cast<sockaddr *>(&to), sizeof to) == 0) {
        const std::string req =
            "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        if (::write(fd, req.data(), req.size()) == ssize_t(req.size())) {
            char buf[4096];
            ssize_t n;
            while ((n = ::read(fd, buf, sizeof buf)) > 0)
                answer.append(buf, std::size_t(n));
        }
    }
    ::close(fd);
    return answer;
}

} // namespace

class TestContainers : public QObject, public EngineFixture
{
    Q_OBJECT

    engine::containers::PodmanSetup m_setup;
    std::string m_skip;

    std::vector<api::WorkerInfo> workers(const std::string &pool)
    {
        std::vector<api::WorkerInfo> out;
        for (const api::WorkerInfo &w : m_engine->snapshot().workers)
            if (w.pool == pool)
                out.push_back(w);
        std::sort(out.begin(), out.end(),
                  [](const api::WorkerInfo &a, const api::WorkerInfo &b) { return a.id < b.id; });
        return out;
    }

    bool allReady(const std::string &pool, int n)
    {
        std::vector<api::WorkerInfo> ws = workers(pool);
        return int(ws.size()) == n && std::all_of(ws.begin(), ws.end(), [](const auto &w) {
                   return w.state == api::WorkerState::Ready;
               });
    }

    /// Runs the loop until the one worker of `pool` has failed (at most a minute).
    bool failed(const std::string &pool)
    {
        return runUntil(
            [&] {
                std::vector<api::WorkerInfo> ws = workers(pool);
                return ws.size() == 1 && ws[0].state == api::WorkerState::Failed;
            },
            60000);
    }

    /// The containers of this test's master ("ID NAME", by name; their names carry its state
    /// dir's digest).
    QStringList containers(bool all = false)
    {
        const std::string prefix =
            "drover-" + config::shortDigest(m_dir->path().toStdString() + "/state") + "-";
        QStringList args{QStringLiteral("ps"), QStringLiteral("--format"),
                         QStringLiteral("{{.ID}} {{.Names}}"), QStringLiteral("--filter"),
                         QStringLiteral("name=") + QString::fromStdString(prefix)};
        if (all)
            args.insert(1, QStringLiteral("--all"));
        QStringList lines = podman(args).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        std::sort(lines.begin(), lines.end(), [](const QString &a, const QString &b) {
            return a.section(QLatin1Char(' '), 1) < b.section(QLatin1Char(' '), 1); // by name
        });
        return lines;
    }

    /// GET through the engine's loop: the client on a thread, the loop run here.
    std::string get(int port, const std::string &target)
    {
        auto answer = std::async(std::launch::async, httpGet, port, target);
        runUntil([&] { return answer.wait_for(0s) == std::future_status::ready; }, 30000);
        return answer.get();
    }

    /// What podman says of this test's containers, one line each by name.
    QStringList inspect(const QString &format)
    {
        QStringList out;
        for (const QString &line : containers(true))
            out << podman({QStringLiteral("inspect"), QStringLiteral("--format"), format,
                           line.section(QLatin1Char(' '), 0, 0)});
        return out;
    }

    void removeContainers()
    {
        for (const QString &line : containers(true))
            podman({QStringLiteral("rm"), QStringLiteral("--force"),
                    line.section(QLatin1Char(' '), 0, 0)});
    }

private slots:
    void initTestCase()
    {
        const char *path = getenv("PATH");
        m_setup = engine::containers::detectPodman(path ? path : "/usr/bin:/bin");
        qInfo("podman here: %s", m_setup.describe().c_str());
        if (!m_setup.usable()) {
            m_skip = "podman cannot run containers here: " + m_setup.problem;
            return;
        }
        const QString problem = makeImage();
        if (!problem.isEmpty())
            m_skip = problem.toStdString();
    }

    void init()
    {
        if (!m_skip.empty())
            QSKIP(m_skip.c_str());
        setUp();
    }

    void cleanup()
    {
        if (!m_engine && !m_io)
            return;
        tearDown();
        removeContainers();
    }

    void setupIsSaid()
    {
        // What droverd logs at start and --check prints: podman's version, root or
        // rootless, the cgroup version, the runtime and why.
        const std::string said = m_setup.describe();
        QVERIFY2(said.starts_with("podman " + m_setup.version + " ("), said.c_str());
        QVERIFY2(said.find("cgroup " + m_setup.cgroups) != std::string::npos, said.c_str());
        QVERIFY(!m_setup.binary.empty());
    }

    void poolReplacedAndReadopted()
    {
        start("pools:\n" + webPool("web", 2, "host", 31100));
        QVERIFY2(runUntil([&] { return allReady("web", 2); }, 60000),
                 workers("web").empty() ? "no workers" : workers("web")[0].reason.c_str());
        QCOMPARE(containers().size(), 2);
        std::vector<api::WorkerInfo> before = workers("web");
        // The container writes straight into the worker's log.
        QVERIFY(runUntil(
            [&] {
                return readFile(m_dir->path().toStdString() + "/state/logs/web-0.log")
                           .find("hello from web-0\n") != std::string::npos;
            },
            5000));
        // Each worker's container is named after it.
        const QStringList names = containers();
        for (int i = 0; i < 2; ++i) {
            QVERIFY(before[std::size_t(i)].pid > 0);
            QVERIFY2(names[i].endsWith(QStringLiteral("-web-%1").arg(i)), qPrintable(names[i]));
        }

        // A container's process killed: the worker is replaced by a new container.
        ::kill(before[0].pid, SIGKILL);
        QVERIFY(runUntil(
            [&] {
                std::vector<api::WorkerInfo> ws = workers("web");
                return ws.size() == 2 && ws[0].restarts == 1 && ws[0].pid != before[0].pid &&
                       ws[0].state == api::WorkerState::Ready;
            },
            60000));
        QCOMPARE(workers("web")[0].lastExit, std::string("signal:SIGKILL"));
        QCOMPARE(workers("web")[1].pid, before[1].pid);
        const QStringList running = containers();
        QCOMPARE(running.size(), 2);
        QCOMPARE(containers(true).size(), 2); // replaced, not added to

        // The master goes away without stopping them (as kill -9 leaves it); the next one
        // re-adopts the same containers and starts none.
        std::vector<api::WorkerInfo> kept = workers("web");
        m_engine.reset();
        m_io = std::make_unique<boost::asio::io_context>(1);
        start("pools:\n" + webPool("web", 2, "host", 31100));
        QVERIFY(runUntil([&] { return allReady("web", 2); }, 30000));
        std::vector<api::WorkerInfo> after = workers("web");
        QCOMPARE(after[0].pid, kept[0].pid);
        QCOMPARE(after[1].pid, kept[1].pid);
        QCOMPARE(containers(), running);

        // A stop (the master's shutdown) stops them and removes them.
        stopEngine();
        QVERIFY(containers(true).isEmpty());
    }

    void privateNetworkPublishesThePort()
    {
        start("pools:\n" + webPool("priv", 1, "private", 31200));
        QVERIFY2(runUntil([&] { return allReady("priv", 1); }, 60000),
                 workers("priv").empty() ? "no workers" : workers("priv")[0].reason.c_str());
        // Its own network namespace, not the master's.
        const int pid = workers("priv")[0].pid;
        struct stat mine = {}, its = {};
        QVERIFY(::stat("/proc/self/ns/net", &mine) == 0);
        QVERIFY(::stat(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), &its) == 0);
        QVERIFY(mine.st_ino != its.st_ino);
    }

    void gatewayAndRolloutOfANewTag()
    {
        // Containers behind the pool's gateway, on their own networks; a new tag of the
        // image is a new revision, rolled out one container at a time.
        const std::string image2 = "localhost/drover-test-busybox:2";
        podman({QStringLiteral("tag"), kImage, QString::fromStdString(image2)});
        const std::string more = "    rollout: {strategy: rolling, max_surge: 1, "
                                 "max_unavailable: 0, progress_deadline: 60s}\n"
                                 "    gateway: {listen: \"127.0.0.1:31390\"}\n";
        start("pools:\n" + webPool("gw", 2, "private", 31300, more));
        QVERIFY(runUntil([&] { return allReady("gw", 2); }, 60000));
        std::string answer = get(31390, "/index.html");
        QVERIFY2(answer.starts_with("HTTP/1.1 200"), answer.c_str());
        QVERIFY2(answer.find("drover test page") != std::string::npos, answer.c_str());
        QVERIFY2(answer.find("X-Drover-Worker: gw-") != std::string::npos, answer.c_str());
        const std::string before = m_rec->pools.at("gw").revision;
        const std::vector<api::WorkerInfo> old = workers("gw");

        m_engine->reload(load("pools:\n" + webPool("gw", 2, "private", 31300, more, image2)));
        QVERIFY(runUntil(
            [&] {
                auto it = m_rec->mirror.rollouts.find("gw");
                return it != m_rec->mirror.rollouts.end() && !it->second.active();
            },
            120000));
        QCOMPARE(m_rec->mirror.rollouts.at("gw").phase, std::string("complete"));
        const std::string after = m_rec->pools.at("gw").revision;
        QVERIFY(after != before);
        QVERIFY(runUntil([&] { return allReady("gw", 2); }, 30000));
        for (const api::WorkerInfo &w : workers("gw")) {
            QCOMPARE(w.revision, after);
            for (const api::WorkerInfo &o : old)
                QVERIFY(w.pid != o.pid);
        }
        // Only the new revision's containers are left, of the new tag.
        QVERIFY(runUntil([&] { return containers(true).size() == 2; }, 30000));
        const QStringList images = inspect(QStringLiteral("{{.ImageName}}"));
        QCOMPARE(images,
                 QStringList({QString::fromStdString(image2), QString::fromStdString(image2)}));
        answer = get(31390, "/index.html");
        QVERIFY2(answer.starts_with("HTTP/1.1 200"), answer.c_str());
        podman({QStringLiteral("rmi"), QString::fromStdString(image2)});
    }

    void limitsArePodmansAndOomIsSaid()
    {
        // memory, cpu and pids are podman's flags on the container; a container that grows
        // past its memory limit is killed by the kernel, and the worker says so.
        start("pools:\n  - name: big\n    image: " + kImage.toStdString() +
              "\n    command: [sh, -c, \"echo growing; x=$(busybox head -c 200000000 /dev/zero "
              "| busybox tr '\\\\0' x); sleep 60\"]\n"
              "    limits: {memory: 32Mi, cpu: 0.5, pids: 50}\n"
              "    restart: {policy: never}\n");
        QVERIFY(runUntil(
            [&] {
                std::vector<api::WorkerInfo> ws = workers("big");
                return ws.size() == 1 && !ws[0].lastExit.empty();
            },
            60000));
        QCOMPARE(workers("big")[0].lastExit, std::string("limit:memory"));
        QCOMPARE(inspect(QStringLiteral("{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} "
                                        "{{.HostConfig.PidsLimit}}")),
                 QStringList{QStringLiteral("33554432 500000000 50")});
    }

    void rootlessAsAnotherUser()
    {
        // droverd run by a user of its own with subuids, as the package's unit runs it:
        // podman rootless. On cgroup v1 the limits cannot be set and are said not to be.
        if (::geteuid() != 0)
            QSKIP("droverd is not root here: every other case ran rootless already");
        const QString user = QStringLiteral("drover-test-rootless");
        const QString home = QStringLiteral("/var/lib/drover-test-rootless");
        int code = 0;
        auto run = [&](const QString &program, const QStringList &args) {
            QProcess p;
            p.setProcessChannelMode(QProcess::MergedChannels);
            p.start(program, args);
            p.waitForFinished(120000);
            code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
            return QString::fromLocal8Bit(p.readAll()).trimmed();
        };
        run(QStringLiteral("id"), {user});
        if (code != 0) {
            const QString said =
                run(QStringLiteral("useradd"),
                    {QStringLiteral("--system"), QStringLiteral("-m"), QStringLiteral("-d"), home,
                     QStringLiteral("-s"), QStringLiteral("/usr/sbin/nologin"), user});
            QVERIFY2(code == 0, qPrintable(said));
        }
        QFile subuid(QStringLiteral("/etc/subuid"));
        subuid.open(QIODevice::ReadOnly);
        if (!subuid.readAll().contains((user + QLatin1Char(':')).toUtf8())) {
            const QString said =
                run(QStringLiteral("usermod"),
                    {QStringLiteral("--add-subuids"), QStringLiteral("300000-365535"),
                     QStringLiteral("--add-subgids"), QStringLiteral("300000-365535"), user});
            QVERIFY2(code == 0, qPrintable(said));
        }
        // Its runtime directory, config and state, in a directory it can reach.
        QDir dir(m_dir->path());
        QVERIFY(dir.mkpath(QStringLiteral("rootless/run")) &&
                dir.mkpath(QStringLiteral("rootless/state")));
        const QString base = dir.filePath(QStringLiteral("rootless"));
        ::chmod(m_dir->path().toLocal8Bit().constData(), 0755);
        run(QStringLiteral("chown"), {QStringLiteral("-R"), user, base});
        ::chmod((base + QStringLiteral("/run")).toLocal8Bit().constData(), 0700);
        const QStringList env{QStringLiteral("HOME=") + home,
                              QStringLiteral("XDG_RUNTIME_DIR=") + base + QStringLiteral("/run"),
                              QStringLiteral("PATH=/usr/sbin:/usr/bin:/sbin:/bin")};
        auto asUser = [&](const QStringList &command) {
            return run(QStringLiteral("runuser"),
                       QStringList{QStringLiteral("-u"), user, QStringLiteral("--"),
                                   QStringLiteral("env"), QStringLiteral("-i")} +
                           env + command);
        };
        // The user's own copy of the test image.
        asUser(
            {QStringLiteral("podman"), QStringLiteral("image"), QStringLiteral("exists"), kImage});
        if (code != 0) {
            const QString archive = base + QStringLiteral("/image.tar");
            QVERIFY(podman({QStringLiteral("save"), QStringLiteral("--output"), archive, kImage})
                        .isEmpty() ||
                    QFile::exists(archive));
            run(QStringLiteral("chown"), {user, archive});
            const QString said = asUser({QStringLiteral("podman"), QStringLiteral("load"),
                                         QStringLiteral("--input"), archive});
            QVERIFY2(code == 0, qPrintable(said));
        }
        const QString config = base + QStringLiteral("/drover.yaml");
        QFile f(config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(("version: 1\nmaster: {state_dir: " + base.toStdString() +
                 "/state, listen: \"127.0.0.1:31490\"}\npools:\n" +
                 webPool("rl", 2, "host", 31400, "    limits: {memory: 64Mi}\n"))
                    .c_str());
        f.close();
        run(QStringLiteral("chown"), {user, config});

        QProcess droverd;
        droverd.setProcessChannelMode(QProcess::MergedChannels);
        droverd.setStandardOutputFile(base + QStringLiteral("/droverd.log"));
        // setpriv execs (runuser would stay the parent, and SIGKILL droverd 2 s after
        // forwarding our SIGTERM, before its containers are removed).
        droverd.start(
            QStringLiteral("setpriv"),
            QStringList{QStringLiteral("--reuid=") + user, QStringLiteral("--regid=") + user,
                        QStringLiteral("--init-groups"), QStringLiteral("env"),
                        QStringLiteral("-i")} +
                env +
                QStringList{QStringLiteral(DROVER_BIN_DIR "/droverd"), QStringLiteral("--config"),
                            config, QStringLiteral("--log-level"), QStringLiteral("info")});
        QVERIFY(droverd.waitForStarted());
        json workers;
        QElapsedTimer t;
        t.start();
        bool ready = false;
        while (!ready && t.elapsed() < 60000) {
            QThread::msleep(200);
            const QString out =
                run(QStringLiteral(DROVER_BIN_DIR "/droverctl"),
                    {QStringLiteral("--master"), QStringLiteral("ws://127.0.0.1:31490"),
                     QStringLiteral("--json"), QStringLiteral("workers")});
            if (code != 0)
                continue;
            workers = json::parse(out.toStdString(), nullptr, false);
            ready = workers.is_array() && workers.size() == 2 &&
                    std::all_of(workers.begin(), workers.end(),
                                [](const json &w) { return w.value("state", "") == "ready"; });
        }
        QFile logFile(base + QStringLiteral("/droverd.log"));
        logFile.open(QIODevice::ReadOnly);
        const QString log = QString::fromLocal8Bit(logFile.readAll());
        QVERIFY2(ready, qPrintable(log + QString::fromStdString(workers.dump())));
        QVERIFY2(log.contains(QStringLiteral("(rootless, cgroup ")), qPrintable(log));
        if (log.contains(QStringLiteral("rootless, cgroup v1"))) {
            for (const json &w : workers) {
                QVERIFY(w["limits"].empty());
                QCOMPARE(w["limit_problems"].dump(),
                         std::string("[\"memory: not applied (rootless podman on cgroup v1 "
                                     "cannot set limits)\"]"));
            }
        } else {
            for (const json &w : workers)
                QCOMPARE(w["limits"].dump(), std::string("[\"memory 64Mi (podman)\"]"));
        }
        // Its containers are the user's, and go with the master's stop.
        QCOMPARE(asUser({QStringLiteral("podman"), QStringLiteral("ps"), QStringLiteral("--quiet")})
                     .split(QLatin1Char('\n'), Qt::SkipEmptyParts)
                     .size(),
                 2);
        ::kill(pid_t(droverd.processId()), SIGTERM);
        QVERIFY(droverd.waitForFinished(60000));
        QCOMPARE(droverd.exitCode(), 0); // its own graceful stop, not killed half-way
        QCOMPARE(asUser({QStringLiteral("podman"), QStringLiteral("ps"), QStringLiteral("--all"),
                         QStringLiteral("--quiet")}),
                 QString());
    }

    void pullProgressIsTheReason()
    {
        // An image pulled at every start (`pull: always`) from an archive, as from a
        // registry: the worker is pending meanwhile, podman's progress its reason.
        const QString archive = m_dir->path() + QStringLiteral("/image.tar");
        podman({QStringLiteral("save"), QStringLiteral("--format"),
                QStringLiteral("docker-archive"), QStringLiteral("--output"), archive, kImage});
        QVERIFY(QFile::exists(archive));
        const std::string image = "docker-archive:" + archive.toStdString();
        start("pools:\n" + webPool("pl", 1, "host", 31700, "    pull: always\n", image));
        QVERIFY(runUntil([&] { return allReady("pl", 1); }, 60000));
        std::vector<std::string> reasons; // as the console saw them, each change once
        for (const api::Delta &d : m_rec->deltas) {
            const auto *w = std::get_if<api::WorkerInfo>(&d.value);
            if (w && w->id == "pl-0" && (reasons.empty() || reasons.back() != w->reason))
                reasons.push_back(w->reason);
        }
        std::string said;
        for (const std::string &r : reasons)
            said += r + "\n";
        auto seen = [&](const std::string &prefix) {
            return std::any_of(reasons.begin(), reasons.end(),
                               [&](const std::string &r) { return r.starts_with(prefix); });
        };
        QVERIFY2(seen("pulling image " + image + ": Copying blob"), said.c_str());
        QVERIFY2(seen("creating the container"), said.c_str());
    }

    void podmansErrorIsTheReason()
    {
        // podman refuses a mount whose source does not exist: its words are the reason.
        start("pools:\n  - name: bad\n    image: " + kImage.toStdString() +
              "\n    command: [sleep, \"60\"]\n    mounts: [\"/nonexistent-drover-dir:/x\"]\n");
        QVERIFY(failed("bad"));
        const std::string reason = workers("bad")[0].reason;
        QVERIFY2(reason.starts_with("podman run failed: ") &&
                     reason.find("/nonexistent-drover-dir") != std::string::npos,
                 reason.c_str());
    }

    void imageThatCannotBePulledFails()
    {
        start("pools:\n  - name: nope\n    image: localhost/drover-no-such-image:1\n"
              "    restart: {policy: always, backoff: {initial: 0ms, jitter: 0}}\n");
        QVERIFY(failed("nope"));
        const api::WorkerInfo w = workers("nope")[0];
        QVERIFY2(w.reason.starts_with("image localhost/drover-no-such-image:1 cannot be pulled: "),
                 w.reason.c_str());
        QCOMPARE(w.restarts, 0); // no crash loop
        runUntil([] { return false; }, 500);
        QVERIFY(workers("nope")[0].state == api::WorkerState::Failed);
        QVERIFY(containers(true).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestContainers)
#include "tst_containers.moc"
