#pragma once

#include "api/types.h"

#include <QWidget>

#include <array>
#include <cstdint>
#include <vector>

QT_BEGIN_NAMESPACE
class QBarSet;
class QCategoryAxis;
class QChart;
class QChartView;
class QStackedBarSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace drover::ui {

/// How long a job's last runs took, as bars from the oldest (left) to the newest (right),
/// each in the colour of how it ended (a stack of one bar set per kind of ending, so that the
/// legend names the colours). Runs still going and skipped ticks have no bar. Pointing at a
/// bar says which run it is; clicking it picks that run.
class JobDurationChart : public QWidget
{
    Q_OBJECT

public:
    /// Bars shown at most: the newest runs that ended.
    static constexpr int kMaxBars = 30;

    explicit JobDurationChart(QWidget *parent = nullptr);

    /// A `job.history` reply's runs (newest first, as the master sends them).
    void setRuns(const std::vector<api::JobRun> &runs);
    /// The runs drawn, oldest first.
    const std::vector<api::JobRun> &shown() const { return m_shown; }
    /// The colour of the bar of the `index`th run drawn (invalid when there is none).
    QColor barColor(int index) const;

signals:
    /// A bar was clicked: the number of its run.
    void runClicked(std::uint64_t number);

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyTheme();
    QString tip(int index) const;

    QChart *m_chart;
    QChartView *m_view;
    QStackedBarSeries *m_series;       // Owned by the chart.
    std::array<QBarSet *, 4> m_sets{}; // Owned by the series; one per kind of ending.
    QCategoryAxis *m_x;                // Owned by the chart.
    QValueAxis *m_y;                   // Owned by the chart.
    std::vector<api::JobRun> m_shown;  ///< oldest first
};

} // namespace drover::ui
