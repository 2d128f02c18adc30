#include "ui/jobmarkers.h"

#include "models/jobsmodel.h"

#include <QtCharts/QChart>
#include <QtCharts/QScatterSeries>

namespace drover::ui {

std::size_t JobMarkers::groupOf(const QString &outcome)
{
    if (outcome == QLatin1String("succeeded"))
        return 0;
    if (outcome == QLatin1String("deadline"))
        return 2;
    if (outcome == QLatin1String("cancelled") || outcome == QLatin1String("replaced"))
        return 3;
    return 1; // failed, lost, unknown
}

QString JobMarkers::groupName(std::size_t group)
{
    switch (group) {
    case 0:
        return tr("Run succeeded");
    case 1:
        return tr("Run failed");
    case 2:
        return tr("Run over its deadline");
    default:
        return tr("Run stopped");
    }
}

QColor JobMarkers::groupColor(std::size_t group)
{
    // The colour of the group's first outcome.
    static constexpr const char *kOutcomes[kGroups] = {"succeeded", "failed", "deadline",
                                                       "cancelled"};
    return models::JobsModel::outcomeColor(QLatin1String(kOutcomes[group % kGroups]));
}

JobMarkers::JobMarkers(QChart *chart)
{
    for (std::size_t i = 0; i < m_series.size(); ++i) {
        m_series[i] = new QScatterSeries(chart);
        m_series[i]->setName(groupName(i));
        m_series[i]->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
        m_series[i]->setMarkerSize(10);
    }
    applyColors();
}

void JobMarkers::replace(const QList<std::pair<QString, QPointF>> &runs)
{
    std::array<QList<QPointF>, kGroups> points;
    for (const auto &[outcome, at] : runs)
        points[groupOf(outcome)].append(at);
    for (std::size_t i = 0; i < m_series.size(); ++i)
        m_series[i]->replace(points[i]);
}

int JobMarkers::count() const
{
    int n = 0;
    for (const QScatterSeries *s : m_series)
        n += s->count();
    return n;
}

void JobMarkers::applyColors()
{
    for (std::size_t i = 0; i < m_series.size(); ++i) {
        const QColor color = groupColor(i);
        m_series[i]->setColor(color);
        m_series[i]->setBorderColor(color.darker(130));
    }
}

} // namespace drover::ui
