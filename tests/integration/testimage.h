#pragma once

// The container tests' image, made here with no registry: `podman import` of a root that
// holds only busybox (Debian's busybox-static) and a page to serve at /www/index.html.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace drover::test {

inline const QString kImage = QStringLiteral("localhost/drover-test-busybox:1");

/// Runs podman with `args`; its stdout (stderr too when it fails).
inline QString podman(const QStringList &args, int *exitCode = nullptr)
{
    QProcess p;
    p.start(QStringLiteral("podman"), args);
    p.waitForFinished(120000);
    if (exitCode)
        *exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    QString out = QString::fromLocal8Bit(p.readAllStandardOutput());
    if (p.exitCode() != 0)
        out += QString::fromLocal8Bit(p.readAllStandardError());
    return out.trimmed();
}

/// Makes the test image when podman does not have it: busybox and its applets, /www/index.html.
inline QString makeImage()
{
    int code = 0;
    podman({QStringLiteral("image"), QStringLiteral("exists"), kImage}, &code);
    if (code == 0)
        return {};
    const QString busybox = QStringLiteral("/bin/busybox");
    if (!QFile::exists(busybox))
        return QStringLiteral("no /bin/busybox (apt-get install busybox-static)");
    QTemporaryDir root;
    QDir dir(root.path());
    dir.mkpath(QStringLiteral("bin"));
    dir.mkpath(QStringLiteral("www"));
    dir.mkpath(QStringLiteral("tmp"));
    QFile::copy(busybox, root.filePath(QStringLiteral("bin/busybox")));
    for (const char *applet : {"sh", "sleep", "httpd", "echo", "cat", "ls"})
        QFile::link(QStringLiteral("busybox"),
                    root.filePath(QStringLiteral("bin/") + QLatin1String(applet)));
    QFile page(root.filePath(QStringLiteral("www/index.html")));
    page.open(QIODevice::WriteOnly);
    page.write("drover test page\n");
    page.close();
    QProcess tar;
    const QString archive = root.filePath(QStringLiteral("../image.tar"));
    tar.start(QStringLiteral("tar"), {QStringLiteral("-C"), root.path(), QStringLiteral("-cf"),
                                      archive, QStringLiteral(".")});
    tar.waitForFinished();
    const QString imported = podman({QStringLiteral("import"), QStringLiteral("--change"),
                                     QStringLiteral("CMD [\"/bin/sh\"]"), archive, kImage},
                                    &code);
    QFile::remove(archive);
    return code == 0 ? QString() : QStringLiteral("podman import failed: ") + imported;
}

} // namespace drover::test
