// droverctl: the command-line client. This build validates config files offline; commands
// that talk to a master arrive with the wire protocol.
#include "api/version.h"
#include "config/loader.h"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char **argv)
{
    CLI::App app{"droverctl: manage a Drover master from the command line.", "droverctl"};
    app.set_version_flag("-V,--version", std::string("droverctl ") + drover::kVersion);
    app.require_subcommand(1);
    auto *config = app.add_subcommand("config", "Work with config files");
    config->require_subcommand(1);
    auto *validate = config->add_subcommand("validate", "Check a config file without applying it");
    std::string file;
    validate->add_option("FILE", file, "The config file")->required();
    app.footer("Exit codes: 0 ok, 1 error (an invalid file), 2 usage.");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    auto result = drover::config::loadFile(file);
    if (!result.ok()) {
        std::cerr << result.report();
        return 1;
    }
    std::cout << file << ": ok (" << result.config->summary().toString() << ")\n";
    return 0;
}
