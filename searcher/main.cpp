// newssearch: query a newssearch index from the shell, or show one article.
// Exit status: 0 something matched (shown), 1 nothing matched (no such
// article), 2 error.
#include <iostream>

#include <CLI/CLI.hpp>

#include "searcher/cli.h"

int main(int argc, char** argv) {
    CLI::App app {"newssearch: search a news index built by newsindex"};
    news::SearchCommand command(app);
    news::ShowCommand show(app, command);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    return show.chosen() ? show.run(std::cout, std::cerr) : command.run(std::cout, std::cerr);
}
