#include "ui/traffictimeline.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace drover::ui {

using models::DecisionClass;
using models::TrafficDecision;

namespace {

constexpr double kFloorMs = 0.1; ///< values below (a queue wait of 0) sit on the bottom line

/// A time step (ms) that gives at most `most` ticks over `span` ms.
qint64 timeStep(double span, int most)
{
    static constexpr qint64 kSteps[] = {100,    200,    500,     1000,    2000,    5000,
                                        10000,  15000,  30000,   60000,   120000,  300000,
                                        600000, 900000, 1800000, 3600000, 7200000, 21600000};
    for (qint64 s : kSteps) {
        if (span / double(s) <= most)
            return s;
    }
    return 86400000;
}

QString timeLabel(qint64 ms, qint64 step)
{
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(ms);
    return t.toString(step < 1000    ? QStringLiteral("HH:mm:ss.zzz")
                      : step < 60000 ? QStringLiteral("HH:mm:ss")
                                     : QStringLiteral("HH:mm"));
}

QString msLabel(double ms)
{
    if (ms >= 1000)
        return TrafficTimeline::tr("%1 s").arg(QLocale().toString(ms / 1000.0, 'g', 3));
    return TrafficTimeline::tr("%1 ms").arg(QLocale().toString(ms, 'g', 3));
}

/// One line for a human: what happened to the request.
QString describe(const TrafficDecision &d)
{
    const QString when =
        QDateTime::fromMSecsSinceEpoch(d.timeMs).toString(QStringLiteral("HH:mm:ss.zzz"));
    QString text = QStringLiteral("<b>%1 %2</b> · %3<br>")
                       .arg(d.method.toHtmlEscaped(), d.target.toHtmlEscaped(), when);
    text += TrafficTimeline::tr("%1 → %2, status %3")
                .arg(d.worker.isEmpty() ? TrafficTimeline::tr("no worker") : d.worker,
                     d.outcome.toHtmlEscaped(),
                     d.status ? QString::number(d.status) : QStringLiteral("–"));
    text += QStringLiteral("<br>") + TrafficTimeline::tr("queue wait %1 · total %2 · attempts %3")
                                         .arg(msLabel(d.queueMs), msLabel(d.latencyMs))
                                         .arg(d.attempts);
    if (!d.detail.isEmpty())
        text += QStringLiteral("<br><i>") + d.detail.toHtmlEscaped() + QStringLiteral("</i>");
    return text;
}

} // namespace

