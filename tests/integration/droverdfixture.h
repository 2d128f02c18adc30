#pragma once
// A real `droverd --config` for the wire tests: its own temp dir, state dir, free port on
// 127.0.0.1 and DROVER_TEST_MARK (droverd passes its environment to its workers, so every
// process the test caused carries the mark). Plus a plain HTTP GET over a POSIX socket and a
// RemoteBackend used synchronously from the test thread.
#include "api/statemirror.h"
#include "markedprocesses.h"
#include "remote/remotebackend.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUuid>

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace drover::test {

inline const QString kMarkVar = QStringLiteral("DROVER_TEST_MARK");

/// A port nothing listens on right now (bound to 127.0.0.1:0 and released).
inline int freePort()
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

struct HttpResponse
{
    int status = 0; ///< 0: no answer
    std::string head;
    std::string body;
    std::string header(const std::string &name) const
    {
        std::string lower = head;
        for (char &c : lower)
            c = char(std::tolower(static_cast<unsigned char>(c)));
        std::string key = "\r\n" + name + ":";
        for (char &c : key)
            c = char(std::tolower(static_cast<unsigned char>(c)));
        auto at = lower.find(key);
        if (at == std::string::npos)
            return {};
        auto start = at + key.size();
        auto end = head.find("\r\n", start);
        std::string v = head.substr(start, end - start);
        while (!v.empty() && v.front() == ' ')
            v.erase(0, 1);
        return v;
    }
};

/// `GET path` on 127.0.0.1:port over plain HTTP/1.1, read to the end (the master closes).
inline HttpResponse httpGet(int port, const std::string &path, const std::string &token = {},
                            const std::string &extraHeaders = {}, int timeoutMs = 5000)
{
    HttpResponse r;
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(std::uint16_t(port));
    if (::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
        ::close(fd);
        return r;
    }
    std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                      "\r\nConnection: close\r\n";
    if (!token.empty())
        req += "Authorization: Bearer " + token + "\r\n";
    req += extraHeaders + "\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != ssize_t(req.size())) {
        ::close(fd);
        return r;
    }
    std::string all;
    QElapsedTimer clock;
    clock.start();
    char buf[65536];
    while (clock.elapsed() < timeoutMs) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, int(timeoutMs - clock.elapsed())) <= 0)
            break;
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        all.append(buf, std::size_t(n));
    }
    ::close(fd);
    auto end = all.find("\r\n\r\n");
    if (all.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos)
        return r;
    r.status = std::atoi(all.c_str() + 9);
    r.head = all.substr(0, end);
    r.body = all.substr(end + 4);
    return r;
}

inline QString readText(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

inline bool writeFile(const QString &path, const QByteArray &text)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return f.write(text) == text.size();
}

struct Run
{
    int code = -1;
    QString out;
    QString err;
};

