// A job's schedule in words and its run times in its own zone: the one place outside the
// cron parser that formats with the tz database (<date/tz.h> stays out of the headers).
#include "config/spec.h"

#include <date/tz.h>

namespace drover::config {

std::string formatInZone(std::chrono::sys_seconds t, const date::time_zone *zone)
{
    try {
        if (!zone)
            zone = date::locate_zone("UTC");
        return date::format("%Y-%m-%d %H:%M:%S %Z", date::make_zoned(zone, t));
    } catch (const std::exception &) {
        return date::format("%Y-%m-%d %H:%M:%S UTC", t); // no tz database at all
    }
}

std::string describeSchedule(const JobSpec &job, std::chrono::sys_seconds now)
{
    if (!job.cron)
        return "runs only when asked (job.run)";
    const date::time_zone *zone = job.zone;
    if (!zone) { // a JobSpec built in code; the validator always sets one
        try {
            zone = date::locate_zone("UTC");
        } catch (const std::exception &) {
            return "schedule " + quote(job.cron->text(), 200) + " (no tz database)";
        }
    }
    std::string runs;
    std::chrono::sys_seconds after = now;
    for (int i = 0; i < 3; ++i) {
        auto next = job.cron->next(after, zone);
        if (!next)
            break;
        runs += (runs.empty() ? "" : ", ") + formatInZone(*next, zone);
        after = *next;
    }
    return "schedule " + quote(job.cron->text(), 200) + " (" + std::string(zone->name()) + "), " +
           (runs.empty() ? std::string("never fires") : "next runs " + runs);
}

} // namespace drover::config
