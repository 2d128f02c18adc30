// drover: the desktop console. With no arguments it runs an embedded master on the demo
// config (copied to the user's config dir on first run, so it can be edited); --config FILE
// runs another config; --connect URL talks to a droverd instead.
#include "api/version.h"
#include "config/loader.h"
#include "local/localbackend.h"
#include "models/backendbridge.h"
#include "remote/masterurl.h"
#include "remote/remotebackend.h"
#include "ui/fleetview.h"
#include "ui/mainwindow.h"
#include "ui/masterview.h"
#include "ui/previewwindow.h"
#include "ui/theme.h"
#include "ui/translations.h"
#include "ui/workerdetail.h"
#include "ui/workerspane.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTimer>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>

extern char **environ;

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

QString shortPath(const QString &file)
{
    QString shown = QDir::toNativeSeparators(file);
    if (shown.startsWith(QDir::homePath() + QLatin1Char('/')))
        shown = QStringLiteral("~") + shown.mid(QDir::homePath().size());
    return shown;
}

/// Saves a picture of `window` once `ready` says so (or after 10 s), then quits: 0 when the
/// file was written.
void screenshotWhen(QWidget *window, const QString &file, std::function<bool()> ready)
{
    auto *poll = new QTimer(window);
    auto waited = std::make_shared<int>(0);
    QObject::connect(poll, &QTimer::timeout, window, [=] {
        *waited += 100;
        if (!ready() && *waited < 10'000)
            return;
        poll->stop();
        const bool saved = window->grab().save(file);
        if (!saved)
            std::fprintf(stderr, "drover: cannot write %s\n", qPrintable(file));
        QApplication::exit(saved ? 0 : 1);
    });
    poll->start(100);
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("drover"));
    QApplication::setOrganizationName(QStringLiteral("drover"));
    QApplication::setApplicationVersion(QLatin1String(drover::kVersion));
    QGuiApplication::setDesktopFileName(QStringLiteral("drover")); // drover.desktop

    // The language before the parser, so that --help speaks it too: --lang X, else the locale's.
    QString language = QLocale().name().left(2);
    const QStringList args = QApplication::arguments();
    for (qsizetype i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--lang") && i + 1 < args.size())
            language = args[i + 1];
        else if (args[i].startsWith(QLatin1String("--lang=")))
            language = args[i].mid(7);
    }
    drover::ui::installTranslations(language);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "Drover console: workers, pools and health at a glance."));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption configOpt(QStringLiteral("config"),
                                 QApplication::translate("main", "Run this config file."),
                                 QStringLiteral("FILE"));
    QCommandLineOption connectOpt(
        QStringLiteral("connect"),
        QApplication::translate("main", "Connect to the master at URL (ws:// or wss://)."),
        QStringLiteral("URL"));
    QCommandLineOption tokenOpt(
        QStringLiteral("token-file"),
        QApplication::translate("main", "Read the access token for --connect from FILE."),
        QStringLiteral("FILE"));
    QCommandLineOption caOpt(
        QStringLiteral("ca"),
        QApplication::translate("main", "For wss://: verify the master against this CA file."),
        QStringLiteral("FILE"));
    QCommandLineOption fingerprintOpt(
        QStringLiteral("fingerprint"),
        QApplication::translate("main", "For wss://: accept exactly the certificate with this "
                                        "SHA-256 fingerprint."),
        QStringLiteral("HEX"));
    QCommandLineOption fleetOpt(
        QStringLiteral("fleet"),
        QApplication::translate("main", "Follow the fleet of masters registered in etcd at URL "
                                        "(several: comma-separated), instead of the embedded "
                                        "master."),
        QStringLiteral("URL"));
    QCommandLineOption fleetPrefixOpt(
        QStringLiteral("fleet-prefix"),
        QApplication::translate("main", "The fleet's key prefix in etcd (master.fleet.prefix)."),
        QStringLiteral("PREFIX"), QStringLiteral("/drover/fleet/"));
    QCommandLineOption themeOpt(
        QStringLiteral("theme"),
        QApplication::translate("main", "Colours: system (the default), light or dark."),
        QStringLiteral("THEME"), QStringLiteral("system"));
    QCommandLineOption langOpt(QStringLiteral("lang"),
                               QApplication::translate("main", "Language: de or en."),
                               QStringLiteral("LANG"));
    QCommandLineOption shotOpt(
        QStringLiteral("screenshot"),
        QApplication::translate("main", "Save a picture of the window to FILE and exit."),
        QStringLiteral("FILE"));
    QCommandLineOption paneOpt(
        QStringLiteral("pane"),
        QApplication::translate(
            "main",
            "Open on this pane: workers, pools, rollouts, jobs, health, charts, events or config."),
        QStringLiteral("PANE"));
    QCommandLineOption workerOpt(
        QStringLiteral("worker"),
        QApplication::translate("main", "Select these workers (comma-separated) once shown."),
        QStringLiteral("ID[,ID...]"));
    QCommandLineOption detailOpt(
        QStringLiteral("detail"),
        QApplication::translate("main",
                                "The selected worker's tab to show: log, process or events."),
        QStringLiteral("TAB"));
    QCommandLineOption logOpt(
        QStringLiteral("log-level"),
        QApplication::translate("main", "The embedded master's log on stderr: debug, info, "
                                        "warn (the default) or error."),
        QStringLiteral("LEVEL"), QStringLiteral("warn"));
    parser.addOptions({configOpt, connectOpt, tokenOpt, caOpt, fingerprintOpt, fleetOpt,
                       fleetPrefixOpt, langOpt, themeOpt, paneOpt, workerOpt, detailOpt, logOpt,
                       shotOpt});
    parser.process(app);

    if (!drover::ui::applyTheme(parser.value(themeOpt))) {
        std::fprintf(stderr, "drover: --theme: one of system, light, dark\n");
        return 2;
    }
    spdlog::set_level(spdlog::level::from_str(parser.value(logOpt).toStdString()));

    // The demo's commands name ${DROVER_DEMO_WORKER}; point it at the worker built beside us.
    if (qEnvironmentVariableIsEmpty("DROVER_DEMO_WORKER"))
        qputenv("DROVER_DEMO_WORKER",
                (QApplication::applicationDirPath() + QStringLiteral("/drover-demo-worker"))
                    .toLocal8Bit());

    std::shared_ptr<drover::local::LocalBackend> embedded;
    std::unique_ptr<drover::ui::MainWindow> main;
    if (parser.isSet(connectOpt)) {
        auto url = drover::remote::parseMasterUrl(parser.value(connectOpt).toStdString());
        if (!url.ok()) {
            std::fprintf(stderr, "drover: --connect: %s\n", url.error().message.c_str());
            return 2;
        }
        QString token;
        if (parser.isSet(tokenOpt)) {
            QFile f(parser.value(tokenOpt));
            if (!f.open(QIODevice::ReadOnly)) {
                std::fprintf(stderr, "drover: cannot read the token file %s\n",
                             qPrintable(parser.value(tokenOpt)));
                return 2;
            }
            token = QString::fromUtf8(f.readAll()).trimmed();
        }
        main = std::make_unique<drover::ui::MainWindow>();
        const QString where = QString::fromStdString(url->toString());
        main->connectTo({where, where, parser.value(caOpt), parser.value(fingerprintOpt)}, token);
    } else if (parser.isSet(fleetOpt) && !parser.isSet(configOpt)) {
        main = std::make_unique<drover::ui::MainWindow>();
    } else {
        QString file = parser.isSet(configOpt) ? parser.value(configOpt) : demoConfigPath();
        auto loaded = drover::config::loadFile(file.toStdString());
        if (!loaded.ok()) {
            // Nothing to run: the file and every error in it.
            auto preview = std::make_unique<drover::ui::PreviewWindow>();
            preview->showLoadResult(shortPath(file), loaded);
            preview->show();
            if (parser.isSet(shotOpt))
                screenshotWhen(preview.get(), parser.value(shotOpt), [] { return true; });
            return app.exec();
        }
        drover::engine::EngineOptions options;
        for (char **e = environ; *e; ++e)
            options.masterEnv.emplace_back(*e);
        embedded = std::make_shared<drover::local::LocalBackend>(options);
        auto started =
            embedded->start(std::make_shared<drover::config::Config>(std::move(*loaded.config)));
        if (!started.ok()) {
            std::fprintf(stderr, "drover: the embedded master cannot start: %s\n",
                         started.error().message.c_str());
            return 1;
        }
        main = std::make_unique<drover::ui::MainWindow>(
            embedded, QApplication::translate("main", "Embedded master (%1)")
                          .arg(QFileInfo(file).fileName()));
    }
    main->connectSaved(); // the remote masters remembered from earlier sessions
    if (parser.isSet(fleetOpt)) {
        const auto fleet = drover::models::FleetWatch::Spec::plain(
            parser.value(fleetPrefixOpt),
            parser.value(fleetOpt).split(QLatin1Char(','), Qt::SkipEmptyParts),
            parser.value(fleetPrefixOpt));
        if (const QString why = drover::models::FleetWatch::problemOf(fleet); !why.isEmpty()) {
            std::fprintf(stderr, "drover: --fleet: %s\n", qPrintable(why));
            return 2;
        }
        drover::ui::FleetView *view = main->followFleet(fleet);
        if (!main->current())
            main->showFleet(view);
    }
    if (!main->current() &&
        (parser.isSet(paneOpt) || parser.isSet(detailOpt) || parser.isSet(workerOpt))) {
        std::fprintf(stderr, "drover: --pane, --detail and --worker need a master\n");
        return 2;
    }
    if (parser.isSet(paneOpt)) {
        const int pane = drover::ui::MasterView::paneFromName(parser.value(paneOpt));
        if (pane < 0) {
            std::fprintf(stderr, "drover: --pane: one of workers, pools, rollouts, jobs, health, "
                                 "charts, events, config\n");
            return 2;
        }
        main->current()->showPane(drover::ui::MasterView::Pane(pane));
    }
    if (parser.isSet(detailOpt)) {
        const QStringList tabs{QStringLiteral("log"), QStringLiteral("process"),
                               QStringLiteral("events")};
        const int tab = int(tabs.indexOf(parser.value(detailOpt)));
        if (tab < 0) {
            std::fprintf(stderr, "drover: --detail: one of log, process, events\n");
            return 2;
        }
        main->current()->workersPane()->detail()->tabs()->setCurrentIndex(tab);
    }
    if (parser.isSet(workerOpt)) {
        drover::ui::MasterView *view = main->current();
        const QStringList ids = parser.value(workerOpt).split(QLatin1Char(','), Qt::SkipEmptyParts);
        QObject::connect(view->bridge(), &drover::models::BackendBridge::snapshotApplied, view,
                         [view, ids] { view->workersPane()->selectWorkers(ids); });
    }
    main->show();
    if (parser.isSet(shotOpt)) {
        // Once the first snapshot is on screen and the workers have had a moment to start
        // (charts: a few points).
        auto since = std::make_shared<qint64>(0);
        screenshotWhen(main.get(), parser.value(shotOpt), [main = main.get(), since] {
            if (!main->bridge()) { // a fleet only: once etcd has answered
                const QList<drover::ui::FleetView *> fleets = main->fleets();
                return !fleets.isEmpty() && fleets[0]->watch()->heard();
            }
            if (!main->bridge()->hasSnapshot())
                return false;
            if (*since == 0)
                *since = QDateTime::currentMSecsSinceEpoch();
            return QDateTime::currentMSecsSinceEpoch() - *since > 4000;
        });
    }
    const int code = app.exec();
    main.reset();
    if (embedded)
        embedded->shutdown(); // the embedded master's workers end with the console
    return code;
}
