#include "config/cron.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <date/tz.h>
#include <vector>

namespace drover::config {

namespace {

constexpr std::array<const char *, 12> kMonthNames = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                      "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<const char *, 7> kWeekdayNames = {"SUN", "MON", "TUE", "WED",
                                                       "THU", "FRI", "SAT"};

struct Field
{
    const char *name;
    unsigned lo;
    unsigned hi;
    const char *const *names = nullptr; ///< names[i] is the value lo + i... see nameBase
    std::size_t nameCount = 0;
    unsigned nameBase = 0; ///< the value of names[0]
};

constexpr Field kSecond{"second", 0, 59};
constexpr Field kMinute{"minute", 0, 59};
constexpr Field kHour{"hour", 0, 23};
constexpr Field kDay{"day of month", 1, 31};
constexpr Field kMonth{"month", 1, 12, kMonthNames.data(), kMonthNames.size(), 1};
constexpr Field kWeekday{"day of week", 0, 7, kWeekdayNames.data(), kWeekdayNames.size(), 0};

using Bits = std::bitset<64>;
using Error = CronSchedule::Error;

std::string upper(std::string_view s)
{
    std::string out(s);
    for (char &c : out)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

/// A number or (for months and weekdays) a name at `text`, which starts at `column`.
std::variant<unsigned, Error> value(std::string_view text, std::size_t column, const Field &f)
{
    if (text.empty())
        return Error{column, std::string(f.name) + ": expected a number" +
                                 (f.names ? ", a name" : "") + " or *"};
    if (std::isdigit(static_cast<unsigned char>(text[0]))) {
        unsigned v = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc() || end != text.data() + text.size())
            return Error{column,
                         std::string(f.name) + ": \"" + std::string(text) + "\" is not a number"};
        if (v < f.lo || v > f.hi)
            return Error{column, std::string(f.name) + ": " + std::to_string(v) + " is out of " +
                                     std::to_string(f.lo) + "-" + std::to_string(f.hi)};
        return v;
    }
    if (f.names) {
        const std::string name = upper(text);
        for (std::size_t i = 0; i < f.nameCount; ++i)
            if (name == f.names[i])
                return static_cast<unsigned>(f.nameBase + i);
        return Error{column, std::string(f.name) + ": unknown name \"" + std::string(text) +
                                 "\" (" + f.names[0] + "-" + f.names[f.nameCount - 1] + ")"};
    }
    return Error{column, std::string(f.name) + ": \"" + std::string(text) + "\" is not a number"};
}

/// One field: a comma list of *, n, a-b, with /step. Sets `bits` and whether it was `*`.
std::optional<Error> parseField(std::string_view text, std::size_t column, const Field &f,
                                Bits &bits, bool &star)
{
    star = !text.empty() && text[0] == '*'; // as Vixie cron: "*/2" counts as "*"
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t comma = text.find(',', pos);
        if (comma == std::string_view::npos)
            comma = text.size();
        std::string_view item = text.substr(pos, comma - pos);
        const std::size_t at = column + pos;
        unsigned lo = f.lo;
        unsigned hi = f.hi;
        unsigned step = 1;
        std::string_view range = item;
        if (std::size_t slash = item.find('/'); slash != std::string_view::npos) {
            range = item.substr(0, slash);
            std::string_view s = item.substr(slash + 1);
            auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), step);
            if (s.empty() || ec != std::errc() || end != s.data() + s.size() || step == 0)
                return Error{at + slash + 1, std::string(f.name) +
                                                 ": a step is a whole number "
                                                 "from 1, got \"" +
                                                 std::string(s) + "\""};
        }
        if (range != "*") {
            std::size_t dash = range.find('-', 1);
            auto first = value(range.substr(0, dash), at, f);
            if (auto *e = std::get_if<Error>(&first))
                return *e;
            lo = std::get<unsigned>(first);
            if (dash != std::string_view::npos) {
                auto last = value(range.substr(dash + 1), at + dash + 1, f);
                if (auto *e = std::get_if<Error>(&last))
                    return *e;
                hi = std::get<unsigned>(last);
                if (hi < lo)
                    return Error{at, std::string(f.name) + ": the range " + std::string(range) +
                                         " goes backwards"};
            } else if (item.find('/') == std::string_view::npos) {
                hi = lo; // a single value
            }
        }
        for (unsigned v = lo; v <= hi; v += step)
            bits.set(v);
        pos = comma + 1;
    }
    return std::nullopt;
}

/// The first set bit at or after `from`, if any below `size`.
std::optional<unsigned> nextBit(const Bits &bits, unsigned from, unsigned size)
{
    for (unsigned i = from; i < size; ++i)
        if (bits[i])
            return i;
    return std::nullopt;
}

template <std::size_t N>
Bits widen(const std::bitset<N> &b)
{
    Bits out;
    for (std::size_t i = 0; i < N; ++i)
        out[i] = b[i];
    return out;
}

template <std::size_t N>
std::bitset<N> narrow(const Bits &b)
{
    std::bitset<N> out;
    for (std::size_t i = 0; i < N; ++i)
        out[i] = b[i];
    return out;
}

} // namespace

