// etcd's v3 JSON gateway over Beast: the one file of the fleet with Beast's HTTP and TLS.
// clang-format off
// Boost 1.74's Asio uses std::exchange without including <utility> (g++ 12, C++20): keep it first.
#include <utility>
// clang-format on

#include "fleet/etcd.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/evp.h>

#include <map>
#include <set>

namespace drover::fleet {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using asio::awaitable;
using boost::system::error_code;
using nlohmann::json;
using tcp = asio::ip::tcp;

namespace {

auto ecToken(error_code &ec)
{
    return asio::redirect_error(asio::use_awaitable, ec);
}

/// An HTTP answer that is etcd's error, as our error.
api::Error etcdError(const json &j, unsigned status)
{
    std::string message =
        j.is_object() ? j.value("message", j.value("error", std::string())) : std::string();
    const int code = j.is_object() && j.contains("code") && j["code"].is_number_integer()
                         ? j["code"].get<int>()
                         : -1;
    if (message.empty())
        message = "HTTP " + std::to_string(status);
    // gRPC's NotFound (5): a lease that expired or was revoked.
    return api::Error{
        code == 5 ? api::ErrorCode::NotFound : api::ErrorCode::Internal, "etcd: " + message, {}};
}

} // namespace

struct EtcdClient::Core : std::enable_shared_from_this<Core>
{
    Core(asio::io_context &io, EtcdOptions options)
        : io(io)
        , options(std::move(options))
    {}

    asio::io_context &io;
    EtcdOptions options;
    std::unique_ptr<ssl::context> tls;
    std::string tlsError; ///< why TLS cannot be used (a certificate file that cannot be read)
    std::size_t preferred = 0;
    bool closed = false;
    std::uint64_t nextId = 0;
    /// Every call and stream going: how to cut it short.
    std::map<std::uint64_t, std::function<void()>> active;
    std::set<std::uint64_t> cancelled; ///< streams cancelled: no more callbacks

    void makeTls()
    {
        const bool https = std::any_of(options.endpoints.begin(), options.endpoints.end(),
                                       [](const config::EtcdEndpoint &e) { return e.https; });
        if (!https)
            return;
        tls = std::make_unique<ssl::context>(ssl::context::tls_client);
        tls->set_verify_mode(ssl::verify_peer);
        error_code ec;
        const config::EtcdTlsSpec spec = options.tls.value_or(config::EtcdTlsSpec{});
        if (spec.ca.empty())
            tls->set_default_verify_paths(ec);
        else
            tls->load_verify_file(spec.ca, ec);
        if (ec) {
            tlsError = "cannot read the CA " + spec.ca + ": " + ec.message();
            return;
        }
        if (!spec.cert.empty()) {
            tls->use_certificate_chain_file(spec.cert, ec);
            if (ec) {
                tlsError = "cannot read the certificate " + spec.cert + ": " + ec.message();
                return;
            }
            tls->use_private_key_file(spec.key, ssl::context::pem, ec);
            if (ec)
                tlsError = "cannot read the key " + spec.key + ": " + ec.message();
        }
    }

    http::request<http::string_body> request(const config::EtcdEndpoint &e, const std::string &path,
                                             const std::string &body)
    {
        http::request<http::string_body> req{http::verb::post, path, 11};
        const bool v6 = e.host.find(':') != std::string::npos;
        req.set(http::field::host,
                (v6 ? "[" + e.host + "]" : e.host) + ":" + std::to_string(e.port));
        req.set(http::field::content_type, "application/json");
        req.set(http::field::user_agent, "droverd");
        req.body() = body;
        req.prepare_payload();
        return req;
    }

    /// Connects `stream`'s TCP layer to `e` within the timeout.
    awaitable<error_code> connect(beast::tcp_stream &stream, const config::EtcdEndpoint &e)
    {
        error_code ec;
        tcp::resolver resolver(io);
        auto found = co_await resolver.async_resolve(e.host, std::to_string(e.port), ecToken(ec));
        if (ec)
            co_return ec;
        stream.expires_after(options.timeout);
        co_await stream.async_connect(found, ecToken(ec));
        co_return ec;
    }

