#include "ui/chartspane.h"

#include "api/codec.h"
#include "api/ops.h"
#include "api/types.h"
#include "models/backendbridge.h"
#include "models/jobsmodel.h"
#include "models/metricseriesstore.h"
#include "models/poolsmodel.h"
#include "models/workersmodel.h"
#include "ui/jobmarkers.h"

#include <QAction>
#include <QComboBox>
#include <QCursor>
#include <QDateTime>
#include <QEvent>
#include <QFile>
#include <QFileDialog>
#include <QGraphicsLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPixmap>
#include <QSaveFile>
#include <QStackedWidget>
#include <QTextStream>
#include <QTimer>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <QtCharts/QCategoryAxis>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLegend>
#include <QtCharts/QLegendMarker>
#include <QtCharts/QLineSeries>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace drover::ui {

namespace {

constexpr int kHistoryPoints = 600;
constexpr double kMiB = 1024.0 * 1024.0;
const QColor kExitColor(220, 50, 47);
const QColor kRestartColor(240, 140, 0);
const QColor kScaleColor(47, 126, 216);
const QColor kRolloutColor(148, 103, 189);

/// A colour per worker when several share the charts: distinct hues that read on light and
/// dark backgrounds (Tableau 10 and six more), orange and red last, as the markers are.
QColor workerColor(int index)
{
    static constexpr QRgb kColors[ChartsPane::kMaxWorkers] = {
        0x4e79a7, 0x59a14f, 0xb07aa1, 0x76b7b2, 0xedc948, 0x9c755f, 0xff9da7, 0x17becf,
        0xbcbd22, 0x8c564b, 0xe377c2, 0x2ca02c, 0xbab0ac, 0x7f7f7f, 0xf28e2b, 0xe15759};
    return QColor::fromRgb(kColors[index % ChartsPane::kMaxWorkers]);
}

/// The probe roles a worker's latency is charted for.
constexpr const char *kProbeRoles[] = {"startup", "liveness", "readiness"};

std::int64_t nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

/// A whole-number tick step for a range of `span` that gives about five ticks.
double wholeStep(double span)
{
    double step = 1;
    while (span / step > 6) {
        if (span / (step * 2) <= 6)
            return step * 2;
        if (span / (step * 5) <= 6)
            return step * 5;
        step *= 10;
    }
    return step;
}

QString csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

} // namespace

