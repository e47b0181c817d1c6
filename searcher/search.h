// The search library: takes a SearchRequest, opens the index, and returns a
// SearchResponse of plain structs (results with snippets and entities, their
// folded copies, facets). Formatting to text, JSON or HTML is elsewhere.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "searcher/results.h"

namespace Xapian {
class Database;
}

namespace news {

struct MatchSet; // (export.h)

enum class SortOrder { Relevance, Newest, Oldest };

struct SearchRequest {
    std::string query;                 // query language of DESIGN.md
    std::string from, to;              // dates (YYYY, YYYY-MM or YYYY-MM-DD) or empty
    std::vector<std::string> entities; // "TYPE:NAME" filters, TYPE person|org|place|misc|entity
    std::vector<std::string> sources;  // source filters (ORed)
    SortOrder sort = SortOrder::Relevance;
    int offset = 0;          // 0 ..= kMaxDepth
    int limit = 10;          // 1 ..= kMaxLimit
    bool facets = false;     // count facets over the whole match set
    int facet_size = 10;     // top-N per facet
    bool collapse = true;    // fold syndicated copies of a story
    std::string like_id;     // "more like this" article id, or empty
    double time_limit = 5.0; // seconds the matcher may take (0 = none)
    std::string date_unit;   // the date histogram's bars: "day", "month", "year"; "" by the matches' span

    static constexpr int kMaxLimit = 1000;
    static constexpr int kMaxDepth = 10000; // offset + limit
    static constexpr size_t kMaxQueryBytes = 4096;
};

class Searcher {
public:
    // Opens the database (a directory or a Xapian stub file); throws
    // news::Error when it cannot be opened.
    explicit Searcher(const std::string& db_path);
    ~Searcher();
    Searcher(const Searcher&) = delete;
    Searcher& operator=(const Searcher&) = delete;

    // Throws news::QueryError for a query or option that cannot be
    // understood, news::Error for anything else.
    SearchResponse search(const SearchRequest& request);

    // Every match of `request`, for a caller that reads them all
    // (export.h); offset, limit and the time limit do not apply. With
    // `as_searched`, the matches a search counts (a query of plain words
    // that finds too few relaxed, as search() does); else the query as
    // written (a saved search that should not drift).
    MatchSet match_set(const SearchRequest& request, bool as_searched = true);

    // Moves to the index's latest commit (for a process that serves many
    // searches, e.g. newssearch.cgi under FastCGI).
    void reopen();

    // For a process that serves many searches: keeps every document's facet
    // values in memory (per index revision, read again after a new commit),
    // so that a search with facets only counts. Single databases only.
    void keep_facet_table();

    // The whole index (every shard), for modules that read one document
    // directly (article.h); valid while the Searcher lives.
    const Xapian::Database& database() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// "date"/"newest" -> Newest, "oldest", "relevance"; throws news::QueryError.
SortOrder parse_sort(const std::string& s);

} // namespace news
