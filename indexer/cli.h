// The newsindex command line: option structs for each subcommand bound to a
// CLI11 app, and the code that runs the chosen one. Kept out of main so the
// options can be tested and shared.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "indexer/pipeline.h"

namespace news {

class IndexerCommands {
public:
    explicit IndexerCommands(CLI::App& app);
    // Runs the parsed subcommand; returns the exit status.
    int run(std::ostream& out, std::ostream& err);

private:
    CLI::App* build_ = nullptr;
    CLI::App* stats_ = nullptr;
    CLI::App* tag_ = nullptr;
    CLI::App* compact_ = nullptr;
    BuildOptions build_opt_;
    std::vector<std::string> json_fields_;
    bool progress_ = false, quiet_ = false, no_compact_ = false;
    std::string shard_by_;
    std::string stats_db_;
    bool stats_json_ = false;
    std::string tag_file_;
    bool tag_conll_ = false;
    std::string compact_db_;
};

// Compacts the database at `db` in place (through a temporary copy).
void compact_index(const std::string& db, std::ostream& out);

} // namespace news
