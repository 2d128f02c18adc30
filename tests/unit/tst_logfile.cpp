// Worker log files: opening for append, copy-and-truncate rotation, tail across the rotated
// copy, and following appended lines through inotify on a real io_context.
#include "engine/logfile.h"
#include "testfiles.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility> // before Asio: Boost 1.74 with g++ 12 misses it otherwise

using namespace drover;
using namespace std::chrono_literals;

namespace {

using test::exists;
using test::readAll;
using test::writeFile;

bool writeFd(int fd, const std::string &text)
{
    return ::write(fd, text.data(), text.size()) == ssize_t(text.size());
}

QStringList lines(std::initializer_list<const char *> texts)
{
    QStringList out;
    for (const char *text : texts)
        out << QString::fromUtf8(text);
    return out;
}

QStringList toQt(const std::vector<std::string> &lines)
{
    QStringList out;
    for (const std::string &line : lines)
        out << QString::fromStdString(line);
    return out;
}

/// Appends through a fresh O_APPEND descriptor, as another writer would.
bool append(const std::string &path, const std::string &text)
{
    int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = writeFd(fd, text);
    ::close(fd);
    return ok;
}

/// Runs `io` one handler at a time until `pred` holds or `timeout` passes; never hangs.
template <class Pred>
bool runUntil(boost::asio::io_context &io, Pred pred, std::chrono::milliseconds timeout = 5s)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline)
            return false;
        if (io.run_one_for(std::min<std::chrono::steady_clock::duration>(deadline - now, 50ms)) ==
            0) {
            if (io.stopped()) {
                io.restart(); // out of work: nothing will come, but keep the bound
                QTest::qSleep(10);
            }
        }
    }
    return true;
}

/// Runs `io` for `duration`, for checks that something does *not* arrive.
void runFor(boost::asio::io_context &io, std::chrono::milliseconds duration)
{
    runUntil(
        io, [] { return false; }, duration);
}

} // namespace

class TestLogFile : public QObject
{
    Q_OBJECT

private slots:
    void openCreatesDirectories();
    void openFailureNamesPath();
    void twoWriters();
    void rotateBelowLimit();
    void rotateWriterContinuesAtZero();
    void rotateKeepsFiles();
    void rotateWithoutCopies();
    void rotateMissingFile();
    void tail_data();
    void tail();
    void tailHugeLine();
    void tailUtf8Cut();
    void followAppendedLines();
    void followPartialLine();
    void followTruncation();
    void followRotationByWriter();
    void followLongLineCut();
    void followMissingFile();
    void followDeletedFile();
    void followDestroyedWhilePending();
    void followDestroyedInCallback();

private:
    std::string path(const char *name) const
    {
        return m_dir.filePath(QString::fromLatin1(name)).toStdString();
    }

    QTemporaryDir m_dir;
};

void TestLogFile::openCreatesDirectories()
{
    const std::string file = path("state/logs/deep/api-1.log");
    api::Result<int> fd = engine::logfile::openForAppend(file);
    QVERIFY2(fd.ok(), fd.ok() ? "" : fd.error().message.c_str());
    QVERIFY(*fd >= 0);
    QVERIFY(exists(file));

    struct stat st
    {
    };
    QCOMPARE(::fstat(*fd, &st), 0);
    QVERIFY(S_ISREG(st.st_mode));
    const mode_t mask = ::umask(0);
    ::umask(mask);
    QCOMPARE(st.st_mode & 0777, mode_t(0640 & ~mask));
    QVERIFY(::fcntl(*fd, F_GETFD) & FD_CLOEXEC);
    const int flags = ::fcntl(*fd, F_GETFL);
    QVERIFY(flags & O_APPEND);
    QCOMPARE(flags & O_ACCMODE, O_WRONLY);
    ::close(*fd);

    // Opening again appends rather than truncating.
    QVERIFY(writeFile(file, "kept\n"));
    api::Result<int> again = engine::logfile::openForAppend(file);
    QVERIFY(again.ok());
    QVERIFY(writeFd(*again, "more\n"));
    ::close(*again);
    QCOMPARE(readAll(file), std::string("kept\nmore\n"));
}

