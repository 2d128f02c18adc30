#include "ui/mainwindow.h"

#include "api/version.h"
#include "models/backendbridge.h"
#include "models/poolsmodel.h"
#include "models/workersmodel.h"
#include "ui/eventspane.h"
#include "ui/poolspane.h"
#include "ui/workerspane.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTreeWidget>

namespace drover::ui {

MainWindow::MainWindow(std::shared_ptr<api::Backend> backend, const QString &name, QWidget *parent)
    : QMainWindow(parent)
    , m_bridge(new models::BackendBridge(std::move(backend), this))
    , m_name(name)
    , m_sidebar(new QTreeWidget(this))
    , m_tabs(new QTabWidget(this))
    , m_workers(new WorkersPane(m_bridge, this))
    , m_pools(new PoolsPane(m_bridge, this))
    , m_events(new EventsPane(m_bridge, this))
    , m_connection(new QLabel(this))
    , m_summary(new QLabel(this))
{
    setObjectName(QStringLiteral("MainWindow"));
    setWindowTitle(tr("%1 – Drover").arg(name));
    setWindowIcon(QIcon(QStringLiteral(":/icons/drover.svg")));

    m_tabs->addTab(m_workers, tr("&Workers"));
    m_tabs->addTab(m_pools, tr("&Pools"));
    m_tabs->addTab(m_events, tr("&Events"));
    m_tabs->setDocumentMode(true);
    setCentralWidget(m_tabs);

    m_sidebar->setHeaderHidden(true);
    m_sidebar->setRootIsDecorated(true);
    auto *dock = new QDockWidget(tr("Connections"), this);
    dock->setObjectName(QStringLiteral("ConnectionsDock"));
    dock->setWidget(m_sidebar);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::LeftDockWidgetArea, dock);
    connect(m_sidebar, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem *item) {
        m_workers->showPool(item->data(0, Qt::UserRole).toString());
        m_tabs->setCurrentWidget(m_workers);
    });
    connect(m_pools, &PoolsPane::poolActivated, this, [this](const QString &pool) {
        m_workers->showPool(pool);
        m_tabs->setCurrentWidget(m_workers);
    });

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    QMenu *workers = menuBar()->addMenu(tr("W&orkers"));
    workers->addActions(
        {m_workers->startAction(), m_workers->stopAction(), m_workers->restartAction()});
    workers->addSeparator();
    workers->addAction(m_pools->scaleAction());
    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(dock->toggleViewAction());
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Drover"), this, [this] {
        QMessageBox::about(this, tr("About Drover"),
                           tr("<b>Drover %1</b><p>A process and pool manager for native workers: "
                              "supervision, health probes, pools and rollouts, with this "
                              "console, droverd and droverctl.</p>")
                               .arg(QLatin1String(kVersion)));
    });

    m_connection->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusBar()->addPermanentWidget(m_summary);
    statusBar()->addPermanentWidget(m_connection);
    auto say = [this](const QString &text) { statusBar()->showMessage(text, 5000); };
    connect(m_workers, &WorkersPane::message, this, say);
    connect(m_pools, &PoolsPane::message, this, say);

    for (QAbstractItemModel *m : {static_cast<QAbstractItemModel *>(m_bridge->workers()),
                                  static_cast<QAbstractItemModel *>(m_bridge->pools())}) {
        connect(m, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateSidebar);
        connect(m, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateSidebar);
        connect(m, &QAbstractItemModel::modelReset, this, &MainWindow::updateSidebar);
        connect(m, &QAbstractItemModel::dataChanged, this, &MainWindow::updateSidebar);
    }
    connect(m_bridge, &models::BackendBridge::snapshotApplied, this, &MainWindow::updateStatus);
    connect(m_bridge, &models::BackendBridge::eventsArrived, this, &MainWindow::updateStatus);
    updateSidebar();
    updateStatus();

    QSettings settings;
    resize(1100, 640);
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    resizeDocks({dock}, {300}, Qt::Horizontal);
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_workers->view()->horizontalHeader()->restoreState(
        settings.value(QStringLiteral("workers/header")).toByteArray());
    m_tabs->setCurrentIndex(settings.value(QStringLiteral("window/tab"), 0).toInt());

    m_bridge->start();
}

MainWindow::~MainWindow() = default;

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/tab"), m_tabs->currentIndex());
    settings.setValue(QStringLiteral("workers/header"),
                      m_workers->view()->horizontalHeader()->saveState());
    event->accept();
}

void MainWindow::updateSidebar()
{
    // The master, and under it its pools with ready/desired: cheap to rebuild (a few pools).
    QTreeWidgetItem *master = m_sidebar->topLevelItem(0);
    if (!master) {
        master = new QTreeWidgetItem(m_sidebar);
        master->setIcon(0, QIcon(QStringLiteral(":/icons/drover.svg")));
        master->setData(0, Qt::UserRole, QString());
        master->setExpanded(true);
    }
    int ready = 0;
    for (const api::WorkerInfo &w : m_bridge->workers()->rows())
        ready += w.ready();
    const int total = m_bridge->workers()->rowCount();
    master->setText(0, tr("%1 · %2/%3").arg(m_name).arg(ready).arg(total));
    master->setToolTip(0, tr("%1: %2 of %3 workers ready").arg(m_name).arg(ready).arg(total));
    const auto &pools = m_bridge->pools()->rows();
    while (master->childCount() > int(pools.size()))
        delete master->takeChild(master->childCount() - 1);
    std::vector<const api::PoolInfo *> sorted;
    for (const api::PoolInfo &p : pools)
        sorted.push_back(&p);
    std::sort(sorted.begin(), sorted.end(),
              [](const api::PoolInfo *a, const api::PoolInfo *b) { return a->name < b->name; });
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        QTreeWidgetItem *item = master->child(int(i));
        if (!item)
            item = new QTreeWidgetItem(master);
        const api::PoolInfo &p = *sorted[i];
        const QString name = QString::fromStdString(p.name);
        item->setText(0, tr("%1 · %2/%3").arg(name).arg(p.ready).arg(p.desired));
        item->setData(0, Qt::UserRole, name);
        const api::WorkerState look = p.ready == p.desired ? api::WorkerState::Ready
                                      : p.running > 0      ? api::WorkerState::Running
                                      : p.desired == 0     ? api::WorkerState::Stopped
                                                           : api::WorkerState::Backoff;
        QPixmap dot(12, 12);
        dot.fill(models::WorkersModel::stateColor(look));
        item->setIcon(0, QIcon(dot));
    }
    updateStatus();
}

void MainWindow::updateStatus()
{
    const QString role = QString::fromStdString(std::string(api::toString(m_bridge->role())));
    m_connection->setText(
        m_bridge->hasSnapshot()
            ? tr("%1 · role %2 · config %3 · Drover %4")
                  .arg(m_name, role, m_bridge->configVersion(), QLatin1String(kVersion))
            : tr("%1 · connecting…").arg(m_name));
    int failed = 0;
    for (const api::WorkerInfo &w : m_bridge->workers()->rows())
        failed += w.state == api::WorkerState::Failed;
    m_summary->setText(failed ? tr("%n failed", nullptr, failed) : QString());
}

} // namespace drover::ui
