// The newssearch command line: binds CLI11 options to a SearchRequest and
// runs it. Exit status 0 when something matched, 1 when nothing did, 2 on
// error (bad query, missing database).
#pragma once

#include <iosfwd>
#include <string>

#include <CLI/CLI.hpp>

#include "searcher/search.h"

namespace news {

class SearchCommand {
public:
    explicit SearchCommand(CLI::App& app);
    int run(std::ostream& out, std::ostream& err);

private:
    SearchRequest req_;
    std::string db_;
    std::string sort_;
    std::vector<std::string> words_;
    bool json_ = false, no_collapse_ = false, color_ = false, no_color_ = false, explain_ = false, show_path_ = false;
};

} // namespace news
