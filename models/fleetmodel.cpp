#include "models/fleetmodel.h"

#include <QDateTime>
#include <QMetaObject>
#include <QPointer>

#include <algorithm>
#include <map>
#include <set>

namespace drover::models {

namespace {

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

/// "3 s ago", "2 min ago".
QString ago(std::int64_t ms)
{
    if (ms <= 0)
        return QStringLiteral("–");
    const qint64 s = std::max<qint64>(0, (QDateTime::currentMSecsSinceEpoch() - ms) / 1000);
    if (s < 120)
        return FleetModel::tr("%n s ago", nullptr, int(s));
    return FleetModel::tr("%n min ago", nullptr, int(s / 60));
}

} // namespace

FleetModel::FleetModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

QColor FleetModel::healthColor(fleet::Health health)
{
    switch (health) {
    case fleet::Health::Failing:
        return QColor(0xc8, 0x32, 0x2d); // red
    case fleet::Health::Degraded:
        return QColor(0xe0, 0x8e, 0x0b); // amber
    case fleet::Health::Ready:
        return QColor(0x2e, 0xa0, 0x43); // green
    case fleet::Health::Idle:
        return QColor(0x9a, 0xa0, 0xa6); // grey
    }
    return QColor(0x9a, 0xa0, 0xa6);
}

QString FleetModel::healthText(fleet::Health health)
{
    switch (health) {
    case fleet::Health::Failing:
        return tr("failing");
    case fleet::Health::Degraded:
        return tr("degraded");
    case fleet::Health::Ready:
        return tr("ready");
    case fleet::Health::Idle:
        return tr("idle");
    }
    return {};
}

void FleetModel::setMasters(std::vector<fleet::MasterRecord> masters)
{
    std::stable_sort(masters.begin(), masters.end(),
                     [](const fleet::MasterRecord &a, const fleet::MasterRecord &b) {
                         const double sa = a.score(), sb = b.score();
                         return sa != sb ? sa < sb : a.name < b.name;
                     });
    std::set<std::string> names;
    for (const fleet::MasterRecord &m : masters)
        for (const fleet::PoolBrief &p : m.pools)
            names.insert(p.name);
    QStringList pools;
    for (const std::string &n : names)
        pools << qs(n);
    std::set<std::string> keys, oldKeys;
    for (const fleet::MasterRecord &m : masters)
        keys.insert(m.key);
    for (const fleet::MasterRecord &m : m_rows)
        oldKeys.insert(m.key);
    if (pools != m_pools || keys != oldKeys) { // masters or pool columns came or went
        beginResetModel();
        m_rows = std::move(masters);
        m_pools = std::move(pools);
        endResetModel();
        return;
    }
    const bool sameOrder = std::equal(
        masters.begin(), masters.end(), m_rows.begin(),
        [](const fleet::MasterRecord &a, const fleet::MasterRecord &b) { return a.key == b.key; });
    if (!sameOrder) {
        // The same masters in a new order (one got worse): moved, so that a selection stays
        // on its master.
        emit layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
        std::map<std::string, int> rowOfKey;
        for (std::size_t i = 0; i < masters.size(); ++i)
            rowOfKey[masters[i].key] = int(i);
        const QModelIndexList before = persistentIndexList();
        QModelIndexList after;
        for (const QModelIndex &i : before)
            after << index(rowOfKey[m_rows[std::size_t(i.row())].key], i.column());
        m_rows = std::move(masters);
        changePersistentIndexList(before, after);
        emit layoutChanged({}, QAbstractItemModel::VerticalSortHint);
        if (!m_rows.empty())
            emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
        return;
    }
    // The same order: only the rows whose master changed are repainted.
    std::swap(m_rows, masters);
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        if (!(m_rows[i] == masters[i]))
            emit dataChanged(index(int(i), 0), index(int(i), columnCount() - 1));
}

const fleet::MasterRecord *FleetModel::master(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? &m_rows[std::size_t(row)] : nullptr;
}

int FleetModel::rowOf(const QString &name) const
{
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        if (qs(m_rows[i].name) == name)
            return int(i);
    return -1;
}

int FleetModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int FleetModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : FixedColumns + int(m_pools.size()) + 3;
}

QVariant FleetModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Master:
        return tr("Master");
    case Health:
        return tr("Health");
    case Ready:
        return tr("Ready");
    }
    const int pool = section - FixedColumns;
    if (pool >= 0 && pool < m_pools.size())
        return m_pools[pool];
    switch (pool - int(m_pools.size())) {
    case 0:
        return tr("URL");
    case 1:
        return tr("Version");
    case 2:
        return tr("Updated");
    }
    return {};
}

