// The serving room against real drover-demo-workers, on a fixed set of workers: the gateway's
// strategies, headers, messages in every form, Expect and Early Hints, queue, timeouts,
// retries, breakers, rate limit, streaming bodies and WebSocket tunnels, leases, draining, and
// the traffic figures. (Pools that change under the traffic, scaling and rollouts, are in
// tst_poolchanges.) Clients run on their own threads with blocking sockets while the test's
// thread runs the engine's loop.
// clang-format off
#include <utility> // before Asio: Boost 1.74 + g++ 12
// clang-format on

#include "engine/observe/metricsstore.h"
#include "gatewayfixture.h"

#include <QTest>

#include <boost/beast/websocket.hpp>

#include <fstream>
#include <regex>
#include <set>

using namespace drover;
using namespace drover::test;

class TestGateway : public QObject, public GatewayFixture
{
    Q_OBJECT

private slots:
    void init() { setUp(); }
    void cleanup() { tearDown(); }

    void roundRobinSpreadsEvenlyAndNamesTheWorker()
    {
        start(pool("rr", 26000, 26050, "      strategy: round-robin\n"));
        QVERIFY(allReady("rr", 3));
        std::vector<Answer> answers;
        for (int i = 0; i < 30; ++i)
            answers.push_back(get(26050, "/"));
        for (const Answer &a : answers) {
            QCOMPARE(a.status, 200);
            QCOMPARE(a.body, std::string("ok\n"));
            QVERIFY(std::regex_match(a.header("x-request-id"), std::regex("[0-9a-f]{32}")));
        }
        const auto n = byWorker(answers);
        QCOMPARE(n.size(), std::size_t(3));
        for (const auto &[worker, count] : n)
            QVERIFY2(count == 10, (worker + " took " + std::to_string(count)).c_str());
        // A request is counted once its answer is written, which the client may read first.
        QVERIFY(runUntil([&] { return traffic("rr")["requests"].get<int>() == 30; }, 5000));
        const json t = traffic("rr");
        QCOMPARE(t["requests"].get<int>(), 30);
        QCOMPARE(t["status"]["2xx"].get<int>(), 30);
        QCOMPARE(t["recent"].size(), std::size_t(30));
        QCOMPARE(t["recent"].back()["outcome"].get<std::string>(), std::string("ok"));
        // The series agree with what the client saw, once the next second recorded them.
        auto latest = [&](const std::string &what) {
            engine::MetricsStore::Point p;
            return m_engine->metrics().latest("pool/rr/gateway/" + what, p) ? p.v : -1.0;
        };
        QVERIFY(runUntil([&] { return latest("requests_total") == 30; }, 3000));
        QCOMPARE(latest("responses_2xx_total"), 30.0);
        QCOMPARE(latest("status_503_total"), 0.0);
        QCOMPARE(latest("queued"), 0.0);
    }

    void leastBusyAvoidsBusyWorkers()
    {
        start(pool("lb", 26100, 26150,
                   "      strategy: least-busy\n      per_worker_concurrency: 4\n"));
        QVERIFY(allReady("lb", 3));
        // Three slow requests at once land on three different workers.
        auto slow = launch(3, 26150, "/work?ms=800");
        QVERIFY(runUntil([&] { return traffic("lb")["inflight"].get<int>() == 3; }, 5000));
        const json t = traffic("lb");
        for (const json &w : t["workers"])
            QCOMPARE(w["inflight"].get<int>(), 1);
        const auto answers = collect(slow);
        QCOMPARE(byWorker(answers).size(), std::size_t(3));
    }

    void randomTwoUsesEveryWorker()
    {
        start(pool("r2", 26200, 26250, "      strategy: random-two\n"));
        QVERIFY(allReady("r2", 3));
        std::vector<Answer> answers;
        for (int i = 0; i < 30; ++i)
            answers.push_back(get(26250, "/"));
        QCOMPARE(byWorker(answers).size(), std::size_t(3));
    }

