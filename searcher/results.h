// What a search returns: plain structs (results with snippets and entities,
// their folded copies, facets, totals) that the formatters (format.h,
// html.h) and the facet counts fill or read, without the search itself.
#pragma once

#include <string>
#include <vector>

namespace news {

struct StoredArticle;

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

// An article's entities with their mentions counted, most mentioned first,
// ties in order of first mention.
std::vector<EntityCount> count_entities(const StoredArticle& a);

// Marks the earliest of a result and its other versions first published
// (by date, undated last; on a tie the story's first article, then the
// id); nothing when it has none. Dates compare as strings (ISO or compact).
void mark_first_published(Result& r);

} // namespace news