ChartsPane::ChartsPane(models::BackendBridge *bridge, QWidget *parent)
    : QWidget(parent)
    , m_bridge(bridge)
    , m_store(new models::MetricSeriesStore(this))
    , m_title(new QLabel(this))
    , m_key(new QLabel(this))
    , m_window(new QComboBox(this))
    , m_pause(new QAction(tr("Pause"), this))
    , m_stack(new QStackedWidget(this))
    , m_area(new QWidget(m_stack))
    , m_areaLayout(new QVBoxLayout(m_area))
    , m_empty(new QLabel(m_stack))
    , m_tick(new QTimer(this))
{
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_window->addItem(tr("1 min"), 60);
    m_window->addItem(tr("5 min"), 300);
    m_window->addItem(tr("15 min"), 900);
    m_window->addItem(tr("1 h"), 3600);
    m_window->setCurrentIndex(1);
    m_window->setToolTip(tr("How much of the past the charts show"));

    m_pause->setCheckable(true);
    m_pause->setIcon(QIcon::fromTheme(QStringLiteral("media-playback-pause"),
                                      QIcon(QStringLiteral(":/icons/pause.svg"))));
    m_pause->setToolTip(tr("Freeze the lines; new points are kept and shown when you resume"));
    const QIcon exportIcon = QIcon::fromTheme(QStringLiteral("document-export"),
                                              QIcon(QStringLiteral(":/icons/export.svg")));
    auto *png = new QAction(exportIcon, tr("Export PNG…"), this);
    png->setToolTip(tr("Save the charts as an image"));
    auto *csv = new QAction(exportIcon, tr("Export CSV…"), this);
    csv->setToolTip(tr("Save the shown points as comma-separated values"));

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_title, 1);
    auto *windowLabel = new QLabel(tr("Window:"), this);
    windowLabel->setBuddy(m_window);
    bar->addWidget(windowLabel);
    bar->addWidget(m_window);
    for (QAction *a : {m_pause, png, csv}) {
        auto *button = new QToolButton(this);
        button->setDefaultAction(a);
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        bar->addWidget(button);
    }

    m_areaLayout->setContentsMargins(0, 0, 0, 0);
    m_areaLayout->setSpacing(2);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setEnabled(false); // drawn greyed out
    m_stack->addWidget(m_area);
    m_stack->addWidget(m_empty);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    m_key->setWordWrap(true);
    m_key->setTextFormat(Qt::RichText);
    m_key->hide();
    layout->addWidget(m_key);
    layout->addWidget(m_stack, 1);

    connect(m_window, &QComboBox::currentIndexChanged, this, [this] { reload(); });
    connect(m_pause, &QAction::toggled, this, [this](bool paused) {
        m_pause->setText(paused ? tr("Resume") : tr("Pause"));
        m_pause->setIcon(QIcon::fromTheme(paused ? QStringLiteral("media-playback-start")
                                                 : QStringLiteral("media-playback-pause")));
        if (!paused)
            scheduleRender(); // catches up with what came meanwhile
    });
    // Asks where, in a file named after the subject, then writes and says how it went.
    auto exportTo = [this](const QString &title, const QString &suffix, const QString &filter,
                           bool (ChartsPane::*write)(const QString &), const QString &saved) {
        QString name = m_subject;
        const QString file = QFileDialog::getSaveFileName(
            this, title, name.replace(QLatin1Char('/'), QLatin1Char('-')) + suffix, filter);
        if (file.isEmpty())
            return;
        emit message((this->*write)(file) ? saved.arg(file)
                                          : tr("Could not write \"%1\"").arg(file));
    };
    connect(png, &QAction::triggered, this, [exportTo] {
        exportTo(tr("Export PNG"), QStringLiteral(".png"), tr("PNG images (*.png)"),
                 &ChartsPane::exportPng, tr("Charts saved to %1"));
    });
    connect(csv, &QAction::triggered, this, [exportTo] {
        exportTo(tr("Export CSV"), QStringLiteral(".csv"), tr("CSV files (*.csv)"),
                 &ChartsPane::exportCsv, tr("Points saved to %1"));
    });

    // The store takes the live points and events in; the pane redraws once per batch.
    connect(bridge, &models::BackendBridge::metricsArrived, m_store,
            [this](const std::vector<api::MetricBatch> &batches) {
                m_store->addBatches(batches, nowMs());
            });
    connect(bridge, &models::BackendBridge::eventsArrived, m_store,
            &models::MetricSeriesStore::addEvents);
    connect(m_store, &models::MetricSeriesStore::pointsChanged, this, &ChartsPane::onPointsChanged);
    connect(m_store, &models::MetricSeriesStore::markersChanged, this, &ChartsPane::scheduleRender);
    connect(bridge, &models::BackendBridge::snapshotApplied, this, &ChartsPane::checkPresence);
    for (QAbstractItemModel *m : {static_cast<QAbstractItemModel *>(bridge->workers()),
                                  static_cast<QAbstractItemModel *>(bridge->pools())}) {
        // Queued: the model looks rows up by key only once its whole batch is in.
        connect(m, &QAbstractItemModel::rowsRemoved, this, &ChartsPane::checkPresence,
                Qt::QueuedConnection);
        connect(m, &QAbstractItemModel::rowsInserted, this, &ChartsPane::checkPresence,
                Qt::QueuedConnection);
        connect(m, &QAbstractItemModel::modelReset, this, &ChartsPane::checkPresence,
                Qt::QueuedConnection);
    }
    // The time axis moves on when a subject sends nothing (a stopped worker).
    m_tick->setInterval(1000);
    connect(m_tick, &QTimer::timeout, this, [this] {
        if (!isPaused() && nowMs() - m_renderedAtMs > 1500)
            scheduleRender();
    });
    m_tick->start();

    showMaster();
}

ChartsPane::~ChartsPane()
{
    if (m_bridge)
        m_bridge->followMetrics(m_metricsKey, {});
}

void ChartsPane::showWorker(const QString &id)
{
    showWorkers({id});
}

void ChartsPane::showWorkers(const QStringList &ids)
{
    QStringList unique;
    for (const QString &id : ids) {
        if (!unique.contains(id))
            unique.append(id);
    }
    if (unique.isEmpty()) {
        showMaster();
        return;
    }
    m_selected = int(unique.size());
    setSubject(Kind::Worker, unique.mid(0, kMaxWorkers));
}

void ChartsPane::showPool(const QString &name)
{
    setSubject(Kind::Pool, {name});
}

void ChartsPane::showMaster()
{
    setSubject(Kind::Master, {});
}