QVariant FleetModel::data(const QModelIndex &index, int role) const
{
    const fleet::MasterRecord *m = master(index.row());
    if (!m)
        return {};
    if (role == KeyRole)
        return qs(m->key);
    const int col = index.column();
    const int pool = col - FixedColumns;
    if (pool >= 0 && pool < m_pools.size()) {
        const std::string name = m_pools[pool].toStdString();
        auto it = std::find_if(m->pools.begin(), m->pools.end(),
                               [&](const fleet::PoolBrief &p) { return p.name == name; });
        if (it == m->pools.end())
            return role == Qt::DisplayRole ? QVariant(QStringLiteral("·")) : QVariant();
        const fleet::Health h = fleet::healthOf(*it);
        switch (role) {
        case Qt::DisplayRole:
            return it->job ? tr("job") : QStringLiteral("%1/%2").arg(it->ready).arg(it->desired);
        case Qt::BackgroundRole: {
            QColor c = healthColor(h);
            c.setAlpha(h == fleet::Health::Ready ? 40 : 90);
            return c;
        }
        case Qt::TextAlignmentRole:
            return int(Qt::AlignCenter);
        case HealthRole:
            return int(h);
        case Qt::ToolTipRole:
            return tr("%1 on %2: %3 ready of %4 desired, %5 running, %6 failed")
                .arg(m_pools[pool], qs(m->name))
                .arg(it->ready)
                .arg(it->desired)
                .arg(it->running)
                .arg(it->failed);
        }
        return {};
    }
    const fleet::Health h = m->health();
    switch (role) {
    case Qt::DisplayRole:
        switch (col) {
        case Master:
            return qs(m->name);
        case Health:
            return healthText(h);
        case Ready:
            return QStringLiteral("%1/%2").arg(m->ready()).arg(m->desired());
        }
        switch (pool - int(m_pools.size())) {
        case 0:
            return qs(m->url);
        case 1:
            return qs(m->version);
        case 2:
            return ago(m->updatedMs);
        }
        return {};
    case Qt::DecorationRole:
        if (col == Health)
            return healthColor(h);
        return {};
    case HealthRole:
        return int(h);
    case Qt::ToolTipRole: {
        QString roles;
        for (const std::string &r : m->roles)
            roles += (roles.isEmpty() ? QString() : QStringLiteral(", ")) + qs(r);
        return tr("%1 at %2\nDrover %3 on %4 (pid %5)\nroles: %6\ncertificate: %7")
            .arg(qs(m->name), qs(m->url), qs(m->version), qs(m->host))
            .arg(m->pid)
            .arg(roles.isEmpty() ? tr("no tokens (loopback, open)") : roles,
                 m->fingerprint.empty() ? tr("none (ws)") : qs(m->fingerprint));
    }
    }
    return {};
}

FleetWatch::FleetWatch(Spec spec, QObject *parent)
    : QObject(parent)
    , m_spec(std::move(spec))
    , m_model(new FleetModel(this))
{
    fleet::EtcdOptions options;
    for (const QString &url : m_spec.etcd)
        if (auto e = config::EtcdEndpoint::parse(url.trimmed().toStdString()))
            options.endpoints.push_back(*e);
    if (!m_spec.ca.isEmpty() || !m_spec.cert.isEmpty())
        options.tls = config::EtcdTlsSpec{m_spec.ca.toStdString(), m_spec.cert.toStdString(),
                                          m_spec.key.toStdString()};
    QString prefix = m_spec.prefix.isEmpty() ? QStringLiteral("/drover/fleet/") : m_spec.prefix;
    if (!prefix.endsWith(QLatin1Char('/')))
        prefix += QLatin1Char('/');
    QPointer<FleetWatch> self(this);
    m_thread = std::make_unique<fleet::FollowerThread>(
        std::move(options), prefix.toStdString(),
        [self](const std::vector<fleet::MasterRecord> &masters,
               const fleet::FollowerStatus &status) {
            // On the follower's thread, at most ten times a second: one queued batch.
            QMetaObject::invokeMethod(
                self.data(),
                [self, masters, status] {
                    if (!self)
                        return;
                    self->m_status = status;
                    self->m_heard = true;
                    self->m_model->setMasters(masters);
                    emit self->changed();
                },
                Qt::QueuedConnection);
        });
}

FleetWatch::~FleetWatch()
{
    m_thread.reset(); // joins: no batch is queued after this
}

QString FleetWatch::statusText() const
{
    using State = fleet::FollowerStatus::State;
    const int n = m_model->rowCount();
    switch (m_status.state) {
    case State::Connecting:
        return tr("connecting to etcd %1…").arg(m_spec.etcd.join(QStringLiteral(", ")));
    case State::Following:
        return tr("%n master(s) under %1, followed live at %2", nullptr, n)
            .arg(m_spec.prefix, qs(m_status.message));
    case State::Retrying: {
        const qint64 left = std::max<qint64>(
            0, (m_status.retryAtMs - QDateTime::currentMSecsSinceEpoch() + 999) / 1000);
        return tr("etcd lost (%1): retry in %n s; the masters as last seen", nullptr, int(left))
            .arg(qs(m_status.message));
    }
    }
    return {};
}

QString FleetWatch::problemOf(const Spec &spec)
{
    if (spec.etcd.isEmpty())
        return tr("Give etcd's client URL, like http://127.0.0.1:2379.");
    for (const QString &url : spec.etcd)
        if (!config::EtcdEndpoint::parse(url.trimmed().toStdString()))
            return tr("\"%1\" is not an etcd URL like http://127.0.0.1:2379.").arg(url);
    if (!spec.prefix.startsWith(QLatin1Char('/')))
        return tr("The prefix starts with \"/\", like /drover/fleet/.");
    if (spec.cert.isEmpty() != spec.key.isEmpty())
        return tr("A client certificate needs both its file and its key.");
    return {};
}

} // namespace drover::models
