#pragma once

#include "api/ops.h"
#include "api/role.h"

#include <QWidget>

#include <functional>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace drover::models {
class BackendBridge;
class WorkerFilter;
} // namespace drover::models

namespace drover::ui {

/// The workers pane: every worker of a master in a sortable, filterable table (text, state,
/// pool), with start, stop (confirmed) and restart for the selected workers: in the toolbar,
/// the context menu and as shortcuts, disabled with a reason when the role may not.
class WorkerDetail;

class WorkersPane : public QWidget
{
    Q_OBJECT

public:
    explicit WorkersPane(models::BackendBridge *bridge, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    WorkerDetail *detail() const { return m_detail; }
    models::WorkerFilter *filter() const { return m_filter; }
    QAction *startAction() const { return m_start; }
    QAction *stopAction() const { return m_stop; }
    QAction *restartAction() const { return m_restart; }
    /// Shows only the workers of `pool` (empty: all).
    void showPool(const QString &pool);
    /// Asks before stopping; tests answer for the user.
    void setConfirm(std::function<bool(const QString &question)> confirm);
    /// The ids of the selected workers, in the view's order.
    QStringList selectedWorkers() const;
    /// Selects `id` alone (clearing a filter that hides it) and scrolls to it.
    void selectWorker(const QString &id);
    /// Selects these workers (the first one current); unknown ids are skipped.
    void selectWorkers(const QStringList &ids);

signals:
    /// A request's outcome for the status bar.
    void message(const QString &text);
    /// The selection changed (selectedWorkers() says to what).
    void selectedWorkersChanged();

private:
    /// Sends `op` for each selected worker; `done` (with %1 for the id) is said on success.
    void act(api::Op op, const QString &done);
    void updateActions();

    models::BackendBridge *m_bridge;
    models::WorkerFilter *m_filter;
    QTableView *m_view;
    QLineEdit *m_search;
    QComboBox *m_state;
    QComboBox *m_pool;
    QLabel *m_count;
    WorkerDetail *m_detail;
    QAction *m_start;
    QAction *m_stop;
    QAction *m_restart;
    std::function<bool(const QString &)> m_confirm;
};

} // namespace drover::ui
