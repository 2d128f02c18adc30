#pragma once

#include <QWidget>

#include <cstdint>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace drover::models {
class BackendBridge;
}

namespace drover::ui {

/// The selected worker in detail, under the workers table: its state and why, process, usage,
/// limits (applied, and those that could not be), probes, and its log: the last 200 lines,
/// then followed live (logs.follow) while "Follow" is on; a search box highlights a text.
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

private:
    void refreshSummary();
    void follow();
    void unfollow();
    void appendLines(const QStringList &lines, qint64 skipped);
    void find();

    models::BackendBridge *m_bridge;
    QString m_id;
    QLabel *m_summary;
    QPlainTextEdit *m_log;
    QCheckBox *m_follow;
    QLineEdit *m_search;
    std::uint64_t m_followId = 0;
    quint64 m_generation = 0; ///< lines of an earlier follow that still arrive are dropped
};

} // namespace drover::ui
