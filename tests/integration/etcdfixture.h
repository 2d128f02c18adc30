#pragma once
// A real etcd for the fleet's tests and bench: Debian's etcd-server on 127.0.0.1, its client
// and peer ports free ones, its data in a temp dir. `./setup.sh test` installs it.
#include "droverdfixture.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

namespace drover::test {

class EtcdServer
{
public:
    EtcdServer()
        : clientPort(freePort())
        , peerPort(freePort())
        , metricsPort(freePort())
    {}
    ~EtcdServer() { kill(); }
    EtcdServer(const EtcdServer &) = delete;
    EtcdServer &operator=(const EtcdServer &) = delete;

    static QString program() { return QStandardPaths::findExecutable(QStringLiteral("etcd")); }

    /// Starts etcd (again, on the same ports and data, after kill()) and waits until it
    /// answers /health (20 s at most).
    bool start()
    {
        if (program().isEmpty())
            return false;
        process = std::make_unique<QProcess>();
        process->setProcessChannelMode(QProcess::MergedChannels);
        process->setStandardOutputFile(dir.filePath(QStringLiteral("etcd.log")), QIODevice::Append);
        const QString client = url();
        const QString peer = QStringLiteral("http://127.0.0.1:%1").arg(peerPort);
        // /health on a plain port of its own, also when the client port is https.
        const QString metrics = QStringLiteral("http://127.0.0.1:%1").arg(metricsPort);
        process->start(
            program(),
            QStringList{QStringLiteral("--name"), QStringLiteral("test"),
                        QStringLiteral("--data-dir"), dir.filePath(QStringLiteral("data")),
                        QStringLiteral("--listen-client-urls"), client,
                        QStringLiteral("--advertise-client-urls"), client,
                        QStringLiteral("--listen-peer-urls"), peer,
                        QStringLiteral("--initial-advertise-peer-urls"), peer,
                        QStringLiteral("--initial-cluster"), QStringLiteral("test=") + peer,
                        QStringLiteral("--listen-metrics-urls"), metrics,
                        QStringLiteral("--log-level"), QStringLiteral("warn")} +
                extraArgs);
        if (!process->waitForStarted(10'000))
            return false;
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 20'000) {
            if (httpGet(metricsPort, "/health", {}, {}, 1000).body.find("\"true\"") !=
                std::string::npos)
                return true;
            if (process->waitForFinished(100))
                return false;
        }
        return false;
    }

    /// SIGKILL: etcd gone without a word.
    void kill()
    {
        if (process && process->state() != QProcess::NotRunning) {
            process->kill();
            process->waitForFinished(5000);
        }
    }

    QString url() const
    {
        return QStringLiteral("%1://127.0.0.1:%2")
            .arg(QLatin1String(https ? "https" : "http"))
            .arg(clientPort);
    }
    QString log() const { return readText(dir.filePath(QStringLiteral("etcd.log"))); }

    QTemporaryDir dir;
    int clientPort = 0;
    int peerPort = 0;
    int metricsPort = 0;
    bool https = false;    ///< set with --cert-file/--key-file in extraArgs
    QStringList extraArgs; ///< TLS, client certificates...
    std::unique_ptr<QProcess> process;
};

/// A test CA (`ca.pem`), a server certificate for 127.0.0.1 (`server.pem`, `server.key`)
/// and a client certificate (`client.pem`, `client.key`) in `dir`, made by the openssl CLI;
/// false when a step failed (its error on stderr).
inline bool makeTestCertificates(const QString &dir)
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
    if (!writeFile(dir + QStringLiteral("/server.ext"),
                   "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n"
                   "subjectAltName=IP:127.0.0.1\n") ||
        !writeFile(dir + QStringLiteral("/client.ext"),
                   "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n"))
        return false;
    if (!ssl(QStringList{QStringLiteral("req"), QStringLiteral("-x509")} + ec +
             QStringList{QStringLiteral("-keyout"), QStringLiteral("ca.key"),
                         QStringLiteral("-out"), QStringLiteral("ca.pem"), QStringLiteral("-days"),
                         QStringLiteral("2"), QStringLiteral("-subj"),
                         QStringLiteral("/CN=Drover Test CA")}))
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

} // namespace drover::test
