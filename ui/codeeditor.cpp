#include "ui/codeeditor.h"

#include "models/yamlschema.h"

#include <QAbstractItemView>
#include <QCheckBox>
#include <QCompleter>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPushButton>
#include <QScrollBar>
#include <QStringListModel>
#include <QTextBlock>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>

namespace drover::ui {

namespace {

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightness() < 128;
}

class LineNumberArea : public QWidget
{
public:
    explicit LineNumberArea(CodeEditor *editor)
        : QWidget(editor)
        , m_editor(editor)
    {}
    QSize sizeHint() const override { return {m_editor->lineNumberAreaWidth(), 0}; }

protected:
    void paintEvent(QPaintEvent *event) override { m_editor->paintLineNumbers(event); }

private:
    CodeEditor *m_editor;
};

const QRegularExpression &keyPlace()
{
    // Before the cursor: indentation, maybe `- `, then the start of a key.
    static const QRegularExpression re(
        QString::fromLatin1(R"(^( *)(- +)?([A-Za-z_][A-Za-z0-9_]*)?$)"));
    return re;
}

const QRegularExpression &valuePlace()
{
    static const QRegularExpression re(
        QString::fromLatin1(R"(^( *)(- +)?([A-Za-z0-9_.\-]+)\s*:\s+([A-Za-z0-9_\-]*)$)"));
    return re;
}

} // namespace

// ---------------------------------------------------------------------------------------------

YamlHighlighter::YamlHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
{
    setDark(false);
}

void YamlHighlighter::setDark(bool dark)
{
    auto fmt = [](const char *colour, bool bold = false, bool italic = false) {
        QTextCharFormat f;
        f.setForeground(QColor(QString::fromLatin1(colour)));
        if (bold)
            f.setFontWeight(QFont::Bold);
        f.setFontItalic(italic);
        return f;
    };
    m_key = fmt(dark ? "#7cb7ff" : "#0b4f9c", true);
    m_comment = fmt(dark ? "#8a9199" : "#6a737d", false, true);
    m_string = fmt(dark ? "#a5d6a7" : "#22863a");
    m_number = fmt(dark ? "#f2b872" : "#b35900");
    m_keyword = fmt(dark ? "#d7a6ff" : "#6f42c1", true);
    m_placeholder = fmt(dark ? "#ff9e9e" : "#b31d28", true);
    m_punct = fmt(dark ? "#c0c0c0" : "#555555", true);
    rehighlight();
}

