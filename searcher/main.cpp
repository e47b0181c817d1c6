// newssearch: query a newssearch index from the shell, or show one article.
// Exit status: 0 something matched (shown), 1 nothing matched (no such
// article), 2 error.
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>

#include "searcher/cli.h"

int main(int argc, char** argv) {
    CLI::App app {"newssearch: search a news index built by newsindex"};
    app.footer(
        "Query syntax:\n"
        "  words                 all of them (a sentence that finds too few relaxes to most of them, and says so)\n"
        "  \"a phrase\"            the words in this order;  a NEAR b  within a few words\n"
        "  a AND b, a OR b, a NOT b, -word, +word, word*   (explicit syntax never relaxes)\n"
        "  title:word  source:Reuters  person:\"Donald Trump\"  org:OPEC  place:Iran  entity:NAME\n"
        "  date:2026-03-04  date:2026-03  date:2026  date:2026-03-01..2026-03-05  date:..2026-03  date:2026-03..  "
        "date:none (undated)\n"
        "Exit status: 0 something matched, 1 nothing matched, 2 error (bad query, not an index).");
    news::SearchCommand command(app);
    std::optional<news::ShowCommand> show; // (only as the first word: "tv show ratings" is a search)
    std::optional<news::WatchCommand> watch;
    if (news::ShowCommand::may_be_named(app, argc, argv)) show.emplace(app, command);
    if (news::WatchCommand::may_be_named(app, argc, argv)) watch.emplace(app, command);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    if (show && show->chosen()) return show->run(std::cout, std::cerr);
    if (watch && watch->chosen()) return watch->run(std::cout, std::cerr);
    return command.run(std::cout, std::cerr);
}
