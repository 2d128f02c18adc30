#include "models/problemsmodel.h"

#include <QRegularExpression>

namespace drover::models {

QList<Problem> Problem::fromDiagnostics(const std::vector<api::Diagnostic> &diagnostics)
{
    static const QRegularExpression didYouMean(
        QString::fromLatin1(R"re(\(did you mean (?:"([^"]+)"|(\{\{[^}]+\}\}))\?\))re"));
    QList<Problem> out;
    out.reserve(int(diagnostics.size()));
    for (const api::Diagnostic &d : diagnostics) {
        Problem p;
        p.line = d.line;
        p.column = d.column;
        p.path = QString::fromStdString(d.path);
        p.message = QString::fromStdString(d.message);
        auto m = didYouMean.match(p.message);
        if (m.hasMatch())
            p.suggestion = m.captured(1).isEmpty() ? m.captured(2) : m.captured(1);
        out << p;
    }
    return out;
}

ProblemsModel::ProblemsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void ProblemsModel::setProblems(QList<Problem> problems)
{
    if (problems == m_problems)
        return;
    beginResetModel();
    m_problems = std::move(problems);
    endResetModel();
}

int ProblemsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_problems.size());
}

int ProblemsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ProblemsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_problems.size())
        return {};
    const Problem &p = m_problems.at(index.row());
    if (role == ColumnRole)
        return p.column;
    if (role == ValueRole) {
        switch (index.column()) {
        case Severity:
            return int(p.severity);
        case Position:
            return p.line * 100000 + p.column;
        default:
            break;
        }
    }
    if (role == Qt::DisplayRole || role == ValueRole) {
        switch (index.column()) {
        case Severity:
            return p.severity == Problem::Severity::Error ? tr("error") : tr("warning");
        case Position:
            return p.line > 0 ? QStringLiteral("%1:%2").arg(p.line).arg(p.column) : QString();
        case Path:
            return p.path;
        case Message:
            return p.message;
        case Suggestion:
            return p.suggestion;
        default:
            break;
        }
    }
    if (role == Qt::ToolTipRole && index.column() == Message)
        return p.message;
    if (role == Qt::ToolTipRole && index.column() == Suggestion && !p.suggestion.isEmpty())
        return tr("Double-click to use \"%1\"").arg(p.suggestion);
    return {};
}

QVariant ProblemsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Severity:
        return tr("Severity");
    case Position:
        return tr("Line:Col");
    case Path:
        return tr("Path");
    case Message:
        return tr("Message");
    case Suggestion:
        return tr("Did you mean");
    default:
        return {};
    }
}

} // namespace drover::models
