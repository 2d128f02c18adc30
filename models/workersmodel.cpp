#include "models/workersmodel.h"

#include <QDateTime>
#include <QIcon>
#include <QLocale>
#include <QPainter>
#include <QPixmap>

#include <array>
#include <limits>

namespace drover::models {

namespace {

QString uptimeText(std::int64_t startedAtMs)
{
    if (startedAtMs <= 0)
        return QStringLiteral("–");
    qint64 s = std::max<qint64>(0, (QDateTime::currentMSecsSinceEpoch() - startedAtMs) / 1000);
    if (s < 60)
        return WorkersModel::tr("%1s").arg(s);
    if (s < 3600)
        return WorkersModel::tr("%1m %2s").arg(s / 60).arg(s % 60);
    if (s < 86400)
        return WorkersModel::tr("%1h %2m").arg(s / 3600).arg(s % 3600 / 60);
    return WorkersModel::tr("%1d %2h").arg(s / 86400).arg(s % 86400 / 3600);
}

/// A round dot in the state's colour, drawn once per state (and per device pixel ratio the
/// view asks for through QIcon).
QIcon stateIcon(api::WorkerState state)
{
    static std::array<QIcon, 10> icons;
    QIcon &icon = icons[std::size_t(state)];
    if (icon.isNull()) {
        for (int size : {16, 32, 48}) {
            QPixmap pixmap(size, size);
            pixmap.fill(Qt::transparent);
            QPainter p(&pixmap);
            p.setRenderHint(QPainter::Antialiasing);
            QColor c = WorkersModel::stateColor(state);
            p.setPen(QPen(c.darker(130), size / 16.0));
            p.setBrush(c);
            const double m = size * 0.22;
            p.drawEllipse(QRectF(m, m, size - 2 * m, size - 2 * m));
            p.end();
            icon.addPixmap(pixmap);
        }
    }
    return icon;
}

} // namespace

WorkersModel::WorkersModel(QObject *parent)
    : KeyedTableModel(parent)
{
    m_clock.setInterval(1000);
    connect(&m_clock, &QTimer::timeout, this, [this] {
        if (rowCount() > 0)
            emit dataChanged(index(0, Uptime), index(rowCount() - 1, Uptime), {Qt::DisplayRole});
    });
    m_clock.start();
}

int WorkersModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

std::pair<int, int> WorkersModel::changedColumns(const api::WorkerInfo &a,
                                                 const api::WorkerInfo &b) const
{
    // What each column shows, its tooltip and sort key included (see data()).
    const bool aliveA = api::hasProcess(a.state) && a.pid > 0;
    const bool aliveB = api::hasProcess(b.state) && b.pid > 0;
    const bool tip =
        a.state != b.state || a.reason != b.reason || a.limitProblems != b.limitProblems;
    const bool differs[ColumnCount] = {
        a.id != b.id || a.pool != b.pool || a.index != b.index || tip, // Name
        a.pool != b.pool,                                              // Pool
        tip,                                                           // State
        a.pid != b.pid,                                                // Pid
        aliveA != aliveB || a.startedAtMs != b.startedAtMs,            // Uptime
        a.restarts != b.restarts,                                      // Restarts
        aliveA != aliveB || a.cpuPercent != b.cpuPercent,              // Cpu
        aliveA != aliveB || a.rssBytes != b.rssBytes,                  // Rss
        a.state != b.state,                                            // Ready
        a.lastExit != b.lastExit,                                      // LastExit
    };
    int first = ColumnCount;
    int last = -1;
    for (int c = 0; c < ColumnCount; ++c) {
        if (differs[c]) {
            first = std::min(first, c);
            last = c;
        }
    }
    return {first, last};
}

QColor WorkersModel::stateColor(api::WorkerState state)
{
    switch (state) {
    case api::WorkerState::Ready:
        return QColor(0x2e, 0xa0, 0x43); // green
    case api::WorkerState::Running:
        return QColor(0x1f, 0x78, 0xc8); // blue: alive, not ready
    case api::WorkerState::Pending:
    case api::WorkerState::Starting:
        return QColor(0xd4, 0xa0, 0x17); // amber
    case api::WorkerState::Draining:
    case api::WorkerState::Stopping:
        return QColor(0x8e, 0x6a, 0xc8); // violet: going away on purpose
    case api::WorkerState::Stopped:
        return QColor(0x8a, 0x8f, 0x98); // grey
    case api::WorkerState::Exited:
    case api::WorkerState::Backoff:
        return QColor(0xe0, 0x6c, 0x1a); // orange: crashed, coming back
    case api::WorkerState::Failed:
        return QColor(0xd0, 0x2f, 0x2f); // red: needs an operator
    }
    return Qt::gray;
}

QString WorkersModel::stateText(api::WorkerState state)
{
    switch (state) {
    case api::WorkerState::Pending:
        return tr("pending");
    case api::WorkerState::Starting:
        return tr("starting");
    case api::WorkerState::Running:
        return tr("running");
    case api::WorkerState::Ready:
        return tr("ready");
    case api::WorkerState::Draining:
        return tr("draining");
    case api::WorkerState::Stopping:
        return tr("stopping");
    case api::WorkerState::Stopped:
        return tr("stopped");
    case api::WorkerState::Exited:
        return tr("exited");
    case api::WorkerState::Backoff:
        return tr("backoff");
    case api::WorkerState::Failed:
        return tr("failed");
    }
    return {};
}

QVariant WorkersModel::data(const QModelIndex &index, int role) const
{
    const api::WorkerInfo *w = at(index.row());
    if (!w || index.column() < 0 || index.column() >= ColumnCount)
        return {};
    const bool alive = api::hasProcess(w->state) && w->pid > 0;
    switch (role) {
    case IdRole:
        return QString::fromStdString(w->id);
    case PoolRole:
        return QString::fromStdString(w->pool);
    case StateRole:
        return int(w->state);
    case Qt::DisplayRole:
        switch (Column(index.column())) {
        case Name:
            return QString::fromStdString(w->id);
        case Pool:
            return QString::fromStdString(w->pool);
        case State:
            return stateText(w->state);
        case Pid:
            return w->pid > 0 ? QVariant(w->pid) : QVariant(QStringLiteral("–"));
        case Uptime:
            return alive ? uptimeText(w->startedAtMs) : QStringLiteral("–");
        case Restarts:
            return w->restarts;
        case Cpu:
            return alive ? QLocale().toString(w->cpuPercent, 'f', 1) : QStringLiteral("–");
        case Rss:
            return alive && w->rssBytes > 0
                       ? QLocale().formattedDataSize(qint64(w->rssBytes), 1,
                                                     QLocale::DataSizeTraditionalFormat)
                       : QStringLiteral("–");
        case Ready:
            return w->ready() ? tr("yes") : tr("no");
        case LastExit:
            return w->lastExit.empty() ? QStringLiteral("–") : QString::fromStdString(w->lastExit);
        case ColumnCount:
            break;
        }
        break;
    case SortRole:
        switch (Column(index.column())) {
        case Name: // api-2 before api-10
            return QStringLiteral("%1\x1f%2")
                .arg(QString::fromStdString(w->pool))
                .arg(w->index, 9, 10, QLatin1Char('0'));
        case State:
            return int(w->state);
        case Pid:
            return w->pid;
        case Uptime:
            return alive ? -w->startedAtMs : std::numeric_limits<qint64>::min();
        case Restarts:
            return w->restarts;
        case Cpu:
            return alive ? w->cpuPercent : -1.0;
        case Rss:
            return alive ? qulonglong(w->rssBytes) : 0ull;
        case Ready:
            return w->ready();
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::DecorationRole:
        if (index.column() == State)
            return stateIcon(w->state);
        break;
    case Qt::ToolTipRole:
        if (index.column() == State || index.column() == Name) {
            QString tip = stateText(w->state);
            if (!w->reason.empty())
                tip += QStringLiteral(": ") + QString::fromStdString(w->reason);
            for (const std::string &problem : w->limitProblems)
                tip += QLatin1Char('\n') +
                       tr("Limit not applied: %1").arg(QString::fromStdString(problem));
            return tip;
        }
        if (index.column() == Restarts)
            return tr("Crashes restarted since the last operator start");
        break;
    case Qt::TextAlignmentRole:
        switch (Column(index.column())) {
        case Pid:
        case Restarts:
        case Cpu:
        case Rss:
        case Uptime:
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
        }
    default:
        break;
    }
    return {};
}

QVariant WorkersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Name:
        return tr("Worker");
    case Pool:
        return tr("Pool");
    case State:
        return tr("State");
    case Pid:
        return tr("PID");
    case Uptime:
        return tr("Uptime");
    case Restarts:
        return tr("Restarts");
    case Cpu:
        return tr("CPU %");
    case Rss:
        return tr("Memory");
    case Ready:
        return tr("Ready");
    case LastExit:
        return tr("Last exit");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace drover::models
