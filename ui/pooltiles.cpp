#include "ui/pooltiles.h"

#include "models/pooltraffic.h"
#include "models/workersmodel.h"

#include <QEvent>
#include <QHelpEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include <algorithm>
#include <climits>

namespace drover::ui {

namespace {

constexpr int kTileWidth = 150;
constexpr int kTileHeight = 66;
constexpr int kTrafficHeight = 38; ///< added to a tile that shows its traffic
constexpr int kTrafficWidth = 30;  ///< ... and its width
constexpr int kGap = 8;
constexpr int kMargin = 10;

/// The workers to draw, by pool then index (adopted processes after the pools, by name).
std::vector<const api::WorkerInfo *> ordered(const std::vector<api::WorkerInfo> &rows,
                                             const QString &pool)
{
    std::vector<const api::WorkerInfo *> out;
    const std::string only = pool.toStdString();
    for (const api::WorkerInfo &w : rows) {
        if (only.empty() || w.pool == only)
            out.push_back(&w);
    }
    std::sort(out.begin(), out.end(), [](const api::WorkerInfo *a, const api::WorkerInfo *b) {
        return std::tie(a->adopted, a->pool, a->index, a->id) <
               std::tie(b->adopted, b->pool, b->index, b->id);
    });
    return out;
}

} // namespace

PoolTiles::PoolTiles(models::WorkersModel *workers, QWidget *parent)
    : QWidget(parent)
    , m_workers(workers)
{
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent, false);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    // The bridge drains at 10 Hz: a repaint per drain at most, whatever changed.
    auto changed = [this] {
        relayout();
        update();
    };
    connect(workers, &QAbstractItemModel::dataChanged, this, changed);
    connect(workers, &QAbstractItemModel::modelReset, this, changed);
    connect(workers, &QAbstractItemModel::rowsInserted, this, changed);
    connect(workers, &QAbstractItemModel::rowsRemoved, this, changed);
    relayout();
}

void PoolTiles::setPool(const QString &pool)
{
    if (pool == m_pool)
        return;
    m_pool = pool;
    relayout();
    update();
}

void PoolTiles::setTraffic(std::shared_ptr<const models::PoolTraffic> traffic)
{
    const bool relayoutNeeded = bool(traffic) != bool(m_traffic);
    m_traffic = std::move(traffic);
    if (relayoutNeeded)
        relayout();
    update();
}

const models::TrafficWorker *PoolTiles::trafficOf(const QString &worker) const
{
    if (!m_traffic || !m_traffic->hasDoor)
        return nullptr;
    for (const models::TrafficWorker &w : m_traffic->workers) {
        if (w.worker == worker)
            return &w;
    }
    return nullptr;
}

int PoolTiles::tileHeight() const
{
    return m_traffic && m_traffic->hasDoor ? kTileHeight + kTrafficHeight : kTileHeight;
}

QSize PoolTiles::sizeHint() const
{
    return {4 * (kTileWidth + kGap) + 2 * kMargin, minimumHeight()};
}

QString PoolTiles::workerAt(const QPoint &at) const
{
    for (const Tile &t : m_tiles) {
        if (t.rect.contains(at))
            return t.worker;
    }
    return {};
}

void PoolTiles::relayout()
{
    m_tiles.clear();
    m_headers.clear();
    const int tileWidth = kTileWidth + (tileHeight() > kTileHeight ? kTrafficWidth : 0);
    const int perRow = std::max(1, (width() - 2 * kMargin + kGap) / (tileWidth + kGap));
    const int lineHeight = fontMetrics().height();
    const int tileHeight = this->tileHeight();
    int y = kMargin;
    int column = 0;
    std::string pool;
    bool first = true;
    for (const api::WorkerInfo *w : ordered(m_workers->rows(), m_pool)) {
        if (first || w->pool != pool) {
            if (!first)
                y += tileHeight + kGap + 4;
            first = false;
            pool = w->pool;
            column = 0;
            m_headers.push_back({QString::fromStdString(pool), QRect(kMargin, y, 400, lineHeight)});
            y += lineHeight + 4;
        } else if (column == perRow) {
            column = 0;
            y += tileHeight + kGap;
        }
        m_tiles.push_back({QString::fromStdString(w->id),
                           QRect(kMargin + column * (tileWidth + kGap), y, tileWidth, tileHeight)});
        ++column;
    }
    setMinimumHeight(first ? 2 * lineHeight : y + tileHeight + kMargin);
}

