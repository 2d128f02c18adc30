#pragma once

#include <optional>
#include <string_view>

namespace drover::api {

/// What a connection may do: a viewer reads; an operator also starts, stops, restarts,
/// scales and rolls out; an admin also applies config and manages tokens.
enum class Role { Viewer, Operator, Admin };

constexpr std::string_view toString(Role role)
{
    switch (role) {
    case Role::Viewer:
        return "viewer";
    case Role::Operator:
        return "operator";
    case Role::Admin:
        return "admin";
    }
    return "viewer";
}

constexpr std::optional<Role> parseRole(std::string_view text)
{
    for (Role r : {Role::Viewer, Role::Operator, Role::Admin}) {
        if (toString(r) == text)
            return r;
    }
    return std::nullopt;
}

} // namespace drover::api
