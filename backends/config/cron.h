#pragma once

#include <bitset>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace date {
class time_zone;
}

namespace drover::config {

/// A cron schedule: Vixie cron's five fields (minute hour day-of-month month day-of-week) with
/// an optional seconds field in front, or one of @yearly, @annually, @monthly, @weekly,
/// @daily, @midnight, @hourly. A field is `*`, a number, a range `a-b`, a step `*/n`, `a-b/n`
/// or `a/n` (a to the field's end), or a comma list of those; months and weekdays also by
/// their English three-letter names (JAN, MON, case-insensitive), weekday 7 is Sunday as 0 is.
/// When both day fields are restricted, a day matches either (as cron does).
///
/// Times are in a time zone of the tz database. A local time that does not exist that day
/// (the hour skipped when the clocks go forward) is skipped; one that happens twice (the hour
/// repeated when they go back) fires once, the first time.
class CronSchedule
{
public:
    struct Error
    {
        std::size_t column = 0; ///< 0-based offset in the expression
        std::string message;    ///< e.g. "minute: 61 is out of 0-59"
    };

    /// Parses `expression`; an error says where and why.
    static std::variant<CronSchedule, Error> parse(std::string_view expression);

    /// The tz database's zone `name` ("Europe/Berlin", "UTC"), or nullptr with `error` set.
    static const date::time_zone *findZone(const std::string &name, std::string &error);

    /// The first time strictly after `after` that the schedule fires in `zone`, or nothing
    /// when there is none within ten years (e.g. "0 0 30 2 *").
    std::optional<std::chrono::sys_seconds> next(std::chrono::sys_seconds after,
                                                 const date::time_zone *zone) const;

    const std::string &text() const { return m_text; }
    bool hasSeconds() const { return m_hasSeconds; }

private:
    std::string m_text;
    bool m_hasSeconds = false;
    std::bitset<60> m_seconds;
    std::bitset<60> m_minutes;
    std::bitset<24> m_hours;
    std::bitset<32> m_days;    ///< 1-31
    std::bitset<13> m_months;  ///< 1-12
    std::bitset<7> m_weekdays; ///< 0 = Sunday
    bool m_daysStar = false;
    bool m_weekdaysStar = false;

    bool dayMatches(unsigned day, unsigned weekday) const;
};

} // namespace drover::config
