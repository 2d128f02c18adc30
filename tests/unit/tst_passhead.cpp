// The gateway's parsers: a message's header written again for the other side as it is parsed,
// without the connection's own fields, with the gateway's; the body's bytes left to be passed
// on as they came.
#include "engine/serve/passhead.h"

#include <QTest>

#include <boost/asio/buffer.hpp>

using namespace drover::engine::serve;
namespace http = boost::beast::http;

namespace {

/// Feeds `bytes` to `p` as a socket's reads would (all at once); how many it consumed.
template <class P>
std::size_t feed(P &p, std::string_view bytes)
{
    std::size_t used = 0;
    while (used < bytes.size() && !p.is_done()) {
        boost::system::error_code ec;
        const std::size_t n =
            p.put(boost::asio::const_buffer(bytes.data() + used, bytes.size() - used), ec);
        if (ec)
            throw std::runtime_error(ec.message());
        if (n == 0)
            break;
        used += n;
    }
    return used;
}

} // namespace

class TestPassHead : public QObject
{
    Q_OBJECT

private slots:
    void requestKeepsItsFieldsAndLosesTheConnections()
    {
        std::string out;
        RequestHead p(out);
        const std::string raw = "GET /a?b=1 HTTP/1.1\r\n"
                                "Host: api.local\r\n"
                                "Connection: keep-alive, X-Secret\r\n"
                                "X-Secret: 42\r\n"
                                "Keep-Alive: timeout=5\r\n"
                                "TE: trailers\r\n"
                                "Accept: */*\r\n"
                                "x-request-id: abc-1\r\n"
                                "traceparent: tp\r\n"
                                "X-Forwarded-For: 10.0.0.1\r\n"
                                "X-Forwarded-For: 10.0.0.2\r\n"
                                "\r\n";
        QCOMPARE(feed(p, raw), raw.size());
        QVERIFY(p.is_done());
        QVERIFY(p.keep_alive());
        QVERIFY(!p.upgrade());
        QCOMPARE(p.method(), http::verb::get);
        QCOMPARE(p.target(), std::string("/a?b=1"));
        QCOMPARE(p.requestId(), std::string("abc-1"));
        QCOMPARE(p.traceparent(), std::string("tp"));
        QCOMPARE(p.forwardedFor(), std::string("10.0.0.1, 10.0.0.2"));
        p.finish("id-9", "00-trace", "127.0.0.1");
        QCOMPARE(out, std::string("GET /a?b=1 HTTP/1.1\r\n"
                                  "Host: api.local\r\n"
                                  "Accept: */*\r\n"
                                  "X-Request-Id: id-9\r\n"
                                  "traceparent: 00-trace\r\n"
                                  "X-Forwarded-For: 10.0.0.1, 10.0.0.2, 127.0.0.1\r\n"
                                  "\r\n"));
    }

    void http10RequestGoesAsHttp11AndIsNotKeptAlive()
    {
        std::string out;
        RequestHead p(out);
        feed(p, "GET / HTTP/1.0\r\n\r\n");
        QCOMPARE(p.version(), 10u);
        QVERIFY(!p.keep_alive());
        p.finish("id", "tp", "");
        QCOMPARE(out, std::string("GET / HTTP/1.1\r\nX-Request-Id: id\r\ntraceparent: tp\r\n\r\n"));
    }

    void expectContinueIsTheGatewaysToAnswer()
    {
        std::string out;
        RequestHead p(out);
        feed(p, "PUT /f HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n");
        QVERIFY(p.expectsContinue());
        QVERIFY(!p.is_done());
        p.finish("id", "tp", "");
        QCOMPARE(out, std::string("PUT /f HTTP/1.1\r\nContent-Length: 3\r\nX-Request-Id: id\r\n"
                                  "traceparent: tp\r\n\r\n"));
    }

