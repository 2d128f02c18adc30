#include "engine/health/history.h"

#include <algorithm>
#include <array>

namespace drover::engine {

std::string_view toString(ProbeRole role)
{
    switch (role) {
    case ProbeRole::Startup:
        return "startup";
    case ProbeRole::Liveness:
        return "liveness";
    case ProbeRole::Readiness:
        return "readiness";
    }
    return "startup";
}

std::string_view toString(config::ProbeKind kind)
{
    switch (kind) {
    case config::ProbeKind::Http:
        return "http";
    case config::ProbeKind::Tcp:
        return "tcp";
    case config::ProbeKind::Exec:
        return "exec";
    case config::ProbeKind::Grpc:
        return "grpc";
    }
    return "http";
}

std::string_view toString(ProbeVerdict::State state)
{
    switch (state) {
    case ProbeVerdict::State::Pending:
        return "pending";
    case ProbeVerdict::State::Passing:
        return "passing";
    case ProbeVerdict::State::Failing:
        return "failing";
    }
    return "pending";
}

ProbeVerdict::Change ProbeVerdict::add(bool ok, int successThreshold, int failureThreshold)
{
    if (ok) {
        m_failures = 0;
        ++m_successes;
        if (m_state != State::Passing && m_successes >= successThreshold) {
            m_state = State::Passing;
            return Change::Passed;
        }
    } else {
        m_successes = 0;
        ++m_failures;
        if (m_state != State::Failing && m_failures >= failureThreshold) {
            m_state = State::Failing;
            return Change::Failed;
        }
    }
    return Change::None;
}

void ProbeVerdict::reset()
{
    *this = ProbeVerdict();
}

HealthHistory::HealthHistory(std::size_t capacity)
    : m_capacity(std::max<std::size_t>(1, capacity))
{}

void HealthHistory::setCapacity(std::size_t capacity)
{
    m_capacity = std::max<std::size_t>(1, capacity);
    if (m_results.size() <= m_capacity)
        return;
    while (m_results.size() > m_capacity)
        m_results.pop_front();
    m_keptFromMs = m_results.front().timeMs;
}

void HealthHistory::add(ProbeRole role, config::ProbeKind kind, std::int64_t timeMs, bool ok,
                        double latencyMs, std::string message, std::string excerpt,
                        std::int64_t logOffset)
{
    const bool full = m_results.size() >= m_capacity;
    if (full)
        m_results.pop_front();
    m_results.push_back({timeMs, float(latencyMs), role, ok, kind, std::move(message)});
    if (full)
        m_keptFromMs = m_results.front().timeMs;
    if (!ok && (!excerpt.empty() || logOffset >= 0)) {
        if (m_excerpts.size() >= kExcerptsKept)
            m_excerpts.pop_front();
        m_excerpts.push_back({timeMs, role, std::move(excerpt), logOffset});
    }
}

void HealthHistory::addTransition(api::HealthTransition transition)
{
    if (m_transitions.size() >= kTransitionsKept)
        m_transitions.pop_front();
    m_transitions.push_back(std::move(transition));
}

std::vector<api::HealthSample> HealthHistory::results(const std::string &worker,
                                                      std::int64_t fromMs, std::int64_t toMs,
                                                      std::string_view role,
                                                      std::size_t limit) const
{
    std::vector<api::HealthSample> out;
    // Newest first, so that `limit` keeps the newest; reversed at the end.
    for (auto it = m_results.rbegin(); it != m_results.rend() && out.size() < limit; ++it) {
        if (it->timeMs > toMs)
            continue;
        if (it->timeMs < fromMs)
            break;
        if (!role.empty() && toString(it->role) != role)
            continue;
        api::HealthSample s;
        s.worker = worker;
        s.probe = std::string(toString(it->role));
        s.kind = std::string(toString(it->kind));
        s.timeMs = it->timeMs;
        s.ok = it->ok;
        s.latencyMs = it->latencyMs;
        s.message = it->message;
        if (!it->ok) {
            for (const Excerpt &e : m_excerpts) {
                if (e.timeMs == it->timeMs && e.role == it->role) {
                    s.excerpt = e.text;
                    s.logOffset = e.logOffset;
                }
            }
        }
        out.push_back(std::move(s));
    }
    std::reverse(out.begin(), out.end());
    return out;
}

std::vector<api::HealthTransition>
HealthHistory::transitions(std::int64_t fromMs, std::int64_t toMs, std::string_view role) const
{
    std::vector<api::HealthTransition> out;
    for (const api::HealthTransition &t : m_transitions) {
        if (t.timeMs >= fromMs && t.timeMs <= toMs && (role.empty() || t.probe == role))
            out.push_back(t);
    }
    return out;
}

} // namespace drover::engine
