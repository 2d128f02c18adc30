#pragma once

#include "api/types.h"

#include <QSortFilterProxyModel>

#include <optional>

namespace drover::models {

/// The workers pane's sorting and filtering over WorkersModel: by text (id, pool, state, last
/// exit, pid), by state and by pool; sorted on WorkersModel::SortRole (api-2 before api-10).
class WorkerFilter : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit WorkerFilter(QObject *parent = nullptr);

    void setText(const QString &text);
    void setState(std::optional<api::WorkerState> state);
    void setPool(const QString &pool); ///< empty: every pool

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    /// By name: pool, then index, straight from the rows (no key strings built per compare).
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    QString m_text;
    std::optional<api::WorkerState> m_state;
    QString m_pool;
};

} // namespace drover::models
