#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace drover::models {

/// One row of a side-by-side diff: a line on the left, on the right, or both.
struct DiffRow
{
    enum class Kind {
        Same,    ///< the same line on both sides
        Changed, ///< a left line replaced by a right line
        Removed, ///< only on the left
        Added,   ///< only on the right
        Folded,  ///< `count` unchanged lines left out
    };
    Kind kind = Kind::Same;
    int left = -1;  ///< 0-based line of the left text, -1: none
    int right = -1; ///< 0-based line of the right text
    int count = 0;  ///< Folded: how many unchanged lines
    friend bool operator==(const DiffRow &, const DiffRow &) = default;
};

/// Line diffs for the config editor's review, conflict and history views (Myers' O(ND)
/// algorithm on the lines after their common head and tail).
class LineDiff
{
public:
    /// Every line of `left` and `right` as rows: removals and additions next to each other are
    /// paired as changes. With `context` >= 0, runs of unchanged lines longer than 2 * context
    /// + 1 keep `context` lines at each end and fold the rest into one row.
    static QList<DiffRow> rows(const QStringList &left, const QStringList &right, int context = -1);
    /// Rows that are not Same or Folded.
    static int changes(const QList<DiffRow> &rows);

    /// For each line of `from`, its line in `to` when it is kept unchanged; -1 otherwise.
    static QList<int> keptLines(const QStringList &from, const QStringList &to);

    struct Merge
    {
        QString text;
        int conflicts = 0; ///< regions marked with <<<<<<< / ======= / >>>>>>>
    };
    /// Three-way merge by lines: the edits from `base` to `ours` made on `theirs`. Where both
    /// changed the same lines, both versions are kept between conflict markers (which the
    /// validator then reports, so they cannot be applied by mistake).
    static Merge merge(const QString &base, const QString &ours, const QString &theirs);

    static QStringList lines(const QString &text);
};

} // namespace drover::models
