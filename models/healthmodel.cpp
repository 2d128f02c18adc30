#include "models/healthmodel.h"

#include <QDateTime>
#include <QIcon>
#include <QLocale>
#include <QPainter>
#include <QPixmap>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <map>

namespace drover::models {

namespace {

/// A verdict change the master reports twice (as an event and in the history) has the
/// same probe and verdicts and nearly the same time.
bool sameTransition(const api::HealthTransition &a, const api::HealthTransition &b)
{
    return a.worker == b.worker && a.probe == b.probe && a.from == b.from && a.to == b.to &&
           std::llabs(a.timeMs - b.timeMs) <= 1000;
}

bool newerFirst(const api::HealthSample &a, const api::HealthSample &b)
{
    return a.timeMs > b.timeMs;
}

/// A round dot in a result's colour (drawn once per colour and size).
QIcon resultIcon(bool ok)
{
    static QIcon icons[2];
    QIcon &icon = icons[ok ? 1 : 0];
    if (icon.isNull()) {
        for (int size : {16, 32, 48}) {
            QPixmap pixmap(size, size);
            pixmap.fill(Qt::transparent);
            QPainter p(&pixmap);
            p.setRenderHint(QPainter::Antialiasing);
            const QColor c = HealthResultsModel::resultColor(ok);
            p.setPen(QPen(c.darker(130), size / 16.0));
            p.setBrush(c);
            const double m = size * 0.25;
            p.drawEllipse(QRectF(m, m, size - 2 * m, size - 2 * m));
            p.end();
            icon.addPixmap(pixmap);
        }
    }
    return icon;
}

QString timeText(std::int64_t ms, const QString &format)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(format);
}

} // namespace

HealthResultsModel::HealthResultsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int HealthResultsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int HealthResultsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QColor HealthResultsModel::resultColor(bool ok)
{
    // The colours of `ready` and `failed` in the workers pane.
    return ok ? QColor(0x2e, 0xa0, 0x43) : QColor(0xd0, 0x2f, 0x2f);
}

QString HealthResultsModel::probeText(const std::string &probe)
{
    if (probe == "startup")
        return tr("startup");
    if (probe == "liveness")
        return tr("liveness");
    if (probe == "readiness")
        return tr("readiness");
    return QString::fromStdString(probe);
}

QVariant HealthResultsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() < 0 ||
        index.column() >= ColumnCount)
        return {};
    const api::HealthSample &s = m_rows[std::size_t(index.row())];
    switch (role) {
    case SampleRole:
        return QVariant::fromValue(s);
    case OkRole:
        return s.ok;
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case Time:
            return timeText(s.timeMs, QStringLiteral("hh:mm:ss.zzz"));
        case Worker:
            return QString::fromStdString(s.worker);
        case Probe:
            return probeText(s.probe);
        case Kind:
            return QString::fromStdString(s.kind);
        case Result:
            return s.ok ? tr("pass") : tr("fail");
        case Latency:
            return tr("%1 ms").arg(QLocale().toString(s.latencyMs, 'f', 1));
        case Message:
            return QString::fromStdString(s.message);
        case ColumnCount:
            break;
        }
        break;
    case SortRole:
        switch (Column(index.column())) {
        case Time:
            return qint64(s.timeMs);
        case Result:
            return s.ok;
        case Latency:
            return s.latencyMs;
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::ForegroundRole:
        if (index.column() == Result)
            return resultColor(s.ok);
        break;
    case Qt::DecorationRole:
        if (index.column() == Result)
            return resultIcon(s.ok);
        break;
    case Qt::ToolTipRole:
        switch (Column(index.column())) {
        case Time:
            return timeText(s.timeMs, QStringLiteral("yyyy-MM-dd hh:mm:ss.zzz"));
        case Message:
        case Result:
            if (!s.excerpt.empty())
                return QString(QString::fromStdString(s.message) + QLatin1Char('\n') +
                               QString::fromStdString(s.excerpt));
            return QString::fromStdString(s.message);
        default:
            break;
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == Latency)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        break;
    }
    return {};
}

QVariant HealthResultsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Time:
        return tr("Time");
    case Worker:
        return tr("Worker");
    case Probe:
        return tr("Probe");
    case Kind:
        return tr("Kind");
    case Result:
        return tr("Result");
    case Latency:
        return tr("Latency");
    case Message:
        return tr("Message");
    case ColumnCount:
        break;
    }
    return {};
}

void HealthResultsModel::setWorkers(const QStringList &ids)
{
    m_workerList = ids;
    m_workers = QSet<QString>(ids.begin(), ids.end());
}

void HealthResultsModel::setCapacity(int rows)
{
    m_capacity = std::max(1, rows);
    if (int(m_rows.size()) > m_capacity) {
        beginRemoveRows({}, m_capacity, int(m_rows.size()) - 1);
        m_rows.resize(std::size_t(m_capacity));
        recount();
        endRemoveRows();
    }
}

