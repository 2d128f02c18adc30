#pragma once

#include "api/types.h"
#include "config/spec.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace drover::engine {

enum class ProbeRole : std::uint8_t { Startup, Liveness, Readiness };
std::string_view toString(ProbeRole role);
std::string_view toString(config::ProbeKind kind); ///< `http`, `tcp`, `exec`, `grpc`

/// Consecutive results of one probe against its thresholds: the verdict changes to passing
/// after `success` passes in a row and to failing after `failure` failures in a row.
class ProbeVerdict
{
public:
    enum class State : std::uint8_t { Pending, Passing, Failing };
    enum class Change : std::uint8_t { None, Passed, Failed };

    /// Adds a result; says whether the verdict changed with it.
    Change add(bool ok, int successThreshold, int failureThreshold);
    void reset();
    State state() const { return m_state; }
    int successes() const { return m_successes; }
    int failures() const { return m_failures; }

private:
    State m_state = State::Pending;
    int m_successes = 0;
    int m_failures = 0;
};

std::string_view toString(ProbeVerdict::State state); ///< `pending`, `passing`, `failing`

/// A worker's health history: its newest probe results (a ring of `capacity`) and its newest
/// verdict changes. Results are kept compact (1000 workers x 100 results fit in a few MB):
/// the worker's id is not repeated, and excerpts and log offsets (failures only) are kept for
/// the newest few failures.
class HealthHistory
{
public:
    explicit HealthHistory(std::size_t capacity = 100);

    /// `logOffset`: on failure, the size of the worker's log then (-1: not known).
    void add(ProbeRole role, config::ProbeKind kind, std::int64_t timeMs, bool ok, double latencyMs,
             std::string message, std::string excerpt, std::int64_t logOffset = -1);
    void addTransition(api::HealthTransition transition);
    void setCapacity(std::size_t capacity);

    /// Results with from <= time <= to, oldest first, at most `limit` (the newest ones);
    /// `role` empty: every probe.
    std::vector<api::HealthSample> results(const std::string &worker, std::int64_t fromMs,
                                           std::int64_t toMs, std::string_view role = {},
                                           std::size_t limit = ~std::size_t(0)) const;
    std::vector<api::HealthTransition> transitions(std::int64_t fromMs, std::int64_t toMs,
                                                   std::string_view role = {}) const;
    std::size_t size() const { return m_results.size(); }
    std::size_t capacity() const { return m_capacity; }
    /// From when every result is still held: 0 until the ring first drops one, then the time of
    /// the oldest held result (older ones, of any probe, may be gone).
    std::int64_t keptFrom() const { return m_keptFromMs; }

    static constexpr std::size_t kTransitionsKept = 64;
    static constexpr std::size_t kExcerptsKept = 16;

private:
    struct Result
    {
        std::int64_t timeMs;
        float latencyMs;
        ProbeRole role;
        bool ok;
        config::ProbeKind kind;
        std::string message;
    };
    struct Excerpt
    {
        std::int64_t timeMs;
        ProbeRole role;
        std::string text;
        std::int64_t logOffset;
    };
    std::size_t m_capacity;
    std::int64_t m_keptFromMs = 0;
    std::deque<Result> m_results;
    std::deque<Excerpt> m_excerpts;
    std::deque<api::HealthTransition> m_transitions;
};

} // namespace drover::engine
