#pragma once

#include <QString>
#include <QWidget>

#include <array>
#include <cstdint>
#include <vector>

class QAction;
class QLabel;
class QPlainTextEdit;
class QSortFilterProxyModel;
class QTableView;

namespace drover::api {
struct JobRun;
}

namespace drover::models {
class BackendBridge;
class JobRunsModel;
} // namespace drover::models

namespace drover::ui {

class JobDurationChart;

/// The jobs pane: every job (a pool with `schedule:`) with its schedule, next run, runs going,
/// last result and counts; below it the selected job's recent runs (`job.history`, asked again
/// only when the job's counts change), a chart of how long they took, coloured by how they
/// ended, and the selected run's last log lines with its exit and reason. Run now and Cancel
/// are enabled by the connection's role (operator and above) and the job's state.
class JobsPane : public QWidget
{
    Q_OBJECT

public:
    explicit JobsPane(models::BackendBridge *bridge, QWidget *parent = nullptr);

    /// Runs `job.history` keeps asking for (and the chart's bars at most).
    static constexpr int kHistory = 30;

    enum Action { RunNow, Cancel, ActionCount };
    QAction *action(Action a) const { return m_actions[std::size_t(a)]; }
    QTableView *view() const { return m_view; }
    QTableView *runsView() const { return m_runsView; }
    models::JobRunsModel *runs() const { return m_runs; }
    JobDurationChart *durations() const { return m_durations; }
    /// The selected run: what it was and how it ended, and its last lines.
    QLabel *runTitle() const { return m_runTitle; }
    QPlainTextEdit *log() const { return m_log; }

    /// Selects the row of job `pool` (nothing when it is not a job).
    void selectJob(const QString &pool);
    QString selectedJob() const;
    /// Selects run `number` of the selected job in the list of runs.
    void selectRun(std::uint64_t number);
    /// The number of the run selected (0: none).
    std::uint64_t selectedRun() const;
    /// `job.history` requests sent since the pane was made.
    int historyRequests() const { return m_historyRequests; }

signals:
    void message(const QString &text);

private:
    void updateActions();
    void run(Action a);
    /// The selected job or its counts may have changed: its runs are asked for again if so.
    void followJob();
    void requestRuns();
    void showRuns(const QString &pool, const std::vector<api::JobRun> &runs);
    void showRun();
    /// What of the selected job, when it changes, means its runs changed.
    QString countsOf(const QString &pool) const;

    models::BackendBridge *m_bridge;
    QTableView *m_view;
    models::JobRunsModel *m_runs;
    QSortFilterProxyModel *m_runsSorted;
    QTableView *m_runsView;
    QLabel *m_runsTitle;
    JobDurationChart *m_durations;
    QLabel *m_runTitle;
    QPlainTextEdit *m_log;
    std::array<QAction *, ActionCount> m_actions{};
    QString m_askedPool;      ///< whose runs were asked for last
    QString m_askedCounts;    ///< and its counts then
    quint64 m_generation = 0; ///< of the newest request; older replies are dropped
    bool m_inFlight = false;  ///< a request for m_askedPool is under way
    bool m_askAgain = false;  ///< the counts changed while it was
    int m_historyRequests = 0;
};

} // namespace drover::ui