void YamlHighlighter::highlightBlock(const QString &text)
{
    static const QRegularExpression key(
        QString::fromLatin1(R"(^(\s*)(- +)?([A-Za-z0-9_.\-]+|"[^"]*"|'[^']*')\s*:(?=\s|$))"));
    static const QRegularExpression inlineKey(
        QString::fromLatin1(R"([{,]\s*([A-Za-z0-9_.\-]+)\s*:(?=\s))"));
    static const QRegularExpression scalar(
        QStringLiteral(R"((?<![\w.\-])(-?\d+(\.\d+)?(ms|s|m|h|Ki|Mi|Gi|Ti)?|\d+-\d+)(?![\w.\-]))"));
    static const QRegularExpression keyword(
        QString::fromLatin1(R"((?<![\w\-])(true|false|null|yes|no|~)(?![\w\-]))"));
    static const QRegularExpression placeholder(
        QString::fromLatin1(R"(\$\{[^}]*\}|\{\{[^}]*\}\}|[&*][A-Za-z0-9_\-]+)"));
    static const QRegularExpression dash(QString::fromLatin1(R"(^\s*(-)(?=\s|$))"));

    // Where the comment starts: a # outside quotes, at the start or after a space.
    int comment = -1;
    QChar quote;
    for (int i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (!quote.isNull()) {
            if (c == quote)
                quote = QChar();
            continue;
        }
        if (c == QLatin1Char('"') || c == QLatin1Char('\'')) {
            if (i == 0 || !text[i - 1].isLetterOrNumber())
                quote = c;
        } else if (c == QLatin1Char('#') && (i == 0 || text[i - 1].isSpace())) {
            comment = i;
            break;
        }
    }
    const QString code = comment >= 0 ? text.left(comment) : text;
    for (auto it = scalar.globalMatch(code); it.hasNext();) {
        auto m = it.next();
        setFormat(int(m.capturedStart()), int(m.capturedLength()), m_number);
    }
    for (auto it = keyword.globalMatch(code); it.hasNext();) {
        auto m = it.next();
        setFormat(int(m.capturedStart()), int(m.capturedLength()), m_keyword);
    }
    // Quoted strings.
    for (int i = 0; i < code.size(); ++i) {
        const QChar c = code[i];
        if ((c == QLatin1Char('"') || c == QLatin1Char('\'')) &&
            (i == 0 || !code[i - 1].isLetterOrNumber())) {
            int end = int(code.indexOf(c, i + 1));
            if (end < 0)
                end = int(code.size()) - 1;
            setFormat(i, end - i + 1, m_string);
            i = end;
        }
    }
    if (auto m = dash.match(code); m.hasMatch())
        setFormat(int(m.capturedStart(1)), 1, m_punct);
    if (auto m = key.match(code); m.hasMatch())
        setFormat(int(m.capturedStart(3)), int(m.capturedLength(3)), m_key);
    for (auto it = inlineKey.globalMatch(code); it.hasNext();) {
        auto m = it.next();
        setFormat(int(m.capturedStart(1)), int(m.capturedLength(1)), m_key);
    }
    for (auto it = placeholder.globalMatch(code); it.hasNext();) {
        auto m = it.next();
        setFormat(int(m.capturedStart()), int(m.capturedLength()), m_placeholder);
    }
    if (comment >= 0)
        setFormat(comment, int(text.size()) - comment, m_comment);
}

// ---------------------------------------------------------------------------------------------

CodeEditor::CodeEditor(QWidget *parent)
    : QPlainTextEdit(parent)
    , m_lineNumbers(new LineNumberArea(this))
    , m_highlighter(new YamlHighlighter(document()))
    , m_completer(new QCompleter(this))
    , m_completions(new QStringListModel(this))
{
    QFont mono(QStringLiteral("DejaVu Sans Mono"));
    mono.setStyleHint(QFont::Monospace);
    mono.setFixedPitch(true);
    setFont(mono);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setTabStopDistance(fontMetrics().horizontalAdvance(QLatin1Char(' ')) * 2);
    m_highlighter->setDark(isDark(palette()));

    m_completer->setModel(m_completions);
    m_completer->setWidget(this);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    connect(m_completer, qOverload<const QString &>(&QCompleter::activated), this,
            &CodeEditor::insertCompletion);

    connect(this, &QPlainTextEdit::blockCountChanged, this,
            [this] { setViewportMargins(lineNumberAreaWidth(), 0, 0, 0); });
    connect(this, &QPlainTextEdit::updateRequest, this, &CodeEditor::updateLineNumberArea);
    connect(this, &QPlainTextEdit::cursorPositionChanged, this, &CodeEditor::updateExtraSelections);
    setViewportMargins(lineNumberAreaWidth(), 0, 0, 0);
    updateExtraSelections();
}

int CodeEditor::lineNumberAreaWidth() const
{
    int digits = 1;
    for (int max = qMax(1, blockCount()); max >= 10; max /= 10)
        ++digits;
    return 10 + fontMetrics().horizontalAdvance(QLatin1Char('9')) * qMax(3, digits);
}

void CodeEditor::updateLineNumberArea(const QRect &rect, int dy)
{
    if (dy)
        m_lineNumbers->scroll(0, dy);
    else
        m_lineNumbers->update(0, rect.y(), m_lineNumbers->width(), rect.height());
}

void CodeEditor::resizeEvent(QResizeEvent *event)
{
    QPlainTextEdit::resizeEvent(event);
    const QRect r = contentsRect();
    m_lineNumbers->setGeometry(QRect(r.left(), r.top(), lineNumberAreaWidth(), r.height()));
}

void CodeEditor::changeEvent(QEvent *event)
{
    QPlainTextEdit::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        m_highlighter->setDark(isDark(palette()));
        updateExtraSelections();
    }
}

void CodeEditor::paintLineNumbers(QPaintEvent *event)
{
    QPainter painter(m_lineNumbers);
    const QPalette &pal = palette();
    painter.fillRect(event->rect(), pal.color(QPalette::AlternateBase));
    QSet<int> problemLines;
    for (const models::Problem &p : m_problems)
        problemLines.insert(p.line - 1);
    QTextBlock block = firstVisibleBlock();
    int number = block.blockNumber();
    int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
    int bottom = top + qRound(blockBoundingRect(block).height());
    const int current = textCursor().blockNumber();
    while (block.isValid() && top <= event->rect().bottom()) {
        if (block.isVisible() && bottom >= event->rect().top()) {
            QColor colour = pal.color(QPalette::PlaceholderText);
            if (problemLines.contains(number))
                colour = QColor(0xd7, 0x3a, 0x49);
            else if (number == current)
                colour = pal.color(QPalette::Text);
            painter.setPen(colour);
            painter.drawText(0, top, m_lineNumbers->width() - 5, fontMetrics().height(),
                             Qt::AlignRight, QString::number(number + 1));
        }
        block = block.next();
        top = bottom;
        bottom = top + qRound(blockBoundingRect(block).height());
        ++number;
    }
}

void CodeEditor::setProblems(const QList<models::Problem> &problems)
{
    m_problems = problems;
    m_marks.clear();
    m_problemSelections.clear();
    QTextCharFormat wave;
    wave.setUnderlineStyle(QTextCharFormat::WaveUnderline);
    wave.setUnderlineColor(QColor(0xd7, 0x3a, 0x49));
    wave.setBackground(QColor(0xd7, 0x3a, 0x49, 36)); // the wave alone is thin to spot
    for (int i = 0; i < problems.size(); ++i) {
        const models::Problem &p = problems[i];
        QTextBlock block = document()->findBlockByNumber(qMax(0, p.line - 1));
        if (!block.isValid())
            continue;
        const QString text = block.text();
        int col = qBound(0, p.column - 1, int(text.size()));
        int end = col;
        while (end < text.size() && !text[end].isSpace() && text[end] != QLatin1Char(':') &&
               text[end] != QLatin1Char(',') && text[end] != QLatin1Char('}') &&
               text[end] != QLatin1Char(']'))
            ++end;
        if (end == col) { // at the end of a line or on a separator: one character
            if (col < text.size())
                ++end;
            else if (col > 0)
                --col;
            else
                end = col; // an empty line: nothing to underline but the number
        }
        Mark mark{block.position() + col, block.position() + qMax(end, col), int(i)};
        m_marks << mark;
        if (mark.end > mark.start) {
            QTextEdit::ExtraSelection sel;
            sel.format = wave;
            sel.cursor = QTextCursor(document());
            sel.cursor.setPosition(mark.start);
            sel.cursor.setPosition(mark.end, QTextCursor::KeepAnchor);
            m_problemSelections << sel;
        }
    }
    updateExtraSelections();
    m_lineNumbers->update();
}

void CodeEditor::updateExtraSelections()
{
    QList<QTextEdit::ExtraSelection> all;
    QTextEdit::ExtraSelection line;
    QColor bg = palette().color(QPalette::Highlight);
    bg.setAlpha(isDark(palette()) ? 50 : 28);
    line.format.setBackground(bg);
    line.format.setProperty(QTextFormat::FullWidthSelection, true);
    line.cursor = textCursor();
    line.cursor.clearSelection();
    all << line << m_problemSelections;
    setExtraSelections(all);
    m_lineNumbers->update();
}

void CodeEditor::goTo(int line, int column)
{
    QTextBlock block = document()->findBlockByNumber(qMax(0, line - 1));
    if (!block.isValid())
        return;
    QTextCursor c(block);
    c.setPosition(block.position() + qBound(0, column - 1, block.length() - 1));
    setTextCursor(c);
    centerCursor();
    setFocus();
}

bool CodeEditor::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) { // hovering the text: the problems there
        auto *help = static_cast<QHelpEvent *>(event);
        const int pos = cursorForPosition(help->pos()).position();
        QStringList texts;
        for (const Mark &m : m_marks) {
            if (pos >= m.start && pos <= qMax(m.end, m.start + 1))
                texts << m_problems[m.problem].message;
        }
        if (texts.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), texts.join(QLatin1Char('\n')), this);
        return true;
    }
    return QPlainTextEdit::viewportEvent(event);
}

