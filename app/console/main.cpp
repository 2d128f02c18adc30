// drover: the desktop console. Starts on the demo config (copied to the user's config dir on
// first run, so it can be edited) or on --config FILE.
#include "api/version.h"
#include "config/loader.h"
#include "ui/previewwindow.h"
#include "ui/translations.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QLibraryInfo>
#include <QLocale>
#include <QStandardPaths>
#include <QTimer>

namespace {

/// The demo config in the user's config dir, copied from the resources on first run.
QString demoConfigPath()
{
    QString dir = QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation);
    QDir().mkpath(dir);
    QString path = dir + QStringLiteral("/demo.yaml");
    if (!QFile::exists(path)) {
        QFile::copy(QStringLiteral(":/examples/demo.yaml"), path);
        QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup);
    }
    return path;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("drover"));
    QApplication::setApplicationVersion(QLatin1String(drover::kVersion));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "Drover console: workers, pools and health at a glance."));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption configOpt(QStringLiteral("config"),
                                 QApplication::translate("main", "Run this config file."),
                                 QStringLiteral("FILE"));
    QCommandLineOption langOpt(QStringLiteral("lang"),
                               QApplication::translate("main", "Language: de or en."),
                               QStringLiteral("LANG"));
    QCommandLineOption shotOpt(
        QStringLiteral("screenshot"),
        QApplication::translate("main", "Save a picture of the window to FILE and exit."),
        QStringLiteral("FILE"));
    parser.addOptions({configOpt, langOpt, shotOpt});
    parser.process(app);

    drover::ui::installTranslations(parser.isSet(langOpt) ? parser.value(langOpt)
                                                          : QLocale().name().left(2));

    // The demo's commands name ${DROVER_DEMO_WORKER}; point it at the worker built beside us.
    if (qEnvironmentVariableIsEmpty("DROVER_DEMO_WORKER"))
        qputenv("DROVER_DEMO_WORKER",
                (QApplication::applicationDirPath() + QStringLiteral("/drover-demo-worker"))
                    .toLocal8Bit());

    QString file = parser.isSet(configOpt) ? parser.value(configOpt) : demoConfigPath();
    drover::ui::PreviewWindow window;
    QString shown = QDir::toNativeSeparators(file);
    if (shown.startsWith(QDir::homePath() + QLatin1Char('/')))
        shown = QStringLiteral("~") + shown.mid(QDir::homePath().size());
    window.showLoadResult(shown, drover::config::loadFile(file.toStdString()));
    window.show();

    if (parser.isSet(shotOpt)) {
        QString out = parser.value(shotOpt);
        QTimer::singleShot(300, &window, [&window, out] {
            bool saved = window.grab().save(out);
            QApplication::exit(saved ? 0 : 1);
        });
    }
    return app.exec();
}
