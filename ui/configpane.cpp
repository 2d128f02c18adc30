#include "ui/configpane.h"

#include "config/loader.h"
#include "models/backendbridge.h"
#include "models/linediff.h"
#include "ui/codeeditor.h"
#include "ui/diffview.h"

#include <QAction>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QThreadPool>
#include <QToolBar>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

namespace drover::ui {

using nlohmann::json;

namespace {

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

QString roleName(api::Role role)
{
    return qs(std::string(api::toString(role)));
}

QString replicasText(const json &r)
{
    if (r.is_object())
        return QStringLiteral("%1..%2").arg(r.value("min", 0)).arg(r.value("max", 0));
    return r.is_number() ? QString::number(r.get<int>()) : qs(r.dump());
}

QString when(const json &ms)
{
    if (!ms.is_number())
        return QStringLiteral("–");
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms.get<qint64>()),
                              QLocale::ShortFormat);
}

QWidget *buttonRow(std::initializer_list<QWidget *> left, std::initializer_list<QWidget *> right)
{
    auto *row = new QWidget;
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    for (QWidget *w : left)
        layout->addWidget(w);
    layout->addStretch();
    for (QWidget *w : right)
        layout->addWidget(w);
    return row;
}

QPushButton *buttonFor(QAction *action)
{
    auto *b = new QPushButton(action->text());
    b->setEnabled(action->isEnabled());
    b->setToolTip(action->toolTip());
    QObject::connect(b, &QPushButton::clicked, action, &QAction::trigger);
    QObject::connect(action, &QAction::changed, b, [b, action] {
        b->setText(action->text());
        b->setEnabled(action->isEnabled());
        b->setToolTip(action->toolTip());
        b->setVisible(action->isVisible());
    });
    return b;
}

} // namespace

ConfigPane::ConfigPane(models::BackendBridge *bridge, QWidget *parent)
    : QWidget(parent)
    , m_bridge(bridge)
{
    build();
    connect(m_bridge, &models::BackendBridge::snapshotApplied, this, [this] {
        updateActions();
        if (!m_loaded || (!isModified() && m_bridge->configVersion() != m_baseVersion))
            reload(); // first, or someone applied elsewhere while nothing was edited here
    });
    connect(m_bridge, &models::BackendBridge::eventsArrived, this,
            [this](const std::vector<api::Event> &events) {
                for (const api::Event &e : events) {
                    if (e.kind != "config.reloaded" || qs(e.to) == m_baseVersion || !m_loaded)
                        continue;
                    if (!isModified() && page() == EditPage)
                        reload();
                    else
                        m_banner->setText(
                            tr("The master now runs version %1; your edits are based on %2. "
                               "Applying will show both changes.")
                                .arg(qs(e.to), m_baseVersion));
                    m_banner->setVisible(isModified());
                }
            });
    if (m_bridge->hasSnapshot())
        reload();
}

ConfigPane::ConfigPane(const QString &file, QWidget *parent)
    : QWidget(parent)
    , m_file(file)
{
    build();
    reload();
}

ConfigPane::~ConfigPane() = default;