QStringList CodeEditor::completionsHere(QString *prefix) const
{
    const QTextCursor cursor = textCursor();
    const QTextBlock block = cursor.block();
    const QString before = block.text().left(cursor.positionInBlock());
    QRegularExpressionMatch m = valuePlace().match(before);
    const bool value = m.hasMatch();
    if (!value) {
        m = keyPlace().match(before);
        if (!m.hasMatch())
            return {};
    }
    if (value && !models::YamlSchema::hasValues(m.captured(3)))
        return {}; // a key that takes any value: no need to know where it is
    const int column = int(m.capturedLength(1) + m.capturedLength(2));
    const int dash = m.capturedLength(2) ? int(m.capturedLength(1)) : -1;
    // Only the lines that can be parents of this one matter: each less indented than the
    // last one taken, up to the top level. The others are skipped without a closer look, so
    // that a line 8000 lines under `pools:` costs little.
    QStringList lines;
    int limit = dash >= 0 ? dash : column;
    for (QTextBlock b = block.previous(); b.isValid() && limit > 0; b = b.previous()) {
        const QString t = b.text();
        int indent = 0;
        while (indent < t.size() && t[indent] == QLatin1Char(' '))
            ++indent;
        if (indent == t.size() || t[indent] == QLatin1Char('#'))
            continue;
        const bool isDash = t.mid(indent, 2) == QLatin1String("- ");
        int keyCol = indent;
        if (isDash) {
            keyCol += 2;
            while (keyCol < t.size() && t[keyCol] == QLatin1Char(' '))
                ++keyCol;
        }
        if (keyCol >= limit && !(isDash && indent < limit))
            continue;
        lines.prepend(t);
        limit = isDash ? indent : keyCol;
    }
    const int line = int(lines.size());
    lines << before;
    const QStringList path = models::YamlSchema::contextAt(lines, line, column, dash);
    if (value) {
        if (prefix)
            *prefix = m.captured(4);
        return models::YamlSchema::valuesOf(path, m.captured(3));
    }
    if (prefix)
        *prefix = m.captured(3);
    if (!path.isEmpty() || column == 0)
        return models::YamlSchema::keysAt(path);
    return {};
}

