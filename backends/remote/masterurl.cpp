#include "remote/masterurl.h"

#include <charconv>

namespace drover::remote {

std::string MasterUrl::toString() const
{
    bool v6 = host.find(':') != std::string::npos;
    return std::string(tls ? "wss://" : "ws://") + (v6 ? "[" + host + "]" : host) + ":" +
           std::to_string(port);
}

api::Result<MasterUrl> parseMasterUrl(std::string_view text)
{
    auto bad = [&](std::string why) -> api::Result<MasterUrl> {
        return api::Error{api::ErrorCode::BadRequest,
                          "invalid master URL \"" + std::string(text) + "\": " + why,
                          {}};
    };
    MasterUrl url;
    std::string_view rest = text;
    if (rest.starts_with("wss://")) {
        url.tls = true;
        rest.remove_prefix(6);
    } else if (rest.starts_with("ws://")) {
        rest.remove_prefix(5);
    } else if (rest.find("://") != std::string_view::npos) {
        return bad("the scheme must be ws:// or wss://");
    }
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
        if (rest.substr(slash) != "/" && rest.substr(slash) != "/v1/stream")
            return bad("a master URL has no path");
        rest = rest.substr(0, slash);
    }
    std::string_view port;
    if (rest.starts_with("[")) {
        auto close = rest.find(']');
        if (close == std::string_view::npos)
            return bad("unclosed [");
        url.host = std::string(rest.substr(1, close - 1));
        rest.remove_prefix(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':')
                return bad("expected :port after ]");
            port = rest.substr(1);
        }
    } else {
        auto colon = rest.find(':');
        url.host = std::string(rest.substr(0, colon));
        if (colon != std::string_view::npos)
            port = rest.substr(colon + 1);
    }
    if (url.host.empty())
        return bad("the host is missing");
    if (!port.empty() || rest.ends_with(':')) {
        int p = 0;
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
        if (ec != std::errc() || end != port.data() + port.size() || p < 1 || p > 65535)
            return bad("the port must be a number from 1 to 65535");
        url.port = p;
    }
    return url;
}

} // namespace drover::remote
