// The serving room's decisions without a network: worker choice per strategy, a canary's
// split, breakers, the token bucket, percentiles and the autoscaler's hysteresis.
#include "engine/serve/autoscaler.h"
#include "engine/serve/balancer.h"

#include <QTest>

#include <cstdlib>
#include <map>

using namespace drover;
using namespace drover::engine::serve;
using namespace std::chrono_literals;

namespace {

std::vector<Backend> backends(int n)
{
    std::vector<Backend> out(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        out[std::size_t(i)].worker = "w-" + std::to_string(i);
        out[std::size_t(i)].port = 9000 + i;
        out[std::size_t(i)].ready = true;
    }
    return out;
}

config::AutoscaleSpec autoscale(int min, int max, double target, int minIdle = 0)
{
    config::AutoscaleSpec s;
    s.min = min;
    s.max = max;
    s.targetUtilization = target;
    s.scaleUpAfter = 5s;
    s.scaleDownAfter = 60s;
    s.minIdle = minIdle;
    return s;
}

} // namespace

class TestServe : public QObject
{
    Q_OBJECT

private slots:
    void roundRobinTakesTurnsAndSkipsTheUnready()
    {
        auto b = backends(3);
        b[1].ready = false;
        Balancer bal(1);
        std::vector<int> order;
        for (int i = 0; i < 4; ++i)
            order.push_back(bal.choose(b, config::GatewayStrategy::RoundRobin, 8, Clock::now()));
        QCOMPARE(order, (std::vector<int>{0, 2, 0, 2}));
    }

    void perWorkerConcurrencyBoundsEachWorker()
    {
        auto b = backends(2);
        Balancer bal(1);
        for (int i = 0; i < 4; ++i) {
            const int at = bal.choose(b, config::GatewayStrategy::LeastBusy, 2, Clock::now());
            QVERIFY(at >= 0);
            ++b[std::size_t(at)].inflight;
        }
        QCOMPARE(b[0].inflight, 2);
        QCOMPARE(b[1].inflight, 2);
        QCOMPARE(bal.choose(b, config::GatewayStrategy::LeastBusy, 2, Clock::now()), -1);
    }

    void leastBusyAndRandomTwoPreferTheIdle()
    {
        auto b = backends(3);
        b[0].inflight = 5;
        b[1].inflight = 1;
        b[2].inflight = 3;
        Balancer bal(7);
        QCOMPARE(bal.choose(b, config::GatewayStrategy::LeastBusy, 8, Clock::now()), 1);
        // Random-two never picks the busiest of three: it always loses its pair.
        std::map<int, int> picked;
        for (int i = 0; i < 300; ++i)
            ++picked[bal.choose(b, config::GatewayStrategy::RandomTwo, 8, Clock::now())];
        QCOMPARE(picked.count(0), std::size_t(0));
        QVERIFY(picked[1] > picked[2]);
    }

    void splitSendsTheWeightToTheCanaries()
    {
        // 4 backends, the last one a canary at 20 %: about a fifth of 10,000 choices.
        auto b = backends(4);
        b[3].canary = true;
        Balancer bal(7);
        bal.setSplit(20);
        std::map<int, int> n;
        for (int i = 0; i < 10000; ++i)
            ++n[bal.choose(b, config::GatewayStrategy::RoundRobin, 8, Clock::now())];
        QVERIFY2(n[3] > 1800 && n[3] < 2200, std::to_string(n[3]).c_str());
        // The rest spread evenly over the others (each group keeps its own turn).
        const std::string spread =
            std::to_string(n[0]) + " " + std::to_string(n[1]) + " " + std::to_string(n[2]);
        QVERIFY2(std::abs(n[0] - n[1]) <= 1 && std::abs(n[1] - n[2]) <= 1, spread.c_str());
        QCOMPARE(n.count(-1), std::size_t(0));
        // A group with nothing free now: the other one takes the request rather than wait.
        b[3].ready = false;
        for (int i = 0; i < 100; ++i)
            QVERIFY(bal.choose(b, config::GatewayStrategy::LeastBusy, 8, Clock::now()) != 3);
        b[3].ready = true;
        b[0].ready = b[1].ready = b[2].ready = false;
        QCOMPARE(bal.choose(b, config::GatewayStrategy::RandomTwo, 8, Clock::now()), 3);
        // Weight 0: none to the canary; no split: all alike.
        b[0].ready = b[1].ready = b[2].ready = true;
        bal.setSplit(0);
        for (int i = 0; i < 100; ++i)
            QVERIFY(bal.choose(b, config::GatewayStrategy::RoundRobin, 8, Clock::now()) != 3);
        bal.setSplit(-1);
        std::map<int, int> even;
        for (int i = 0; i < 400; ++i)
            ++even[bal.choose(b, config::GatewayStrategy::RoundRobin, 8, Clock::now())];
        QCOMPARE(even[3], 100);
    }

