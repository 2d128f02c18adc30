// The config editor's validation as you type (issue 17), the real ui::ConfigPane offscreen:
//   build/bench/bench_configeditor [--samples 30] [--seconds 15]
// against an embedded master (LocalBackend, the engine on its own thread) and a real droverd
// over loopback (RemoteBackend, ws://127.0.0.1), each running a one-pool config; the editor
// holds demo.yaml (2.5 KB) or the 1000-pool config of bench_config (204 KB), as if pasted in.
//
// 1. Keystroke to underline: at a pool's `replicas: 2` line an `x` is typed (an error), then
//    removed (valid again), --samples times each, at different pools. Each sample is the time
//    from the key press to the end of the ConfigPane's update that shows the result (the
//    underline and the problems panel): keystroke_* includes the editor's 300 ms debounce,
//    as the user sees it; roundtrip_* is from the request sent to the underline shown.
// 2. Typing through the 204 KB file for --seconds: bursts of 6 keys 60 ms apart at a random
//    line, then 400 ms of rest (so that validations run and come back, with up to 100
//    problems to underline each), while a 1 ms timer on the GUI thread records the longest
//    gap between its ticks: the GUI thread's longest stall (gui_stall_max_ms, p99 of the
//    gaps), how much of that gap the GUI thread itself was running (gui_stall_max_cpu_ms;
//    the rest it waited for a core), the longest gap it was busy (gui_busy_max_ms: the
//    longest the editor's own work held the thread), and the slowest key press handled
//    (key_max_ms).
// Prints `RESULT bench=configeditor ...` lines.
#include "config/loader.h"
#include "local/localbackend.h"
#include "models/backendbridge.h"
#include "remote/remotebackend.h"
#include "ui/codeeditor.h"
#include "ui/configpane.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QKeyEvent>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTimer>

#include <algorithm>
#include <arpa/inet.h>
#include <cstdio>
#include <memory>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <vector>

using namespace drover;

namespace {

std::string manyPools(int n)
{
    std::string y = "version: 1\npools:\n";
    for (int i = 0; i < n; ++i) {
        y += "  - name: p" + std::to_string(i) +
             "\n    command: [/bin/app, \"--port\", \"{{port}}\"]\n" +
             "    ports: " + std::to_string(10000 + i * 4) + "-" +
             std::to_string(10000 + i * 4 + 3) +
             "\n    replicas: 2\n    env: {A: \"${HOME}\", B: x}\n" +
             "    probes: {readiness: {http: {url: \"http://127.0.0.1:{{port}}/ready\"}}}\n";
    }
    return y;
}

int freePort()
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    ::close(fd);
    return port;
}

/// The calling thread's CPU time.
qint64 threadCpuNs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

double pct(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size() - 1) + 0.5))];
}

struct Options
{
    int samples = 30;
    int seconds = 15;
};

bool waitFor(const std::function<bool()> &pred, int ms)
{
    QElapsedTimer t;
    t.start();
    while (!pred()) {
        if (t.elapsed() > ms)
            return false;
        QTest::qWait(5);
    }
    return true;
}

