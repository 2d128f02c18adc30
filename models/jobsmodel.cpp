#include "models/jobsmodel.h"

#include <QBrush>
#include <QDateTime>
#include <QStringList>

#include <algorithm>
#include <set>

namespace drover::models {

namespace {

QString text(const std::string &s)
{
    return QString::fromStdString(s);
}

std::int64_t clockMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

/// A time of day, with the date when it is not today.
QString timeText(std::int64_t ms, std::int64_t nowMs)
{
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(ms);
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(nowMs);
    return at.date() == now.date() ? at.toString(QStringLiteral("HH:mm:ss"))
                                   : at.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

} // namespace

// ---- JobsModel ---------------------------------------------------------------------------

JobsModel::JobsModel(QObject *parent)
    : KeyedTableModel(parent)
{}

void JobsModel::resetPools(const std::vector<api::PoolInfo> &pools)
{
    std::vector<JobRow> rows;
    for (const api::PoolInfo &p : pools) {
        if (p.job)
            rows.push_back({p.name, *p.job});
    }
    reset(std::move(rows));
}

void JobsModel::applyPools(const std::map<std::string, std::optional<api::PoolInfo>> &pools)
{
    std::map<std::string, std::optional<JobRow>> changes;
    for (const auto &[name, pool] : pools) {
        if (pool && pool->job)
            changes[name] = JobRow{name, *pool->job};
        else if (rowOf(name) >= 0) // gone, or no longer a job
            changes[name] = std::nullopt;
    }
    if (!changes.empty())
        apply(changes);
}

const api::JobStatus *JobsModel::job(const std::string &pool) const
{
    const JobRow *row = at(rowOf(pool));
    return row ? &row->job : nullptr;
}

int JobsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

std::int64_t JobsModel::now() const
{
    return m_nowMs ? m_nowMs : clockMs();
}

std::pair<int, int> JobsModel::changedColumns(const JobRow &before, const JobRow &after) const
{
    const api::JobStatus &a = before.job;
    const api::JobStatus &b = after.job;
    const bool changed[ColumnCount] = {
        before.pool != after.pool,
        a.schedule != b.schedule || a.timezone != b.timezone || a.concurrency != b.concurrency,
        a.nextRunAtMs != b.nextRunAtMs || a.schedule != b.schedule,
        a.active != b.active,
        a.lastOutcome != b.lastOutcome || a.lastNumber != b.lastNumber ||
            a.lastSuccessAtMs != b.lastSuccessAtMs,
        a.lastDurationMs != b.lastDurationMs,
        a.succeeded != b.succeeded,
        a.failed != b.failed,
        a.skipped != b.skipped,
    };
    int first = ColumnCount;
    int last = -1;
    for (int c = 0; c < ColumnCount; ++c) {
        if (changed[c]) {
            first = std::min(first, c);
            last = std::max(last, c);
        }
    }
    return {first, last};
}

QVariant JobsModel::data(const QModelIndex &index, int role) const
{
    const JobRow *row = at(index.row());
    if (!row || index.column() < 0 || index.column() >= ColumnCount)
        return {};
    const api::JobStatus &j = row->job;
    const bool manual = j.schedule == "manual";
    const QString outcome = text(j.lastOutcome);
    switch (role) {
    case PoolRole:
        return text(row->pool);
    case ActiveRole:
        return j.active;
    case OutcomeRole:
        return outcome;
    case ValueRole:
        switch (Column(index.column())) {
        case Job:
            return text(row->pool);
        case Schedule:
            return text(j.schedule);
        case NextRun:
            return qint64(j.nextRunAtMs);
        case Active:
            return j.active;
        case LastResult:
            return outcome;
        case Took:
            return qint64(j.lastDurationMs);
        case Succeeded:
            return qulonglong(j.succeeded);
        case Failed:
            return qulonglong(j.failed);
        case Skipped:
            return qulonglong(j.skipped);
        case ColumnCount:
            break;
        }
        break;
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case Job:
            return text(row->pool);
        case Schedule:
            if (manual)
                return tr("only when asked");
            return j.timezone.empty() ? text(j.schedule)
                                      : tr("%1 (%2)").arg(text(j.schedule), text(j.timezone));
        case NextRun:
            if (j.nextRunAtMs == 0)
                return manual ? tr("when asked") : QString();
            return tr("%1 (%2)").arg(timeText(j.nextRunAtMs, now()),
                                     untilText(j.nextRunAtMs, now()));
        case Active:
            return j.active;
        case LastResult:
            return outcome.isEmpty() ? tr("no run yet") : outcomeText(outcome);
        case Took:
            return outcome.isEmpty() ? QString() : durationText(j.lastDurationMs);
        case Succeeded:
            return qulonglong(j.succeeded);
        case Failed:
            return qulonglong(j.failed);
        case Skipped:
            return qulonglong(j.skipped);
        case ColumnCount:
            break;
        }
        break;
    case Qt::ForegroundRole:
        if (index.column() == LastResult && !outcome.isEmpty())
            return QBrush(outcomeColor(outcome));
        if (index.column() == Active && j.active > 0)
            return QBrush(outcomeColor(QStringLiteral("running")));
        if (index.column() == Failed && j.failed > 0)
            return QBrush(outcomeColor(QStringLiteral("failed")));
        break;
    case Qt::TextAlignmentRole:
        switch (Column(index.column())) {
        case Active:
        case Took:
        case Succeeded:
        case Failed:
        case Skipped:
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
        }
    case Qt::ToolTipRole:
        switch (Column(index.column())) {
        case Schedule:
            if (manual)
                return tr("Runs only when an operator starts one (Run now, droverctl job run)");
            return tr("Cron expression %1 in the time zone %2; a time that comes while a run "
                      "is going: %3")
                .arg(text(j.schedule), text(j.timezone), text(j.concurrency));
        case NextRun:
            return j.nextRunAtMs == 0
                       ? QVariant()
                       : QVariant(
                             QDateTime::fromMSecsSinceEpoch(j.nextRunAtMs).toString(Qt::ISODate));
        case LastResult:
            if (j.lastSuccessAtMs == 0)
                return tr("No run of this job has succeeded yet (of %n started)", nullptr,
                          int(j.runs));
            return tr("Last success at %1; %n runs started", nullptr, int(j.runs))
                .arg(QDateTime::fromMSecsSinceEpoch(j.lastSuccessAtMs).toString(Qt::ISODate));
        case Failed:
            return tr("Runs that did not succeed: failed, over their deadline, cancelled, "
                      "replaced or lost");
        case Skipped:
            return tr("Times of the schedule at which no run started: one was still going, or "
                      "the pools it depends on were not up");
        default:
            return tr("Job %1: %n runs started", nullptr, int(j.runs)).arg(text(row->pool));
        }
    default:
        break;
    }
    return {};
}

QVariant JobsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Job:
        return tr("Job");
    case Schedule:
        return tr("Schedule");
    case NextRun:
        return tr("Next run");
    case Active:
        return tr("Running");
    case LastResult:
        return tr("Last result");
    case Took:
        return tr("Took");
    case Succeeded:
        return tr("Succeeded");
    case Failed:
        return tr("Failed");
    case Skipped:
        return tr("Skipped");
    case ColumnCount:
        break;
    }
    return {};
}

