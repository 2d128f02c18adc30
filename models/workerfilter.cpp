#include "models/workerfilter.h"

#include "models/workersmodel.h"

#include <tuple>

namespace drover::models {

WorkerFilter::WorkerFilter(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(WorkersModel::SortRole);
    setDynamicSortFilter(true);
}

void WorkerFilter::setText(const QString &text)
{
    m_text = text.trimmed();
    invalidateFilter();
}

void WorkerFilter::setState(std::optional<api::WorkerState> state)
{
    m_state = state;
    invalidateFilter();
}

void WorkerFilter::setPool(const QString &pool)
{
    m_pool = pool;
    invalidateFilter();
}

bool WorkerFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *source = sourceModel();
    auto at = [&](int column, int role = Qt::DisplayRole) {
        return source->index(sourceRow, column, sourceParent).data(role);
    };
    if (m_state && at(0, WorkersModel::StateRole).toInt() != int(*m_state))
        return false;
    if (!m_pool.isEmpty() && at(0, WorkersModel::PoolRole).toString() != m_pool)
        return false;
    if (m_text.isEmpty())
        return true;
    for (int column : {WorkersModel::Name, WorkersModel::Pool, WorkersModel::State,
                       WorkersModel::Pid, WorkersModel::LastExit}) {
        if (at(column).toString().contains(m_text, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

bool WorkerFilter::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const auto *model = qobject_cast<const WorkersModel *>(sourceModel());
    if (model && left.column() == WorkersModel::Name && right.column() == WorkersModel::Name) {
        const api::WorkerInfo *a = model->at(left.row());
        const api::WorkerInfo *b = model->at(right.row());
        if (a && b) // api-2 before api-10; adopted processes by name
            return std::tie(a->pool, a->index, a->id) < std::tie(b->pool, b->index, b->id);
    }
    return QSortFilterProxyModel::lessThan(left, right);
}

} // namespace drover::models