    void upgradeNeedsBothFieldsAndKeepsThem()
    {
        {
            std::string out;
            RequestHead p(out);
            feed(p, "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    "Sec-WebSocket-Key: k\r\n\r\n");
            QVERIFY(p.upgrade());
            p.finish("id", "tp", "");
            QCOMPARE(out, std::string("GET /ws HTTP/1.1\r\nHost: x\r\nSec-WebSocket-Key: k\r\n"
                                      "X-Request-Id: id\r\ntraceparent: tp\r\n"
                                      "Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n"));
        }
        {
            // An Upgrade the Connection does not name is not one.
            std::string out;
            RequestHead p(out);
            feed(p, "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n");
            QVERIFY(!p.upgrade());
            p.finish("id", "tp", "");
            QVERIFY(out.find("Upgrade") == std::string::npos);
        }
    }

    void bodyBytesStayOutOfTheHeader()
    {
        // A sized body and a chunked one: the header ends where the body begins, and the
        // parser then consumes the body's bytes, framing and all, to its end.
        for (const std::string_view body : {"hello", "5\r\nhello\r\n0\r\n\r\n"}) {
            const bool chunked = body.size() > 5;
            std::string out;
            RequestHead p(out);
            const std::string header =
                std::string("POST /in HTTP/1.1\r\nHost: x\r\n") +
                (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: 5\r\n") + "\r\n";
            const std::string raw = header + std::string(body) + "GET /next HTTP/1.1\r\n\r\n";
            QCOMPARE(feed(p, raw.substr(0, header.size())), header.size());
            QVERIFY(p.is_header_done());
            QVERIFY(!p.is_done());
            QCOMPARE(p.chunked(), chunked);
            p.finish("id", "tp", "");
            const std::string head = out;
            QCOMPARE(feed(p, std::string_view(raw).substr(header.size())), body.size());
            QVERIFY(p.is_done());
            QCOMPARE(out, head);
        }
    }

    void responseLosesTheConnectionsAndGainsTheGateways()
    {
        const std::string raw = "HTTP/1.1 200 OK\r\nServer: w\r\nConnection: keep-alive\r\n"
                                "Keep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\nok";
        const std::string fields = "Server: w\r\nContent-Length: 2\r\n";
        const std::string ours = "X-Drover-Worker: web-1\r\nX-Request-Id: id\r\n\r\n";
        struct Case
        {
            bool keepAlive;
            unsigned clientVersion;
            std::string connection;
        };
        for (const Case &c : {Case{true, 11, ""}, Case{false, 11, "Connection: close\r\n"},
                              Case{true, 10, "Connection: keep-alive\r\n"}}) {
            std::string out, hop;
            ResponseHead p(out, hop);
            QCOMPARE(feed(p, raw), raw.size());
            QVERIFY(p.is_done());
            QVERIFY(p.keep_alive());
            QCOMPARE(p.status(), 200);
            p.finish("web-1", "id", c.keepAlive, c.clientVersion, false);
            QCOMPARE(out, "HTTP/1.1 200 OK\r\n" + fields + c.connection + ours);
        }
    }

    void responseWithoutReasonGetsTheStandardOne()
    {
        std::string out, hop;
        ResponseHead p(out, hop);
        feed(p, "HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n");
        p.finish("w", "id", true, 11, false);
        QVERIFY2(out.rfind("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n", 0) == 0, out.c_str());
    }

    void switchingProtocolsKeepsTheConnectionFields()
    {
        std::string out, hop;
        ResponseHead p(out, hop);
        feed(p, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Accept: a\r\n\r\n");
        QCOMPARE(p.status(), 101);
        p.finish("w", "id", true, 11, true);
        QCOMPARE(out, std::string("HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: a\r\n"
                                  "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                  "X-Drover-Worker: w\r\nX-Request-Id: id\r\n\r\n"));
    }

    void earlyHintsKeepTheirFieldsAndNotTheConnections()
    {
        std::string out, hop;
        ResponseHead p(out, hop);
        const std::string hints = "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n"
                                  "Connection: keep-alive, x-hint\r\nX-Hint: 1\r\n\r\n";
        QCOMPARE(feed(p, hints), hints.size()); // an interim answer has no body
        QVERIFY(p.is_done());
        QCOMPARE(p.status(), 103);
        p.finishInterim();
        QCOMPARE(out, std::string("HTTP/1.1 103 Early Hints\r\n"
                                  "Link: </a.css>; rel=preload\r\n\r\n"));
    }

    void trailersPassWithTheBodyNotIntoTheHeader()
    {
        std::string out, hop;
        ResponseHead p(out, hop);
        const std::string header = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        const std::string body = "2\r\nok\r\n0\r\nX-Checksum: 1\r\n\r\n";
        feed(p, header);
        p.finish("w", "id", true, 11, false);
        const std::string head = out;
        QCOMPARE(feed(p, body), body.size());
        QVERIFY(p.is_done());
        QCOMPARE(out, head);
        QVERIFY(out.find("Transfer-Encoding: chunked\r\n") != std::string::npos);
    }

    void fieldsTheConnectionNamesAreDroppedWhereverTheyStand()
    {
        std::string out, hop;
        ResponseHead p(out, hop);
        feed(p, "HTTP/1.1 204 No Content\r\nX-Before: 1\r\nServer: w\r\nConnection: x-before, "
                "X-After\r\nX-After: 2\r\n\r\n");
        p.finish("w", "id", true, 11, false);
        QCOMPARE(out, std::string("HTTP/1.1 204 No Content\r\nServer: w\r\n"
                                  "X-Drover-Worker: w\r\nX-Request-Id: id\r\n\r\n"));
    }
};

QTEST_GUILESS_MAIN(TestPassHead)
#include "tst_passhead.moc"