void TestLogFile::openFailureNamesPath()
{
    // A regular file where a directory should be (root ignores permissions, so use this).
    const std::string blocker = path("blocker");
    QVERIFY(writeFile(blocker, "x"));
    const std::string file = blocker + "/logs/w.log";
    api::Result<int> fd = engine::logfile::openForAppend(file);
    QVERIFY(!fd.ok());
    QCOMPARE(std::string(api::toString(fd.error().code)), std::string("io"));
    const QString message = QString::fromStdString(fd.error().message);
    QVERIFY2(message.contains(QString::fromStdString(blocker)), qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("Not a directory")), qPrintable(message));
    QVERIFY2(message.contains(QLatin1Char('"')), qPrintable(message));

    // The file itself cannot be opened: a directory in its place.
    const std::string dirPath = path("adir");
    QVERIFY(QDir().mkpath(QString::fromStdString(dirPath)));
    api::Result<int> dirFd = engine::logfile::openForAppend(dirPath);
    QVERIFY(!dirFd.ok());
    QCOMPARE(dirFd.error().message, "cannot open \"" + dirPath + "\": Is a directory");
}

void TestLogFile::twoWriters()
{
    const std::string file = path("two.log");
    api::Result<int> a = engine::logfile::openForAppend(file);
    api::Result<int> b = engine::logfile::openForAppend(file);
    QVERIFY(a.ok() && b.ok());
    QVERIFY(writeFd(*a, "a1\n"));
    QVERIFY(writeFd(*b, "b1\n"));
    QVERIFY(writeFd(*a, "a2\n"));
    QVERIFY(writeFd(*b, "b2\n"));
    ::close(*a);
    ::close(*b);
    QCOMPARE(readAll(file), std::string("a1\nb1\na2\nb2\n"));
}

void TestLogFile::rotateBelowLimit()
{
    const std::string file = path("small.log");
    QVERIFY(writeFile(file, std::string(100, 'x')));
    api::Result<bool> rotated = engine::logfile::rotateIfLarger(file, 100, 3);
    QVERIFY(rotated.ok());
    QVERIFY(!*rotated);
    QCOMPARE(readAll(file).size(), std::size_t(100));
    QVERIFY(!exists(file + ".1"));
}

void TestLogFile::rotateWriterContinuesAtZero()
{
    const std::string file = path("writer.log");
    api::Result<int> fd = engine::logfile::openForAppend(file);
    QVERIFY(fd.ok());
    const std::string before = std::string(200, 'a') + '\n';
    QVERIFY(writeFd(*fd, before));

    api::Result<bool> rotated = engine::logfile::rotateIfLarger(file, 100, 2);
    QVERIFY2(rotated.ok(), rotated.ok() ? "" : rotated.error().message.c_str());
    QVERIFY(*rotated);
    QCOMPARE(readAll(file + ".1"), before);
    QCOMPARE(readAll(file), std::string());

    // The same O_APPEND descriptor writes at offset 0 of the truncated file: no hole.
    QVERIFY(writeFd(*fd, "next\n"));
    QCOMPARE(readAll(file), std::string("next\n"));
    ::close(*fd);
}

void TestLogFile::rotateKeepsFiles()
{
    const std::string file = path("keep.log");
    // Leftovers from an earlier, larger `files` setting.
    QVERIFY(writeFile(file + ".3", "old3\n"));
    QVERIFY(writeFile(file + ".4", "old4\n"));

    for (int round = 1; round <= 4; ++round) {
        QVERIFY(writeFile(file, "round " + std::to_string(round) + '\n'));
        api::Result<bool> rotated = engine::logfile::rotateIfLarger(file, 4, 2);
        QVERIFY(rotated.ok());
        QVERIFY(*rotated);
    }
    QCOMPARE(readAll(file), std::string());
    QCOMPARE(readAll(file + ".1"), std::string("round 4\n"));
    QCOMPARE(readAll(file + ".2"), std::string("round 3\n"));
    QVERIFY(!exists(file + ".3"));
    QVERIFY(!exists(file + ".4"));
}