void ChartsPane::addWorkerLines(const QStringList &ids, std::vector<std::string> &follow)
{
    // One worker: a line per value, labelled by what it is, its probes on one chart. Several:
    // a line per worker on each chart, in the worker's colour, and a chart per probe role
    // (solid lines only: dashed ones cost ten times as much to draw).
    const bool several = ids.size() > 1;
    const int cpu = addPanel(tr("CPU %"), true, false);
    const int rss = addPanel(tr("RSS MiB"), false, false);
    const QString roleLabels[] = {tr("Startup probe"), tr("Liveness probe"), tr("Readiness probe")};
    const QString roleTitles[] = {tr("Startup ms"), tr("Liveness ms"), tr("Readiness ms")};
    int latency[std::size(kProbeRoles)];
    for (std::size_t r = 0; r < std::size(kProbeRoles); ++r)
        latency[r] = several || r == 0
                         ? addPanel(several ? roleTitles[r] : tr("Latency ms"), true, false)
                         : latency[0];
    for (int k = 0; k < int(ids.size()); ++k) {
        const QString &id = ids[k];
        const QString prefix = QStringLiteral("worker/") + id + QLatin1Char('/');
        const std::size_t first = m_lines.size();
        addLine(cpu, prefix + QStringLiteral("cpu_percent"), several ? id : tr("CPU"));
        addLine(rss, prefix + QStringLiteral("rss_bytes"), several ? id : tr("RSS"), 1 / kMiB);
        for (std::size_t r = 0; r < std::size(kProbeRoles); ++r) {
            addLine(latency[r],
                    prefix +
                        QStringLiteral("probe/%1/latency_ms").arg(QLatin1String(kProbeRoles[r])),
                    several ? id : roleLabels[r], 1, false, true);
        }
        for (std::size_t i = first; several && i < m_lines.size(); ++i)
            m_lines[i].color = workerColor(k);
        // Every probe the worker has, by prefix.
        for (const char *s : {"cpu_percent", "rss_bytes", "probe/"})
            follow.push_back(QString(prefix + QLatin1String(s)).toStdString());
    }
    // Several workers: one key above the charts instead of a legend in each, so that the
    // plots keep the same width and their times line up.
    if (several) {
        for (Panel &p : m_panels)
            p.legend = false;
        QStringList key;
        auto swatch = [](const QColor &c, const QString &glyph, const QString &text) {
            return QStringLiteral("<span style=\"color:%1\">%2</span>&nbsp;%3")
                .arg(c.name(), glyph, text.toHtmlEscaped());
        };
        for (int k = 0; k < int(ids.size()); ++k)
            key << swatch(workerColor(k), QStringLiteral("&#9632;"), ids[k]);
        key << swatch(kExitColor, QStringLiteral("&#9679;"), tr("exit"))
            << swatch(kRestartColor, QStringLiteral("&#9679;"), tr("restart"));
        m_key->setText(key.join(QStringLiteral(" &nbsp; ")));
    }
    m_key->setVisible(several);
}

