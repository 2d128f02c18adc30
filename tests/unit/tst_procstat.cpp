// /proc/<pid>/stat readers: the parser on real-shaped lines, fixture files through a proc
// root, a real child process, and the CPU meter's arithmetic.
#include "engine/observe/procstat.h"
#include "engine/spawner.h"

#include <QTest>

#include <chrono>
#include <cmath>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <time.h>
#include <unistd.h>

extern char **environ;

using namespace drover;

namespace {

/// A `sleep 30` child, killed and reaped when the test ends however it ends.
class SleepChild
{
public:
    SleepChild()
    {
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        // Exactly stdin, stdout and stderr, whatever the test runner gave us.
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
        char arg0[] = "sleep";
        char arg1[] = "30";
        char *argv[] = {arg0, arg1, nullptr};
        if (posix_spawnp(&m_pid, "sleep", &actions, nullptr, argv, environ) != 0)
            m_pid = -1;
        posix_spawn_file_actions_destroy(&actions);
    }
    ~SleepChild()
    {
        kill();
        reap();
    }
    SleepChild(const SleepChild &) = delete;
    SleepChild &operator=(const SleepChild &) = delete;

    pid_t pid() const { return m_pid; }
    void kill()
    {
        if (m_pid > 0 && !m_reaped)
            ::kill(m_pid, SIGKILL);
    }
    bool reap()
    {
        if (m_pid <= 0 || m_reaped)
            return m_reaped;
        int status = 0;
        pid_t r;
        do {
            r = ::waitpid(m_pid, &status, 0);
        } while (r < 0 && errno == EINTR);
        m_reaped = r == m_pid;
        return m_reaped;
    }

private:
    pid_t m_pid = -1;
    bool m_reaped = false;
};

/// Polls `pred` for up to `timeout`; no event loop is involved.
template <class Pred>
bool waitFor(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(5))
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

std::string fixtureRoot()
{
    QString dir = QFINDTESTDATA("data/proc");
    if (dir.isEmpty())
        dir = QStringLiteral(DROVER_SOURCE_DIR "/tests/unit/data/proc");
    return dir.toStdString();
}

double ticksToSeconds(qint64 ticks)
{
    return static_cast<double>(ticks) / static_cast<double>(engine::clockTicks());
}

} // namespace

class TestProcStat : public QObject
{
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
    void fixtures_data();
    void fixtures();
    void realChild();
    void readerAfterExit();
    void readerMissingProcess();
    void ownStartTimeStable();
    void spawnedStartTimeIsProcs();
    void cpuClock();
    void releaseAndReopen();
    void cpuMeter_data();
    void cpuMeter();
};

