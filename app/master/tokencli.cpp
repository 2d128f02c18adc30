#include "tokencli.h"

#include "api/role.h"
#include "config/loader.h"
#include "remote/tokens.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <ctime>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace drover::master {

namespace {

struct TokenOptions
{
    CLI::App *token = nullptr;
    CLI::App *create = nullptr;
    CLI::App *list = nullptr;
    CLI::App *revoke = nullptr;
    std::string configFile;
    std::string name;
    std::string role;
};

/// Loads the config as `droverd --check` does; on errors prints them and returns nothing.
std::optional<config::Config> loadConfig(const std::string &file)
{
    config::LoadResult result = config::loadFile(file);
    if (!result.ok()) {
        std::cerr << result.report();
        const std::size_t n = result.errors.size() + result.moreErrors;
        std::cerr << file << ": " << n << (n == 1 ? " error" : " errors") << '\n';
        return std::nullopt;
    }
    return std::move(*result.config);
}

/// 1 for a failure, 2 for a request that can never work (a bad name): usage.
int fail(const std::string &command, const api::Error &error)
{
    std::cerr << "droverd token " << command << ": " << error.message << '\n';
    return error.code == api::ErrorCode::BadRequest ? 2 : 1;
}

std::string quote(const std::string &text)
{
    return '"' + text + '"';
}

/// `2026-11-23T14:02:11Z`
std::string formatTime(std::int64_t ms)
{
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm utc{};
    if (!::gmtime_r(&seconds, &utc))
        return "?";
    char text[32];
    if (std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0)
        return "?";
    return text;
}

int create(const TokenOptions &o, const config::Config &config)
{
    const std::optional<api::Role> role = api::parseRole(o.role); // checked by the parser
    api::Result<std::string> token = remote::TokenStore::create(
        config.master.stateDir, config.master.tokens, o.name, role.value_or(api::Role::Viewer));
    if (!token)
        return fail("create", token.error());
    std::cout << "Created token " << quote(o.name) << " with role " << o.role << " in "
              << quote(remote::TokenStore::filePath(config.master.stateDir))
              << " (only its SHA-256 is stored).\n"
              << "It is shown only this once; keep it secret:\n"
              << *token << std::endl;
    return 0;
}

int list(const config::Config &config)
{
    api::Result<remote::TokenStore> store =
        remote::TokenStore::load(config.master.stateDir, config.master.tokens);
    if (!store)
        return fail("list", store.error());
    if (store->empty()) {
        std::cout << "No tokens: none in master.auth.tokens and none in "
                  << quote(remote::TokenStore::filePath(config.master.stateDir)) << ".\n";
        return 0;
    }
    using Row = std::array<std::string, 5>;
    std::vector<Row> rows{{"NAME", "ROLE", "CREATED", "SOURCE", "SHA256"}};
    for (const remote::TokenEntry &e : store->entries()) {
        rows.push_back({e.name, std::string(api::toString(e.role)),
                        e.fromConfig ? std::string("-") : formatTime(e.createdMs),
                        e.fromConfig ? "config" : "file", e.sha256.substr(0, 8)});
    }
    std::array<std::size_t, 5> width{};
    for (const Row &row : rows) {
        for (std::size_t c = 0; c < row.size(); ++c)
            width[c] = std::max(width[c], row[c].size());
    }
    for (const Row &row : rows) {
        std::string line;
        for (std::size_t c = 0; c < row.size(); ++c) {
            line += row[c];
            if (c + 1 < row.size())
                line += std::string(width[c] - row[c].size() + 2, ' ');
        }
        std::cout << line << '\n';
    }
    return 0;
}

int revoke(const TokenOptions &o, const config::Config &config)
{
    api::Result<bool> removed =
        remote::TokenStore::revoke(config.master.stateDir, config.master.tokens, o.name);
    if (!removed)
        return fail("revoke", removed.error());
    std::cout << "Revoked token " << quote(o.name) << ": removed from "
              << quote(remote::TokenStore::filePath(config.master.stateDir)) << ".\n";
    return 0;
}

int run(const TokenOptions &o)
{
    std::optional<config::Config> config = loadConfig(o.configFile);
    if (!config)
        return 1;
    if (o.create->parsed())
        return create(o, *config);
    if (o.list->parsed())
        return list(*config);
    return revoke(o, *config);
}

void addConfigOption(CLI::App *command, TokenOptions &o)
{
    command
        ->add_option("-c,--config", o.configFile,
                     "The master's config file: its master.state_dir holds the tokens file")
        ->type_name("FILE")
        ->required();
}

} // namespace

std::function<std::optional<int>()> addTokenCommand(CLI::App &app)
{
    auto o = std::make_shared<TokenOptions>();
    o->token = app.add_subcommand(
        "token", "Manage access tokens: only a token's SHA-256 is stored, in "
                 "<state_dir>/tokens.json (mode 0600) or in master.auth.tokens of the config");
    o->token->require_subcommand(1);
    // Before the subcommands: they take their parent's footer.
    o->token->footer("Exit codes: 0 ok, 1 error (an invalid config, an unknown or taken name, "
                     "a tokens file that cannot be read or written), 2 usage.");

    o->create = o->token->add_subcommand(
        "create", "Make a token for NAME with ROLE and print it once, as the last line");
    addConfigOption(o->create, *o);
    o->create->add_option("-n,--name", o->name, "Who or what uses the token")
        ->type_name("NAME")
        ->required();
    o->create->add_option("-r,--role", o->role, "viewer, operator or admin")
        ->type_name("ROLE")
        ->check(CLI::IsMember({"viewer", "operator", "admin"}))
        ->required();

    o->list = o->token->add_subcommand("list", "List the tokens (never the tokens themselves)");
    addConfigOption(o->list, *o);

    o->revoke = o->token->add_subcommand("revoke", "Remove a token from the tokens file");
    addConfigOption(o->revoke, *o);
    o->revoke->add_option("-n,--name", o->name, "The token's name")->type_name("NAME")->required();

    return [o]() -> std::optional<int> {
        if (!o->token->parsed())
            return std::nullopt;
        return run(*o);
    };
}

} // namespace drover::master
