// Every match of a search, streamed: `newssearch --export csv|jsonl` and
// the web page's "Download CSV". One row per story (its copies counted)
// unless the request does not fold, in relevance or date order.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include <xapian.h>

#include "searcher/search.h"

namespace news {

// What a request matches, for a caller that reads every match: the parts
// to read (each shard of a sharded folder on its own, else the database),
// the final query, and a weighting per part for relevance order.
struct MatchSet {
    std::vector<Xapian::Database> parts;
    Xapian::Query query;
    std::unique_ptr<Xapian::Weight> weighting; // one part: the search's own; several: BM25 per part
    std::vector<std::string> notices;
};

enum class ExportFormat { Csv, Jsonl };
// "csv" or "jsonl"; throws news::QueryError for anything else.
ExportFormat parse_export_format(const std::string& s);

struct ExportOptions {
    ExportFormat format = ExportFormat::Csv;
    long max_rows = 0;       // 0: every match
    bool hide_paths = false; // leave the path column empty (the web server's files are its own)
    // Called every few thousand rows and at the end: rows written, rows in all.
    std::function<void(long, long)> progress;
};

struct ExportSummary {
    long rows = 0;          // rows written
    long articles = 0;      // matching articles (rows when not folding)
    long stories = 0;       // distinct stories among them
    bool truncated = false; // max_rows cut the export short
};

// The CSV columns, in order: rank, id, story, copies (matching articles of
// the story), date, source, title, url, path, people, organisations,
// places, misc (names joined by "; ", most mentioned first), lead (the
// first paragraphs, one a line). The JSON lines have the same keys (names
// as arrays), plus "text".
const std::vector<std::string>& export_columns();

// One CSV field as RFC 4180 writes it: quoted when it holds a comma, a
// quote, CR or LF (quotes doubled).
std::string csv_field(const std::string& s);

// Writes every match of `request` (its offset and limit are ignored) to
// `out`. Memory: 24 bytes a match for the order, one article at a time.
ExportSummary export_matches(Searcher& searcher, const SearchRequest& request, const ExportOptions& options,
                             std::ostream& out);

} // namespace news
