#include "api/diagnostic.h"

namespace drover::api {

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
