#pragma once

#include <functional>
#include <optional>

namespace CLI {
class App;
}

namespace drover::master {

/// Adds `token create|list|revoke` to `app`: the tokens of `<state_dir>/tokens.json` and of
/// `master.auth.tokens`, for the master that `--config FILE` describes. Call it before
/// `app.parse()`; after the parse, call the function it returns: when the command line chose
/// `token`, that runs the command and returns its exit code (0 ok, 1 error with the message
/// on stderr, 2 usage), and otherwise nothing.
std::function<std::optional<int>()> addTokenCommand(CLI::App &app);

} // namespace drover::master