void ConfigPane::build()
{
    m_clock.start();
    m_editor = new CodeEditor(this);
    m_find = new FindBar(m_editor, this);
    m_problems = new models::ProblemsModel(this);
    m_problemsView = new QTableView(this);
    m_problemsView->setModel(m_problems);
    m_problemsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_problemsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_problemsView->verticalHeader()->hide();
    m_problemsView->horizontalHeader()->setStretchLastSection(false);
    m_problemsView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_problemsView->horizontalHeader()->setSectionResizeMode(models::ProblemsModel::Message,
                                                             QHeaderView::Stretch);
    m_problemsView->setWordWrap(false);
    m_status = new QLabel(this);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner = new QLabel(this);
    m_banner->setWordWrap(true);
    m_banner->setStyleSheet(QStringLiteral("QLabel { background: #fff4ce; color: #4d3b00; "
                                           "padding: 4px; }"));
    m_banner->hide();

    // Actions.
    m_reloadAction =
        new QAction(QIcon(QStringLiteral(":/icons/restart.svg")),
                    isLocalFile() ? tr("Re&load File") : tr("Re&load from Master"), this);
    m_reviewAction = new QAction(tr("&Review and Apply…"), this);
    m_reviewAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_applyAction = new QAction(tr("&Apply"), this);
    m_overwriteAction = new QAction(tr("&Overwrite Theirs"), this);
    m_mergeAction = new QAction(tr("Reload and &Merge"), this);
    m_historyAction = new QAction(tr("&History"), this);
    m_restoreAction = new QAction(tr("Re&store This Version…"), this);
    m_saveAction = new QAction(isLocalFile() ? tr("&Save") : tr("&Save Copy to File…"), this);
    m_saveAction->setShortcut(QKeySequence::Save);
    m_saveAsAction = new QAction(tr("Save &As…"), this);
    m_findAction = new QAction(tr("&Find…"), this);
    m_findAction->setShortcut(QKeySequence::Find);
    m_replaceAction = new QAction(tr("R&eplace…"), this);
    m_replaceAction->setShortcut(QKeySequence::Replace);
    for (QAction *a : {m_reviewAction, m_saveAction, m_findAction, m_replaceAction}) {
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        addAction(a);
    }
    auto *undo = new QAction(tr("&Undo"), this);
    auto *redo = new QAction(tr("&Redo"), this);
    undo->setEnabled(false);
    redo->setEnabled(false);
    connect(undo, &QAction::triggered, m_editor, &QPlainTextEdit::undo);
    connect(redo, &QAction::triggered, m_editor, &QPlainTextEdit::redo);
    connect(m_editor, &QPlainTextEdit::undoAvailable, undo, &QAction::setEnabled);
    connect(m_editor, &QPlainTextEdit::redoAvailable, redo, &QAction::setEnabled);

    m_toolbar = new QToolBar(this);
    m_toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_toolbar->addAction(m_reloadAction);
    m_toolbar->addAction(m_saveAction);
    if (isLocalFile())
        m_toolbar->addAction(m_saveAsAction);
    m_toolbar->addSeparator();
    m_toolbar->addAction(undo);
    m_toolbar->addAction(redo);
    m_toolbar->addAction(m_findAction);
    m_toolbar->addAction(m_replaceAction);
    if (!isLocalFile()) {
        m_toolbar->addSeparator();
        m_toolbar->addAction(m_reviewAction);
        m_toolbar->addAction(m_historyAction);
    }

    // The edit page: editor, find bar, status; the problems below.
    auto *editPage = new QWidget(this);
    {
        auto *top = new QWidget(editPage);
        auto *v = new QVBoxLayout(top);
        v->setContentsMargins(0, 0, 0, 0);
        v->setSpacing(0);
        v->addWidget(m_banner);
        v->addWidget(m_editor, 1);
        v->addWidget(m_find);
        auto *split = new QSplitter(Qt::Vertical, editPage);
        split->addWidget(top);
        split->addWidget(m_problemsView);
        split->setStretchFactor(0, 4);
        split->setStretchFactor(1, 1);
        auto *layout = new QVBoxLayout(editPage);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->addWidget(split, 1);
        layout->addWidget(m_status);
    }

    // The review page: the diff, the plan, apply.
    auto *reviewPage = new QWidget(this);
    {
        m_reviewDiff = new DiffView(reviewPage);
        m_plan = new QTextBrowser(reviewPage);
        m_applyReason = new QLabel(reviewPage);
        m_applyReason->setWordWrap(true);
        auto *back = new QPushButton(tr("Back to Editing"), reviewPage);
        connect(back, &QPushButton::clicked, this, [this] { showPage(EditPage); });
        auto *split = new QSplitter(Qt::Vertical, reviewPage);
        split->addWidget(m_reviewDiff);
        split->addWidget(m_plan);
        split->setStretchFactor(0, 3);
        split->setStretchFactor(1, 1);
        auto *layout = new QVBoxLayout(reviewPage);
        layout->setContentsMargins(4, 4, 4, 4);
        layout->addWidget(split, 1);
        layout->addWidget(m_applyReason);
        layout->addWidget(buttonRow({back}, {buttonFor(m_applyAction)}));
    }

    // The conflict page: their change against yours.
    auto *conflictPage = new QWidget(this);
    {
        m_conflictText = new QLabel(conflictPage);
        m_conflictText->setWordWrap(true);
        m_conflictDiff = new DiffView(conflictPage);
        auto *back = new QPushButton(tr("Back to Editing"), conflictPage);
        connect(back, &QPushButton::clicked, this, [this] { showPage(EditPage); });
        auto *layout = new QVBoxLayout(conflictPage);
        layout->setContentsMargins(4, 4, 4, 4);
        layout->addWidget(m_conflictText);
        layout->addWidget(m_conflictDiff, 1);
        layout->addWidget(
            buttonRow({back}, {buttonFor(m_mergeAction), buttonFor(m_overwriteAction)}));
    }

    // The history page: versions, a diff of two, restore.
    auto *historyPage = new QWidget(this);
    {
        m_history = new QTreeWidget(historyPage);
        m_history->setRootIsDecorated(false);
        m_history->setSelectionMode(QAbstractItemView::ExtendedSelection);
        m_history->setHeaderLabels({tr("Version"), tr("Applied"), tr("By"), tr("State")});
        m_historyDiff = new DiffView(historyPage);
        auto *back = new QPushButton(tr("Back to Editing"), historyPage);
        connect(back, &QPushButton::clicked, this, [this] { showPage(EditPage); });
        auto *hint = new QLabel(tr("Select a version to compare it with the running one, or "
                                   "two to compare them."),
                                historyPage);
        hint->setWordWrap(true);
        auto *split = new QSplitter(Qt::Vertical, historyPage);
        split->addWidget(m_history);
        split->addWidget(m_historyDiff);
        split->setStretchFactor(0, 1);
        split->setStretchFactor(1, 3);
        auto *layout = new QVBoxLayout(historyPage);
        layout->setContentsMargins(4, 4, 4, 4);
        layout->addWidget(hint);
        layout->addWidget(split, 1);
        layout->addWidget(buttonRow({back}, {buttonFor(m_restoreAction)}));
        connect(m_history, &QTreeWidget::itemSelectionChanged, this, [this] {
            compareSelected();
            updateActions();
        });
    }

    m_pages = new QStackedWidget(this);
    m_pages->addWidget(editPage);
    m_pages->addWidget(reviewPage);
    m_pages->addWidget(conflictPage);
    m_pages->addWidget(historyPage);
    connect(m_pages, &QStackedWidget::currentChanged, this, [this](int page) {
        updateActions();
        emit pageChanged(page);
    });
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_toolbar);
    layout->addWidget(m_pages, 1);

    // Behaviour.
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(300);
    connect(&m_debounce, &QTimer::timeout, this, &ConfigPane::validateNow);
    connect(m_editor, &QPlainTextEdit::textChanged, this, [this] {
        if (m_loading)
            return;
        m_debounce.start();
        const bool modified = isModified();
        if (modified != m_wasModified) {
            m_wasModified = modified;
            updateActions();
            emit modifiedChanged(modified);
        }
    });
    connect(m_problemsView, &QTableView::activated, this, [this](const QModelIndex &index) {
        const models::Problem &p = m_problems->problem(index.row());
        if (index.column() == models::ProblemsModel::Suggestion && !p.suggestion.isEmpty())
            useSuggestion(index.row());
        else
            m_editor->goTo(p.line, p.column);
    });
    connect(m_problemsView, &QTableView::clicked, this, [this](const QModelIndex &index) {
        const models::Problem &p = m_problems->problem(index.row());
        m_editor->goTo(p.line, p.column);
    });
    connect(m_reloadAction, &QAction::triggered, this, &ConfigPane::reload);
    connect(m_reviewAction, &QAction::triggered, this, &ConfigPane::review);
    connect(m_applyAction, &QAction::triggered, this, [this] { apply(false); });
    connect(m_overwriteAction, &QAction::triggered, this, [this] { apply(true); });
    connect(m_mergeAction, &QAction::triggered, this, &ConfigPane::reloadAndMerge);
    connect(m_historyAction, &QAction::triggered, this, &ConfigPane::showHistory);
    connect(m_restoreAction, &QAction::triggered, this, [this] {
        const QList<QTreeWidgetItem *> picked = m_history->selectedItems();
        if (picked.size() == 1)
            restoreVersion(picked[0]->data(0, Qt::UserRole).toString());
    });
    connect(m_findAction, &QAction::triggered, this, [this] { m_find->open(false); });
    connect(m_replaceAction, &QAction::triggered, this, [this] { m_find->open(true); });
    connect(m_saveAction, &QAction::triggered, this, [this] {
        QString path = m_file;
        if (!isLocalFile() || path.isEmpty())
            path = QFileDialog::getSaveFileName(this, tr("Save Config"), displayName(),
                                                tr("YAML files (*.yaml *.yml);;All files (*)"));
        if (!path.isEmpty())
            saveTo(path);
    });
    connect(m_saveAsAction, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Save Config"), m_file, tr("YAML files (*.yaml *.yml);;All files (*)"));
        if (!path.isEmpty() && saveTo(path))
            m_file = path;
    });
    updateActions();
}

