// The http probe: the only file of the engine that includes Boost.Beast and asio::ssl
// (heavy headers; compile time matters on 2 cores).
// clang-format off
#include <utility> // before Asio (TOOLCHAIN.md)
// clang-format on
#include "engine/health/probe.h"
#include "engine/health/probeconnect.h"

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

bool staleConnectionError(const boost::system::error_code &ec)
{
    return ec == http::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::ssl::error::stream_truncated;
}

} // namespace

/// One connection to one endpoint and the check running on it. Between checks the
/// connection stays open when both sides keep it alive (`reuse_connection`), so that a check
/// is one request and one answer; it is made again when the worker closed it, after any
/// failure, and by the next process (a new HttpProbeConnection).
class HttpProbeConnection : public std::enable_shared_from_this<HttpProbeConnection>
{
public:
    explicit HttpProbeConnection(asio::io_context &io)
        : m_io(io)
        , m_socket(io)
        , m_timer(io)
        , m_resolver(io)
    {}

    void check(std::shared_ptr<const ProbeTarget> target, ProbeDone done)
    {
        ++m_check;
        m_target = std::move(target);
        m_done = std::move(done);
        m_finished = false;
        m_start = Clock::now();
        m_timer.expires_after(m_target->timeout);
        m_timer.async_wait(
            [self = shared_from_this(), id = m_check](const boost::system::error_code &ec) {
                if (ec || id != self->m_check || self->m_finished)
                    return;
                self->close();
                self->finish(false,
                             "timed out after " + config::formatDuration(self->m_target->timeout));
            });
        m_request = {};
        m_request.method_string(m_target->method);
        m_request.target(m_target->target);
        m_request.version(11);
        m_request.set(http::field::host, m_target->hostHeader);
        m_request.set(http::field::user_agent, "drover-probe");
        if (!m_target->reuseConnection)
            m_request.set(http::field::connection, "close");
        for (const auto &[name, value] : m_target->headers)
            m_request.set(name, value);
        if (m_socket.is_open()) {
            m_reused = true;
            exchange();
        } else {
            connect();
        }
    }

private:
    void connect()
    {
        m_reused = false;
        m_tls.reset();
        m_buffer.clear();
        connectProbe(m_socket, m_resolver, m_target->host, m_target->port,
                     [self = shared_from_this(), id = m_check](const boost::system::error_code &ec,
                                                               std::string problem) {
                         if (id != self->m_check || self->m_finished)
                             return;
                         if (ec)
                             return self->finish(false, std::move(problem));
                         self->connected();
                     });
    }

    void connected()
    {
        m_socket.set_option(asio::ip::tcp::no_delay(true));
        if (!m_target->https)
            return exchange();
        m_tls.emplace(m_socket, tlsContext());
        SSL_set_tlsext_host_name(m_tls->native_handle(), m_target->host.c_str());
        m_tls->async_handshake(
            asio::ssl::stream_base::client,
            [self = shared_from_this(), id = m_check](const boost::system::error_code &ec) {
                if (id != self->m_check || self->m_finished)
                    return;
                if (ec)
                    return self->fail(ec, "TLS handshake: ");
                self->exchange();
            });
    }

    void exchange()
    {
        m_parser.emplace();
        m_parser->body_limit(kBodyLimit);
        m_parser->skip(m_target->method == "HEAD");
        if (m_tls)
            exchange(*m_tls);
        else
            exchange(m_socket);
    }

    template <class Stream>
    void exchange(Stream &stream)
    {
        http::async_write(stream, m_request,
                          [self = shared_from_this(), id = m_check,
                           &stream](const boost::system::error_code &ec, std::size_t) {
                              if (id != self->m_check || self->m_finished)
                                  return;
                              if (ec)
                                  return self->fail(ec);
                              http::async_read(
                                  stream, self->m_buffer, *self->m_parser,
                                  [self, id](const boost::system::error_code &ec, std::size_t) {
                                      if (id == self->m_check && !self->m_finished)
                                          self->answered(ec);
                                  });
                          });
    }

