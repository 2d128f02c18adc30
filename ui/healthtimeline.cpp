#include "ui/healthtimeline.h"

#include "models/healthmodel.h"

#include <QDateTime>
#include <QHelpEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace drover::ui {

namespace {

constexpr int kTopMargin = 6;
constexpr int kRightMargin = 14;
constexpr int kLabelGap = 10;
/// Results kept per strip at most, whatever the window.
constexpr std::size_t kMaxPerStrip = 100'000;
/// Results older than the window by more than this are dropped (the one before the window's
/// start still counts: it colours the strip up to the first result inside).
constexpr std::int64_t kKeepBeforeMs = 60'000;

QColor noneColor()
{
    return QColor(0x8a, 0x8f, 0x98, 70);
}

QColor tickColor()
{
    return QColor(0x20, 0x24, 0x2a);
}

bool olderThan(const api::HealthSample &s, std::int64_t ms)
{
    return s.timeMs < ms;
}

bool sameTransition(const api::HealthTransition &a, const api::HealthTransition &b)
{
    return a.worker == b.worker && a.probe == b.probe && a.from == b.from && a.to == b.to &&
           std::llabs(a.timeMs - b.timeMs) <= 1000;
}

QString clock(std::int64_t ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("hh:mm:ss.zzz"));
}

} // namespace

HealthTimeline::HealthTimeline(QWidget *parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Minimum);
    m_clock.setInterval(1000);
    connect(&m_clock, &QTimer::timeout, this, qOverload<>(&QWidget::update));
    m_clock.start();
}

void HealthTimeline::setWindow(std::int64_t ms)
{
    m_windowMs = std::max<std::int64_t>(1000, ms);
    update();
}

void HealthTimeline::setStrips(const std::vector<Strip> &strips)
{
    std::vector<Row> rows;
    rows.reserve(strips.size());
    for (const Strip &s : strips) {
        Row row;
        if (Row *old = rowOf(s.worker, s.probe))
            row = std::move(*old);
        row.strip = s;
        rows.push_back(std::move(row));
    }
    m_strips = std::move(rows);
    updateGeometry();
    update();
}

void HealthTimeline::clear()
{
    m_strips.clear();
    m_selected.reset();
    updateGeometry();
    update();
}

void HealthTimeline::setHistory(const std::string &worker,
                                const std::vector<api::HealthSample> &samples,
                                const std::vector<api::HealthTransition> &transitions,
                                std::int64_t keptFromMs, int kept)
{
    for (Row &row : m_strips) {
        if (row.strip.worker != worker)
            continue;
        row.keptFromMs = keptFromMs;
        row.kept = kept;
        std::vector<api::HealthSample> mine;
        for (const api::HealthSample &s : samples) {
            if (s.probe == row.strip.probe)
                mine.push_back(s);
        }
        std::stable_sort(mine.begin(), mine.end(),
                         [](const auto &a, const auto &b) { return a.timeMs < b.timeMs; });
        // Live results the history does not hold: from its newest on (the same millisecond
        // may hold one it has and one it has not).
        const std::size_t fromMaster = mine.size();
        const std::int64_t newest =
            mine.empty() ? std::numeric_limits<std::int64_t>::min() : mine.back().timeMs;
        for (const api::HealthSample &s : row.samples) {
            if (s.timeMs > newest ||
                (s.timeMs == newest &&
                 std::find_if(mine.begin(), mine.begin() + std::ptrdiff_t(fromMaster),
                              [&](const api::HealthSample &m) {
                                  return models::HealthResultsModel::sameResult(m, s);
                              }) == mine.begin() + std::ptrdiff_t(fromMaster)))
                mine.push_back(s);
        }
        std::vector<api::HealthTransition> changes;
        for (const api::HealthTransition &t : transitions) {
            if (t.probe == row.strip.probe)
                changes.push_back(t);
        }
        for (const api::HealthTransition &t : row.transitions) {
            if (std::none_of(changes.begin(), changes.end(),
                             [&](const auto &c) { return sameTransition(c, t); }))
                changes.push_back(t);
        }
        std::stable_sort(changes.begin(), changes.end(),
                         [](const auto &a, const auto &b) { return a.timeMs < b.timeMs; });
        row.samples = std::move(mine);
        row.transitions = std::move(changes);
        updateInterval(row);
        prune(row);
    }
    update();
}

