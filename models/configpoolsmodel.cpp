#include "models/configpoolsmodel.h"

#include <QStringList>

namespace drover {
namespace models {

namespace {

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

QString workersText(const config::PoolSpec &p)
{
    if (p.job) // runs at the times of its schedule, none at start
        return p.job->cron ? ConfigPoolsModel::tr("job: %1").arg(q(p.job->cron->text()))
                           : ConfigPoolsModel::tr("job, run when asked");
    if (p.autoscale)
        return ConfigPoolsModel::tr("%1..%2 (autoscaled)")
            .arg(p.autoscale->min)
            .arg(p.autoscale->max);
    return QString::number(p.replicas);
}

QString probesText(const config::PoolSpec &p)
{
    QStringList roles;
    if (p.probes.startup)
        roles << ConfigPoolsModel::tr("startup");
    if (p.probes.liveness)
        roles << ConfigPoolsModel::tr("liveness");
    if (p.probes.readiness)
        roles << ConfigPoolsModel::tr("readiness");
    return roles.isEmpty() ? ConfigPoolsModel::tr("none") : roles.join(QStringLiteral(", "));
}

} // namespace

ConfigPoolsModel::ConfigPoolsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void ConfigPoolsModel::setConfig(const config::Config &config)
{
    beginResetModel();
    m_pools = config.pools;
    endResetModel();
}

int ConfigPoolsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_pools.size());
}

int ConfigPoolsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ConfigPoolsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const config::PoolSpec &p = m_pools[static_cast<std::size_t>(index.row())];
    if (role == ValueRole) {
        switch (index.column()) {
        case Name:
            return q(p.name);
        case Workers:
            return p.maxWorkers();
        case Ports:
            return p.ports ? p.ports->first : 0;
        case Probes:
            return p.probes.count();
        case Gateway:
            return p.gateway ? q(p.gateway->listen.toString()) : QString();
        case DependsOn:
            return static_cast<int>(p.dependsOn.size());
        case Revision:
            return q(p.revision);
        }
        return {};
    }
    if (role == Qt::ToolTipRole && index.column() == Name) {
        QStringList argv;
        for (const std::string &a : p.command)
            argv << q(a);
        return argv.join(QLatin1Char(' '));
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Name:
        return q(p.name);
    case Workers:
        return workersText(p);
    case Ports:
        return p.ports ? q(p.ports->toString()) : QString();
    case Probes:
        return probesText(p);
    case Gateway:
        return p.gateway ? q(p.gateway->listen.toString()) : QString();
    case DependsOn: {
        QStringList deps;
        for (const std::string &d : p.dependsOn)
            deps << q(d);
        return deps.join(QStringLiteral(", "));
    }
    case Revision:
        return q(p.revision);
    }
    return {};
}

QVariant ConfigPoolsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Pool");
    case Workers:
        return tr("Workers");
    case Ports:
        return tr("Ports");
    case Probes:
        return tr("Probes");
    case Gateway:
        return tr("Gateway");
    case DependsOn:
        return tr("Depends on");
    case Revision:
        return tr("Revision");
    }
    return {};
}

} // namespace models
} // namespace drover
