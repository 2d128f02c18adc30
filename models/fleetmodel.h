#pragma once

#include "config/spec.h"
#include "fleet/follower.h"
#include "fleet/record.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QStringList>

#include <memory>
#include <vector>

namespace drover::models {

/// The masters of a fleet as rows, worst first (failing pools, then degraded, then by the
/// share of workers ready), with one column per pool name seen anywhere in the fleet: the
/// Fleet overview's model. A batch of the same masters updates them in place, moving rows
/// when the order changes, so a selection stays on its master; a master or a pool column
/// that comes or goes resets the model.
class FleetModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    /// Columns before the pools'; after them come Url, Version and Updated.
    enum Column { Master, Health, Ready, FixedColumns };
    enum Role {
        KeyRole = Qt::UserRole + 1, ///< the master's etcd key (QString)
        HealthRole,                 ///< fleet::Health of the row or the pool cell (int)
    };

    explicit FleetModel(QObject *parent = nullptr);

    void setMasters(std::vector<fleet::MasterRecord> masters);
    const std::vector<fleet::MasterRecord> &masters() const { return m_rows; }
    const QStringList &poolColumns() const { return m_pools; }
    /// The record of `row`, null out of range.
    const fleet::MasterRecord *master(int row) const;
    int rowOf(const QString &name) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    static QColor healthColor(fleet::Health health);
    static QString healthText(fleet::Health health);

private:
    std::vector<fleet::MasterRecord> m_rows;
    QStringList m_pools;
};

/// A fleet followed live: a fleet::FollowerThread whose batches come to the GUI thread
/// (queued, at most ten a second) into a FleetModel.
class FleetWatch : public QObject
{
    Q_OBJECT

public:
    struct Spec
    {
        QString name;     ///< what the sidebar calls it
        QStringList etcd; ///< client URLs
        QString prefix = QStringLiteral("/drover/fleet/");
        QString ca, cert, key; ///< https: etcd's CA; a client certificate
        /// A fleet without TLS: what `drover --fleet URL` and a test follow.
        static Spec plain(const QString &name, const QStringList &etcd, const QString &prefix)
        {
            Spec s;
            s.name = name;
            s.etcd = etcd;
            s.prefix = prefix;
            return s;
        }
        friend bool operator==(const Spec &, const Spec &) = default;
    };

    explicit FleetWatch(Spec spec, QObject *parent = nullptr);
    ~FleetWatch() override;

    const Spec &spec() const { return m_spec; }
    FleetModel *model() const { return m_model; }
    const fleet::FollowerStatus &status() const { return m_status; }
    /// Whether the first read of etcd has come (or failed).
    bool heard() const { return m_heard; }
    /// "following 3 masters at http://127.0.0.1:2379", "etcd lost (...): retry in 4 s".
    QString statusText() const;
    /// The URLs that do not parse (the dialog refuses them; saved settings may hold them).
    static QString problemOf(const Spec &spec);

signals:
    void changed();

private:
    Spec m_spec;
    FleetModel *m_model;
    fleet::FollowerStatus m_status;
    bool m_heard = false;
    std::unique_ptr<fleet::FollowerThread> m_thread;
};

} // namespace drover::models