TrafficTimeline::TrafficTimeline(models::DecisionsModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
{
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(false);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    auto changed = [this] { update(); };
    connect(model, &QAbstractItemModel::rowsInserted, this, changed);
    connect(model, &QAbstractItemModel::rowsRemoved, this,
            [this](const QModelIndex &, int first, int last) {
                // Rows leave from the top: the selection stays on its decision.
                if (m_selected >= first && m_selected <= last)
                    pick(-1);
                else if (m_selected > last)
                    m_selected -= last - first + 1;
                update();
            });
    connect(model, &QAbstractItemModel::modelReset, this, [this] {
        m_selected = -1;
        emit selectedChanged(-1);
        update();
    });
}

void TrafficTimeline::setAxis(Axis axis)
{
    if (axis == m_axis)
        return;
    m_axis = axis;
    update();
}

void TrafficTimeline::setScaleEvents(std::vector<models::ScaleEvent> events)
{
    m_scaleEvents = std::move(events);
    update();
}

void TrafficTimeline::setSelected(int row)
{
    if (row < -1 || row >= m_model->rowCount())
        row = -1;
    if (row == m_selected)
        return;
    m_selected = row;
    update();
}

void TrafficTimeline::pick(int row)
{
    if (row == m_selected)
        return;
    m_selected = row;
    update();
    emit selectedChanged(row);
}

double TrafficTimeline::value(const TrafficDecision &d) const
{
    return m_axis == Axis::Latency ? d.latencyMs : d.queueMs;
}

TrafficTimeline::Frame TrafficTimeline::frame() const
{
    Frame f;
    const QFontMetrics fm(font());
    const double left = fm.horizontalAdvance(QStringLiteral("1000 ms")) + 10;
    f.plot = QRectF(left, 8, std::max(10.0, width() - left - 12),
                    std::max(10.0, double(height() - 16 - fm.height())));
    const auto &rows = m_model->rows();
    if (rows.empty())
        return f;
    double t0 = double(rows.front().timeMs);
    double t1 = t0;
    double hi = 0;
    for (const TrafficDecision &d : rows) {
        t0 = std::min(t0, double(d.timeMs));
        t1 = std::max(t1, double(d.timeMs));
        hi = std::max(hi, value(d));
    }
    const double pad = std::max(200.0, (t1 - t0) * 0.02);
    f.t0 = t0 - pad;
    f.t1 = t1 + pad;
    // From 0.1 ms up to the next power of ten above the largest value (at least 100 ms).
    f.lo = std::log10(kFloorMs);
    f.hi = std::max(2.0, std::ceil(std::log10(std::max(hi, kFloorMs)) + 0.05));
    return f;
}

QPointF TrafficTimeline::place(const Frame &f, const TrafficDecision &d) const
{
    const double x = f.plot.left() + (double(d.timeMs) - f.t0) / (f.t1 - f.t0) * f.plot.width();
    const double v = std::log10(std::max(value(d), kFloorMs));
    const double y = f.plot.bottom() - (v - f.lo) / (f.hi - f.lo) * f.plot.height();
    return {x, y};
}

QPointF TrafficTimeline::markAt(int row) const
{
    if (row < 0 || row >= int(m_model->rows().size()))
        return {};
    return place(frame(), m_model->rows()[std::size_t(row)]);
}

int TrafficTimeline::rowAt(const QPointF &at, double radius) const
{
    const Frame f = frame();
    const auto &rows = m_model->rows();
    int best = -1;
    double bestDistance = 0;
    for (int i = 0; i < int(rows.size()); ++i) {
        const QPointF p = place(f, rows[std::size_t(i)]);
        // In time only when scrubbing; else in both directions.
        const double distance =
            radius < 0 ? std::abs(p.x() - at.x()) : std::hypot(p.x() - at.x(), p.y() - at.y());
        if (radius >= 0 && distance > radius)
            continue;
        if (best < 0 || distance < bestDistance ||
            (radius < 0 && distance == bestDistance &&
             value(rows[std::size_t(i)]) > value(rows[std::size_t(best)])))
            best = i, bestDistance = distance;
    }
    return best;
}

void TrafficTimeline::paintEvent(QPaintEvent *)
{
    QElapsedTimer timer;
    timer.start();
    QPainter p(this);
    const QPalette &pal = palette();
    p.fillRect(rect(), pal.color(QPalette::Base));
    const Frame f = frame();
    const QFontMetrics fm(font());
    const auto &rows = m_model->rows();
    QColor grid = pal.color(QPalette::Text);
    grid.setAlphaF(0.12f);
    QColor axisText = pal.color(QPalette::Text);
    axisText.setAlphaF(0.7f);

    // The value axis: powers of ten.
    p.setFont(font());
    for (int e = int(std::ceil(f.lo)); e <= int(f.hi); ++e) {
        const double y = f.plot.bottom() - (e - f.lo) / (f.hi - f.lo) * f.plot.height();
        p.setPen(QPen(grid, 1));
        p.drawLine(QPointF(f.plot.left(), y), QPointF(f.plot.right(), y));
        p.setPen(axisText);
        p.drawText(QRectF(0, y - fm.height() / 2.0, f.plot.left() - 6, fm.height()),
                   Qt::AlignRight | Qt::AlignVCenter, msLabel(std::pow(10.0, e)));
    }
    p.setPen(QPen(axisText, 1));
    p.drawLine(f.plot.bottomLeft(), f.plot.bottomRight()); // 0.1 ms and less (a wait of 0)

    if (rows.empty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(f.plot, Qt::AlignCenter,
                   tr("No requests yet: each request through the gateway will be a mark here."));
        m_paintMicros = timer.nsecsElapsed() / 1000;
        return;
    }
    // The time axis.
    const qint64 step = timeStep(f.t1 - f.t0, std::max(2, int(f.plot.width() / 110)));
    for (qint64 t = (qint64(f.t0) / step + 1) * step; t < f.t1; t += step) {
        const double x = f.plot.left() + (double(t) - f.t0) / (f.t1 - f.t0) * f.plot.width();
        p.setPen(QPen(grid, 1));
        p.drawLine(QPointF(x, f.plot.top()), QPointF(x, f.plot.bottom()));
        const QString label = timeLabel(t, step);
        const double half = fm.horizontalAdvance(label) / 2.0 + 2;
        if (x + half > width()) // would be cut at the right edge
            continue;
        p.setPen(axisText);
        p.drawText(QRectF(x - half, f.plot.bottom() + 3, 2 * half, fm.height()), Qt::AlignCenter,
                   label);
    }
    // Scale events in range: a dashed line, "2 → 3" at its top.
    for (const models::ScaleEvent &e : m_scaleEvents) {
        if (e.timeMs < f.t0 || e.timeMs > f.t1)
            continue;
        const double x = f.plot.left() + (double(e.timeMs) - f.t0) / (f.t1 - f.t0) * f.plot.width();
        p.setPen(QPen(pal.color(QPalette::Highlight), 1, Qt::DashLine));
        p.drawLine(QPointF(x, f.plot.top()), QPointF(x, f.plot.bottom()));
        p.setPen(pal.color(QPalette::Highlight));
        const QString label = QStringLiteral("%1 → %2").arg(e.from).arg(e.to);
        const int w = fm.horizontalAdvance(label);
        p.drawText(QPointF(x + 3 + w > width() ? x - 3 - w : x + 3, f.plot.top() + fm.ascent()),
                   label);
    }
    // The marks: a small picture per class, drawn once and copied for every decision (an
    // antialiased ellipse each cost about 10 µs, a copy about 1).
    p.setRenderHint(QPainter::Antialiasing);
    p.setClipRect(f.plot.adjusted(-5, -5, 5, 5));
    const qreal dpr = devicePixelRatioF();
    if (m_sprites.empty() || m_spriteRatio != dpr) {
        m_sprites.clear();
        m_spriteRatio = dpr;
        for (int c = 0; c < models::kDecisionClasses; ++c) {
            QPixmap sprite(QSize(9, 9) * dpr);
            sprite.setDevicePixelRatio(dpr);
            sprite.fill(Qt::transparent);
            QPainter s(&sprite);
            s.setRenderHint(QPainter::Antialiasing);
            QColor fill = models::decisionColor(DecisionClass(c));
            s.setPen(QPen(fill.darker(130), 0.8));
            fill.setAlphaF(0.75f);
            s.setBrush(fill);
            s.drawEllipse(QPointF(4.5, 4.5), 3.4, 3.4);
            m_sprites.push_back(sprite);
        }
    }
    for (const TrafficDecision &d : rows) {
        const QPointF at = place(f, d);
        p.drawPixmap(QPointF(at.x() - 4.5, at.y() - 4.5),
                     m_sprites[std::size_t(models::classify(d))]);
    }
    // The selection: a cursor across the plot, the mark ringed, and its queue wait as the
    // lower part of a bar up to its latency (what it waited for, what the worker took).
    if (m_selected >= 0 && m_selected < int(rows.size())) {
        const TrafficDecision &d = rows[std::size_t(m_selected)];
        const QPointF at = place(f, d);
        p.setClipping(false);
        p.setPen(QPen(pal.color(QPalette::Highlight), 1));
        p.drawLine(QPointF(at.x(), f.plot.top()), QPointF(at.x(), f.plot.bottom()));
        if (m_axis == Axis::Latency && d.queueMs > 0) {
            TrafficDecision queue = d;
            queue.latencyMs = d.queueMs;
            const QPointF q = place(f, queue);
            QColor wait = models::decisionColor(DecisionClass::Rejected);
            p.setPen(QPen(wait, 4, Qt::SolidLine, Qt::FlatCap));
            p.drawLine(QPointF(at.x(), f.plot.bottom()), q);
        }
        p.setPen(QPen(pal.color(QPalette::Highlight), 2.5));
        p.setBrush(Qt::NoBrush);
        p.drawEllipse(at, 7, 7);
    }
    m_paintMicros = timer.nsecsElapsed() / 1000;
}

void TrafficTimeline::mousePressEvent(QMouseEvent *event)
{
    const QPointF at = event->position();
    int row = rowAt(at, 10);
    if (row < 0)
        row = rowAt(at, -1);
    pick(row);
}

void TrafficTimeline::mouseMoveEvent(QMouseEvent *event)
{
    if (event->buttons() & Qt::LeftButton)
        pick(rowAt(event->position(), -1)); // scrubbing: the nearest in time
}

void TrafficTimeline::keyPressEvent(QKeyEvent *event)
{
    const int n = int(m_model->rows().size());
    if (n == 0)
        return QWidget::keyPressEvent(event);
    switch (event->key()) {
    case Qt::Key_Left:
        pick(m_selected <= 0 ? 0 : m_selected - 1);
        break;
    case Qt::Key_Right:
        pick(m_selected < 0 ? n - 1 : std::min(n - 1, m_selected + 1));
        break;
    case Qt::Key_Home:
        pick(0);
        break;
    case Qt::Key_End:
        pick(n - 1);
        break;
    default:
        QWidget::keyPressEvent(event);
    }
}

bool TrafficTimeline::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int row = rowAt(help->pos(), 8);
        if (row < 0) {
            QToolTip::hideText();
            event->ignore();
            return true;
        }
        QToolTip::showText(help->globalPos(), describe(m_model->rows()[std::size_t(row)]), this);
        return true;
    }
    return QWidget::event(event);
}

