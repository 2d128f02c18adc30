#pragma once

#include <QColor>
#include <QPainter>
#include <QRect>
#include <QString>
#include <QWidget>

#include <memory>
#include <string>
#include <vector>

namespace drover::models {
class WorkersModel;
struct PoolTraffic;
struct TrafficWorker;
} // namespace drover::models

namespace drover::ui {

/// The pool view: each worker of a pool drawn as a tile (its state's colour, ready or not,
/// restarts, a CPU bar), pools one under the other. With a pool's traffic (the pool debugger),
/// each of its workers' tiles also shows its requests in flight against the gateway's
/// per-worker concurrency, the requests it served, its circuit breaker and its ejections.
class PoolTiles : public QWidget
{
    Q_OBJECT

public:
    explicit PoolTiles(models::WorkersModel *workers, QWidget *parent = nullptr);

    /// Shows only `pool` (empty: every pool).
    void setPool(const QString &pool);
    QString pool() const { return m_pool; }
    /// The selected pool's traffic (null: none, tiles without traffic).
    void setTraffic(std::shared_ptr<const models::PoolTraffic> traffic);
    /// The traffic of `worker` drawn on its tile, or null.
    const models::TrafficWorker *trafficOf(const QString &worker) const;
    /// The tiles drawn now, in order (for tests and tooltips).
    struct Tile
    {
        QString worker;
        QRect rect;
    };
    const std::vector<Tile> &tiles() const { return m_tiles; }
    QString workerAt(const QPoint &at) const;
    /// The colour of a revision's pill on the tiles: the same revision, the same colour.
    static QColor revisionColor(const std::string &revision, bool dark);

    QSize sizeHint() const override;

signals:
    /// A tile was double-clicked.
    void workerActivated(const QString &worker);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    bool event(QEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;

private:
    struct Header
    {
        QString text;
        QRect rect;
    };
    /// Places the tiles for the current width and data; sets the height they need.
    void relayout();
    int tileHeight() const;
    void paintTraffic(QPainter &p, const models::TrafficWorker &tw, const QRect &area);

    models::WorkersModel *m_workers;
    QString m_pool;
    QString m_selected;
    std::vector<Tile> m_tiles;
    std::vector<Header> m_headers;
    std::shared_ptr<const models::PoolTraffic> m_traffic;
};

} // namespace drover::ui
