// The proxy's parsers: a message's header written again as it is parsed.

#include "engine/serve/passhead.h"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/status.hpp>

#include <algorithm>

namespace drover::engine::serve {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;

void appendLine(std::string &out, std::string_view name, std::string_view value)
{
    out.append(name);
    out += ": ";
    out.append(value);
    out += "\r\n";
}

std::string_view view(beast::string_view s)
{
    return {s.data(), s.size()};
}

} // namespace

template <bool isRequest>
void PassParser<isRequest>::pass(field name, string_view nameString, string_view value)
{
    if (this->is_header_done())
        return;      // a trailer, after a chunked body: it passes with the body's bytes
    bool own = true; // the connection's own field
    switch (name) {
    case field::connection:
        for (const auto token : http::token_list{value}) {
            if (beast::iequals(token, "upgrade"))
                m_connectionUpgrade = true;
            else if (!beast::iequals(token, "close") && !beast::iequals(token, "keep-alive"))
                m_named.emplace_back(token);
        }
        break;
    case field::keep_alive:
    case field::proxy_connection:
    case field::te:
    case field::trailer:
    case field::upgrade:
        break;
    default:
        own = false;
        break;
    }
    if (!own)
        appendLine(m_out, view(nameString), view(value));
    else if (m_hop)
        appendLine(*m_hop, view(nameString), view(value));
}

template <bool isRequest>
void PassParser<isRequest>::dropNamed()
{
    if (m_named.empty())
        return;
    const std::size_t firstLine = m_out.find("\r\n");
    if (firstLine == std::string::npos)
        return;
    std::string kept(m_out, 0, firstLine + 2);
    for (std::size_t at = firstLine + 2; at < m_out.size();) {
        const std::size_t eol = m_out.find("\r\n", at);
        const std::size_t next = eol == std::string::npos ? m_out.size() : eol + 2;
        const std::string_view line(m_out.data() + at, next - at);
        const std::string_view name = line.substr(0, line.find(':'));
        if (std::none_of(m_named.begin(), m_named.end(), [&](const std::string &n) {
                return beast::iequals(n, beast::string_view(name.data(), name.size()));
            }))
            kept.append(line);
        at = next;
    }
    m_out.swap(kept);
}

template class PassParser<true>;
template class PassParser<false>;

void RequestHead::on_request_impl(http::verb method, string_view methodString, string_view target,
                                  int version, error_code &)
{
    m_method = method;
    m_methodString.assign(methodString.data(), methodString.size());
    m_target.assign(target.data(), target.size());
    m_version = unsigned(version);
    m_out.append(view(methodString));
    m_out += ' ';
    m_out.append(view(target));
    m_out += " HTTP/1.1\r\n";
}

void RequestHead::on_field_impl(field name, string_view nameString, string_view value, error_code &)
{
    if (is_header_done())
        return;
    // The gateway writes these three itself (from the client's, when they are usable).
    if (name == field::unknown) {
        if (beast::iequals(nameString, "X-Request-Id")) {
            if (m_requestId.empty())
                m_requestId.assign(value.data(), value.size());
            return;
        }
        if (beast::iequals(nameString, "traceparent")) {
            if (m_traceparent.empty())
                m_traceparent.assign(value.data(), value.size());
            return;
        }
        if (beast::iequals(nameString, "X-Forwarded-For")) {
            if (!m_forwardedFor.empty())
                m_forwardedFor += ", ";
            m_forwardedFor.append(value.data(), value.size());
            return;
        }
    } else if (name == field::upgrade) {
        m_hasUpgrade = true;
        m_upgrade.assign(value.data(), value.size());
    } else if (name == field::expect && beast::iequals(value, "100-continue")) {
        m_expectContinue = true;
        return;
    }
    pass(name, nameString, value);
}

void RequestHead::finish(std::string_view requestId, std::string_view traceparent,
                         std::string_view peer)
{
    dropNamed();
    appendLine(m_out, "X-Request-Id", requestId);
    appendLine(m_out, "traceparent", traceparent);
    if (!m_forwardedFor.empty() || !peer.empty()) {
        m_out += "X-Forwarded-For: ";
        m_out += m_forwardedFor;
        if (!m_forwardedFor.empty() && !peer.empty())
            m_out += ", ";
        m_out.append(peer);
        m_out += "\r\n";
    }
    if (upgrade()) {
        m_out += "Connection: Upgrade\r\n";
        appendLine(m_out, "Upgrade", m_upgrade);
    }
    m_out += "\r\n";
}

void ResponseHead::on_response_impl(int code, string_view reason, int, error_code &)
{
    m_status = code;
    char digits[3] = {char('0' + code / 100 % 10), char('0' + code / 10 % 10),
                      char('0' + code % 10)};
    m_out += "HTTP/1.1 ";
    m_out.append(digits, 3);
    m_out += ' ';
    m_out.append(view(reason.empty() ? http::obsolete_reason(http::status(code)) : reason));
    m_out += "\r\n";
}

void ResponseHead::on_field_impl(field name, string_view nameString, string_view value,
                                 error_code &)
{
    pass(name, nameString, value);
}

void ResponseHead::finish(std::string_view worker, std::string_view requestId, bool keepAlive,
                          unsigned clientVersion, bool tunnel)
{
    dropNamed();
    if (tunnel && m_hop)
        m_out += *m_hop;
    else if (!keepAlive)
        m_out += "Connection: close\r\n";
    else if (clientVersion < 11)
        m_out += "Connection: keep-alive\r\n";
    appendLine(m_out, "X-Drover-Worker", worker);
    appendLine(m_out, "X-Request-Id", requestId);
    m_out += "\r\n";
}

void ResponseHead::finishInterim()
{
    dropNamed();
    m_out += "\r\n";
}

} // namespace drover::engine::serve
