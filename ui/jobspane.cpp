#include "ui/jobspane.h"

#include "api/codec.h"
#include "api/ops.h"
#include "models/backendbridge.h"
#include "models/jobsmodel.h"
#include "ui/jobdurationchart.h"
#include "ui/tableview.h"

#include <QAction>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPointer>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace drover::ui {

namespace {

struct ActionSpec
{
    const char *text;
    const char *tip;
};

const std::array<ActionSpec, JobsPane::ActionCount> kSpecs{{
    {QT_TRANSLATE_NOOP("drover::ui::JobsPane", "Run now"),
     QT_TRANSLATE_NOOP("drover::ui::JobsPane",
                       "Start a run of the selected job now, outside its schedule")},
    {QT_TRANSLATE_NOOP("drover::ui::JobsPane", "Cancel"),
     QT_TRANSLATE_NOOP("drover::ui::JobsPane",
                       "Stop the selected run, or every run of the job that is going")},
}};

/// A text of kSpecs in the language of the console.
QString specText(const char *text)
{
    return QCoreApplication::translate("drover::ui::JobsPane", text);
}

QString text(const std::string &s)
{
    return QString::fromStdString(s);
}

} // namespace

JobsPane::JobsPane(models::BackendBridge *bridge, QWidget *parent)
    : QWidget(parent)
    , m_bridge(bridge)
    , m_view(new QTableView(this))
    , m_runs(new models::JobRunsModel(this))
    , m_runsSorted(new QSortFilterProxyModel(this))
    , m_runsView(new QTableView(this))
    , m_runsTitle(new QLabel(this))
    , m_durations(new JobDurationChart(this))
    , m_runTitle(new QLabel(this))
    , m_log(new QPlainTextEdit(this))
{
    m_view->setObjectName(QStringLiteral("Jobs"));
    m_view->setModel(bridge->jobs());
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    setUpTable(m_view, {12, 15, 12, 6, 12, 6, 8, 9});

    // The selected job's runs, newest first.
    m_runsSorted->setSourceModel(m_runs);
    m_runsSorted->setSortRole(models::JobRunsModel::NumberRole);
    m_runsSorted->sort(models::JobRunsModel::Run, Qt::DescendingOrder);
    m_runsView->setObjectName(QStringLiteral("JobRuns"));
    m_runsView->setModel(m_runsSorted);
    m_runsView->setSelectionMode(QAbstractItemView::SingleSelection);
    setUpTable(m_runsView, {3, 8, 7, 8, 11});
    // No header cut short, in any language.
    for (QTableView *table : {m_view, m_runsView}) {
        for (int c = 0; c + 1 < table->model()->columnCount(); ++c)
            table->setColumnWidth(
                c, std::max(table->columnWidth(c), table->horizontalHeader()->sectionSizeHint(c)));
    }

    QFont bold = m_runsTitle->font();
    bold.setBold(true);
    m_runsTitle->setFont(bold);
    m_runTitle->setWordWrap(true);
    m_runTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_log->setObjectName(QStringLiteral("JobRunLog"));
    m_log->setReadOnly(true);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setFont(QFont(QStringLiteral("monospace")));

    auto *bar = new QHBoxLayout;
    auto *hint = new QLabel(tr("Pools with a schedule: each run is a worker that starts at its "
                               "time (or when asked) and ends when its process exits."),
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

    auto *runsBox = new QWidget(this);
    auto *runsLayout = new QVBoxLayout(runsBox);
    runsLayout->setContentsMargins(0, 0, 0, 0);
    runsLayout->addWidget(m_runsTitle);
    runsLayout->addWidget(m_runsView, 1);
    auto *runBox = new QWidget(this);
    auto *runLayout = new QVBoxLayout(runBox);
    runLayout->setContentsMargins(0, 0, 0, 0);
    runLayout->addWidget(m_runTitle);
    runLayout->addWidget(m_log, 1);
    auto *detail = new QSplitter(Qt::Vertical, this);
    detail->setObjectName(QStringLiteral("JobRunSplitter"));
    detail->addWidget(m_durations);
    detail->addWidget(runBox);
    detail->setChildrenCollapsible(false);
    detail->setSizes({180, 200});
    auto *bottom = new QSplitter(Qt::Horizontal, this);
    bottom->setObjectName(QStringLiteral("JobsBottomSplitter"));
    bottom->addWidget(runsBox);
    bottom->addWidget(detail);
    bottom->setChildrenCollapsible(false);
    bottom->setStretchFactor(0, 3);
    bottom->setStretchFactor(1, 2);
    bottom->setSizes({520, 480});
    auto *split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(QStringLiteral("JobsSplitter"));
    split->addWidget(m_view);
    split->addWidget(bottom);
    split->setChildrenCollapsible(false);
    split->setSizes({120, 380});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(split, 1);

    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        updateActions();
        followJob();
    });
    connect(m_runsView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &JobsPane::showRun);
    connect(m_durations, &JobDurationChart::runClicked, this, &JobsPane::selectRun);
    // The jobs' counts come with their pools' deltas: what changed in them says whether the
    // selected job's runs changed (no polling).
    auto *model = bridge->jobs();
    auto changed = [this] {
        updateActions();
        followJob();
    };
    connect(model, &QAbstractItemModel::dataChanged, this, changed);
    connect(model, &QAbstractItemModel::rowsRemoved, this, changed);
    connect(model, &QAbstractItemModel::modelReset, this, [this, model] {
        // A new snapshot (a link back up): the job shown before, if it is still there.
        if (model->rowOf(m_askedPool.toStdString()) >= 0)
            selectJob(m_askedPool);
        else if (model->rowCount() > 0)
            m_view->selectRow(0);
        updateActions();
        followJob();
    });
    connect(model, &QAbstractItemModel::rowsInserted, this, [this] {
        if (selectedJob().isEmpty() && m_view->model()->rowCount() > 0)
            m_view->selectRow(0);
        updateActions();
        followJob();
    });
    // "in 12 s" and a running run's time count on between deltas.
    auto *tick = new QTimer(this);
    tick->setInterval(1000);
    connect(tick, &QTimer::timeout, this, [this, model] {
        if (model->rowCount() > 0)
            emit model->dataChanged(model->index(0, models::JobsModel::NextRun),
                                    model->index(model->rowCount() - 1, models::JobsModel::NextRun),
                                    {Qt::DisplayRole});
        for (int row = 0; row < m_runs->rowCount(); ++row) {
            if (m_runs->at(row)->running())
                emit m_runs->dataChanged(m_runs->index(row, models::JobRunsModel::Took),
                                         m_runs->index(row, models::JobRunsModel::Took),
                                         {Qt::DisplayRole});
        }
    });
    tick->start();
    updateActions();
    followJob();
}

