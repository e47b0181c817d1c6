// The newssearch command line: binds CLI11 options to a SearchRequest and
// runs it (exit status 0 when something matched, 1 when nothing did, 2 on
// error: bad query, missing database), and the `show ID` subcommand, which
// prints one article (0 shown, 1 no such id, 2 error).
#pragma once

#include <iosfwd>
#include <string>

#include <CLI/CLI.hpp>

#include "searcher/article.h"
#include "searcher/search.h"

namespace news {

class SearchCommand {
public:
    explicit SearchCommand(CLI::App& app);
    int run(std::ostream& out, std::ostream& err);

    const std::string& db() const { return db_; }
    bool json() const { return json_; }
    // Whether ANSI colours are wanted on standard output.
    bool color() const;

private:
    int run_export(std::ostream& out, std::ostream& err);
    int run_timeline(std::ostream& out);
    int run_cooccur(std::ostream& out);

    SearchRequest req_;
    std::string db_;
    std::string sort_;
    std::vector<std::string> words_;
    std::string export_; // "csv" or "jsonl": every match instead of a page
    std::vector<std::string> timeline_; // entities whose articles per period to count
    std::string cooccur_;               // the entity whose companions to list
    bool json_ = false, no_collapse_ = false, color_ = false, no_color_ = false, explain_ = false, show_path_ = false;
};

// `newssearch --db DB show [--json] [--query Q] ID`: a subcommand of `app`,
// reading --db (and --json, --color) from the search command.
class ShowCommand {
public:
    ShowCommand(CLI::App& app, const SearchCommand& search);
    // Whether `show` may be the subcommand of this command line (so that
    // "tv show ratings" searches three words): the first argument that is
    // neither an option nor an option's value is "show", or there is none.
    static bool may_be_named(const CLI::App& app, int argc, const char* const* argv);
    // Whether the command line named this subcommand.
    bool chosen() const { return sub_->parsed(); }
    int run(std::ostream& out, std::ostream& err);

private:
    const SearchCommand& search_;
    CLI::App* sub_;
    ArticleRequest req_;
    bool json_ = false;
};

// `newssearch --db DB watch add NAME QUERY | list | remove NAME | run [NAME]
// [--json|--atom]`: saved searches and the stories new since they last ran
// (watch.h). `run` exits 0 when it found new stories, 1 when none.
class WatchCommand {
public:
    WatchCommand(CLI::App& app, const SearchCommand& search);
    // As ShowCommand::may_be_named, for "watch".
    static bool may_be_named(const CLI::App& app, int argc, const char* const* argv);
    bool chosen() const { return sub_->parsed(); }
    int run(std::ostream& out, std::ostream& err);

private:
    int add(std::ostream& out);
    int list(std::ostream& out) const;
    int remove(std::ostream& out, std::ostream& err);
    int run_watches(std::ostream& out, std::ostream& err);

    const SearchCommand& search_;
    CLI::App *sub_, *add_, *list_, *remove_, *run_;
    std::string name_;
    std::vector<std::string> words_;
    bool json_ = false, atom_ = false;
};

} // namespace news