QString ConfigPane::displayName() const
{
    return m_file.isEmpty() ? QStringLiteral("drover.yaml") : QFileInfo(m_file).fileName();
}

ConfigPane::Page ConfigPane::page() const
{
    return Page(m_pages->currentIndex());
}

void ConfigPane::showPage(Page page)
{
    m_pages->setCurrentIndex(int(page));
}

bool ConfigPane::isModified() const
{
    return m_loaded && m_editor->toPlainText() != m_baseText;
}

QString ConfigPane::roleReason() const
{
    if (isLocalFile())
        return tr("A local file is not applied to a master: save it, or open the master's "
                  "Config tab.");
    if (m_bridge->role() < api::Role::Admin)
        return tr("Your role (%1) may not apply a config: that needs admin.")
            .arg(roleName(m_bridge->role()));
    return {};
}

void ConfigPane::updateActions()
{
    const QString reason = roleReason();
    const bool admin = reason.isEmpty();
    m_applyAction->setEnabled(admin && !m_planUnchanged && page() == ReviewPage);
    m_applyAction->setToolTip(!admin            ? reason
                              : m_planUnchanged ? tr("Nothing to apply: the text is the "
                                                     "running version.")
                                                : tr("Apply this config to the master"));
    m_applyReason->setText(admin ? QString() : reason);
    m_applyReason->setVisible(!admin);
    m_overwriteAction->setEnabled(admin);
    m_overwriteAction->setToolTip(admin ? tr("Apply your text over theirs") : reason);
    const bool connected = !m_bridge || m_bridge->hasSnapshot();
    m_reviewAction->setEnabled(!isLocalFile() && connected);
    m_reviewAction->setToolTip(admin ? tr("See the change against the running config and the "
                                          "master's plan, then apply it (Ctrl+Return)")
                                     : tr("See the change against the running config and the "
                                          "master's plan. %1")
                                           .arg(reason));
    m_historyAction->setEnabled(!isLocalFile() && connected);
    m_restoreAction->setEnabled(admin && m_history->selectedItems().size() == 1);
    m_restoreAction->setToolTip(admin ? tr("Put this version in the editor, then review and "
                                           "apply it")
                                      : reason);
}