void CodeEditor::showCompletions(bool forced)
{
    QString prefix;
    const QStringList words = completionsHere(&prefix);
    m_completingValue = valuePlace()
                            .match(textCursor().block().text().left(textCursor().positionInBlock()))
                            .hasMatch();
    if (words.isEmpty() || (!forced && prefix.size() < 2)) {
        m_completer->popup()->hide();
        return;
    }
    m_completions->setStringList(words);
    m_completer->setCompletionPrefix(prefix);
    if (m_completer->completionCount() == 0 ||
        (m_completer->completionCount() == 1 && m_completer->currentCompletion() == prefix &&
         !forced)) {
        m_completer->popup()->hide();
        return;
    }
    m_completer->popup()->setCurrentIndex(m_completer->completionModel()->index(0, 0));
    QRect r = cursorRect();
    r.translate(viewportMargins().left(), 0);
    r.setWidth(m_completer->popup()->sizeHintForColumn(0) +
               m_completer->popup()->verticalScrollBar()->sizeHint().width() + 16);
    m_completer->complete(r);
}

void CodeEditor::insertCompletion(const QString &completion)
{
    QTextCursor c = textCursor();
    const int typed = int(m_completer->completionPrefix().size());
    c.beginEditBlock();
    c.movePosition(QTextCursor::Left, QTextCursor::KeepAnchor, typed);
    c.insertText(completion);
    const QString rest = c.block().text().mid(c.positionInBlock());
    if (!m_completingValue && !rest.trimmed().startsWith(QLatin1Char(':')))
        c.insertText(QStringLiteral(": "));
    c.endEditBlock();
    setTextCursor(c);
}

void CodeEditor::indentSelection(bool in)
{
    QTextCursor c = textCursor();
    const int startPos = qMin(c.anchor(), c.position());
    const int endPos = qMax(c.anchor(), c.position());
    QTextBlock first = document()->findBlock(startPos);
    QTextBlock last = document()->findBlock(endPos);
    if (last != first && endPos == last.position())
        last = last.previous();
    c.beginEditBlock();
    for (QTextBlock b = first; b.isValid(); b = b.next()) {
        QTextCursor at(b);
        if (in) {
            at.insertText(QStringLiteral("  "));
        } else {
            const QString t = b.text();
            const int n = t.startsWith(QLatin1String("  ")) ? 2 : t.startsWith(QLatin1Char(' '));
            at.movePosition(QTextCursor::Right, QTextCursor::KeepAnchor, n);
            at.removeSelectedText();
        }
        if (b == last)
            break;
    }
    c.endEditBlock();
}

