#pragma once

#include "api/diagnostic.h"

#include <QAbstractTableModel>
#include <QList>
#include <QString>

#include <vector>

namespace drover::models {

/// One problem of the text in the config editor: where (1-based line and column, the YAML
/// path), what, and the validator's "did you mean" when it has one.
struct Problem
{
    enum class Severity { Error, Warning };
    Severity severity = Severity::Error;
    int line = 0;   ///< 1-based; 0: the whole file
    int column = 0; ///< 1-based
    QString path;
    QString message;
    QString suggestion; ///< `replicas` for `... (did you mean "replicas"?)`

    /// The validator's diagnostics (config.validate's `details`) as problems.
    static QList<Problem> fromDiagnostics(const std::vector<api::Diagnostic> &diagnostics);
    friend bool operator==(const Problem &, const Problem &) = default;
};

/// The problems panel of the config editor: severity, line:column, path, message, "did you
/// mean". Replaced as a whole after each validation (a reset: the list is a snapshot).
class ProblemsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Severity, Position, Path, Message, Suggestion, ColumnCount };
    enum Role {
        ValueRole = Qt::UserRole + 1, ///< raw values: the line for Position, for sorting
        ColumnRole,                   ///< the 1-based column (any column of the row)
    };

    explicit ProblemsModel(QObject *parent = nullptr);

    void setProblems(QList<Problem> problems);
    const QList<Problem> &problems() const { return m_problems; }
    const Problem &problem(int row) const { return m_problems.at(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<Problem> m_problems;
};

} // namespace drover::models
