#include "api/diagnostic.h"

#include <array>
#include <utility>

namespace drover::api {

namespace {

constexpr std::array<std::pair<ErrorCode, std::string_view>, 13> kErrorCodes{{
    {ErrorCode::BadRequest, "bad_request"},
    {ErrorCode::Unauthorized, "unauthorized"},
    {ErrorCode::Forbidden, "forbidden"},
    {ErrorCode::NotFound, "not_found"},
    {ErrorCode::Conflict, "conflict"},
    {ErrorCode::InvalidConfig, "invalid_config"},
    {ErrorCode::Busy, "busy"},
    {ErrorCode::Unavailable, "unavailable"},
    {ErrorCode::Timeout, "timeout"},
    {ErrorCode::Io, "io"},
    {ErrorCode::Spawn, "spawn"},
    {ErrorCode::InvalidProbe, "invalid_probe"},
    {ErrorCode::Internal, "internal"},
}};

} // namespace

std::string_view toString(ErrorCode code)
{
    for (const auto &[c, name] : kErrorCodes) {
        if (c == code)
            return name;
    }
    return "internal";
}

std::optional<ErrorCode> parseErrorCode(std::string_view name)
{
    for (const auto &[c, n] : kErrorCodes) {
        if (n == name)
            return c;
    }
    return std::nullopt;
}

std::string Diagnostic::toString() const
{
    std::string out = file;
    if (line > 0) {
        out += ':' + std::to_string(line);
        if (column > 0)
            out += ':' + std::to_string(column);
    }
    if (!out.empty())
        out += ": ";
    if (!path.empty())
        out += path + ": ";
    out += message;
    return out;
}

} // namespace drover::api
