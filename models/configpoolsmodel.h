#pragma once

#include "config/spec.h"

#include <QAbstractTableModel>

namespace drover {
namespace models {

/// The pools of a config as a table: what a config will run, before anything runs. Used by
/// the console's preview and later by the config editor's summary.
class ConfigPoolsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Name, Workers, Ports, Probes, Gateway, DependsOn, Revision, ColumnCount };
    enum Role {
        ValueRole = Qt::UserRole + 1, ///< the raw value for sorting and filtering
    };

    explicit ConfigPoolsModel(QObject *parent = nullptr);

    /// Replaces the config (a full reset: this is a snapshot, not a delta).
    void setConfig(const config::Config &config);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<config::PoolSpec> m_pools;
};

} // namespace models
} // namespace drover