bool CodeEditor::handlePairs(QKeyEvent *event)
{
    const QString typed = event->text();
    if (typed.size() != 1)
        return false;
    const QChar ch = typed[0];
    QTextCursor c = textCursor();
    const QString line = c.block().text();
    const int at = c.positionInBlock();
    const QChar next = at < line.size() ? line[at] : QChar();
    const QChar prev = at > 0 ? line[at - 1] : QChar();
    static const QString closers = QStringLiteral(")]}\"'");
    // Typing the closer that is already there steps over it.
    if (closers.contains(ch) && next == ch && !c.hasSelection()) {
        c.movePosition(QTextCursor::Right);
        setTextCursor(c);
        return true;
    }
    QChar closer;
    if (ch == QLatin1Char('['))
        closer = QLatin1Char(']');
    else if (ch == QLatin1Char('{'))
        closer = QLatin1Char('}');
    else if (ch == QLatin1Char('('))
        closer = QLatin1Char(')');
    else if ((ch == QLatin1Char('"') || ch == QLatin1Char('\'')) && !prev.isLetterOrNumber())
        closer = ch;
    if (closer.isNull())
        return false;
    if (!next.isNull() && !next.isSpace() && !closers.contains(next) && next != QLatin1Char(','))
        return false; // before a word: the user is wrapping something by hand
    c.beginEditBlock();
    const QString selected = c.selectedText();
    c.insertText(QString(ch) + selected + closer);
    c.movePosition(QTextCursor::Left);
    c.endEditBlock();
    setTextCursor(c);
    return true;
}

void CodeEditor::keyPressEvent(QKeyEvent *event)
{
    if (m_completer->popup()->isVisible()) {
        switch (event->key()) {
        case Qt::Key_Enter:
        case Qt::Key_Return:
        case Qt::Key_Escape:
        case Qt::Key_Tab:
        case Qt::Key_Backtab:
            event->ignore(); // the completer takes them
            return;
        default:
            break;
        }
    }
    if (event->key() == Qt::Key_Space && (event->modifiers() & Qt::ControlModifier)) {
        showCompletions(true);
        return;
    }
    QTextCursor c = textCursor();
    if (event->key() == Qt::Key_Tab && !(event->modifiers() & Qt::ControlModifier)) {
        if (c.hasSelection() && c.selectedText().contains(QChar::ParagraphSeparator))
            indentSelection(true);
        else
            c.insertText(QStringLiteral("  ")); // spaces only: YAML refuses tabs
        return;
    }
    if (event->key() == Qt::Key_Backtab) {
        indentSelection(false);
        return;
    }
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) &&
        !(event->modifiers() & (Qt::ControlModifier | Qt::AltModifier))) {
        const QString before = c.block().text().left(c.positionInBlock());
        int indent = 0;
        while (indent < before.size() && before[indent] == QLatin1Char(' '))
            ++indent;
        if (before.mid(indent).startsWith(QLatin1String("- ")))
            indent += 2;
        QString code = before.trimmed();
        if (code.endsWith(QLatin1Char(':')))
            indent += 2;
        c.beginEditBlock();
        c.insertText(QStringLiteral("\n") + QString(indent, QLatin1Char(' ')));
        c.endEditBlock();
        setTextCursor(c);
        ensureCursorVisible();
        return;
    }
    if (event->key() == Qt::Key_Backspace && !c.hasSelection()) {
        const QString line = c.block().text();
        const int at = c.positionInBlock();
        if (at > 0 && at < line.size()) {
            const QString pair = line.mid(at - 1, 2);
            if (pair == QLatin1String("[]") || pair == QLatin1String("{}") ||
                pair == QLatin1String("()") || pair == QLatin1String("\"\"") ||
                pair == QLatin1String("''")) {
                c.movePosition(QTextCursor::Left);
                c.movePosition(QTextCursor::Right, QTextCursor::KeepAnchor, 2);
                c.removeSelectedText();
                return;
            }
        }
    }
    if (!(event->modifiers() & (Qt::ControlModifier | Qt::AltModifier)) && handlePairs(event))
        return;
    QPlainTextEdit::keyPressEvent(event);
    const QString typed = event->text();
    if (!typed.isEmpty() && (typed[0].isLetterOrNumber() || typed[0] == QLatin1Char('_') ||
                             typed[0] == QLatin1Char('-')))
        showCompletions(false);
    else if (m_completer->popup()->isVisible() && event->key() != Qt::Key_Shift)
        m_completer->popup()->hide();
}

// ---------------------------------------------------------------------------------------------