void ChartsPane::setSubject(Kind kind, const QStringList &names)
{
    m_kind = kind;
    m_names = names;
    const QString name = names.value(0);
    for (Panel &p : m_panels)
        delete p.view; // its chart, axes and series with it
    m_panels.clear();
    m_lines.clear();
    m_lineIndex.clear();
    m_exits = nullptr;
    m_restarts = nullptr;
    m_scales = nullptr;
    m_rollouts = nullptr;
    m_jobRuns.reset();
    m_shownMarkers.clear();
    m_missing = false;
    m_key->hide();

    std::vector<std::string> follow;
    switch (kind) {
    case Kind::Worker: {
        if (names.size() == 1) {
            m_subject = QStringLiteral("worker/") + name;
            m_title->setText(tr("Worker %1").arg(name));
            m_title->setToolTip({});
        } else {
            m_subject = QStringLiteral("workers/") + names.join(QLatin1Char(','));
            QString title = names.size() <= 4
                                ? tr("Workers %1").arg(names.join(QStringLiteral(", ")))
                                : tr("%n workers: %1, …", nullptr, int(names.size()))
                                      .arg(names.mid(0, 3).join(QStringLiteral(", ")));
            if (m_selected > names.size())
                title += QLatin1Char(' ') +
                         tr("(the first %1 of %2 selected)").arg(names.size()).arg(m_selected);
            m_title->setText(title);
            m_title->setToolTip(names.join(QLatin1Char('\n')));
        }
        addWorkerLines(names, follow);
        break;
    }
    case Kind::Pool: {
        m_subject = QStringLiteral("pool/") + name;
        m_title->setText(tr("Pool %1").arg(name));
        m_title->setToolTip({});
        const QString prefix = m_subject + QLatin1Char('/');
        const int counts = addPanel(tr("Workers"), true, true);
        addLine(counts, prefix + QStringLiteral("workers"), tr("Workers"));
        addLine(counts, prefix + QStringLiteral("running"), tr("Running"));
        addLine(counts, prefix + QStringLiteral("ready"), tr("Ready"));
        addLine(addPanel(tr("Restarts"), true, true), prefix + QStringLiteral("restarts"),
                tr("Restarts (total)"), 1, true);
        // The door's series (a pool with a gateway, or that lent workers): shown once they
        // have points, so a pool without them gets no empty charts.
        const QString door = prefix + QStringLiteral("gateway/");
        const int rate = addPanel(tr("Requests/s"), true, false);
        addLine(rate, door + QStringLiteral("rps"), tr("Requests/s"), 1, false, true);
        addLine(rate, door + QStringLiteral("errors_per_s"), tr("Errors/s (5xx, 429)"), 1, false,
                true);
        const int load = addPanel(tr("Requests"), true, true);
        addLine(load, door + QStringLiteral("inflight"), tr("In flight"), 1, false, true);
        addLine(load, door + QStringLiteral("queued"), tr("Queued"), 1, false, true);
        const int latency = addPanel(tr("Latency ms"), true, false);
        addLine(latency, door + QStringLiteral("latency_p50_ms"), tr("Latency p50"), 1, false,
                true);
        addLine(latency, door + QStringLiteral("latency_p99_ms"), tr("Latency p99"), 1, false,
                true);
        addLine(latency, door + QStringLiteral("queue_wait_p99_ms"), tr("Queue wait p99"), 1, false,
                true);
        break;
    }
    case Kind::Master:
        m_subject = QStringLiteral("master");
        m_title->setText(tr("Master"));
        m_title->setToolTip({});
        addLine(addPanel(tr("CPU %"), true, false), QStringLiteral("master/cpu_percent"),
                tr("CPU"));
        addLine(addPanel(tr("RSS MiB"), false, false), QStringLiteral("master/rss_bytes"),
                tr("RSS"), 1 / kMiB);
        addLine(addPanel(tr("Workers"), true, true), QStringLiteral("master/workers"),
                tr("Workers"));
        // Only a master that serves clients records them (an embedded one has no server).
        addLine(addPanel(tr("Clients"), true, true), QStringLiteral("master/clients"),
                tr("Connected clients"), 1, false, true);
        break;
    }
    QStringList series;
    for (const Line &line : m_lines)
        series.append(line.name);
    m_store->setSeries(series);
    // The subject's workers' exits and restarts (none for the master).
    if (kind == Kind::Master)
        m_store->setMarkerFilter({});
    else
        m_store->setMarkerFilter([this](const api::Event &e) { return concerns(e); });
    if (follow.empty()) {
        for (const QString &name : series)
            follow.push_back(name.toStdString());
    }

    // Lines of one chart that show the same value (workers = running = ready) would hide
    // each other: the earlier ones are drawn wider, below the later ones.
    for (std::size_t i = 0; i < m_lines.size(); ++i) {
        const auto later =
            std::count_if(m_lines.begin() + std::ptrdiff_t(i) + 1, m_lines.end(),
                          [&](const Line &l) { return l.panel == m_lines[i].panel; });
        // Several workers' lines are told apart by colour, not width.
        m_lines[i].width = m_lines[i].color.isValid() ? 1.5 : 1.5 + 0.75 * double(later);
        if (!m_lines[i].lazy)
            attach(m_lines[i]);
    }
    // Exits and restarts on the first chart, over its lines; an exit over the restart that
    // follows it at once.
    if (kind != Kind::Master) {
        Panel &first = m_panels.front();
        m_exits = new QScatterSeries(first.chart);
        m_exits->setName(tr("Exits"));
        m_restarts = new QScatterSeries(first.chart);
        m_restarts->setName(tr("Restarts"));
        m_exits->setMarkerShape(QScatterSeries::MarkerShapeCircle);
        m_restarts->setMarkerShape(QScatterSeries::MarkerShapeCircle);
        std::vector<QScatterSeries *> markers{m_restarts, m_exits};
        if (kind == Kind::Pool) {
            // The pool's size changes, on its workers line: a triangle.
            m_scales = new QScatterSeries(first.chart);
            m_scales->setName(tr("Scaled"));
            m_scales->setMarkerShape(QScatterSeries::MarkerShapeTriangle);
            markers.push_back(m_scales);
            // Its rollouts' turns: a diamond.
            m_rollouts = new QScatterSeries(first.chart);
            m_rollouts->setName(tr("Rollout"));
            m_rollouts->setMarkerShape(QScatterSeries::MarkerShapeRotatedRectangle);
            markers.push_back(m_rollouts);
            // A job's runs where they ended: a square in the outcome's colour.
            m_jobRuns = std::make_unique<JobMarkers>(first.chart);
            markers.insert(markers.end(), m_jobRuns->series().begin(), m_jobRuns->series().end());
        }
        for (QScatterSeries *s : markers) {
            if (s == m_exits || s == m_restarts || s == m_scales || s == m_rollouts)
                s->setMarkerSize(s == m_scales || s == m_rollouts ? 11 : 9);
            first.chart->addSeries(s);
            s->attachAxis(first.x);
            s->attachAxis(first.y);
            connect(s, &QScatterSeries::hovered, this, &ChartsPane::markerHovered);
        }
    }

    applyTheme();
    m_stack->setCurrentWidget(m_area);
    if (m_bridge)
        m_bridge->followMetrics(m_metricsKey, std::move(follow));
    reload();
    checkPresence();
}

