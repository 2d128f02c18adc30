#pragma once
// Shared by the gateway's test programs (tst_gateway, tst_poolchanges): blocking HTTP clients
// for client threads, and an engine fixture whose helpers run the engine's loop on the test's
// thread while those clients wait for their answers.
// clang-format off
#include <utility> // before Asio: Boost 1.74 + g++ 12
// clang-format on

#include "enginefixture.h"

#include <QTest>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace drover::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

struct Answer
{
    int status = 0;
    std::map<std::string, std::string> headers; ///< lower-case names
    std::string body;
    std::string error; ///< a socket error instead of an answer
    double ms = 0;     ///< from the request's write to the whole answer read
    int interim = 0;   ///< interim answers (1xx) before it

    std::string header(const std::string &name) const
    {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

/// One HTTP/1.1 request on a new connection (blocking; called on a client thread).
inline Answer fetch(int port, const std::string &target, http::verb method = http::verb::get,
                    std::map<std::string, std::string> fields = {}, std::string body = {},
                    bool chunkedBody = false)
{
    Answer a;
    const auto t0 = std::chrono::steady_clock::now();
    try {
        asio::io_context io;
        beast::tcp_stream stream(io);
        stream.expires_after(30s);
        stream.connect(tcp::endpoint(asio::ip::address_v4::loopback(), std::uint16_t(port)));
        http::request<http::string_body> req{method, target, 11};
        req.set(http::field::host, "127.0.0.1");
        for (const auto &[k, v] : fields)
            req.set(k, v);
        req.body() = std::move(body);
        if (chunkedBody)
            req.chunked(true);
        else if (method != http::verb::get || !req.body().empty())
            req.prepare_payload();
        http::write(stream, req);
        beast::flat_buffer buffer;
        // As a browser does: an interim answer (103 Early Hints) is counted, the one after it
        // is the answer.
        std::optional<http::response_parser<http::string_body>> parser;
        for (;;) {
            parser.emplace();
            parser->body_limit(64 << 20);
            http::read(stream, buffer, *parser);
            if (parser->get().result_int() / 100 != 1)
                break;
            ++a.interim;
        }
        const auto &res = parser->get();
        a.status = int(res.result_int());
        for (const auto &f : res) {
            std::string name(f.name_string());
            std::transform(name.begin(), name.end(), name.begin(), ::tolower);
            a.headers[name] = std::string(f.value());
        }
        a.body = res.body();
    } catch (const std::exception &e) {
        a.error = e.what();
    }
    a.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    return a;
}

/// The worker each line of an `X-Drover-Worker` header named, counted.
inline std::map<std::string, int> byWorker(const std::vector<Answer> &answers)
{
    std::map<std::string, int> n;
    for (const Answer &a : answers)
        ++n[a.header("x-drover-worker")];
    return n;
}

/// Writes `bytes` on a new connection and reads until the other side closes it (blocking;
/// called on a client thread).
inline std::string exchange(int port, const std::string &bytes)
{
    asio::io_context io;
    tcp::socket s(io);
    s.connect(tcp::endpoint(asio::ip::address_v4::loopback(), std::uint16_t(port)));
    asio::write(s, asio::buffer(bytes));
    std::string got;
    std::array<char, 4096> buf;
    boost::system::error_code ec;
    while (!ec)
        got.append(buf.data(), s.read_some(asio::buffer(buf), ec));
    return got;
}

/// Whether something accepts connections on 127.0.0.1:`port`.
inline bool accepts(int port)
{
    asio::io_context io;
    tcp::socket s(io);
    boost::system::error_code ec;
    s.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port), ec);
    return !ec;
}

/// The engine fixture with a client's helpers: each blocking call runs on its own thread while
/// the engine's loop runs here.
class GatewayFixture : public EngineFixture
{
protected:
    /// Runs fetch() on a client thread while the engine's loop runs here.
    Answer get(int port, const std::string &target, std::map<std::string, std::string> f = {})
    {
        auto future = std::async(std::launch::async, fetch, port, target, http::verb::get,
                                 std::move(f), std::string(), false);
        runUntil([&] { return future.wait_for(0s) == std::future_status::ready; }, 40000);
        return future.get();
    }

    /// exchange() on a client thread while the engine's loop runs here.
    std::string talk(int port, const std::string &bytes)
    {
        auto future = std::async(std::launch::async, exchange, port, bytes);
        runUntil([&] { return future.wait_for(0s) == std::future_status::ready; }, 20000);
        return future.get();
    }

    /// Starts `n` requests at once, each on its own thread.
    std::vector<std::future<Answer>> launch(int n, int port, const std::string &target)
    {
        std::vector<std::future<Answer>> out;
        for (int i = 0; i < n; ++i)
            out.push_back(std::async(std::launch::async, fetch, port, target, http::verb::get,
                                     std::map<std::string, std::string>{}, std::string(), false));
        return out;
    }

    std::vector<Answer> collect(std::vector<std::future<Answer>> &futures)
    {
        runUntil(
            [&] {
                return std::all_of(futures.begin(), futures.end(), [](auto &f) {
                    return f.wait_for(0s) == std::future_status::ready;
                });
            },
            40000);
        std::vector<Answer> out;
        for (auto &f : futures)
            out.push_back(f.get());
        return out;
    }

    bool allReady(const std::string &pool, int n)
    {
        return runUntil(
            [&] {
                int ready = 0;
                for (const auto &[id, w] : m_rec->workers)
                    ready += w.pool == pool && w.state == WorkerState::Ready;
                return ready == n;
            },
            15000);
    }

    /// Runs the loop for `ms`.
    void pause(int ms)
    {
        runUntil([] { return false; }, ms);
    }

    json traffic(const std::string &pool, int recent = 100)
    {
        return call("pool.traffic", {{"pool", pool}, {"recent", recent}});
    }

    /// A pool of demo workers behind a gateway on `gw`, workers on ports from `base`.
    static std::string pool(const std::string &name, int base, int gw, const std::string &more,
                            const std::string &sizing = "replicas: 3")
    {
        return "pools:\n  - name: " + name +
               "\n    command: [\"${BIN}/drover-demo-worker\", \"--port\", \"{{port}}\", "
               "\"--quiet\"]\n    " +
               sizing + "\n    ports: " + std::to_string(base) + "-" + std::to_string(base + 9) +
               "\n    stop: {timeout: 5s}\n    probes:\n      readiness: {http: {url: "
               "\"http://127.0.0.1:{{port}}/ready\"}, interval: 200ms}\n    gateway:\n      "
               "listen: 127.0.0.1:" +
               std::to_string(gw) + "\n" + more;
    }

    int countEvents(const std::string &kind, const std::string &subject) const
    {
        return int(
            std::count_if(m_rec->events.begin(), m_rec->events.end(), [&](const api::Event &e) {
                return e.kind == kind && e.subject == subject;
            }));
    }
};

} // namespace drover::test
