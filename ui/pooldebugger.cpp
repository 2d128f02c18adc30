#include "ui/pooldebugger.h"

#include "models/backendbridge.h"
#include "models/pooltraffic.h"
#include "ui/pooltiles.h"
#include "ui/tableview.h"
#include "ui/traffictimeline.h"

#include <QComboBox>
#include <QDateTime>
#include <QElapsedTimer>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace drover::ui {

namespace {

QString ms(double value)
{
    if (value >= 1000)
        return PoolDebugger::tr("%1 s").arg(QLocale().toString(value / 1000.0, 'f', 2));
    return PoolDebugger::tr("%1 ms").arg(QLocale().toString(value, 'f', value < 10 ? 1 : 0));
}

QString count(qint64 n)
{
    return QLocale().toString(n);
}

/// "in 12 s", "in 2 min 5 s", or "expired" for a lease's end.
QString expiresIn(qint64 ms)
{
    if (ms <= 0)
        return PoolDebugger::tr("expired");
    const qint64 s = (ms + 999) / 1000;
    if (s < 60)
        return PoolDebugger::tr("in %1 s").arg(s);
    if (s < 3600)
        return PoolDebugger::tr("in %1 min %2 s").arg(s / 60).arg(s % 60);
    return PoolDebugger::tr("in %1 h %2 min").arg(s / 3600).arg(s % 3600 / 60);
}

} // namespace