int ChartsPane::addPanel(const QString &yTitle, bool fromZero, bool whole)
{
    Panel p;
    p.fromZero = fromZero;
    p.whole = whole;
    p.chart = new QChart;
    p.chart->setMargins(QMargins(2, 2, 18, 2)); // room for "now" under the right edge
    p.chart->layout()->setContentsMargins(0, 0, 0, 0);
    p.chart->setBackgroundRoundness(0);
    p.chart->legend()->setAlignment(Qt::AlignBottom);
    // Time relative to now ("-4 min" ... "now"), in seconds: the axis stays put while the
    // lines move, so it is laid out only when the window changes, not every second.
    p.x = new QCategoryAxis(p.chart);
    p.x->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    p.x->setTruncateLabels(false);
    setTimeLabels(p);
    p.chart->addAxis(p.x, Qt::AlignBottom);
    p.y = new QValueAxis(p.chart);
    p.y->setTitleText(yTitle);
    p.y->setLabelFormat(whole ? QStringLiteral("%.0f") : QStringLiteral("%.4g"));
    p.y->setTruncateLabels(false); // else a range change can leave "..." for a label
    p.chart->addAxis(p.y, Qt::AlignLeft);
    p.view = new QChartView(p.chart, m_area); // takes the chart
    p.view->setRenderHint(QPainter::Antialiasing);
    p.view->setMinimumHeight(120);
    p.view->hide(); // until a line is attached: a chart without one takes no room
    m_areaLayout->addWidget(p.view, 1);
    m_panels.push_back(p);
    return int(m_panels.size()) - 1;
}

void ChartsPane::addLine(int panel, const QString &name, const QString &label, double scale,
                         bool stepped, bool lazy)
{
    Line line;
    line.name = name;
    line.label = label;
    line.panel = panel;
    line.scale = scale;
    line.stepped = stepped;
    line.lazy = lazy;
    m_lineIndex.insert(name, int(m_lines.size()));
    m_lines.push_back(std::move(line));
}

void ChartsPane::attach(Line &line)
{
    if (line.series)
        return;
    Panel &p = m_panels[std::size_t(line.panel)];
    line.series = new QLineSeries(p.chart);
    line.series->setName(line.label);
    p.chart->addSeries(line.series);
    line.series->attachAxis(p.x);
    line.series->attachAxis(p.y);
    setPen(line);
    p.view->show();
    // Which line is which, and its value, when the pointer rests on it.
    const QString label = line.label;
    connect(line.series, &QLineSeries::hovered, this,
            [this, label](const QPointF &point, bool state) {
                if (!state) {
                    QToolTip::hideText();
                    return;
                }
                QToolTip::showText(QCursor::pos(),
                                   tr("%1: %2 (%3 s ago)")
                                       .arg(label)
                                       .arg(point.y(), 0, 'g', 4)
                                       .arg(qRound(-point.x())),
                                   this);
            });
}

void ChartsPane::setPen(const Line &line)
{
    QPen pen = line.series->pen();
    pen.setWidthF(line.width);
    if (line.color.isValid())
        pen.setColor(line.color);
    line.series->setPen(pen);
}

std::int64_t ChartsPane::windowMs() const
{
    return std::int64_t(window()) * 1000;
}

int ChartsPane::window() const
{
    return m_window->currentData().toInt();
}

void ChartsPane::setWindow(int seconds)
{
    const int index = m_window->findData(seconds);
    if (index >= 0)
        m_window->setCurrentIndex(index);
}

bool ChartsPane::isPaused() const
{
    return m_pause->isChecked();
}

void ChartsPane::setPaused(bool paused)
{
    m_pause->setChecked(paused);
}

void ChartsPane::reload()
{
    m_store->setWindowMs(windowMs());
    // What is shown stays until the next redraw (not while paused).
    const quint64 generation = m_store->beginLoad();
    scheduleRender();
    if (!m_bridge)
        return;
    const std::int64_t to = nowMs();
    const std::int64_t from = to - windowMs();
    QPointer<models::MetricSeriesStore> store(m_store);
    for (const Line &line : m_lines) {
        const QString name = line.name;
        m_bridge->request(api::opName(api::Op::MetricsQuery),
                          {{"series", name.toStdString()},
                           {"from", from},
                           {"to", to},
                           {"max_points", kHistoryPoints}},
                          [store, generation, name](const api::Reply &r) {
                              if (store && r.ok())
                                  store->mergeHistory(generation, name,
                                                      models::MetricSeriesStore::historyPoints(*r),
                                                      nowMs());
                          });
    }

    // Past events, once per subject (and window): the markers inside the window.
    if (m_kind == Kind::Master)
        return;
    nlohmann::json args = {{"limit", 500}};
    if (m_kind == Kind::Worker && m_names.size() == 1)
        args["subject"] = m_names.front().toStdString();
    else
        args["limit"] = 5000; // several workers, a pool's workers: filtered here
    m_bridge->request(
        api::opName(api::Op::EventsQuery), args, [store, generation](const api::Reply &r) {
            if (!store || !store->isCurrent(generation) || !r.ok())
                return;
            std::vector<api::Event> events;
            for (const nlohmann::json &e : r->value("events", nlohmann::json::array())) {
                if (auto event = api::eventFromJson(e); event.ok())
                    events.push_back(std::move(*event));
            }
            store->addEvents(events);
        });
}