void ConfigPane::request(const std::string &op, const json &args,
                         std::function<void(const api::Reply &)> onReply)
{
    if (!m_bridge)
        return;
    QPointer<ConfigPane> self(this);
    m_bridge->request(op, args, [self, onReply = std::move(onReply)](const api::Reply &reply) {
        if (self)
            onReply(reply);
    });
}

void ConfigPane::setLoaded(const QString &text, const QString &version)
{
    m_loading = true;
    m_baseText = text;
    m_baseVersion = version;
    m_loaded = true;
    m_editor->setPlainText(text);
    m_loading = false;
    m_wasModified = false;
    m_banner->hide();
    emit modifiedChanged(false);
    updateActions();
    validateNow();
}

void ConfigPane::reload()
{
    if (m_loaded && !maybeDiscard())
        return;
    if (isLocalFile()) {
        QFile f(m_file);
        if (!f.open(QIODevice::ReadOnly)) {
            m_status->setText(tr("Cannot read \"%1\": %2").arg(m_file, f.errorString()));
            return;
        }
        setLoaded(QString::fromUtf8(f.readAll()), QString());
        return;
    }
    request("config.get", json::object(), [this](const api::Reply &reply) {
        if (!reply.ok()) {
            m_status->setText(
                tr("Cannot get the running config: %1").arg(qs(reply.error().message)));
            return;
        }
        m_file = qs(reply->value("file", ""));
        setLoaded(qs(reply->value("text", "")), qs(reply->value("version", "")));
        emit message(tr("Config version %1 loaded").arg(m_baseVersion));
    });
}