void TestLogFile::rotateWithoutCopies()
{
    const std::string file = path("nocopy.log");
    QVERIFY(writeFile(file + ".1", "stale\n"));
    QVERIFY(writeFile(file, "0123456789\n"));
    api::Result<bool> rotated = engine::logfile::rotateIfLarger(file, 5, 0);
    QVERIFY(rotated.ok());
    QVERIFY(*rotated);
    QCOMPARE(readAll(file), std::string());
    QVERIFY(!exists(file + ".1"));
}

void TestLogFile::rotateMissingFile()
{
    api::Result<bool> rotated = engine::logfile::rotateIfLarger(path("never.log"), 0, 3);
    QVERIFY(rotated.ok());
    QVERIFY(!*rotated);
}

void TestLogFile::tail_data()
{
    QTest::addColumn<QByteArray>("current"); // "<none>": no file
    QTest::addColumn<QByteArray>("rotated"); // path.1; "<none>": no file
    QTest::addColumn<int>("lines");
    QTest::addColumn<qint64>("maxBytes");
    QTest::addColumn<QStringList>("expected");

    const QByteArray none("<none>");
    const qint64 big = 4 << 20;
    QTest::newRow("missing") << none << none << 10 << big << QStringList();
    QTest::newRow("empty") << QByteArray() << none << 10 << big << QStringList();
    QTest::newRow("empty, rotated has lines")
        << QByteArray() << QByteArray("r1\nr2\n") << 1 << big << lines({"r2"});
    QTest::newRow("missing, rotated has lines")
        << none << QByteArray("r1\nr2\n") << 5 << big << lines({"r1", "r2"});
    QTest::newRow("zero lines") << QByteArray("a\nb\n") << none << 0 << big << QStringList();
    QTest::newRow("last two") << QByteArray("a\nb\nc\n") << none << 2 << big << lines({"b", "c"});
    QTest::newRow("more than there are")
        << QByteArray("a\nb\nc\n") << none << 10 << big << lines({"a", "b", "c"});
    QTest::newRow("no trailing newline")
        << QByteArray("a\nb\nc") << none << 2 << big << lines({"b", "c"});
    QTest::newRow("only a partial line")
        << QByteArray("partial") << none << 3 << big << lines({"partial"});
    QTest::newRow("empty lines kept")
        << QByteArray("\na\n\n") << none << 5 << big << lines({"", "a", ""});
    QTest::newRow("single newline") << QByteArray("\n") << none << 5 << big << lines({""});
    QTest::newRow("across path and path.1") << QByteArray("4\n5\n") << QByteArray("1\n2\n3\n") << 4
                                            << big << lines({"2", "3", "4", "5"});
    QTest::newRow("all of path and path.1") << QByteArray("4\n5\n") << QByteArray("1\n2\n3\n") << 10
                                            << big << lines({"1", "2", "3", "4", "5"});
    QTest::newRow("path alone is enough")
        << QByteArray("4\n5\n") << QByteArray("1\n2\n3\n") << 2 << big << lines({"4", "5"});
    QTest::newRow("rotated without trailing newline")
        << QByteArray("b\n") << QByteArray("x\ny") << 3 << big << lines({"x", "y", "b"});
    // maxBytes counts both files: 4 bytes of path, 3 of path.1 -> "…2" is cut.
    QTest::newRow("budget across files") << QByteArray("4\n5\n") << QByteArray("1\n22\n3\n") << 10
                                         << qint64(8) << lines({"…2", "3", "4", "5"});
    QTest::newRow("budget ends on a newline in path.1")
        << QByteArray("4\n5\n") << QByteArray("1\n22\n3\n") << 10 << qint64(7)
        << lines({"3", "4", "5"});
    QTest::newRow("budget cuts a line") << QByteArray("first line\nsecond\n") << none << 5
                                        << qint64(10) << lines({"…ne", "second"});
    QTest::newRow("budget on a line start")
        << QByteArray("aaaa\nbbbb\n") << none << 5 << qint64(6)
        << lines({"bbbb"}); // the 6th byte back is the newline: nothing of "aaaa" read
    QTest::newRow("long file, few lines") << QByteArray(QByteArray("line\n").repeated(50000))
                                          << none << 3 << big << lines({"line", "line", "line"});
}

