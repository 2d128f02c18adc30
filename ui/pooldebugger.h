#pragma once

#include <QHash>
#include <QWidget>

#include <memory>

class QComboBox;
class QGridLayout;
class QLabel;
class QProgressBar;
class QScrollArea;
class QSortFilterProxyModel;
class QSplitter;
class QTabWidget;
class QTableView;
class QTreeWidget;

namespace drover::models {
class BackendBridge;
class DecisionsModel;
class PoolTrafficPoller;
struct PoolTraffic;
} // namespace drover::models

namespace drover::ui {

class PoolTiles;
class ScaleTimeline;
class TrafficTimeline;

/// The visual pool debugger, under the pools table: the selected pool's workers as tiles with
/// their traffic (in flight, served, breaker), the door's queue gauge and figures, and tabs for
/// the flight recorder (a scrubbable timeline of the last routing decisions and the same
/// decisions as a table, selected together), the scale events and the leases. It asks the
/// master for `pool.traffic` once a second while it is on screen; a pool with no gateway and
/// no lease says so instead of showing empty widgets.
class PoolDebugger : public QWidget
{
    Q_OBJECT

public:
    /// Shows `tiles` (made by the pools pane) above the traffic.
    PoolDebugger(models::BackendBridge *bridge, PoolTiles *tiles, QWidget *parent = nullptr);

    /// The pool to debug (empty: none; the tiles show every pool).
    void setPool(const QString &pool);
    QString pool() const;

    models::PoolTrafficPoller *poller() const { return m_poller; }
    models::DecisionsModel *decisions() const { return m_decisions; }
    TrafficTimeline *timeline() const { return m_timeline; }
    ScaleTimeline *scaleTimeline() const { return m_scale; }
    QTableView *decisionsView() const { return m_table; }
    QTreeWidget *leasesView() const { return m_leases; }
    QTreeWidget *scaleEventsView() const { return m_scaleList; }
    QProgressBar *queueGauge() const { return m_queue; }
    QTabWidget *tabs() const { return m_tabs; }
    /// The text shown instead of the traffic (no pool, no gateway); empty while it is shown.
    QString explanation() const;
    /// A figure as shown (`rps`, `latency`, `queue_wait`, `inflight`, `responses`, `rejected`,
    /// `retries`, `cold_starts`, `ejections`, `tunnels`, `leases`).
    QString figure(const QString &key) const;
    /// The selected decision in words (empty when none is).
    QString selectionText() const;
    /// Selects the model's row `row` (-1: none) as a click on the timeline does.
    void selectDecision(int row);
    /// GUI thread time the last reply took to take in (models, figures, lists), in µs.
    qint64 lastUpdateMicros() const { return m_updateMicros; }

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void updateActive();
    void onUpdated();
    void showSelection(int row);
    void addFigure(const QString &key, const QString &caption, const QString &tip);
    void setFigure(const QString &key, const QString &value);

    models::BackendBridge *m_bridge;
    models::PoolTrafficPoller *m_poller;
    models::DecisionsModel *m_decisions;
    QSortFilterProxyModel *m_sorted;
    PoolTiles *m_tiles;
    QLabel *m_title;
    QLabel *m_explain;
    QWidget *m_summary;
    QProgressBar *m_queue;
    QGridLayout *m_figures;
    QHash<QString, QLabel *> m_figureLabels;
    QSplitter *m_split;
    QTabWidget *m_tabs;
    QComboBox *m_axis;
    TrafficTimeline *m_timeline;
    QLabel *m_selection;
    QTableView *m_table;
    ScaleTimeline *m_scale;
    QTreeWidget *m_scaleList;
    QTreeWidget *m_leases;
    bool m_syncing = false;
    qint64 m_updateMicros = 0;
};

} // namespace drover::ui
