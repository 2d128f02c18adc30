#pragma once

#include "models/linediff.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;

namespace drover::ui {

/// Two texts side by side, line against line: removed lines marked on the left, added ones
/// on the right, changed ones on both, and runs of unchanged lines folded to a few lines of
/// context around each change ("⋯ 120 unchanged lines"). Both sides scroll together.
class DiffView : public QWidget
{
    Q_OBJECT

public:
    explicit DiffView(QWidget *parent = nullptr);

    /// Shows `left` against `right`, each under its title.
    void setTexts(const QString &leftTitle, const QString &left, const QString &rightTitle,
                  const QString &right);
    /// Lines of unchanged context kept around each change (3 by default); -1: no folding.
    void setContext(int lines) { m_context = lines; }

    const QList<models::DiffRow> &rows() const { return m_rows; }
    int changes() const { return models::LineDiff::changes(m_rows); }
    QPlainTextEdit *leftView() const { return m_left; }
    QPlainTextEdit *rightView() const { return m_right; }

private:
    QLabel *m_leftTitle;
    QLabel *m_rightTitle;
    QPlainTextEdit *m_left;
    QPlainTextEdit *m_right;
    QList<models::DiffRow> m_rows;
    int m_context = 3;
};

} // namespace drover::ui