void HealthTimeline::addSamples(const std::vector<api::HealthSample> &samples)
{
    bool any = false;
    Row *last = nullptr;
    for (const api::HealthSample &s : samples) {
        Row *row = last && last->strip.worker == s.worker && last->strip.probe == s.probe
                       ? last
                       : rowOf(s.worker, s.probe);
        if (!row)
            continue;
        // Already there (in a history that came before this live result was drained)?
        bool known = false;
        for (auto it = row->samples.rbegin(); it != row->samples.rend() && it->timeMs >= s.timeMs;
             ++it) {
            if (models::HealthResultsModel::sameResult(*it, s)) {
                known = true;
                break;
            }
        }
        if (known)
            continue;
        if (row->samples.empty() || row->samples.back().timeMs <= s.timeMs) {
            row->samples.push_back(s);
        } else {
            auto at = std::upper_bound(
                row->samples.begin(), row->samples.end(), s.timeMs,
                [](std::int64_t ms, const api::HealthSample &x) { return ms < x.timeMs; });
            row->samples.insert(at, s);
        }
        last = row;
        any = true;
    }
    if (!any)
        return;
    for (Row &row : m_strips) {
        updateInterval(row);
        prune(row);
    }
    update();
}

void HealthTimeline::addTransition(const api::HealthTransition &transition)
{
    Row *row = rowOf(transition.worker, transition.probe);
    if (!row)
        return;
    for (const api::HealthTransition &t : row->transitions) {
        if (sameTransition(t, transition))
            return;
    }
    auto at = std::upper_bound(row->transitions.begin(), row->transitions.end(), transition,
                               [](const auto &a, const auto &b) { return a.timeMs < b.timeMs; });
    row->transitions.insert(at, transition);
    update();
}

int HealthTimeline::sampleCount(int i) const
{
    return i >= 0 && i < stripCount() ? int(m_strips[std::size_t(i)].samples.size()) : 0;
}

void HealthTimeline::setSelected(std::optional<api::HealthSample> sample)
{
    m_selected = std::move(sample);
    update();
}

void HealthTimeline::setNow(std::optional<std::int64_t> ms)
{
    m_now = ms;
    update();
}

std::int64_t HealthTimeline::now() const
{
    return m_now ? *m_now : QDateTime::currentMSecsSinceEpoch();
}

int HealthTimeline::rowHeight() const
{
    return fontMetrics().height() + 10;
}

int HealthTimeline::barHeight() const
{
    return rowHeight() - 8;
}

QString HealthTimeline::labelOf(const Strip &s) const
{
    return QStringLiteral("%1 · %2").arg(QString::fromStdString(s.worker),
                                         models::HealthResultsModel::probeText(s.probe));
}

int HealthTimeline::labelWidth() const
{
    int widest = fontMetrics().horizontalAdvance(tr("verdict change")) + 20;
    for (const Row &row : m_strips)
        widest = std::max(widest, fontMetrics().horizontalAdvance(labelOf(row.strip)));
    return std::clamp(widest + kLabelGap + 4, 80, std::max(80, width() / 3));
}

QRect HealthTimeline::plotRect() const
{
    const int left = labelWidth();
    return QRect(left, kTopMargin, std::max(1, width() - left - kRightMargin),
                 stripCount() * rowHeight());
}

int HealthTimeline::stripAt(int y) const
{
    const QRect plot = plotRect();
    if (y < plot.top() || y >= plot.bottom() + 1)
        return -1;
    return std::min(stripCount() - 1, (y - plot.top()) / rowHeight());
}

