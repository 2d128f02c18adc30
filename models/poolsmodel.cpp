#include "models/poolsmodel.h"

namespace drover::models {

PoolsModel::PoolsModel(QObject *parent)
    : KeyedTableModel(parent)
{}

int PoolsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PoolsModel::data(const QModelIndex &index, int role) const
{
    const api::PoolInfo *p = at(index.row());
    if (!p || index.column() < 0 || index.column() >= ColumnCount)
        return {};
    auto status = [p]() -> QString {
        if (!p->waitingFor.empty())
            return tr("waiting for %1").arg(QString::fromStdString(p->waitingFor));
        if (p->ready == p->desired)
            return tr("all ready");
        if (p->running < p->desired)
            return tr("%n starting", nullptr, p->desired - p->running);
        return tr("%n not ready", nullptr, p->desired - p->ready);
    };
    switch (role) {
    case NameRole:
        return QString::fromStdString(p->name);
    case Qt::DisplayRole:
    case SortRole:
        switch (Column(index.column())) {
        case Name:
            return QString::fromStdString(p->name);
        case Desired:
            if (role == Qt::DisplayRole && p->autoscaled)
                return tr("%1 (%2–%3)").arg(p->desired).arg(p->minWorkers).arg(p->maxWorkers);
            return p->desired;
        case Running:
            return p->running;
        case Ready:
            return p->ready;
        case Restarts:
            return p->restarts;
        case Revision:
            return QString::fromStdString(p->revision);
        case Status:
            return status();
        case ColumnCount:
            break;
        }
        break;
    case Qt::TextAlignmentRole:
        switch (Column(index.column())) {
        case Desired:
        case Running:
        case Ready:
        case Restarts:
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
        }
    case Qt::ToolTipRole:
        if (index.column() == Revision)
            return tr("A hash of the pool's template: a change of template is a new revision");
        if (p->gateway)
            return tr("Gateway on %1").arg(QString::fromStdString(*p->gateway));
        break;
    default:
        break;
    }
    return {};
}

QVariant PoolsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Name:
        return tr("Pool");
    case Desired:
        return tr("Desired");
    case Running:
        return tr("Running");
    case Ready:
        return tr("Ready");
    case Restarts:
        return tr("Restarts");
    case Revision:
        return tr("Revision");
    case Status:
        return tr("Status");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace drover::models