/// Keystroke to underline, `samples` errors typed and removed.
void keystrokes(ui::ConfigPane &pane, const char *backend, const char *doc, int samples)
{
    ui::CodeEditor *editor = pane.editor();
    std::vector<double> key, trip;
    // The `replicas: 2` lines, spread over the document.
    std::vector<int> lines;
    for (QTextBlock b = editor->document()->firstBlock(); b.isValid(); b = b.next()) {
        if (b.text().trimmed().startsWith(QLatin1String("replicas:")))
            lines.push_back(b.blockNumber());
    }
    if (lines.empty()) {
        std::fprintf(stderr, "no replicas line in %s\n", doc);
        return;
    }
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < samples; ++i) {
        const int line = lines[std::size_t(i * 7919) % lines.size()];
        QTextCursor c(editor->document()->findBlockByNumber(line));
        c.movePosition(QTextCursor::EndOfBlock);
        editor->setTextCursor(c);
        for (int step = 0; step < 2; ++step) {
            const quint64 before = pane.validationsShown();
            const qint64 t0 = clock.nsecsElapsed();
            if (step == 0)
                QTest::keyClick(editor, Qt::Key_X);
            else
                QTest::keyClick(editor, Qt::Key_Backspace);
            const bool wantError = step == 0;
            if (!waitFor(
                    [&] {
                        return pane.validationsShown() > before &&
                               (pane.problems()->rowCount() > 0) == wantError;
                    },
                    20'000)) {
                std::fprintf(stderr, "%s %s: no validation result\n", backend, doc);
                return;
            }
            key.push_back(double(clock.nsecsElapsed() - t0) / 1e6);
            trip.push_back(pane.lastRoundTripMs());
        }
    }
    std::printf("RESULT bench=configeditor phase=keystroke backend=%s doc=%s bytes=%lld "
                "samples=%zu debounce_ms=%d keystroke_p50_ms=%.1f keystroke_p99_ms=%.1f "
                "roundtrip_p50_ms=%.1f roundtrip_p99_ms=%.1f roundtrip_max_ms=%.1f\n",
                backend, doc, qint64(editor->document()->characterCount()), key.size(),
                pane.debounce(), pct(key, 0.5), pct(key, 0.99), pct(trip, 0.5), pct(trip, 0.99),
                pct(trip, 1.0));
    std::fflush(stdout);
}

/// Typing in bursts through the document while a 1 ms timer watches the GUI thread.
void typing(QApplication &app, ui::ConfigPane &pane, const char *backend, const char *doc,
            int seconds)
{
    ui::CodeEditor *editor = pane.editor();
    std::vector<double> gaps;
    std::vector<double> keyTimes;
    double worstGap = 0;
    double worstGapCpu = 0; // the GUI thread's own CPU time within the longest gap
    double busiestGap = 0;  // the longest gap the GUI thread spent working
    QElapsedTimer clock;
    clock.start();
    qint64 lastTick = clock.nsecsElapsed();
    qint64 lastCpu = threadCpuNs();
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    ticker.setInterval(1);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        const qint64 cpu = threadCpuNs();
        const double gap = double(now - lastTick) / 1e6;
        const double used = double(cpu - lastCpu) / 1e6;
        gaps.push_back(gap);
        if (gap > worstGap) {
            worstGap = gap;
            worstGapCpu = used;
        }
        busiestGap = std::max(busiestGap, std::min(gap, used));
        lastTick = now;
        lastCpu = cpu;
    });
    const quint64 shownBefore = pane.validationsShown();
    auto *rng = QRandomGenerator::global();
    int inBurst = 0;
    int keys = 0;
    QTimer typist;
    typist.setSingleShot(true);
    QObject::connect(&typist, &QTimer::timeout, [&] {
        if (inBurst == 0) {
            const int line = int(rng->bounded(editor->document()->blockCount()));
            QTextCursor c(editor->document()->findBlockByNumber(line));
            c.movePosition(QTextCursor::EndOfBlock);
            editor->setTextCursor(c);
        }
        const qint64 t0 = clock.nsecsElapsed();
        const int key = inBurst == 5 ? int(Qt::Key_Backspace) : int(Qt::Key_A) + inBurst;
        const QString text = inBurst == 5 ? QString() : QString(QChar(u'a' + inBurst));
        QKeyEvent press(QEvent::KeyPress, key, Qt::NoModifier, text);
        QKeyEvent release(QEvent::KeyRelease, key, Qt::NoModifier, text);
        QApplication::sendEvent(editor, &press);
        QApplication::sendEvent(editor, &release);
        keyTimes.push_back(double(clock.nsecsElapsed() - t0) / 1e6);
        ++keys;
        inBurst = (inBurst + 1) % 6;
        typist.start(inBurst == 0 ? 400 : 60);
    });
    lastTick = clock.nsecsElapsed();
    lastCpu = threadCpuNs();
    ticker.start();
    typist.start(10);
    QElapsedTimer run;
    run.start();
    while (run.elapsed() < seconds * 1000)
        app.processEvents(QEventLoop::AllEvents, 50);
    typist.stop();
    ticker.stop();
    std::printf("RESULT bench=configeditor phase=typing backend=%s doc=%s seconds=%d keys=%d "
                "validations_shown=%llu gui_stall_max_ms=%.1f gui_stall_max_cpu_ms=%.1f "
                "gui_busy_max_ms=%.1f gui_gap_p99_ms=%.2f gui_gap_p50_ms=%.2f key_max_ms=%.2f "
                "key_p50_ms=%.3f\n",
                backend, doc, seconds, keys,
                (unsigned long long)(pane.validationsShown() - shownBefore), worstGap, worstGapCpu,
                busiestGap, pct(gaps, 0.99), pct(gaps, 0.5), pct(keyTimes, 1.0),
                pct(keyTimes, 0.5));
    std::fflush(stdout);
}

