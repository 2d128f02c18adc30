// `schedule:` on a pool (a job): the cron expression, its time zone and the runs' settings.
// A bad expression is reported at its own column in the file.
#include "config/validate_sections.h"

#include <date/tz.h>

namespace drover::config::detail {

namespace {

/// Where column `column` (0-based, in bytes) of `node`'s text is in the file. That is the
/// scalar's mark plus the column when the text up to there is written as it is read: plain,
/// or quoted after its opening quote. A block scalar, an escape or a line break before the
/// column, an anchor, or text from `${VAR}` leaves the scalar's own mark.
Mark columnMark(const Ctx &ctx, const Node &node, std::size_t column)
{
    const std::string_view src = ctx.in.source.text();
    std::size_t start = ctx.in.source.offsetOf(node.mark);
    if (start >= src.size() || column >= node.scalar.size())
        return node.mark;
    if (src[start] == '"' || src[start] == '\'')
        ++start;
    else if (node.quoted)
        return node.mark; // `|` or `>`
    const std::size_t n = column + 1;
    if (src.substr(start, n) != std::string_view(node.scalar).substr(0, n))
        return node.mark;
    return ctx.in.source.markOf(start + column);
}

/// The machine's own zone, else UTC; nullptr when there is no tz database at all.
const date::time_zone *machineZone()
{
    try {
        return date::current_zone();
    } catch (const std::exception &) {
    }
    try {
        return date::locate_zone("UTC");
    } catch (const std::exception &) {
    }
    return nullptr;
}

/// The zone `name` of the tz database, or nullptr after reporting it at `n`.
const date::time_zone *namedZone(Ctx &ctx, const Node &n, const std::string &path,
                                 const std::string &name)
{
    std::string error;
    if (const date::time_zone *zone = CronSchedule::findZone(name, error))
        return zone;
    std::string msg = quote(name) + " is not in the tz database";
    try {
        std::vector<std::string> names;
        for (const date::time_zone &z : date::get_tzdb().zones)
            names.emplace_back(z.name());
        if (auto guess = closest(name, names))
            msg += " (did you mean \"" + *guess + "\"?)";
        else
            msg += " (e.g. Europe/Berlin, America/New_York, UTC)";
    } catch (const std::exception &) {
        msg += " (no tz database was found on this machine: install tzdata)";
    }
    ctx.local(n, path, std::move(msg));
    return nullptr;
}

} // namespace

void readSchedule(Ctx &ctx, const Node *n, const std::string &path, std::optional<JobSpec> &out)
{
    if (!n || n->isNull())
        return;
    JobSpec job;
    const Node *cron = nullptr;
    std::string cronPath;
    const Node *timezone = nullptr;
    std::string timezonePath;
    if (n->isScalar()) {
        cron = n;
        cronPath = path;
    } else if (n->isMap()) {
        Fields f(ctx, n, path,
                 {"cron", "timezone", "concurrency", "deadline", "catch_up", "history"});
        cron = f.require("cron", "a cron expression such as \"0 3 * * *\", or manual");
        cronPath = f.path("cron");
        timezone = f.get("timezone");
        if (timezone && timezone->isNull())
            timezone = nullptr; // nothing: the machine's zone, as when it is not written
        timezonePath = f.path("timezone");
        choice(ctx, f.get("concurrency"), f.path("concurrency"), job.concurrency,
               {{"forbid", JobConcurrency::Forbid},
                {"allow", JobConcurrency::Allow},
                {"replace", JobConcurrency::Replace}});
        Duration deadline{};
        const Node *deadlineNode = f.get("deadline");
        if (deadlineNode && !deadlineNode->isNull() && // nothing: no deadline
            duration(ctx, deadlineNode, f.path("deadline"), deadline, 10ms))
            job.deadline = deadline;
        choice(ctx, f.get("catch_up"), f.path("catch_up"), job.catchUp,
               {{"skip", CatchUp::Skip}, {"once", CatchUp::Once}});
        integer(ctx, f.get("history"), f.path("history"), job.history, 1, 10'000);
    } else {
        ctx.local(*n, path,
                  "expected a cron expression (\"0 3 * * *\"), manual or {cron: ..., timezone: "
                  "...}, got " +
                      describe(*n));
        return;
    }

    if (!timezone) {
        job.zone = machineZone();
        if (!job.zone)
            ctx.local(*n, path, "no tz database was found on this machine: install tzdata");
    } else if (str(ctx, timezone, timezonePath, job.timezone, false)) {
        job.zone = namedZone(ctx, *timezone, timezonePath, job.timezone);
    }

    std::string text;
    if (cron && scalarText(ctx, cron, cronPath, "a cron expression or manual", text) &&
        text != "manual") {
        auto parsed = CronSchedule::parse(text);
        if (const auto *e = std::get_if<CronSchedule::Error>(&parsed)) {
            ctx.localAt(*cron, columnMark(ctx, *cron, e->column), cronPath, e->message);
        } else {
            job.cron = std::move(std::get<CronSchedule>(parsed));
            const auto now =
                std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
            if (job.zone && !job.cron->next(now, job.zone))
                ctx.local(*cron, cronPath,
                          quote(text) + " never fires: no date in the next ten years matches it");
        }
    }
    out = std::move(job);
}

} // namespace drover::config::detail