void ConfigPane::validateNow()
{
    m_debounce.stop();
    const quint64 generation = ++m_generation;
    m_sentAtNs = m_clock.nsecsElapsed();
    const QString text = m_editor->toPlainText();
    if (isLocalFile()) {
        // The console's own copy of the validator, off the GUI thread.
        QPointer<ConfigPane> self(this);
        const std::string name = QFileInfo(m_file).fileName().toStdString();
        const std::string dir = QFileInfo(m_file).absolutePath().toStdString();
        QThreadPool::globalInstance()->start(
            [self, generation, name, dir, utf8 = text.toStdString()] {
                config::LoadOptions options;
                options.baseDir = dir;
                config::LoadResult result = config::loadText(utf8, name, options);
                api::Reply reply = json::object();
                if (result.ok()) {
                    reply = json{{"ok", true}, {"summary", result.config->summary().toString()}};
                } else {
                    const std::size_t n = result.errors.size() + result.moreErrors;
                    reply = api::Error{api::ErrorCode::InvalidConfig,
                                       std::to_string(n) + " errors in the config", result.errors};
                }
                QMetaObject::invokeMethod(
                    qApp,
                    [self, generation, reply = std::move(reply)] {
                        if (self)
                            self->showValidation(generation, reply);
                    },
                    Qt::QueuedConnection);
            });
        return;
    }
    request("config.validate",
            {{"text", text.toStdString()}, {"file", displayName().toStdString()}},
            [this, generation](const api::Reply &reply) { showValidation(generation, reply); });
}

bool ConfigPane::useSuggestion(int row)
{
    if (row < 0 || row >= m_problems->rowCount())
        return false;
    const QString suggestion = m_problems->problem(row).suggestion;
    if (suggestion.isEmpty() || suggestion.startsWith(QLatin1Char('{')))
        return false; // a {{placeholder}} is inside a value: left to the user
    for (const CodeEditor::Mark &mark : m_editor->marks()) {
        if (mark.problem != row || mark.end <= mark.start)
            continue;
        QTextCursor c(m_editor->document());
        c.setPosition(mark.start);
        c.setPosition(mark.end, QTextCursor::KeepAnchor);
        c.insertText(suggestion); // one undo step; checked again after the debounce
        m_editor->setTextCursor(c);
        m_editor->setFocus();
        return true;
    }
    return false;
}

void ConfigPane::showValidation(quint64 generation, const api::Reply &reply)
{
    if (generation != m_generation)
        return; // a newer text is on its way: this one is stale
    QList<models::Problem> problems;
    if (reply.ok()) {
        m_status->setText(tr("✓ Valid: %1").arg(qs(reply->value("summary", ""))));
    } else if (reply.error().code == api::ErrorCode::InvalidConfig) {
        problems = models::Problem::fromDiagnostics(reply.error().details);
        m_status->setText(tr("%n problem(s)", nullptr, int(problems.size())));
    } else {
        m_status->setText(tr("Not checked: %1 (your text is kept)").arg(qs(reply.error().message)));
        return;
    }
    m_editor->setProblems(problems);
    m_problems->setProblems(problems);
    ++m_shown;
    m_lastRoundTripMs = double(m_clock.nsecsElapsed() - m_sentAtNs) / 1e6;
    emit validated(generation, int(problems.size()));
}