    /// One exchange on a connected stream (plain or TLS). With `each`, a 200 answer is read
    /// as newline-separated JSON messages, each given to `each` as it comes; else the whole
    /// answer is returned.
    template <class Stream>
    awaitable<api::Result<json>>
    exchange(std::uint64_t id, Stream &stream, const config::EtcdEndpoint &e,
             const std::string &path, const std::string &body, const Message *each, bool &reached)
    {
        error_code ec;
        auto req = request(e, path, body);
        co_await http::async_write(stream, req, ecToken(ec));
        if (ec)
            co_return unreachable(e, ec);
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(64u << 20);
        co_await http::async_read_header(stream, buffer, parser, ecToken(ec));
        if (ec)
            co_return unreachable(e, ec);
        reached = true;
        const unsigned status = parser.get().result_int();
        if (status == 200 && each) {
            beast::get_lowest_layer(stream).expires_never();
            std::string line;
            std::optional<api::Error> bad;
            auto self = shared_from_this();
            // Beast keeps a reference to the callback: it lives here, beside the parser.
            auto onChunk = [&line, &bad, each, self, id](std::uint64_t, beast::string_view data,
                                                         error_code &) -> std::size_t {
                line.append(data.data(), data.size());
                for (auto nl = line.find('\n'); nl != std::string::npos; nl = line.find('\n')) {
                    json j = json::parse(line.substr(0, nl), nullptr, false);
                    line.erase(0, nl + 1);
                    if (self->closed || self->cancelled.count(id))
                        continue;
                    if (j.is_object() && j.contains("result"))
                        (*each)(j["result"]);
                    else if (j.is_object() && j.contains("error"))
                        bad = etcdError(j["error"], 200);
                }
                return data.size();
            };
            parser.on_chunk_body(onChunk);
            co_await http::async_read(stream, buffer, parser, ecToken(ec));
            if (bad)
                co_return *bad;
            co_return api::Error{api::ErrorCode::Unavailable,
                                 "etcd " + e.toString() + " ended the stream" +
                                     (ec ? ": " + ec.message() : std::string()),
                                 {}};
        }
        co_await http::async_read(stream, buffer, parser, ecToken(ec));
        if (ec)
            co_return unreachable(e, ec);
        json j = json::parse(parser.get().body(), nullptr, false);
        if (status != 200 || (j.is_object() && j.contains("error")))
            co_return etcdError(
                j.is_object() && j.contains("error") && j["error"].is_object() ? j["error"] : j,
                status);
        if (j.is_object() && j.contains("result")) // a stream's single answer (lease keepalive)
            co_return j["result"];
        if (!j.is_object())
            co_return api::Error{api::ErrorCode::Internal,
                                 "etcd " + e.toString() + " answered with something not JSON",
                                 {}};
        co_return j;
    }

    static api::Error unreachable(const config::EtcdEndpoint &e, const error_code &ec)
    {
        const bool timedOut = ec == beast::error::timeout;
        return api::Error{api::ErrorCode::Unavailable,
                          e.toString() + ": " + (timedOut ? "no answer in time" : ec.message()),
                          {}};
    }

    /// One call or stream on one endpoint; `reached`: the endpoint answered (no other is
    /// tried then).
    awaitable<api::Result<json>> attempt(std::uint64_t id, const config::EtcdEndpoint &e,
                                         const std::string &path, const std::string &body,
                                         const Message *each, bool &reached)
    {
        if (e.https && !tlsError.empty())
            co_return api::Error{api::ErrorCode::Unavailable, e.toString() + ": " + tlsError, {}};
        if (!e.https) {
            beast::tcp_stream stream(io);
            active[id] = [&stream] {
                error_code ignored;
                stream.socket().close(ignored);
            };
            error_code ec = co_await connect(stream, e);
            if (ec)
                co_return unreachable(e, ec);
            stream.expires_after(options.timeout);
            co_return co_await exchange(id, stream, e, path, body, each, reached);
        }
        beast::ssl_stream<beast::tcp_stream> stream(io, *tls);
        active[id] = [&stream] {
            error_code ignored;
            beast::get_lowest_layer(stream).socket().close(ignored);
        };
        error_code ec = co_await connect(beast::get_lowest_layer(stream), e);
        if (ec)
            co_return unreachable(e, ec);
        if (!SSL_set_tlsext_host_name(stream.native_handle(), e.host.c_str()))
            co_return api::Error{api::ErrorCode::Unavailable, e.toString() + ": bad host name", {}};
        stream.set_verify_callback(ssl::host_name_verification(e.host));
        beast::get_lowest_layer(stream).expires_after(options.timeout);
        co_await stream.async_handshake(ssl::stream_base::client, ecToken(ec));
        if (ec)
            co_return api::Error{
                api::ErrorCode::Unavailable, e.toString() + ": TLS: " + ec.message(), {}};
        auto result = co_await exchange(id, stream, e, path, body, each, reached);
        beast::get_lowest_layer(stream).expires_after(std::chrono::milliseconds(200));
        co_await stream.async_shutdown(ecToken(ec));
        co_return result;
    }

