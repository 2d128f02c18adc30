#pragma once

#include "api/types.h"

#include <QTimer>
#include <QWidget>

#include <cstdint>
#include <optional>
#include <vector>

namespace drover::ui {

/// One horizontal strip per (worker, probe): the results of the last window() ms, left (now
/// minus the window) to right (now). A result is green (pass) or red (fail) until the next
/// one, grey where nothing ran; a verdict change is a dark tick. Hovering tells the result or
/// the change; clicking a failure emits sampleClicked(). Repaints once a second as time goes.
///
/// Painting costs one pass over the samples in the window plus one rectangle per run of equal
/// colour per strip, at most one per pixel column: a failure narrower than a pixel still
/// colours its pixel red.
class HealthTimeline : public QWidget
{
    Q_OBJECT

public:
    /// What one strip shows.
    struct Strip
    {
        std::string worker;
        std::string probe;  ///< startup, liveness, readiness
        std::string kind;   ///< http, tcp, exec, grpc (may be empty)
        std::string target; ///< what it checks, for the label's tooltip
    };

    explicit HealthTimeline(QWidget *parent = nullptr);

    /// The time shown, in ms (5 min by default).
    void setWindow(std::int64_t ms);
    std::int64_t window() const { return m_windowMs; }
    /// The strips, top to bottom. Strips that stay keep their results.
    void setStrips(const std::vector<Strip> &strips);
    int stripCount() const { return int(m_strips.size()); }
    const Strip &strip(int i) const { return m_strips[std::size_t(i)].strip; }
    /// Drops every strip and result.
    void clear();

    /// `worker`'s history: replaces its results and changes, keeping live ones newer than it.
    /// `keptFromMs`: from when the master still holds every result of the worker (0: all);
    /// before it, a time without a result is drawn as "not kept", not as "not run". `kept`:
    /// how many results per worker the master keeps, for the tooltip.
    void setHistory(const std::string &worker, const std::vector<api::HealthSample> &samples,
                    const std::vector<api::HealthTransition> &transitions,
                    std::int64_t keptFromMs = 0, int kept = 0);
    /// Live results, oldest first; those of no strip are ignored.
    void addSamples(const std::vector<api::HealthSample> &samples);
    void addTransition(const api::HealthTransition &transition);
    /// Results held for strip `i` (in and before the window).
    int sampleCount(int i) const;

    /// Outlines this result (the one in the details); nullopt: none.
    void setSelected(std::optional<api::HealthSample> sample);

    /// "Now" for painting; by default the clock. Tests may pin it.
    void setNow(std::optional<std::int64_t> ms);
    /// Where, in this widget, strip `i` shows the time `ms` (for tests and tooltips).
    QPoint pointAt(int strip, std::int64_t ms) const;
    /// What a click at `pos` would select: the failure at (or within two pixels of) the
    /// position, else the result whose span holds it.
    std::optional<api::HealthSample> sampleAt(const QPoint &pos) const;
    /// The tooltip text at `pos` (a change, a result, or "no result").
    QString toolTipAt(const QPoint &pos) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void sampleClicked(const drover::api::HealthSample &sample);

protected:
    bool event(QEvent *e) override;
    void paintEvent(QPaintEvent *e) override;
    void mousePressEvent(QMouseEvent *e) override;
    void mouseMoveEvent(QMouseEvent *e) override;

private:
    struct Row
    {
        Strip strip;
        std::vector<api::HealthSample> samples; ///< oldest first
        std::vector<api::HealthTransition> transitions;
        std::int64_t intervalMs = 0; ///< the usual time between results (a median)
        std::int64_t keptFromMs = 0; ///< see setHistory()
        int kept = 0;
    };

    std::int64_t now() const;
    int rowHeight() const;
    int barHeight() const;
    int labelWidth() const;
    QRect plotRect() const; ///< where times are drawn (all strips), in widget coordinates
    int stripAt(int y) const;
    std::int64_t timeAt(int x) const;
    double xOf(std::int64_t ms, const QRect &plot) const;
    /// Until when result `i` of `row` counts: the next result, or a short span for the newest,
    /// or at most a few intervals when no next result came (the worker was not probed).
    std::int64_t spanEnd(const Row &row, std::size_t i) const;
    Row *rowOf(const std::string &worker, const std::string &probe);
    static void updateInterval(Row &row);
    void prune(Row &row);
    QString labelOf(const Strip &s) const;

    std::vector<Row> m_strips;
    std::int64_t m_windowMs = 5 * 60 * 1000;
    std::optional<std::int64_t> m_now;
    std::optional<api::HealthSample> m_selected;
    QTimer m_clock;
};

} // namespace drover::ui
