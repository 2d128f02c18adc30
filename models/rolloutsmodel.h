#pragma once

#include "api/types.h"
#include "models/keyedtablemodel.h"

namespace drover::models {

/// Each pool's current or last rollout as a row: the rollouts pane's model. Fed by
/// BackendBridge from the snapshot and the `rollout.upsert` deltas.
class RolloutsModel : public KeyedTableModel<api::RolloutInfo>
{
    Q_OBJECT

public:
    enum Column { Pool, Strategy, Phase, Revisions, NewReady, Old, Deadline, Step, ColumnCount };
    enum Role {
        PoolRole = Qt::UserRole + 1, ///< the pool's name (QString)
        ActiveRole,                  ///< whether the rollout acts (bool)
        PhaseRole,                   ///< its phase (QString)
    };
    Q_ENUM(Column)

    explicit RolloutsModel(QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    /// The time the Deadline column counts down from (tests set it; 0: the clock).
    void setNowMs(std::int64_t nowMs) { m_nowMs = nowMs; }

protected:
    std::string keyOf(const api::RolloutInfo &r) const override { return r.pool; }

private:
    std::int64_t m_nowMs = 0;
};

} // namespace drover::models