std::variant<CronSchedule, CronSchedule::Error> CronSchedule::parse(std::string_view expression)
{
    // The words and where each starts.
    std::vector<std::pair<std::string_view, std::size_t>> words;
    for (std::size_t i = 0; i < expression.size();) {
        if (std::isspace(static_cast<unsigned char>(expression[i]))) {
            ++i;
            continue;
        }
        std::size_t start = i;
        while (i < expression.size() && !std::isspace(static_cast<unsigned char>(expression[i])))
            ++i;
        words.emplace_back(expression.substr(start, i - start), start);
    }
    if (words.size() == 1 && words[0].first.front() == '@') {
        static constexpr std::pair<const char *, const char *> kMacros[] = {
            {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
            {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
            {"@hourly", "0 * * * *"}};
        for (const auto &[macro, fields] : kMacros) {
            if (words[0].first == macro) {
                auto parsed = parse(fields);
                std::get<CronSchedule>(parsed).m_text = std::string(expression);
                return parsed;
            }
        }
        return Error{words[0].second,
                     "unknown \"" + std::string(words[0].first) +
                         "\": one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, "
                         "@hourly"};
    }
    if (words.size() != 5 && words.size() != 6)
        return Error{words.empty() ? 0 : words.back().second,
                     "expected 5 fields (minute hour day-of-month month day-of-week), or 6 with "
                     "the second first, got " +
                         std::to_string(words.size())};

    CronSchedule s;
    s.m_text = std::string(expression);
    s.m_hasSeconds = words.size() == 6;
    const std::size_t first = s.m_hasSeconds ? 1 : 0;
    Bits seconds, minutes, hours, days, months, weekdays;
    bool star = false;
    if (s.m_hasSeconds) {
        if (auto e = parseField(words[0].first, words[0].second, kSecond, seconds, star))
            return *e;
    } else {
        seconds.set(0);
    }
    const Field *fields[] = {&kMinute, &kHour, &kDay, &kMonth, &kWeekday};
    Bits *targets[] = {&minutes, &hours, &days, &months, &weekdays};
    for (std::size_t i = 0; i < 5; ++i) {
        const auto &[word, column] = words[first + i];
        if (auto e = parseField(word, column, *fields[i], *targets[i], star))
            return *e;
        if (i == 2)
            s.m_daysStar = star;
        if (i == 4)
            s.m_weekdaysStar = star;
    }
    if (weekdays[7])
        weekdays.set(0); // 7 is Sunday too
    s.m_seconds = narrow<60>(seconds);
    s.m_minutes = narrow<60>(minutes);
    s.m_hours = narrow<24>(hours);
    s.m_days = narrow<32>(days);
    s.m_months = narrow<13>(months);
    s.m_weekdays = narrow<7>(weekdays);
    return s;
}

const date::time_zone *CronSchedule::findZone(const std::string &name, std::string &error)
{
    try {
        return date::locate_zone(name);
    } catch (const std::exception &e) {
        error = "unknown time zone \"" + name +
                "\" (a name of the tz database, such as "
                "Europe/Berlin or UTC)";
        return nullptr;
    }
}

bool CronSchedule::dayMatches(unsigned day, unsigned weekday) const
{
    if (m_daysStar || m_weekdaysStar)
        return m_days[day] && m_weekdays[weekday];
    return m_days[day] || m_weekdays[weekday]; // both restricted: either, as cron does
}

std::optional<std::chrono::sys_seconds> CronSchedule::next(std::chrono::sys_seconds after,
                                                           const date::time_zone *zone) const
{
    using namespace std::chrono;
    const Bits secondBits = widen(m_seconds);
    const Bits minuteBits = widen(m_minutes);
    const Bits hourBits = widen(m_hours);
    date::local_seconds t = zone->to_local(after) + seconds(1);
    const date::local_seconds limit = t + date::days(3660);
    while (t < limit) {
        const date::local_days day = date::floor<date::days>(t);
        const date::year_month_day ymd{day};
        if (!m_months[unsigned(ymd.month())]) {
            const date::year_month next =
                date::year_month(ymd.year(), ymd.month()) + date::months(1);
            t = date::local_days{next / 1};
            continue;
        }
        if (!dayMatches(unsigned(ymd.day()), date::weekday(day).c_encoding())) {
            t = day + date::days(1);
            continue;
        }
        const date::hh_mm_ss<seconds> tod{t - day};
        const auto h = static_cast<unsigned>(tod.hours().count());
        const auto m = static_cast<unsigned>(tod.minutes().count());
        const auto sec = static_cast<unsigned>(tod.seconds().count());
        if (!m_hours[h]) {
            auto nh = nextBit(hourBits, h + 1, 24);
            t = nh ? day + hours(*nh) : day + date::days(1);
            continue;
        }
        if (!m_minutes[m]) {
            auto nm = nextBit(minuteBits, m + 1, 60);
            t = nm ? day + hours(h) + minutes(*nm) : day + hours(h + 1);
            continue;
        }
        if (!m_seconds[sec]) {
            auto ns = nextBit(secondBits, sec + 1, 60);
            t = ns ? day + hours(h) + minutes(m) + seconds(*ns) : day + hours(h) + minutes(m + 1);
            continue;
        }
        const date::local_info info = zone->get_info(t);
        if (info.result != date::local_info::nonexistent) {
            // Unique, or the first of a repeated hour's two; the second one never fires.
            const sys_seconds at{t.time_since_epoch() - info.first.offset};
            if (at > after)
                return at;
        }
        t += seconds(1);
    }
    return std::nullopt;
}

} // namespace drover::config
