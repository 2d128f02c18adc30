#pragma once

#include "config/loader.h"

#include <QMainWindow>

class QLabel;
class QPlainTextEdit;
class QTableView;

namespace drover {
namespace models {
class ConfigPoolsModel;
} // namespace models

namespace ui {

/// The console's first window: which config it runs, its pools, and every error if the file
/// is invalid. The live panes (workers, health, charts) replace it with the console issue.
class PreviewWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit PreviewWindow(QWidget *parent = nullptr);

    /// Shows the result of loading `file`: its pools, or its errors.
    void showLoadResult(const QString &file, const config::LoadResult &result);

    int poolRows() const;

private:
    models::ConfigPoolsModel *m_model; // Owned by this window (QObject parent).
    QLabel *m_title;
    QLabel *m_summary;
    QTableView *m_table;
    QPlainTextEdit *m_errors;
};

} // namespace ui
} // namespace drover