QString JobsModel::outcomeText(const QString &outcome)
{
    if (outcome == QLatin1String("running"))
        return tr("running");
    if (outcome == QLatin1String("succeeded"))
        return tr("succeeded");
    if (outcome == QLatin1String("failed"))
        return tr("failed");
    if (outcome == QLatin1String("deadline"))
        return tr("over its deadline");
    if (outcome == QLatin1String("cancelled"))
        return tr("cancelled");
    if (outcome == QLatin1String("replaced"))
        return tr("replaced");
    if (outcome == QLatin1String("skipped"))
        return tr("skipped");
    if (outcome == QLatin1String("lost"))
        return tr("lost");
    if (outcome == QLatin1String("unknown"))
        return tr("unknown");
    return outcome;
}

QColor JobsModel::outcomeColor(const QString &outcome)
{
    if (outcome == QLatin1String("succeeded"))
        return QColor(0x2e, 0x7d, 0x32);
    if (outcome == QLatin1String("failed") || outcome == QLatin1String("lost"))
        return QColor(0xc6, 0x28, 0x28);
    if (outcome == QLatin1String("deadline"))
        return QColor(0xe6, 0x5c, 0x00);
    if (outcome == QLatin1String("running"))
        return QColor(0x15, 0x65, 0xc0);
    return QColor(0x75, 0x75, 0x75); // cancelled, replaced, skipped, unknown
}

