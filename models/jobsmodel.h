#pragma once

#include "api/types.h"
#include "models/keyedtablemodel.h"

#include <QColor>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace drover::models {

/// A job as the jobs pane lists it: its pool's name and the JobStatus its PoolInfo carries.
/// Kept apart from the rest of the PoolInfo so that a pool's ready count changing sends
/// nothing to the jobs table.
struct JobRow
{
    std::string pool;
    api::JobStatus job;
    friend bool operator==(const JobRow &, const JobRow &) = default;
};

/// The jobs (pools with `schedule:`) as rows: the jobs pane's table. Fed by BackendBridge from
/// the pools of the snapshot and the `pool.upsert` deltas; a pool without a job is never a
/// row, and a pool that stops being a job (or goes) leaves.
class JobsModel : public KeyedTableModel<JobRow>
{
    Q_OBJECT

public:
    enum Column {
        Job,
        Schedule,
        NextRun,
        Active,
        LastResult,
        Took,
        Succeeded,
        Failed,
        Skipped,
        ColumnCount
    };
    enum Role {
        PoolRole = Qt::UserRole + 1, ///< the job's pool (QString)
        ActiveRole,                  ///< runs going now (int)
        OutcomeRole,                 ///< the last run's outcome as the master says it (QString)
        ValueRole,                   ///< the raw value of the column (numbers, Unix ms)
    };
    Q_ENUM(Column)

    explicit JobsModel(QObject *parent = nullptr);

    /// A snapshot's pools: the jobs among them, in one reset.
    void resetPools(const std::vector<api::PoolInfo> &pools);
    /// A drain's pool changes (nullopt: the pool is gone): jobs come, change and go.
    void applyPools(const std::map<std::string, std::optional<api::PoolInfo>> &pools);
    /// The job of `pool`, or null when it is not one.
    const api::JobStatus *job(const std::string &pool) const;

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    /// The time "in 12 s" counts from (tests set it; 0: the clock).
    void setNowMs(std::int64_t nowMs) { m_nowMs = nowMs; }

    /// A run's outcome (`succeeded`, `deadline`, ...) in words of the console's language.
    static QString outcomeText(const QString &outcome);
    /// The colour an outcome is shown in: green succeeded, red failed or lost, orange over its
    /// deadline, grey stopped by someone or skipped, blue running.
    static QColor outcomeColor(const QString &outcome);
    /// `0.4 s`, `12.0 s`, `3 min 5 s`, `2 h 10 min`.
    static QString durationText(std::int64_t ms);
    /// How long until `atMs` from `nowMs`: `now`, `in 12 s`, `in 4 min`, `in 3 h 5 min`.
    static QString untilText(std::int64_t atMs, std::int64_t nowMs);

protected:
    std::string keyOf(const JobRow &r) const override { return r.pool; }
    std::pair<int, int> changedColumns(const JobRow &before, const JobRow &after) const override;

private:
    std::int64_t now() const;

    std::int64_t m_nowMs = 0;
};

/// The runs of one job, from a `job.history` reply: the jobs pane's list of runs. Each reply
/// is merged by run number (a run that ended changes in place, new runs come, runs the master
/// no longer keeps go), so a view's selection stays on its run; another job's runs reset it.
/// The rows are in the order they came: a proxy sorts them (NumberRole) newest first.
class JobRunsModel : public KeyedTableModel<api::JobRun>
{
    Q_OBJECT

public:
    enum Column { Run, Trigger, Started, Took, Outcome, Detail, ColumnCount };
    enum Role {
        NumberRole = Qt::UserRole + 1, ///< the run's number (qulonglong)
        OutcomeRole,                   ///< its outcome as the master says it (QString)
        DurationRole,                  ///< how long it ran, in ms (qint64; so far while running)
    };
    Q_ENUM(Column)

    explicit JobRunsModel(QObject *parent = nullptr);

    /// The runs of `pool` as a `job.history` reply has them (newest first).
    void setRuns(const QString &pool, const std::vector<api::JobRun> &runs);
    /// Whose runs these are (empty: none).
    QString pool() const { return m_pool; }
    /// The run numbered `number`, or null.
    const api::JobRun *run(std::uint64_t number) const;

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    void setNowMs(std::int64_t nowMs) { m_nowMs = nowMs; }

protected:
    std::string keyOf(const api::JobRun &r) const override { return std::to_string(r.number); }

private:
    QString m_pool;
    std::int64_t m_nowMs = 0;
};

} // namespace drover::models
