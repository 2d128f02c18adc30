// The fleet at scale: one etcd on loopback, N droverds (100 by default: distinct ports and
// state dirs) registered in it, and one console (ui::MainWindow, offscreen) following all of
// them. Prints:
//   RESULT bench=fleet ... : time until all N are shown (the console started after they
//     registered: etcd's range), each master's delay from listening to shown (the console
//     following while they start: registration and the watch), the GUI thread's CPU share
//     while the fleet churns (each master has a pool whose worker exits every few seconds,
//     so its record changes: changes_per_s over the fleet), console RSS, droverd RSS each,
//     etcd's RSS. The GUI thread's share is not measured while the masters start: the
//     harness itself starts them from that thread.
// Usage: bench_fleet [--masters N] [--seconds S]. Run on the optimized build.
#include "../integration/etcdfixture.h"
#include "models/fleetmodel.h"
#include "ui/fleetview.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <vector>

using namespace drover;

namespace {

double threadCpuSeconds()
{
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

/// VmRSS of a process (0: this one), in MiB; negative when it is gone.
double rssMiB(qint64 pid)
{
    return double(test::rssKiB(pid)) / 1024.0;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size() - 1) + 0.5))];
}

/// Runs the event loop until `done` or `ms` pass (looked at every 10 ms, the loop sleeping
/// in between); false on timeout.
template <class F>
bool waitFor(F done, int ms)
{
    QElapsedTimer clock;
    clock.start();
    QEventLoop loop;
    QTimer tick;
    tick.setInterval(10);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        if (done() || clock.elapsed() > ms)
            loop.quit();
    });
    tick.start();
    if (!done())
        loop.exec();
    return done();
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("drover-bench"));
    QCoreApplication::setApplicationName(QStringLiteral("bench_fleet"));
    int masters = 100;
    int seconds = 10;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == QLatin1String("--masters"))
            masters = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--seconds"))
            seconds = args[i + 1].toInt();
    }
    test::EtcdServer etcd;
    if (!etcd.start()) {
        std::fprintf(stderr, "bench_fleet: etcd did not start (is etcd-server installed?)\n%s",
                     qPrintable(etcd.log()));
        return 1;
    }
    const QString prefix = QStringLiteral("/bench/fleet/");
    auto fleetLines = [&](int i) -> QByteArray {
        return "  fleet:\n    etcd: [\"" + etcd.url().toUtf8() + "\"]\n    prefix: \"" +
               prefix.toUtf8() + "\"\n    name: \"m" + QByteArray::number(i) + "\"\n";
    };
    const QByteArray pools = "  - name: steady\n    command: [\"sleep\", \"100000\"]\n"
                             "  - name: churn\n    command: [\"sh\", \"-c\", \"sleep 4; exit 1\"]\n"
                             "    restart: {backoff: {initial: 1s, max: 1s}, max_restarts: 1000}\n";

    // Phase 1: the console follows an empty prefix while the masters start one by one; each
    // master's delay from listening to shown.
    std::map<QString, QElapsedTimer> listening;
    std::map<QString, double> appearedMs;
    std::vector<std::unique_ptr<test::Droverd>> droverds;
    {
        ui::MainWindow window;
        window.show();
        ui::FleetView *view = window.followFleet(
            models::FleetWatch::Spec::plain(QStringLiteral("bench"), {etcd.url()}, prefix));
        const models::FleetModel *model = view->watch()->model();
        QObject::connect(view->watch(), &models::FleetWatch::changed, [&] {
            for (const fleet::MasterRecord &m : model->masters()) {
                const QString name = QString::fromStdString(m.name);
                auto it = listening.find(name);
                if (it != listening.end() && !appearedMs.count(name))
                    appearedMs[name] = double(it->second.nsecsElapsed()) / 1e6;
            }
        });
        waitFor([&] { return view->watch()->heard(); }, 10'000);
        for (int i = 0; i < masters; ++i) {
            auto d = std::make_unique<test::Droverd>();
            d->writeConfig(d->yaml(pools, fleetLines(i)));
            if (!d->start()) {
                std::fprintf(stderr, "bench_fleet: droverd %d did not start:\n%s\n", i,
                             qPrintable(d->log().right(2000)));
                return 1;
            }
            listening[QStringLiteral("m%1").arg(i)].start();
            droverds.push_back(std::move(d));
            QCoreApplication::processEvents();
        }
        if (!waitFor([&] { return int(appearedMs.size()) == masters; }, 60'000)) {
            std::fprintf(stderr, "bench_fleet: only %zu of %d masters shown\n", appearedMs.size(),
                         masters);
            return 1;
        }
    }
    std::vector<double> delays;
    for (const auto &[name, ms] : appearedMs)
        delays.push_back(ms);

    // Phase 2: a new console follows the registered fleet: time until all N are shown, then
    // the churning fleet for `seconds`: GUI thread CPU, console RSS.
    const double rssBefore = rssMiB(0);
    ui::MainWindow window;
    window.show();
    QElapsedTimer shown;
    shown.start();
    ui::FleetView *view = window.followFleet(
        models::FleetWatch::Spec::plain(QStringLiteral("bench"), {etcd.url()}, prefix));
    const models::FleetModel *model = view->watch()->model();
    if (!waitFor([&] { return model->rowCount() == masters; }, 30'000)) {
        std::fprintf(stderr, "bench_fleet: the second console shows %d of %d\n", model->rowCount(),
                     masters);
        return 1;
    }
    const double allShownMs = double(shown.nsecsElapsed()) / 1e6;
    int batches = 0;
    int changes = 0; // records that changed, over all batches
    std::map<std::string, fleet::MasterRecord> last;
    QObject::connect(view->watch(), &models::FleetWatch::changed, [&] {
        ++batches;
        for (const fleet::MasterRecord &m : model->masters()) {
            fleet::MasterRecord &before = last[m.key];
            fleet::MasterRecord now = m;
            now.updatedMs = before.updatedMs; // the time alone is not a change
            changes += !(before == now);
            before = m;
        }
    });
    const double cpu0 = threadCpuSeconds();
    QElapsedTimer wall;
    wall.start();
    waitFor([] { return false; }, seconds * 1000);
    const double guiBusy =
        100.0 * (threadCpuSeconds() - cpu0) / (double(wall.nsecsElapsed()) / 1e9);
    const double rssConsole = rssMiB(0);

    std::vector<double> droverdRss;
    for (const auto &d : droverds)
        droverdRss.push_back(rssMiB(d->pid()));
    const double etcdRss = rssMiB(etcd.process->processId());

    std::printf("RESULT bench=fleet masters=%d all_shown_ms=%.0f appear_p50_ms=%.0f "
                "appear_p99_ms=%.0f appear_max_ms=%.0f gui_busy_churn_percent=%.2f"
                " changes_per_s=%.1f batches_per_s=%.1f console_rss_mb=%.1f "
                "console_fleet_rss_mb=%.1f droverd_rss_mb_p50=%.1f droverd_rss_mb_max=%.1f "
                "etcd_rss_mb=%.1f\n",
                masters, allShownMs, percentile(delays, 0.5), percentile(delays, 0.99),
                percentile(delays, 1.0), guiBusy, changes / (double(wall.nsecsElapsed()) / 1e9),
                batches / (double(wall.nsecsElapsed()) / 1e9), rssConsole, rssConsole - rssBefore,
                percentile(droverdRss, 0.5), percentile(droverdRss, 1.0), etcdRss);
    std::fflush(stdout);
    // Stopping 100 droverds one after the other (each removes its key) takes a while.
    for (auto &d : droverds)
        d->process->terminate();
    for (auto &d : droverds)
        d->stop();
    return 0;
}
