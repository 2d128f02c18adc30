#pragma once

#include "api/types.h"
#include "models/keyedtablemodel.h"

namespace drover::models {

/// Every pool of a master as a row: the pools pane's model. Fed by BackendBridge.
class PoolsModel : public KeyedTableModel<api::PoolInfo>
{
    Q_OBJECT

public:
    enum Column { Name, Desired, Running, Ready, Restarts, Revision, Status, ColumnCount };
    enum Role {
        NameRole = Qt::UserRole + 1, ///< the pool's name (QString)
        SortRole,                    ///< the raw value to sort by
    };
    Q_ENUM(Column)

    explicit PoolsModel(QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

protected:
    std::string keyOf(const api::PoolInfo &p) const override { return p.name; }
};

} // namespace drover::models
