#include "ui/workerspane.h"

#include "api/ops.h"
#include "models/backendbridge.h"
#include "models/poolsmodel.h"
#include "models/workerfilter.h"
#include "models/workersmodel.h"
#include "ui/tableview.h"
#include "ui/workerdetail.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

namespace drover::ui {

WorkersPane::WorkersPane(models::BackendBridge *bridge, QWidget *parent)
    : QWidget(parent)
    , m_bridge(bridge)
    , m_filter(new models::WorkerFilter(this))
    , m_view(new QTableView(this))
    , m_search(new QLineEdit(this))
    , m_state(new QComboBox(this))
    , m_pool(new QComboBox(this))
    , m_count(new QLabel(this))
    , m_detail(new WorkerDetail(bridge, this))
    , m_start(new QAction(tr("Start"), this))
    , m_stop(new QAction(tr("Stop"), this))
    , m_restart(new QAction(tr("Restart"), this))
{
    m_filter->setSourceModel(bridge->workers());
    m_view->setModel(m_filter);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(models::WorkersModel::Name, Qt::AscendingOrder);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    setUpTable(m_view, {11, 10, 8, 6, 7, 6, 5, 7, 5, 10});

    m_search->setPlaceholderText(tr("Filter by name, pool, state, pid or exit…"));
    m_search->setClearButtonEnabled(true);
    m_state->addItem(tr("All states"), -1);
    for (int s = 0; s <= int(api::WorkerState::Failed); ++s)
        m_state->addItem(models::WorkersModel::stateText(api::WorkerState(s)), s);
    m_pool->addItem(tr("All pools"), QString());
    m_count->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_start->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_stop->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    m_restart->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    for (QAction *a : {m_start, m_stop, m_restart}) {
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        addAction(a);
    }
    // The desktop's icon theme where it has these, else ours (SVG: sharp at any scale).
    m_start->setIcon(QIcon::fromTheme(QStringLiteral("media-playback-start"),
                                      QIcon(QStringLiteral(":/icons/start.svg"))));
    m_stop->setIcon(QIcon::fromTheme(QStringLiteral("media-playback-stop"),
                                     QIcon(QStringLiteral(":/icons/stop.svg"))));
    m_restart->setIcon(QIcon::fromTheme(QStringLiteral("view-refresh"),
                                        QIcon(QStringLiteral(":/icons/restart.svg"))));

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_search, 1);
    bar->addWidget(m_state);
    bar->addWidget(m_pool);
    for (QAction *a : {m_start, m_stop, m_restart}) {
        auto *button = new QToolButton(this);
        button->setDefaultAction(a);
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        bar->addWidget(button);
    }
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(QStringLiteral("WorkersSplitter"));
    auto *top = new QWidget(split);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(m_view, 1);
    topLayout->addWidget(m_count);
    split->addWidget(top);
    split->addWidget(m_detail);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    layout->addWidget(split, 1);

    m_confirm = [this](const QString &question) {
        return QMessageBox::question(this, tr("Stop workers"), question,
                                     QMessageBox::Yes | QMessageBox::Cancel,
                                     QMessageBox::Cancel) == QMessageBox::Yes;
    };

