// droverd: the headless master. This build checks config files; supervising arrives with
// the engine.
#include "api/version.h"
#include "config/loader.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

namespace {

int check(const std::string &file)
{
    drover::config::LoadResult result = drover::config::loadFile(file);
    if (!result.ok()) {
        std::cerr << result.report();
        std::size_t n = result.errors.size() + result.moreErrors;
        std::cerr << file << ": " << n << (n == 1 ? " error" : " errors") << '\n';
        return 1;
    }
    std::cout << file << ": ok (" << result.config->summary().toString() << ")\n";
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    CLI::App app{"droverd: the Drover master. Supervises worker processes and pools on this "
                 "machine and serves the console and droverctl.",
                 "droverd"};
    app.set_version_flag("-V,--version", std::string("droverd ") + drover::kVersion);
    std::string checkFile;
    app.add_option("--check", checkFile,
                   "Validate a config file: print every error as file:line:col: path: message "
                   "and exit 1, or print a summary and exit 0")
        ->type_name("FILE");
    app.footer("Exit codes: 0 ok, 1 invalid config, 2 usage error.\n"
               "Config reference: docs/config.md");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    if (!checkFile.empty())
        return check(checkFile);
    std::cerr << "droverd: nothing to do; give --check FILE (see --help)\n";
    return 2;
}