void PoolTiles::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    relayout();
}

QColor PoolTiles::revisionColor(const std::string &revision, bool dark)
{
    // The revision is a hash: its first hex digits pick the hue, the same in every run.
    bool ok = false;
    const uint value = QString::fromStdString(revision).left(6).toUInt(&ok, 16);
    const int hue = ok ? int(value % 360) : 0;
    return QColor::fromHsv(hue, 150, dark ? 150 : 120);
}

void PoolTiles::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette &pal = palette();
    if (m_tiles.empty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(rect().adjusted(kMargin, kMargin, -kMargin, -kMargin),
                   Qt::AlignLeft | Qt::AlignTop, tr("No workers to show."));
        return;
    }
    // Pool headers: the name, and ready out of all.
    QFont bold = font();
    bold.setBold(true);
    for (const Header &h : m_headers) {
        int ready = 0;
        int total = 0;
        for (const api::WorkerInfo &w : m_workers->rows()) {
            if (QString::fromStdString(w.pool) == h.text) {
                ++total;
                ready += w.ready();
            }
        }
        p.setFont(bold);
        p.setPen(pal.color(QPalette::WindowText));
        p.drawText(h.rect, Qt::AlignLeft | Qt::AlignVCenter,
                   tr("%1 · %2 of %3 ready").arg(h.text).arg(ready).arg(total));
    }
    const bool dark = pal.color(QPalette::Window).lightness() < 128;
    const QFontMetrics fm(font());
    for (const Tile &t : m_tiles) {
        const api::WorkerInfo *w = m_workers->at(m_workers->rowOf(t.worker.toStdString()));
        if (!w)
            continue;
        const QColor state = models::WorkersModel::stateColor(w->state);
        QColor fill = state;
        fill.setAlphaF(dark ? 0.28f : 0.16f);
        QPainterPath path;
        path.addRoundedRect(QRectF(t.rect).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6);
        p.fillPath(path, pal.color(QPalette::Base));
        p.fillPath(path, fill);
        p.setPen(QPen(t.worker == m_selected ? pal.color(QPalette::Highlight) : state.darker(110),
                      t.worker == m_selected ? 2.5 : 1.2));
        p.setBrush(Qt::NoBrush); // the outline only (the brush is the last tile's CPU bar)
        p.drawPath(path);
        // A stripe of the state's colour on the left.
        p.fillRect(QRect(t.rect.left() + 1, t.rect.top() + 6, 4, t.rect.height() - 12), state);

        const QRect inner =
            QRect(t.rect.left(), t.rect.top(), t.rect.width(), kTileHeight).adjusted(10, 5, -8, -5);
        p.setPen(pal.color(QPalette::Text));
        p.setFont(bold);
        p.drawText(QRect(inner.left(), inner.top(), inner.width() - 18, fm.height()),
                   Qt::AlignLeft | Qt::AlignVCenter,
                   fm.elidedText(t.worker, Qt::ElideMiddle, inner.width() - 18));
        // Ready: a filled dot; not ready: a ring.
        const QRectF dot(inner.right() - 11, inner.top() + (fm.height() - 11) / 2.0, 11, 11);
        p.setPen(QPen(state.darker(120), 1.5));
        p.setBrush(w->ready() ? QBrush(state) : Qt::NoBrush);
        p.drawEllipse(dot);
        p.setFont(font());
        // The revision, as a pill of its own colour: during a rollout the old and the new
        // workers tell apart at a glance.
        int pillWidth = 0;
        if (!w->revision.empty()) {
            const QString revision = QString::fromStdString(w->revision).left(6);
            pillWidth = fm.horizontalAdvance(revision) + 10;
            const QRect pill(inner.right() - pillWidth + 1, inner.top() + fm.height() + 2,
                             pillWidth, fm.height());
            p.setPen(Qt::NoPen);
            p.setBrush(revisionColor(w->revision, dark));
            p.drawRoundedRect(pill, 4, 4);
            p.setPen(Qt::white);
            p.drawText(pill, Qt::AlignCenter, revision);
        }
        p.setPen(pal.color(QPalette::Text));
        QString line = models::WorkersModel::stateText(w->state);
        if (w->restarts > 0)
            line += QStringLiteral("  ·  ") + tr("↻ %1").arg(w->restarts);
        const int lineWidth = inner.width() - (pillWidth ? pillWidth + 4 : 0);
        p.drawText(QRect(inner.left(), inner.top() + fm.height() + 2, lineWidth, fm.height()),
                   Qt::AlignLeft | Qt::AlignVCenter,
                   fm.elidedText(line, Qt::ElideRight, lineWidth));
        // CPU: a bar of one core's width, with the figure.
        const bool alive = w->pid > 0 && api::hasProcess(w->state);
        const QRect bar(inner.left(), inner.bottom() - 6, inner.width() - 44, 6);
        p.setPen(Qt::NoPen);
        p.setBrush(pal.color(QPalette::Mid));
        p.drawRoundedRect(bar, 3, 3);
        if (alive) {
            const double share = std::clamp(w->cpuPercent / 100.0, 0.0, 1.0);
            p.setBrush(state);
            p.drawRoundedRect(
                QRectF(bar.left(), bar.top(), std::max(3.0, bar.width() * share), bar.height()), 3,
                3);
        }
        p.setPen(pal.color(QPalette::Text));
        p.drawText(QRect(bar.right() + 4, bar.center().y() - fm.height() / 2, 40, fm.height()),
                   Qt::AlignRight | Qt::AlignVCenter,
                   alive ? tr("%1 %").arg(QLocale().toString(w->cpuPercent, 'f', 0))
                         : QStringLiteral("–"));
        if (const models::TrafficWorker *tw = trafficOf(t.worker))
            paintTraffic(p, *tw,
                         QRect(inner.left(), t.rect.top() + kTileHeight - 2, inner.width(),
                               kTrafficHeight - 6));
    }
}