QString JobsModel::durationText(std::int64_t ms)
{
    ms = std::max<std::int64_t>(0, ms);
    if (ms < 60'000)
        return tr("%1 s").arg(double(ms) / 1000.0, 0, 'f', 1);
    const std::int64_t s = ms / 1000;
    if (s < 3600)
        return tr("%1 min %2 s").arg(s / 60).arg(s % 60);
    return tr("%1 h %2 min").arg(s / 3600).arg(s % 3600 / 60);
}

QString JobsModel::untilText(std::int64_t atMs, std::int64_t nowMs)
{
    const std::int64_t s = (atMs - nowMs + 999) / 1000; // "in 1 s" until it is due
    if (s <= 0)
        return tr("now");
    if (s < 60)
        return tr("in %1 s").arg(s);
    if (s < 3600)
        return tr("in %1 min").arg(s / 60);
    if (s < 86'400)
        return tr("in %1 h %2 min").arg(s / 3600).arg(s % 3600 / 60);
    return tr("in %n days", nullptr, int(s / 86'400));
}

// ---- JobRunsModel ------------------------------------------------------------------------

JobRunsModel::JobRunsModel(QObject *parent)
    : KeyedTableModel(parent)
{}

void JobRunsModel::setRuns(const QString &pool, const std::vector<api::JobRun> &runs)
{
    if (pool != m_pool) {
        m_pool = pool;
        reset(runs);
        return;
    }
    std::map<std::string, std::optional<api::JobRun>> changes;
    std::set<std::string> kept;
    for (const api::JobRun &r : runs) {
        changes[keyOf(r)] = r;
        kept.insert(keyOf(r));
    }
    for (const api::JobRun &r : rows()) {
        if (!kept.count(keyOf(r)))
            changes[keyOf(r)] = std::nullopt; // no longer kept by the master
    }
    apply(changes);
}

const api::JobRun *JobRunsModel::run(std::uint64_t number) const
{
    return at(rowOf(std::to_string(number)));
}

int JobRunsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant JobRunsModel::data(const QModelIndex &index, int role) const
{
    const api::JobRun *r = at(index.row());
    if (!r || index.column() < 0 || index.column() >= ColumnCount)
        return {};
    const std::int64_t now = m_nowMs ? m_nowMs : clockMs();
    const std::int64_t took =
        r->running() ? std::max<std::int64_t>(0, now - r->startedAtMs) : r->durationMs();
    const QString outcome = text(r->outcome);
    switch (role) {
    case NumberRole:
        return qulonglong(r->number);
    case OutcomeRole:
        return outcome;
    case DurationRole:
        return qint64(took);
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case Run:
            return qulonglong(r->number);
        case Trigger:
            if (r->trigger == "schedule")
                return tr("schedule");
            if (r->trigger == "catch-up")
                return tr("catch-up");
            if (r->trigger == "manual")
                return r->by.empty() ? tr("by hand") : tr("by %1").arg(text(r->by));
            return text(r->trigger);
        case Started:
            return r->startedAtMs ? timeText(r->startedAtMs, now) : QString();
        case Took:
            if (r->outcome == "skipped")
                return QString();
            return r->running() ? tr("%1 so far").arg(JobsModel::durationText(took))
                                : JobsModel::durationText(took);
        case Outcome:
            return JobsModel::outcomeText(outcome);
        case Detail: {
            if (r->running())
                return r->pid ? tr("on %1, pid %2").arg(text(r->worker)).arg(r->pid)
                              : tr("on %1").arg(text(r->worker));
            QStringList parts;
            if (!r->exit.empty())
                parts << text(r->exit);
            if (!r->reason.empty() && r->reason != r->exit)
                parts << text(r->reason);
            return parts.join(QStringLiteral(" · "));
        }
        case ColumnCount:
            break;
        }
        break;
    case Qt::ForegroundRole:
        if (index.column() == Outcome)
            return QBrush(JobsModel::outcomeColor(outcome));
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == Run || index.column() == Took)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        if (index.column() == Detail && !r->reason.empty())
            return text(r->reason);
        if (r->worker.empty()) // skipped: no worker ran it
            return tr("Run %1 (not started)").arg(r->number);
        if (r->scheduledAtMs)
            return tr("Run %1 on %2, revision %3, for the time %4")
                .arg(r->number)
                .arg(text(r->worker), text(r->revision),
                     QDateTime::fromMSecsSinceEpoch(r->scheduledAtMs).toString(Qt::ISODate));
        return tr("Run %1 on %2, revision %3")
            .arg(r->number)
            .arg(text(r->worker), text(r->revision));
    default:
        break;
    }
    return {};
}

QVariant JobRunsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Run:
        return tr("Run");
    case Trigger:
        return tr("Started by");
    case Started:
        return tr("Started");
    case Took:
        return tr("Took");
    case Outcome:
        return tr("Outcome");
    case Detail:
        return tr("Exit, reason");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace drover::models