PoolDebugger::PoolDebugger(models::BackendBridge *bridge, PoolTiles *tiles, QWidget *parent)
    : QWidget(parent)
    , m_bridge(bridge)
    , m_poller(new models::PoolTrafficPoller(bridge, this))
    , m_decisions(new models::DecisionsModel(this))
    , m_sorted(new QSortFilterProxyModel(this))
    , m_tiles(tiles)
    , m_title(new QLabel(this))
    , m_explain(new QLabel(this))
    , m_summary(new QWidget(this))
    , m_queue(new QProgressBar(m_summary))
    , m_figures(new QGridLayout)
    , m_split(new QSplitter(Qt::Vertical, this))
    , m_tabs(new QTabWidget(this))
    , m_axis(new QComboBox(this))
    , m_timeline(new TrafficTimeline(m_decisions, this))
    , m_selection(new QLabel(this))
    , m_table(new QTableView(this))
    , m_scale(new ScaleTimeline(this))
    , m_scaleList(new QTreeWidget(this))
    , m_leases(new QTreeWidget(this))
{
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_explain->setWordWrap(true);
    m_explain->setTextFormat(Qt::RichText);
    m_explain->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_explain->setContentsMargins(10, 4, 10, 4);
    m_explain->setEnabled(false); // greyed out, as the other panes' empty states

    // The door: the queue gauge, then the figures in two rows.
    m_queue->setTextVisible(true);
    m_queue->setMinimumWidth(120);
    m_queue->setToolTip(tr("Requests and leases waiting for a free worker, out of the "
                           "queue's bound (gateway.queue.max); beyond it they get a 503"));
    auto *queueBox = new QVBoxLayout;
    auto *queueCaption = new QLabel(tr("Queue"), m_summary);
    queueCaption->setEnabled(false);
    queueBox->addWidget(queueCaption);
    queueBox->addWidget(m_queue);
    queueBox->addStretch(1);
    addFigure(QStringLiteral("rps"), tr("Requests/s"),
              tr("Requests and leases finished per second, over the last update"));
    addFigure(QStringLiteral("latency"), tr("Latency p50 / p99"),
              tr("Arrival to the response's header, over the last 2048 requests"));
    addFigure(QStringLiteral("queue_wait"), tr("Queue wait p50 / p99"),
              tr("Time waited for a free worker, over the last 2048 requests"));
    addFigure(QStringLiteral("inflight"), tr("In flight"),
              tr("Requests and leases held by the pool's workers now"));
    addFigure(QStringLiteral("responses"), tr("2xx · 4xx · 5xx"),
              tr("Responses by class since the gateway opened"));
    addFigure(QStringLiteral("rejected"), tr("429 · 503 · 504"),
              tr("Rate-limited, rejected (queue full or no worker in time) and timed out"));
    addFigure(QStringLiteral("retries"), tr("Retries"),
              tr("Requests sent to another worker after the first failed"));
    addFigure(QStringLiteral("cold_starts"), tr("Cold starts"),
              tr("Requests that waited for a worker to start from zero; the last one's wait"));
    addFigure(QStringLiteral("ejections"), tr("Ejections"),
              tr("Times a worker's circuit breaker opened"));
    addFigure(QStringLiteral("tunnels"), tr("Tunnels"),
              tr("Upgraded connections (WebSocket) passed through now"));
    addFigure(QStringLiteral("leases"), tr("Leases granted · expired"),
              tr("Workers lent through pool.acquire, and leases taken back at their TTL"));
    auto *summary = new QHBoxLayout(m_summary);
    summary->setContentsMargins(10, 0, 10, 0);
    summary->addLayout(queueBox);
    summary->addSpacing(16);
    summary->addLayout(m_figures, 1);

    // The flight recorder: the timeline over the table, selected together.
    m_axis->addItem(tr("Latency"), int(TrafficTimeline::Axis::Latency));
    m_axis->addItem(tr("Queue wait"), int(TrafficTimeline::Axis::QueueWait));
    m_axis->setToolTip(tr("What the height of a mark shows"));
    QStringList legend;
    for (int c = 0; c < models::kDecisionClasses; ++c)
        legend << QStringLiteral("<span style=\"color:%1\">&#9679;</span>&nbsp;%2")
                      .arg(models::decisionColor(models::DecisionClass(c)).name(),
                           models::decisionClassText(models::DecisionClass(c)).toHtmlEscaped());
    auto *legendLabel = new QLabel(legend.join(QStringLiteral(" &nbsp; ")), this);
    legendLabel->setTextFormat(Qt::RichText);
    legendLabel->setWordWrap(true);
    auto *axisLabel = new QLabel(tr("Height:"), this);
    axisLabel->setBuddy(m_axis);
    auto *recorderBar = new QHBoxLayout;
    recorderBar->addWidget(axisLabel);
    recorderBar->addWidget(m_axis);
    recorderBar->addSpacing(12);
    recorderBar->addWidget(legendLabel, 1);
    m_timeline->setToolTip({});
    m_timeline->setMinimumHeight(140);
    m_selection->setTextFormat(Qt::RichText);
    m_selection->setWordWrap(true);
    m_selection->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_selection->setMinimumHeight(2 * m_selection->fontMetrics().height() + 4);
    m_sorted->setSourceModel(m_decisions);
    m_sorted->setSortRole(models::DecisionsModel::ValueRole);
    m_table->setModel(m_sorted);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(models::DecisionsModel::Time, Qt::DescendingOrder);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    setUpTable(m_table, {8, 9, 5, 11, 6, 7, 8, 5, 8, 7});
    auto *recorder = new QWidget(this);
    auto *recorderSplit = new QSplitter(Qt::Vertical, recorder);
    auto *top = new QWidget(recorderSplit);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addLayout(recorderBar);
    topLayout->addWidget(m_timeline, 1);
    topLayout->addWidget(m_selection);
    recorderSplit->addWidget(top);
    recorderSplit->addWidget(m_table);
    recorderSplit->setChildrenCollapsible(false);
    recorderSplit->setSizes({260, 200});
    auto *recorderLayout = new QVBoxLayout(recorder);
    recorderLayout->setContentsMargins(4, 4, 4, 4);
    recorderLayout->addWidget(recorderSplit);

    // Scale events: the pool's size over time, and the list with the reasons.
    m_scaleList->setColumnCount(3);
    m_scaleList->setHeaderLabels({tr("Time"), tr("Workers"), tr("Why")});
    m_scaleList->setRootIsDecorated(false);
    m_scaleList->setAlternatingRowColors(true);
    m_scaleList->header()->resizeSection(0, 90);
    m_scaleList->header()->resizeSection(1, 80);
    auto *scaleTab = new QWidget(this);
    auto *scaleLayout = new QVBoxLayout(scaleTab);
    scaleLayout->setContentsMargins(4, 4, 4, 4);
    scaleLayout->addWidget(m_scale);
    scaleLayout->addWidget(m_scaleList, 1);

    m_leases->setColumnCount(4);
    m_leases->setHeaderLabels({tr("Lease"), tr("Worker"), tr("Endpoint"), tr("Expires")});
    m_leases->setRootIsDecorated(false);
    m_leases->setAlternatingRowColors(true);
    m_leases->header()->resizeSection(0, 200);

    m_tabs->addTab(recorder, tr("Flight recorder"));
    m_tabs->addTab(scaleTab, tr("Scale events"));
    m_tabs->addTab(m_leases, tr("Leases"));
    m_tabs->setDocumentMode(true);

    auto *scroll = new QScrollArea(this);
    scroll->setWidget(tiles);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setBackgroundRole(QPalette::Window);
    m_split->setObjectName(QStringLiteral("PoolDebuggerSplitter"));
    m_split->addWidget(scroll);
    m_split->addWidget(m_tabs);
    m_split->setChildrenCollapsible(false);
    m_split->setStretchFactor(0, 1);
    m_split->setStretchFactor(1, 3);
    m_split->setSizes({130, 420});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    auto *titleRow = new QHBoxLayout;
    titleRow->setContentsMargins(10, 0, 10, 0);
    titleRow->addWidget(m_title, 1);
    layout->addLayout(titleRow);
    layout->addWidget(m_summary);
    layout->addWidget(m_explain);
    layout->addWidget(m_split, 1);

    connect(m_poller, &models::PoolTrafficPoller::updated, this, &PoolDebugger::onUpdated);
    connect(m_axis, &QComboBox::currentIndexChanged, this,
            [this] { m_timeline->setAxis(TrafficTimeline::Axis(m_axis->currentData().toInt())); });
    connect(m_timeline, &TrafficTimeline::selectedChanged, this, [this](int row) {
        if (m_syncing)
            return;
        m_syncing = true;
        if (row < 0) {
            m_table->clearSelection();
        } else {
            const QModelIndex at = m_sorted->mapFromSource(m_decisions->index(row, 0));
            m_table->selectionModel()->select(at, QItemSelectionModel::ClearAndSelect |
                                                      QItemSelectionModel::Rows);
            m_table->selectionModel()->setCurrentIndex(at, QItemSelectionModel::NoUpdate);
            m_table->scrollTo(at);
        }
        m_syncing = false;
        showSelection(row);
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        if (m_syncing)
            return;
        const QModelIndexList rows = m_table->selectionModel()->selectedRows();
        const int row = rows.isEmpty() ? -1 : m_sorted->mapToSource(rows.front()).row();
        m_syncing = true;
        m_timeline->setSelected(row);
        m_syncing = false;
        showSelection(row);
    });
    // Rows that leave from the top keep the selection on its decision; its text stays.
    connect(m_decisions, &QAbstractItemModel::modelReset, this, [this] { showSelection(-1); });

    setPool({});
}

