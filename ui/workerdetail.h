#pragma once

#include "api/types.h"

#include <QWidget>

#include <cstdint>
#include <vector>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTabWidget;
class QTextBrowser;
class QTreeWidget;

namespace drover::models {
class BackendBridge;
}

namespace drover::ui {

/// The selected worker in detail, under the workers table: its state and why, process, usage,
/// limits (applied, and those that could not be), probes; then tabs with its log (the last 200
/// lines, then followed live through logs.follow while "Follow" is on, with find), what it
/// runs (command, directory, environment: worker.describe) and its recent events.
class WorkerDetail : public QWidget
{
    Q_OBJECT

public:
    explicit WorkerDetail(models::BackendBridge *bridge, QWidget *parent = nullptr);
    ~WorkerDetail() override;

    /// Shows `id` (empty: nothing selected).
    void setWorker(const QString &id);
    QString worker() const { return m_id; }
    QPlainTextEdit *log() const { return m_log; }
    QLabel *summary() const { return m_summary; }
    QTabWidget *tabs() const { return m_tabs; }
    /// The "Process" tab's text: command, directory, environment.
    QTextBrowser *process() const { return m_process; }
    /// The "Events" tab: the worker's newest events, newest first.
    QTreeWidget *events() const { return m_events; }
    /// "Show secret values" on the Process tab: enabled for admins only (the master sends
    /// secret values to admins; others get `<hidden>`); off whenever another worker is shown.
    QCheckBox *revealSecrets() const { return m_reveal; }

private:
    void refreshSummary();
    void follow();
    void unfollow();
    void appendLines(const QStringList &lines, qint64 skipped);
    void find();
    void describe();
    void showProcess();
    void loadEvents();
    void addEvents(const std::vector<api::Event> &events);

    models::BackendBridge *m_bridge;
    QString m_id;
    QLabel *m_summary;
    QPlainTextEdit *m_log;
    QCheckBox *m_follow;
    QLineEdit *m_search;
    QTabWidget *m_tabs;
    QTextBrowser *m_process;
    QCheckBox *m_reveal;
    /// What worker.describe said, kept to draw the Process tab again when secrets are
    /// revealed or hidden.
    struct Described
    {
        QStringList command;
        QString cwd, pidFile, log;
        /// A container worker's (podman): image, id, network, podman's state; image empty
        /// for a process.
        QString image, containerId, network, containerState;
        QList<QPair<QString, QString>> env; ///< name, value
        QStringList secretNames;
        bool secretsShown = false; ///< the master sent the values (an admin's connection)
    };
    Described m_described;
    /// The worker's pid when it was last described: a container worker's container (and
    /// podman's state) change with its process, so a new pid describes it again.
    int m_describedPid = -1;
    QTreeWidget *m_events;
    std::uint64_t m_followId = 0;
    quint64 m_generation = 0; ///< lines of an earlier follow that still arrive are dropped
};

} // namespace drover::ui
