#pragma once

#include "api/types.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QSet>
#include <QStringList>

#include <deque>
#include <string>
#include <vector>

namespace drover::models {

/// The probe results of the workers the health pane shows, newest first, at most capacity()
/// of them (the oldest go first), plus their probes' verdict changes. Fed by the pane: a
/// worker's `health.history` replaces that worker's rows (one reset, a resync), live
/// `health.sample` deltas are inserted at the top as one batch.
class HealthResultsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Time, Worker, Probe, Kind, Result, Latency, Message, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, ///< the raw value to sort by (ms, latency, bool...)
        SampleRole,                  ///< the whole api::HealthSample (QVariant::value<>)
        OkRole,                      ///< whether the check passed (bool), for filtering
    };
    Q_ENUM(Column)

    explicit HealthResultsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    /// The workers whose results append() takes; the rows of others stay until reset().
    void setWorkers(const QStringList &ids);
    QStringList workers() const { return m_workerList; }
    /// Rows kept at most; beyond it the oldest are dropped.
    void setCapacity(int rows);
    int capacity() const { return m_capacity; }

    /// A whole new set of results, in any order: one reset.
    void reset(std::vector<api::HealthSample> samples);
    /// New results (oldest first, as the bridge gives them): those of shown workers go on
    /// top in one insertion; then the oldest rows beyond capacity() are removed. A result
    /// already among the newest rows (made before a history reply, drained after it) is
    /// skipped.
    void append(const std::vector<api::HealthSample> &samples);
    /// `worker`'s history as the master sent it: replaces that worker's rows and
    /// transitions, keeping the live ones that came after what the history holds.
    void replaceWorker(const std::string &worker, std::vector<api::HealthSample> history,
                       std::vector<api::HealthTransition> transitions);
    /// The sample of a row (rows are 0..rowCount()-1; newest first).
    const api::HealthSample &sample(int row) const;
    /// The row holding exactly `s`, or -1.
    int rowOf(const api::HealthSample &s) const;

    /// Verdict changes of the shown workers, oldest first.
    void setTransitions(std::vector<api::HealthTransition> transitions);
    /// A live change; one already known (the same probe and verdict within a second, as
    /// the event and the history both report it) is not added twice. Returns whether added.
    bool addTransition(const api::HealthTransition &transition);
    const std::vector<api::HealthTransition> &transitions() const { return m_transitions; }

    /// Failed results among the rows.
    int failures() const { return m_failures; }

    /// The colour of a passed or failed result, everywhere in the health pane.
    static QColor resultColor(bool ok);
    /// Whether two samples are the same probe result: one from the stream and one from a
    /// history (which keeps the latency as a float, the excerpt and log offset only for
    /// recent failures) compare by worker, probe, time and verdict.
    static bool sameResult(const api::HealthSample &a, const api::HealthSample &b)
    {
        return a.timeMs == b.timeMs && a.ok == b.ok && a.probe == b.probe && a.worker == b.worker;
    }
    /// A probe's role for people (translated): startup, liveness, readiness.
    static QString probeText(const std::string &probe);

signals:
    void transitionsChanged();

private:
    void recount();

    std::deque<api::HealthSample> m_rows; ///< newest first
    QStringList m_workerList;
    QSet<QString> m_workers;
    std::vector<api::HealthTransition> m_transitions;
    int m_capacity = 5000;
    int m_failures = 0;
};

} // namespace drover::models