void TestProcStat::parse_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<int>("pid");
    QTest::addColumn<int>("ppid");
    QTest::addColumn<int>("pgid");
    QTest::addColumn<QChar>("state");
    QTest::addColumn<qint64>("cpuTicks");
    QTest::addColumn<int>("threads");
    QTest::addColumn<quint64>("startTime");
    QTest::addColumn<qint64>("rssPages");

    QTest::newRow("plain") << QByteArray("6026 (cat) R 6024 6024 4101 0 -1 4194304 102 0 0 0 7 3 0 "
                                         "0 20 0 1 0 88176 3133440 389 18446744073709551615 "
                                         "94588637958144 94588637978025 140722819870224 0 0 0 "
                                         "0 0 0 0 0 0 17 0 0 0 0 0 0\n")
                           << true << 6026 << 6024 << 6024 << QChar(u'R') << qint64(10) << 1
                           << quint64(88176) << qint64(389);
    QTest::newRow("comm with spaces and parens")
        << QByteArray("31337 (my (odd) ) name) S 1 31337 31337 0 -1 4194560 900 0 0 0 1200 "
                      "300 0 0 20 0 12 0 4567890 987654321 20480 18446744073709551615 1 1 0 0 "
                      "0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n")
        << true << 31337 << 1 << 31337 << QChar(u'S') << qint64(1500) << 12 << quint64(4567890)
        << qint64(20480);
    QTest::newRow("comm is just a paren")
        << QByteArray("55 ()) D 2 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0 0") << true << 55 << 2
        << 0 << QChar(u'D') << qint64(0) << 1 << quint64(99) << qint64(0);
    QTest::newRow("zombie") << QByteArray("812 (worker) Z 800 800 800 0 -1 4227084 0 0 0 0 31 9 0 "
                                          "0 20 0 1 0 70000 0 0 18446744073709551615 0 0 0 0 0 "
                                          "0 0 0 0 0 0 0 17 0 0 0 0 0 0\n")
                            << true << 812 << 800 << 800 << QChar(u'Z') << qint64(40) << 1
                            << quint64(70000) << qint64(0);
    QTest::newRow("kernel thread")
        << QByteArray("2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 22 0 0 "
                      "18446744073709551615 0 0 0 0 0 0 0 2147483647 0 1 0 0 0 1 0 0 0 0 0 0 0 "
                      "0 0 0 0 0 0\n")
        << true << 2 << 0 << 0 << QChar(u'S') << qint64(0) << 1 << quint64(22) << qint64(0);
    QTest::newRow("kworker with slash and colon")
        << QByteArray("97 (kworker/3:1-events) I 2 0 0 0 -1 69238880 0 0 0 0 0 15 0 0 20 0 1 0 "
                      "310 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 17 3 0 0 0 "
                      "0 0 0 0 0 0 0 0 0 0\n")
        << true << 97 << 2 << 0 << QChar(u'I') << qint64(15) << 1 << quint64(310) << qint64(0);

    auto bad = [](const char *name, const char *text) {
        QTest::newRow(name) << QByteArray(text) << false << 0 << 0 << 0 << QChar() << qint64(0) << 0
                            << quint64(0) << qint64(0);
    };
    bad("empty", "");
    bad("no parens", "12 cat S 1 12 12 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0");
    bad("too few fields", "13 (short) S 1 13 13 0\n");
    bad("pid not a number", "x1 (a) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0");
    bad("number with junk", "14 (a) S 1x 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0");
    bad("state too long", "15 (a) SS 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0");
    bad("close before open", "16 )a( S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0");
}

void TestProcStat::parse()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, valid);
    std::optional<engine::ProcStat> stat =
        engine::parseProcStat(std::string_view(text.constData(), text.size()));
    QCOMPARE(stat.has_value(), valid);
    if (!valid)
        return;
    QFETCH(int, pid);
    QFETCH(int, ppid);
    QFETCH(int, pgid);
    QFETCH(QChar, state);
    QFETCH(qint64, cpuTicks);
    QFETCH(int, threads);
    QFETCH(quint64, startTime);
    QFETCH(qint64, rssPages);
    QCOMPARE(stat->pid, pid);
    QCOMPARE(stat->ppid, ppid);
    QCOMPARE(stat->pgid, pgid);
    QCOMPARE(QChar(QLatin1Char(stat->state)), state);
    QCOMPARE(stat->cpuSeconds, ticksToSeconds(cpuTicks));
    QCOMPARE(stat->threads, threads);
    QCOMPARE(stat->startTime, std::uint64_t(startTime));
    QCOMPARE(stat->rssBytes, std::uint64_t(rssPages) * std::uint64_t(engine::pageSize()));
    QCOMPARE(stat->fds, -1); // parsing never counts fds
}

void TestProcStat::fixtures_data()
{
    QTest::addColumn<int>("pid");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QChar>("state");
    QTest::addColumn<int>("ppid");
    QTest::addColumn<qint64>("cpuTicks");
    QTest::addColumn<int>("threads");
    QTest::addColumn<quint64>("startTime");
    QTest::addColumn<qint64>("rssPages");

    QTest::newRow("worker with odd name") << 4242 << true << QChar(u'S') << 4200 << qint64(325) << 4
                                          << quint64(987654) << qint64(2560);
    QTest::newRow("zombie") << 77 << true << QChar(u'Z') << 4242 << qint64(15) << 1 << quint64(5555)
                            << qint64(0);
    QTest::newRow("truncated file")
        << 13 << false << QChar() << 0 << qint64(0) << 0 << quint64(0) << qint64(0);
    QTest::newRow("no such pid") << 999999 << false << QChar() << 0 << qint64(0) << 0 << quint64(0)
                                 << qint64(0);
}

