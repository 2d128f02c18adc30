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

} // namespace drover::test
