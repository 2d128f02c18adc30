#pragma once

#include <QColor>
#include <QCoreApplication>
#include <QList>
#include <QPointF>
#include <QString>

#include <array>
#include <cstddef>
#include <utility>

QT_BEGIN_NAMESPACE
class QChart;
class QScatterSeries;
QT_END_NAMESPACE

namespace drover::ui {

/// A job's runs on its pool's chart: a square at the end of each run, one scatter series per
/// kind of ending (succeeded, failed, over its deadline, stopped by someone), each in the
/// colour the jobs pane gives that outcome, so that the legend says which is which.
class JobMarkers
{
    Q_DECLARE_TR_FUNCTIONS(drover::ui::JobMarkers)

public:
    /// The kinds of ending, each a series here and a bar set of the duration chart:
    /// succeeded; failed (also lost, unknown); over its deadline; stopped (cancelled, replaced).
    static constexpr std::size_t kGroups = 4;
    static std::size_t groupOf(const QString &outcome);
    /// A kind of ending's name in the legend, and its colour.
    static QString groupName(std::size_t group);
    static QColor groupColor(std::size_t group);

    /// Makes the series as children of `chart` (the caller adds them to it and its axes).
    explicit JobMarkers(QChart *chart);

    /// The series, to add to the chart and its axes, and for their legend entries.
    const std::array<QScatterSeries *, kGroups> &series() const { return m_series; }
    /// Shows these runs' ends: each an outcome (`succeeded`, `deadline`...) and where it is
    /// drawn on the chart.
    void replace(const QList<std::pair<QString, QPointF>> &runs);
    /// Markers drawn now.
    int count() const;
    /// Colours again (a theme sets the series' own).
    void applyColors();

private:
    std::array<QScatterSeries *, kGroups> m_series{}; // Owned by the chart.
};

} // namespace drover::ui
