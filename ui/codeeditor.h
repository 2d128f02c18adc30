#pragma once

#include "models/problemsmodel.h"

#include <QList>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

class QCheckBox;
class QCompleter;
class QLabel;
class QLineEdit;
class QStringListModel;

namespace drover::ui {

/// YAML colours for the config editor: keys, comments, strings, numbers and durations,
/// booleans, `${VAR}` and `{{placeholder}}`, anchors and aliases, list dashes.
class YamlHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT

public:
    explicit YamlHighlighter(QTextDocument *document);
    /// Colours that read on a light or a dark background.
    void setDark(bool dark);

protected:
    void highlightBlock(const QString &text) override;

private:
    QTextCharFormat m_key, m_comment, m_string, m_number, m_keyword, m_placeholder, m_punct;
};

/// The config editor's text: line numbers, the current line marked, problems underlined with
/// their message as a tooltip, spaces only (a Tab is two spaces; Tab and Shift+Tab indent and
/// unindent a selection), the indentation kept on Enter (and deepened after `key:`), brackets
/// and quotes closed as they are opened, and completion of the keys and values the validator
/// knows at the cursor (models::YamlSchema), by itself after two letters or with Ctrl+Space.
class CodeEditor : public QPlainTextEdit
{
    Q_OBJECT

public:
    explicit CodeEditor(QWidget *parent = nullptr);

    /// The problems to underline (1-based lines and columns); replaces the earlier ones.
    void setProblems(const QList<models::Problem> &problems);
    const QList<models::Problem> &problems() const { return m_problems; }
    /// The underlined range of each problem: [start, end) positions in the document.
    struct Mark
    {
        int start = 0;
        int end = 0;
        int problem = 0;
    };
    const QList<Mark> &marks() const { return m_marks; }
    /// Moves the cursor to a 1-based line and column and shows it.
    void goTo(int line, int column);

    /// The completions for the cursor's place now (what the popup would offer).
    QStringList completionsHere(QString *prefix = nullptr) const;
    QCompleter *completer() const { return m_completer; }

    int lineNumberAreaWidth() const;
    void paintLineNumbers(QPaintEvent *event);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void updateExtraSelections();
    void updateLineNumberArea(const QRect &rect, int dy);
    void showCompletions(bool forced);
    void insertCompletion(const QString &completion);
    void indentSelection(bool in);
    bool handlePairs(QKeyEvent *event);

    QWidget *m_lineNumbers;
    YamlHighlighter *m_highlighter;
    QCompleter *m_completer;
    QStringListModel *m_completions;
    bool m_completingValue = false;
    QList<models::Problem> m_problems;
    QList<Mark> m_marks;
    QList<QTextEdit::ExtraSelection> m_problemSelections;
};

/// Find and replace under the editor: Ctrl+F opens it, Enter finds the next, Shift+Enter the
/// one before, Escape closes it.
class FindBar : public QWidget
{
    Q_OBJECT

public:
    explicit FindBar(QPlainTextEdit *editor, QWidget *parent = nullptr);
    void open(bool replace);
    bool find(bool backwards = false);
    int replaceAll();
    QLineEdit *findEdit() const { return m_find; }
    QLineEdit *replaceEdit() const { return m_replace; }

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    QPlainTextEdit *m_editor;
    QLineEdit *m_find;
    QLineEdit *m_replace;
    QCheckBox *m_case;
    QLabel *m_status;
    QWidget *m_replaceRow;
};

} // namespace drover::ui
