#pragma once

#include <QWidget>

#include <array>

class QAction;
class QListWidget;
class QTableView;

namespace drover::api {
struct Event;
}

namespace drover::models {
class BackendBridge;
}

namespace drover::ui {

/// The rollouts pane: each pool's current or last rollout (strategy, phase, old and new
/// revision, new workers ready, old ones left, the step it is at, time to its deadline), the
/// selected pool's rollout events, and pause / resume / abort / undo / roll out again, each
/// enabled by the rollout's phase and the connection's role (operator and above).
class RolloutsPane : public QWidget
{
    Q_OBJECT

public:
    explicit RolloutsPane(models::BackendBridge *bridge, QWidget *parent = nullptr);

    enum Action { Pause, Resume, Abort, Undo, Restart, ActionCount };
    QAction *action(Action a) const { return m_actions[std::size_t(a)]; }
    QTableView *view() const { return m_view; }
    QListWidget *events() const { return m_events; }
    /// Selects the row of `pool` (nothing when it has had no rollout).
    void selectPool(const QString &pool);
    QString selectedPool() const;

signals:
    void message(const QString &text);

private:
    void updateActions();
    void run(Action a);
    void addEvents(const std::vector<api::Event> &events);
    void showEvents();

    models::BackendBridge *m_bridge;
    QTableView *m_view;
    QListWidget *m_events;
    std::array<QAction *, ActionCount> m_actions{};
    /// The rollout events seen, newest last (a bounded list), for the selected pool's list.
    std::vector<std::pair<QString, QString>> m_seen; ///< (pool, line)
};

} // namespace drover::ui