void ChartsPane::onPointsChanged(const QStringList &series)
{
    for (const QString &name : series) {
        const int i = m_lineIndex.value(name, -1);
        if (i >= 0 && m_lines[std::size_t(i)].lazy && m_store->pointCount(name) > 0)
            attach(m_lines[std::size_t(i)]);
    }
    scheduleRender();
}

bool ChartsPane::concerns(const api::Event &event) const
{
    if (event.kind == "pool.scaled" || event.kind.rfind("rollout.", 0) == 0 ||
        event.kind.rfind("job.", 0) == 0) // a pool's own
        return m_kind == Kind::Pool && QString::fromStdString(event.subject) == m_names.value(0);
    if (m_kind == Kind::Worker)
        return m_names.contains(QString::fromStdString(event.subject));
    if (m_kind == Kind::Pool && m_bridge) {
        // Worker ids need not start with the pool's name: ask the workers model. A job's runs
        // are marked by how they ended, not by their workers' exits.
        const models::WorkersModel *workers = m_bridge->workers();
        const api::WorkerInfo *w = workers->at(workers->rowOf(event.subject));
        return w && QString::fromStdString(w->pool) == m_names.value(0) &&
               !m_bridge->jobs()->job(w->pool);
    }
    return false;
}

void ChartsPane::markerHovered(const QPointF &point, bool state)
{
    if (!state) {
        QToolTip::hideText();
        return;
    }
    const models::SeriesMarker *best = nullptr;
    const double at = double(m_renderedAtMs) + point.x() * 1000.0;
    for (const models::SeriesMarker &m : m_shownMarkers) {
        if (!best || std::abs(double(m.timeMs) - at) < std::abs(double(best->timeMs) - at))
            best = &m;
    }
    if (best)
        QToolTip::showText(
            QCursor::pos(),
            QDateTime::fromMSecsSinceEpoch(best->timeMs).toString(QStringLiteral("hh:mm:ss")) +
                QStringLiteral("  ") + best->message,
            this);
}

void ChartsPane::scheduleRender()
{
    if (m_renderPending || isPaused())
        return;
    m_renderPending = true;
    QTimer::singleShot(0, this, [this] {
        m_renderPending = false;
        if (!isPaused())
            render();
    });
}

void ChartsPane::render()
{
    // Behind another tab: nothing to draw; showEvent() catches up (points are still kept).
    if (!isVisible()) {
        m_renderWhenShown = true;
        return;
    }
    m_renderWhenShown = false;
    const std::int64_t now = nowMs();
    m_renderedAtMs = now;
    const std::int64_t from = now - windowMs();
    std::vector<std::vector<const Line *>> byPanel(m_panels.size());
    m_store->trim(now);
    for (Line &line : m_lines) {
        line.shown = m_store->points(line.name); // shared, not copied
        if (!line.series)
            continue;
        byPanel[std::size_t(line.panel)].push_back(&line);
        QList<QPointF> points;
        points.reserve(line.shown.size() * (line.stepped ? 2 : 1));
        for (const QPointF &p : line.shown) {
            const double x = (p.x() - double(now)) / 1000.0; // seconds before now
            if (line.stepped && !points.isEmpty())
                points.append(QPointF(x, points.back().y()));
            points.append(QPointF(x, p.y() * line.scale));
        }
        line.series->replace(points); // one repaint per line, not one per point
    }
    for (std::size_t i = 0; i < m_panels.size(); ++i) {
        Panel &p = m_panels[i];
        if (p.x->min() != -double(windowMs()) / 1000.0)
            setTimeLabels(p);
        fitY(p, byPanel[i]);
        // A chart with no line (a worker without probes) takes no room.
        p.view->setVisible(!byPanel[i].empty());
    }

    // The markers inside the window, on the first chart: on the worker's own line, or (a pool)
    // the first line.
    if (!m_exits)
        return;
    m_shownMarkers.clear();
    QList<QPointF> exits;
    QList<QPointF> restarts;
    QList<QPointF> scales;
    QList<QPointF> rollouts;
    QList<std::pair<QString, QPointF>> jobRuns;
    const Line *first = byPanel.empty() || byPanel[0].empty() ? nullptr : byPanel[0].front();
    for (const models::SeriesMarker &m : m_store->markers()) {
        if (m.timeMs < from || m.timeMs > now)
            continue;
        const Line *base = first;
        if (m_kind == Kind::Worker) {
            const Line *own = findLine(QStringLiteral("worker/%1/cpu_percent").arg(m.worker));
            base = own && own->series ? own : nullptr;
        }
        // On the line's nearest point; at the bottom when there is none.
        const std::optional<QPointF> at =
            base ? models::MetricSeriesStore::nearest(base->shown, double(m.timeMs)) : std::nullopt;
        const double y = at ? at->y() * base->scale : m_panels[0].y->min();
        m_shownMarkers.push_back(m);
        if (m.kind == models::MarkerKind::JobRun) {
            jobRuns.append({m.outcome, QPointF(double(m.timeMs - now) / 1000.0, y)});
            continue;
        }
        (m.kind == models::MarkerKind::Scaled    ? scales
         : m.kind == models::MarkerKind::Rollout ? rollouts
         : models::isExit(m.kind)                ? exits
                                                 : restarts)
            .append(QPointF(double(m.timeMs - now) / 1000.0, y));
    }
    m_exits->replace(exits);
    m_restarts->replace(restarts);
    if (m_scales)
        m_scales->replace(scales);
    if (m_rollouts)
        m_rollouts->replace(rollouts);
    std::vector<QScatterSeries *> all{m_exits, m_restarts, m_scales, m_rollouts};
    if (m_jobRuns) {
        m_jobRuns->replace(jobRuns);
        all.insert(all.end(), m_jobRuns->series().begin(), m_jobRuns->series().end());
    }
    QLegend *legend = m_panels[0].chart->legend();
    bool shown = false;
    for (QScatterSeries *s : all) {
        if (!s)
            continue;
        for (QLegendMarker *marker : legend->markers(s)) {
            shown |= !marker->isVisible() && s->count() > 0;
            marker->setVisible(s->count() > 0);
        }
    }
    if (shown) // the legend does not lay itself out again for a marker that was hidden
        legend->layout()->invalidate();
}

