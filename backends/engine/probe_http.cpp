// The http probe: the only file of the engine that includes Boost.Beast and asio::ssl
// (heavy headers; compile time matters on 2 cores).
// clang-format off
#include <utility> // before Asio (TOOLCHAIN.md)
// clang-format on
#include "engine/probe.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <optional>

namespace drover::engine {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kBodyLimit = 64 * 1024;

/// TLS for https probes: the certificate is not verified (a probe asks "does it answer",
/// as Kubernetes' https probes do), so one client context serves every check.
asio::ssl::context &tlsContext()
{
    static asio::ssl::context ctx = [] {
        asio::ssl::context c(asio::ssl::context::tls_client);
        c.set_verify_mode(asio::ssl::verify_none);
        return c;
    }();
    return ctx;
}

struct HttpCheck : std::enable_shared_from_this<HttpCheck>
{
    HttpCheck(asio::io_context &io, const ProbeTarget &target, ProbeDone done)
        : io(io)
        , target(target)
        , socket(io)
        , timer(io)
        , resolver(io)
        , done(std::move(done))
    {}

    asio::io_context &io;
    const ProbeTarget target;
    asio::ip::tcp::socket socket;
    std::optional<asio::ssl::stream<asio::ip::tcp::socket &>> tls;
    asio::steady_timer timer;
    asio::ip::tcp::resolver resolver;
    ProbeDone done;
    Clock::time_point start = Clock::now();
    http::request<http::empty_body> request;
    http::response_parser<http::string_body> parser;
    boost::beast::flat_buffer buffer;
    bool finished = false;
    bool timedOut = false;

    void begin()
    {
        timer.expires_after(target.timeout);
        timer.async_wait([self = shared_from_this()](const boost::system::error_code &ec) {
            if (ec)
                return;
            self->timedOut = true;
            self->finish(false, "timed out after " + config::formatDuration(self->target.timeout));
        });
        request.method_string(target.method);
        request.target(target.target);
        request.version(11);
        request.set(http::field::host, target.hostHeader);
        request.set(http::field::user_agent, "drover-probe");
        request.set(http::field::connection, "close");
        for (const auto &[name, value] : target.headers)
            request.set(name, value);
        parser.body_limit(kBodyLimit);
        parser.skip(target.method == "HEAD");

        boost::system::error_code ec;
        auto address = asio::ip::make_address(target.host, ec);
        if (!ec) {
            socket.async_connect({address, target.port},
                                 [self = shared_from_this()](const boost::system::error_code &ec) {
                                     self->connected(ec);
                                 });
            return;
        }
        resolver.async_resolve(
            target.host, std::to_string(target.port),
            [self = shared_from_this()](const boost::system::error_code &ec,
                                        asio::ip::tcp::resolver::results_type results) {
                if (ec) {
                    self->finish(false, "cannot resolve: " + ec.message());
                    return;
                }
                asio::async_connect(
                    self->socket, results,
                    [self](const boost::system::error_code &ec, auto &&) { self->connected(ec); });
            });
    }

    void connected(const boost::system::error_code &ec)
    {
        if (ec)
            return fail(ec);
        socket.set_option(asio::ip::tcp::no_delay(true));
        if (!target.https)
            return exchange(socket);
        tls.emplace(socket, tlsContext());
        SSL_set_tlsext_host_name(tls->native_handle(), target.host.c_str());
        tls->async_handshake(asio::ssl::stream_base::client,
                             [self = shared_from_this()](const boost::system::error_code &ec) {
                                 if (ec)
                                     return self->fail(ec, "TLS handshake: ");
                                 self->exchange(*self->tls);
                             });
    }

    template <class Stream>
    void exchange(Stream &stream)
    {
        http::async_write(
            stream, request,
            [self = shared_from_this(), &stream](const boost::system::error_code &ec, std::size_t) {
                if (ec)
                    return self->fail(ec);
                http::async_read(stream, self->buffer, self->parser,
                                 [self](const boost::system::error_code &ec, std::size_t) {
                                     self->answered(ec);
                                 });
            });
    }

    void answered(const boost::system::error_code &ec)
    {
        bool cut = ec == http::error::body_limit;
        if (ec && !(cut && parser.is_header_done()))
            return fail(ec);
        const auto &response = parser.get();
        int status = int(response.result_int());
        std::string message = std::to_string(status);
        if (!response.reason().empty())
            message += " " + std::string(response.reason());
        bool ok = status >= target.statusMin && status <= target.statusMax;
        if (!ok)
            message += " (expected " + std::to_string(target.statusMin) + "-" +
                       std::to_string(target.statusMax) + ")";
        std::string excerpt;
        if (!ok) {
            const std::string &body = response.body();
            excerpt = body.substr(0, kExcerptBytes);
            if (cut)
                excerpt += "\n[body longer than 64 KiB: cut]";
        }
        finish(ok, std::move(message), std::move(excerpt));
    }

    void fail(const boost::system::error_code &ec, const char *what = "")
    {
        if (timedOut)
            return;
        bool parseError = ec.category() == make_error_code(http::error::bad_version).category();
        std::string message;
        if (ec == asio::error::connection_refused)
            message = "connection refused";
        else if (ec == http::error::end_of_stream || ec == asio::error::eof ||
                 ec == asio::ssl::error::stream_truncated)
            message = "connection closed before an answer";
        else if (parseError)
            message = "not an HTTP answer: " + ec.message();
        else
            message = ec.message();
        std::string excerpt;
        if (parseError && buffer.size() > 0) {
            auto data = buffer.data();
            excerpt.assign(static_cast<const char *>(data.data()),
                           std::min(data.size(), kExcerptBytes));
        }
        finish(false, what + message, std::move(excerpt));
    }

    void finish(bool ok, std::string message, std::string excerpt = {})
    {
        if (finished)
            return;
        finished = true;
        timer.cancel();
        resolver.cancel();
        boost::system::error_code ignored;
        socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
        ProbeOutcome out{ok,
                         std::chrono::duration<double, std::milli>(Clock::now() - start).count(),
                         std::move(message), std::move(excerpt)};
        asio::post(io, [done = std::move(done), out = std::move(out)]() mutable { done(out); });
    }
};

} // namespace

void runHttpProbe(asio::io_context &io, const ProbeTarget &target, ProbeDone done)
{
    std::make_shared<HttpCheck>(io, target, std::move(done))->begin();
}

} // namespace drover::engine