void TestLogFile::tail()
{
    QFETCH(QByteArray, current);
    QFETCH(QByteArray, rotated);
    QFETCH(int, lines);
    QFETCH(qint64, maxBytes);
    QFETCH(QStringList, expected);

    const std::string file = path(QTest::currentDataTag());
    if (current != "<none>")
        QVERIFY(writeFile(file, current.toStdString()));
    if (rotated != "<none>")
        QVERIFY(writeFile(file + ".1", rotated.toStdString()));
    api::Result<std::vector<std::string>> result =
        engine::logfile::tail(file, lines, std::uint64_t(maxBytes));
    QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
    QCOMPARE(toQt(*result), expected);
}

void TestLogFile::tailHugeLine()
{
    const std::string file = path("huge.log");
    const std::string hugeLine(1 << 20, 'x');
    QVERIFY(writeFile(file, "before\n" + hugeLine + "\nshort\n"));
    const std::uint64_t maxBytes = 64 * 1024;
    api::Result<std::vector<std::string>> result = engine::logfile::tail(file, 5, maxBytes);
    QVERIFY(result.ok());
    QCOMPARE(result->size(), std::size_t(2));
    const std::string &cut = result->at(0);
    QVERIFY(cut.starts_with("…"));
    QVERIFY(cut.size() <= maxBytes + std::string("…").size());
    QVERIFY(cut.size() > maxBytes / 2);
    QVERIFY(cut.find_first_not_of('x', std::string("…").size()) == std::string::npos);
    QCOMPARE(result->at(1), std::string("short"));

    // The same line without a newline after it, as the last line of the file.
    QVERIFY(writeFile(file, hugeLine));
    result = engine::logfile::tail(file, 1, maxBytes);
    QVERIFY(result.ok());
    QCOMPARE(result->size(), std::size_t(1));
    QCOMPARE(result->at(0), "…" + std::string(maxBytes, 'x'));
}

void TestLogFile::tailUtf8Cut()
{
    // The budget ends inside "ü" (2 bytes): the cut line starts at the next whole character.
    const std::string file = path("utf8.log");
    QVERIFY(writeFile(file, "xxüab\n"));
    api::Result<std::vector<std::string>> result = engine::logfile::tail(file, 1, 4);
    QVERIFY(result.ok());
    QCOMPARE(toQt(*result), lines({"…ab"}));
}

void TestLogFile::followAppendedLines()
{
    const std::string file = path("follow.log");
    QVERIFY(writeFile(file, "old 1\nold 2\n"));
    boost::asio::io_context io;
    QStringList got;
    int batches = 0;
    engine::LogFollower follower(io, file, [&](std::vector<std::string> lines) {
        ++batches;
        got << toQt(lines);
    });
    QVERIFY2(follower.error().empty(), follower.error().c_str());

    QVERIFY(append(file, "a\nb\n"));
    QVERIFY(runUntil(io, [&] { return got.size() >= 2; }));
    QVERIFY(append(file, "c\n"));
    QVERIFY(append(file, "d\n"));
    QVERIFY(runUntil(io, [&] { return got.size() >= 4; }));
    for (int i = 0; i < 100; ++i)
        QVERIFY(append(file, "n" + std::to_string(i) + '\n'));
    QVERIFY(runUntil(io, [&] { return got.size() >= 104; }));
    runFor(io, 100ms);

    QStringList expected = lines({"a", "b", "c", "d"});
    for (int i = 0; i < 100; ++i)
        expected << QStringLiteral("n%1").arg(i);
    QCOMPARE(got, expected); // in order, nothing from before, nothing twice
    QVERIFY(batches < 104);  // lines come in batches, not one call per line
}

