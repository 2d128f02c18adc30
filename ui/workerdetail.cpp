#include "ui/workerdetail.h"

#include "models/backendbridge.h"
#include "models/workersmodel.h"

#include <QCheckBox>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPointer>
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

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Log"), this));
    bar->addStretch(1);
    bar->addWidget(m_search);
    bar->addWidget(m_follow);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_summary);
    layout->addLayout(bar);
    layout->addWidget(m_log, 1);

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
    refreshSummary();
    if (id.isEmpty())
        return;
    if (m_follow->isChecked())
        follow();
    else
        m_bridge->request("logs.tail", {{"worker", id.toStdString()}, {"lines", 200}},
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
