#include "ui/healthpane.h"

#include "api/codec.h"
#include "api/ops.h"
#include "models/backendbridge.h"
#include "models/healthmodel.h"
#include "ui/healthtimeline.h"
#include "ui/tableview.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPointer>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace drover::ui {

namespace {

using nlohmann::json;

constexpr int kLogLines = 40;
constexpr int kHistoryLimit = 5000;

/// Startup first, then liveness, readiness, then anything else by name.
int roleOrder(const std::string &probe)
{
    if (probe == "startup")
        return 0;
    if (probe == "liveness")
        return 1;
    if (probe == "readiness")
        return 2;
    return 3;
}

QString esc(const std::string &s)
{
    return QString::fromStdString(s).toHtmlEscaped();
}

QString esc(const QString &s)
{
    return s.toHtmlEscaped();
}

/// The reason of a `probe.changed` event: the engine writes its message as
/// `<worker>: <probe> probe <to> (<reason>)`.
std::string transitionReason(const api::Event &e, const std::string &probe)
{
    const std::string head = e.subject + ": " + probe + " probe " + e.to + " (";
    if (e.message.size() > head.size() + 1 && e.message.compare(0, head.size(), head) == 0 &&
        e.message.back() == ')')
        return e.message.substr(head.size(), e.message.size() - head.size() - 1);
    return e.message;
}

} // namespace