void TestProcStat::fixtures()
{
    QFETCH(int, pid);
    QFETCH(bool, valid);
    const std::string root = fixtureRoot();

    std::optional<engine::ProcStat> stat = engine::readProcStat(pid, true, root);
    QCOMPARE(stat.has_value(), valid);
    QCOMPARE(engine::processStartTime(pid, root).has_value(), valid);
    engine::ProcStatReader reader(pid, root);
    QCOMPARE(reader.pid(), pid);
    std::optional<engine::ProcStat> again = reader.read(true);
    QCOMPARE(again.has_value(), valid);
    if (!valid)
        return;

    QFETCH(QChar, state);
    QFETCH(int, ppid);
    QFETCH(qint64, cpuTicks);
    QFETCH(int, threads);
    QFETCH(quint64, startTime);
    QFETCH(qint64, rssPages);
    for (const engine::ProcStat &s : {*stat, *again}) {
        QCOMPARE(s.pid, pid);
        QCOMPARE(QChar(QLatin1Char(s.state)), state);
        QCOMPARE(s.ppid, ppid);
        QCOMPARE(s.cpuSeconds, ticksToSeconds(cpuTicks));
        QCOMPARE(s.threads, threads);
        QCOMPARE(s.startTime, std::uint64_t(startTime));
        QCOMPARE(s.rssBytes, std::uint64_t(rssPages) * std::uint64_t(engine::pageSize()));
        QCOMPARE(s.fds, -1); // the fixtures have no fd directory
    }
    QCOMPARE(*engine::processStartTime(pid, root), std::uint64_t(startTime));
    // pread at offset 0 gives the same again.
    QCOMPARE(reader.read()->startTime, std::uint64_t(startTime));
}

void TestProcStat::realChild()
{
    SleepChild child;
    QVERIFY(child.pid() > 0);
    // Wait until it has exec'd and sleeps.
    QVERIFY(waitFor([&] {
        std::optional<engine::ProcStat> s = engine::readProcStat(child.pid());
        return s && s->state == 'S';
    }));

    std::optional<engine::ProcStat> stat = engine::readProcStat(child.pid(), true);
    QVERIFY(stat);
    QCOMPARE(stat->pid, int(child.pid()));
    QCOMPARE(stat->ppid, int(::getpid()));
    QCOMPARE(stat->threads, 1);
    QVERIFY(stat->rssBytes > 0);
    QVERIFY2(stat->fds >= 3, qPrintable(QString::number(stat->fds)));
    QVERIFY(stat->cpuSeconds >= 0);

    // Started after us, and the start time is what processStartTime says.
    std::optional<std::uint64_t> ours = engine::processStartTime(::getpid());
    QVERIFY(ours);
    QVERIFY(stat->startTime >= *ours);
    QCOMPARE(engine::processStartTime(child.pid()), std::optional<std::uint64_t>(stat->startTime));

    engine::ProcStatReader reader(child.pid());
    std::optional<engine::ProcStat> fromReader = reader.read(true);
    QVERIFY(fromReader);
    QCOMPARE(fromReader->startTime, stat->startTime);
    QVERIFY(fromReader->fds >= 3);
}