void PoolDebugger::addFigure(const QString &key, const QString &caption, const QString &tip)
{
    const int index = int(m_figureLabels.size());
    const int row = index / 6 * 2;
    const int column = index % 6;
    auto *name = new QLabel(caption, m_summary);
    name->setEnabled(false);
    name->setToolTip(tip);
    auto *value = new QLabel(QStringLiteral("–"), m_summary);
    QFont bold = value->font();
    bold.setBold(true);
    value->setFont(bold);
    value->setToolTip(tip);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // They may be cut rather than widen the window (their tooltips say what they are).
    for (QLabel *label : {name, value}) {
        label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
        label->setMinimumWidth(50);
    }
    m_figures->addWidget(name, row, column);
    m_figures->addWidget(value, row + 1, column);
    m_figureLabels.insert(key, value);
}

void PoolDebugger::setFigure(const QString &key, const QString &value)
{
    if (QLabel *label = m_figureLabels.value(key); label && label->text() != value)
        label->setText(value);
}

QString PoolDebugger::figure(const QString &key) const
{
    QLabel *label = m_figureLabels.value(key);
    return label ? label->text() : QString();
}

void PoolDebugger::setPool(const QString &pool)
{
    if (pool != m_poller->pool() || pool.isEmpty()) {
        m_decisions->clear();
        m_poller->setPool(pool);
    }
    updateActive();
    onUpdated();
}

QString PoolDebugger::pool() const
{
    return m_poller->pool();
}

void PoolDebugger::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    updateActive();
}

void PoolDebugger::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    updateActive();
}

void PoolDebugger::updateActive()
{
    m_poller->setActive(isVisible() && !m_poller->pool().isEmpty());
}

QString PoolDebugger::explanation() const
{
    return m_explain->isVisibleTo(this) ? m_explain->text() : QString();
}

