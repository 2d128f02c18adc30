#include "ui/mainwindow.h"

#include "api/version.h"
#include "models/backendbridge.h"
#include "models/jobsmodel.h"
#include "models/poolsmodel.h"
#include "models/workersmodel.h"
#include "remote/masterurl.h"
#include "remote/remotebackend.h"
#include "ui/configpane.h"
#include "ui/connectdialog.h"
#include "ui/fleetview.h"
#include "ui/jobspane.h"
#include "ui/masterview.h"
#include "ui/poolspane.h"
#include "ui/workerspane.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHash>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTreeWidget>

namespace drover::ui {

namespace {

constexpr int kViewRole = Qt::UserRole + 1; ///< the MasterView an item belongs to
constexpr int kPoolRole = Qt::UserRole;     ///< the pool an item stands for (empty: the master)
/// A fleet's item: its FleetView; a fleet master's item also has kFleetMasterRole.
constexpr int kFleetRole = Qt::UserRole + 2;
constexpr int kFleetMasterRole = Qt::UserRole + 3; ///< the etcd key of a fleet's master
constexpr int kHealthRole = Qt::UserRole + 4;      ///< a fleet master's fleet::Health

/// A state dot: drawn once per colour, then the same icon (a fleet's sidebar of 100 masters
/// is refreshed up to ten times a second).
QIcon dot(const QColor &color, bool ring = false)
{
    // Never destroyed: a pixmap must not outlive the application object.
    static auto *cache = new QHash<QPair<QRgb, bool>, QIcon>;
    const auto key = qMakePair(color.rgba(), ring);
    if (auto it = cache->constFind(key); it != cache->constEnd())
        return *it;
    QPixmap pixmap(16, 16);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(color.darker(130), 1.5));
    p.setBrush(ring ? QBrush(Qt::NoBrush) : QBrush(color));
    p.drawEllipse(QRectF(3, 3, 10, 10));
    p.end();
    return (*cache)[key] = QIcon(pixmap);
}

/// The fleet of a sidebar item (a fleet's or one of its masters'), null for a master's.
FleetView *fleetOf(const QTreeWidgetItem *item)
{
    return item ? reinterpret_cast<FleetView *>(item->data(0, kFleetRole).value<quintptr>())
                : nullptr;
}

/// The record of a fleet master's sidebar item as its fleet has it now, null for others.
const fleet::MasterRecord *fleetMasterOf(const QTreeWidgetItem *item, const FleetView *fleet)
{
    const QString key = item->data(0, kFleetMasterRole).toString();
    if (key.isEmpty())
        return nullptr;
    for (const fleet::MasterRecord &m : fleet->watch()->model()->masters())
        if (QString::fromStdString(m.key) == key)
            return &m;
    return nullptr;
}

MasterLink fromStatus(const remote::LinkStatus &s)
{
    MasterLink link;
    switch (s.state) {
    case remote::LinkStatus::State::Connecting:
        link.state = MasterLink::State::Connecting;
        break;
    case remote::LinkStatus::State::Connected:
        link.state = MasterLink::State::Connected;
        break;
    case remote::LinkStatus::State::Waiting:
        link.state = MasterLink::State::Waiting;
        break;
    case remote::LinkStatus::State::Refused:
        link.state = MasterLink::State::Refused;
        break;
    }
    link.message = QString::fromStdString(s.message);
    link.retryAtMs = s.retryAtMs;
    link.server = QString::fromStdString(s.server);
    link.fingerprint = QString::fromStdString(s.fingerprint);
    link.errorCode = QString::fromStdString(s.errorCode);
    return link;
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_stack(new QStackedWidget(this))
    , m_sidebar(new QTreeWidget(this))
    , m_connection(new QLabel(this))
    , m_summary(new QLabel(this))
    , m_tokens(new TokenStore(this))
{
    setObjectName(QStringLiteral("MainWindow"));
    setWindowTitle(tr("Drover"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/drover.svg")));
    setCentralWidget(m_stack);

    m_sidebar->setHeaderHidden(true);
    m_sidebar->setRootIsDecorated(true);
    m_sidebar->setContextMenuPolicy(Qt::CustomContextMenu);
    auto *dock = new QDockWidget(tr("Connections"), this);
    dock->setObjectName(QStringLiteral("ConnectionsDock"));
    dock->setWidget(m_sidebar);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::LeftDockWidgetArea, dock);
    connect(m_sidebar, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem *item) {
        if (FleetView *fleet = fleetOf(item); fleet && fleets().contains(fleet)) {
            // A fleet: its overview. One of its masters: shown when connected already, else
            // its row picked in the overview (a double-click connects).
            showFleet(fleet);
            if (const fleet::MasterRecord *m = fleetMasterOf(item, fleet)) {
                fleet->table()->selectRow(
                    fleet->watch()->model()->rowOf(QString::fromStdString(m->name)));
                const QString name = QString::fromStdString(m->name);
                const QList<MasterView *> all = masters();
                if (std::any_of(all.begin(), all.end(),
                                [&](MasterView *v) { return v->name() == name; }))
                    connectToFleetMaster(*m);
            }
            return;
        }
        auto *view = reinterpret_cast<MasterView *>(item->data(0, kViewRole).value<quintptr>());
        if (!masters().contains(view))
            return;
        setCurrent(view);
        const QString pool = item->data(0, kPoolRole).toString();
        if (view->bridge()->jobs()->job(pool.toStdString())) { // a job: its runs
            view->jobsPane()->selectJob(pool);
            view->showPane(MasterView::Jobs);
            return;
        }
        view->workersPane()->showPool(pool);
        view->showPane(MasterView::Workers);
    });
    connect(m_sidebar, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem *item) {
        FleetView *fleet = fleetOf(item);
        if (fleet && fleets().contains(fleet))
            if (const fleet::MasterRecord *m = fleetMasterOf(item, fleet))
                connectToFleetMaster(fleet::MasterRecord(*m)); // a copy: a dialog may follow
    });
    connect(m_sidebar, &QWidget::customContextMenuRequested, this, [this](const QPoint &at) {
        QTreeWidgetItem *item = m_sidebar->itemAt(at);
        auto *view =
            item ? reinterpret_cast<MasterView *>(item->data(0, kViewRole).value<quintptr>())
                 : nullptr;
        QMenu menu(this);
        FleetView *fleet = fleetOf(item);
        if (fleet && fleets().contains(fleet)) {
            if (const fleet::MasterRecord *m = fleetMasterOf(item, fleet))
                menu.addAction(tr("Connect to %1").arg(QString::fromStdString(m->name)), this,
                               [this, record = *m] { connectToFleetMaster(record); });
            menu.addAction(tr("Stop Following %1").arg(fleet->name()), this, [this, fleet] {
                FleetStore::remove(fleet->name());
                unfollowFleet(fleet);
            });
            menu.addSeparator();
        }
        if (view && masters().contains(view)) {
            menu.addAction(tr("Charts of %1").arg(view->name()), this, [this, view] {
                setCurrent(view);
                view->showMasterCharts();
            });
            const bool remote =
                std::any_of(m_remote.begin(), m_remote.end(),
                            [&](const SavedMaster &m) { return m.name == view->name(); });
            if (remote) {
                menu.addAction(tr("Disconnect"), this, [this, view] { removeMaster(view); });
                menu.addAction(tr("Disconnect and Forget"), this, [this, view] {
                    MasterStore::remove(view->name());
                    m_tokens->remove(view->name());
                    removeMaster(view);
                });
            }
            menu.addSeparator();
        }
        menu.addAction(tr("Connect to Master…"), this, &MainWindow::connectDialog);
        menu.addAction(tr("Add Fleet…"), this, &MainWindow::fleetDialog);
        menu.exec(m_sidebar->viewport()->mapToGlobal(at));
    });

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(QIcon(QStringLiteral(":/icons/connect.svg")), tr("&Connect to Master…"),
                    QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), this,
                    &MainWindow::connectDialog);
    file->addAction(tr("Add &Fleet…"), this, &MainWindow::fleetDialog);
    file->addAction(tr("&Open Config…"), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open Config"), QString(), tr("YAML files (*.yaml *.yml);;All files (*)"));
        if (!path.isEmpty())
            openConfigFile(path);
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    // The workers menu acts on the master shown: refilled when another is picked.
    QMenu *workers = menuBar()->addMenu(tr("W&orkers"));
    connect(workers, &QMenu::aboutToShow, this, [this, workers] {
        workers->clear();
        if (MasterView *view = current()) {
            workers->addActions({view->workersPane()->startAction(),
                                 view->workersPane()->stopAction(),
                                 view->workersPane()->restartAction()});
            workers->addSeparator();
            workers->addAction(view->poolsPane()->scaleAction());
        }
    });
    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(dock->toggleViewAction());
    view->addAction(tr("&Master Charts"), this, [this] {
        if (MasterView *v = current())
            v->showMasterCharts();
    });
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
    connect(m_stack, &QStackedWidget::currentChanged, this, [this] {
        updateStatus();
        if (MasterView *v = current())
            setWindowTitle(tr("%1 – Drover").arg(v->name()));
    });

    m_countdown.setInterval(1000);
    connect(&m_countdown, &QTimer::timeout, this, &MainWindow::updateSidebar);

    m_trust = [this](const QString &master, const QString &fingerprint) {
        QMessageBox box(QMessageBox::Warning, tr("Unknown certificate"),
                        tr("The master <b>%1</b> presents a certificate that this computer does "
                           "not trust.")
                            .arg(master.toHtmlEscaped()),
                        QMessageBox::NoButton, this);
        box.setInformativeText(
            tr("Its SHA-256 fingerprint is:<p><tt>%1</tt><p>Compare it with the one droverd "
               "logged when it started on that host. If they are the same, trust this "
               "certificate: Drover will accept exactly this one for %2 from now on.")
                .arg(fingerprint.toHtmlEscaped(), master.toHtmlEscaped()));
        QPushButton *trust = box.addButton(tr("Trust and Connect"), QMessageBox::AcceptRole);
        box.addButton(QMessageBox::Cancel);
        box.exec();
        return box.clickedButton() == trust;
    };

    QSettings settings;
    resize(1180, 700);
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    resizeDocks({dock}, {260}, Qt::Horizontal);
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    updateStatus();
}

MainWindow::MainWindow(std::shared_ptr<api::Backend> backend, const QString &name, QWidget *parent)
    : MainWindow(parent)
{
    addMaster(std::move(backend), name);
}

MainWindow::~MainWindow() = default;

MasterView *MainWindow::addMaster(std::shared_ptr<api::Backend> backend, const QString &name)
{
    auto *view = new MasterView(std::move(backend), name, m_stack);
    m_stack->addWidget(view);
    if (!m_layoutRestored) { // the first master takes the saved column widths and tab
        view->restoreLayout(QSettings());
        m_layoutRestored = true;
    } else if (MasterView *now = current()) {
        view->showPane(MasterView::Pane(now->tabs()->currentIndex()));
    }
    connect(view, &MasterView::message, this,
            [this](const QString &text) { statusBar()->showMessage(text, 5000); });
    connect(view, &MasterView::linkChanged, this, [this, view] { onLink(view); });
    // The sidebar counts ready workers: once per drain at most, whatever changed.
    auto *coalesce = new QTimer(view);
    coalesce->setSingleShot(true);
    coalesce->setInterval(0);
    connect(coalesce, &QTimer::timeout, this, &MainWindow::updateSidebar);
    for (QAbstractItemModel *m : {static_cast<QAbstractItemModel *>(view->bridge()->workers()),
                                  static_cast<QAbstractItemModel *>(view->bridge()->pools())}) {
        for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
            connect(m, signal, coalesce, qOverload<>(&QTimer::start));
        connect(m, &QAbstractItemModel::modelReset, coalesce, qOverload<>(&QTimer::start));
        connect(m, &QAbstractItemModel::dataChanged, coalesce, qOverload<>(&QTimer::start));
    }
    connect(view->bridge(), &models::BackendBridge::snapshotApplied, this,
            &MainWindow::updateStatus);
    connect(view->bridge(), &models::BackendBridge::eventsArrived, this, &MainWindow::updateStatus);
    if (!current() || m_stack->count() == 1)
        setCurrent(view);
    updateSidebar();
    return view;
}

MasterView *MainWindow::connectTo(const SavedMaster &master, const QString &token)
{
    for (MasterView *v : masters()) {
        if (v->name() == master.name)
            removeMaster(v);
    }
    m_remote.removeIf([&](const SavedMaster &m) { return m.name == master.name; });
    m_remote << master;

    remote::RemoteOptions options;
    auto url = remote::parseMasterUrl(master.url.toStdString());
    if (url.ok())
        options.url = *url;
    options.token = token.toStdString();
    options.caFile = master.caFile.toStdString();
    options.fingerprint = master.fingerprint.toStdString();
    options.client = "drover";
    auto backend = std::make_shared<remote::RemoteBackend>(options);
    MasterView *view = addMaster(backend, master.name);
    view->setProperty("token", token); // for a reconnect with a newly pinned certificate
    MasterLink link;
    link.state = url.ok() ? MasterLink::State::Connecting : MasterLink::State::Refused;
    link.message = url.ok() ? QString() : QString::fromStdString(url.error().message);
    view->setLink(link);
    if (!url.ok())
        return view;
    QPointer<MasterView> guard(view);
    backend->setStatusListener([guard](const remote::LinkStatus &status) {
        MasterLink link = fromStatus(status);
        QMetaObject::invokeMethod(
            qApp,
            [guard, link] {
                if (guard)
                    guard->setLink(link);
            },
            Qt::QueuedConnection);
    });
    backend->start();
    return view;
}

void MainWindow::connectSaved()
{
    for (const models::FleetWatch::Spec &f : FleetStore::load())
        followFleet(f);
    for (const SavedMaster &m : MasterStore::load()) {
        QPointer<MainWindow> self(this);
        m_tokens->read(m.name, [self, m](const QString &token, const QString &) {
            if (self)
                self->connectTo(m, token);
        });
    }
}

void MainWindow::removeMaster(MasterView *view)
{
    if (!masters().contains(view) || !view->configPane()->maybeDiscard())
        return;
    m_remote.removeIf([&](const SavedMaster &m) { return m.name == view->name(); });
    if (QTreeWidgetItem *item = itemOf(view))
        delete item;
    m_stack->removeWidget(view);
    view->hide();
    view->deleteLater(); // it may be in one of its own signals
    updateSidebar();
    updateStatus();
}

QList<MasterView *> MainWindow::masters() const
{
    QList<MasterView *> out;
    for (int i = 0; i < m_stack->count(); ++i)
        if (auto *view = qobject_cast<MasterView *>(m_stack->widget(i)))
            out << view;
    return out;
}

QList<FleetView *> MainWindow::fleets() const
{
    QList<FleetView *> out;
    for (int i = 0; i < m_stack->count(); ++i)
        if (auto *view = qobject_cast<FleetView *>(m_stack->widget(i)))
            out << view;
    return out;
}

MasterView *MainWindow::current() const
{
    return qobject_cast<MasterView *>(m_stack->currentWidget());
}

void MainWindow::setCurrent(MasterView *view)
{
    m_stack->setCurrentWidget(view);
    updateStatus();
}

models::BackendBridge *MainWindow::bridge() const
{
    return current() ? current()->bridge() : nullptr;
}

WorkersPane *MainWindow::workersPane() const
{
    return current() ? current()->workersPane() : nullptr;
}

PoolsPane *MainWindow::poolsPane() const
{
    return current() ? current()->poolsPane() : nullptr;
}

EventsPane *MainWindow::eventsPane() const
{
    return current() ? current()->eventsPane() : nullptr;
}

QTabWidget *MainWindow::tabs() const
{
    return current() ? current()->tabs() : nullptr;
}

void MainWindow::setTrustPrompt(std::function<bool(const QString &, const QString &)> prompt)
{
    m_trust = std::move(prompt);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    // Config edits that are neither applied nor saved are not dropped without asking.
    for (MasterView *v : masters()) {
        if (!v->configPane()->maybeDiscard()) {
            setCurrent(v);
            v->showPane(MasterView::Config);
            event->ignore();
            return;
        }
    }
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    if (MasterView *v = current())
        v->saveLayout(settings);
    event->accept();
}

namespace {

/// File > Open Config: a local file in its own window, checked by the console's validator.
class ConfigFileWindow : public QMainWindow
{
public:
    explicit ConfigFileWindow(const QString &file, QWidget *parent)
        : QMainWindow(parent)
        , m_pane(new ConfigPane(file, this))
    {
        setAttribute(Qt::WA_DeleteOnClose);
        setCentralWidget(m_pane);
        setWindowTitle(MainWindow::tr("%1 — Drover config").arg(QFileInfo(file).fileName()));
        connect(m_pane, &ConfigPane::message, this,
                [this](const QString &text) { statusBar()->showMessage(text, 5000); });
        connect(m_pane, &ConfigPane::modifiedChanged, this, [this, file](bool modified) {
            setWindowTitle(MainWindow::tr("%1 — Drover config").arg(QFileInfo(file).fileName()) +
                           (modified ? QStringLiteral(" *") : QString()));
        });
        resize(900, 700);
    }
    ConfigPane *pane() const { return m_pane; }

protected:
    void closeEvent(QCloseEvent *event) override
    {
        if (m_pane->maybeDiscard())
            event->accept();
        else
            event->ignore();
    }

private:
    ConfigPane *m_pane;
};

} // namespace

ConfigPane *MainWindow::openConfigFile(const QString &path)
{
    auto *window = new ConfigFileWindow(path, this);
    window->show();
    return window->pane();
}

void MainWindow::onLink(MasterView *view)
{
    updateSidebar();
    updateStatus();
    const MasterLink &link = view->link();
    if (link.state != MasterLink::State::Refused || link.errorCode != QLatin1String("tls") ||
        link.fingerprint.isEmpty())
        return;
    auto it = std::find_if(m_remote.begin(), m_remote.end(),
                           [&](const SavedMaster &m) { return m.name == view->name(); });
    // A CA or a pin that does not match is not for the user to wave through here.
    if (it == m_remote.end() || !it->caFile.isEmpty() || !it->fingerprint.isEmpty() ||
        m_askedTrust.contains(view->name()))
        return;
    m_askedTrust << view->name();
    SavedMaster pinned = *it;
    pinned.fingerprint = link.fingerprint;
    const QString token = view->property("token").toString();
    QPointer<MainWindow> self(this);
    // Asked after this signal returns: trusting replaces the view.
    QTimer::singleShot(0, this, [self, pinned, token] {
        if (!self || !self->m_trust(pinned.name, pinned.fingerprint))
            return;
        const QList<SavedMaster> remembered = MasterStore::load();
        const bool saved = std::any_of(remembered.begin(), remembered.end(),
                                       [&](const SavedMaster &m) { return m.name == pinned.name; });
        if (saved)
            MasterStore::put(pinned);
        self->setCurrent(self->connectTo(pinned, token));
    });
}

void MainWindow::connectDialog()
{
    ConnectDialog dialog(this);
    if (dialog.exec() == QDialog::Accepted)
        connectFromDialog(dialog);
}

void MainWindow::fleetDialog()
{
    FleetDialog dialog(this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    FleetStore::put(dialog.spec());
    showFleet(followFleet(dialog.spec()));
}

FleetView *MainWindow::followFleet(const models::FleetWatch::Spec &spec)
{
    for (FleetView *f : fleets())
        if (f->name() == spec.name)
            unfollowFleet(f);
    auto *watch = new models::FleetWatch(spec);
    auto *view = new FleetView(watch, m_stack);
    watch->setParent(view);
    m_stack->addWidget(view);
    connect(view, &FleetView::connectRequested, this, &MainWindow::connectToFleetMaster);
    connect(watch, &models::FleetWatch::changed, this, [this] {
        updateSidebar();
        updateStatus();
    });
    updateSidebar();
    return view;
}

void MainWindow::showFleet(FleetView *view)
{
    m_stack->setCurrentWidget(view);
    updateStatus();
}

void MainWindow::unfollowFleet(FleetView *view)
{
    if (!fleets().contains(view))
        return;
    if (QTreeWidgetItem *item = itemOf(view))
        delete item;
    m_stack->removeWidget(view);
    view->hide();
    view->deleteLater();
    updateSidebar();
    updateStatus();
}

void MainWindow::connectToFleetMaster(const fleet::MasterRecord &record)
{
    const QString name = QString::fromStdString(record.name);
    for (MasterView *v : masters()) {
        if (v->name() == name) {
            setCurrent(v);
            return;
        }
    }
    const QList<SavedMaster> saved = MasterStore::load();
    auto it = std::find_if(saved.begin(), saved.end(),
                           [&](const SavedMaster &m) { return m.name == name; });
    if (it != saved.end()) { // its own token and pin, as saved
        QPointer<MainWindow> self(this);
        m_tokens->read(name, [self, m = *it](const QString &token, const QString &) {
            if (self)
                self->setCurrent(self->connectTo(m, token));
        });
        return;
    }
    ConnectDialog dialog(this);
    dialog.prefill(name, QString::fromStdString(record.url),
                   QString::fromStdString(record.fingerprint));
    if (dialog.exec() == QDialog::Accepted)
        connectFromDialog(dialog);
}

void MainWindow::connectFromDialog(ConnectDialog &dialog)
{
    const SavedMaster master = dialog.master();
    const QString token = dialog.token();
    if (dialog.remember()) {
        MasterStore::put(master);
        m_tokens->write(master.name, token, [this](bool ok, const QString &where) {
            statusBar()->showMessage(ok ? tr("The token is kept in %1.").arg(where)
                                        : tr("The token could not be kept: %1.").arg(where),
                                     8000);
        });
    }
    setCurrent(connectTo(master, token));
}

QTreeWidgetItem *MainWindow::itemOf(QWidget *view) const
{
    for (int i = 0; i < m_sidebar->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_sidebar->topLevelItem(i);
        if (item->data(0, kViewRole).value<quintptr>() == quintptr(view) ||
            (item->data(0, kFleetMasterRole).toString().isEmpty() &&
             item->data(0, kFleetRole).value<quintptr>() == quintptr(view)))
            return item;
    }
    return nullptr;
}

void MainWindow::updateSidebar()
{
    bool waiting = false;
    for (MasterView *view : masters()) {
        QTreeWidgetItem *item = itemOf(view);
        if (!item) {
            item = new QTreeWidgetItem(m_sidebar);
            item->setData(0, kViewRole, quintptr(view));
            item->setData(0, kPoolRole, QString());
            item->setExpanded(true);
        }
        updateMasterItem(view, item);
        waiting = waiting || view->link().state == MasterLink::State::Waiting;
    }
    for (FleetView *view : fleets()) {
        QTreeWidgetItem *item = itemOf(view);
        if (!item) {
            item = new QTreeWidgetItem(m_sidebar);
            item->setData(0, kFleetRole, quintptr(view));
            item->setData(0, kFleetMasterRole, QString());
            item->setExpanded(true);
        }
        updateFleetItem(view, item);
        waiting =
            waiting || view->watch()->status().state == fleet::FollowerStatus::State::Retrying;
    }
    if (waiting && !m_countdown.isActive())
        m_countdown.start();
    else if (!waiting)
        m_countdown.stop();
}

void MainWindow::updateMasterItem(MasterView *view, QTreeWidgetItem *master)
{
    // The master, and under it its pools with ready/desired: cheap to rebuild (a few pools).
    const MasterLink &link = view->link();
    const models::WorkersModel *workers = view->bridge()->workers();
    int ready = 0;
    for (const api::WorkerInfo &w : workers->rows())
        ready += w.ready();
    const int total = workers->rowCount();
    QString state;
    QColor colour = models::WorkersModel::stateColor(api::WorkerState::Ready);
    bool ring = false;
    switch (link.state) {
    case MasterLink::State::Embedded:
    case MasterLink::State::Connected:
        if (!view->bridge()->hasSnapshot()) {
            state = tr("loading…");
            ring = true;
        } else {
            state = tr("%1/%2").arg(ready).arg(total);
        }
        break;
    case MasterLink::State::Connecting:
        state = tr("connecting…");
        colour = models::WorkersModel::stateColor(api::WorkerState::Starting);
        ring = true;
        break;
    case MasterLink::State::Waiting: {
        const qint64 left = std::max<qint64>(
            0, (link.retryAtMs - QDateTime::currentMSecsSinceEpoch() + 999) / 1000);
        state = tr("retry in %n s", nullptr, int(left));
        colour = models::WorkersModel::stateColor(api::WorkerState::Backoff);
        ring = true;
        break;
    }
    case MasterLink::State::Refused:
        state = tr("refused");
        colour = models::WorkersModel::stateColor(api::WorkerState::Failed);
        break;
    }
    master->setText(0, tr("%1 · %2").arg(view->name(), state));
    master->setIcon(0, dot(colour, ring));
    QString tip = link.message.isEmpty()
                      ? tr("%1: %2 of %3 workers ready").arg(view->name()).arg(ready).arg(total)
                      : tr("%1: %2").arg(view->name(), link.message);
    if (!link.server.isEmpty())
        tip += QStringLiteral("\n") + link.server;
    master->setToolTip(0, tip);

    const auto &pools = view->bridge()->pools()->rows();
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
        item->setData(0, kPoolRole, name);
        item->setData(0, kViewRole, quintptr(view));
        if (p.job) { // a job: its runs going, or how the last one ended
            item->setText(0, p.job->active > 0
                                 ? tr("%1 · %n running", nullptr, p.job->active).arg(name)
                                 : tr("%1 · job").arg(name));
            const api::WorkerState look =
                p.job->active > 0 ? api::WorkerState::Running
                : p.job->lastOutcome.empty() || p.job->lastOutcome == "succeeded"
                    ? api::WorkerState::Ready
                    : api::WorkerState::Failed;
            item->setIcon(0, dot(models::WorkersModel::stateColor(look)));
            continue;
        }
        item->setText(0, tr("%1 · %2/%3").arg(name).arg(p.ready).arg(p.desired));
        const api::WorkerState look = p.ready == p.desired ? api::WorkerState::Ready
                                      : p.running > 0      ? api::WorkerState::Running
                                      : p.desired == 0     ? api::WorkerState::Stopped
                                                           : api::WorkerState::Backoff;
        item->setIcon(0, dot(models::WorkersModel::stateColor(look)));
    }
}

void MainWindow::updateFleetItem(FleetView *view, QTreeWidgetItem *item)
{
    // The fleet, and under it its masters, worst first: the model's order.
    const models::FleetWatch *watch = view->watch();
    const models::FleetModel *model = watch->model();
    const bool lost = watch->status().state == fleet::FollowerStatus::State::Retrying;
    QString state;
    if (!watch->heard())
        state = tr("connecting…");
    else if (lost)
        state = tr("etcd lost");
    else
        state = tr("%n master(s)", nullptr, model->rowCount());
    item->setText(0, tr("Fleet %1 · %2").arg(view->name(), state));
    item->setIcon(0, dot(lost ? models::WorkersModel::stateColor(api::WorkerState::Backoff)
                              : QColor(0x6a, 0x5a, 0xcd),
                         !watch->heard() || lost));
    item->setToolTip(0, watch->statusText());
    const auto &rows = model->masters();
    while (item->childCount() > int(rows.size()))
        delete item->takeChild(item->childCount() - 1);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        QTreeWidgetItem *child = item->child(int(i));
        if (!child)
            child = new QTreeWidgetItem(item);
        const fleet::MasterRecord &m = rows[i];
        const QString name = QString::fromStdString(m.name);
        child->setData(0, kFleetRole, quintptr(view));
        child->setData(0, kFleetMasterRole, QString::fromStdString(m.key));
        // An item ignores a text that is the same; the icon (which it cannot compare) is set
        // only when the health changed: most masters are as they were in the batch before.
        child->setText(0, tr("%1 · %2/%3").arg(name).arg(m.ready()).arg(m.desired()));
        child->setToolTip(0, tr("%1 (%2): %3. Double-click to connect.")
                                 .arg(name, QString::fromStdString(m.url),
                                      models::FleetModel::healthText(m.health())));
        const QVariant health(int(m.health()));
        if (child->data(0, kHealthRole) != health) {
            child->setData(0, kHealthRole, health);
            child->setIcon(0, dot(models::FleetModel::healthColor(m.health())));
        }
    }
}

