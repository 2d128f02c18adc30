#pragma once

#include "models/metricseriesstore.h"

#include <QColor>
#include <QHash>
#include <QList>
#include <QPointF>
#include <QPointer>
#include <QStringList>
#include <QWidget>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

QT_BEGIN_NAMESPACE
class QAction;
class QChart;
class QChartView;
class QComboBox;
class QCategoryAxis;
class QLabel;
class QLineSeries;
class QScatterSeries;
class QStackedWidget;
class QTimer;
class QValueAxis;
class QVBoxLayout;
QT_END_NAMESPACE

namespace drover::api {
struct Event;
struct MetricBatch;
} // namespace drover::api

namespace drover::models {
class BackendBridge;
}

namespace drover::ui {

class JobMarkers;

/// Live charts of one subject: workers (CPU, RSS, probe latencies; several side by side, a
/// colour each), a pool (workers by state, restarts) or the master (CPU, RSS, workers,
/// clients). Each series' history over the window comes from `metrics.query`, then the lines
/// follow the live metric batches (at most one redraw per drain of the bridge). Exits and
/// restarts of the subject's workers are markers on the first chart, and so are a pool's scale
/// events, and a job's runs where they ended (coloured by outcome). A pool with a gateway (or
/// leases) also gets its door's requests/s, errors, in-flight and queued requests, and latency and
/// queue wait percentiles. Pause freezes the lines while new points are still kept; export as PNG
/// or CSV. The points and markers are held by a models::MetricSeriesStore; the pane lays out, draws
/// and exports them.
class ChartsPane : public QWidget
{
    Q_OBJECT

public:
    explicit ChartsPane(models::BackendBridge *bridge, QWidget *parent = nullptr);
    ~ChartsPane() override; ///< stops following its series

    /// At most this many workers are charted together (the first of a larger selection).
    static constexpr int kMaxWorkers = 16;

    /// What is charted: `worker/<id>`, `workers/<id>,<id>...` (several), `pool/<name>` or
    /// `master`.
    QString subject() const { return m_subject; }
    /// The names of the series on the charts, in chart order (a probe's only once it has
    /// points).
    QStringList seriesNames() const;
    /// Points of `series` that the charts show now (while paused: as when paused).
    int pointCount(const QString &series) const;
    /// Points of `series` held, shown or not (while paused this still grows).
    int bufferedCount(const QString &series) const;
    /// The points of `series` that the charts show: x is the time (Unix ms), y the raw value.
    QList<QPointF> points(const QString &series) const;
    /// The colour `series` is drawn in (invalid when it is not on the charts).
    QColor lineColor(const QString &series) const;
    /// Event markers drawn now (exits, failures, restarts).
    int markerCount() const;
    /// A pool's scale events drawn now (triangles on its workers line).
    int scaleMarkerCount() const;
    /// A pool's rollout markers (started, step, switched, rolled back, ended) on screen.
    int rolloutMarkerCount() const;
    /// A job's runs drawn now (on its pool's chart, one where each ended).
    int jobRunMarkerCount() const;
    /// History replies (metrics.query over the window) taken in since the pane was made: one
    /// per series each time a subject is shown or the window changes.
    int historyLoads() const;
    /// The empty-state text when the subject is gone; empty while charts are shown.
    QString emptyText() const;
    /// The width of the time window in seconds (60, 300, 900 or 3600).
    int window() const;
    void setWindow(int seconds);
    bool isPaused() const;
    void setPaused(bool paused);

    /// Writes the charts as they are shown to a PNG file; false if it could not be written.
    bool exportPng(const QString &file);
    /// Writes the shown points to a CSV file: a header (`time` and the series names), then
    /// one row per timestamp (ISO 8601 UTC) with the raw values; false if it failed.
    bool exportCsv(const QString &file);