    connect(m_search, &QLineEdit::textChanged, m_filter, &models::WorkerFilter::setText);
    connect(m_state, &QComboBox::currentIndexChanged, this, [this] {
        int s = m_state->currentData().toInt();
        m_filter->setState(s < 0 ? std::nullopt : std::optional(api::WorkerState(s)));
    });
    connect(m_pool, &QComboBox::currentIndexChanged, this,
            [this] { m_filter->setPool(m_pool->currentData().toString()); });
    connect(m_start, &QAction::triggered, this,
            [this] { act(api::Op::WorkerStart, tr("Started %1")); });
    connect(m_stop, &QAction::triggered, this, [this] {
        const QStringList ids = selectedWorkers();
        if (ids.isEmpty())
            return;
        const QString question =
            ids.size() == 1 ? tr("Stop %1? It stays stopped until someone starts it.").arg(ids[0])
                            : tr("Stop %n workers? They stay stopped until someone starts them.",
                                 nullptr, int(ids.size()));
        if (m_confirm(question))
            act(api::Op::WorkerStop, tr("Stopped %1"));
    });
    connect(m_restart, &QAction::triggered, this,
            [this] { act(api::Op::WorkerRestart, tr("Restarted %1")); });
    connect(m_view, &QWidget::customContextMenuRequested, this, [this](const QPoint &at) {
        QMenu menu(this);
        menu.addActions({m_start, m_stop, m_restart});
        menu.exec(m_view->viewport()->mapToGlobal(at));
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        updateActions();
        emit selectedWorkersChanged();
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                m_detail->setWorker(current.data(models::WorkersModel::IdRole).toString());
            });
    connect(bridge, &models::BackendBridge::snapshotApplied, this, [this] {
        // Something in the detail from the start: the first worker, until the user picks.
        if (!m_view->selectionModel()->currentIndex().isValid() && m_filter->rowCount() > 0)
            m_view->selectRow(0);
        updateActions();
    });
    // The pool filter follows the pools; the count follows everything.
    auto refresh = [this] {
        const QString current = m_pool->currentData().toString();
        QStringList names;
        for (const api::PoolInfo &p : m_bridge->pools()->rows())
            names << QString::fromStdString(p.name);
        names.sort();
        QStringList shown;
        for (int i = 1; i < m_pool->count(); ++i)
            shown << m_pool->itemData(i).toString();
        if (shown != names) {
            m_pool->blockSignals(true);
            while (m_pool->count() > 1)
                m_pool->removeItem(1);
            for (const QString &n : names)
                m_pool->addItem(n, n);
            m_pool->setCurrentIndex(std::max(0, m_pool->findData(current)));
            m_pool->blockSignals(false);
        }
        int ready = 0;
        for (const api::WorkerInfo &w : m_bridge->workers()->rows())
            ready += w.ready();
        m_count->setText(tr("%n worker(s) shown", nullptr, m_filter->rowCount()) +
                         QStringLiteral(" · ") +
                         tr("%1 of %2 ready").arg(ready).arg(m_bridge->workers()->rowCount()));
    };
    for (QAbstractItemModel *m : {static_cast<QAbstractItemModel *>(m_filter),
                                  static_cast<QAbstractItemModel *>(bridge->pools())}) {
        connect(m, &QAbstractItemModel::rowsInserted, this, refresh);
        connect(m, &QAbstractItemModel::rowsRemoved, this, refresh);
        connect(m, &QAbstractItemModel::modelReset, this, refresh);
        connect(m, &QAbstractItemModel::dataChanged, this, refresh);
    }
    updateActions();
    refresh();
}

void WorkersPane::showPool(const QString &pool)
{
    int i = m_pool->findData(pool);
    m_pool->setCurrentIndex(i < 0 ? 0 : i);
    m_filter->setPool(pool);
}

void WorkersPane::selectWorker(const QString &id)
{
    selectWorkers({id});
}

void WorkersPane::selectWorkers(const QStringList &ids)
{
    bool first = true;
    for (const QString &id : ids) {
        const int row = m_bridge->workers()->rowOf(id.toStdString());
        if (row < 0)
            continue;
        QModelIndex index = m_filter->mapFromSource(m_bridge->workers()->index(row, 0));
        if (!index.isValid()) { // filtered out: show everything
            m_search->clear();
            m_state->setCurrentIndex(0);
            showPool({});
            index = m_filter->mapFromSource(m_bridge->workers()->index(row, 0));
        }
        m_view->selectionModel()->setCurrentIndex(
            index, (first ? QItemSelectionModel::ClearAndSelect : QItemSelectionModel::Select) |
                       QItemSelectionModel::Rows);
        if (first)
            m_view->scrollTo(index);
        first = false;
    }
}

void WorkersPane::setConfirm(std::function<bool(const QString &)> confirm)
{
    m_confirm = std::move(confirm);
}

QStringList WorkersPane::selectedWorkers() const
{
    QStringList ids;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    for (const QModelIndex &index : rows)
        ids << index.data(models::WorkersModel::IdRole).toString();
    return ids;
}

void WorkersPane::updateActions()
{
    const bool may = m_bridge->role() >= api::Role::Operator;
    const bool any = !selectedWorkers().isEmpty();
    for (QAction *a : {m_start, m_stop, m_restart}) {
        a->setEnabled(may && any);
        const QString why =
            !may ? tr("Your role (%1) may not start, stop or restart workers: "
                      "that needs operator.")
                       .arg(QString::fromStdString(std::string(api::toString(m_bridge->role()))))
            : !any ? tr("Select one or more workers first.")
                   : QString();
        a->setToolTip(why.isEmpty()
                          ? a->text() + QStringLiteral(" (") +
                                a->shortcut().toString(QKeySequence::NativeText) + QLatin1Char(')')
                          : why);
    }
}

void WorkersPane::act(api::Op op, const QString &done)
{
    for (const QString &id : selectedWorkers()) {
        m_bridge->request(
            api::opName(op), {{"worker", id.toStdString()}}, [this, id, done](const api::Reply &r) {
                emit message(r.ok()
                                 ? done.arg(id)
                                 : tr("%1: %2").arg(id, QString::fromStdString(r.error().message)));
            });
    }
}

} // namespace drover::ui
