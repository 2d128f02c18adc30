#pragma once

#include "api/types.h"
#include "models/keyedtablemodel.h"

#include <QColor>
#include <QTimer>

namespace drover::models {

/// Every worker of a master as a row: the workers pane's model. Fed by BackendBridge.
class WorkersModel : public KeyedTableModel<api::WorkerInfo>
{
    Q_OBJECT

public:
    enum Column {
        Name,
        Pool,
        State,
        Pid,
        Uptime,
        Restarts,
        Cpu,
        Rss,
        Ready,
        LastExit,
        ColumnCount
    };
    enum Role {
        IdRole = Qt::UserRole + 1, ///< the worker's id (QString)
        PoolRole,                  ///< its pool (QString), for filtering
        StateRole,                 ///< api::WorkerState as int
        SortRole,                  ///< the raw value to sort by
    };
    Q_ENUM(Column)

    explicit WorkersModel(QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    /// The colour a state is drawn in everywhere in the console (table, tiles, charts).
    static QColor stateColor(api::WorkerState state);
    /// The state's name for people (translated).
    static QString stateText(api::WorkerState state);

protected:
    std::string keyOf(const api::WorkerInfo &w) const override { return w.id; }
    std::pair<int, int> changedColumns(const api::WorkerInfo &before,
                                       const api::WorkerInfo &after) const override;

private:
    QTimer m_clock; ///< uptimes grow without deltas: their column is refreshed once a second
};

} // namespace drover::models
