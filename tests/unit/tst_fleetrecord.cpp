// The fleet's pure parts: etcd endpoints as written in a config, base64 and key ranges as
// etcd's JSON needs them, a master's record written and read back, and worst-first order.
#include "fleet/etcd.h"
#include "fleet/record.h"

#include <QTest>

#include <string>
#include <vector>

using namespace drover;

class TestFleetRecord : public QObject
{
    Q_OBJECT

private slots:
    void endpoints();
    void base64AndRanges();
    void recordRoundTrip();
    void worstFirst();
};

void TestFleetRecord::endpoints()
{
    auto e = config::EtcdEndpoint::parse("http://127.0.0.1:2379");
    QVERIFY(e && !e->https && e->host == "127.0.0.1" && e->port == 2379);
    e = config::EtcdEndpoint::parse("https://etcd.example");
    QVERIFY(e && e->https && e->host == "etcd.example" && e->port == 2379);
    e = config::EtcdEndpoint::parse("http://[::1]:12379/");
    QVERIFY(e && e->host == "::1" && e->port == 12379);
    QCOMPARE(e->toString(), std::string("http://[::1]:12379"));
    for (const char *bad :
         {"127.0.0.1:2379", "http://", "http://host:", "http://host:99999", "http://host:12ab",
          "ftp://host:1", "http://user@host:1", "http://[::1"})
        QVERIFY2(!config::EtcdEndpoint::parse(bad), bad);
}

void TestFleetRecord::base64AndRanges()
{
    using fleet::EtcdClient;
    const std::vector<std::string> samples{
        "", "a", "ab", "abc", "/drover/fleet/web-1", std::string("\0\xff\x01", 3)};
    for (const std::string &s : samples)
        QCOMPARE(EtcdClient::fromBase64(EtcdClient::toBase64(s)), s);
    QCOMPARE(EtcdClient::toBase64("/drover/a"), std::string("L2Ryb3Zlci9h"));
    QCOMPARE(EtcdClient::prefixEnd("/drover/fleet/"), std::string("/drover/fleet0"));
    QCOMPARE(EtcdClient::prefixEnd(std::string("a\xff", 2)), std::string("b"));
    QCOMPARE(EtcdClient::fromBase64("not base64!"), std::string());
}

void TestFleetRecord::recordRoundTrip()
{
    fleet::MasterRecord r;
    r.name = "web-1:7700";
    r.url = "wss://web-1.example:7700";
    r.version = "0.9.0";
    r.fingerprint = "ab:cd";
    r.roles = {"viewer", "admin"};
    r.host = "web-1";
    r.pid = 4242;
    r.startedMs = 1000;
    r.updatedMs = 2000;
    r.pools = {{"api", 3, 3, 2, 1, false}, {"nightly", 0, 0, 0, 0, true}};
    fleet::MasterRecord back = fleet::decode("/p/web-1:7700", fleet::encode(r));
    QCOMPARE(back.key, std::string("/p/web-1:7700"));
    back.key.clear();
    QVERIFY(back == r);
    // The stable form leaves out the time: a record whose pools did not change is not
    // written again.
    fleet::MasterRecord later = r;
    later.updatedMs = 9999;
    QCOMPARE(fleet::encode(later, true), fleet::encode(r, true));
    QVERIFY(fleet::encode(later) != fleet::encode(r));
    // Another program's key under the prefix is listed by its key, not a crash.
    fleet::MasterRecord odd = fleet::decode("/p/odd", "not json");
    QCOMPARE(odd.name, std::string("/p/odd"));
    QVERIFY(odd.pools.empty());
}

void TestFleetRecord::worstFirst()
{
    fleet::MasterRecord ok, degraded, failing, empty;
    ok.pools = {{"a", 2, 2, 2, 0, false}};
    degraded.pools = {{"a", 2, 2, 1, 0, false}, {"b", 1, 1, 1, 0, false}};
    failing.pools = {{"a", 2, 0, 0, 0, false}, {"b", 1, 1, 1, 0, false}};
    empty.pools = {{"job", 0, 0, 0, 0, true}};
    QVERIFY(failing.health() == fleet::Health::Failing);
    QVERIFY(degraded.health() == fleet::Health::Degraded);
    QVERIFY(ok.health() == fleet::Health::Ready);
    QVERIFY(empty.health() == fleet::Health::Idle);
    QVERIFY(failing.score() < degraded.score());
    QVERIFY(degraded.score() < ok.score());
    QVERIFY(ok.score() < empty.score());
    QCOMPARE(degraded.ready(), 2);
    QCOMPARE(degraded.desired(), 3);
    // A failed worker makes a full pool degraded; a job's failed run too.
    fleet::PoolBrief withFailed{"a", 2, 2, 2, 1, false};
    QVERIFY(fleet::healthOf(withFailed) == fleet::Health::Degraded);
    fleet::PoolBrief jobFailed{"j", 0, 0, 0, 1, true};
    QVERIFY(fleet::healthOf(jobFailed) == fleet::Health::Degraded);
}

QTEST_APPLESS_MAIN(TestFleetRecord)
#include "tst_fleetrecord.moc"
