#pragma once

#include "api/backend.h"
#include "api/types.h"

#include <QHash>
#include <QStringList>
#include <QWidget>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QScrollArea;
class QTextBrowser;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;

namespace drover::models {
class BackendBridge;
class HealthResultsModel;
} // namespace drover::models

namespace drover::ui {

class HealthTimeline;

/// The probe history of the workers selected in the workers pane: a timeline strip per
/// (worker, probe) over the chosen window, a table of the results (optionally failures only)
/// and, for a failure, its details with the worker's log lines written before it.
///
/// Data: one `health.history` request per worker when the workers or the window change
/// (replies of an older choice are dropped), then the bridge's live `health.sample` results
/// and `probe.changed` events.
class HealthPane : public QWidget
{
    Q_OBJECT

public:
    explicit HealthPane(models::BackendBridge *bridge, QWidget *parent = nullptr);
    ~HealthPane() override;

    /// Shows these workers (1..N; none: the empty state).
    void showWorkers(const QStringList &ids);
    QStringList workers() const { return m_ids; }
    /// The time shown, in ms: 5 min, 15 min or 1 h (the window selector's choices).
    void setWindow(std::int64_t ms);
    std::int64_t window() const;

    /// Shows a result in the details (what clicking a failure does), with the log before it.
    void showSample(const api::HealthSample &sample);

    models::HealthResultsModel *results() const { return m_results; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    QTableView *view() const { return m_view; }
    HealthTimeline *timeline() const { return m_timeline; }
    QCheckBox *failuresOnly() const { return m_failuresOnly; }
    QComboBox *windowBox() const { return m_window; }
    int stripCount() const;
    QString title() const;
    /// What the pane says instead of the timeline, or empty when it shows one.
    QString emptyText() const;
    QString detailsText() const;
    /// The line under the title: counts, and the workers whose history could not be had.
    QString statusText() const;
    /// Workers whose history has not come yet.
    int pending() const { return m_pending; }

private:
    void reload();
    void requestHistory(const QString &worker);
    void onHistory(const QString &worker, const api::Reply &reply);
    void onSamples(const std::vector<api::HealthSample> &samples);
    void onEvents(const std::vector<api::Event> &events);
    void rebuildStrips();
    void updateState();
    void renderDetails();

    models::BackendBridge *m_bridge; // Not owned.
    models::HealthResultsModel *m_results;
    QSortFilterProxyModel *m_proxy;
    QLabel *m_title;
    QLabel *m_status;
    QComboBox *m_window;
    QStackedWidget *m_stack;
    QLabel *m_empty;
    HealthTimeline *m_timeline;
    QScrollArea *m_timelineScroll;
    QTableView *m_view;
    QCheckBox *m_failuresOnly;
    QLabel *m_detailsTitle;
    QTextBrowser *m_details; ///< the result's facts and excerpt
    QWidget *m_logBox;
    QLabel *m_logTitle;
    QPlainTextEdit *m_log; ///< the worker's log lines before the failure

    QStringList m_ids;
    /// Each shown worker's probes, as its history reply (and later results) told.
    QHash<QString, std::vector<api::ProbeStatus>> m_probes;
    QHash<QString, QString> m_errors; ///< workers whose history could not be had, and why
    int m_pending = 0;
    quint64 m_generation = 0; ///< of the history requests: a newer choice drops older replies

    std::optional<api::HealthSample> m_detail;
    QStringList m_detailLog;
    QString m_detailLogNote;
    bool m_detailLogLoading = false;
    quint64 m_logGeneration = 0;
};

} // namespace drover::ui
