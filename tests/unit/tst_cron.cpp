// The cron parser and its next run times against a table of expressions, zones and times
// worked out by hand (and checked against Python's zoneinfo), daylight-saving days included.
#include "config/cron.h"

#include <QTest>

#include <chrono>
#include <cstdio>
#include <string>

using drover::config::CronSchedule;
using namespace std::chrono;

namespace {

/// "2026-03-01T00:00:00Z" -> sys_seconds (UTC only; enough for a table).
sys_seconds utc(const char *text)
{
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    std::sscanf(text, "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &s);
    const year_month_day ymd{year(y), month(static_cast<unsigned>(mo)),
                             day(static_cast<unsigned>(d))};
    return sys_days(ymd) + hours(h) + minutes(mi) + seconds(s);
}

} // namespace

class TestCron : public QObject
{
    Q_OBJECT

private slots:
    void next_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<QString>("zone");
        QTest::addColumn<QString>("after");
        QTest::addColumn<QString>("expected"); // "" when there is none

        auto row = [](const char *name, const char *expr, const char *zone, const char *after,
                      const char *expected) {
            QTest::newRow(name) << QString::fromLatin1(expr) << QString::fromLatin1(zone)
                                << QString::fromLatin1(after) << QString::fromLatin1(expected);
        };
        row("every minute", "* * * * *", "UTC", "2026-03-01T00:00:00Z", "2026-03-01T00:01:00Z");
        row("every 15 s", "*/15 * * * * *", "UTC", "2026-03-01T00:00:07Z", "2026-03-01T00:00:15Z");
        row("weekdays at 9, from a Sunday", "0 9 * * MON-FRI", "UTC", "2026-03-01T00:00:00Z",
            "2026-03-02T09:00:00Z");
        row("Sunday as 7", "0 0 * * 7", "UTC", "2026-03-01T00:00:00Z", "2026-03-08T00:00:00Z");
        row("@weekly, at its own time", "@weekly", "UTC", "2026-03-01T00:00:00Z",
            "2026-03-08T00:00:00Z");
        row("@hourly", "@hourly", "UTC", "2026-03-01T00:59:59Z", "2026-03-01T01:00:00Z");
        row("a/n", "5/20 * * * *", "UTC", "2026-03-01T00:26:00Z", "2026-03-01T00:45:00Z");
        row("month names, any case", "0 0 1 JAN,jul *", "UTC", "2026-03-01T00:00:00Z",
            "2026-07-01T00:00:00Z");
        row("both day fields: either (the 1st)", "0 12 1 * MON", "UTC", "2026-03-01T00:00:00Z",
            "2026-03-01T12:00:00Z");
        row("both day fields: either (a Monday)", "0 12 1 * MON", "UTC", "2026-03-01T12:00:00Z",
            "2026-03-02T12:00:00Z");
        // "*/2" starts with a star: both must match (an odd day that is a Monday), as in cron.
        row("a star step counts as a star", "0 0 */2 * MON", "UTC", "2026-03-01T00:00:00Z",
            "2026-03-09T00:00:00Z");
        row("leap day", "0 0 29 2 *", "UTC", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z");
        row("never", "0 0 30 2 *", "UTC", "2026-03-01T00:00:00Z", "");
        row("New York, every 6 h local", "0 */6 * * *", "America/New_York", "2026-03-01T00:00:00Z",
            "2026-03-01T05:00:00Z");
        row("Berlin: 02:30 skipped when clocks go forward", "30 2 * * *", "Europe/Berlin",
            "2026-03-28T12:00:00Z", "2026-03-30T00:30:00Z");
        row("Berlin: 02:30 twice when they go back, first", "30 2 * * *", "Europe/Berlin",
            "2026-10-24T12:00:00Z", "2026-10-25T00:30:00Z");
        row("Berlin: ... and not the second time", "30 2 * * *", "Europe/Berlin",
            "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z");
    }

    void next()
    {
        QFETCH(QString, expression);
        QFETCH(QString, zone);
        QFETCH(QString, after);
        QFETCH(QString, expected);
        auto parsed = CronSchedule::parse(expression.toStdString());
        const auto *error = std::get_if<CronSchedule::Error>(&parsed);
        QVERIFY2(!error, error ? error->message.c_str() : "");
        std::string why;
        const auto *tz = CronSchedule::findZone(zone.toStdString(), why);
        QVERIFY2(tz, why.c_str());
        const auto next = std::get<CronSchedule>(parsed).next(utc(qPrintable(after)), tz);
        if (expected.isEmpty()) {
            QVERIFY(!next);
        } else {
            QVERIFY(next);
            QCOMPARE(next->time_since_epoch().count(),
                     utc(qPrintable(expected)).time_since_epoch().count());
        }
    }

    void errors_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("message");
        auto row = [](const char *expr, int column, const char *message) {
            QTest::newRow(expr) << QString::fromLatin1(expr) << column
                                << QString::fromLatin1(message);
        };
        row("61 * * * *", 0, "minute: 61 is out of 0-59");
        row("* * 0 * *", 4, "day of month: 0 is out of 1-31");
        row("* * * FOO *", 6, "month: unknown name \"FOO\" (JAN-DEC)");
        row("*/0 * * * *", 2, "minute: a step is a whole number from 1, got \"0\"");
        row("* 5-3 * * *", 2, "hour: the range 5-3 goes backwards");
        row("0 0 * * MON,,FRI", 12, "day of week: expected a number, a name or *");
        row("* * *", 4,
            "expected 5 fields (minute hour day-of-month month day-of-week), or 6 with the "
            "second first, got 3");
        row("@reboot", 0,
            "unknown \"@reboot\": one of @yearly, @annually, @monthly, @weekly, @daily, "
            "@midnight, @hourly");
        row("1x * * * *", 0, "minute: \"1x\" is not a number");
    }

    void errors()
    {
        QFETCH(QString, expression);
        QFETCH(int, column);
        QFETCH(QString, message);
        auto parsed = CronSchedule::parse(expression.toStdString());
        const auto *error = std::get_if<CronSchedule::Error>(&parsed);
        QVERIFY(error);
        QCOMPARE(QString::fromStdString(error->message), message);
        QCOMPARE(int(error->column), column);
    }

    void unknownZone()
    {
        std::string why;
        QVERIFY(!CronSchedule::findZone("Mars/Olympus_Mons", why));
        QCOMPARE(QString::fromStdString(why),
                 QStringLiteral("unknown time zone \"Mars/Olympus_Mons\" (a name of the tz "
                                "database, such as Europe/Berlin or UTC)"));
    }

    void secondsAndText()
    {
        auto six = std::get<CronSchedule>(CronSchedule::parse("*/10 * * * * *"));
        QVERIFY(six.hasSeconds());
        auto five = std::get<CronSchedule>(CronSchedule::parse("@daily"));
        QVERIFY(!five.hasSeconds());
        QCOMPARE(QString::fromStdString(five.text()), QStringLiteral("@daily"));
    }
};

QTEST_GUILESS_MAIN(TestCron)
#include "tst_cron.moc"
