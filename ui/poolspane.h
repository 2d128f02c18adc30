#pragma once

#include <QWidget>

#include <functional>

class QAction;
class QTableView;

namespace drover::models {
class BackendBridge;
}

namespace drover::ui {

class PoolDebugger;
class PoolTiles;

/// The pools pane: desired / running / ready counts, restarts, revision and what a pool waits
/// for; scale the selected pool (operator and above). Under the table, the pool debugger: the
/// selected pool's workers (every pool's when none is selected) as tiles, and its traffic.
class PoolsPane : public QWidget
{
    Q_OBJECT

public:
    explicit PoolsPane(models::BackendBridge *bridge, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    QAction *scaleAction() const { return m_scale; }
    PoolTiles *tiles() const { return m_tiles; }
    PoolDebugger *debugger() const { return m_debugger; }
    /// Asks for the new size; tests answer for the user. Returns false when cancelled.
    void setAskSize(std::function<bool(const QString &pool, int current, int &size)> ask);
    QString selectedPool() const;

signals:
    void message(const QString &text);
    /// A double-click: show this pool's workers.
    void poolActivated(const QString &pool);
    /// The selected pool (empty: none).
    void currentPoolChanged(const QString &pool);
    /// A tile double-clicked: show this worker.
    void workerActivated(const QString &worker);

private:
    void updateActions();

    models::BackendBridge *m_bridge;
    QTableView *m_view;
    QAction *m_scale;
    PoolTiles *m_tiles;
    PoolDebugger *m_debugger;
    std::function<bool(const QString &, int, int &)> m_ask;
};

} // namespace drover::ui
