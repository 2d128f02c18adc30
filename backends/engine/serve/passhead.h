#pragma once

// Private to the proxy (proxy.cpp) and its test.

#include <boost/beast/http/basic_parser.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace drover::engine::serve {

/// The proxy's parsers. Beast's parser reads a message's header and frames its body; these
/// write the header again, line by line as it is parsed, into a string that goes out as it
/// is, without the connection's own (hop-by-hop) fields. The body is not stored: the proxy
/// passes on the bytes the parser consumed, framing and all. No field container, and no
/// allocation once the strings have grown to their size.
template <bool isRequest>
class PassParser : public boost::beast::http::basic_parser<isRequest>
{
protected:
    using string_view = boost::beast::string_view;
    using error_code = boost::system::error_code;
    using field = boost::beast::http::field;

    /// Writes into `out` (cleared first); the connection's own fields into `hop` when there
    /// is one to keep them (a response's, for a tunnel), else nowhere.
    PassParser(std::string &out, std::string *hop)
        : m_out(out)
        , m_hop(hop)
    {
        m_out.clear();
        if (m_hop)
            m_hop->clear();
    }

    /// A field of the header: into `out`, or aside when it is the connection's own
    /// (RFC 9110 7.6.1), the Connection's tokens noted.
    void pass(field name, string_view nameString, string_view value);
    /// Takes the fields the Connection named out of `out` (before the gateway adds its own).
    void dropNamed();

    std::string &m_out;
    std::string *m_hop;
    bool m_connectionUpgrade = false; ///< `upgrade` among the Connection's tokens
    std::vector<std::string> m_named; ///< other fields the Connection names (rare)

private:
    void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                         error_code &) override
    {}
    void on_response_impl(int, string_view, int, error_code &) override {}
    void on_header_impl(error_code &) override {}
    void on_body_init_impl(boost::optional<std::uint64_t> const &, error_code &) override {}
    std::size_t on_body_impl(string_view body, error_code &) override { return body.size(); }
    void on_chunk_header_impl(std::uint64_t, string_view, error_code &) override {}
    std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code &) override
    {
        return body.size();
    }
    void on_finish_impl(error_code &) override {}
};

/// A client's request, for its worker.
class RequestHead final : public PassParser<true>
{
public:
    explicit RequestHead(std::string &out)
        : PassParser(out, nullptr)
    {}

    // Once the header is parsed:
    boost::beast::http::verb method() const { return m_method; }
    const std::string &methodString() const { return m_methodString; }
    const std::string &target() const { return m_target; }
    unsigned version() const { return m_version; }
    /// An Upgrade field, and `upgrade` among the Connection's tokens.
    bool upgrade() const { return m_hasUpgrade && m_connectionUpgrade; }
    /// The client's own X-Request-Id, traceparent and X-Forwarded-For (empty when none).
    const std::string &requestId() const { return m_requestId; }
    const std::string &traceparent() const { return m_traceparent; }
    const std::string &forwardedFor() const { return m_forwardedFor; }
    /// `Expect: 100-continue`: the client waits for a `100 Continue` before its body. The
    /// gateway answers it itself and does not pass the field on.
    bool expectsContinue() const { return m_expectContinue; }

    /// Completes the header for the worker: the gateway's fields (X-Forwarded-For is the
    /// client's list with `peer` added); for an upgrade, `Connection: Upgrade` and the
    /// client's Upgrade field; the blank line.
    void finish(std::string_view requestId, std::string_view traceparent, std::string_view peer);

private:
    void on_request_impl(boost::beast::http::verb method, string_view methodString,
                         string_view target, int version, error_code &ec) override;
    void on_field_impl(field name, string_view nameString, string_view value,
                       error_code &ec) override;

    boost::beast::http::verb m_method = boost::beast::http::verb::unknown;
    std::string m_methodString;
    std::string m_target;
    unsigned m_version = 11;
    bool m_hasUpgrade = false;
    bool m_expectContinue = false;
    std::string m_upgrade; ///< the Upgrade field's value
    std::string m_requestId;
    std::string m_traceparent;
    std::string m_forwardedFor;
};

/// A worker's response, for the client.
class ResponseHead final : public PassParser<false>
{
public:
    ResponseHead(std::string &out, std::string &hop)
        : PassParser(out, &hop)
    {}

    int status() const { return m_status; }

    /// Completes the header for the client: for a 101 that opens a `tunnel` the connection's
    /// own fields as the worker sent them; otherwise `Connection: close` when `keepAlive` is false
    /// (and `keep-alive` to an HTTP/1.0 client that keeps it). Then the gateway's fields and the
    /// blank line.
    void finish(std::string_view worker, std::string_view requestId, bool keepAlive,
                unsigned clientVersion, bool tunnel);
    /// Completes an interim answer (a 103 Early Hints) for the client: its fields as the
    /// worker sent them, without the connection's own; the blank line.
    void finishInterim();

private:
    void on_response_impl(int code, string_view reason, int version, error_code &ec) override;
    void on_field_impl(field name, string_view nameString, string_view value,
                       error_code &ec) override;

    int m_status = 0;
};

extern template class PassParser<true>;
extern template class PassParser<false>;

} // namespace drover::engine::serve
