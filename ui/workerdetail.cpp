#include "ui/workerdetail.h"

#include "api/codec.h"
#include "api/ops.h"
#include "models/backendbridge.h"
#include "models/workersmodel.h"

#include <QCheckBox>
#include <QCoreApplication>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPointer>
#include <QRegularExpression>
#include <QTabWidget>
#include <QTextBrowser>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

namespace drover::ui {

WorkerDetail::WorkerDetail(models::BackendBridge *bridge, QWidget *parent)
    : QWidget(parent)
    , m_bridge(bridge)
    , m_summary(new QLabel(this))
    , m_log(new QPlainTextEdit(this))
    , m_follow(new QCheckBox(tr("Follow"), this))
    , m_search(new QLineEdit(this))
    , m_tabs(new QTabWidget(this))
    , m_process(new QTextBrowser(this))
    , m_reveal(new QCheckBox(tr("Show secret values"), this))
    , m_events(new QTreeWidget(this))
{
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_log->setReadOnly(true);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setMaximumBlockCount(5000);
    m_log->setFont(QFont(QStringLiteral("monospace")));
    m_follow->setChecked(true);
    m_follow->setToolTip(tr("Show new lines of the log as the worker writes them"));
    m_search->setPlaceholderText(tr("Find in log…"));
    m_search->setClearButtonEnabled(true);

    auto *logPage = new QWidget(this);
    auto *bar = new QHBoxLayout;
    bar->addStretch(1);
    bar->addWidget(m_search);
    bar->addWidget(m_follow);
    auto *logLayout = new QVBoxLayout(logPage);
    logLayout->setContentsMargins(0, 4, 0, 0);
    logLayout->addLayout(bar);
    logLayout->addWidget(m_log, 1);

    m_process->setOpenLinks(false);
    auto *processPage = new QWidget(this);
    auto *processBar = new QHBoxLayout;
    processBar->addStretch(1);
    processBar->addWidget(m_reveal);
    auto *processLayout = new QVBoxLayout(processPage);
    processLayout->setContentsMargins(0, 4, 0, 0);
    processLayout->addLayout(processBar);
    processLayout->addWidget(m_process, 1);
    m_reveal->setEnabled(false);
    connect(m_reveal, &QCheckBox::toggled, this, [this] { showProcess(); });
    m_events->setRootIsDecorated(false);
    m_events->setUniformRowHeights(true);
    m_events->setColumnCount(3);
    m_events->setHeaderLabels({tr("Time"), tr("What happened"), tr("Reason")});
    m_events->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_events->header()->setSectionResizeMode(1, QHeaderView::Stretch);

    m_tabs->setDocumentMode(true);
    m_tabs->addTab(logPage, tr("Log"));
    m_tabs->addTab(processPage, tr("Process"));
    m_tabs->addTab(m_events, tr("Recent events"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary);
    layout->addWidget(m_tabs, 1);
    connect(bridge, &models::BackendBridge::eventsArrived, this,
            [this](const std::vector<api::Event> &events) { addEvents(events); });

    connect(m_follow, &QCheckBox::toggled, this, [this](bool on) {
        if (on)
            follow();
        else
            unfollow();
    });
    connect(m_search, &QLineEdit::returnPressed, this, &WorkerDetail::find);
    connect(m_search, &QLineEdit::textChanged, this, &WorkerDetail::find);
    auto changed = [this] { refreshSummary(); };
    connect(bridge->workers(), &QAbstractItemModel::dataChanged, this, changed);
    connect(bridge->workers(), &QAbstractItemModel::modelReset, this, changed);
    connect(bridge->workers(), &QAbstractItemModel::rowsRemoved, this, changed);
    setWorker({});
}

WorkerDetail::~WorkerDetail()
{
    unfollow();
}

void WorkerDetail::setWorker(const QString &id)
{
    if (id == m_id && !id.isEmpty())
        return;
    unfollow();
    m_id = id;
    m_log->clear();
    m_log->setEnabled(!id.isEmpty());
    m_process->clear();
    m_reveal->setChecked(false);
    m_reveal->setEnabled(false);
    m_described = {};
    m_events->clear();
    refreshSummary();
    if (id.isEmpty())
        return;
    describe();
    loadEvents();
    if (m_follow->isChecked())
        follow();
    else
        m_bridge->request(api::opName(api::Op::LogsTail),
                          {{"worker", id.toStdString()}, {"lines", 200}},
                          [this, id](const api::Reply &r) {
                              if (id != m_id || !r.ok())
                                  return;
                              QStringList lines;
                              for (const auto &l : r->value("lines", nlohmann::json::array()))
                                  lines << QString::fromStdString(l.get<std::string>());
                              appendLines(lines, 0);
                          });
}

void WorkerDetail::refreshSummary()
{
    const int row = m_bridge->workers()->rowOf(m_id.toStdString());
    const api::WorkerInfo *w = m_bridge->workers()->at(row);
    if (!w) {
        m_summary->setText(m_id.isEmpty() ? tr("Select a worker to see its details and log.")
                                          : tr("%1 is gone.").arg(m_id));
        return;
    }
    if (!m_described.image.isEmpty() && w->pid != m_describedPid)
        describe(); // a container worker's new process is a new container
    auto esc = [](const std::string &s) { return QString::fromStdString(s).toHtmlEscaped(); };
    QString text = QStringLiteral("<b>%1</b> · <span style='color:%2'>%3</span>")
                       .arg(esc(w->id), models::WorkersModel::stateColor(w->state).name(),
                            models::WorkersModel::stateText(w->state));
    if (!w->reason.empty())
        text += QStringLiteral(" — ") + esc(w->reason);
    QStringList facts;
    facts << tr("pool %1").arg(esc(w->pool));
    if (w->pid > 0)
        facts << tr("pid %1").arg(w->pid);
    if (w->port)
        facts << tr("port %1").arg(*w->port);
    facts << tr("restarts %1").arg(w->restarts);
    if (w->pid > 0 && api::hasProcess(w->state))
        facts << tr("CPU %1 %").arg(QLocale().toString(w->cpuPercent, 'f', 1))
              << tr("memory %1")
                     .arg(QLocale().formattedDataSize(qint64(w->rssBytes), 1,
                                                      QLocale::DataSizeTraditionalFormat))
              << tr("%n thread(s)", nullptr, w->threads);
    if (!w->lastExit.empty())
        facts << tr("last exit %1").arg(esc(w->lastExit));
    text += QStringLiteral("<br>") + facts.join(QStringLiteral(" · "));
    if (!w->limits.empty()) {
        QStringList limits;
        for (const std::string &l : w->limits)
            limits << esc(l);
        text += QStringLiteral("<br>") + tr("Limits: %1").arg(limits.join(QStringLiteral(", ")));
    }
    for (const std::string &problem : w->limitProblems)
        text += QStringLiteral("<br><span style='color:#d02f2f'>") +
                tr("Limit not applied: %1").arg(esc(problem)) + QStringLiteral("</span>");
    for (const api::ProbeStatus &p : w->probes)
        text += QStringLiteral("<br>") +
                tr("%1 probe (%2 %3): %4 %5")
                    .arg(esc(p.probe), esc(p.kind), esc(p.target), esc(p.state), esc(p.message));
    m_summary->setText(text);
}

void WorkerDetail::describe()
{
    const api::WorkerInfo *now =
        m_bridge->workers()->at(m_bridge->workers()->rowOf(m_id.toStdString()));
    m_describedPid = now ? now->pid : 0;
    m_bridge->request(
        api::opName(api::Op::WorkerDescribe), {{"worker", m_id.toStdString()}},
        [this, id = m_id](const api::Reply &r) {
            if (id != m_id)
                return;
            if (!r.ok()) {
                m_process->setPlainText(tr("Cannot tell what %1 runs: %2")
                                            .arg(id, QString::fromStdString(r.error().message)));
                return;
            }
            Described d;
            for (const auto &w : r->value("command", nlohmann::json::array()))
                d.command << QString::fromStdString(w.get<std::string>());
            d.cwd = QString::fromStdString(r->value("cwd", ""));
            if (r->contains("pid_file"))
                d.pidFile = QString::fromStdString(r->value("pid_file", ""));
            d.log = QString::fromStdString(r->value("log", ""));
            if (const auto c = r->find("container"); c != r->end() && c->is_object()) {
                d.image = QString::fromStdString(c->value("image", ""));
                d.containerId = QString::fromStdString(c->value("id", ""));
                d.network = QString::fromStdString(c->value("network", ""));
                d.containerState = QString::fromStdString(c->value("state", ""));
            }
            for (const auto &e : r->value("env", nlohmann::json::array())) {
                const QString entry = QString::fromStdString(e.get<std::string>());
                const qsizetype eq = entry.indexOf(QLatin1Char('='));
                d.env.append({entry.left(eq), eq < 0 ? QString() : entry.mid(eq + 1)});
            }
            for (const auto &n : r->value("secret_env", nlohmann::json::array()))
                d.secretNames << QString::fromStdString(n.get<std::string>());
            d.secretsShown = r->value("secrets_shown", false);
            m_described = std::move(d);
            m_reveal->setEnabled(m_described.secretsShown && !m_described.secretNames.isEmpty());
            m_reveal->setToolTip(
                m_described.secretNames.isEmpty() ? tr("This worker has no secret values")
                : m_described.secretsShown
                    ? tr("Secret values are hidden until you show them")
                    : tr("Only an admin's connection gets secret values from the master"));
            showProcess();
        });
}

void WorkerDetail::showProcess()
{
    const Described &d = m_described;
    // The command as a shell would need it: words with spaces or quotes in quotes.
    QStringList words;
    for (QString word : d.command) {
        if (word.isEmpty() || word.contains(QRegularExpression(QStringLiteral("[\\s'\"$`\\\\]"))))
            word = QLatin1Char('\'') + word.replace(QLatin1Char('\''), QStringLiteral("'\\''")) +
                   QLatin1Char('\'');
        words << word.toHtmlEscaped();
    }
    QString html = QStringLiteral("<table cellspacing='4'>");
    auto row = [&html](const QString &key, const QString &value) {
        html +=
            QStringLiteral("<tr><td valign='top'><b>%1</b></td><td>%2</td></tr>").arg(key, value);
    };
    auto tt = [](const QString &text) {
        return QStringLiteral("<tt>%1</tt>").arg(text.toHtmlEscaped());
    };
    const bool container = !d.image.isEmpty();
    if (container) {
        row(tr("Image"), tt(d.image));
        row(tr("Container"), d.containerId.isEmpty() ? tr("<i>none yet: podman is starting it</i>")
                                                     : tr("%1, podman says <b>%2</b>")
                                                           .arg(tt(d.containerId.left(12)),
                                                                d.containerState.toHtmlEscaped()));
        row(tr("Network"), d.network == QLatin1String("host")
                               ? tr("the machine's (host)")
                               : tr("its own (private), its port published on 127.0.0.1"));
        row(tr("Arguments"), words.isEmpty()
                                 ? tr("<i>the image's own command</i>")
                                 : QStringLiteral("<tt>%1</tt>").arg(words.join(QLatin1Char(' '))));
        row(tr("Directory"), d.cwd.isEmpty() ? tr("<i>the image's own</i>") : tt(d.cwd));
    } else {
        row(tr("Command"), words.isEmpty()
                               ? tr("<i>none known: watched, not started by Drover</i>")
                               : QStringLiteral("<tt>%1</tt>").arg(words.join(QLatin1Char(' '))));
        row(tr("Directory"), tt(d.cwd));
    }
    if (!d.pidFile.isEmpty())
        row(tr("PID file"), tt(d.pidFile));
    row(tr("Log file"), tt(d.log));
    QStringList env;
    const bool reveal = d.secretsShown && m_reveal->isChecked();
    for (const auto &[name, value] : d.env) {
        if (d.secretNames.contains(name) && !reveal)
            env << QStringLiteral("<tt>%1=</tt><i>%2</i>")
                       .arg(name.toHtmlEscaped(), tr("hidden (secret)"));
        else
            env << tt(name + QLatin1Char('=') + value);
    }
    row(tr("Environment"), (env.isEmpty() ? tr("<i>only what the master passes on</i>")
                                          : env.join(QStringLiteral("<br>"))) +
                               QStringLiteral("<br><small>") +
                               (container ? tr("The container gets these only, not the "
                                               "master's environment.")
                                          : tr("Besides these, the worker inherits the master's "
                                               "environment.")) +
                               QStringLiteral("</small>"));
    m_process->setHtml(html + QStringLiteral("</table>"));
}

void WorkerDetail::loadEvents()
{
    m_bridge->request(api::opName(api::Op::EventsQuery),
                      {{"subject", m_id.toStdString()}, {"limit", 50}},
                      [this, id = m_id](const api::Reply &r) {
                          if (id != m_id || !r.ok())
                              return;
                          std::vector<api::Event> events;
                          for (const auto &j : r->value("events", nlohmann::json::array())) {
                              if (auto e = api::eventFromJson(j); e.ok())
                                  events.push_back(std::move(*e));
                          }
                          // The answer holds those that came live meanwhile too.
                          m_events->clear();
                          addEvents(events);
                      });
}

void WorkerDetail::addEvents(const std::vector<api::Event> &events)
{
    static constexpr int kKept = 50;
    if (m_id.isEmpty())
        return;
    const std::string id = m_id.toStdString();
    for (const api::Event &e : events) {
        if (e.subject != id)
            continue;
        auto *item = new QTreeWidgetItem;
        const QDateTime when = QDateTime::fromMSecsSinceEpoch(e.timeMs);
        item->setText(0, QLocale().toString(when.time(), QStringLiteral("HH:mm:ss")));
        item->setToolTip(0, QLocale().toString(when, QLocale::LongFormat));
        item->setText(1, QString::fromStdString(e.message));
        item->setToolTip(1, QString::fromStdString(e.message));
        item->setText(2, QString::fromStdString(e.reason));
        if (auto state = api::parseWorkerState(e.to); state && e.kind == "worker.state")
            item->setForeground(1, models::WorkersModel::stateColor(*state));
        m_events->insertTopLevelItem(0, item); // newest first
    }
    while (m_events->topLevelItemCount() > kKept)
        delete m_events->takeTopLevelItem(m_events->topLevelItemCount() - 1);
}

void WorkerDetail::follow()
{
    if (m_id.isEmpty() || m_followId)
        return;
    m_log->clear();
    const quint64 generation = ++m_generation;
    QPointer<WorkerDetail> self(this);
    auto toGui = [self, generation](QStringList lines, qint64 skipped) {
        QMetaObject::invokeMethod(
            qApp,
            [self, generation, lines = std::move(lines), skipped] {
                if (self && self->m_generation == generation)
                    self->appendLines(lines, skipped);
            },
            Qt::QueuedConnection);
    };
    m_followId = m_bridge->backend().followLogs(
        {{"worker", m_id.toStdString()}, {"lines", 200}},
        [toGui](api::LogLines batch) {
            QStringList lines;
            lines.reserve(qsizetype(batch.lines.size()));
            for (const std::string &l : batch.lines)
                lines << QString::fromStdString(l);
            toGui(std::move(lines), batch.skipped);
        },
        [toGui](api::Reply r) {
            QStringList lines;
            if (!r.ok()) {
                lines << tr("(cannot follow the log: %1)")
                             .arg(QString::fromStdString(r.error().message));
            } else {
                for (const auto &l : r->value("lines", nlohmann::json::array()))
                    lines << QString::fromStdString(l.get<std::string>());
            }
            toGui(std::move(lines), 0);
        });
}

void WorkerDetail::unfollow()
{
    ++m_generation;
    if (m_followId)
        m_bridge->backend().unfollowLogs(m_followId);
    m_followId = 0;
}

void WorkerDetail::appendLines(const QStringList &lines, qint64 skipped)
{
    if (skipped > 0)
        m_log->appendPlainText(tr("… %n line(s) skipped", nullptr, int(skipped)));
    else if (skipped < 0)
        m_log->appendPlainText(tr("… the connection was down: lines may be missing"));
    for (const QString &line : lines)
        m_log->appendPlainText(line);
}

void WorkerDetail::find()
{
    const QString text = m_search->text();
    if (text.isEmpty())
        return;
    if (!m_log->find(text)) { // from the top again
        m_log->moveCursor(QTextCursor::Start);
        m_log->find(text);
    }
}

} // namespace drover::ui