void MainWindow::updateStatus()
{
    MasterView *view = current();
    if (auto *fleet = qobject_cast<FleetView *>(m_stack->currentWidget())) {
        m_connection->setText(tr("Fleet %1 · %2").arg(fleet->name(), fleet->watch()->statusText()));
        m_summary->clear();
        return;
    }
    if (!view) {
        m_connection->setText(tr("No master: File > Connect to Master…"));
        m_summary->clear();
        return;
    }
    const MasterLink &link = view->link();
    const models::BackendBridge *bridge = view->bridge();
    const QString role = QString::fromStdString(std::string(api::toString(bridge->role())));
    const QString master = link.state == MasterLink::State::Embedded
                               ? tr("embedded, Drover %1").arg(QLatin1String(kVersion))
                               : link.server;
    if (link.state == MasterLink::State::Refused)
        m_connection->setText(tr("%1 · refused: %2").arg(view->name(), link.message));
    else if (link.state == MasterLink::State::Waiting)
        m_connection->setText(tr("%1 · link down: %2").arg(view->name(), link.message));
    else if (bridge->hasSnapshot())
        m_connection->setText(tr("%1 · role %2 · config %3 · %4")
                                  .arg(view->name(), role, bridge->configVersion(), master));
    else
        m_connection->setText(tr("%1 · connecting…").arg(view->name()));
    int failed = 0;
    for (const api::WorkerInfo &w : bridge->workers()->rows())
        failed += w.state == api::WorkerState::Failed;
    m_summary->setText(failed ? tr("%n failed", nullptr, failed) : QString());
}

} // namespace drover::ui
