#include "ui/masterview.h"

#include "models/backendbridge.h"
#include "ui/chartspane.h"
#include "ui/configpane.h"
#include "ui/eventspane.h"
#include "ui/healthpane.h"
#include "ui/jobspane.h"
#include "ui/poolspane.h"
#include "ui/rolloutspane.h"
#include "ui/workerspane.h"

#include <QHeaderView>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace drover::ui {

MasterView::MasterView(std::shared_ptr<api::Backend> backend, const QString &name, QWidget *parent)
    : QWidget(parent)
    , m_name(name)
    , m_bridge(new models::BackendBridge(std::move(backend), this))
    , m_tabs(new QTabWidget(this))
    , m_workers(new WorkersPane(m_bridge, this))
    , m_pools(new PoolsPane(m_bridge, this))
    , m_rollouts(new RolloutsPane(m_bridge, this))
    , m_jobs(new JobsPane(m_bridge, this))
    , m_health(new HealthPane(m_bridge, this))
    , m_charts(new ChartsPane(m_bridge, this))
    , m_events(new EventsPane(m_bridge, this))
    , m_config(new ConfigPane(m_bridge, this))
{
    m_tabs->addTab(m_workers, tr("&Workers"));
    m_tabs->addTab(m_pools, tr("&Pools"));
    m_tabs->addTab(m_rollouts, tr("&Rollouts"));
    m_tabs->addTab(m_jobs, tr("&Jobs"));
    m_tabs->addTab(m_health, tr("&Health"));
    m_tabs->addTab(m_charts, tr("&Charts"));
    m_tabs->addTab(m_events, tr("&Events"));
    m_tabs->addTab(m_config, tr("C&onfig"));
    m_tabs->setDocumentMode(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);

    connect(m_workers, &WorkersPane::message, this, &MasterView::message);
    connect(m_pools, &PoolsPane::message, this, &MasterView::message);
    connect(m_rollouts, &RolloutsPane::message, this, &MasterView::message);
    connect(m_jobs, &JobsPane::message, this, &MasterView::message);
    connect(m_config, &ConfigPane::message, this, &MasterView::message);
    connect(m_pools, &PoolsPane::poolActivated, this, [this](const QString &pool) {
        m_workers->showPool(pool);
        showPane(Workers);
    });
    connect(m_pools, &PoolsPane::workerActivated, this, [this](const QString &worker) {
        m_workers->selectWorker(worker);
        showPane(Workers);
    });
    // Health and charts follow what the operator picked last: workers, or a pool.
    connect(m_workers, &WorkersPane::selectedWorkersChanged, this, [this] {
        m_chartPool.clear();
        m_chartMaster = false;
        followSelection();
    });
    connect(m_pools, &PoolsPane::currentPoolChanged, this, [this](const QString &pool) {
        m_chartPool = pool;
        m_chartMaster = false;
        followSelection();
    });
    connect(m_tabs, &QTabWidget::currentChanged, this, &MasterView::followSelection);
    m_charts->showMaster();

    m_bridge->start();
}

MasterView::~MasterView()
{
    // The panes first: they unfollow logs and metrics through the bridge (a child made
    // before them, which Qt would delete first).
    delete m_tabs;
}

void MasterView::showPane(Pane pane)
{
    m_tabs->setCurrentIndex(int(pane));
}

int MasterView::paneFromName(const QString &name)
{
    static const QStringList names{QStringLiteral("workers"),  QStringLiteral("pools"),
                                   QStringLiteral("rollouts"), QStringLiteral("jobs"),
                                   QStringLiteral("health"),   QStringLiteral("charts"),
                                   QStringLiteral("events"),   QStringLiteral("config")};
    return int(names.indexOf(name));
}

void MasterView::setLink(MasterLink link)
{
    m_link = std::move(link);
    emit linkChanged();
}

void MasterView::followSelection()
{
    // Only the pane on screen asks the master for history: switching tabs catches up.
    const QStringList workers = m_workers->selectedWorkers();
    if (m_tabs->currentWidget() == m_health) {
        m_health->showWorkers(workers);
    } else if (m_tabs->currentWidget() == m_charts) {
        if (m_chartMaster) {
            if (m_charts->subject() != QLatin1String("master"))
                m_charts->showMaster();
        } else if (!m_chartPool.isEmpty()) {
            m_charts->showPool(m_chartPool);
        } else {
            m_charts->showWorkers(workers); // none: the master's
        }
    }
}

void MasterView::showMasterCharts()
{
    m_chartPool.clear();
    m_chartMaster = true; // until the operator picks workers or a pool again
    m_charts->showMaster();
    showPane(Charts);
}

void MasterView::saveLayout(QSettings &settings) const
{
    settings.setValue(QStringLiteral("workers/header"),
                      m_workers->view()->horizontalHeader()->saveState());
    settings.setValue(QStringLiteral("pools/header"),
                      m_pools->view()->horizontalHeader()->saveState());
    settings.setValue(QStringLiteral("window/tab"), m_tabs->currentIndex());
}

void MasterView::restoreLayout(const QSettings &settings)
{
    m_workers->view()->horizontalHeader()->restoreState(
        settings.value(QStringLiteral("workers/header")).toByteArray());
    m_pools->view()->horizontalHeader()->restoreState(
        settings.value(QStringLiteral("pools/header")).toByteArray());
    m_tabs->setCurrentIndex(settings.value(QStringLiteral("window/tab"), 0).toInt());
}

} // namespace drover::ui