HealthPane::HealthPane(models::BackendBridge *bridge, QWidget *parent)
    : QWidget(parent)
    , m_bridge(bridge)
    , m_results(new models::HealthResultsModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_title(new QLabel(this))
    , m_status(new QLabel(this))
    , m_window(new QComboBox(this))
    , m_stack(new QStackedWidget(this))
    , m_empty(new QLabel(this))
    , m_timeline(new HealthTimeline(this))
    , m_timelineScroll(new QScrollArea(this))
    , m_view(new QTableView(this))
    , m_failuresOnly(new QCheckBox(tr("Failures only"), this))
    , m_detailsTitle(new QLabel(tr("Details"), this))
    , m_details(new QTextBrowser(this))
    , m_logBox(new QWidget(this))
    , m_logTitle(new QLabel(this))
    , m_log(new QPlainTextEdit(this))
{
    QFont bold = m_title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_title->setFont(bold);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_window->addItem(tr("5 min"), qlonglong(5 * 60 * 1000));
    m_window->addItem(tr("15 min"), qlonglong(15 * 60 * 1000));
    m_window->addItem(tr("1 h"), qlonglong(60 * 60 * 1000));
    m_window->setToolTip(tr("How far back the timeline goes"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setMargin(24);

    m_proxy->setSourceModel(m_results);
    m_proxy->setSortRole(models::HealthResultsModel::SortRole);
    m_proxy->setFilterRole(models::HealthResultsModel::OkRole);
    m_proxy->setFilterKeyColumn(models::HealthResultsModel::Result);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(models::HealthResultsModel::Time, Qt::DescendingOrder);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    setUpTable(m_view, {9, 6, 7, 4, 6, 6});
    m_failuresOnly->setToolTip(tr("Show only the results that failed"));

    m_details->setOpenLinks(false);
    m_details->setPlaceholderText(
        tr("Click a failure in the timeline, or select a result in the table, to see its "
           "details and the worker's log before it."));
    m_detailsTitle->setFont(bold);
    m_logTitle->setWordWrap(true);
    m_logTitle->setFont(bold);
    m_logTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_log->setReadOnly(true);
    m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_log->setFont(QFont(QStringLiteral("monospace")));

    // Top: title, status, window.
    auto *bar = new QHBoxLayout;
    auto *titles = new QVBoxLayout;
    titles->setSpacing(2);
    titles->addWidget(m_title);
    titles->addWidget(m_status);
    bar->addLayout(titles, 1);
    bar->addWidget(new QLabel(tr("Window:"), this));
    bar->addWidget(m_window);

    m_timelineScroll->setWidget(m_timeline);
    m_timelineScroll->setWidgetResizable(true);
    m_timelineScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_timelineScroll->setFrameShape(QFrame::NoFrame);

    auto *tableBox = new QWidget(this);
    auto *tableLayout = new QVBoxLayout(tableBox);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    auto *tableBar = new QHBoxLayout;
    auto *resultsLabel = new QLabel(tr("Results"), this);
    resultsLabel->setFont(bold);
    tableBar->addWidget(resultsLabel);
    tableBar->addStretch(1);
    tableBar->addWidget(m_failuresOnly);
    tableLayout->addLayout(tableBar);
    tableLayout->addWidget(m_view, 1);

    auto *detailsBox = new QWidget(this);
    auto *detailsLayout = new QVBoxLayout(detailsBox);
    detailsLayout->setContentsMargins(0, 0, 0, 0);
    detailsLayout->addWidget(m_detailsTitle);
    auto *logLayout = new QVBoxLayout(m_logBox);
    logLayout->setContentsMargins(0, 0, 0, 0);
    logLayout->addWidget(m_logTitle);
    logLayout->addWidget(m_log, 1);
    auto *detailsSplit = new QSplitter(Qt::Vertical, this);
    detailsSplit->setObjectName(QStringLiteral("HealthDetailsSplitter"));
    detailsSplit->addWidget(m_details);
    detailsSplit->addWidget(m_logBox);
    detailsSplit->setStretchFactor(0, 1);
    detailsSplit->setStretchFactor(1, 1);
    detailsSplit->setChildrenCollapsible(false);
    detailsLayout->addWidget(detailsSplit, 1);
    m_logBox->hide();

    auto *bottom = new QSplitter(Qt::Horizontal, this);
    bottom->setObjectName(QStringLiteral("HealthBottomSplitter"));
    bottom->addWidget(tableBox);
    bottom->addWidget(detailsBox);
    bottom->setStretchFactor(0, 3);
    bottom->setStretchFactor(1, 2);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->setObjectName(QStringLiteral("HealthSplitter"));
    split->addWidget(m_timelineScroll);
    split->addWidget(bottom);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);

    m_stack->addWidget(m_empty);
    m_stack->addWidget(split);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_stack, 1);

    connect(m_window, &QComboBox::currentIndexChanged, this, [this] {
        m_timeline->setWindow(window());
        reload();
    });
    connect(m_failuresOnly, &QCheckBox::toggled, this, [this](bool on) {
        // OkRole as text: "false" for failures.
        m_proxy->setFilterFixedString(on ? QStringLiteral("false") : QString());
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    showSample(current.data(models::HealthResultsModel::SampleRole)
                                   .value<api::HealthSample>());
            });
    connect(m_timeline, &HealthTimeline::sampleClicked, this, &HealthPane::showSample);
    connect(bridge, &models::BackendBridge::healthSampled, this, &HealthPane::onSamples);
    connect(bridge, &models::BackendBridge::eventsArrived, this, &HealthPane::onEvents);
    connect(bridge, &models::BackendBridge::snapshotApplied, this, [this] {
        // A new snapshot (a reconnection) may follow a gap in the live results.
        if (!m_ids.isEmpty())
            reload();
    });
    auto counts = [this] { updateState(); };
    connect(m_results, &QAbstractItemModel::rowsInserted, this, counts);
    connect(m_results, &QAbstractItemModel::modelReset, this, counts);
    m_timeline->setWindow(window());
    updateState();
}

HealthPane::~HealthPane() = default;

std::int64_t HealthPane::window() const
{
    return m_window->currentData().toLongLong();
}

void HealthPane::setWindow(std::int64_t ms)
{
    const int i = m_window->findData(qlonglong(ms));
    if (i >= 0)
        m_window->setCurrentIndex(i);
}

int HealthPane::stripCount() const
{
    return m_timeline->stripCount();
}

QString HealthPane::title() const
{
    return m_title->text();
}

QString HealthPane::emptyText() const
{
    return m_stack->currentWidget() == m_empty ? m_empty->text() : QString();
}

QString HealthPane::statusText() const
{
    return m_status->text();
}

QString HealthPane::detailsText() const
{
    QString text = m_details->toPlainText();
    if (!m_logBox->isHidden())
        text += QLatin1Char('\n') + m_logTitle->text() + QLatin1Char('\n') + m_log->toPlainText();
    return text;
}

void HealthPane::showWorkers(const QStringList &ids)
{
    QStringList unique;
    for (const QString &id : ids) {
        if (!id.isEmpty() && !unique.contains(id))
            unique << id;
    }
    if (unique == m_ids)
        return;
    m_ids = unique;
    if (m_detail && !m_ids.contains(QString::fromStdString(m_detail->worker))) {
        m_detail.reset();
        ++m_logGeneration;
        renderDetails();
    }
    reload();
}

void HealthPane::reload()
{
    ++m_generation;
    m_results->setWorkers(m_ids);
    m_results->reset({});
    m_results->setTransitions({});
    m_timeline->clear();
    if (m_detail)
        m_timeline->setSelected(m_detail);
    m_probes.clear();
    m_errors.clear();
    m_pending = 0;
    for (const QString &id : m_ids)
        requestHistory(id);
    updateState();
}

void HealthPane::requestHistory(const QString &worker)
{
    ++m_pending;
    const quint64 generation = m_generation;
    QPointer<HealthPane> self(this);
    const std::int64_t from = QDateTime::currentMSecsSinceEpoch() - window();
    m_bridge->request(api::opName(api::Op::HealthHistory),
                      {{"worker", worker.toStdString()}, {"from", from}, {"limit", kHistoryLimit}},
                      [self, generation, worker](const api::Reply &reply) {
                          if (self && self->m_generation == generation)
                              self->onHistory(worker, reply);
                      });
}

void HealthPane::onHistory(const QString &worker, const api::Reply &reply)
{
    m_pending = std::max(0, m_pending - 1);
    if (!m_ids.contains(worker))
        return;
    if (!reply.ok()) {
        m_errors.insert(worker, QString::fromStdString(reply.error().message));
        updateState();
        return;
    }
    const json &j = *reply;
    auto array = [&j](const char *key) {
        static const json none = json::array();
        if (!j.is_object())
            return &none;
        auto it = j.find(key);
        return it != j.end() && it->is_array() ? &*it : &none;
    };
    std::vector<api::ProbeStatus> probes;
    // The codec reads probe verdicts as part of a worker.
    if (auto w = api::workerFromJson(json{{"probes", *array("probes")}}); w.ok())
        probes = std::move(w->probes);
    std::vector<api::HealthSample> results;
    for (const json &r : *array("results")) {
        if (auto s = api::healthSampleFromJson(r); s.ok() && s->worker == worker.toStdString())
            results.push_back(std::move(*s));
    }
    std::vector<api::HealthTransition> transitions;
    for (const json &t : *array("transitions")) {
        if (auto h = api::healthTransitionFromJson(t); h.ok())
            transitions.push_back(std::move(*h));
    }
    // Strips: the probes it has now, those that left results, and any a live result named.
    std::vector<api::ProbeStatus> &known = m_probes[worker];
    auto add = [&probes](const std::string &probe, const std::string &kind) {
        if (std::none_of(probes.begin(), probes.end(),
                         [&](const api::ProbeStatus &p) { return p.probe == probe; })) {
            api::ProbeStatus p;
            p.probe = probe;
            p.kind = kind;
            probes.push_back(std::move(p));
        }
    };
    for (const api::HealthSample &s : results)
        add(s.probe, s.kind);
    for (const api::ProbeStatus &p : known)
        add(p.probe, p.kind);
    known = std::move(probes);
    rebuildStrips();
    m_results->replaceWorker(worker.toStdString(), results, transitions);
    // Where the master's ring has dropped results, the timeline says so rather than "not run".
    const auto number = [&j](const char *key) {
        return j.is_object() && j.contains(key) && j[key].is_number_integer()
                   ? j[key].get<std::int64_t>()
                   : std::int64_t(0);
    };
    m_timeline->setHistory(worker.toStdString(), results, transitions, number("kept_from"),
                           int(number("kept")));
    updateState();
}

void HealthPane::onSamples(const std::vector<api::HealthSample> &samples)
{
    if (m_ids.isEmpty())
        return;
    std::vector<api::HealthSample> mine;
    bool newStrip = false;
    for (const api::HealthSample &s : samples) {
        const QString worker = QString::fromStdString(s.worker);
        if (!m_ids.contains(worker))
            continue;
        std::vector<api::ProbeStatus> &probes = m_probes[worker];
        if (std::none_of(probes.begin(), probes.end(),
                         [&](const api::ProbeStatus &p) { return p.probe == s.probe; })) {
            api::ProbeStatus p;
            p.probe = s.probe;
            p.kind = s.kind;
            probes.push_back(std::move(p));
            newStrip = true;
        }
        mine.push_back(s);
    }
    if (mine.empty())
        return;
    if (newStrip)
        rebuildStrips();
    m_results->append(mine);
    m_timeline->addSamples(mine);
}

void HealthPane::onEvents(const std::vector<api::Event> &events)
{
    for (const api::Event &e : events) {
        const QString worker = QString::fromStdString(e.subject);
        if (!m_ids.contains(worker))
            continue;
        if (e.kind == "probe.changed" && e.reason.rfind("probe:", 0) == 0) {
            api::HealthTransition t;
            t.worker = e.subject;
            t.probe = e.reason.substr(6);
            t.timeMs = e.timeMs;
            t.from = e.from;
            t.to = e.to;
            t.reason = transitionReason(e, t.probe);
            if (m_results->addTransition(t))
                m_timeline->addTransition(t);
        } else if (e.kind == "probe.reconfigured") {
            // Probes came or went: that worker's strips and history again.
            m_probes.remove(worker);
            rebuildStrips();
            requestHistory(worker);
        }
    }
}

void HealthPane::rebuildStrips()
{
    std::vector<HealthTimeline::Strip> strips;
    for (const QString &id : std::as_const(m_ids)) {
        auto it = m_probes.constFind(id);
        if (it == m_probes.constEnd())
            continue;
        std::vector<api::ProbeStatus> probes = *it;
        std::stable_sort(probes.begin(), probes.end(), [](const auto &a, const auto &b) {
            return roleOrder(a.probe) != roleOrder(b.probe)
                       ? roleOrder(a.probe) < roleOrder(b.probe)
                       : a.probe < b.probe;
        });
        for (const api::ProbeStatus &p : probes)
            strips.push_back({id.toStdString(), p.probe, p.kind, p.target});
    }
    m_timeline->setStrips(strips);
    // Every strip, the axis and the legend in view, up to about a dozen strips; more scroll.
    m_timelineScroll->setMinimumHeight(
        std::min(m_timeline->sizeHint().height(), 18 * fontMetrics().height()));
    updateState();
}

void HealthPane::updateState()
{
    const int n = int(m_ids.size());
    m_title->setText(n == 0   ? tr("Health")
                     : n == 1 ? tr("Health of %1").arg(m_ids.front())
                              : tr("Health of %n workers", nullptr, n));
    QStringList errors;
    for (const QString &id : std::as_const(m_ids)) {
        if (m_errors.contains(id))
            errors << tr("%1: %2").arg(id, m_errors.value(id));
    }
    QString empty;
    if (n == 0) {
        empty = tr("Select one or more workers in the Workers pane to see their probe history.");
    } else if (stripCount() == 0) {
        if (m_pending > 0)
            empty = tr("Loading the probe history…");
        else if (errors.size() == n)
            empty = tr("The probe history cannot be shown.");
        else if (n == 1)
            empty = tr("%1 has no health probes.").arg(m_ids.front());
        else
            empty = tr("None of the %n selected workers has health probes.", nullptr, n);
        if (!errors.isEmpty())
            empty += QLatin1Char('\n') + errors.join(QLatin1Char('\n'));
    }
    if (!empty.isEmpty()) {
        m_empty->setText(empty);
        m_stack->setCurrentWidget(m_empty);
    } else {
        m_stack->setCurrentIndex(1);
    }

    QStringList status;
    if (n > 0) {
        status << tr("%n result(s)", nullptr, m_results->rowCount())
               << tr("%n failure(s)", nullptr, m_results->failures())
               << tr("%n verdict change(s)", nullptr, int(m_results->transitions().size()));
        if (m_pending > 0)
            status << tr("loading…");
    }
    QString text = status.join(QStringLiteral(" · "));
    if (!errors.isEmpty() && empty.isEmpty())
        text += QStringLiteral(" · ") + errors.join(QStringLiteral("; "));
    m_status->setText(text);
    m_status->setVisible(!text.isEmpty());
}

void HealthPane::showSample(const api::HealthSample &sample)
{
    if (m_detail && *m_detail == sample)
        return;
    m_detail = sample;
    m_timeline->setSelected(sample);
    // The same result in the table, when it is there (selecting it comes back here: no-op).
    const int row = m_results->rowOf(sample);
    if (row >= 0) {
        const QModelIndex at = m_proxy->mapFromSource(m_results->index(row, 0));
        if (at.isValid() && at.row() != m_view->currentIndex().row()) {
            m_view->setCurrentIndex(at);
            m_view->scrollTo(at);
        }
    }
    m_detailLog.clear();
    m_detailLogNote.clear();
    m_detailLogLoading = false;
    const quint64 generation = ++m_logGeneration;
    if (!sample.ok) {
        m_detailLogLoading = true;
        json args{{"worker", sample.worker}, {"lines", kLogLines}};
        if (sample.logOffset >= 0)
            args["up_to"] = sample.logOffset;
        else
            m_detailLogNote =
                tr("(newest lines; the time of this failure in the log is not known)");
        QPointer<HealthPane> self(this);
        m_bridge->request(
            api::opName(api::Op::LogsTail), args, [self, generation](const api::Reply &r) {
                if (!self || self->m_logGeneration != generation)
                    return;
                self->m_detailLogLoading = false;
                if (!r.ok()) {
                    self->m_detailLogNote = tr("(cannot read the log: %1)")
                                                .arg(QString::fromStdString(r.error().message));
                } else if (r->is_object()) {
                    auto lines = r->find("lines");
                    if (lines != r->end() && lines->is_array()) {
                        for (const json &l : *lines) {
                            if (l.is_string())
                                self->m_detailLog << QString::fromStdString(l.get<std::string>());
                        }
                    }
                }
                self->renderDetails();
            });
    }
    renderDetails();
}

void HealthPane::renderDetails()
{
    if (!m_detail) {
        m_details->clear();
        m_log->clear();
        m_logBox->hide();
        return;
    }
    const api::HealthSample &s = *m_detail;
    const QString color = models::HealthResultsModel::resultColor(s.ok).name();
    QString html = QStringLiteral("<p><b style='color:%1'>%2</b> · <b>%3</b></p>")
                       .arg(color, s.ok ? tr("pass") : tr("fail"),
                            esc(tr("%1 probe of %2")
                                    .arg(models::HealthResultsModel::probeText(s.probe),
                                         QString::fromStdString(s.worker))));
    html += QStringLiteral("<table cellspacing='0' cellpadding='1'>");
    auto fact = [&html](const QString &name, const QString &value) {
        html += QStringLiteral("<tr><td><b>%1</b>&nbsp;</td><td>%2</td></tr>")
                    .arg(esc(name), esc(value));
    };
    fact(tr("Time:"), QDateTime::fromMSecsSinceEpoch(s.timeMs).toString(
                          QStringLiteral("yyyy-MM-dd hh:mm:ss.zzz")));
    fact(tr("Worker:"), QString::fromStdString(s.worker));
    fact(tr("Probe:"), models::HealthResultsModel::probeText(s.probe));
    fact(tr("Kind:"), QString::fromStdString(s.kind));
    fact(tr("Latency:"), tr("%1 ms").arg(QLocale().toString(s.latencyMs, 'f', 1)));
    fact(tr("Message:"), QString::fromStdString(s.message));
    html += QStringLiteral("</table>");
    if (!s.excerpt.empty())
        html += QStringLiteral("<p><b>%1</b></p><pre>%2</pre>")
                    .arg(esc(tr("Excerpt (the start of the body or output):")), esc(s.excerpt));
    m_details->setHtml(html);

    m_logBox->setHidden(s.ok);
    if (s.ok)
        return;
    QString title = tr("Log before this failure:");
    if (!m_detailLogNote.isEmpty())
        title += QLatin1Char(' ') + m_detailLogNote;
    m_logTitle->setText(title);
    if (m_detailLogLoading)
        m_log->setPlainText(tr("(loading…)"));
    else if (m_detailLog.isEmpty())
        m_log->setPlainText(tr("(no lines)"));
    else
        m_log->setPlainText(m_detailLog.join(QLatin1Char('\n')));
    // The lines just before the failure are the interesting ones: the bottom.
    m_log->moveCursor(QTextCursor::End);
    m_log->ensureCursorVisible();
}

} // namespace drover::ui