double HealthTimeline::xOf(std::int64_t ms, const QRect &plot) const
{
    const std::int64_t start = now() - m_windowMs;
    return plot.left() + double(ms - start) * plot.width() / double(m_windowMs);
}

std::int64_t HealthTimeline::timeAt(int x) const
{
    const QRect plot = plotRect();
    const std::int64_t start = now() - m_windowMs;
    return start + std::llround(double(x - plot.left()) * double(m_windowMs) / plot.width());
}

QPoint HealthTimeline::pointAt(int strip, std::int64_t ms) const
{
    const QRect plot = plotRect();
    // The pixel column that holds the time, as painted.
    return QPoint(int(std::floor(xOf(ms, plot))),
                  plot.top() + strip * rowHeight() + rowHeight() / 2);
}

std::int64_t HealthTimeline::spanEnd(const Row &row, std::size_t i) const
{
    const std::int64_t t = row.samples[i].timeMs;
    // Without a result for a few intervals the probe did not run (the worker was down).
    const std::int64_t longest = row.intervalMs > 0 ? 3 * row.intervalMs + 1000 : 10'000;
    if (i + 1 < row.samples.size())
        return std::min(row.samples[i + 1].timeMs, t + longest);
    return t + (row.intervalMs > 0 ? row.intervalMs : 1000);
}

HealthTimeline::Row *HealthTimeline::rowOf(const std::string &worker, const std::string &probe)
{
    for (Row &row : m_strips) {
        if (row.strip.worker == worker && row.strip.probe == probe)
            return &row;
    }
    return nullptr;
}

void HealthTimeline::updateInterval(Row &row)
{
    const std::size_t n = row.samples.size();
    std::array<std::int64_t, 16> gaps{};
    std::size_t count = 0;
    for (std::size_t i = n; i > 1 && count < gaps.size(); --i) {
        const std::int64_t gap = row.samples[i - 1].timeMs - row.samples[i - 2].timeMs;
        if (gap > 0)
            gaps[count++] = gap;
    }
    if (count == 0) {
        row.intervalMs = 0;
        return;
    }
    std::nth_element(gaps.begin(), gaps.begin() + count / 2, gaps.begin() + count);
    row.intervalMs = gaps[count / 2];
}

void HealthTimeline::prune(Row &row)
{
    const std::int64_t keepFrom = now() - m_windowMs - kKeepBeforeMs;
    auto first = std::lower_bound(row.samples.begin(), row.samples.end(), keepFrom, olderThan);
    std::size_t stale = std::size_t(first - row.samples.begin());
    if (stale > 0)
        --stale; // the last one before keepFrom still colours the start
    if (row.samples.size() - stale > kMaxPerStrip)
        stale = row.samples.size() - kMaxPerStrip;
    // In steps: erasing the front of a vector moves everything behind it.
    if (stale >= 256 || (stale > 0 && stale * 4 >= row.samples.size()))
        row.samples.erase(row.samples.begin(), row.samples.begin() + std::ptrdiff_t(stale));
    auto change = std::find_if(row.transitions.begin(), row.transitions.end(),
                               [&](const auto &t) { return t.timeMs >= keepFrom; });
    row.transitions.erase(row.transitions.begin(), change);
}

