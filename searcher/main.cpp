// newssearch: query a newssearch index from the shell.
// Exit status: 0 something matched, 1 nothing matched, 2 error.
#include <iostream>

#include <CLI/CLI.hpp>

#include "searcher/cli.h"

int main(int argc, char** argv) {
    CLI::App app {"newssearch: search a news index built by newsindex"};
    news::SearchCommand command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    return command.run(std::cout, std::cerr);
}
