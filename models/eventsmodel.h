#pragma once

#include "api/types.h"

#include <QAbstractTableModel>

#include <deque>

namespace drover::models {

/// The newest events of a master (state changes, probes, scaling, config, audit), oldest at
/// the top; bounded, so that a chatty master costs the GUI a fixed amount of memory.
class EventsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Time, Kind, Subject, Message, ColumnCount };
    enum Role { KindRole = Qt::UserRole + 1 };
    static constexpr int kMaxRows = 10000;

    explicit EventsModel(QObject *parent = nullptr);

    /// Appends events (ids already shown are skipped: a query and the stream may overlap).
    void append(const std::vector<api::Event> &events);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::deque<api::Event> m_events;
    std::uint64_t m_lastId = 0;
};

} // namespace drover::models