void ChartsPane::setTimeLabels(Panel &panel) const
{
    // Five steps across the window, labelled in minutes (seconds for the 1-minute window).
    const int window = int(windowMs() / 1000);
    for (const QString &label : panel.x->categoriesLabels())
        panel.x->remove(label);
    panel.x->setStartValue(-window - 0.001); // the first label sits on the window's start
    for (int k = 0; k <= 5; ++k) {
        const int at = -window + k * window / 5;
        const QString label = at == 0        ? tr("now")
                              : window <= 60 ? tr("%1 s").arg(at)
                              : at % 60 == 0 ? tr("%1 min").arg(at / 60)
                                             : tr("%1 min").arg(double(at) / 60.0, 0, 'f', 1);
        panel.x->append(label, at);
    }
    panel.x->setRange(-window, 0);
}

void ChartsPane::fitY(Panel &panel, const std::vector<const Line *> &lines)
{
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (const Line *line : lines) {
        for (const QPointF &p : line->shown) {
            lo = std::min(lo, p.y() * line->scale);
            hi = std::max(hi, p.y() * line->scale);
        }
    }
    if (lo > hi) { // no points
        lo = 0;
        hi = 1;
    }
    if (panel.fromZero)
        lo = std::min(lo, 0.0);
    double step = 1;
    if (panel.whole) {
        lo = std::floor(lo);
        hi = std::max(std::ceil(hi) + 1, lo + 1); // the top line below the frame
        step = wholeStep(hi - lo);
        hi = lo + std::ceil((hi - lo) / step) * step;
    } else {
        // Some room above (and below, when not from zero); never a range of zero height.
        const double pad = std::max({(hi - lo) * 0.1, std::abs(hi) * 0.05, 0.5});
        hi += pad;
        if (!panel.fromZero)
            lo = std::max(0.0, lo - pad);
        // Rounded to a 1-2-5 step here (applyNiceNumbers() after setRange() laid the axis out
        // twice per redraw, the most of the pane's cost).
        step = std::pow(10.0, std::floor(std::log10((hi - lo) / 4)));
        for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
            if ((hi - lo) / (step * m) <= 5) {
                step *= m;
                break;
            }
        }
        lo = std::floor(lo / step) * step;
        hi = std::ceil(hi / step) * step;
    }
    // The axis touched only when something changes: each change lays it and its labels out
    // again.
    if (panel.y->tickType() != QValueAxis::TicksDynamic || panel.y->tickInterval() != step ||
        panel.y->tickAnchor() != 0) {
        panel.y->setTickType(QValueAxis::TicksDynamic);
        panel.y->setTickAnchor(0);
        panel.y->setTickInterval(step);
    }
    if (panel.y->min() != lo || panel.y->max() != hi)
        panel.y->setRange(lo, hi);
}

