// The indexing run: finds input files under the given roots, works out which
// are new, changed or gone since the last run, reads and converts articles on
// worker threads, and writes them in order through one Writer
// (indexer/writer.h): one Xapian writer in batched commits, or for a fresh
// build parallel segments (indexer/bulk.h).
// A killed run leaves a database that opens; re-running finishes it.
#pragma once

#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "indexer/filter.h"
#include "indexer/readers.h"
#include "indexer/store.h"

namespace news {

struct BuildOptions {
    std::string db;                   // database directory (created when missing)
    ShardBy shard_by = ShardBy::None; // one database, or one per month/year under `db`
    std::vector<std::string> roots;   // files or folders to index
    unsigned threads = 0;             // readers, as many workers (and segment writers); 0 = see build_index
    enum class Progress { Auto, Always, Never };
    Progress progress = Progress::Auto; // Auto: only when stderr is a terminal
    // Seconds between progress reports: 0 for 0.25 on a terminal (one line
    // redrawn) and 5 elsewhere (plain lines).
    double progress_every = 0;
    ReaderOptions reader; // JSON key mapping etc.
    FileFilter filter;    // --include / --exclude globs for files in folders
    // Source of the articles that name none (no field, no byline or
    // dateline naming an outlet): default "", the folder's name.
    std::string source;
    long commit_every = 20000;  // at most this many articles between commits (see kCommitTerms)
    double commit_seconds = 30; // and at most this long between commits (default 30)
    // A fresh build merges into the index at the first commit this long
    // after its last merge (default 300): a kill loses at most that much.
    double checkpoint_seconds = 300;
    bool compact = true; // compact the databases this run at least doubled
    // A fresh build of at least this many bytes of input writes through
    // parallel segments (indexer/bulk.h); a smaller one through one writer.
    long long bulk_min_bytes = 8LL << 20;
};

struct BuildSummary {
    long files_scanned = 0;                     // input files found under the roots
    long files_indexed = 0;                     // new or changed files read this run
    long files_ignored = 0;                     // files of no known format under the roots
    long paths_unread = 0;                      // folders that could not be listed, link loops, dangling links
    long files_excluded = 0;                    // files matching an --exclude glob
    long not_articles = 0;                      // files that do not look like articles (README, word lists), not read
    std::vector<std::string> not_article_names; // the first few of them, by file name
    long indexed = 0;                           // articles from new files
    long updated = 0;                           // articles from changed files
    long removed = 0;                           // articles of files that are gone or changed
    long skipped = 0;                           // records or files that could not be indexed
    long repaired = 0;                          // records kept after repair (e.g. bad UTF-8)
    std::map<std::string, long> skip_reasons;
    std::map<std::string, long> repair_reasons;
    double seconds = 0;
    long long compacted_from = 0, compacted_to = 0; // bytes, when the run compacted
    long commits = 0;        // commits during the run (a fresh build's: merges asked for), not counting the last
    long names_resolved = 0; // partial names resolved across the archive (indexer/names.h)
    long names_articles = 0; // articles they were resolved in

    std::string line() const; // "indexed N, updated U, removed R, skipped S (...)"
};

// Runs one build. Record problems are written to `log` as "file:line:
// reason" and counted; throws news::Error when the run itself fails.
BuildSummary build_index(const BuildOptions& options, std::ostream& log);

} // namespace news