void JobsPane::selectJob(const QString &pool)
{
    const int row = m_bridge->jobs()->rowOf(pool.toStdString());
    if (row >= 0)
        m_view->selectRow(row);
}

QString JobsPane::selectedJob() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows[0].data(models::JobsModel::PoolRole).toString();
}

void JobsPane::selectRun(std::uint64_t number)
{
    for (int row = 0; row < m_runsSorted->rowCount(); ++row) {
        if (m_runsSorted->index(row, 0).data(models::JobRunsModel::NumberRole).toULongLong() ==
            number) {
            m_runsView->selectRow(row);
            m_runsView->scrollTo(m_runsSorted->index(row, 0));
            return;
        }
    }
}

std::uint64_t JobsPane::selectedRun() const
{
    const QModelIndexList rows = m_runsView->selectionModel()->selectedRows();
    return rows.isEmpty() ? 0 : rows[0].data(models::JobRunsModel::NumberRole).toULongLong();
}

void JobsPane::updateActions()
{
    const QString pool = selectedJob();
    const api::JobStatus *job =
        pool.isEmpty() ? nullptr : m_bridge->jobs()->job(pool.toStdString());
    const bool may = m_bridge->role() >= api::Role::Operator;
    const std::array<bool, ActionCount> fits{job != nullptr, job && job->active > 0};
    for (std::size_t i = 0; i < m_actions.size(); ++i) {
        m_actions[i]->setEnabled(may && fits[i]);
        m_actions[i]->setToolTip(
            may ? specText(kSpecs[i].tip)
                : tr("Your role (%1) may not start or stop runs: that needs operator.")
                      .arg(QString::fromStdString(std::string(api::toString(m_bridge->role())))));
    }
}

void JobsPane::run(Action a)
{
    const QString pool = selectedJob();
    if (pool.isEmpty())
        return;
    const QString what = specText(kSpecs[std::size_t(a)].text);
    QPointer<JobsPane> self(this);
    if (a == RunNow) {
        m_bridge->request(
            api::opName(api::Op::JobRun), {{"pool", pool.toStdString()}},
            [self, pool, what](const api::Reply &r) {
                if (!self)
                    return;
                if (!r.ok()) {
                    emit self->message(
                        tr("%1: %2 refused: %3").arg(pool, what, text(r.error().message)));
                    return;
                }
                auto run = api::jobRunFromJson(r->value("run", nlohmann::json()));
                emit self->message(run.ok() ? tr("%1: run %2 started").arg(pool).arg(run->number)
                                            : tr("%1: %2 asked").arg(pool, what));
            });
        return;
    }
    nlohmann::json args{{"pool", pool.toStdString()}};
    const std::uint64_t number = selectedRun();
    if (const api::JobRun *r = m_runs->run(number); r && r->running())
        args["run"] = number; // the run picked; else every run going
    m_bridge->request(
        api::opName(api::Op::JobCancel), args, [self, pool, what](const api::Reply &r) {
            if (!self)
                return;
            if (!r.ok()) {
                emit self->message(
                    tr("%1: %2 refused: %3").arg(pool, what, text(r.error().message)));
                return;
            }
            const int n = int(r->value("cancelled", nlohmann::json::array()).size());
            emit self->message(tr("%1: %n run(s) cancelled", nullptr, n).arg(pool));
        });
}