/// Runs one of our programs (bin/), waits for it (30 s at most) and returns its exit code
/// and output; `env` is added to the test's environment.
inline Run runProgram(const QString &program, const QStringList &args,
                      const QMap<QString, QString> &env = {}, int timeoutMs = 30'000)
{
    QProcess p;
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    for (auto it = env.begin(); it != env.end(); ++it)
        e.insert(it.key(), it.value());
    p.setProcessEnvironment(e);
    p.start(QStringLiteral(DROVER_BIN_DIR "/") + program, args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

/// A process's resident set (VmRSS) in KiB; `pid` 0: this process. -1 when it is gone.
inline long rssKiB(qint64 pid)
{
    QFile f(pid ? QStringLiteral("/proc/%1/status").arg(pid) : QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = f.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLong();
    }
    return -1;
}

/// A test CA (`ca.pem`, `ca.key`), a server certificate for 127.0.0.1 and `extraAddress`
/// (`server.pem`, `server.key`) and a client certificate (`client.pem`, `client.key`) in
/// `dir`, made by the openssl CLI; false when a step failed (its error on stderr).
inline bool makeTestCertificates(const QString &dir, const QString &extraAddress = {})
{
    auto ssl = [&](const QStringList &args) {
        QProcess p;
        p.setWorkingDirectory(dir);
        p.start(QStringLiteral("openssl"), args);
        if (!p.waitForFinished(30'000) || p.exitCode() != 0) {
            qWarning("openssl %s: %s", qPrintable(args.join(QLatin1Char(' '))),
                     p.readAllStandardError().constData());
            return false;
        }
        return true;
    };
    const QStringList ec{QStringLiteral("-newkey"), QStringLiteral("ec"),
                         QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"),
                         QStringLiteral("-nodes")};
    const QByteArray san = "subjectAltName=IP:127.0.0.1" +
                           (extraAddress.isEmpty() ? QByteArray() : ",IP:" + extraAddress.toUtf8());
    if (!writeFile(dir + QStringLiteral("/server.ext"),
                   "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                   "extendedKeyUsage=serverAuth,clientAuth\n" +
                       san + "\n") ||
        !writeFile(dir + QStringLiteral("/client.ext"),
                   "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                   "extendedKeyUsage=clientAuth\n"))
        return false;
    if (!ssl(QStringList{QStringLiteral("req"), QStringLiteral("-x509")} + ec +
             QStringList{QStringLiteral("-keyout"), QStringLiteral("ca.key"),
                         QStringLiteral("-out"), QStringLiteral("ca.pem"), QStringLiteral("-days"),
                         QStringLiteral("2"), QStringLiteral("-subj"),
                         QStringLiteral("/CN=Drover Test CA"), QStringLiteral("-addext"),
                         QStringLiteral("basicConstraints=critical,CA:TRUE"),
                         QStringLiteral("-addext"),
                         QStringLiteral("keyUsage=critical,keyCertSign,cRLSign")}))
        return false;
    for (const QString &who : {QStringLiteral("server"), QStringLiteral("client")}) {
        if (!ssl(QStringList{QStringLiteral("req")} + ec +
                 QStringList{QStringLiteral("-keyout"), who + QStringLiteral(".key"),
                             QStringLiteral("-out"), who + QStringLiteral(".csr"),
                             QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1")}) ||
            !ssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                  who + QStringLiteral(".csr"), QStringLiteral("-CA"), QStringLiteral("ca.pem"),
                  QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
                  QStringLiteral("-CAcreateserial"), QStringLiteral("-out"),
                  who + QStringLiteral(".pem"), QStringLiteral("-days"), QStringLiteral("2"),
                  QStringLiteral("-extfile"), who + QStringLiteral(".ext")}))
            return false;
    }
    return true;
}

/// One droverd of a test: `dir` holds its config (`drover.yaml`), its state dir (`state`) and
/// its stderr (`droverd.err`). The destructor stops it and kills whatever of the test is left.
class Droverd
{
public:
    Droverd()
        : mark(QUuid::createUuid().toString(QUuid::WithoutBraces))
        , port(freePort())
    {
        config = tmp.filePath(QStringLiteral("drover.yaml"));
        stateDir = tmp.filePath(QStringLiteral("state"));
        errFile = tmp.filePath(QStringLiteral("droverd.err"));
    }
    ~Droverd()
    {
        if (process && QTest::currentTestFailed() &&
            (process->state() == QProcess::NotRunning || process->waitForFinished(50)))
            qInfo("droverd had exited: %s, code %d",
                  process->exitStatus() == QProcess::CrashExit ? "crashed" : "normally",
                  process->exitCode());
        stop();
        killLeftovers(markEnv(), 2000);
        if (QTest::currentTestFailed()) {
            tmp.setAutoRemove(false);
            qInfo("test dir kept: %s\ndroverd stderr (tail):\n%s", qPrintable(tmp.path()),
                  qPrintable(log().right(6000)));
        }
    }
    Droverd(const Droverd &) = delete;
    Droverd &operator=(const Droverd &) = delete;

    /// `DROVER_TEST_MARK=<uuid>` as it appears in /proc/PID/environ.
    std::string markEnv() const
    {
        return QString(kMarkVar + QLatin1Char('=') + mark).toStdString();
    }

    /// A config: `master` lines (each indented by two spaces) after state_dir and listen,
    /// then `pools:` with `pools` (block style) when given.
    QByteArray yaml(const QByteArray &pools, const QByteArray &masterExtra = {},
                    const QByteArray &listen = {}) const
    {
        QByteArray text = "version: 1\nmaster:\n  state_dir: \"" + stateDir.toUtf8() +
                          "\"\n  listen: \"" +
                          (listen.isEmpty() ? "127.0.0.1:" + QByteArray::number(port) : listen) +
                          "\"\n" + masterExtra;
        if (!pools.isEmpty())
            text += "pools:\n" + pools;
        return text;
    }
    bool writeConfig(const QByteArray &text) const { return writeFile(config, text); }

    /// `droverd token create --config F --name N --role R`; the token (its last stdout line).
    QString createToken(const QString &name, const QString &role) const
    {
        Run r = runProgram(QStringLiteral("droverd"),
                           {QStringLiteral("token"), QStringLiteral("create"),
                            QStringLiteral("--config"), config, QStringLiteral("--name"), name,
                            QStringLiteral("--role"), role});
        if (r.code != 0) {
            qWarning("token create failed (%d): %s", r.code, qPrintable(r.err));
            return {};
        }
        const QStringList lines = r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        return lines.isEmpty() ? QString() : lines.last().trimmed();
    }

    /// Starts droverd and waits until it listens (its `server.listening` line); false when it
    /// exits first or takes more than 15 s.
    bool start(const QStringList &extraArgs = {})
    {
        process = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(kMarkVar, mark);
        process->setProcessEnvironment(env);
        process->setStandardOutputFile(errFile + QStringLiteral(".out"));
        process->setStandardErrorFile(errFile);
        process->start(QStringLiteral(DROVER_BIN_DIR "/droverd"),
                       QStringList{QStringLiteral("--config"), config} + extraArgs);
        if (!process->waitForStarted(10'000))
            return false;
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 15'000) {
            if (log().contains(QStringLiteral("server.listening")))
                return true;
            if (process->waitForFinished(20))
                return false;
        }
        return false;
    }

    /// SIGTERM, then waits (20 s) for a graceful stop; the exit code, -1 when it did not.
    int stop()
    {
        if (!process || process->state() == QProcess::NotRunning)
            return process ? process->exitCode() : -1;
        process->terminate();
        if (!process->waitForFinished(20'000)) {
            process->kill();
            process->waitForFinished(5000);
            return -1;
        }
        return process->exitStatus() == QProcess::NormalExit ? process->exitCode() : -1;
    }

    qint64 pid() const { return process ? process->processId() : 0; }
    bool running() const { return process && process->state() == QProcess::Running; }
    QString log() const { return readText(errFile); }
    QString url() const { return QStringLiteral("ws://127.0.0.1:%1").arg(port); }

    /// droverd's resident set (VmRSS), in KiB.
    long rssKiB() const { return test::rssKiB(pid()); }

    QTemporaryDir tmp;
    QString mark;
    int port = 0;
    QString config;
    QString stateDir;
    QString errFile;
    std::unique_ptr<QProcess> process;
};

/// What a stream listener saw, guarded: callbacks come on the backend's thread.
struct Recorder : api::StreamListener
{
    /// Recursive: the helpers below may be called inside a waitFor() predicate.
    mutable std::recursive_mutex mutex;
    std::condition_variable_any changed;
    int snapshots = 0;
    api::Snapshot lastSnapshot;
    std::uint64_t lastSeq = 0; ///< the newest seq, of a snapshot or a delta
    std::vector<std::uint64_t> seqs;
    std::vector<std::string> gaps; ///< "after 41 came 43"
    std::vector<api::Event> events;
    api::StateMirror mirror;
    std::map<std::string, api::WorkerInfo> &workers = mirror.workers;
    std::map<std::string, api::PoolInfo> &pools = mirror.pools;
    int metricBatches = 0;

    void onSnapshot(const api::Snapshot &s) override
    {
        std::lock_guard lock(mutex);
        ++snapshots;
        lastSnapshot = s;
        lastSeq = s.seq;
        mirror.reset(s);
        changed.notify_all();
    }
    void onDelta(const api::Delta &d) override
    {
        std::lock_guard lock(mutex);
        if (!mirror.apply(d))
            gaps.push_back("after " + std::to_string(lastSeq) + " came " + std::to_string(d.seq));
        lastSeq = d.seq;
        seqs.push_back(d.seq);
        if (d.kind == api::DeltaKind::EventAdded)
            events.push_back(std::get<api::Event>(d.value));
        changed.notify_all();
    }
    void onMetrics(const api::MetricBatch &) override
    {
        std::lock_guard lock(mutex);
        ++metricBatches;
    }

    /// Waits until `pred()` holds (called under the lock); false after `ms`.
    template <class Pred>
    bool waitFor(Pred pred, int ms = 15'000)
    {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, std::chrono::milliseconds(ms), pred);
    }
    int restartsOf(const std::string &id) const
    {
        std::lock_guard lock(mutex);
        auto it = workers.find(id);
        return it == workers.end() ? -1 : it->second.restarts;
    }
    std::vector<api::Event> eventsOfKind(const std::string &kind) const
    {
        std::lock_guard lock(mutex);
        std::vector<api::Event> out;
        for (const api::Event &e : events) {
            if (e.kind == kind)
                out.push_back(e);
        }
        return out;
    }
};

/// A RemoteBackend driven from the test thread: the link's states as they came, and requests
/// that wait for their reply (counting how many replies each got).
class Link
{
public:
    explicit Link(remote::RemoteOptions options)
        : backend(std::make_unique<remote::RemoteBackend>(std::move(options)))
    {
        backend->setStatusListener([this](const remote::LinkStatus &s) {
            std::lock_guard lock(m_mutex);
            m_statuses.push_back(s);
            m_changed.notify_all();
        });
        backend->start();
    }
    static remote::RemoteOptions options(int port, const QString &token = {})
    {
        remote::RemoteOptions o;
        o.url.host = "127.0.0.1";
        o.url.port = port;
        o.token = token.toStdString();
        o.client = "tst";
        o.backoffInitial = std::chrono::milliseconds(100);
        o.backoffMax = std::chrono::milliseconds(500);
        return o;
    }

    /// Waits until a status in `state` came after the first `from` statuses; that status.
    std::optional<remote::LinkStatus> waitState(remote::LinkStatus::State state, int ms = 15'000,
                                                std::size_t from = 0)
    {
        std::unique_lock lock(m_mutex);
        std::optional<remote::LinkStatus> found;
        m_changed.wait_for(lock, std::chrono::milliseconds(ms), [&] {
            for (std::size_t i = from; i < m_statuses.size(); ++i) {
                if (m_statuses[i].state == state) {
                    found = m_statuses[i];
                    return true;
                }
            }
            return false;
        });
        return found;
    }
    std::vector<remote::LinkStatus> statuses() const
    {
        std::lock_guard lock(m_mutex);
        return m_statuses;
    }
    std::size_t statusCount() const
    {
        std::lock_guard lock(m_mutex);
        return m_statuses.size();
    }
    bool connected(int ms = 15'000)
    {
        return waitState(remote::LinkStatus::State::Connected, ms).has_value();
    }

    struct Pending
    {
        std::mutex mutex;
        std::condition_variable cv;
        int replies = 0;
        std::optional<api::Reply> reply;
    };
    /// Sends a request; wait() on the result for its reply.
    std::shared_ptr<Pending> send(const std::string &op, const nlohmann::json &args)
    {
        auto p = std::make_shared<Pending>();
        backend->request(op, args, [p](api::Reply r) {
            std::lock_guard lock(p->mutex);
            ++p->replies;
            p->reply = std::move(r);
            p->cv.notify_all();
        });
        return p;
    }
    static std::optional<api::Reply> wait(const std::shared_ptr<Pending> &p, int ms = 15'000)
    {
        std::unique_lock lock(p->mutex);
        p->cv.wait_for(lock, std::chrono::milliseconds(ms), [&] { return p->replies > 0; });
        return p->reply;
    }
    static int replies(const std::shared_ptr<Pending> &p)
    {
        std::lock_guard lock(p->mutex);
        return p->replies;
    }
    std::optional<api::Reply> call(const std::string &op, const nlohmann::json &args,
                                   int ms = 15'000)
    {
        return wait(send(op, args), ms);
    }

    std::unique_ptr<remote::RemoteBackend> backend;

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<remote::LinkStatus> m_statuses;
};

/// The error code of a reply ("" when ok, "none" when it never came).
inline std::string codeOf(const std::optional<api::Reply> &r)
{
    if (!r)
        return "none";
    return r->ok() ? std::string() : std::string(api::toString(r->error().code));
}

} // namespace drover::test