void PoolTiles::paintTraffic(QPainter &p, const models::TrafficWorker &tw, const QRect &area)
{
    // In flight: one box per slot of per_worker_concurrency (a bar when there are many), then
    // served, and the breaker as a coloured pill.
    const QPalette &pal = palette();
    const QFontMetrics fm(font());
    const int capacity = m_traffic->perWorkerConcurrency;
    const QString figure =
        capacity > 0 ? tr("%1/%2").arg(tw.inflight).arg(capacity) : QString::number(tw.inflight);
    const int figureWidth = fm.horizontalAdvance(QStringLiteral("88/88")) + 4;
    const QRect bar(area.left(), area.top() + 2, area.width() - figureWidth, 8);
    const QColor busy(0x2f, 0x7e, 0xd8);
    p.setPen(Qt::NoPen);
    if (capacity > 0 && capacity <= 16) {
        const double w = (bar.width() - (capacity - 1) * 2.0) / capacity;
        for (int i = 0; i < capacity; ++i) {
            p.setBrush(i < tw.inflight ? busy : pal.color(QPalette::Mid));
            p.drawRoundedRect(QRectF(bar.left() + i * (w + 2), bar.top(), w, bar.height()), 2, 2);
        }
    } else {
        p.setBrush(pal.color(QPalette::Mid));
        p.drawRoundedRect(bar, 3, 3);
        const double share = std::clamp(
            double(tw.inflight) / double(std::max(1, capacity > 0 ? capacity : 8)), 0.0, 1.0);
        if (tw.inflight > 0) {
            p.setBrush(busy);
            p.drawRoundedRect(
                QRectF(bar.left(), bar.top(), std::max(3.0, bar.width() * share), bar.height()), 3,
                3);
        }
    }
    p.setPen(pal.color(QPalette::Text));
    p.drawText(
        QRect(bar.right() + 2, bar.center().y() - fm.height() / 2, figureWidth - 2, fm.height()),
        Qt::AlignRight | Qt::AlignVCenter, figure);

    const QRect line(area.left(), bar.bottom() + 4, area.width(), fm.height());
    const QString breaker = tw.breaker == QLatin1String("open")        ? tr("open")
                            : tw.breaker == QLatin1String("half-open") ? tr("half-open")
                                                                       : tr("closed");
    const QColor breakerColor = tw.breaker == QLatin1String("open") ? QColor(0xdc, 0x32, 0x2f)
                                : tw.breaker == QLatin1String("half-open")
                                    ? QColor(0xd4, 0xa0, 0x17)
                                    : QColor(0x3c, 0x9a, 0x4a);
    const int pillWidth = fm.horizontalAdvance(breaker) + 10;
    const QRectF pill(line.right() - pillWidth, line.top(), pillWidth, line.height());
    p.setPen(Qt::NoPen);
    p.setBrush(breakerColor);
    p.drawRoundedRect(pill, line.height() / 2.0, line.height() / 2.0);
    p.setPen(Qt::white);
    p.drawText(pill, Qt::AlignCenter, breaker);
    QString served = tr("%n served", nullptr, int(std::min<qint64>(tw.served, INT_MAX)));
    if (tw.ejections > 0)
        served += QStringLiteral(" · ") + tr("%n ejected", nullptr, int(tw.ejections));
    p.setPen(pal.color(QPalette::Text));
    p.drawText(QRect(line.left(), line.top(), line.width() - pillWidth - 4, line.height()),
               Qt::AlignLeft | Qt::AlignVCenter,
               fm.elidedText(served, Qt::ElideRight, line.width() - pillWidth - 4));
}