void ChartsPane::checkPresence()
{
    if (!m_bridge || !m_bridge->hasSnapshot() || m_kind == Kind::Master)
        return;
    // Present while any of its workers is: the others' lines just end.
    const bool present =
        m_kind == Kind::Worker
            ? std::any_of(m_names.begin(), m_names.end(),
                          [&](const QString &id) {
                              return m_bridge->workers()->rowOf(id.toStdString()) >= 0;
                          })
            : m_bridge->pools()->rowOf(m_names.value(0).toStdString()) >= 0;
    if (present == !m_missing)
        return;
    if (present) { // back again: its charts anew
        setSubject(m_kind, m_names);
        return;
    }
    m_missing = true;
    const QString name = m_names.value(0);
    m_empty->setText(
        m_kind == Kind::Pool  ? tr("No data for pool %1: it no longer exists.").arg(name)
        : m_names.size() == 1 ? tr("No data for worker %1: it no longer exists.").arg(name)
                              : tr("No data for these workers: none of them exists any more."));
    m_stack->setCurrentWidget(m_empty);
}

QString ChartsPane::emptyText() const
{
    return m_stack->currentWidget() == m_empty ? m_empty->text() : QString();
}

void ChartsPane::applyTheme()
{
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    for (Panel &p : m_panels) {
        p.chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
        // The theme sets these back.
        p.chart->setBackgroundRoundness(0);
        p.chart->legend()->setAlignment(Qt::AlignBottom);
        p.chart->legend()->setVisible(p.legend);
    }
    for (const Line &line : m_lines) {
        if (line.series)
            setPen(line);
    }
    if (m_exits) {
        m_exits->setColor(kExitColor);
        m_exits->setBorderColor(kExitColor.darker(130));
        m_restarts->setColor(kRestartColor);
        m_restarts->setBorderColor(kRestartColor.darker(130));
    }
    if (m_scales) {
        m_scales->setColor(kScaleColor);
        m_scales->setBorderColor(kScaleColor.darker(130));
    }
    if (m_rollouts) {
        m_rollouts->setColor(kRolloutColor);
        m_rollouts->setBorderColor(kRolloutColor.darker(130));
    }
    if (m_jobRuns)
        m_jobRuns->applyColors();
}

void ChartsPane::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_renderWhenShown && !isPaused())
        render();
}

void ChartsPane::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        applyTheme();
    QWidget::changeEvent(event);
}

const ChartsPane::Line *ChartsPane::findLine(const QString &name) const
{
    const int i = m_lineIndex.value(name, -1);
    return i < 0 ? nullptr : &m_lines[std::size_t(i)];
}

QStringList ChartsPane::seriesNames() const
{
    QStringList names;
    for (const Line &line : m_lines) {
        if (line.series)
            names.append(line.name);
    }
    return names;
}

int ChartsPane::pointCount(const QString &series) const
{
    const Line *line = findLine(series);
    return line ? int(line->shown.size()) : 0;
}

int ChartsPane::bufferedCount(const QString &series) const
{
    return m_store->pointCount(series);
}

int ChartsPane::historyLoads() const
{
    return m_store->historyMerges();
}

QList<QPointF> ChartsPane::points(const QString &series) const
{
    const Line *line = findLine(series);
    return line ? line->shown : QList<QPointF>();
}

QColor ChartsPane::lineColor(const QString &series) const
{
    const Line *line = findLine(series);
    return line && line->series ? line->series->pen().color() : QColor();
}

int ChartsPane::markerCount() const
{
    return m_exits ? m_exits->count() + m_restarts->count() : 0;
}

int ChartsPane::scaleMarkerCount() const
{
    return m_scales ? m_scales->count() : 0;
}

int ChartsPane::rolloutMarkerCount() const
{
    return m_rollouts ? m_rollouts->count() : 0;
}

int ChartsPane::jobRunMarkerCount() const
{
    return m_jobRuns ? m_jobRuns->count() : 0;
}

bool ChartsPane::exportPng(const QString &file)
{
    const QPixmap image = m_stack->grab();
    return !image.isNull() && image.save(file, "PNG");
}

bool ChartsPane::exportCsv(const QString &file)
{
    std::vector<const Line *> lines;
    for (const Line &line : m_lines) {
        if (line.series)
            lines.push_back(&line);
    }
    // One row per time, one column per series; a series without a point then is empty.
    std::map<std::int64_t, std::vector<QString>> rows;
    for (std::size_t c = 0; c < lines.size(); ++c) {
        for (const QPointF &p : lines[c]->shown) {
            std::vector<QString> &row = rows[std::int64_t(p.x())];
            row.resize(lines.size());
            row[c] = QString::number(p.y(), 'g', 15);
        }
    }
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
        return false;
    QTextStream text(&out);
    text << "time";
    for (const Line *line : lines)
        text << ',' << csvField(line->name);
    text << '\n';
    for (auto &[t, values] : rows) {
        values.resize(lines.size());
        text << QDateTime::fromMSecsSinceEpoch(t, Qt::UTC).toString(Qt::ISODateWithMs);
        for (const QString &v : values)
            text << ',' << v;
        text << '\n';
    }
    text.flush();
    return text.status() == QTextStream::Ok && out.commit();
}

} // namespace drover::ui
