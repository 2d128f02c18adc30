#pragma once

#include <QRect>
#include <QString>
#include <QWidget>

#include <vector>

namespace drover::models {
class WorkersModel;
}

namespace drover::ui {

/// The pool view: each worker of a pool drawn as a tile (its state's colour, ready or not,
/// restarts, a CPU bar), pools one under the other. The start of the visual pool debugger:
/// the gateway's in-flight requests and queue are to be drawn on the same tiles.
class PoolTiles : public QWidget
{
    Q_OBJECT

public:
    explicit PoolTiles(models::WorkersModel *workers, QWidget *parent = nullptr);

    /// Shows only `pool` (empty: every pool).
    void setPool(const QString &pool);
    QString pool() const { return m_pool; }
    /// The tiles drawn now, in order (for tests and tooltips).
    struct Tile
    {
        QString worker;
        QRect rect;
    };
    const std::vector<Tile> &tiles() const { return m_tiles; }
    QString workerAt(const QPoint &at) const;

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

    models::WorkersModel *m_workers;
    QString m_pool;
    QString m_selected;
    std::vector<Tile> m_tiles;
    std::vector<Header> m_headers;
};

} // namespace drover::ui
