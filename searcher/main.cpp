// newssearch: query a newssearch index from the shell, or show one article.
// Exit status: 0 something matched (shown), 1 nothing matched (no such
// article), 2 error.
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>

#include "searcher/cli.h"

int main(int argc, char** argv) {
    CLI::App app {"newssearch: search a news index built by newsindex"};
    news::SearchCommand command(app);
    std::optional<news::ShowCommand> show; // (only as the first word: "tv show ratings" is a search)
    if (news::ShowCommand::may_be_named(app, argc, argv)) show.emplace(app, command);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    return show && show->chosen() ? show->run(std::cout, std::cerr) : command.run(std::cout, std::cerr);
}