/// The pane on `backend`, with `text` in the editor; false when it never came up.
bool runOn(QApplication &app, std::shared_ptr<api::Backend> backend, const char *name,
           const Options &o)
{
    models::BackendBridge bridge(backend);
    bridge.start();
    ui::ConfigPane pane(&bridge);
    pane.resize(1200, 800);
    pane.show();
    if (!waitFor([&] { return !pane.baseVersion().isEmpty(); }, 20'000)) {
        std::fprintf(stderr, "%s: the running config never came\n", name);
        return false;
    }
    QFile demo(QStringLiteral(DROVER_SOURCE_DIR "/resources/examples/demo.yaml"));
    if (!demo.open(QIODevice::ReadOnly))
        return false;
    const QString demoText = QString::fromUtf8(demo.readAll());
    const QString big = QString::fromStdString(manyPools(1000));
    for (const auto &[doc, text] :
         {std::pair{"demo.yaml", demoText}, std::pair{"1000-pools", big}}) {
        pane.editor()->setPlainText(text);
        const quint64 before = pane.validationsShown();
        if (!waitFor([&] { return pane.validationsShown() > before; }, 20'000))
            return false;
        QTest::qWait(100);
        keystrokes(pane, name, doc, o.samples);
    }
    typing(app, pane, name, "1000-pools", o.seconds);
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--samples")
            o.samples = std::atoi(argv[i + 1]);
        else if (a == "--seconds")
            o.seconds = std::atoi(argv[i + 1]);
    }
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QTemporaryDir dir;
    const int port = freePort();
    const QString stateDir = dir.filePath(QStringLiteral("state"));
    const QByteArray yaml =
        "version: 1\nmaster:\n  listen: \"127.0.0.1:" + QByteArray::number(port) +
        "\"\n  state_dir: \"" + stateDir.toUtf8() +
        "\"\npools:\n  - name: s\n    command: [\"sleep\", \"1000\"]\n";
    const QString file = dir.filePath(QStringLiteral("drover.yaml"));
    {
        QFile f(file);
        if (!f.open(QIODevice::WriteOnly) || f.write(yaml) != yaml.size())
            return 1;
    }

    // Embedded: the engine on its own thread, in this process.
    {
        auto loaded = config::loadFile(file.toStdString());
        if (!loaded.ok()) {
            std::fprintf(stderr, "%s", loaded.report().c_str());
            return 1;
        }
        std::shared_ptr<local::LocalBackend> local(new local::LocalBackend(),
                                                   [](local::LocalBackend *b) {
                                                       b->shutdown();
                                                       delete b;
                                                   });
        if (!local->start(std::make_shared<config::Config>(std::move(*loaded.config))).ok())
            return 1;
        if (!runOn(app, local, "embedded", o))
            return 1;
    }

    // droverd over loopback.
    QProcess droverd;
    droverd.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    droverd.setStandardOutputFile(QProcess::nullDevice());
    droverd.start(QStringLiteral(DROVER_BIN_DIR "/droverd"), {QStringLiteral("--config"), file});
    if (!droverd.waitForStarted(10'000))
        return 1;
    QTest::qWait(500);
    remote::RemoteOptions ro;
    ro.url.host = "127.0.0.1";
    ro.url.port = port;
    ro.client = "bench_configeditor";
    auto remote = std::make_shared<remote::RemoteBackend>(ro);
    remote->start();
    const bool ok = runOn(app, remote, "loopback", o);
    remote.reset();
    droverd.terminate();
    droverd.waitForFinished(20'000);
    return ok ? 0 : 1;
}
