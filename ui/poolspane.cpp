#include "ui/poolspane.h"

#include "api/ops.h"
#include "models/backendbridge.h"
#include "models/poolsmodel.h"
#include "models/workersmodel.h"
#include "ui/pooldebugger.h"
#include "ui/pooltiles.h"
#include "ui/tableview.h"

#include <QAction>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

namespace drover::ui {

PoolsPane::PoolsPane(models::BackendBridge *bridge, QWidget *parent)
    : QWidget(parent)
    , m_bridge(bridge)
    , m_view(new QTableView(this))
    , m_scale(new QAction(tr("Scale…"), this))
    , m_tiles(new PoolTiles(bridge->workers(), this))
{
    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(bridge->pools());
    proxy->setSortRole(models::PoolsModel::SortRole);
    m_view->setModel(proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(models::PoolsModel::Name, Qt::AscendingOrder);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    setUpTable(m_view, {11, 7, 6, 6, 7, 11});

    m_scale->setIcon(QIcon(QStringLiteral(":/icons/scale.svg")));
    m_scale->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Plus));
    m_scale->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(m_scale);
    auto *button = new QToolButton(this);
    button->setDefaultAction(m_scale);
    button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    auto *bar = new QHBoxLayout;
    bar->addStretch(1);
    bar->addWidget(button);
    m_debugger = new PoolDebugger(bridge, m_tiles, this); // holds the tiles
    auto *split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(QStringLiteral("PoolsSplitter"));
    split->addWidget(m_view);
    split->addWidget(m_debugger);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);
    split->setSizes({110, 600}); // the table holds a few pools; the debugger needs the room
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(split, 1);
    auto *hint = new QLabel(tr("Double-click a pool for its workers; below, the selected "
                               "pool's workers and traffic (every pool's workers when none is "
                               "selected)."),
                            this);
    hint->setWordWrap(true);
    bar->insertWidget(0, hint, 1);
    connect(m_tiles, &PoolTiles::workerActivated, this, &PoolsPane::workerActivated);

    m_ask = [this](const QString &pool, int current, int &size) {
        bool ok = false;
        size = QInputDialog::getInt(this, tr("Scale %1").arg(pool),
                                    tr("Number of workers in %1:").arg(pool), current, 0, 100000, 1,
                                    &ok);
        return ok;
    };
    connect(m_scale, &QAction::triggered, this, [this] {
        const QString pool = selectedPool();
        const int row = m_bridge->pools()->rowOf(pool.toStdString());
        if (row < 0)
            return;
        int size = 0;
        if (!m_ask(pool, m_bridge->pools()->at(row)->desired, size))
            return;
        m_bridge->request(
            api::opName(api::Op::PoolScale), {{"pool", pool.toStdString()}, {"replicas", size}},
            [this, pool, size](const api::Reply &r) {
                emit message(
                    r.ok() ? tr("%1 scaled to %2").arg(pool).arg(size)
                           : tr("%1: %2").arg(pool, QString::fromStdString(r.error().message)));
            });
    });
    connect(m_view, &QAbstractItemView::doubleClicked, this, [this](const QModelIndex &index) {
        emit poolActivated(index.data(models::PoolsModel::NameRole).toString());
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        updateActions();
        m_tiles->setPool(selectedPool());
        m_debugger->setPool(selectedPool());
        emit currentPoolChanged(selectedPool());
    });
    connect(bridge, &models::BackendBridge::snapshotApplied, this, &PoolsPane::updateActions);
    updateActions();
}

void PoolsPane::setAskSize(std::function<bool(const QString &, int, int &)> ask)
{
    m_ask = std::move(ask);
}

QString PoolsPane::selectedPool() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows[0].data(models::PoolsModel::NameRole).toString();
}

void PoolsPane::updateActions()
{
    const bool may = m_bridge->role() >= api::Role::Operator;
    m_scale->setEnabled(may && !selectedPool().isEmpty());
    m_scale->setToolTip(
        !may ? tr("Your role (%1) may not scale pools: that needs operator.")
                   .arg(QString::fromStdString(std::string(api::toString(m_bridge->role()))))
             : tr("Set the number of workers of the selected pool"));
}

} // namespace drover::ui