void HealthResultsModel::reset(std::vector<api::HealthSample> samples)
{
    std::stable_sort(samples.begin(), samples.end(), newerFirst);
    if (samples.size() > std::size_t(m_capacity))
        samples.resize(std::size_t(m_capacity));
    beginResetModel();
    m_rows.assign(std::make_move_iterator(samples.begin()), std::make_move_iterator(samples.end()));
    recount();
    endResetModel();
}

void HealthResultsModel::append(const std::vector<api::HealthSample> &samples)
{
    std::vector<const api::HealthSample *> taken;
    for (const api::HealthSample &s : samples) {
        if (!m_workers.contains(QString::fromStdString(s.worker)))
            continue;
        // A result made before a history reply but drained after it is in both: the newest
        // rows are where it would be.
        const std::size_t near = std::min<std::size_t>(m_rows.size(), 256);
        if (std::find_if(m_rows.begin(), m_rows.begin() + std::ptrdiff_t(near),
                         [&](const api::HealthSample &r) { return sameResult(r, s); }) !=
            m_rows.begin() + std::ptrdiff_t(near))
            continue;
        taken.push_back(&s);
    }
    if (taken.empty())
        return;
    // More than fit: only the newest capacity() of them are worth inserting.
    if (taken.size() > std::size_t(m_capacity))
        taken.erase(taken.begin(), taken.end() - m_capacity);
    beginInsertRows({}, 0, int(taken.size()) - 1);
    for (const api::HealthSample *s : taken) { // oldest first: the newest ends up on top
        m_rows.push_front(*s);
        m_failures += s->ok ? 0 : 1;
    }
    endInsertRows();
    if (int(m_rows.size()) > m_capacity) {
        beginRemoveRows({}, m_capacity, int(m_rows.size()) - 1);
        for (std::size_t i = std::size_t(m_capacity); i < m_rows.size(); ++i)
            m_failures -= m_rows[i].ok ? 0 : 1;
        m_rows.resize(std::size_t(m_capacity));
        endRemoveRows();
    }
}

void HealthResultsModel::replaceWorker(const std::string &worker,
                                       std::vector<api::HealthSample> history,
                                       std::vector<api::HealthTransition> transitions)
{
    // The other workers' rows, and this worker's live rows that the history does not hold:
    // those from its newest result of the same probe on (the same millisecond may hold a
    // result the history has and one it has not).
    std::map<std::string, std::int64_t> newest;
    for (const api::HealthSample &s : history) {
        auto [it, added] = newest.try_emplace(s.probe, s.timeMs);
        if (!added)
            it->second = std::max(it->second, s.timeMs);
    }
    const std::size_t fromMaster = history.size();
    for (const api::HealthSample &s : m_rows) {
        if (s.worker != worker) {
            history.push_back(s);
            continue;
        }
        auto it = newest.find(s.probe);
        if (it == newest.end() || s.timeMs > it->second ||
            (s.timeMs == it->second &&
             std::find_if(history.begin(), history.begin() + std::ptrdiff_t(fromMaster),
                          [&](const api::HealthSample &h) { return sameResult(h, s); }) ==
                 history.begin() + std::ptrdiff_t(fromMaster)))
            history.push_back(s);
    }
    reset(std::move(history));

    std::vector<api::HealthTransition> kept;
    for (const api::HealthTransition &t : m_transitions) {
        if (t.worker != worker)
            kept.push_back(t);
    }
    for (api::HealthTransition &t : transitions)
        kept.push_back(std::move(t));
    // Live changes that the history does not hold yet (they came after it was made).
    for (const api::HealthTransition &t : m_transitions) {
        if (t.worker == worker && std::none_of(kept.begin(), kept.end(),
                                               [&](const auto &k) { return sameTransition(k, t); }))
            kept.push_back(t);
    }
    setTransitions(std::move(kept));
}

const api::HealthSample &HealthResultsModel::sample(int row) const
{
    static const api::HealthSample none;
    return row >= 0 && row < rowCount() ? m_rows[std::size_t(row)] : none;
}

int HealthResultsModel::rowOf(const api::HealthSample &s) const
{
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        if (sameResult(m_rows[i], s))
            return int(i);
    }
    return -1;
}

void HealthResultsModel::setTransitions(std::vector<api::HealthTransition> transitions)
{
    std::stable_sort(transitions.begin(), transitions.end(),
                     [](const auto &a, const auto &b) { return a.timeMs < b.timeMs; });
    m_transitions = std::move(transitions);
    emit transitionsChanged();
}

bool HealthResultsModel::addTransition(const api::HealthTransition &transition)
{
    if (!m_workers.contains(QString::fromStdString(transition.worker)))
        return false;
    for (const api::HealthTransition &t : m_transitions) {
        if (sameTransition(t, transition))
            return false;
    }
    auto at = std::upper_bound(m_transitions.begin(), m_transitions.end(), transition,
                               [](const auto &a, const auto &b) { return a.timeMs < b.timeMs; });
    m_transitions.insert(at, transition);
    emit transitionsChanged();
    return true;
}

void HealthResultsModel::recount()
{
    m_failures = int(std::count_if(m_rows.begin(), m_rows.end(),
                                   [](const api::HealthSample &s) { return !s.ok; }));
}

} // namespace drover::models
