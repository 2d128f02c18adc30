// The gRPC probe: grpc.health.v1.Health/Check over cleartext HTTP/2 (h2c with prior knowledge,
// as gRPC does), on one new TCP connection per check.
//
// Why nghttp2 and not grpc++: grpc++ runs its own completion-queue threads beside the engine's
// one Asio thread, and its generated code and headers cost a lot of compile time on our 2 cores.
// One unary call needs only HTTP/2 framing plus two tiny protobuf messages, which we encode by
// hand. nghttp2 (a well-kept library, the one curl uses) does the framing through its memory
// API: we feed it the bytes an Asio socket reads and write the bytes it wants sent, all on the
// engine's loop, with no thread and nothing blocking.
// clang-format off
#include <utility> // before Asio (TOOLCHAIN.md)
// clang-format on
#include "engine/health/probe.h"
#include "engine/health/probeconnect.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <memory>
#include <nghttp2/nghttp2.h>
#include <optional>
#include <string>
#include <string_view>

namespace drover::engine {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kPath = "/grpc.health.v1.Health/Check";
/// A health answer is a few bytes; anything past this is not a health answer.
constexpr std::size_t kMaxBody = 64 * 1024;

const char *grpcCodeName(int code)
{
    static constexpr const char *names[] = {"OK",
                                            "CANCELLED",
                                            "UNKNOWN",
                                            "INVALID_ARGUMENT",
                                            "DEADLINE_EXCEEDED",
                                            "NOT_FOUND",
                                            "ALREADY_EXISTS",
                                            "PERMISSION_DENIED",
                                            "RESOURCE_EXHAUSTED",
                                            "FAILED_PRECONDITION",
                                            "ABORTED",
                                            "OUT_OF_RANGE",
                                            "UNIMPLEMENTED",
                                            "INTERNAL",
                                            "UNAVAILABLE",
                                            "DATA_LOSS",
                                            "UNAUTHENTICATED"};
    return code >= 0 && code < int(std::size(names)) ? names[code] : "unknown code";
}

/// grpc-message is percent-encoded (gRPC over HTTP/2 spec).
std::string percentDecode(std::string_view in)
{
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    std::string out;
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '%' && i + 2 < in.size() && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
            out += char(hex(in[i + 1]) * 16 + hex(in[i + 2]));
            i += 2;
        } else {
            out += in[i];
        }
    }
    return out;
}

