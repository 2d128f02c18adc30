#include "ui/eventspane.h"

#include "api/codec.h"
#include "api/ops.h"
#include "models/backendbridge.h"
#include "models/eventsmodel.h"
#include "ui/tableview.h"

#include <QLineEdit>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

namespace drover::ui {

EventsPane::EventsPane(models::BackendBridge *bridge, QWidget *parent)
    : QWidget(parent)
    , m_model(new models::EventsModel(this))
    , m_view(new QTableView(this))
{
    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(m_model);
    proxy->setFilterKeyColumn(-1);
    proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_view->setModel(proxy);
    setUpTable(m_view, {7, 10, 11});

    auto *search = new QLineEdit(this);
    search->setPlaceholderText(tr("Search events…"));
    search->setClearButtonEnabled(true);
    connect(search, &QLineEdit::textChanged, proxy, &QSortFilterProxyModel::setFilterFixedString);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(search);
    layout->addWidget(m_view, 1);

    // Stays at the bottom while the user is there.
    auto append = [this](const std::vector<api::Event> &events) {
        QScrollBar *bar = m_view->verticalScrollBar();
        const bool atEnd = bar->value() == bar->maximum();
        m_model->append(events);
        if (atEnd)
            m_view->scrollToBottom();
    };
    connect(bridge, &models::BackendBridge::eventsArrived, this, append);
    // What happened before the console came: the newest events, once.
    bridge->request(
        api::opName(api::Op::EventsQuery), {{"limit", 500}}, [append](const api::Reply &r) {
            if (!r.ok())
                return;
            std::vector<api::Event> events;
            for (const nlohmann::json &e : r->value("events", nlohmann::json::array())) {
                if (auto event = api::eventFromJson(e); event.ok())
                    events.push_back(std::move(*event));
            }
            append(events);
        });
}

} // namespace drover::ui