void TestLogFile::followPartialLine()
{
    const std::string file = path("partial.log");
    // A line being written when following starts is delivered whole once it ends.
    QVERIFY(writeFile(file, "done\nstar"));
    boost::asio::io_context io;
    QStringList got;
    engine::LogFollower follower(io, file,
                                 [&](std::vector<std::string> lines) { got << toQt(lines); });
    QVERIFY(follower.error().empty());

    QVERIFY(append(file, "ted"));
    runFor(io, 200ms);
    QCOMPARE(got, QStringList());
    QVERIFY(append(file, " here\npar"));
    QVERIFY(runUntil(io, [&] { return !got.isEmpty(); }));
    QCOMPARE(got, lines({"started here"}));
    QVERIFY(append(file, "tial"));
    runFor(io, 200ms);
    QCOMPARE(got, lines({"started here"}));
    QVERIFY(append(file, "\n"));
    QVERIFY(runUntil(io, [&] { return got.size() >= 2; }));
    QCOMPARE(got, (lines({"started here", "partial"})));
}

void TestLogFile::followTruncation()
{
    const std::string file = path("trunc.log");
    QVERIFY(writeFile(file, ""));
    boost::asio::io_context io;
    QStringList got;
    engine::LogFollower follower(io, file,
                                 [&](std::vector<std::string> lines) { got << toQt(lines); });
    QVERIFY(follower.error().empty());

    QVERIFY(append(file, "a long first line\n"));
    QVERIFY(runUntil(io, [&] { return got.size() >= 1; }));

    // Truncated, seen, then written.
    QCOMPARE(::truncate(file.c_str(), 0), 0);
    runFor(io, 100ms);
    QVERIFY(append(file, "after\n"));
    QVERIFY(runUntil(io, [&] { return got.size() >= 2; }));

    // Truncated and written before the follower looks: still seen, as the file is shorter.
    QCOMPARE(::truncate(file.c_str(), 0), 0);
    QVERIFY(append(file, "x\n"));
    QVERIFY(runUntil(io, [&] { return got.size() >= 3; }));
    runFor(io, 100ms);
    QCOMPARE(got, (lines({"a long first line", "after", "x"})));
}

void TestLogFile::followRotationByWriter()
{
    // The real shape: a worker writing through its O_APPEND descriptor, the master rotating.
    const std::string file = path("rot/worker.log");
    api::Result<int> fd = engine::logfile::openForAppend(file);
    QVERIFY(fd.ok());
    boost::asio::io_context io;
    QStringList got;
    engine::LogFollower follower(io, file,
                                 [&](std::vector<std::string> lines) { got << toQt(lines); });
    QVERIFY(follower.error().empty());

    QVERIFY(writeFd(*fd, "one " + std::string(100, '1') + "\n"));
    QVERIFY(runUntil(io, [&] { return got.size() >= 1; }));
    api::Result<bool> rotated = engine::logfile::rotateIfLarger(file, 50, 1);
    QVERIFY(rotated.ok() && *rotated);
    runFor(io, 100ms);
    QVERIFY(writeFd(*fd, "two\n"));
    QVERIFY(runUntil(io, [&] { return got.size() >= 2; }));
    runFor(io, 100ms);
    ::close(*fd);
    QCOMPARE(got.size(), 2);
    QCOMPARE(got.at(1), QStringLiteral("two"));

    api::Result<std::vector<std::string>> last = engine::logfile::tail(file, 2);
    QVERIFY(last.ok());
    QCOMPARE(toQt(*last), (QStringList{got.at(0), QStringLiteral("two")}));
}

