#include "models/linediff.h"

#include <QHash>

#include <algorithm>
#include <vector>

namespace drover::models {

namespace {

enum class Op { Keep, Del, Ins };

/// Myers' shortest edit script of a -> b (ints), as a list of operations.
std::vector<Op> editScript(const std::vector<int> &a, const std::vector<int> &b)
{
    const int n = int(a.size());
    const int m = int(b.size());
    const int max = n + m;
    std::vector<Op> ops;
    if (max == 0)
        return ops;
    const int offset = max + 1;
    std::vector<int> v(std::size_t(2 * max + 3), 0);
    std::vector<std::vector<int>> trace; // v[-d..d] after each d
    int found = -1;
    for (int d = 0; d <= max && found < 0; ++d) {
        for (int k = -d; k <= d; k += 2) {
            int x;
            if (k == -d ||
                (k != d && v[std::size_t(offset + k - 1)] < v[std::size_t(offset + k + 1)]))
                x = v[std::size_t(offset + k + 1)];
            else
                x = v[std::size_t(offset + k - 1)] + 1;
            int y = x - k;
            while (x < n && y < m && a[std::size_t(x)] == b[std::size_t(y)]) {
                ++x;
                ++y;
            }
            v[std::size_t(offset + k)] = x;
            if (x >= n && y >= m) {
                found = d;
                break;
            }
        }
        trace.emplace_back(v.begin() + (offset - d), v.begin() + (offset + d + 1));
    }
    // Walk back through the trace.
    int x = n;
    int y = m;
    for (int d = found; d > 0; --d) {
        const std::vector<int> &prev = trace[std::size_t(d - 1)]; // indexes k + (d - 1)
        auto at = [&prev, d](int k) { return prev[std::size_t(k + d - 1)]; };
        const int k = x - y;
        int prevK;
        if (k == -d || (k != d && at(k - 1) < at(k + 1)))
            prevK = k + 1;
        else
            prevK = k - 1;
        const int prevX = at(prevK);
        const int prevY = prevX - prevK;
        while (x > prevX && y > prevY) {
            ops.push_back(Op::Keep);
            --x;
            --y;
        }
        ops.push_back(x == prevX ? Op::Ins : Op::Del);
        x = prevX;
        y = prevY;
    }
    while (x > 0 && y > 0) {
        ops.push_back(Op::Keep);
        --x;
        --y;
    }
    std::reverse(ops.begin(), ops.end());
    return ops;
}

/// The edit script of whole line lists, common head and tail taken off first.
std::vector<Op> lineScript(const QStringList &left, const QStringList &right)
{
    int head = 0;
    const int ln = int(left.size());
    const int rn = int(right.size());
    while (head < ln && head < rn && left[head] == right[head])
        ++head;
    int tail = 0;
    while (tail < ln - head && tail < rn - head && left[ln - 1 - tail] == right[rn - 1 - tail])
        ++tail;
    QHash<QString, int> ids;
    auto idOf = [&ids](const QString &s) {
        auto it = ids.find(s);
        if (it == ids.end())
            it = ids.insert(s, int(ids.size()));
        return *it;
    };
    std::vector<int> a;
    std::vector<int> b;
    for (int i = head; i < ln - tail; ++i)
        a.push_back(idOf(left[i]));
    for (int i = head; i < rn - tail; ++i)
        b.push_back(idOf(right[i]));
    std::vector<Op> ops(std::size_t(head), Op::Keep);
    std::vector<Op> middle = editScript(a, b);
    ops.insert(ops.end(), middle.begin(), middle.end());
    ops.insert(ops.end(), std::size_t(tail), Op::Keep);
    return ops;
}

} // namespace

QStringList LineDiff::lines(const QString &text)
{
    QStringList out = text.split(QLatin1Char('\n'));
    if (!out.isEmpty() && out.last().isEmpty())
        out.removeLast(); // the final newline ends the last line; it is not a line of its own
    return out;
}

QList<DiffRow> LineDiff::rows(const QStringList &left, const QStringList &right, int context)
{
    const std::vector<Op> ops = lineScript(left, right);
    QList<DiffRow> all;
    int l = 0;
    int r = 0;
    std::size_t i = 0;
    while (i < ops.size()) {
        if (ops[i] == Op::Keep) {
            all.append({DiffRow::Kind::Same, l++, r++, 0});
            ++i;
            continue;
        }
        // A block of deletions and insertions: paired as changes, the rest alone.
        QList<int> dels;
        QList<int> inss;
        while (i < ops.size() && ops[i] != Op::Keep) {
            if (ops[i] == Op::Del)
                dels << l++;
            else
                inss << r++;
            ++i;
        }
        const int pairs = int(std::min(dels.size(), inss.size()));
        for (int p = 0; p < pairs; ++p)
            all.append({DiffRow::Kind::Changed, dels[p], inss[p], 0});
        for (int p = pairs; p < dels.size(); ++p)
            all.append({DiffRow::Kind::Removed, dels[p], -1, 0});
        for (int p = pairs; p < inss.size(); ++p)
            all.append({DiffRow::Kind::Added, -1, inss[p], 0});
    }
    if (context < 0)
        return all;
    QList<DiffRow> out;
    int k = 0;
    while (k < all.size()) {
        if (all[k].kind != DiffRow::Kind::Same) {
            out << all[k++];
            continue;
        }
        int end = k;
        while (end < all.size() && all[end].kind == DiffRow::Kind::Same)
            ++end;
        const int run = end - k;
        const int keepHead = k == 0 ? 0 : context;
        const int keepTail = end == all.size() ? 0 : context;
        if (run > keepHead + keepTail + 1) {
            for (int j = k; j < k + keepHead; ++j)
                out << all[j];
            out.append({DiffRow::Kind::Folded, all[k + keepHead].left, all[k + keepHead].right,
                        run - keepHead - keepTail});
            for (int j = end - keepTail; j < end; ++j)
                out << all[j];
        } else {
            for (int j = k; j < end; ++j)
                out << all[j];
        }
        k = end;
    }
    return out;
}

int LineDiff::changes(const QList<DiffRow> &rows)
{
    return int(std::count_if(rows.begin(), rows.end(), [](const DiffRow &r) {
        return r.kind != DiffRow::Kind::Same && r.kind != DiffRow::Kind::Folded;
    }));
}

QList<int> LineDiff::keptLines(const QStringList &from, const QStringList &to)
{
    QList<int> out(from.size(), -1);
    int l = 0;
    int r = 0;
    for (Op op : lineScript(from, to)) {
        if (op == Op::Keep)
            out[l++] = r++;
        else if (op == Op::Del)
            ++l;
        else
            ++r;
    }
    return out;
}

LineDiff::Merge LineDiff::merge(const QString &base, const QString &ours, const QString &theirs)
{
    const QStringList b = lines(base);
    const QStringList o = lines(ours);
    const QStringList t = lines(theirs);
    const QList<int> inOurs = keptLines(b, o);
    const QList<int> inTheirs = keptLines(b, t);
    // Stable lines: kept by both. Between two stable lines each side has a region; take the
    // changed one, or both between markers when both changed it differently.
    Merge out;
    QStringList result;
    int pb = -1; // the last stable base line
    int po = -1;
    int pt = -1;
    auto region = [](const QStringList &lines, int from, int to) {
        return lines.mid(from + 1, to - from - 1);
    };
    for (int i = 0; i <= b.size(); ++i) {
        const bool end = i == b.size();
        if (!end && (inOurs[i] < 0 || inTheirs[i] < 0))
            continue;
        const int io = end ? int(o.size()) : inOurs[i];
        const int it = end ? int(t.size()) : inTheirs[i];
        const QStringList rb = region(b, pb, i);
        const QStringList ro = region(o, po, io);
        const QStringList rt = region(t, pt, it);
        if (ro == rb)
            result << rt;
        else if (rt == rb || rt == ro)
            result << ro;
        else {
            ++out.conflicts;
            result << QStringLiteral("<<<<<<< theirs (running)") << rt << QStringLiteral("=======")
                   << ro << QStringLiteral(">>>>>>> yours");
        }
        if (!end)
            result << b[i];
        pb = i;
        po = io;
        pt = it;
    }
    out.text = result.join(QLatin1Char('\n'));
    if (!result.isEmpty())
        out.text += QLatin1Char('\n');
    return out;
}

} // namespace drover::models