    void breakerOpensThenTakesOneTrial()
    {
        auto b = backends(1);
        Balancer bal(1);
        const auto t0 = Clock::now();
        QVERIFY(!Balancer::record(b[0], true, 3, 1000ms, t0));
        QVERIFY(!Balancer::record(b[0], true, 3, 1000ms, t0));
        QVERIFY(Balancer::record(b[0], true, 3, 1000ms, t0)); // the third opens it
        QCOMPARE(int(b[0].breaker), int(Breaker::Open));
        QCOMPARE(bal.choose(b, config::GatewayStrategy::RoundRobin, 8, t0 + 500ms), -1);
        // After open_for: exactly one trial at a time.
        QCOMPARE(bal.choose(b, config::GatewayStrategy::RoundRobin, 8, t0 + 1001ms), 0);
        QCOMPARE(int(b[0].breaker), int(Breaker::HalfOpen));
        QCOMPARE(bal.choose(b, config::GatewayStrategy::RoundRobin, 8, t0 + 1002ms), -1);
        // A failed trial opens it again at once; a good one closes it.
        QVERIFY(Balancer::record(b[0], true, 3, 1000ms, t0 + 1003ms));
        QCOMPARE(b[0].ejections, std::uint64_t(2));
        QCOMPARE(bal.choose(b, config::GatewayStrategy::RoundRobin, 8, t0 + 2010ms), 0);
        QVERIFY(!Balancer::record(b[0], false, 3, 1000ms, t0 + 2020ms));
        QCOMPARE(int(b[0].breaker), int(Breaker::Closed));
        QCOMPARE(b[0].consecutiveFailures, 0);
    }

    void tokenBucketAllowsTheBurstThenTheRate()
    {
        const auto t0 = Clock::now();
        TokenBucket bucket(10, 5, t0);
        int granted = 0;
        for (int i = 0; i < 20; ++i)
            granted += bucket.take(t0);
        QCOMPARE(granted, 5);
        QCOMPARE(bucket.retryAfterSeconds(), 1);
        granted = 0;
        for (int i = 0; i < 20; ++i)
            granted += bucket.take(t0 + 1s); // ten more tokens, capped at the burst of five
        QCOMPARE(granted, 5);
    }

    void percentiles()
    {
        Percentiles p(1000);
        QCOMPARE(p.at(50), 0.0);
        for (int i = 1; i <= 100; ++i)
            p.add(i);
        QCOMPARE(p.at(50), 50.0);
        QCOMPARE(p.at(99), 99.0);
        QCOMPARE(p.at(100), 100.0);
        Percentiles small(10); // keeps the newest ten
        for (int i = 1; i <= 100; ++i)
            small.add(i);
        QCOMPARE(small.at(0), 91.0);
    }

    void wantedFollowsUtilizationAndSpares()
    {
        const auto spec = autoscale(1, 10, 0.5);
        QCOMPARE(wanted(spec, {2, 0, 4}), 1);                    // idle: the minimum
        QCOMPARE(wanted(spec, {2, 4, 4}), 2);                    // 4 busy / (4 x 0.5)
        QCOMPARE(wanted(spec, {2, 5, 4}), 3);                    // rounded up
        QCOMPARE(wanted(spec, {2, 99, 4}), 10);                  // capped at max
        QCOMPARE(wanted(autoscale(0, 5, 1.0, 2), {0, 1, 1}), 3); // one busy + two warm spares
        QCOMPARE(wanted(autoscale(0, 5, 1.0), {1, 0, 1}), 0);    // scale to zero
    }

    void decideWaitsBeforeScaling()
    {
        const auto spec = autoscale(1, 8, 1.0);
        ScaleMemory m;
        const auto t0 = Clock::now();
        QVERIFY(!decide(spec, {1, 4, 1}, m, t0));      // asks for 4: waits scale_up_after
        QVERIFY(!decide(spec, {1, 6, 1}, m, t0 + 3s)); // asks for 6
        auto up = decide(spec, {1, 2, 1}, m, t0 + 5s); // the largest asked for is taken
        QVERIFY(up);
        QCOMPARE(up->desired, 6);
        // A dip shorter than scale_down_after changes nothing; a long one scales down.
        QVERIFY(!decide(spec, {6, 1, 1}, m, t0 + 10s));
        QVERIFY(!decide(spec, {6, 6, 1}, m, t0 + 20s)); // back up: the dip is forgotten
        QVERIFY(!decide(spec, {6, 1, 1}, m, t0 + 30s));
        QVERIFY(!decide(spec, {6, 1, 1}, m, t0 + 80s));
        auto down = decide(spec, {6, 1, 1}, m, t0 + 90s);
        QVERIFY(down);
        QCOMPARE(down->desired, 1);
    }

    void fromZeroAtOnce()
    {
        const auto spec = autoscale(0, 4, 1.0);
        ScaleMemory m;
        auto d = decide(spec, {0, 1, 1}, m, Clock::now());
        QVERIFY(d);
        QCOMPARE(d->desired, 1);
        QVERIFY(d->why.find("1 busy") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestServe)
#include "tst_serve.moc"