    void headersAreKeptOrStarted()
    {
        start(pool("hd", 26300, 26350, "", "replicas: 1"));
        QVERIFY(allReady("hd", 1));
        const std::string tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        Answer kept = get(26350, "/headers", {{"traceparent", tp}, {"X-Request-Id", "abc-123"}});
        QCOMPARE(kept.status, 200);
        QVERIFY2(kept.body.find("traceparent: " + tp) != std::string::npos, kept.body.c_str());
        QVERIFY(kept.body.find("X-Request-Id: abc-123") != std::string::npos);
        QVERIFY(kept.body.find("X-Forwarded-For: 127.0.0.1") != std::string::npos);
        QCOMPARE(kept.header("x-request-id"), std::string("abc-123"));
        QCOMPARE(kept.header("x-drover-worker"), std::string("hd-0"));

        Answer started = get(26350, "/headers", {{"traceparent", "garbage"}});
        std::smatch m;
        QVERIFY2(std::regex_search(started.body, m,
                                   std::regex("traceparent: 00-[0-9a-f]{32}-[0-9a-f]{16}-01")),
                 started.body.c_str());
    }

    void messagesInEveryFormPassWhole()
    {
        // A worker whose answers have no length and end when it closes (HTTP/1.0 style).
        const std::string closing =
            "pools:\n  - name: eof\n    command: [\"python3\", \"-c\", \"import socket,sys\\n"
            "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\\n"
            "s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(16)\\nwhile True:\\n"
            "  c,_=s.accept(); c.recv(65536)\\n"
            "  c.sendall(b'HTTP/1.1 200 OK\\\\r\\\\nContent-Type: text/plain\\\\r\\\\n\\\\r\\\\n"
            "until the worker closes'); c.close()\", \"{{port}}\"]\n    replicas: 1\n    "
            "ports: 26380-26389\n    probes:\n      readiness: {tcp: {port: \"{{port}}\"}, "
            "interval: 100ms}\n    gateway:\n      listen: 127.0.0.1:26391\n";
        start(pool("wh", 26360, 26390, "", "replicas: 1") +
              closing.substr(std::string("pools:\n").size()));
        QVERIFY(allReady("wh", 1));
        QVERIFY(allReady("eof", 1));

        // Three requests in one write, a small body among them: each answered, in order,
        // on the one connection; the HEAD's answer (the demo worker's 405) has its length
        // and no body.
        const std::string got =
            talk(26390, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"
                        "helloGET / HTTP/1.1\r\nHost: x\r\n\r\n"
                        "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        std::vector<std::size_t> at;
        for (std::size_t i = got.find("HTTP/1.1 "); i != std::string::npos;
             i = got.find("HTTP/1.1 ", i + 1))
            at.push_back(i);
        QVERIFY2(at.size() == 3, got.c_str());
        QVERIFY2(got.find("received 5 bytes") < at[1], got.c_str());
        QVERIFY2(got.find("\r\n\r\nok") > at[1] && got.find("\r\n\r\nok") < at[2], got.c_str());
        const std::string head = got.substr(at[2]);
        QVERIFY2(head.find("Content-Length:") != std::string::npos, head.c_str());
        QVERIFY2(head.size() == head.find("\r\n\r\n") + 4, head.c_str()); // no body

        // An answer that ends when the worker closes: whole, and the client's connection
        // ends with it.
        Answer a = get(26391, "/");
        QVERIFY2(a.status == 200, (a.error + a.body).c_str());
        QCOMPARE(a.body, std::string("until the worker closes"));
        QCOMPARE(a.header("x-drover-worker"), std::string("eof-0"));
        QCOMPARE(a.header("connection"), std::string("close"));
    }

    void expectContinueIsAnsweredAndEarlyHintsPassed()
    {
        // A worker that sends 103 Early Hints before every answer, and 100 Continue when it
        // is asked for one, and answers with what it saw.
        const std::string script = m_dir->path().toStdString() + "/interim.py";
        {
            std::ofstream out(script);
            out << "import socket, sys\n"
                   "def answer(c):\n"
                   "    data = b''\n"
                   "    while b'\\r\\n\\r\\n' not in data:\n"
                   "        more = c.recv(65536)\n"
                   "        if not more:\n"
                   "            return  # a readiness check, which sends nothing\n"
                   "        data += more\n"
                   "    head, body = data.split(b'\\r\\n\\r\\n', 1)\n"
                   "    expect = b'expect:' in head.lower()\n"
                   "    c.sendall(b'HTTP/1.1 103 Early Hints\\r\\nLink: </a.css>\\r\\n\\r\\n')\n"
                   "    if expect:\n"
                   "        c.sendall(b'HTTP/1.1 100 Continue\\r\\n\\r\\n')\n"
                   "    n = 0\n"
                   "    for line in head.split(b'\\r\\n'):\n"
                   "        if line.lower().startswith(b'content-length:'):\n"
                   "            n = int(line.split(b':')[1])\n"
                   "    while len(body) < n:\n"
                   "        body += c.recv(65536)\n"
                   "    seen = b'seen' if expect else b'not seen'\n"
                   "    text = b'%d bytes, expect %s' % (len(body), seen)\n"
                   "    c.sendall(b'HTTP/1.1 200 OK\\r\\nContent-Length: %d\\r\\n"
                   "Connection: close\\r\\n\\r\\n' % len(text) + text)\n"
                   "s = socket.socket()\n"
                   "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                   "s.bind(('127.0.0.1', int(sys.argv[1])))\n"
                   "s.listen(16)\n"
                   "while True:\n"
                   "    c, _ = s.accept()\n"
                   "    try:\n"
                   "        answer(c)\n"
                   "    except OSError:\n"
                   "        pass\n"
                   "    c.close()\n";
        }
        start("pools:\n  - name: hints\n    command: [\"python3\", \"" + script +
              "\", \"{{port}}\"]\n    replicas: 1\n    ports: 26960-26969\n    probes:\n"
              "      readiness: {tcp: {port: \"{{port}}\"}, interval: 100ms}\n    gateway:\n"
              "      listen: 127.0.0.1:26970\n");
        QVERIFY(allReady("hints", 1));

        // The client sends its header, waits for 100 Continue (from the gateway), then its
        // body: the one answer it gets after that is the worker's last.
        auto raw = std::async(std::launch::async, []() -> std::string {
            asio::io_context io;
            tcp::socket s(io);
            s.connect(tcp::endpoint(asio::ip::address_v4::loopback(), 26970));
            asio::write(
                s, asio::buffer(std::string("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                                            "Expect: 100-continue\r\nConnection: close\r\n\r\n")));
            std::string got;
            std::array<char, 4096> buf;
            boost::system::error_code ec;
            while (!ec && got.find("\r\n\r\n") == std::string::npos)
                got.append(buf.data(), s.read_some(asio::buffer(buf), ec));
            if (got.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0) != 0)
                return "no 100 Continue first: " + got;
            asio::write(s, asio::buffer(std::string("hello")));
            while (!ec)
                got.append(buf.data(), s.read_some(asio::buffer(buf), ec));
            return got;
        });
        runUntil([&] { return raw.wait_for(0s) == std::future_status::ready; }, 20000);
        const std::string got = raw.get();
        // The gateway's 100 Continue, the worker's Early Hints passed on, its answer.
        QVERIFY2(got.rfind("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
                           "Link: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\n",
                           0) == 0,
                 got.c_str());
        QVERIFY2(got.find("\r\n\r\n5 bytes, expect not seen") != std::string::npos, got.c_str());

        // Without Expect: the Early Hints, then the answer.
        Answer a = get(26970, "/");
        QVERIFY2(a.status == 200, (a.error + a.body).c_str());
        QCOMPARE(a.interim, 1);
        QCOMPARE(a.body, std::string("0 bytes, expect not seen"));
        QCOMPARE(a.header("x-drover-worker"), std::string("hints-0"));

        // An HTTP/1.0 client knows no interim answers: it gets the answer alone.
        const std::string plain = talk(26970, "GET / HTTP/1.0\r\nHost: x\r\n\r\n");
        QVERIFY2(plain.rfind("HTTP/1.1 200 OK\r\n", 0) == 0, plain.c_str());
        QVERIFY2(plain.find("103") == std::string::npos, plain.c_str());
    }

    void fullQueueAndQueueTimeoutAnswer503()
    {
        start(pool("q", 26400, 26450,
                   "      per_worker_concurrency: 1\n      queue: {max: 2, timeout: 1500ms}\n",
                   "replicas: 1"));
        QVERIFY(allReady("q", 1));
        auto first = launch(1, 26450, "/work?ms=3000");
        QVERIFY(runUntil([&] { return traffic("q")["inflight"].get<int>() == 1; }, 5000));
        auto waiting = launch(2, 26450, "/work?ms=10");
        QVERIFY(runUntil([&] { return traffic("q")["queued"].get<int>() == 2; }, 5000));
        Answer full = get(26450, "/");
        QCOMPARE(full.status, 503);
        QCOMPARE(full.header("retry-after"), std::string("1"));
        QVERIFY2(full.body.find("queue of pool q is full") != std::string::npos, full.body.c_str());
        const auto timedOut = collect(waiting);
        for (const Answer &a : timedOut) {
            QCOMPARE(a.status, 503);
            QVERIFY(!a.header("retry-after").empty());
            QVERIFY2(a.ms >= 1400, std::to_string(a.ms).c_str());
        }
        QCOMPARE(collect(first).front().status, 200);
        const json t = traffic("q");
        QCOMPARE(t["status"]["503"].get<int>(), 3);
        std::set<std::string> outcomes;
        for (const json &d : t["recent"])
            outcomes.insert(d["outcome"].get<std::string>());
        QVERIFY(outcomes.count("queue-full") && outcomes.count("queue-timeout"));
    }

    void queuedRequestsGoToTheNextFreeWorker()
    {
        start(pool("qn", 26500, 26550,
                   "      per_worker_concurrency: 1\n      queue: {max: 10, timeout: 5s}\n",
                   "replicas: 2"));
        QVERIFY(allReady("qn", 2));
        auto batch = launch(6, 26550, "/work?ms=200");
        const auto answers = collect(batch);
        for (const Answer &a : answers)
            QCOMPARE(a.status, 200);
        const json t = traffic("qn");
        QVERIFY(t["queue_wait_ms"]["p99"].get<double>() >= 150);
    }

    void requestTimeoutAnswers504()
    {
        start(pool("to", 26600, 26650, "      request_timeout: 300ms\n", "replicas: 1"));
        QVERIFY(allReady("to", 1));
        Answer a = get(26650, "/work?ms=3000");
        QCOMPARE(a.status, 504);
        QVERIFY(a.ms < 2000);
        QCOMPARE(traffic("to")["status"]["504"].get<int>(), 1);
    }

    void connectErrorsAreRetriedAndTheBreakerEjects()
    {
        // Worker 0 runs but does not listen: every try on it is a connect error.
        start("pools:\n  - name: br\n    command: [\"sh\", \"-c\", \"if [ {{index}} = 0 ]; then "
              "exec sleep 1000; else exec ${BIN}/drover-demo-worker --port {{port}} --quiet; "
              "fi\"]\n    replicas: 2\n    ports: 26700-26709\n    gateway:\n      listen: "
              "127.0.0.1:26750\n      strategy: round-robin\n      retry: {attempts: 2, on: "
              "[connect-error]}\n      circuit_breaker: {consecutive_failures: 2, open_for: "
              "2s}\n");
        QVERIFY(allReady("br", 2));
        // No readiness probe here (worker 0 would never pass it): wait until the demo
        // worker listens. The ten requests then come well within open_for.
        const std::optional<int> port = m_rec->workers.at("br-1").port;
        QVERIFY(port);
        QVERIFY(runUntil([&] { return accepts(*port); }, 10000));
        std::vector<Answer> answers;
        for (int i = 0; i < 10; ++i)
            answers.push_back(get(26750, "/"));
        for (const Answer &a : answers) {
            QCOMPARE(a.status, 200);
            QCOMPARE(a.header("x-drover-worker"), std::string("br-1"));
        }
        json t = traffic("br");
        QVERIFY(t["retries"].get<int>() >= 2);
        QVERIFY2(t["ejections"].get<int>() == 1, t.dump().c_str());
        json zero;
        for (const json &w : t["workers"])
            if (w["worker"] == "br-0")
                zero = w;
        QCOMPARE(zero["breaker"].get<std::string>(), std::string("open"));
        // Once open_for passed, one trial goes to it (fails, is retried) and it opens again;
        // round-robin sends one of the next two requests to it.
        pause(2100);
        QCOMPARE(get(26750, "/").status, 200);
        QCOMPARE(get(26750, "/").status, 200);
        t = traffic("br");
        QCOMPARE(t["ejections"].get<int>(), 2);
    }

    void workerErrorsAreRetriedOnce()
    {
        // Worker 0 answers 500 at /, worker 1 200: every GET of / is answered by worker 1,
        // some after a retry.
        start("pools:\n  - name: r5\n    command: [\"sh\", \"-c\", \"if [ {{index}} = 0 ]; then "
              "exec ${BIN}/drover-demo-worker --port {{port}} --quiet --root-status 500; else "
              "exec ${BIN}/drover-demo-worker --port {{port}} --quiet; fi\"]\n    replicas: 2\n"
              "    ports: 25900-25909\n    probes:\n      readiness: {http: {url: "
              "\"http://127.0.0.1:{{port}}/ready\"}, interval: 100ms}\n    gateway:\n"
              "      listen: 127.0.0.1:25950\n      strategy: round-robin\n"
              "      retry: {attempts: 1, on: [5xx]}\n");
        QVERIFY(allReady("r5", 2));
        for (int i = 0; i < 6; ++i) {
            const Answer a = get(25950, "/");
            QVERIFY2(a.status == 200, (a.error + a.body).c_str());
            QCOMPARE(a.header("x-drover-worker"), std::string("r5-1"));
        }
        json t = traffic("r5");
        const int retried = t["retries"].get<int>();
        QVERIFY2(retried >= 2, t.dump().c_str());
        QCOMPARE(t["status"]["5xx"].get<int>(), 0);
        // Both workers fail: after the one retry the client gets the last worker's own
        // answer, not one of the gateway's.
        const Answer a = get(25950, "/status?code=503");
        QCOMPARE(a.status, 503);
        QCOMPARE(a.body, std::string("status 503\n"));
        t = traffic("r5");
        QCOMPARE(t["retries"].get<int>(), retried + 1);
        QCOMPARE(t["status"]["5xx"].get<int>(), 1);
    }

    void rateLimitAnswers429()
    {
        start(pool("rl", 26800, 26850, "      rate_limit: {rps: 2, burst: 3}\n", "replicas: 1"));
        QVERIFY(allReady("rl", 1));
        int ok = 0, limited = 0;
        std::string retryAfter;
        const auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < 10; ++i) {
            Answer a = get(26850, "/");
            ok += a.status == 200;
            if (a.status == 429) {
                ++limited;
                retryAfter = a.header("retry-after");
            }
        }
        // The burst, and two more tokens a second for as long as the requests took.
        const double took =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const std::string why = std::to_string(ok) + " in " + std::to_string(took) + " s";
        QVERIFY2(ok >= 3 && ok <= 3 + int(2 * took) + 1, why.c_str());
        QCOMPARE(ok + limited, 10);
        QVERIFY(!retryAfter.empty());
        QCOMPARE(traffic("rl")["status"]["429"].get<int>(), limited);
    }

    void streamingBodiesPassThrough()
    {
        start(pool("st", 26900, 26950, "", "replicas: 1"));
        QVERIFY(allReady("st", 1));
        // The response: its first piece reaches the client long before the last is made.
        auto reader = std::async(std::launch::async, [] {
            asio::io_context io;
            tcp::socket s(io);
            s.connect(tcp::endpoint(asio::ip::address_v4::loopback(), 26950));
            const std::string req =
                "GET /stream?chunks=4&ms=800 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
            asio::write(s, asio::buffer(req));
            const auto t0 = std::chrono::steady_clock::now();
            std::string got;
            double firstMs = -1;
            std::array<char, 4096> buf;
            boost::system::error_code ec;
            for (;;) {
                const std::size_t n = s.read_some(asio::buffer(buf), ec);
                got.append(buf.data(), n);
                if (firstMs < 0 && got.find("chunk 1 of 4") != std::string::npos)
                    firstMs = std::chrono::duration<double, std::milli>(
                                  std::chrono::steady_clock::now() - t0)
                                  .count();
                if (ec)
                    break;
            }
            return std::make_pair(firstMs, got);
        });
        runUntil([&] { return reader.wait_for(0s) == std::future_status::ready; }, 20000);
        auto [firstMs, got] = reader.get();
        // (Buffered whole, it would come after 2.4 s.)
        QVERIFY2(firstMs >= 0 && firstMs < 1200, std::to_string(firstMs).c_str());
        QVERIFY(got.find("chunk 4 of 4") != std::string::npos);
        QVERIFY(got.find("Transfer-Encoding: chunked") != std::string::npos);

        // A request body larger than the gateway keeps whole, chunked: streamed to the worker.
        std::string big(3 << 20, 'x');
        auto upload = std::async(std::launch::async, fetch, 26950, "/echo", http::verb::post,
                                 std::map<std::string, std::string>{}, big, true);
        runUntil([&] { return upload.wait_for(0s) == std::future_status::ready; }, 20000);
        Answer a = upload.get();
        QVERIFY2(a.status == 200, (a.body + a.error).c_str());
        QCOMPARE(a.body, "received " + std::to_string(3 << 20) + " bytes\n");
    }

    void webSocketsAreTunnelled()
    {
        start(pool("ws", 27000, 27050, "", "replicas: 1"));
        QVERIFY(allReady("ws", 1));
        auto client = std::async(std::launch::async, []() -> std::string {
            try {
                asio::io_context io;
                beast::websocket::stream<tcp::socket> ws(io);
                ws.next_layer().connect(
                    tcp::endpoint(asio::ip::address_v4::loopback(), std::uint16_t(27050)));
                beast::websocket::response_type res;
                ws.handshake(res, "127.0.0.1", "/ws");
                std::string worker(res["X-Drover-Worker"]);
                std::string echoed;
                for (const char *msg : {"hello", "again"}) {
                    ws.write(asio::buffer(std::string(msg)));
                    beast::flat_buffer b;
                    ws.read(b);
                    echoed += beast::buffers_to_string(b.data()) + ";";
                }
                ws.close(beast::websocket::close_code::normal);
                return worker + "|" + echoed;
            } catch (const std::exception &e) {
                return std::string("error: ") + e.what();
            }
        });
        runUntil([&] { return client.wait_for(0s) == std::future_status::ready; }, 20000);
        QCOMPARE(client.get(), std::string("ws-0|hello;again;"));
        QVERIFY(runUntil([&] { return traffic("ws")["tunnels"].get<int>() == 0; }, 5000));
        QCOMPARE(traffic("ws")["inflight"].get<int>(), 0);
    }

    void leasesWaitExpireAndRelease()
    {
        start("pools:\n  - name: ls\n    command: [\"${BIN}/drover-demo-worker\", \"--port\", "
              "\"{{port}}\", \"--quiet\"]\n    replicas: 2\n    ports: 27400-27409\n");
        QVERIFY(allReady("ls", 2));
        json a = call("pool.acquire", {{"pool", "ls"}});
        json b = call("pool.acquire", {{"pool", "ls"}, {"ttl_ms", 1500}});
        QVERIFY(a.is_object() && b.is_object());
        QVERIFY(a["worker"] != b["worker"]);
        QVERIFY(a["endpoint"].get<std::string>().starts_with("127.0.0.1:2740"));
        api::Error err;
        QVERIFY(call("pool.acquire", {{"pool", "ls"}, {"wait_ms", 100}}, &err).is_null());
        QCOMPARE(int(err.code), int(api::ErrorCode::Unavailable));
        // b's TTL runs out: its worker is taken back and given to the next one waiting.
        json c = call("pool.acquire", {{"pool", "ls"}, {"wait_ms", 3000}});
        QVERIFY(c["worker"] == b["worker"]);
        json t = traffic("ls");
        QCOMPARE(t["leases_expired"].get<int>(), 1);
        QCOMPARE(t["leases"].size(), std::size_t(2));
        QVERIFY(call("pool.release", {{"pool", "ls"}, {"lease", a["lease"]}}).is_object());
        QVERIFY(call("pool.release", {{"pool", "ls"}, {"lease", a["lease"]}}, &err).is_null());
        QCOMPARE(int(err.code), int(api::ErrorCode::NotFound));
        QCOMPARE(traffic("ls")["leases"].size(), std::size_t(1));
    }

    void aStoppedWorkerFinishesItsRequestsFirst()
    {
        start(pool("dr", 27500, 27550,
                   "      drain_timeout: 5s\n      queue: {max: 5, timeout: 300ms}\n",
                   "replicas: 1"));
        QVERIFY(allReady("dr", 1));
        auto inflight = launch(1, 27550, "/work?ms=1200");
        QVERIFY(runUntil([&] { return traffic("dr")["inflight"].get<int>() == 1; }, 5000));
        QVERIFY(call("pool.scale", {{"pool", "dr"}, {"replicas", 0}}).is_object());
        pause(200);
        // Still running while it drains; no new request reaches it.
        QVERIFY(m_rec->workers.count("dr-0"));
        QVERIFY(m_rec->state("dr-0") != WorkerState::Stopping);
        Answer refused = get(27550, "/");
        QCOMPARE(refused.status, 503);
        const Answer done = collect(inflight).front();
        QCOMPARE(done.status, 200);
        QVERIFY(runUntil([&] { return !m_rec->workers.count("dr-0"); }, 10000));
        bool drained = false;
        for (const api::Event &e : m_rec->events)
            drained |= e.kind == "worker.draining" && e.subject == "dr-0";
        QVERIFY(drained);
    }

    void removingAPoolDrainsItsWorkers()
    {
        const std::string other = "  - name: other\n    command: [\"sleep\", \"1000\"]\n";
        start(pool("rm", 27600, 27650, "      drain_timeout: 5s\n", "replicas: 1") + other);
        QVERIFY(allReady("rm", 1));
        auto inflight = launch(1, 27650, "/work?ms=1500");
        QVERIFY(runUntil([&] { return traffic("rm")["inflight"].get<int>() == 1; }, 5000));
        auto next = load("pools:\n" + other);
        QVERIFY(next);
        m_engine->reload(next);
        pause(300);
        // The gateway is closed, but the worker still runs while its request is in flight.
        QVERIFY(m_rec->workers.count("rm-0"));
        QVERIFY(m_rec->state("rm-0") != WorkerState::Stopping);
        QCOMPARE(collect(inflight).front().status, 200);
        QVERIFY(runUntil([&] { return !m_rec->workers.count("rm-0"); }, 10000));
    }
};

QTEST_GUILESS_MAIN(TestGateway)
#include "tst_gateway.moc"