/// `text` fit for a one-line message: control characters become spaces, at most 200 bytes.
std::string oneLine(std::string_view text)
{
    std::string out(text.substr(0, 200));
    for (char &c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = ' ';
    return out;
}

void appendVarint(std::string &out, std::uint64_t v)
{
    while (v >= 0x80) {
        out += char((v & 0x7f) | 0x80);
        v >>= 7;
    }
    out += char(v);
}

bool readVarint(std::string_view &in, std::uint64_t &v)
{
    v = 0;
    for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
        auto byte = static_cast<unsigned char>(in.front());
        in.remove_prefix(1);
        v |= std::uint64_t(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return true;
    }
    return false;
}

/// The gRPC frame of a HealthCheckRequest `{string service = 1}`: compressed flag 0, a
/// big-endian length, then the message (empty for the server as a whole).
std::string encodeRequest(const std::string &service)
{
    std::string message;
    if (!service.empty()) {
        message += char(0x0a); // field 1, wire type 2 (length-delimited)
        appendVarint(message, service.size());
        message += service;
    }
    std::string frame(5, '\0');
    auto n = static_cast<std::uint32_t>(message.size());
    frame[1] = char(n >> 24);
    frame[2] = char(n >> 16);
    frame[3] = char(n >> 8);
    frame[4] = char(n);
    return frame + message;
}

/// The `status` of a gRPC-framed HealthCheckResponse `{enum status = 1}`; proto3 leaves it out
/// when it is 0 (UNKNOWN). nullopt when the bytes are not one uncompressed, well-formed message.
std::optional<std::uint64_t> decodeResponse(std::string_view body)
{
    if (body.size() < 5 || body[0] != 0)
        return std::nullopt;
    std::uint32_t n = (std::uint32_t(static_cast<unsigned char>(body[1])) << 24) |
                      (std::uint32_t(static_cast<unsigned char>(body[2])) << 16) |
                      (std::uint32_t(static_cast<unsigned char>(body[3])) << 8) |
                      std::uint32_t(static_cast<unsigned char>(body[4]));
    body.remove_prefix(5);
    if (body.size() != n)
        return std::nullopt;
    std::uint64_t status = 0;
    while (!body.empty()) {
        std::uint64_t key = 0, value = 0;
        if (!readVarint(body, key))
            return std::nullopt;
        switch (key & 7) {
        case 0: // varint
            if (!readVarint(body, value))
                return std::nullopt;
            if (key >> 3 == 1)
                status = value;
            break;
        case 1: // 64-bit
        case 5: // 32-bit
            if (body.size() < ((key & 7) == 1 ? 8u : 4u))
                return std::nullopt;
            body.remove_prefix((key & 7) == 1 ? 8 : 4);
            break;
        case 2: // length-delimited
            if (!readVarint(body, value) || value > body.size())
                return std::nullopt;
            body.remove_prefix(value);
            break;
        default:
            return std::nullopt;
        }
    }
    return status;
}

/// Whether `bytes` (what the peer sent first) can still be the start of an HTTP/2 server's
/// first frame, which must be a SETTINGS frame on stream 0 (RFC 9113 3.4).
bool couldBeHttp2(std::string_view bytes)
{
    auto b = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
    if (bytes.size() >= 3) {
        std::uint32_t length = (b(0) << 16) | (b(1) << 8) | b(2);
        if (length % 6 != 0 || length > 16384)
            return false;
    }
    if (bytes.size() >= 4 && b(3) != NGHTTP2_SETTINGS)
        return false;
    if (bytes.size() >= 5 && b(4) != 0) // not an ACK
        return false;
    for (std::size_t i = 5; i < 9 && i < bytes.size(); ++i)
        if (b(i) != 0)
            return false;
    return true;
}

struct SessionDeleter
{
    void operator()(nghttp2_session *s) const { nghttp2_session_del(s); }
};

struct GrpcCheck : std::enable_shared_from_this<GrpcCheck>
{
    GrpcCheck(asio::io_context &io, const ProbeTarget &target, ProbeDone done)
        : socket(io)
        , timer(io)
        , resolver(io)
        , target(target)
        , done(std::move(done))
    {}

    asio::ip::tcp::socket socket;
    asio::steady_timer timer;
    asio::ip::tcp::resolver resolver;
    ProbeTarget target;
    ProbeDone done;
    Clock::time_point started = Clock::now();
    bool finished = false;

    std::unique_ptr<nghttp2_session, SessionDeleter> session;
    std::string request; ///< the gRPC frame the data provider sends
    std::size_t requestSent = 0;
    std::int32_t streamId = -1;
    std::string outgoing; ///< bytes nghttp2 wants sent, being written
    bool writing = false;
    std::array<char, 16 * 1024> readBuffer;

    // What came back.
    std::string received;  ///< the first kExcerptBytes from the peer, raw
    bool sawHttp2 = false; ///< the first frame was SETTINGS
    int httpStatus = 0;
    std::optional<int> grpcStatus;
    std::string grpcMessage;
    std::string body;

    // ---- the end ----------------------------------------------------------------------

    void finish(bool ok, std::string message, std::string excerpt = {})
    {
        if (finished)
            return;
        finished = true;
        timer.cancel();
        resolver.cancel();
        boost::system::error_code ignored;
        socket.close(ignored); // handlers still in flight see operation_aborted
        ProbeOutcome out{ok,
                         std::chrono::duration<double, std::milli>(Clock::now() - started).count(),
                         std::move(message), ok ? std::string() : std::move(excerpt)};
        if (out.excerpt.size() > kExcerptBytes)
            out.excerpt.resize(kExcerptBytes);
        asio::post(socket.get_executor(), [done = std::move(done), out = std::move(out)]() mutable {
            done(std::move(out));
        });
    }

    /// Our stream is over: judge the answer.
    void onStreamClosed(std::uint32_t errorCode)
    {
        if (grpcStatus && *grpcStatus != 0) {
            std::string message = "grpc-status " + std::to_string(*grpcStatus) + " (" +
                                  grpcCodeName(*grpcStatus) + ")";
            if (!grpcMessage.empty())
                message += ": " + oneLine(grpcMessage);
            finish(false, std::move(message), grpcMessage);
            return;
        }
        if (errorCode != NGHTTP2_NO_ERROR && !grpcStatus) {
            finish(false,
                   std::string("HTTP/2 stream closed with ") + nghttp2_http2_strerror(errorCode));
            return;
        }
        if (httpStatus != 200) {
            finish(false, "HTTP status " + std::to_string(httpStatus) + " (not a gRPC answer)",
                   body);
            return;
        }
        if (!grpcStatus) {
            finish(false, "no grpc-status in the answer (not a gRPC server?)", body);
            return;
        }
        auto status = decodeResponse(body);
        if (!status) {
            finish(false,
                   "malformed HealthCheckResponse (" + std::to_string(body.size()) + " bytes)",
                   body);
            return;
        }
        switch (*status) {
        case 1:
            finish(true, "SERVING");
            return;
        case 0:
            finish(false, "UNKNOWN");
            return;
        case 2:
            finish(false, "NOT_SERVING");
            return;
        case 3:
            finish(false, "SERVICE_UNKNOWN");
            return;
        default:
            finish(false, "health status " + std::to_string(*status));
        }
    }

    // ---- connect ----------------------------------------------------------------------

    void start()
    {
        timer.expires_after(target.timeout);
        timer.async_wait([self = shared_from_this()](const boost::system::error_code &ec) {
            if (!ec)
                self->finish(false,
                             "timed out after " + config::formatDuration(self->target.timeout),
                             self->sawHttp2 ? std::string() : self->received);
        });
        connectProbe(
            socket, resolver, target.host, target.port,
            [self = shared_from_this()](const boost::system::error_code &ec, std::string problem) {
                if (self->finished)
                    return;
                if (ec)
                    return self->finish(false, std::move(problem));
                self->onConnected();
            });
    }

    void onConnected()
    {
        boost::system::error_code ignored;
        socket.set_option(asio::ip::tcp::no_delay(true), ignored);
        if (std::string error = startSession(); !error.empty()) {
            finish(false, "HTTP/2: " + error);
            return;
        }
        flush();
        read();
    }

    // ---- HTTP/2 -----------------------------------------------------------------------

    /// The client session with our SETTINGS and the one request queued; "" or what failed.
    std::string startSession()
    {
        nghttp2_session_callbacks *callbacks = nullptr;
        if (int rv = nghttp2_session_callbacks_new(&callbacks))
            return nghttp2_strerror(rv);
        nghttp2_session_callbacks_set_on_header_callback(callbacks, &GrpcCheck::onHeader);
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &GrpcCheck::onData);
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &GrpcCheck::onClose);
        nghttp2_session *s = nullptr;
        int rv = nghttp2_session_client_new(&s, callbacks, this);
        nghttp2_session_callbacks_del(callbacks);
        if (rv)
            return nghttp2_strerror(rv);
        session.reset(s);

        nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0}};
        if (int rv = nghttp2_submit_settings(s, NGHTTP2_FLAG_NONE, settings, std::size(settings)))
            return nghttp2_strerror(rv);

        request = encodeRequest(target.service);
        std::string authority = target.host.find(':') != std::string::npos
                                    ? "[" + target.host + "]:" + std::to_string(target.port)
                                    : target.host + ":" + std::to_string(target.port);
        // The server may give up when we do (gRPC's `<n>m` = milliseconds, at most 8 digits).
        std::string deadline =
            std::to_string(std::min<long long>(target.timeout.count(), 99999999)) + "m";
        auto nv = [](std::string_view name, std::string_view value) {
            return nghttp2_nv{reinterpret_cast<std::uint8_t *>(const_cast<char *>(name.data())),
                              reinterpret_cast<std::uint8_t *>(const_cast<char *>(value.data())),
                              name.size(), value.size(), NGHTTP2_NV_FLAG_NONE};
        };
        const nghttp2_nv headers[] = {
            nv(":method", "POST"),
            nv(":scheme", "http"),
            nv(":path", kPath),
            nv(":authority", authority),
            nv("content-type", "application/grpc"),
            nv("te", "trailers"),
            nv("grpc-timeout", deadline),
            nv("user-agent", "drover-probe"),
        };
        nghttp2_data_provider provider{};
        provider.read_callback = &GrpcCheck::readRequest;
        // nghttp2 copies the headers; the body is pulled through readRequest.
        streamId =
            nghttp2_submit_request(s, nullptr, headers, std::size(headers), &provider, nullptr);
        if (streamId < 0)
            return nghttp2_strerror(streamId);
        return {};
    }

    static GrpcCheck *fromUserData(void *userData) { return static_cast<GrpcCheck *>(userData); }

    static ssize_t readRequest(nghttp2_session *, std::int32_t, std::uint8_t *buf,
                               std::size_t length, std::uint32_t *flags, nghttp2_data_source *,
                               void *userData)
    {
        GrpcCheck *c = fromUserData(userData);
        std::size_t n = std::min(length, c->request.size() - c->requestSent);
        std::copy_n(c->request.data() + c->requestSent, n, buf);
        c->requestSent += n;
        if (c->requestSent == c->request.size())
            *flags |= NGHTTP2_DATA_FLAG_EOF;
        return static_cast<ssize_t>(n);
    }

    static int onHeader(nghttp2_session *, const nghttp2_frame *frame, const std::uint8_t *name,
                        std::size_t nameLength, const std::uint8_t *value, std::size_t valueLength,
                        std::uint8_t, void *userData)
    {
        GrpcCheck *c = fromUserData(userData);
        if (frame->hd.stream_id != c->streamId)
            return 0;
        std::string_view n(reinterpret_cast<const char *>(name), nameLength);
        std::string_view v(reinterpret_cast<const char *>(value), valueLength);
        auto number = [](std::string_view text) {
            int out = -1;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
            return ec == std::errc() && end == text.data() + text.size() ? out : -1;
        };
        if (n == ":status") {
            c->httpStatus = number(v);
        } else if (n == "grpc-status") {
            c->grpcStatus = number(v);
        } else if (n == "grpc-message") {
            c->grpcMessage = percentDecode(v);
        }
        return 0;
    }

    static int onData(nghttp2_session *, std::uint8_t, std::int32_t streamId,
                      const std::uint8_t *data, std::size_t length, void *userData)
    {
        GrpcCheck *c = fromUserData(userData);
        if (streamId == c->streamId && c->body.size() < kMaxBody)
            c->body.append(reinterpret_cast<const char *>(data),
                           std::min(length, kMaxBody - c->body.size()));
        return 0;
    }

    static int onClose(nghttp2_session *, std::int32_t streamId, std::uint32_t errorCode,
                       void *userData)
    {
        GrpcCheck *c = fromUserData(userData);
        if (streamId == c->streamId)
            c->onStreamClosed(errorCode);
        return 0;
    }

    // ---- bytes in and out ---------------------------------------------------------------

    /// Writes what nghttp2 has queued (preface, SETTINGS, the request, ACKs, window updates).
    void flush()
    {
        if (finished || writing)
            return;
        outgoing.clear();
        for (;;) {
            const std::uint8_t *data = nullptr;
            ssize_t n = nghttp2_session_mem_send(session.get(), &data);
            if (n < 0) {
                finish(false, std::string("HTTP/2: ") + nghttp2_strerror(int(n)));
                return;
            }
            if (n == 0)
                break;
            outgoing.append(reinterpret_cast<const char *>(data), std::size_t(n));
        }
        if (finished || outgoing.empty())
            return;
        writing = true;
        asio::async_write(
            socket, asio::buffer(outgoing),
            [self = shared_from_this()](const boost::system::error_code &ec, std::size_t) {
                self->writing = false;
                if (self->finished)
                    return;
                if (ec) {
                    self->onSocketError(ec);
                    return;
                }
                self->flush();
            });
    }

    void read()
    {
        socket.async_read_some(asio::buffer(readBuffer),
                               [self = shared_from_this()](const boost::system::error_code &ec,
                                                           std::size_t n) { self->onRead(ec, n); });
    }

    void onRead(const boost::system::error_code &ec, std::size_t n)
    {
        if (finished)
            return;
        if (ec) {
            onSocketError(ec);
            return;
        }
        std::string_view bytes(readBuffer.data(), n);
        if (received.size() < kExcerptBytes)
            received.append(bytes.substr(0, kExcerptBytes - received.size()));
        if (!sawHttp2) {
            if (!couldBeHttp2(received)) {
                finish(false, "not an HTTP/2 server", received);
                return;
            }
            sawHttp2 = received.size() >= 9;
        }
        ssize_t used = nghttp2_session_mem_recv(
            session.get(), reinterpret_cast<const std::uint8_t *>(bytes.data()), bytes.size());
        if (finished) // the answer was complete
            return;
        if (used < 0) {
            finish(false, std::string("HTTP/2: ") + nghttp2_strerror(int(used)));
            return;
        }
        flush();
        if (!finished)
            read();
    }

    void onSocketError(const boost::system::error_code &ec)
    {
        if (ec == asio::error::eof || ec == asio::error::connection_reset ||
            ec == asio::error::broken_pipe) {
            if (received.empty())
                finish(false, "connection closed without an answer");
            else if (!sawHttp2)
                finish(false, "not an HTTP/2 server", received);
            else
                finish(false, "connection closed before the answer was complete");
            return;
        }
        finish(false, ec.message(), sawHttp2 ? std::string() : received);
    }
};

} // namespace

void runGrpcProbe(asio::io_context &io, const ProbeTarget &target, ProbeDone done)
{
    std::make_shared<GrpcCheck>(io, target, std::move(done))->start();
}

} // namespace drover::engine
