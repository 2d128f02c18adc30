#pragma once

#include "models/pooltraffic.h"

#include <QPixmap>
#include <QPointF>
#include <QWidget>

#include <vector>

namespace drover::ui {

/// The flight recorder as a timeline: one mark per routing decision, x its arrival time, y its
/// latency or its queue wait (a log scale: 0.1 ms to minutes), coloured by outcome; the pool's
/// scale events in the same time range as dashed lines. Click a mark, or drag across the
/// timeline to scrub (the nearest decision in time follows the pointer); the arrow keys step.
/// It draws the rows of a DecisionsModel and keeps its selection on the same decision when
/// older rows leave.
class TrafficTimeline : public QWidget
{
    Q_OBJECT

public:
    enum class Axis { Latency, QueueWait };

    explicit TrafficTimeline(models::DecisionsModel *model, QWidget *parent = nullptr);

    void setAxis(Axis axis);
    Axis axis() const { return m_axis; }
    void setScaleEvents(std::vector<models::ScaleEvent> events);

    /// The selected row of the model, or -1.
    int selected() const { return m_selected; }
    void setSelected(int row);
    /// Where row `row`'s mark is drawn (for tests).
    QPointF markAt(int row) const;
    /// The row whose mark is nearest `at`: within `radius` px, or (radius < 0) the nearest in
    /// time; -1 when there is none.
    int rowAt(const QPointF &at, double radius) const;
    /// How long the last paint took, in microseconds (for the figures in the README).
    qint64 lastPaintMicros() const { return m_paintMicros; }

    QSize sizeHint() const override { return {600, 200}; }
    QSize minimumSizeHint() const override { return {200, 120}; }

signals:
    /// The operator picked `row` (-1: none).
    void selectedChanged(int row);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool event(QEvent *event) override;

private:
    /// The plot's rectangle, and the time and value ranges shown (from the rows).
    struct Frame
    {
        QRectF plot;
        double t0 = 0, t1 = 1;  ///< Unix ms
        double lo = -1, hi = 3; ///< log10(ms)
    };
    Frame frame() const;
    double value(const models::TrafficDecision &d) const;
    QPointF place(const Frame &f, const models::TrafficDecision &d) const;
    void pick(int row);

    models::DecisionsModel *m_model;
    Axis m_axis = Axis::Latency;
    std::vector<models::ScaleEvent> m_scaleEvents;
    int m_selected = -1;
    qint64 m_paintMicros = 0;
    std::vector<QPixmap> m_sprites; ///< a mark per DecisionClass
    qreal m_spriteRatio = 0;
};

/// A pool's size over time: its scale events as a step line of the desired worker count
/// (the last 15 minutes, or back to the oldest event), each change a dot labelled
/// "from → to" whose tooltip says why.
class ScaleTimeline : public QWidget
{
    Q_OBJECT

public:
    explicit ScaleTimeline(QWidget *parent = nullptr);

    void setEvents(std::vector<models::ScaleEvent> events, qint64 nowMs);
    const std::vector<models::ScaleEvent> &events() const { return m_events; }
    /// The event whose dot is near `at` (8 px), or -1.
    int eventAt(const QPointF &at) const;

    QSize sizeHint() const override { return {600, 70}; }
    QSize minimumSizeHint() const override { return {200, 60}; }

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;

private:
    QRectF plot() const;
    QPointF place(qint64 timeMs, int count) const;

    std::vector<models::ScaleEvent> m_events;
    qint64 m_nowMs = 0;
    qint64 m_fromMs = 0;
    int m_max = 1;
};

} // namespace drover::ui