    void answered(const boost::system::error_code &ec)
    {
        bool cut = ec == http::error::body_limit;
        if (ec && !(cut && m_parser->is_header_done()))
            return fail(ec);
        const auto &response = m_parser->get();
        int status = int(response.result_int());
        std::string message = std::to_string(status);
        if (!response.reason().empty())
            message += " " + std::string(response.reason());
        bool ok = status >= m_target->statusMin && status <= m_target->statusMax;
        if (!ok)
            message += " (expected " + std::to_string(m_target->statusMin) + "-" +
                       std::to_string(m_target->statusMax) + ")";
        std::string excerpt;
        if (!ok) {
            excerpt = response.body().substr(0, kExcerptBytes);
            if (cut)
                excerpt += "\n[body longer than 64 KiB: cut]";
        }
        if (cut || !response.keep_alive() || !m_target->reuseConnection)
            close();
        finish(ok, std::move(message), std::move(excerpt));
    }

    void fail(const boost::system::error_code &ec, const char *what = "")
    {
        bool parseError = ec.category() == make_error_code(http::error::bad_version).category();
        std::string excerpt; // what it said instead of HTTP, before the buffer goes
        if (parseError && m_buffer.size() > 0) {
            auto data = m_buffer.data();
            excerpt.assign(static_cast<const char *>(data.data()),
                           std::min(data.size(), kExcerptBytes));
        }
        close();
        // A kept connection the worker closed meanwhile (idle timeout, restart of its
        // listener): not the worker's failure; the check goes on, once, on a new connection.
        if (m_reused && staleConnectionError(ec))
            return connect();
        std::string message;
        if (staleConnectionError(ec))
            message = "connection closed before an answer";
        else if (parseError)
            message = "not an HTTP answer: " + ec.message();
        else
            message = connectProblem(ec);
        finish(false, what + message, std::move(excerpt));
    }

    void close()
    {
        boost::system::error_code ignored;
        m_resolver.cancel();
        m_socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        m_socket.close(ignored);
        m_tls.reset();
        m_buffer.clear();
    }

    void finish(bool ok, std::string message, std::string excerpt = {})
    {
        if (m_finished)
            return;
        m_finished = true;
        m_timer.cancel();
        ProbeOutcome out{ok,
                         std::chrono::duration<double, std::milli>(Clock::now() - m_start).count(),
                         std::move(message), std::move(excerpt)};
        asio::post(m_io, [done = std::move(m_done), out = std::move(out)]() mutable { done(out); });
    }

    asio::io_context &m_io;
    asio::ip::tcp::socket m_socket;
    std::optional<asio::ssl::stream<asio::ip::tcp::socket &>> m_tls;
    asio::steady_timer m_timer;
    asio::ip::tcp::resolver m_resolver;
    boost::beast::flat_buffer m_buffer;
    http::request<http::empty_body> m_request;
    std::optional<http::response_parser<http::string_body>> m_parser;
    std::shared_ptr<const ProbeTarget> m_target;
    ProbeDone m_done;
    Clock::time_point m_start;
    std::uint64_t m_check = 0; ///< the check running; handlers of earlier ones do nothing
    bool m_finished = true;
    bool m_reused = false;
};

std::shared_ptr<HttpProbeConnection> makeHttpProbeConnection(asio::io_context &io)
{
    return std::make_shared<HttpProbeConnection>(io);
}

void runHttpProbe(HttpProbeConnection &connection, std::shared_ptr<const ProbeTarget> target,
                  ProbeDone done)
{
    connection.check(std::move(target), std::move(done));
}

void runHttpProbe(asio::io_context &io, const ProbeTarget &target, ProbeDone done)
{
    // One check on its own connection, which lives until the check is done.
    auto connection = makeHttpProbeConnection(io);
    auto copy = std::make_shared<ProbeTarget>(target);
    copy->reuseConnection = false;
    connection->check(std::move(copy), [connection, done = std::move(done)](ProbeOutcome out) {
        done(std::move(out));
    });
}

} // namespace drover::engine