void TestLogFile::followLongLineCut()
{
    const std::string file = path("long.log");
    QVERIFY(writeFile(file, ""));
    boost::asio::io_context io;
    std::vector<std::string> got;
    engine::LogFollower follower(io, file, [&](std::vector<std::string> lines) {
        for (std::string &line : lines)
            got.push_back(std::move(line));
    });
    QVERIFY(follower.error().empty());

    const std::size_t bound = 64 * 1024;
    QVERIFY(append(file, std::string(bound + 1000, 'y')));
    QVERIFY(runUntil(io, [&] { return got.size() >= 1; }));
    QCOMPARE(got.at(0), std::string(bound, 'y'));
    runFor(io, 100ms);
    QCOMPARE(got.size(), std::size_t(1)); // the rest waits for its newline
    QVERIFY(append(file, "z\nw\n"));
    QVERIFY(runUntil(io, [&] { return got.size() >= 3; }));
    QCOMPARE(got.at(1), std::string(1000, 'y') + 'z');
    QCOMPARE(got.at(2), std::string("w"));
}

void TestLogFile::followMissingFile()
{
    boost::asio::io_context io;
    const std::string file = path("nope/missing.log");
    engine::LogFollower follower(io, file, [](std::vector<std::string>) {});
    QVERIFY(!follower.error().empty());
    const QString message = QString::fromStdString(follower.error());
    QVERIFY2(message.contains(QString::fromStdString(file)), qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("No such file or directory")), qPrintable(message));
    QCOMPARE(io.poll(), std::size_t(0)); // nothing left on the loop
}

void TestLogFile::followDeletedFile()
{
    const std::string file = path("deleted.log");
    QVERIFY(writeFile(file, ""));
    boost::asio::io_context io;
    QStringList got;
    engine::LogFollower follower(io, file,
                                 [&](std::vector<std::string> lines) { got << toQt(lines); });
    QVERIFY(follower.error().empty());
    QVERIFY(append(file, "last words\n"));
    QCOMPARE(::unlink(file.c_str()), 0);
    QVERIFY(runUntil(io, [&] { return !follower.error().empty(); }));
    QCOMPARE(got, lines({"last words"})); // what was written before still arrives
    const QString message = QString::fromStdString(follower.error());
    QVERIFY2(message.contains(QString::fromStdString(file)), qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("removed")), qPrintable(message));
}

void TestLogFile::followDestroyedWhilePending()
{
    const std::string file = path("pending.log");
    QVERIFY(writeFile(file, ""));
    boost::asio::io_context io;
    int calls = 0;
    {
        engine::LogFollower follower(io, file, [&](std::vector<std::string>) { ++calls; });
        QVERIFY(follower.error().empty());
        QVERIFY(append(file, "never seen\n")); // an event is now waiting on the loop
    }
    QVERIFY(append(file, "nor this\n"));
    runFor(io, 200ms);
    QCOMPARE(calls, 0);

    // Destroyed after the event was noticed but while more reading is queued.
    std::string bulk;
    for (int i = 0; i < 100000; ++i)
        bulk += "bulk line " + std::to_string(i) + '\n'; // > 1 MiB: read over several turns
    auto follower =
        std::make_unique<engine::LogFollower>(io, file, [&](std::vector<std::string>) { ++calls; });
    QVERIFY(append(file, bulk));
    QVERIFY(runUntil(io, [&] { return calls >= 1; }));
    const int seen = calls;
    follower.reset();
    runFor(io, 200ms);
    QCOMPARE(calls, seen);
}

void TestLogFile::followDestroyedInCallback()
{
    const std::string file = path("selfdestruct.log");
    QVERIFY(writeFile(file, ""));
    boost::asio::io_context io;
    int calls = 0;
    std::unique_ptr<engine::LogFollower> follower;
    follower = std::make_unique<engine::LogFollower>(io, file, [&](std::vector<std::string>) {
        ++calls;
        follower.reset(); // the owner drops it from its own callback
    });
    QVERIFY(append(file, "one\n"));
    QVERIFY(runUntil(io, [&] { return calls >= 1; }));
    QVERIFY(!follower);
    QVERIFY(append(file, "two\n"));
    runFor(io, 200ms);
    QCOMPARE(calls, 1);
}

QTEST_APPLESS_MAIN(TestLogFile)
#include "tst_logfile.moc"