std::optional<api::HealthSample> HealthTimeline::sampleAt(const QPoint &pos) const
{
    const int r = stripAt(pos.y());
    const QRect plot = plotRect();
    if (r < 0 || pos.x() < plot.left() - 2 || pos.x() > plot.right() + 2)
        return std::nullopt;
    const Row &row = m_strips[std::size_t(r)];
    if (row.samples.empty())
        return std::nullopt;
    const std::int64_t t = timeAt(pos.x());
    const std::int64_t slack = 2 * m_windowMs / plot.width() + 1; // two pixels
    auto byTime = [](std::int64_t ms, const api::HealthSample &s) { return ms < s.timeMs; };
    // The result whose span holds t.
    std::optional<std::size_t> holding;
    auto after = std::upper_bound(row.samples.begin(), row.samples.end(), t, byTime);
    if (after != row.samples.begin()) {
        const std::size_t i = std::size_t(after - row.samples.begin()) - 1;
        if (t < std::max(spanEnd(row, i), row.samples[i].timeMs + slack))
            holding = i;
    }
    if (holding && !row.samples[*holding].ok)
        return row.samples[*holding];
    // A failure narrower than a pixel is painted anyway: it is what a click there wants.
    auto from = std::lower_bound(row.samples.begin(), row.samples.end(), t - slack, olderThan);
    const api::HealthSample *nearest = nullptr;
    for (auto it = from; it != row.samples.end() && it->timeMs <= t + slack; ++it) {
        if (!it->ok && (!nearest || std::llabs(it->timeMs - t) < std::llabs(nearest->timeMs - t)))
            nearest = &*it;
    }
    if (nearest)
        return *nearest;
    if (holding)
        return row.samples[*holding];
    return std::nullopt;
}

QString HealthTimeline::toolTipAt(const QPoint &pos) const
{
    const int r = stripAt(pos.y());
    if (r < 0)
        return {};
    const Row &row = m_strips[std::size_t(r)];
    const QRect plot = plotRect();
    if (pos.x() < plot.left() - 2) {
        QString tip = labelOf(row.strip);
        if (!row.strip.kind.empty() || !row.strip.target.empty())
            tip += QLatin1Char('\n') + QString::fromStdString(row.strip.kind) + QLatin1Char(' ') +
                   QString::fromStdString(row.strip.target);
        return tip.trimmed();
    }
    if (pos.x() > plot.right() + 2)
        return {};
    // A verdict change within three pixels comes first: it is the thinner target.
    const api::HealthTransition *change = nullptr;
    double best = 4;
    for (const api::HealthTransition &t : row.transitions) {
        const double d = std::abs(xOf(t.timeMs, plot) - pos.x());
        if (d < best) {
            best = d;
            change = &t;
        }
    }
    if (change)
        return tr("%1 probe: %2 → %3 at %4\n%5")
            .arg(models::HealthResultsModel::probeText(change->probe),
                 QString::fromStdString(change->from), QString::fromStdString(change->to),
                 clock(change->timeMs), QString::fromStdString(change->reason));
    if (std::optional<api::HealthSample> s = sampleAt(pos)) {
        QString tip =
            tr("%1 · %2 · %3 ms\n%4")
                .arg(clock(s->timeMs), s->ok ? tr("pass") : tr("fail"),
                     QLocale().toString(s->latencyMs, 'f', 1), QString::fromStdString(s->message));
        if (!s->ok)
            tip += QLatin1Char('\n') + tr("Click for the details and the log before it.");
        return tip;
    }
    const std::int64_t at = timeAt(pos.x());
    if (at < row.keptFromMs)
        return tr("No result kept for %1: the master keeps the newest %n results per worker "
                  "(master.probes.history).",
                  nullptr, row.kept)
            .arg(clock(at).left(8));
    return tr("No result at %1: the probe did not run.").arg(clock(at).left(8));
}

QSize HealthTimeline::sizeHint() const
{
    const int h = fontMetrics().height();
    return QSize(700, kTopMargin + stripCount() * rowHeight() + 2 * (h + 8) + 4);
}

QSize HealthTimeline::minimumSizeHint() const
{
    return QSize(300, sizeHint().height());
}

bool HealthTimeline::event(QEvent *e)
{
    if (e->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(e);
        const QString tip = toolTipAt(help->pos());
        if (tip.isEmpty()) {
            QToolTip::hideText();
            e->ignore();
        } else {
            QToolTip::showText(help->globalPos(), tip, this);
        }
        return true;
    }
    return QWidget::event(e);
}