    /// The points and markers held for the charts (not only those shown).
    const models::MetricSeriesStore *store() const { return m_store; }

public slots:
    void showWorker(const QString &id);
    /// Several workers on the same charts, one colour each (the first kMaxWorkers of `ids`);
    /// none: the master.
    void showWorkers(const QStringList &ids);
    void showPool(const QString &name);
    void showMaster();

signals:
    /// An export's outcome for the status bar.
    void message(const QString &text);

protected:
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    /// One chart: its axes, and whether its values are whole numbers or start at zero.
    struct Panel
    {
        QChartView *view = nullptr;
        QChart *chart = nullptr;
        QCategoryAxis *x = nullptr;
        QValueAxis *y = nullptr;
        bool fromZero = true;
        bool whole = false;
        bool legend = true; ///< below the chart; several workers have m_key instead
    };
    /// One series on a panel, and the points it shows (the store holds the newer ones).
    struct Line
    {
        QString name;  ///< the series name (`worker/web-1/cpu_percent`)
        QString label; ///< in the legend
        int panel = 0;
        double scale = 1; ///< chart value = raw value * scale (bytes to MiB)
        bool stepped = false;
        bool lazy = false;             ///< attached only once it has points (probes)
        double width = 1.5;            ///< of its pen: wider under lines that may cover it
        QColor color;                  ///< the worker's when several are charted; else the theme's
        QLineSeries *series = nullptr; ///< null while a lazy line has no points
        QList<QPointF> shown;          ///< (Unix ms, raw value) held as of the last redraw
    };
    enum class Kind { Master, Worker, Pool };

    void setSubject(Kind kind, const QStringList &names);
    void addWorkerLines(const QStringList &ids, std::vector<std::string> &follow);
    int addPanel(const QString &yTitle, bool fromZero, bool whole);
    void addLine(int panel, const QString &name, const QString &label, double scale = 1,
                 bool stepped = false, bool lazy = false);
    void attach(Line &line);
    /// The line's pen: its width, and its colour when it has its own.
    void setPen(const Line &line);
    /// Loads the window's history of every series and the subject's past events.
    void reload();
    /// Series that got points: a lazy line shows from its first point on.
    void onPointsChanged(const QStringList &series);
    bool concerns(const api::Event &event) const;
    /// The tooltip of the marker nearest to `point` (chart x: seconds before the last redraw).
    void markerHovered(const QPointF &point, bool state);
    /// Redraws once the current drain or batch of replies is done.
    void scheduleRender();
    void render();
    void fitY(Panel &panel, const std::vector<const Line *> &lines);
    /// The time axis for the current window: "-5 min" ... "now", in seconds before now.
    void setTimeLabels(Panel &panel) const;
    void checkPresence();
    void applyTheme();
    std::int64_t windowMs() const;
    const Line *findLine(const QString &name) const;

    QPointer<models::BackendBridge> m_bridge;
    models::MetricSeriesStore *m_store; ///< the points and markers; a child
    Kind m_kind = Kind::Master;
    QStringList m_names; ///< the worker ids or the pool's name
    int m_selected = 0;  ///< workers asked for (more than are charted when over kMaxWorkers)
    QString m_subject;   ///< as subject() says
    QLabel *m_title;
    QLabel *m_key; ///< several workers: whose colour is which, and the markers
    QComboBox *m_window;
    QAction *m_pause;
    QStackedWidget *m_stack;
    QWidget *m_area; ///< the charts
    QVBoxLayout *m_areaLayout;
    QLabel *m_empty;
    QTimer *m_tick; ///< moves the time axis when no points come
    std::vector<Panel> m_panels;
    std::vector<Line> m_lines;
    QHash<QString, int> m_lineIndex;
    QScatterSeries *m_exits = nullptr;                // Owned by the first chart.
    QScatterSeries *m_restarts = nullptr;             // Owned by the first chart.
    QScatterSeries *m_rollouts = nullptr;             // Owned by the first chart (a pool's).
    QScatterSeries *m_scales = nullptr;               // Owned by the first chart (a pool's).
    std::unique_ptr<JobMarkers> m_jobRuns;            ///< a pool's; series owned by the chart
    std::vector<models::SeriesMarker> m_shownMarkers; ///< as drawn
    bool m_renderPending = false;
    bool m_renderWhenShown = false; ///< a render was skipped while hidden
    /// Whose metric wishes these are, on the bridge: one per pane.
    QString m_metricsKey = QStringLiteral("charts-%1").arg(quintptr(this), 0, 16);
    bool m_missing = false;
    std::int64_t m_renderedAtMs = 0;
};

} // namespace drover::ui
