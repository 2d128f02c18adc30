#include "ui/rolloutspane.h"

#include "api/ops.h"
#include "models/backendbridge.h"
#include "models/rolloutsmodel.h"
#include "ui/tableview.h"

#include <QAction>
#include <QCoreApplication>
#include <QDateTime>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QListWidget>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

namespace drover::ui {

namespace {

constexpr std::size_t kSeenEvents = 2000;

struct ActionSpec
{
    const char *text;
    const char *tip;
    api::Op op;
};

const std::array<ActionSpec, RolloutsPane::ActionCount> kSpecs{{
    {QT_TRANSLATE_NOOP("drover::ui::RolloutsPane", "Pause"),
     QT_TRANSLATE_NOOP("drover::ui::RolloutsPane",
                       "Hold the rollout where it is (no deadline runs)"),
     api::Op::RolloutPause},
    {QT_TRANSLATE_NOOP("drover::ui::RolloutsPane", "Resume"),
     QT_TRANSLATE_NOOP("drover::ui::RolloutsPane", "Go on with the paused rollout"),
     api::Op::RolloutResume},
    {QT_TRANSLATE_NOOP("drover::ui::RolloutsPane", "Abort"),
     QT_TRANSLATE_NOOP("drover::ui::RolloutsPane",
                       "Give the rollout up: back to the revision it replaced"),
     api::Op::RolloutAbort},
    {QT_TRANSLATE_NOOP("drover::ui::RolloutsPane", "Undo"),
     QT_TRANSLATE_NOOP("drover::ui::RolloutsPane",
                       "Back to the previous revision: rolls back a rollout in progress, or "
                       "rolls out the revision before"),
     api::Op::RolloutUndo},
    {QT_TRANSLATE_NOOP("drover::ui::RolloutsPane", "Roll out again"),
     QT_TRANSLATE_NOOP("drover::ui::RolloutsPane",
                       "Replace every worker of the pool with the same template, as a rollout"),
     api::Op::RolloutRestart},
}};

/// A text of kSpecs in the language of the console.
QString specText(const char *text)
{
    return QCoreApplication::translate("drover::ui::RolloutsPane", text);
}

} // namespace

RolloutsPane::RolloutsPane(models::BackendBridge *bridge, QWidget *parent)
    : QWidget(parent)
    , m_bridge(bridge)
    , m_view(new QTableView(this))
    , m_events(new QListWidget(this))
{
    m_view->setModel(bridge->rollouts());
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    setUpTable(m_view, {6, 8, 9, 22, 8, 6, 11});

    auto *bar = new QHBoxLayout;
    auto *hint = new QLabel(tr("Each pool's current or last rollout; a change of a pool's "
                               "template starts one."),
                            this);
    hint->setWordWrap(true);
    bar->addWidget(hint, 1);
    for (std::size_t i = 0; i < m_actions.size(); ++i) {
        auto *a = new QAction(specText(kSpecs[i].text), this);
        m_actions[i] = a;
        auto *button = new QToolButton(this);
        button->setDefaultAction(a);
        bar->addWidget(button);
        connect(a, &QAction::triggered, this, [this, i] { run(Action(i)); });
    }
    m_events->setObjectName(QStringLiteral("RolloutEvents"));
    m_events->setAlternatingRowColors(true);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(QStringLiteral("RolloutsSplitter"));
    split->addWidget(m_view);
    split->addWidget(m_events);
    split->setChildrenCollapsible(false);
    split->setSizes({160, 300});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(split, 1);

    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        updateActions();
        showEvents();
    });
    auto *model = bridge->rollouts();
    connect(model, &QAbstractItemModel::dataChanged, this, &RolloutsPane::updateActions);
    connect(model, &QAbstractItemModel::modelReset, this, &RolloutsPane::updateActions);
    connect(model, &QAbstractItemModel::rowsInserted, this, [this] {
        if (selectedPool().isEmpty() && m_view->model()->rowCount() > 0)
            m_view->selectRow(0);
        updateActions();
    });
    connect(bridge, &models::BackendBridge::eventsArrived, this, &RolloutsPane::addEvents);
    // The deadline column counts down between deltas.
    auto *tick = new QTimer(this);
    tick->setInterval(1000);
    connect(tick, &QTimer::timeout, this, [this, model] {
        if (model->rowCount() > 0)
            emit model->dataChanged(
                model->index(0, models::RolloutsModel::Deadline),
                model->index(model->rowCount() - 1, models::RolloutsModel::Deadline));
    });
    tick->start();
    updateActions();
}

void RolloutsPane::selectPool(const QString &pool)
{
    const int row = m_bridge->rollouts()->rowOf(pool.toStdString());
    if (row >= 0)
        m_view->selectRow(row);
}

QString RolloutsPane::selectedPool() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows[0].data(models::RolloutsModel::PoolRole).toString();
}

void RolloutsPane::updateActions()
{
    const QString pool = selectedPool();
    const int row = m_bridge->rollouts()->rowOf(pool.toStdString());
    const api::RolloutInfo *r = row >= 0 ? m_bridge->rollouts()->at(row) : nullptr;
    const bool may = m_bridge->role() >= api::Role::Operator;
    const bool active = r && r->active();
    const std::array<bool, ActionCount> fits{active && r->phase == "progressing", // pause
                                             active && r->phase == "paused",      // resume
                                             active && r->phase != "rolling-back", r != nullptr,
                                             r != nullptr};
    for (std::size_t i = 0; i < m_actions.size(); ++i) {
        m_actions[i]->setEnabled(may && fits[i]);
        m_actions[i]->setToolTip(
            may ? specText(kSpecs[i].tip)
                : tr("Your role (%1) may not change rollouts: that needs operator.")
                      .arg(QString::fromStdString(std::string(api::toString(m_bridge->role())))));
    }
}

void RolloutsPane::run(Action a)
{
    const QString pool = selectedPool();
    if (pool.isEmpty())
        return;
    const QString what = specText(kSpecs[std::size_t(a)].text);
    m_bridge->request(
        api::opName(kSpecs[std::size_t(a)].op), {{"pool", pool.toStdString()}},
        [this, pool, what](const api::Reply &r) {
            emit message(r.ok() ? tr("%1: %2 asked").arg(pool, what)
                                : tr("%1: %2 refused: %3")
                                      .arg(pool, what, QString::fromStdString(r.error().message)));
        });
}

void RolloutsPane::addEvents(const std::vector<api::Event> &events)
{
    bool shown = false;
    const QString pool = selectedPool();
    for (const api::Event &e : events) {
        if (e.kind.rfind("rollout.", 0) != 0)
            continue;
        const QString line =
            QDateTime::fromMSecsSinceEpoch(e.timeMs).toString(QStringLiteral("HH:mm:ss")) +
            QStringLiteral("  ") + QString::fromStdString(e.message);
        m_seen.emplace_back(QString::fromStdString(e.subject), line);
        shown |= m_seen.back().first == pool;
    }
    if (m_seen.size() > kSeenEvents)
        m_seen.erase(m_seen.begin(), m_seen.begin() + std::ptrdiff_t(m_seen.size() / 2));
    if (shown)
        showEvents();
}

void RolloutsPane::showEvents()
{
    const QString pool = selectedPool();
    m_events->clear();
    for (const auto &[subject, line] : m_seen) {
        if (subject == pool)
            m_events->addItem(line);
    }
    m_events->scrollToBottom();
}

} // namespace drover::ui
