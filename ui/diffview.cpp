#include "ui/diffview.h"

#include <QGridLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTextBlock>

namespace drover::ui {

using models::DiffRow;

DiffView::DiffView(QWidget *parent)
    : QWidget(parent)
    , m_leftTitle(new QLabel(this))
    , m_rightTitle(new QLabel(this))
    , m_left(new QPlainTextEdit(this))
    , m_right(new QPlainTextEdit(this))
{
    QFont mono(QStringLiteral("DejaVu Sans Mono"));
    mono.setStyleHint(QFont::Monospace);
    for (QPlainTextEdit *side : {m_left, m_right}) {
        side->setReadOnly(true);
        side->setLineWrapMode(QPlainTextEdit::NoWrap);
        side->setFont(mono);
    }
    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_leftTitle, 0, 0);
    layout->addWidget(m_rightTitle, 0, 1);
    layout->addWidget(m_left, 1, 0);
    layout->addWidget(m_right, 1, 1);
    // One scroll position for both: the rows line up.
    connect(m_left->verticalScrollBar(), &QScrollBar::valueChanged, m_right->verticalScrollBar(),
            &QScrollBar::setValue);
    connect(m_right->verticalScrollBar(), &QScrollBar::valueChanged, m_left->verticalScrollBar(),
            &QScrollBar::setValue);
    connect(m_left->horizontalScrollBar(), &QScrollBar::valueChanged,
            m_right->horizontalScrollBar(), &QScrollBar::setValue);
    connect(m_right->horizontalScrollBar(), &QScrollBar::valueChanged,
            m_left->horizontalScrollBar(), &QScrollBar::setValue);
}

void DiffView::setTexts(const QString &leftTitle, const QString &left, const QString &rightTitle,
                        const QString &right)
{
    m_leftTitle->setText(leftTitle);
    m_rightTitle->setText(rightTitle);
    const QStringList a = models::LineDiff::lines(left);
    const QStringList b = models::LineDiff::lines(right);
    m_rows = models::LineDiff::rows(a, b, m_context);

    const bool dark = palette().color(QPalette::Base).lightness() < 128;
    const QColor removed = dark ? QColor(0x5a, 0x1e, 0x24) : QColor(0xff, 0xdc, 0xe0);
    const QColor added = dark ? QColor(0x1d, 0x4a, 0x2a) : QColor(0xd7, 0xf5, 0xdd);
    const QColor changed = dark ? QColor(0x4f, 0x45, 0x1a) : QColor(0xff, 0xf1, 0xbf);
    const QColor folded = palette().color(QPalette::AlternateBase);

    QStringList leftLines;
    QStringList rightLines;
    QList<QColor> leftColours;
    QList<QColor> rightColours;
    auto number = [](int line) {
        return line < 0 ? QStringLiteral("     ") : QStringLiteral("%1 ").arg(line + 1, 4);
    };
    for (const DiffRow &r : m_rows) {
        switch (r.kind) {
        case DiffRow::Kind::Folded: {
            const QString text = tr("⋯ %n unchanged line(s)", nullptr, r.count);
            leftLines << text;
            rightLines << text;
            leftColours << folded;
            rightColours << folded;
            break;
        }
        case DiffRow::Kind::Same:
            leftLines << number(r.left) + a[r.left];
            rightLines << number(r.right) + b[r.right];
            leftColours << QColor();
            rightColours << QColor();
            break;
        case DiffRow::Kind::Changed:
            leftLines << number(r.left) + a[r.left];
            rightLines << number(r.right) + b[r.right];
            leftColours << changed;
            rightColours << changed;
            break;
        case DiffRow::Kind::Removed:
            leftLines << number(r.left) + a[r.left];
            rightLines << QString();
            leftColours << removed;
            rightColours << folded;
            break;
        case DiffRow::Kind::Added:
            leftLines << QString();
            rightLines << number(r.right) + b[r.right];
            leftColours << folded;
            rightColours << added;
            break;
        }
    }
    auto fill = [](QPlainTextEdit *view, const QStringList &lines, const QList<QColor> &colours) {
        view->setPlainText(lines.join(QLatin1Char('\n')));
        QList<QTextEdit::ExtraSelection> marks;
        QTextBlock block = view->document()->firstBlock();
        for (int i = 0; i < colours.size() && block.isValid(); ++i, block = block.next()) {
            if (!colours[i].isValid())
                continue;
            QTextEdit::ExtraSelection s;
            s.format.setBackground(colours[i]);
            s.format.setProperty(QTextFormat::FullWidthSelection, true);
            s.cursor = QTextCursor(block);
            marks << s;
        }
        view->setExtraSelections(marks);
    };
    fill(m_left, leftLines, leftColours);
    fill(m_right, rightLines, rightColours);
    // Start at the first change.
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].kind != DiffRow::Kind::Same && m_rows[i].kind != DiffRow::Kind::Folded) {
            QTextCursor c(m_left->document()->findBlockByNumber(qMax(0, i - 3)));
            m_left->setTextCursor(c);
            m_left->ensureCursorVisible();
            break;
        }
    }
}

} // namespace drover::ui