void PoolDebugger::onUpdated()
{
    QElapsedTimer timer;
    timer.start();
    const QString pool = m_poller->pool();
    const std::shared_ptr<const models::PoolTraffic> t = m_poller->shared();
    m_tiles->setTraffic(t);
    if (pool.isEmpty()) {
        m_title->setText(tr("All pools"));
        m_explain->setText(tr("Select a pool above to debug its traffic: its workers' requests "
                              "in flight, its queue, the last routing decisions, scale events "
                              "and leases."));
        m_summary->hide();
        m_explain->show();
        m_tabs->hide();
        return;
    }
    if (!t) {
        m_title->setText(tr("Pool %1").arg(pool));
        m_explain->setText(m_poller->error().isEmpty()
                               ? tr("Asking the master for the traffic of %1…").arg(pool)
                               : tr("The master did not give the traffic of %1: %2")
                                     .arg(pool, m_poller->error().toHtmlEscaped()));
        m_summary->hide();
        m_explain->show();
        m_tabs->hide();
        return;
    }
    const bool scales = !t->scaleEvents.empty();
    if (!t->hasDoor) {
        m_title->setText(tr("Pool %1 · no gateway").arg(pool));
        m_explain->setText(
            tr("Pool %1 has no gateway and has lent no worker, so no request passes through "
               "Drover to trace here.<br>Give it a <tt>gateway:</tt> section (docs/config.md) "
               "to route HTTP to its workers through a queue, or lend its workers to clients "
               "with <tt>pool.acquire</tt>.")
                .arg(pool.toHtmlEscaped()));
        m_summary->hide();
        m_explain->show();
        // An autoscaled pool without a gateway still scales (for leases): say when and why.
        m_tabs->setVisible(scales);
        m_tabs->setTabVisible(0, false);
        m_tabs->setTabVisible(2, false);
        m_decisions->clear();
    } else {
        m_title->setText(t->gateway.isEmpty() ? tr("Pool %1 · leases only (no gateway)").arg(pool)
                                              : tr("Pool %1 · gateway %2").arg(pool, t->gateway));
        m_explain->hide();
        m_summary->show();
        m_tabs->show();
        if (!m_tabs->isTabVisible(0)) // after a pool without a door: the recorder first
            m_tabs->setCurrentIndex(0);
        m_tabs->setTabVisible(0, true);
        m_tabs->setTabVisible(2, true);

        // The door.
        m_queue->setRange(0, std::max(1, t->queueMax));
        m_queue->setValue(std::min(t->queued, std::max(1, t->queueMax)));
        m_queue->setFormat(tr("%1 of %2 queued").arg(t->queued).arg(t->queueMax));
        setFigure(QStringLiteral("rps"),
                  t->requestsPerSecond < 0 ? QStringLiteral("–")
                                           : QLocale().toString(t->requestsPerSecond, 'f',
                                                                t->requestsPerSecond < 10 ? 1 : 0));
        setFigure(QStringLiteral("latency"),
                  QStringLiteral("%1 / %2").arg(ms(t->latencyP50), ms(t->latencyP99)));
        setFigure(QStringLiteral("queue_wait"),
                  QStringLiteral("%1 / %2").arg(ms(t->queueWaitP50), ms(t->queueWaitP99)));
        setFigure(QStringLiteral("inflight"), count(t->inflight));
        setFigure(QStringLiteral("responses"),
                  QStringLiteral("%1 · %2 · %3")
                      .arg(count(t->status2xx), count(t->status4xx), count(t->status5xx)));
        setFigure(QStringLiteral("rejected"),
                  QStringLiteral("%1 · %2 · %3")
                      .arg(count(t->status429), count(t->status503), count(t->status504)));
        setFigure(QStringLiteral("retries"), count(t->retries));
        setFigure(QStringLiteral("cold_starts"),
                  t->coldStarts > 0
                      ? tr("%1 (last %2)").arg(count(t->coldStarts), ms(t->lastColdStartMs))
                      : count(0));
        setFigure(QStringLiteral("ejections"), count(t->ejections));
        setFigure(QStringLiteral("tunnels"), count(t->tunnels));
        setFigure(QStringLiteral("leases"),
                  QStringLiteral("%1 · %2").arg(count(t->leasesGranted), count(t->leasesExpired)));

        m_decisions->merge(t->recent);
        m_timeline->setScaleEvents(t->scaleEvents);

        // Leases: rewritten whole (a few at most), the selection kept by id.
        const QString current =
            m_leases->currentItem() ? m_leases->currentItem()->text(0) : QString();
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        m_leases->setUpdatesEnabled(false);
        while (m_leases->topLevelItemCount() > int(t->leases.size()))
            delete m_leases->takeTopLevelItem(m_leases->topLevelItemCount() - 1);
        for (int i = 0; i < int(t->leases.size()); ++i) {
            const models::TrafficLease &l = t->leases[std::size_t(i)];
            QTreeWidgetItem *item = m_leases->topLevelItem(i);
            if (!item)
                item = new QTreeWidgetItem(m_leases);
            item->setText(0, l.lease);
            item->setText(1, l.worker);
            item->setText(2, l.endpoint);
            item->setText(3, expiresIn(l.expiresAtMs - now));
            item->setToolTip(3, QDateTime::fromMSecsSinceEpoch(l.expiresAtMs)
                                    .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
            if (l.lease == current)
                m_leases->setCurrentItem(item);
        }
        m_leases->setUpdatesEnabled(true);
        m_tabs->setTabText(2, t->leases.empty() ? tr("Leases")
                                                : tr("Leases (%1)").arg(t->leases.size()));
    }
    // Scale events, newest first in the list.
    m_scale->setEvents(t->scaleEvents, QDateTime::currentMSecsSinceEpoch());
    // Rewritten when one came (the master keeps the last ones: the count alone may stay).
    const QTreeWidgetItem *newest = m_scaleList->topLevelItem(0);
    if (m_scaleList->topLevelItemCount() != int(t->scaleEvents.size()) ||
        (newest && newest->data(0, Qt::UserRole).toLongLong() != t->scaleEvents.back().timeMs)) {
        m_scaleList->clear();
        for (auto it = t->scaleEvents.rbegin(); it != t->scaleEvents.rend(); ++it) {
            auto *item = new QTreeWidgetItem(m_scaleList);
            item->setData(0, Qt::UserRole, it->timeMs);
            item->setText(
                0, QDateTime::fromMSecsSinceEpoch(it->timeMs).toString(QStringLiteral("HH:mm:ss")));
            item->setText(1, QStringLiteral("%1 → %2").arg(it->from).arg(it->to));
            item->setText(2, it->why);
            item->setToolTip(2, it->why);
        }
    }
    m_tabs->setTabText(1, scales ? tr("Scale events (%1)").arg(t->scaleEvents.size())
                                 : tr("Scale events"));
    m_updateMicros = timer.nsecsElapsed() / 1000;
}

void PoolDebugger::selectDecision(int row)
{
    m_timeline->setSelected(row);
    emit m_timeline->selectedChanged(m_timeline->selected());
}

void PoolDebugger::showSelection(int row)
{
    if (row < 0 || row >= m_decisions->rowCount()) {
        m_selection->setText(
            tr("<i>Click a mark or a row, or drag across the timeline, to see why a request "
               "took as long as it did.</i>"));
        return;
    }
    const models::TrafficDecision &d = m_decisions->rows()[std::size_t(row)];
    const QString when =
        QDateTime::fromMSecsSinceEpoch(d.timeMs).toString(QStringLiteral("HH:mm:ss.zzz"));
    QString text = tr("<b>%1 %2</b> at %3 (request %4): ")
                       .arg(d.method.toHtmlEscaped(), d.target.toHtmlEscaped(), when,
                            d.requestId.toHtmlEscaped());
    if (d.worker.isEmpty())
        text += tr("no worker took it; %1 after waiting %2 in the queue.")
                    .arg(d.outcome.toHtmlEscaped(), ms(d.queueMs));
    else
        text += tr("%1 on %2 after %n attempt(s).", nullptr, d.attempts)
                    .arg(d.status ? QString::number(d.status) + QLatin1Char(' ') + d.outcome
                                  : d.outcome,
                         d.worker.toHtmlEscaped());
    text += QStringLiteral("<br>");
    if (d.outcome == QLatin1String("lease"))
        text += tr("Waited %1 for a free worker.").arg(ms(d.queueMs));
    else
        text +=
            tr("Total %1: %2 waiting in the queue, %3 with the worker.")
                .arg(ms(d.latencyMs), ms(d.queueMs), ms(std::max(0.0, d.latencyMs - d.queueMs)));
    if (!d.detail.isEmpty())
        text += QStringLiteral(" <i>") + d.detail.toHtmlEscaped() + QStringLiteral("</i>");
    m_selection->setText(text);
}

QString PoolDebugger::selectionText() const
{
    return m_timeline->selected() < 0 ? QString() : m_selection->text();
}

} // namespace drover::ui