FindBar::FindBar(QPlainTextEdit *editor, QWidget *parent)
    : QWidget(parent)
    , m_editor(editor)
    , m_find(new QLineEdit(this))
    , m_replace(new QLineEdit(this))
    , m_case(new QCheckBox(tr("Match case"), this))
    , m_status(new QLabel(this))
    , m_replaceRow(new QWidget(this))
{
    m_find->setPlaceholderText(tr("Find"));
    m_replace->setPlaceholderText(tr("Replace with"));
    auto *next = new QPushButton(tr("Next"), this);
    auto *previous = new QPushButton(tr("Previous"), this);
    auto *close = new QToolButton(this);
    close->setText(QStringLiteral("×"));
    close->setToolTip(tr("Close (Esc)"));
    auto *replaceOne = new QPushButton(tr("Replace"), m_replaceRow);
    auto *replaceAllButton = new QPushButton(tr("Replace All"), m_replaceRow);

    auto *top = new QHBoxLayout;
    top->addWidget(m_find, 1);
    top->addWidget(previous);
    top->addWidget(next);
    top->addWidget(m_case);
    top->addWidget(m_status);
    top->addWidget(close);
    auto *bottom = new QHBoxLayout(m_replaceRow);
    bottom->setContentsMargins(0, 0, 0, 0);
    bottom->addWidget(m_replace, 1);
    bottom->addWidget(replaceOne);
    bottom->addWidget(replaceAllButton);
    bottom->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->setSpacing(2);
    layout->addLayout(top);
    layout->addWidget(m_replaceRow);

    connect(m_find, &QLineEdit::returnPressed, this, [this] { find(false); });
    connect(next, &QPushButton::clicked, this, [this] { find(false); });
    connect(previous, &QPushButton::clicked, this, [this] { find(true); });
    connect(close, &QToolButton::clicked, this, [this] {
        hide();
        m_editor->setFocus();
    });
    connect(replaceOne, &QPushButton::clicked, this, [this] {
        QTextCursor c = m_editor->textCursor();
        const Qt::CaseSensitivity cs =
            m_case->isChecked() ? Qt::CaseSensitive : Qt::CaseInsensitive;
        if (c.hasSelection() && c.selectedText().compare(m_find->text(), cs) == 0)
            c.insertText(m_replace->text());
        find(false);
    });
    connect(replaceAllButton, &QPushButton::clicked, this, &FindBar::replaceAll);
    hide();
}

void FindBar::open(bool replace)
{
    m_replaceRow->setVisible(replace);
    show();
    const QString selected = m_editor->textCursor().selectedText();
    if (!selected.isEmpty() && !selected.contains(QChar::ParagraphSeparator))
        m_find->setText(selected);
    m_find->setFocus();
    m_find->selectAll();
}

bool FindBar::find(bool backwards)
{
    const QString needle = m_find->text();
    if (needle.isEmpty())
        return false;
    QTextDocument::FindFlags flags;
    if (backwards)
        flags |= QTextDocument::FindBackward;
    if (m_case->isChecked())
        flags |= QTextDocument::FindCaseSensitively;
    bool found = m_editor->find(needle, flags);
    if (!found) { // wrap around
        QTextCursor c = m_editor->textCursor();
        c.movePosition(backwards ? QTextCursor::End : QTextCursor::Start);
        m_editor->setTextCursor(c);
        found = m_editor->find(needle, flags);
    }
    m_status->setText(found ? QString() : tr("Not found"));
    return found;
}

int FindBar::replaceAll()
{
    const QString needle = m_find->text();
    if (needle.isEmpty())
        return 0;
    QTextDocument::FindFlags flags;
    if (m_case->isChecked())
        flags |= QTextDocument::FindCaseSensitively;
    QTextCursor edit(m_editor->document());
    edit.beginEditBlock();
    int n = 0;
    QTextCursor c = m_editor->document()->find(needle, 0, flags);
    while (!c.isNull()) {
        c.insertText(m_replace->text());
        ++n;
        c = m_editor->document()->find(needle, c.position(), flags);
    }
    edit.endEditBlock();
    m_status->setText(tr("%n replaced", nullptr, n));
    return n;
}

void FindBar::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Escape) {
        hide();
        m_editor->setFocus();
        return;
    }
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) &&
        (event->modifiers() & Qt::ShiftModifier)) {
        find(true);
        return;
    }
    QWidget::keyPressEvent(event);
}

} // namespace drover::ui
