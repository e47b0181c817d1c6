// newsindex: build, inspect and compact a newssearch index.
// Exit status: 0 done, 1 done but some input was skipped, 2 failed.
#include <iostream>

#include <CLI/CLI.hpp>

#include "common/error.h"
#include "indexer/cli.h"

int main(int argc, char** argv) {
    CLI::App app {"newsindex: index news articles into a Xapian database for newssearch"};
    app.require_subcommand(1);
    news::IndexerCommands commands(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    try {
        return commands.run(std::cout, std::cerr);
    } catch (const std::exception& e) {
        std::cerr << "newsindex: " << e.what() << '\n';
        return 2;
    }
}