void HealthTimeline::mousePressEvent(QMouseEvent *e)
{
    if (e->button() == Qt::LeftButton) {
        std::optional<api::HealthSample> s = sampleAt(e->position().toPoint());
        if (s && !s->ok) {
            emit sampleClicked(*s);
            return;
        }
    }
    QWidget::mousePressEvent(e);
}

void HealthTimeline::mouseMoveEvent(QMouseEvent *e)
{
    std::optional<api::HealthSample> s = sampleAt(e->position().toPoint());
    if (s && !s->ok)
        setCursor(Qt::PointingHandCursor);
    else
        unsetCursor();
    QWidget::mouseMoveEvent(e);
}

void HealthTimeline::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QRect plot = plotRect();
    const QFontMetrics fm = fontMetrics();
    const std::int64_t nowMs = now();
    const std::int64_t start = nowMs - m_windowMs;
    const int rowH = rowHeight();
    const int barH = barHeight();
    const QColor text = palette().color(QPalette::WindowText);
    QColor grid = text;
    grid.setAlpha(40);

    // The time axis: lines on round local times, labels under the strips.
    static constexpr std::array<std::int64_t, 8> steps{30'000,  60'000,  120'000,   300'000,
                                                       600'000, 900'000, 1'800'000, 3'600'000};
    std::int64_t step = steps.back();
    for (std::int64_t s : steps) {
        if (s * 8 >= m_windowMs) {
            step = s;
            break;
        }
    }
    const std::int64_t offset =
        std::int64_t(QDateTime::fromMSecsSinceEpoch(nowMs).offsetFromUtc()) * 1000;
    const int axisY = plot.bottom() + 4;
    const QString format = step < 60'000 ? QStringLiteral("hh:mm:ss") : QStringLiteral("hh:mm");
    const int nowWidth = fm.horizontalAdvance(tr("now"));
    for (std::int64_t t = ((start + offset) / step + 1) * step - offset; t < nowMs; t += step) {
        const int x = int(std::lround(xOf(t, plot)));
        p.fillRect(QRect(x, plot.top() - 2, 1, plot.height() + 6), grid);
        const QString label = QDateTime::fromMSecsSinceEpoch(t).toString(format);
        const int w = fm.horizontalAdvance(label);
        if (x + w / 2 < plot.right() - nowWidth - 8) {
            p.setPen(text);
            p.drawText(QRect(x - w / 2, axisY, w, fm.height()), Qt::AlignCenter, label);
        }
    }
    p.setPen(text);
    p.drawText(QRect(plot.right() - nowWidth, axisY, nowWidth + kRightMargin, fm.height()),
               Qt::AlignLeft | Qt::AlignVCenter, tr("now"));
    p.fillRect(QRect(plot.right(), plot.top() - 2, 1, plot.height() + 6), grid);

    const QColor colors[3] = {noneColor(), models::HealthResultsModel::resultColor(true),
                              models::HealthResultsModel::resultColor(false)};
    const int width = plot.width();
    std::vector<std::uint8_t> cells(std::size_t(width), 0); // 0 none, 1 pass, 2 fail, 3 not kept
    QColor hatch = text;
    hatch.setAlpha(110);
    const QBrush notKept(hatch, Qt::BDiagPattern);
    bool anyDropped = false;
    for (int r = 0; r < stripCount(); ++r) {
        const Row &row = m_strips[std::size_t(r)];
        const int rowTop = plot.top() + r * rowH;
        const int y = rowTop + (rowH - barH) / 2;

        p.setPen(text);
        p.drawText(QRect(0, rowTop, plot.left() - kLabelGap, rowH),
                   Qt::AlignRight | Qt::AlignVCenter,
                   fm.elidedText(labelOf(row.strip), Qt::ElideMiddle, plot.left() - kLabelGap));
        p.fillRect(QRect(plot.left(), y, width, barH), colors[0]);

        // Each pixel column gets the worst result that touches it: 1 pass, 2 fail.
        std::fill(cells.begin(), cells.end(), 0);
        auto first = std::lower_bound(row.samples.begin(), row.samples.end(), start, olderThan);
        std::size_t i = std::size_t(first - row.samples.begin());
        if (i > 0)
            --i; // the one before the window colours its start
        for (; i < row.samples.size(); ++i) {
            const double a = xOf(row.samples[i].timeMs, plot) - plot.left();
            double b = xOf(spanEnd(row, i), plot) - plot.left();
            if (i + 1 == row.samples.size())
                b = std::max(b, a + 2); // the newest: short, but visible
            if (b <= 0)
                continue;
            if (a >= width)
                break;
            const int px0 = std::max(0, int(std::floor(a)));
            const int px1 = std::min(width, std::max(px0 + 1, int(std::ceil(b))));
            const std::uint8_t v = row.samples[i].ok ? 1 : 2;
            for (int px = px0; px < px1; ++px)
                cells[std::size_t(px)] = std::max(cells[std::size_t(px)], v);
        }
        // Before the master's oldest kept result, no result means it was dropped: hatched.
        if (row.keptFromMs > start) {
            const int keptX =
                std::min(width, int(std::floor(xOf(row.keptFromMs, plot))) - plot.left());
            for (int px = 0; px < keptX; ++px) {
                if (!cells[std::size_t(px)])
                    cells[std::size_t(px)] = 3;
            }
            anyDropped = true;
        }
        for (int px = 0; px < width;) {
            const std::uint8_t v = cells[std::size_t(px)];
            int end = px + 1;
            while (end < width && cells[std::size_t(end)] == v)
                ++end;
            const QRect span(plot.left() + px, y, end - px, barH);
            if (v == 3)
                p.fillRect(span, notKept);
            else if (v)
                p.fillRect(span, colors[v]);
            px = end;
        }

        for (const api::HealthTransition &t : row.transitions) {
            if (t.timeMs < start || t.timeMs > nowMs)
                continue;
            const int x = int(std::floor(xOf(t.timeMs, plot)));
            p.fillRect(QRect(x, y - 3, 2, barH + 6), tickColor());
        }

        if (m_selected && m_selected->worker == row.strip.worker &&
            m_selected->probe == row.strip.probe && m_selected->timeMs >= start) {
            auto it = std::find(row.samples.begin(), row.samples.end(), *m_selected);
            if (it != row.samples.end()) {
                const std::size_t at = std::size_t(it - row.samples.begin());
                const double a = xOf(it->timeMs, plot);
                const double b = std::max(xOf(spanEnd(row, at), plot), a + 3);
                p.setPen(QPen(palette().color(QPalette::Highlight), 2));
                p.setBrush(Qt::NoBrush);
                p.drawRect(
                    QRectF(a - 1, y - 2, std::min(b, double(plot.right())) - a + 2, barH + 4));
            }
        }
    }

    // A legend under the axis.
    int x = plot.left();
    const int legendY = axisY + fm.height() + 6;
    const int box = fm.height() - 4;
    auto entry = [&](const QBrush &c, const QString &label, bool tick) {
        if (tick)
            p.fillRect(QRect(x + box / 2 - 1, legendY, 2, fm.height()), c);
        else
            p.fillRect(QRect(x, legendY + 2, box, box), c);
        x += box + 4;
        p.setPen(text);
        const int w = fm.horizontalAdvance(label);
        p.drawText(QRect(x, legendY, w, fm.height()), Qt::AlignLeft | Qt::AlignVCenter, label);
        x += w + 14;
    };
    entry(colors[1], tr("pass"), false);
    entry(colors[2], tr("fail"), false);
    entry(colors[0], tr("not run"), false);
    if (anyDropped) {
        p.fillRect(QRect(x, legendY + 2, box, box), colors[0]);
        entry(notKept, tr("not kept by the master"), false);
    }
    entry(tickColor(), tr("verdict change"), true);
}

} // namespace drover::ui