void TestProcStat::readerAfterExit()
{
    SleepChild child;
    QVERIFY(child.pid() > 0);
    engine::ProcStatReader first(child.pid());
    QVERIFY(first.read());

    // Moving keeps the open file working.
    engine::ProcStatReader reader(std::move(first));
    QCOMPARE(reader.pid(), int(child.pid()));
    QVERIFY(reader.read());

    // Killed but not yet reaped: still readable, as a zombie.
    child.kill();
    QVERIFY(waitFor([&] {
        std::optional<engine::ProcStat> s = reader.read();
        return s && s->state == 'Z';
    }));

    // Reaped: nothing, now and later.
    QVERIFY(child.reap());
    QVERIFY(!reader.read());
    QVERIFY(!reader.read(true));
    QVERIFY(!engine::readProcStat(child.pid()));

    // Move-assigning over a reader closes its file and takes the other's.
    engine::ProcStatReader self(::getpid());
    reader = std::move(self);
    QCOMPARE(reader.pid(), int(::getpid()));
    QVERIFY(reader.read());
}

void TestProcStat::readerMissingProcess()
{
    engine::ProcStatReader reader(999999999);
    QVERIFY(!reader.read());
    QVERIFY(!engine::readProcStat(999999999, true));
    QVERIFY(!engine::processStartTime(999999999));
    QVERIFY(!engine::readProcStat(::getpid(), false, "/nonexistent/proc"));
}

void TestProcStat::ownStartTimeStable()
{
    std::optional<std::uint64_t> first = engine::processStartTime(::getpid());
    QVERIFY(first);
    QVERIFY(*first > 0);
    // Burn a little CPU between the two reads; the start time must not move.
    volatile std::uint64_t sink = 0;
    for (int i = 0; i < 1000000; ++i)
        sink = sink + static_cast<std::uint64_t>(i);
    std::optional<std::uint64_t> second = engine::processStartTime(::getpid());
    QCOMPARE(second, first);

    std::optional<engine::ProcStat> self = engine::readProcStat(::getpid(), true);
    QVERIFY(self);
    QCOMPARE(self->pid, int(::getpid()));
    QCOMPARE(self->ppid, int(::getppid()));
    QCOMPARE(self->startTime, *first);
    QVERIFY(self->fds >= 1);
}

// spawnProcess() gives the start time from the clock read around the clone, so that the
// master need not read the stat file while the child is still in its exec: it must be the
// very value /proc shows, or a restarted master would not re-adopt the process.
void TestProcStat::spawnedStartTimeIsProcs()
{
    const long hz = sysconf(_SC_CLK_TCK);
    QVERIFY(hz > 0);
    const long nsPerTick = 1000000000L / hz;
    // Within one tick: that tick; across a tick's end: unknown.
    timespec a{100, 0}, b{100, nsPerTick - 1}, c{100, nsPerTick};
    QCOMPARE(engine::startTicksBetween(a, b),
             std::optional<std::uint64_t>(std::uint64_t(100 * hz)));
    QCOMPARE(engine::startTicksBetween(b, c), std::optional<std::uint64_t>());

    int known = 0;
    for (int i = 0; i < 60; ++i) {
        engine::SpawnRequest req;
        req.argv = {"/bin/sleep", "30"};
        api::Result<engine::SpawnedProcess> p = engine::spawnProcess(req);
        QVERIFY2(p.ok(), p.ok() ? "" : p.error().message.c_str());
        std::optional<std::uint64_t> fromProc = engine::processStartTime(p->pid);
        ::kill(p->pid, SIGKILL);
        siginfo_t info{};
        ::waitid(P_PIDFD, unsigned(p->pidfd), &info, WEXITED);
        ::close(p->pidfd);
        QVERIFY(fromProc);
        if (p->startTime) {
            QCOMPARE(*p->startTime, *fromProc);
            ++known;
        }
    }
    // A clone takes well under a tick (10 ms): nearly every one is known.
    QVERIFY2(known >= 30, qPrintable(QString::number(known)));
}