void ConfigPane::review()
{
    if (isLocalFile())
        return;
    const QString text = m_editor->toPlainText();
    m_status->setText(tr("Asking the master for the plan…"));
    request(
        "config.plan", {{"text", text.toStdString()}, {"file", displayName().toStdString()}},
        [this, text](const api::Reply &reply) {
            if (!reply.ok()) {
                if (reply.error().code == api::ErrorCode::InvalidConfig) {
                    const auto problems = models::Problem::fromDiagnostics(reply.error().details);
                    m_editor->setProblems(problems);
                    m_problems->setProblems(problems);
                    m_status->setText(tr("Fix the %n problem(s) before applying.", nullptr,
                                         int(problems.size())));
                } else {
                    m_status->setText(tr("No plan: %1").arg(qs(reply.error().message)));
                }
                showPage(EditPage);
                return;
            }
            m_reviewDiff->setTexts(tr("Running (version %1)").arg(m_baseVersion), m_baseText,
                                   isModified() ? tr("Yours (not applied)") : tr("Yours"), text);
            showPlan(*reply);
            showPage(ReviewPage);
            updateActions();
        });
}

void ConfigPane::showPlan(const json &plan)
{
    m_planUnchanged = plan.value("unchanged", false);
    QStringList items;
    for (const json &p : plan.value("pools", json::array())) {
        const QString pool = qs(p.value("pool", ""));
        const std::string change = p.value("change", "");
        if (change == "added")
            items << tr("Pool <b>%1</b> is added: %2 worker(s) start.")
                         .arg(pool.toHtmlEscaped(), replicasText(p["replicas"]));
        else if (change == "removed")
            items << tr("Pool <b>%1</b> is removed: its workers stop.").arg(pool.toHtmlEscaped());
        else if (change == "scaled")
            items << tr("Pool <b>%1</b> is scaled from %2 to %3 workers.")
                         .arg(pool.toHtmlEscaped(), replicasText(p["from"]), replicasText(p["to"]));
        else if (change == "template") {
            const std::string strategy = p.value("strategy", "rolling");
            const QString what = tr("Pool <b>%1</b> gets a new template (revision %2 → %3): ")
                                     .arg(pool.toHtmlEscaped(), qs(p.value("from_revision", "")),
                                          qs(p.value("to_revision", "")));
            if (strategy == "recreate")
                items << what + tr("a recreate rollout stops every old worker, then starts the "
                                   "new ones.");
            else if (strategy == "blue-green")
                items << what + tr("a blue-green rollout starts a whole new set while the old "
                                   "one takes every request; once all of it is ready the "
                                   "gateway switches to it and the old set is drained and "
                                   "stopped.");
            else if (strategy == "canary")
                items << what + tr("a canary rollout sends each step's share of the requests "
                                   "to new workers while the old set stays whole, rolls back "
                                   "when their errors pass max_error_rate, and after the last "
                                   "step switches to a whole new set.");
            else
                items << what + tr("a %1 rollout replaces its workers, at most %2 extra and %3 "
                                   "missing at a time, each new one ready before an old one is "
                                   "drained and stopped.")
                                    .arg(QString::fromStdString(strategy))
                                    .arg(p.value("max_surge", 0))
                                    .arg(p.value("max_unavailable", 0));
        } else if (change == "probes")
            items << tr("Pool <b>%1</b>: its probes change; the workers keep running.")
                         .arg(pool.toHtmlEscaped());
    }
    for (const json &a : plan.value("adopted", json::array())) {
        const QString name = qs(a.value("name", "")).toHtmlEscaped();
        items << (a.value("change", "") == "added"
                      ? tr("Adopted process <b>%1</b> is added.").arg(name)
                      : tr("Adopted process <b>%1</b> is removed.").arg(name));
    }
    for (const json &m : plan.value("master", json::array()))
        items << tr("<b>master.%1</b> changes from %2 to %3: this takes effect when droverd "
                    "restarts.")
                     .arg(qs(m.value("setting", "")), qs(m.value("from", "")).toHtmlEscaped(),
                          qs(m.value("to", "")).toHtmlEscaped());
    QString html = QStringLiteral("<h3>%1</h3>").arg(tr("What applying does"));
    if (m_planUnchanged)
        html += QStringLiteral("<p>%1</p>").arg(tr("Nothing: the text is the running version."));
    else if (items.isEmpty())
        html += QStringLiteral("<p>%1</p>")
                    .arg(tr("No pool is added, removed, scaled or replaced; the other settings "
                            "apply in place."));
    else
        html += QStringLiteral("<ul><li>") + items.join(QStringLiteral("</li><li>")) +
                QStringLiteral("</li></ul>");
    html +=
        QStringLiteral("<p>%1</p>").arg(tr("Afterwards: %1").arg(qs(plan.value("summary", ""))));
    m_plan->setHtml(html);
}