bool PoolTiles::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString id = workerAt(help->pos());
        const api::WorkerInfo *w = m_workers->at(m_workers->rowOf(id.toStdString()));
        if (!w) {
            QToolTip::hideText();
            event->ignore();
            return true;
        }
        QString text = tr("<b>%1</b> (%2)").arg(id, models::WorkersModel::stateText(w->state));
        if (!w->reason.empty())
            text += QStringLiteral("<br>") + QString::fromStdString(w->reason).toHtmlEscaped();
        if (w->pid > 0)
            text += QStringLiteral("<br>") + tr("pid %1").arg(w->pid);
        if (w->port)
            text += QStringLiteral(" · ") + tr("port %1").arg(*w->port);
        text += QStringLiteral("<br>") + tr("restarts %1").arg(w->restarts);
        if (w->pid > 0 && api::hasProcess(w->state))
            text += QStringLiteral(" · ") +
                    tr("CPU %1 %").arg(QLocale().toString(w->cpuPercent, 'f', 1)) +
                    QStringLiteral(" · ") +
                    QLocale().formattedDataSize(qint64(w->rssBytes), 1,
                                                QLocale::DataSizeTraditionalFormat);
        if (const models::TrafficWorker *tw = trafficOf(id)) {
            text += QStringLiteral("<br>") +
                    tr("in flight %1 of %2 · served %3 · breaker %4 · ejected %5×")
                        .arg(tw->inflight)
                        .arg(m_traffic->perWorkerConcurrency)
                        .arg(tw->served)
                        .arg(tw->breaker)
                        .arg(tw->ejections);
        }
        text += QStringLiteral("<br><i>") + tr("Double-click to open it in the workers pane") +
                QStringLiteral("</i>");
        QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

void PoolTiles::mousePressEvent(QMouseEvent *event)
{
    m_selected = workerAt(event->position().toPoint());
    update();
}

void PoolTiles::mouseDoubleClickEvent(QMouseEvent *event)
{
    const QString id = workerAt(event->position().toPoint());
    if (!id.isEmpty())
        emit workerActivated(id);
}

} // namespace drover::ui
