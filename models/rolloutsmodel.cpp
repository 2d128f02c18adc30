#include "models/rolloutsmodel.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>

namespace drover::models {

RolloutsModel::RolloutsModel(QObject *parent)
    : KeyedTableModel(parent)
{}

int RolloutsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RolloutsModel::data(const QModelIndex &index, int role) const
{
    const api::RolloutInfo *r = at(index.row());
    if (!r || index.column() < 0 || index.column() >= ColumnCount)
        return {};
    auto text = [](const std::string &s) { return QString::fromStdString(s); };
    auto deadline = [&]() -> QString {
        if (!r->active())
            return r->finishedAtMs > r->startedAtMs
                       ? tr("took %1 s")
                             .arg(double(r->finishedAtMs - r->startedAtMs) / 1000.0, 0, 'f', 1)
                       : QString();
        const std::int64_t now = m_nowMs ? m_nowMs : QDateTime::currentMSecsSinceEpoch();
        const std::int64_t elapsed = std::max<std::int64_t>(0, now - r->startedAtMs) / 1000;
        if (r->deadlineAtMs == 0)
            return r->phase == "paused" ? tr("%1 s in, paused").arg(elapsed)
                                        : tr("%1 s in").arg(elapsed);
        const std::int64_t left = std::max<std::int64_t>(0, r->deadlineAtMs - now);
        return tr("%1 s in, %2 s left").arg(elapsed).arg(left / 1000);
    };
    switch (role) {
    case PoolRole:
        return text(r->pool);
    case ActiveRole:
        return r->active();
    case PhaseRole:
        return text(r->phase);
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case Pool:
            return text(r->pool);
        case Strategy:
            return text(r->strategy);
        case Phase:
            return text(r->phase);
        case Revisions:
            return tr("%1 → %2").arg(text(r->fromRevision), text(r->toRevision));
        case NewReady:
            return tr("%1 of %2").arg(r->updatedReady).arg(r->desired);
        case Old:
            return r->old;
        case Step:
            return r->reason.empty() ? text(r->step) : text(r->reason);
        case Deadline:
            return deadline();
        case ColumnCount:
            break;
        }
        break;
    case Qt::ForegroundRole:
        if (index.column() == Phase) {
            if (r->phase == "complete")
                return QBrush(QColor(0x2e, 0x7d, 0x32));
            if (r->phase == "rolled-back" || r->phase == "failed" || r->phase == "aborted" ||
                r->phase == "rolling-back")
                return QBrush(QColor(0xc6, 0x28, 0x28));
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == Old)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        if (index.column() == Step)
            return r->reason.empty() ? text(r->step) : text(r->reason);
        return tr("Rollout %1 of pool %2, cause %3; %4 of the pool's workers ready")
            .arg(r->number)
            .arg(text(r->pool), text(r->cause))
            .arg(r->ready);
    default:
        break;
    }
    return {};
}

QVariant RolloutsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Pool:
        return tr("Pool");
    case Strategy:
        return tr("Strategy");
    case Phase:
        return tr("Phase");
    case Revisions:
        return tr("Revisions");
    case NewReady:
        return tr("New ready");
    case Old:
        return tr("Old left");
    case Step:
        return tr("Step");
    case Deadline:
        return tr("Deadline");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace drover::models