void ConfigPane::apply(bool overwrite)
{
    if (isLocalFile())
        return;
    const QString text = m_editor->toPlainText();
    const QString base = overwrite ? m_theirVersion : m_baseVersion;
    m_status->setText(tr("Applying…"));
    request("config.apply", {{"text", text.toStdString()}, {"base_version", base.toStdString()}},
            [this, text](const api::Reply &reply) {
                if (reply.ok()) {
                    const QString version = qs(reply->value("version", ""));
                    m_loading = true;
                    m_baseText = text;
                    m_baseVersion = version;
                    m_loading = false;
                    m_wasModified = isModified();
                    emit modifiedChanged(m_wasModified);
                    m_banner->hide();
                    m_status->setText(tr("Applied: the master runs version %1.").arg(version));
                    emit message(tr("Config applied: version %1").arg(version));
                    showPage(EditPage);
                    emit applied(version);
                    return;
                }
                const api::Error &e = reply.error();
                switch (e.code) {
                case api::ErrorCode::Conflict:
                    showConflict();
                    return;
                case api::ErrorCode::InvalidConfig: {
                    const auto problems = models::Problem::fromDiagnostics(e.details);
                    m_editor->setProblems(problems);
                    m_problems->setProblems(problems);
                    m_status->setText(
                        tr("Not applied: %n problem(s).", nullptr, int(problems.size())));
                    showPage(EditPage);
                    return;
                }
                default:
                    m_status->setText(tr("Not applied: %1. Your text is kept.").arg(qs(e.message)));
                    emit message(tr("Config not applied: %1").arg(qs(e.message)));
                    return;
                }
            });
}

void ConfigPane::showConflict()
{
    request("config.get", json::object(), [this](const api::Reply &reply) {
        if (!reply.ok()) {
            m_status->setText(tr("Someone else applied first, and the running config cannot be "
                                 "fetched: %1")
                                  .arg(qs(reply.error().message)));
            return;
        }
        m_theirText = qs(reply->value("text", ""));
        m_theirVersion = qs(reply->value("version", ""));
        m_conflictText->setText(
            tr("<b>Someone applied version %1 while you edited version %2.</b> Left: the "
               "config running now; right: yours. <i>Reload and Merge</i> puts your edits on "
               "theirs; <i>Overwrite Theirs</i> applies yours as it is.")
                .arg(m_theirVersion, m_baseVersion));
        m_conflictDiff->setTexts(tr("Theirs (running, version %1)").arg(m_theirVersion),
                                 m_theirText, tr("Yours"), m_editor->toPlainText());
        showPage(ConflictPage);
        emit message(tr("Conflict: the config changed on the master"));
    });
}

void ConfigPane::reloadAndMerge()
{
    const models::LineDiff::Merge merged =
        models::LineDiff::merge(m_baseText, m_editor->toPlainText(), m_theirText);
    m_baseText = m_theirText;
    m_baseVersion = m_theirVersion;
    m_editor->setPlainText(merged.text); // one undo step: the edits are still there to undo
    showPage(EditPage);
    m_status->setText(merged.conflicts
                          ? tr("Merged with %n conflict(s): both versions are between <<<<<<< "
                               "and >>>>>>> markers.",
                               nullptr, merged.conflicts)
                          : tr("Merged: your edits are on version %1.").arg(m_baseVersion));
    validateNow();
}

void ConfigPane::showHistory()
{
    showPage(HistoryPage);
    request("config.history", json::object(), [this](const api::Reply &reply) {
        m_history->clear();
        if (!reply.ok()) {
            m_status->setText(tr("No history: %1").arg(qs(reply.error().message)));
            return;
        }
        for (const json &v : reply->value("versions", json::array())) {
            auto *item = new QTreeWidgetItem(m_history);
            const QString version = qs(v.value("version", ""));
            item->setData(0, Qt::UserRole, version);
            item->setText(0, version);
            item->setText(1, when(v.value("applied_at", json())));
            const json who = v.value("who", json());
            item->setText(2, who.is_string() ? qs(who.get<std::string>()) : tr("unknown"));
            item->setText(3, v.value("current", false) ? tr("running") : QString());
        }
        for (int c = 0; c < m_history->columnCount(); ++c)
            m_history->resizeColumnToContents(c);
        updateActions();
    });
}

