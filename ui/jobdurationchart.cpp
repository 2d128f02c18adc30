#include "ui/jobdurationchart.h"

#include "models/jobsmodel.h"
#include "ui/jobmarkers.h"

#include <QCursor>
#include <QEvent>
#include <QGraphicsLayout>
#include <QToolTip>
#include <QVBoxLayout>
#include <QtCharts/QBarSet>
#include <QtCharts/QCategoryAxis>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLegend>
#include <QtCharts/QStackedBarSeries>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>

namespace drover::ui {

static_assert(JobMarkers::kGroups == 4);

JobDurationChart::JobDurationChart(QWidget *parent)
    : QWidget(parent)
    , m_chart(new QChart)
    , m_view(new QChartView(m_chart, this)) // takes the chart
    , m_series(new QStackedBarSeries(m_chart))
    , m_x(new QCategoryAxis(m_chart))
    , m_y(new QValueAxis(m_chart))
{
    m_chart->setMargins(QMargins(2, 2, 2, 2));
    m_chart->layout()->setContentsMargins(0, 0, 0, 0);
    m_chart->setBackgroundRoundness(0);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    // The kinds of ending in the words of the runs list (each in the legend, always: a legend
    // that grows and shrinks with the runs shown is hard to read).
    static constexpr const char *kOutcomes[] = {"succeeded", "failed", "deadline", "cancelled"};
    for (std::size_t i = 0; i < m_sets.size(); ++i) {
        m_sets[i] = new QBarSet(models::JobsModel::outcomeText(QLatin1String(kOutcomes[i])));
        m_series->append(m_sets[i]); // takes it
    }
    m_series->setBarWidth(0.8);
    m_chart->addSeries(m_series);
    // The runs by position, oldest left; a few of them named by number.
    m_x->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    m_x->setTruncateLabels(false);
    m_x->setGridLineVisible(false);
    m_chart->addAxis(m_x, Qt::AlignBottom);
    m_series->attachAxis(m_x);
    m_y->setTitleText(tr("Seconds"));
    m_y->setLabelFormat(QStringLiteral("%.3g"));
    m_y->setTruncateLabels(false);
    m_chart->addAxis(m_y, Qt::AlignLeft);
    m_series->attachAxis(m_y);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(110);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);

    connect(m_series, &QStackedBarSeries::hovered, this, [this](bool state, int index, QBarSet *) {
        if (state && index >= 0 && index < int(m_shown.size()))
            QToolTip::showText(QCursor::pos(), tip(index), this);
        else
            QToolTip::hideText();
    });
    connect(m_series, &QStackedBarSeries::clicked, this, [this](int index, QBarSet *) {
        if (index >= 0 && index < int(m_shown.size()))
            emit runClicked(m_shown[std::size_t(index)].number);
    });
    applyTheme();
    setRuns({});
}

void JobDurationChart::setRuns(const std::vector<api::JobRun> &runs)
{
    m_shown.clear();
    for (const api::JobRun &r : runs) { // newest first
        if (r.running() || r.outcome == "skipped")
            continue;
        m_shown.push_back(r);
        if (int(m_shown.size()) == kMaxBars)
            break;
    }
    std::reverse(m_shown.begin(), m_shown.end());
    double longest = 0;
    for (const api::JobRun &r : m_shown)
        longest = std::max(longest, double(r.durationMs()) / 1000.0);
    // Seconds up to a round number above the longest run.
    double top = std::max(longest * 1.15, 1.0);
    const double magnitude = std::pow(10.0, std::floor(std::log10(top)));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        if (magnitude * m >= top) {
            top = magnitude * m;
            break;
        }
    }
    // One list of values per set, all as long as the runs: a run's bar in its kind's set,
    // nothing in the others (a stack of one). A run that ended at once (it could not start,
    // it failed at its first line) still gets a stub of a bar, to be seen.
    std::array<QList<qreal>, JobMarkers::kGroups> values;
    for (const api::JobRun &r : m_shown) {
        const std::size_t group = JobMarkers::groupOf(QString::fromStdString(r.outcome));
        const double seconds = std::max(double(r.durationMs()) / 1000.0, top * 0.02);
        for (std::size_t g = 0; g < values.size(); ++g)
            values[g].append(g == group ? seconds : 0.0);
    }
    for (std::size_t g = 0; g < m_sets.size(); ++g) {
        if (m_sets[g]->count() > 0)
            m_sets[g]->remove(0, m_sets[g]->count());
        m_sets[g]->append(values[g]);
    }
    // The axes: every run a slot; the oldest, the newest and a few between named.
    for (const QString &label : m_x->categoriesLabels())
        m_x->remove(label);
    const int n = int(m_shown.size());
    m_x->setStartValue(-0.5);
    const int step = std::max(1, (n + 5) / 6);
    std::vector<int> named; // counted back from the newest, appended in order (the axis wants)
    for (int i = n - 1; i >= 0; i -= step)
        named.insert(named.begin(), i);
    for (int i : named)
        m_x->append(QStringLiteral("#%1").arg(m_shown[std::size_t(i)].number), i);
    m_x->setRange(-0.5, std::max(n, 1) - 0.5);
    m_y->setRange(0, top);
    m_y->setTickCount(5);
    m_chart->setTitle(n == 0 ? tr("No run has ended yet") : QString());
}

QColor JobDurationChart::barColor(int index) const
{
    if (index < 0 || index >= int(m_shown.size()))
        return {};
    const std::size_t group =
        JobMarkers::groupOf(QString::fromStdString(m_shown[std::size_t(index)].outcome));
    return m_sets[group]->color();
}

QString JobDurationChart::tip(int index) const
{
    const api::JobRun &r = m_shown[std::size_t(index)];
    return tr("Run %1: %2 after %3")
        .arg(r.number)
        .arg(models::JobsModel::outcomeText(QString::fromStdString(r.outcome)),
             models::JobsModel::durationText(r.durationMs()));
}

void JobDurationChart::applyTheme()
{
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    m_chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    m_chart->setBackgroundRoundness(0); // the theme sets these back
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    QFont small = font();
    if (small.pointSizeF() > 0)
        small.setPointSizeF(small.pointSizeF() * 0.9);
    m_chart->legend()->setFont(small);
    m_chart->legend()->setShowToolTips(true); // a label cut short in a narrow pane
    for (std::size_t g = 0; g < m_sets.size(); ++g) {
        m_sets[g]->setColor(JobMarkers::groupColor(g));
        m_sets[g]->setBorderColor(JobMarkers::groupColor(g).darker(130));
    }
}

void JobDurationChart::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        applyTheme();
    QWidget::changeEvent(event);
}

} // namespace drover::ui