    /// Tries the endpoints from the preferred one on until one answers.
    awaitable<api::Result<json>> run(std::uint64_t id, std::string path, std::string body,
                                     const Message *each)
    {
        std::string reasons;
        const std::size_t n = options.endpoints.size();
        for (std::size_t i = 0; i < n && !closed && !cancelled.count(id); ++i) {
            const std::size_t at = (preferred + i) % n;
            bool reached = false;
            auto result = co_await attempt(id, options.endpoints[at], path, body, each, reached);
            active.erase(id);
            if (reached || result.ok()) {
                preferred = at;
                co_return result;
            }
            reasons += (reasons.empty() ? "" : "; ") + result.error().message;
        }
        co_return api::Error{
            api::ErrorCode::Unavailable, "no etcd endpoint answered (" + reasons + ")", {}};
    }
};

EtcdClient::EtcdClient(asio::io_context &io, EtcdOptions options)
    : d(std::make_shared<Core>(io, std::move(options)))
{
    d->makeTls();
}

EtcdClient::~EtcdClient()
{
    d->closed = true;
    auto active = std::move(d->active);
    for (auto &[id, close] : active)
        close();
}

void EtcdClient::call(const std::string &path, json body, Reply done)
{
    const std::uint64_t id = ++d->nextId;
    asio::co_spawn(
        d->io,
        [core = d, id, path, text = body.dump(), done = std::move(done)]() -> awaitable<void> {
            auto result = co_await core->run(id, path, text, nullptr);
            if (!core->closed)
                done(std::move(result));
        },
        asio::detached);
}

std::uint64_t EtcdClient::stream(const std::string &path, json body, Message each, Ended ended)
{
    const std::uint64_t id = ++d->nextId;
    asio::co_spawn(
        d->io,
        [core = d, id, path, text = body.dump(), each = std::move(each),
         ended = std::move(ended)]() -> awaitable<void> {
            auto result = co_await core->run(id, path, text, &each);
            if (core->cancelled.erase(id) || core->closed || !ended)
                co_return;
            ended(result.ok() ? api::Error{api::ErrorCode::Unavailable, "etcd ended the stream", {}}
                              : result.error());
        },
        asio::detached);
    return id;
}

void EtcdClient::cancel(std::uint64_t stream)
{
    d->cancelled.insert(stream);
    auto it = d->active.find(stream);
    if (it == d->active.end())
        return;
    auto close = std::move(it->second);
    d->active.erase(it);
    close();
}

std::string EtcdClient::endpoint() const
{
    if (d->options.endpoints.empty())
        return {};
    return d->options.endpoints[d->preferred % d->options.endpoints.size()].toString();
}

std::string EtcdClient::toBase64(std::string_view data)
{
    std::string out(4 * ((data.size() + 2) / 3), '\0');
    const int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                        reinterpret_cast<const unsigned char *>(data.data()), int(data.size()));
    out.resize(std::size_t(std::max(n, 0)));
    return out;
}

std::string EtcdClient::fromBase64(std::string_view text)
{
    if (text.empty() || text.size() % 4 != 0)
        return {};
    std::string out(3 * text.size() / 4, '\0');
    const int n =
        EVP_DecodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                        reinterpret_cast<const unsigned char *>(text.data()), int(text.size()));
    if (n < 0)
        return {};
    // EVP_DecodeBlock counts the padding's bytes too.
    std::size_t size = std::size_t(n);
    for (std::size_t i = text.size(); i > 0 && text[i - 1] == '=' && size > 0; --i)
        --size;
    out.resize(size);
    return out;
}

std::string EtcdClient::prefixEnd(std::string prefix)
{
    while (!prefix.empty()) {
        if (static_cast<unsigned char>(prefix.back()) < 0xff) {
            prefix.back() = char(static_cast<unsigned char>(prefix.back()) + 1);
            return prefix;
        }
        prefix.pop_back();
    }
    return std::string(1, '\0'); // every key
}

} // namespace drover::fleet