QString JobsPane::countsOf(const QString &pool) const
{
    const api::JobStatus *j = m_bridge->jobs()->job(pool.toStdString());
    if (!j)
        return {};
    return QStringLiteral("%1 %2 %3 %4 %5 %6 ")
               .arg(j->runs)
               .arg(j->succeeded)
               .arg(j->failed)
               .arg(j->skipped)
               .arg(j->active)
               .arg(j->lastNumber) +
           text(j->lastOutcome);
}

void JobsPane::followJob()
{
    const QString pool = selectedJob();
    if (pool.isEmpty() || !m_bridge->jobs()->job(pool.toStdString())) {
        ++m_generation; // a reply under way is for a job no longer shown
        m_inFlight = false;
        m_askAgain = false;
        m_askedPool.clear();
        m_askedCounts.clear();
        showRuns({}, {});
        return;
    }
    const QString counts = countsOf(pool);
    if (pool == m_askedPool && counts == m_askedCounts)
        return;
    if (pool == m_askedPool && m_inFlight) {
        m_askAgain = true; // once the reply is in: one request for any number of changes
        return;
    }
    if (pool != m_askedPool)
        m_runsTitle->setText(tr("Runs of %1").arg(pool));
    m_askedPool = pool;
    m_askedCounts = counts;
    requestRuns();
}

void JobsPane::requestRuns()
{
    const quint64 generation = ++m_generation;
    const QString pool = m_askedPool;
    m_inFlight = true;
    ++m_historyRequests;
    QPointer<JobsPane> self(this);
    m_bridge->request(
        api::opName(api::Op::JobHistory), {{"pool", pool.toStdString()}, {"limit", kHistory}},
        [self, generation, pool](const api::Reply &r) {
            if (!self || generation != self->m_generation)
                return; // another job was picked since
            self->m_inFlight = false;
            if (r.ok()) {
                std::vector<api::JobRun> runs;
                for (const nlohmann::json &j : r->value("runs", nlohmann::json::array())) {
                    if (auto run = api::jobRunFromJson(j); run.ok())
                        runs.push_back(std::move(*run));
                }
                self->showRuns(pool, runs);
            } else {
                emit self->message(
                    tr("%1: its runs could not be read: %2").arg(pool, text(r.error().message)));
            }
            if (self->m_askAgain) {
                self->m_askAgain = false;
                self->m_askedCounts = self->countsOf(pool);
                self->requestRuns();
            }
        });
}

void JobsPane::showRuns(const QString &pool, const std::vector<api::JobRun> &runs)
{
    // The list follows the newest run while it is the one selected (or none is); a run picked
    // further down stays picked.
    const std::uint64_t selected = selectedRun();
    std::uint64_t newest = 0;
    for (const api::JobRun &r : m_runs->rows())
        newest = std::max(newest, r.number);
    const bool follow = selected == 0 || selected == newest || pool != m_runs->pool();
    m_runs->setRuns(pool, runs);
    m_durations->setRuns(runs);
    if (pool.isEmpty())
        m_runsTitle->setText(tr("Runs"));
    if (follow && !runs.empty())
        selectRun(runs.front().number);
    showRun(); // the run selected may have changed in place (it ended)
}

void JobsPane::showRun()
{
    const api::JobRun *r = m_runs->run(selectedRun());
    if (!r) {
        m_runTitle->setText(selectedJob().isEmpty()   ? tr("Select a job to see its runs.")
                            : m_runs->rowCount() == 0 ? tr("This job has not run yet.")
                                                      : tr("Select a run to see its last lines."));
        m_log->clear();
        return;
    }
    const QString outcome = text(r->outcome);
    QStringList parts{tr("<b>Run %1</b>").arg(r->number),
                      QStringLiteral("<span style=\"color:%1\">%2</span>")
                          .arg(models::JobsModel::outcomeColor(outcome).name(),
                               models::JobsModel::outcomeText(outcome).toHtmlEscaped())};
    if (r->running()) {
        parts << tr("on %1 since %2")
                     .arg(text(r->worker).toHtmlEscaped(),
                          m_runs
                              ->index(m_runs->rowOf(std::to_string(r->number)),
                                      models::JobRunsModel::Started)
                              .data()
                              .toString());
    } else if (r->outcome != "skipped") {
        if (!r->exit.empty())
            parts << text(r->exit).toHtmlEscaped();
        parts << tr("took %1").arg(models::JobsModel::durationText(r->durationMs()));
    }
    if (!r->reason.empty() && r->reason != r->exit)
        parts << text(r->reason).toHtmlEscaped();
    m_runTitle->setText(parts.join(QStringLiteral(" · ")));
    const QString lines = text(r->log);
    if (m_log->toPlainText() != lines)
        m_log->setPlainText(lines);
    m_log->setPlaceholderText(
        r->running() ? tr("Its last lines show here when it ends; the Workers pane follows the "
                          "log of %1 as it is written.")
                           .arg(text(r->worker))
        : r->outcome == "skipped" ? tr("No process ran for this time of the schedule.")
                                  : tr("This run wrote nothing."));
}

} // namespace drover::ui
