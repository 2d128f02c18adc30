#pragma once

#include <QWidget>

class QTableView;

namespace drover::models {
class BackendBridge;
class EventsModel;
} // namespace drover::models

namespace drover::ui {

/// The events pane: what happened on the master, newest at the bottom (state changes with
/// their reasons, probes, scaling, config, audit), with a search box.
class EventsPane : public QWidget
{
    Q_OBJECT

public:
    explicit EventsPane(models::BackendBridge *bridge, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    models::EventsModel *model() const { return m_model; }

private:
    models::EventsModel *m_model;
    QTableView *m_view;
};

} // namespace drover::ui
