#include "indexer/cli.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <xapian.h>

#include "common/entities.h"
#include "common/error.h"
#include "common/schema.h"
#include "common/text.h"
#include "indexer/stats.h"
#include "indexer/store.h"

namespace news {
namespace {

void print_compacted(std::ostream& out, const std::string& db, long long before, long long after) {
    if (after == before) {
        out << db << ": not compacted (" << (before + 1023) / 1024 << " KiB; a compacted copy would not be smaller)\n";
        return;
    }
    out << "compacted " << db << ": " << (before + 1023) / 1024 << " KiB -> " << (after + 1023) / 1024 << " KiB\n";
}

const char* const kBuildFooter =
    "Input formats (each may be .gz or .zst compressed):\n"
    "  .txt            one article; optional first token run ' date YYYY-MM-DD ', then the body\n"
    "  .jsonl          one JSON object a line: id, date, title, body or text, source, url\n"
    "  .trec           <DOC> records: <DOCNO>, <DATE>, <HEADLINE>, <TEXT>\n"
    "  .sgm            Reuters-21578 <REUTERS> records\n"
    "A record that cannot be read is reported as file:line: reason and skipped.\n"
    "Exit status: 0 done, 1 done but some input was skipped, 2 the run failed.";

} // namespace

IndexerCommands::IndexerCommands(CLI::App& app) {
    app.footer("Exit status: 0 done, 1 done but some input was skipped, 2 failed.");
    build_ = app.add_subcommand("build", "Index (or re-index what changed under) PATH... into --db");
    build_->footer(kBuildFooter);
    build_->add_option("--db", build_opt_.db, "Database directory (created when missing)")->required();
    build_
        ->add_option(
            "--threads", build_opt_.threads,
            "Threads that read, decompress and parse files, and as many that tag articles and build documents; "
            "a fresh build also writes through half as many, at least one (default: cores), an update through "
            "one writer of its own (default: cores - 1, at least 1). The index is the same whatever the number")
        ->check(CLI::Range(0u, 256u));
    build_->add_option("--shard-by", shard_by_, "Write one database per month or year")
        ->check(CLI::IsMember({"month", "year"}));
    build_
        ->add_option("--json-field", json_fields_,
                     "Map a JSON key to a field, e.g. date=dir_date (fields: id date title body source url)")
        ->expected(1)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    build_
        ->add_option("--commit-every", build_opt_.commit_every,
                     "At most this many articles between commits (default 20000; long articles commit sooner, every "
                     "~400,000 terms, which keeps Xapian's buffer small and fast; a fresh build commits less often, "
                     "see README)")
        ->check(CLI::PositiveNumber);
    build_->add_option("--commit-seconds", build_opt_.commit_seconds, "At most this long between commits (default 30)")
        ->check(CLI::Range(0.1, 86400.0));
    build_
        ->add_option("--checkpoint-seconds", build_opt_.checkpoint_seconds,
                     "A fresh build merges what it wrote into the index (with the files it completes) at the first "
                     "commit this long after its last merge (default 300): a killed build loses at most about "
                     "this much, and the same command goes on from there")
        ->check(CLI::Range(0.0, 86400.0));
    auto* p = build_->add_flag("--progress", progress_, "Show a progress line even when stderr is not a terminal");
    build_->add_flag("--quiet", quiet_, "No progress line")->excludes(p);
    build_
        ->add_option("--progress-every", build_opt_.progress_every,
                     "Seconds between progress reports (default 0.25 on a terminal, where one line is redrawn; "
                     "5 elsewhere, plain lines)")
        ->check(CLI::Range(0.0, 3600.0));
    build_->add_flag("--no-compact", no_compact_,
                     "Do not compact at the end (by default a run that at least doubles a database compacts it: "
                     "about half the size, faster searches); a fresh build then writes through one writer");
    build_->add_option("--source", build_opt_.source,
                       "Source of the articles that name none (no source field, no byline or dateline naming an "
                       "outlet such as '(Reuters)'); default: the name of the folder given");
    build_
        ->add_option("--include", build_opt_.filter.include,
                     "Read files matching GLOB (file name or path inside the folder) even when they look like no "
                     "article; repeatable")
        ->expected(1)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    build_
        ->add_option("--exclude", build_opt_.filter.exclude,
                     "Never read files matching GLOB (wins over --include); repeatable")
        ->expected(1)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    build_
        ->add_option("PATH", build_opt_.roots,
                     "Files or folders of articles. In folders, hidden files, README, LICENSE, COPYING, "
                     "CHANGELOG, NOTICE and AUTHORS files, word lists named .txt and .trec/.sgm files without "
                     "a record are not articles (listed in the summary); a file named here is always read")
        ->required();

    stats_ = app.add_subcommand("stats", "Show what an index holds");
    stats_->add_option("--db", stats_db_, "Database directory")->required();
    stats_->add_flag("--json", stats_json_, "JSON output");

    tag_ = app.add_subcommand("tag", "Run the entity tagger on an article, or on CoNLL columns with --conll");
    tag_->add_flag("--conll", tag_conll_, "Read CoNLL columns; print 'token gold predicted' (IOB2)");
    tag_->add_option("FILE", tag_file_, "Input file ('-' for standard input)")->required();

    compact_ = app.add_subcommand("compact", "Compact a database in place (smaller, faster to search)");
    compact_->add_option("--db", compact_db_, "Database directory")->required();
}

int IndexerCommands::run(std::ostream& out, std::ostream& err) {
    if (build_->parsed()) {
        build_opt_.shard_by = parse_shard_by(shard_by_);
        for (const std::string& f : json_fields_) {
            size_t eq = f.find('=');
            if (eq == std::string::npos || eq == 0 || eq + 1 == f.size())
                throw Error("--json-field wants FIELD=KEY, got '" + f + "'");
            std::string field = f.substr(0, eq);
            static const std::set<std::string> known {"id", "date", "title", "body", "source", "url"};
            if (!known.count(field)) throw Error("--json-field: unknown field '" + field + "'");
            build_opt_.reader.json_fields[field] = f.substr(eq + 1);
        }
        build_opt_.progress = quiet_      ? BuildOptions::Progress::Never
                              : progress_ ? BuildOptions::Progress::Always
                                          : BuildOptions::Progress::Auto;
        build_opt_.compact = !no_compact_;
        BuildSummary s = build_index(build_opt_, err);
        out << s.line() << '\n';
        if (s.compacted_to > 0) print_compacted(out, build_opt_.db, s.compacted_from, s.compacted_to);
        return s.skipped ? 1 : 0;
    }
    if (stats_->parsed()) {
        IndexStats s = read_stats(stats_db_);
        if (stats_json_)
            print_stats_json(s, out);
        else
            print_stats_text(s, out);
        return 0;
    }
    if (tag_->parsed()) {
        std::ifstream file;
        std::istream* in = &std::cin;
        if (tag_file_ != "-") {
            file.open(tag_file_);
            if (!file) throw Error(printable(tag_file_) + ": cannot open");
            in = &file;
        }
        if (tag_conll_) {
            write_conll_tagging(*in, out);
        } else {
            std::stringstream text;
            text << in->rdbuf();
            out << tag_article_json(text.str()) << '\n';
        }
        return 0;
    }
    if (compact_->parsed()) {
        compact_index(compact_db_, out);
        return 0;
    }
    return 2;
}

void compact_index(const std::string& db_arg, std::ostream& out) {
    namespace fs = std::filesystem;
    const std::string db = database_path(db_arg);
    std::error_code ec;
    if (!fs::is_directory(db, ec) && !fs::exists(db + std::string(schema::kCompactOld), ec))
        throw Error(db + ": no such database folder");
    const RunLock run(db); // before any recovery: another run may be mid-swap
    const bool sharded = fs::exists(fs::path(db) / "sharding", ec);
    if (!sharded) recover_compaction(db); // a killed compaction of a single DB
    if (!fs::is_directory(db, ec)) throw Error(db + ": no such database folder");
    // A sharded index: each shard on its own, so the layout stays.
    std::vector<std::string> parts = sharded ? shard_folders(db) : std::vector<std::string> {db};
    long long before = 0, after = 0;
    for (const std::string& p : parts) {
        // Holding the write lock keeps an indexing run out meanwhile.
        Xapian::WritableDatabase lock;
        try {
            recover_compaction(p);
            lock = Xapian::WritableDatabase(p, Xapian::DB_OPEN);
        } catch (const Xapian::DatabaseLockError&) {
            throw Error(p + ": an indexing run is writing to it; compact when it is done");
        } catch (const Xapian::Error& e) {
            throw Error(p + ": cannot open: " + e.get_description());
        }
        auto [b, a] = compact_in_place(p);
        before += b;
        after += a;
    }
    print_compacted(out, db, before, after);
}

} // namespace news
