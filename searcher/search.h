// The search library: takes a SearchRequest, opens the index, and returns a
// SearchResponse of plain structs (results with snippets and entities, their
// folded copies, facets). Formatting to text, JSON or HTML is elsewhere.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace Xapian {
class Database;
}

namespace news {

struct StoredArticle;
struct MatchSet;

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

    static constexpr int kMaxLimit = 1000;
    static constexpr int kMaxDepth = 10000; // offset + limit
    static constexpr size_t kMaxQueryBytes = 4096;
};

struct EntityCount {
    std::string type; // PERSON, ORG, PLACE, MISC
    std::string name;
    int count = 0;
};

struct DocRef {
    std::string id, source, date, title, path;
    std::string fold;             // how a copy was matched (schema::kFoldSlot), empty for a story's first article
    bool first_published = false; // the earliest version of its story
};

struct Result {
    std::string id;
    int rank = 0;
    double score = 0;
    std::string date, title, source, path, url;
    std::string snippet; // HTML-escaped, matches in <mark>…</mark>
    std::vector<EntityCount> entities;
    std::vector<DocRef> duplicates;
    std::string fold;             // as DocRef::fold
    bool first_published = false; // (set only when it has other versions)
};

struct FacetEntry {
    std::string name;
    long count = 0;   // articles
    long stories = 0; // distinct stories among them (syndicated copies count once)
};

struct Facets {
    std::vector<FacetEntry> person, org, place, misc, source;
    std::vector<FacetEntry> date;  // name is the day ("2026-03-04"), month or year
    std::string date_unit = "day"; // "day", "month" or "year"
    long undated = 0;              // matching articles without a date (no bar of `date` counts them)
    bool present = false;
};

struct SearchResponse {
    std::string query;
    long total_estimate = 0; // stories when folding, else articles
    bool total_exact = false;
    // Both counts, when every match was counted (facets) and exactly so;
    // -1 otherwise.
    long total_articles = -1, total_stories = -1;
    int offset = 0, limit = 10;
    std::string suggestion; // empty when none
    // Relaxed: the plain words all together matched fewer than
    // kRelaxBelow stories (ranking.h), so they were made optional; the
    // articles that have them all (all_words_matches stories, or articles
    // when not folding) still come first.
    bool relaxed = false;
    std::vector<std::string> optional_words; // the words made optional, as typed
    long all_words_matches = 0;
    std::vector<std::string> stop_words; // left out of the query, as typed
    std::vector<Result> results;
    Facets facets;
    double seconds = 0;
    std::vector<std::string> notices; // e.g. "wildcard expanded to its 100 most frequent words"
    std::vector<std::string> shards;  // shards searched (sharded index), by period
    int shards_total = 0;             // shards the index has (0: not sharded)
    std::string explanation;          // the Xapian query that ran
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

// An article's entities with their mentions counted, most mentioned first,
// ties in order of first mention.
std::vector<EntityCount> count_entities(const StoredArticle& a);

// Marks the earliest of a result and its other versions first published
// (by date, undated last; on a tie the story's first article, then the
// id); nothing when it has none. Dates compare as strings (ISO or compact).
void mark_first_published(Result& r);

} // namespace news