void ConfigPane::fetchVersionText(const QString &version, std::function<void(const QString &)> then)
{
    if (auto it = m_versionTexts.find(version); it != m_versionTexts.end()) {
        then(*it);
        return;
    }
    request("config.history", {{"version", version.toStdString()}},
            [this, version, then](const api::Reply &reply) {
                if (!reply.ok()) {
                    m_status->setText(
                        tr("Cannot get version %1: %2").arg(version, qs(reply.error().message)));
                    return;
                }
                const QString text = qs(reply->value("text", ""));
                m_versionTexts.insert(version, text);
                then(text);
            });
}

void ConfigPane::compareSelected()
{
    QList<QTreeWidgetItem *> picked = m_history->selectedItems();
    if (picked.isEmpty() || picked.size() > 2)
        return;
    // Older on the left: the list is newest first.
    std::sort(picked.begin(), picked.end(), [this](QTreeWidgetItem *a, QTreeWidgetItem *b) {
        return m_history->indexOfTopLevelItem(a) > m_history->indexOfTopLevelItem(b);
    });
    QString left = picked[0]->data(0, Qt::UserRole).toString();
    QString right = picked.size() == 2
                        ? picked[1]->data(0, Qt::UserRole).toString()
                        : m_history->topLevelItem(0)->data(0, Qt::UserRole).toString();
    QPointer<ConfigPane> self(this);
    const quint64 generation = ++m_compareGeneration; // only the newest selection is shown
    fetchVersionText(left, [self, left, right, generation](const QString &leftText) {
        if (!self || generation != self->m_compareGeneration)
            return;
        self->fetchVersionText(
            right, [self, left, right, leftText, generation](const QString &rightText) {
                if (self && generation == self->m_compareGeneration)
                    self->m_historyDiff->setTexts(tr("Version %1").arg(left), leftText,
                                                  tr("Version %1").arg(right), rightText);
            });
    });
}

void ConfigPane::restoreVersion(const QString &version)
{
    fetchVersionText(version, [this, version](const QString &text) {
        if (!maybeDiscard())
            return;
        // The running version stays the base: the restore is an edit like any other.
        m_editor->setPlainText(text);
        m_status->setText(tr("Version %1 is in the editor: review and apply it.").arg(version));
        review();
    });
}

bool ConfigPane::saveTo(const QString &path)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(m_editor->toPlainText().toUtf8()) < 0 ||
        !f.commit()) {
        m_status->setText(tr("Cannot save \"%1\": %2").arg(path, f.errorString()));
        return false;
    }
    if (isLocalFile() && path == m_file) {
        m_baseText = m_editor->toPlainText();
        m_wasModified = false;
        emit modifiedChanged(false);
    } else if (!isLocalFile()) {
        m_savedCopy = m_editor->toPlainText();
    }
    m_status->setText(tr("Saved to \"%1\".").arg(QFileInfo(path).fileName()));
    emit message(tr("Saved to %1").arg(path));
    return true;
}

bool ConfigPane::maybeDiscard()
{
    if (!isModified() || (!isLocalFile() && m_savedCopy == m_editor->toPlainText()))
        return true;
    Discard answer = Discard::Cancel;
    if (m_prompt) {
        answer = m_prompt();
    } else {
        QMessageBox box(QMessageBox::Question, tr("Unsaved Config Edits"),
                        tr("The config has edits that are not applied or saved. Save them to a "
                           "file first?"),
                        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, this);
        const int r = box.exec();
        answer = r == QMessageBox::Save      ? Discard::Save
                 : r == QMessageBox::Discard ? Discard::Discard
                                             : Discard::Cancel;
    }
    if (answer == Discard::Save) {
        QString path = isLocalFile() ? m_file : QString();
        if (path.isEmpty())
            path = QFileDialog::getSaveFileName(this, tr("Save Config"), displayName(),
                                                tr("YAML files (*.yaml *.yml);;All files (*)"));
        return !path.isEmpty() && saveTo(path);
    }
    return answer == Discard::Discard;
}

} // namespace drover::ui