// --- ScaleTimeline ---

ScaleTimeline::ScaleTimeline(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setMinimumHeight(60);
}

void ScaleTimeline::setEvents(std::vector<models::ScaleEvent> events, qint64 nowMs)
{
    m_events = std::move(events);
    m_nowMs = nowMs;
    m_fromMs = nowMs - 15 * 60 * 1000;
    m_max = 1;
    for (const models::ScaleEvent &e : m_events) {
        m_fromMs = std::min(m_fromMs, e.timeMs - 30'000);
        m_max = std::max({m_max, e.from, e.to});
    }
    update();
}

QRectF ScaleTimeline::plot() const
{
    const QFontMetrics fm(font());
    const double left = fm.horizontalAdvance(QStringLiteral("1000 ms")) + 10;
    return QRectF(left, fm.height() + 4, std::max(10.0, width() - left - 12),
                  std::max(10.0, height() - 2.0 * fm.height() - 10));
}

QPointF ScaleTimeline::place(qint64 timeMs, int count) const
{
    const QRectF r = plot();
    const double span = std::max<double>(1, double(m_nowMs - m_fromMs));
    return {r.left() + double(timeMs - m_fromMs) / span * r.width(),
            r.bottom() - double(count) / double(m_max) * r.height()};
}

int ScaleTimeline::eventAt(const QPointF &at) const
{
    for (int i = int(m_events.size()) - 1; i >= 0; --i) {
        const models::ScaleEvent &e = m_events[std::size_t(i)];
        const QPointF p = place(e.timeMs, e.to);
        if (std::hypot(p.x() - at.x(), p.y() - at.y()) <= 8)
            return i;
    }
    return -1;
}

void ScaleTimeline::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QPalette &pal = palette();
    p.fillRect(rect(), pal.color(QPalette::Base));
    const QRectF r = plot();
    const QFontMetrics fm(font());
    QColor axisText = pal.color(QPalette::Text);
    axisText.setAlphaF(0.7f);
    p.setPen(axisText);
    p.drawText(QRectF(0, r.top() - fm.height() / 2.0, r.left() - 6, fm.height()),
               Qt::AlignRight | Qt::AlignVCenter, QString::number(m_max));
    p.drawText(QRectF(0, r.bottom() - fm.height() / 2.0, r.left() - 6, fm.height()),
               Qt::AlignRight | Qt::AlignVCenter, QStringLiteral("0"));
    p.drawLine(r.bottomLeft(), r.bottomRight());
    const qint64 step = timeStep(double(m_nowMs - m_fromMs), std::max(2, int(r.width() / 110)));
    for (qint64 t = (m_fromMs / step + 1) * step; t < m_nowMs; t += step) {
        const double x = place(t, 0).x();
        p.drawLine(QPointF(x, r.bottom()), QPointF(x, r.bottom() + 3));
        p.drawText(QRectF(x - 60, r.bottom() + 3, 120, fm.height()), Qt::AlignCenter,
                   timeLabel(t, step));
    }
    if (m_events.empty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(r, Qt::AlignCenter, tr("No scale events in the last 15 minutes."));
        return;
    }
    // The desired count as steps: from each event's `from` to its `to`.
    p.setRenderHint(QPainter::Antialiasing);
    QPainterPath line;
    line.moveTo(place(m_fromMs, m_events.front().from));
    for (const models::ScaleEvent &e : m_events) {
        line.lineTo(place(e.timeMs, e.from));
        line.lineTo(place(e.timeMs, e.to));
    }
    line.lineTo(place(m_nowMs, m_events.back().to));
    const QColor c = pal.color(QPalette::Highlight);
    p.setPen(QPen(c, 2));
    p.setBrush(Qt::NoBrush);
    p.drawPath(line);
    for (const models::ScaleEvent &e : m_events) {
        const QPointF at = place(e.timeMs, e.to);
        p.setPen(QPen(c.darker(130), 1));
        p.setBrush(e.to > e.from ? QColor(0x3c, 0x9a, 0x4a) : QColor(0xef, 0x7d, 0x12));
        p.drawEllipse(at, 4.5, 4.5);
        p.setPen(pal.color(QPalette::Text));
        const QString label = QStringLiteral("%1 → %2").arg(e.from).arg(e.to);
        const int w = fm.horizontalAdvance(label);
        // Right of the dot, or left of it near the right edge.
        const double x = at.x() + 6 + w > width() ? at.x() - 6 - w : at.x() + 6;
        p.drawText(QPointF(x, std::max(double(fm.ascent()), at.y() - 4)), label);
    }
}

bool ScaleTimeline::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int i = eventAt(help->pos());
        if (i < 0) {
            QToolTip::hideText();
            event->ignore();
            return true;
        }
        const models::ScaleEvent &e = m_events[std::size_t(i)];
        QToolTip::showText(
            help->globalPos(),
            tr("<b>%1</b>: %2 → %3 workers<br>%4")
                .arg(QDateTime::fromMSecsSinceEpoch(e.timeMs).toString(QStringLiteral("HH:mm:ss")))
                .arg(e.from)
                .arg(e.to)
                .arg(e.why.toHtmlEscaped()),
            this);
        return true;
    }
    return QWidget::event(event);
}

} // namespace drover::ui