// The process CPU clock counts every thread: a second thread's work shows, as in stat's
// utime + stime, within stat's tick resolution. Gone processes and fixtures have none.
void TestProcStat::cpuClock()
{
    engine::ProcStatReader self(int(::getpid()));
    std::optional<std::uint64_t> before = self.cpuNs();
    std::optional<engine::ProcStat> statBefore = self.read();
    QVERIFY(before && statBefore);
    std::thread([] {
        // 200 ms of this thread's own CPU time, however busy the machine is.
        auto used = [] {
            timespec ts{};
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
            return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
        };
        volatile std::uint64_t sink = 0;
        const double until = used() + 0.2;
        while (used() < until)
            sink = sink + 1;
    }).join();
    std::optional<std::uint64_t> after = self.cpuNs();
    std::optional<engine::ProcStat> statAfter = self.read();
    QVERIFY(after && statAfter);
    const double clockSeconds = double(*after - *before) / 1e9;
    const double statSeconds = statAfter->cpuSeconds - statBefore->cpuSeconds;
    QVERIFY2(clockSeconds >= 0.1, qPrintable(QString::number(clockSeconds)));
    QVERIFY2(
        std::abs(clockSeconds - statSeconds) <= 0.05,
        qPrintable(QStringLiteral("clock %1 s, stat %2 s").arg(clockSeconds).arg(statSeconds)));

    QVERIFY(!engine::ProcStatReader(int(::getpid()), DROVER_SOURCE_DIR "/tests/unit/data/proc")
                 .cpuNs());
    pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    QVERIFY(child > 0);
    engine::ProcStatReader gone{int(child)};
    ::waitpid(child, nullptr, 0);
    QVERIFY(!gone.cpuNs());
}

// release() closes the stat file; the next read opens it again, and a process gone by then
// reads as gone.
void TestProcStat::releaseAndReopen()
{
    engine::ProcStatReader self(int(::getpid()));
    QVERIFY(self.read());
    self.release();
    self.release(); // twice is harmless
    std::optional<engine::ProcStat> again = self.read();
    QVERIFY(again);
    QCOMPARE(again->pid, int(::getpid()));

    pid_t child = ::fork();
    if (child == 0) {
        ::pause();
        ::_exit(0);
    }
    QVERIFY(child > 0);
    engine::ProcStatReader reader{int(child)};
    QVERIFY(reader.read());
    reader.release();
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    QVERIFY(!reader.read());
}

void TestProcStat::cpuMeter_data()
{
    // Pairs of (cpu seconds, monotonic seconds) fed in order, and the percent after each.
    QTest::addColumn<QList<double>>("cpu");
    QTest::addColumn<QList<double>>("time");
    QTest::addColumn<QList<double>>("percent");

    QTest::newRow("first reading is 0")
        << QList<double>{5} << QList<double>{100} << QList<double>{0};
    QTest::newRow("half a core") << QList<double>{1, 1.5} << QList<double>{10, 11}
                                 << QList<double>{0, 50};
    QTest::newRow("two cores") << QList<double>{1, 3} << QList<double>{10, 11}
                               << QList<double>{0, 200};
    QTest::newRow("idle") << QList<double>{2, 2, 2} << QList<double>{1, 2, 3}
                          << QList<double>{0, 0, 0};
    QTest::newRow("over two seconds")
        << QList<double>{0, 0.5, 1.5} << QList<double>{0, 2, 4} << QList<double>{0, 25, 50};
    // Same time: 0, and the next reading still measures from the older base.
    QTest::newRow("no time passed")
        << QList<double>{1, 1.2, 1.5} << QList<double>{10, 10, 11} << QList<double>{0, 0, 50};
    // The counter went back (pid reused by a new process): start over.
    QTest::newRow("counter went back")
        << QList<double>{50, 1, 1.25} << QList<double>{10, 11, 12} << QList<double>{0, 0, 25};
}

void TestProcStat::cpuMeter()
{
    QFETCH(QList<double>, cpu);
    QFETCH(QList<double>, time);
    QFETCH(QList<double>, percent);
    engine::CpuMeter meter;
    for (qsizetype i = 0; i < cpu.size(); ++i)
        QCOMPARE(meter.update(cpu[i], time[i]), percent[i]);
}

QTEST_APPLESS_MAIN(TestProcStat)
#include "tst_procstat.moc"
