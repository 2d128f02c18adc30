#include "models/eventsmodel.h"

#include <QDateTime>

namespace drover::models {

EventsModel::EventsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void EventsModel::append(const std::vector<api::Event> &events)
{
    std::vector<const api::Event *> fresh;
    for (const api::Event &e : events) {
        if (e.id > m_lastId)
            fresh.push_back(&e);
    }
    if (fresh.empty())
        return;
    m_lastId = fresh.back()->id;
    // Too many: the oldest rows go first, in one removal.
    const std::size_t total = m_events.size() + fresh.size();
    if (total > std::size_t(kMaxRows)) {
        const int drop = int(std::min(m_events.size(), total - std::size_t(kMaxRows)));
        if (drop > 0) {
            beginRemoveRows({}, 0, drop - 1);
            m_events.erase(m_events.begin(), m_events.begin() + drop);
            endRemoveRows();
        }
        if (fresh.size() > std::size_t(kMaxRows))
            fresh.erase(fresh.begin(), fresh.end() - kMaxRows);
    }
    const int first = int(m_events.size());
    beginInsertRows({}, first, first + int(fresh.size()) - 1);
    for (const api::Event *e : fresh)
        m_events.push_back(*e);
    endInsertRows();
}

int EventsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int EventsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventsModel::data(const QModelIndex &index, int role) const
{
    if (index.row() < 0 || index.row() >= int(m_events.size()))
        return {};
    const api::Event &e = m_events[std::size_t(index.row())];
    if (role == KindRole)
        return QString::fromStdString(e.kind);
    if (role == Qt::ToolTipRole) {
        const QString when = QDateTime::fromMSecsSinceEpoch(e.timeMs).toString(Qt::ISODateWithMs);
        return e.reason.empty() ? when
                                : when + QLatin1Char('\n') +
                                      tr("Reason: %1").arg(QString::fromStdString(e.reason));
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (Column(index.column())) {
    case Time:
        return QDateTime::fromMSecsSinceEpoch(e.timeMs).toString(QStringLiteral("HH:mm:ss"));
    case Kind:
        return QString::fromStdString(e.kind);
    case Subject:
        return QString::fromStdString(e.subject);
    case Message:
        return QString::fromStdString(e.message);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant EventsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Time:
        return tr("Time");
    case Kind:
        return tr("Kind");
    case Subject:
        return tr("Subject");
    case Message:
        return tr("Message");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace drover::models
