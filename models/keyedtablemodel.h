#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QString>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace drover::models {

/// A table of objects that have a key (a worker's id, a pool's name), kept up to date from a
/// batch of changes the way a view wants it: rows that really come or go are inserted or
/// removed (a run at a time), changed rows become as few dataChanged ranges as possible,
/// unchanged ones send nothing, and only a snapshot resets the model.
template <class T>
class KeyedTableModel : public QAbstractTableModel
{
public:
    using QAbstractTableModel::QAbstractTableModel;

    /// A whole new state (a snapshot): one reset.
    void reset(std::vector<T> rows)
    {
        beginResetModel();
        m_rows = std::move(rows);
        reindex();
        endResetModel();
    }

    /// The newest state of each changed object, by key; nullopt: it is gone.
    void apply(const std::map<std::string, std::optional<T>> &changes)
    {
        // Gone: removed in runs of neighbouring rows, from the bottom up.
        std::vector<int> removed;
        for (const auto &[key, value] : changes) {
            if (!value) {
                int row = rowOf(key);
                if (row >= 0)
                    removed.push_back(row);
            }
        }
        if (!removed.empty()) {
            std::sort(removed.begin(), removed.end(), std::greater<int>());
            for (std::size_t i = 0; i < removed.size();) {
                std::size_t j = i;
                while (j + 1 < removed.size() && removed[j + 1] == removed[j] - 1)
                    ++j;
                beginRemoveRows({}, removed[j], removed[i]);
                m_rows.erase(m_rows.begin() + removed[j], m_rows.begin() + removed[i] + 1);
                endRemoveRows();
                i = j + 1;
            }
            reindex();
        }
        // Changed: replaced in place, then announced as ranges of neighbouring rows.
        // Only the columns that changed are announced: a sorting proxy re-sorts only when its
        // sort column is among them (usage changing every second must not re-sort by name).
        std::vector<int> changed;
        std::vector<const T *> added;
        int firstColumn = columnCount();
        int lastColumn = -1;
        for (const auto &[key, value] : changes) {
            if (!value)
                continue;
            int row = rowOf(key);
            if (row < 0) {
                added.push_back(&*value);
            } else if (!(m_rows[std::size_t(row)] == *value)) {
                const auto [first, last] = changedColumns(m_rows[std::size_t(row)], *value);
                firstColumn = std::min(firstColumn, first);
                lastColumn = std::max(lastColumn, last);
                m_rows[std::size_t(row)] = *value;
                changed.push_back(row);
            }
        }
        if (!changed.empty()) {
            std::sort(changed.begin(), changed.end());
            if (lastColumn < firstColumn) { // changed, but in nothing a column shows
                firstColumn = 0;
                lastColumn = columnCount() - 1;
            }
            // Many scattered rows: one range is cheaper for the view than many signals.
            if (changed.size() > 64) {
                emit dataChanged(index(changed.front(), firstColumn),
                                 index(changed.back(), lastColumn));
            } else {
                for (std::size_t i = 0; i < changed.size();) {
                    std::size_t j = i;
                    while (j + 1 < changed.size() && changed[j + 1] == changed[j] + 1)
                        ++j;
                    emit dataChanged(index(changed[i], firstColumn), index(changed[j], lastColumn));
                    i = j + 1;
                }
            }
        }
        // New: appended together, in key order.
        if (!added.empty()) {
            const int first = int(m_rows.size());
            beginInsertRows({}, first, first + int(added.size()) - 1);
            for (const T *value : added) {
                m_index.insert(QString::fromStdString(keyOf(*value)), int(m_rows.size()));
                m_rows.push_back(*value);
            }
            endInsertRows();
        }
    }

    int rowCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : int(m_rows.size());
    }

    /// The row of `key`, or -1.
    int rowOf(const std::string &key) const
    {
        return m_index.value(QString::fromStdString(key), -1);
    }
    const T *at(int row) const
    {
        return row >= 0 && row < int(m_rows.size()) ? &m_rows[std::size_t(row)] : nullptr;
    }
    const std::vector<T> &rows() const { return m_rows; }

protected:
    virtual std::string keyOf(const T &value) const = 0;
    /// The first and last column whose data differs between two states of a row (first >
    /// last: none). By default every column.
    virtual std::pair<int, int> changedColumns(const T &, const T &) const
    {
        return {0, columnCount() - 1};
    }

private:
    void reindex()
    {
        m_index.clear();
        m_index.reserve(int(m_rows.size()));
        for (std::size_t i = 0; i < m_rows.size(); ++i)
            m_index.insert(QString::fromStdString(keyOf(m_rows[i])), int(i));
    }

    std::vector<T> m_rows;
    QHash<QString, int> m_index;
};

} // namespace drover::models
