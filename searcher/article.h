// One article, whole, by its id: what the article page and `newssearch show`
// display. Its text in paragraphs (the words of the search it was reached
// from marked), its entities, the other versions of its story and the
// articles most like it. The id is looked up as a term, nothing else.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "searcher/results.h"

namespace news {

class Searcher;

struct ArticleRequest {
    std::string id;                    // the article's id; at most schema::kMaxIdBytes
    std::string query;                 // highlight this query's words ("" = none)
    std::vector<std::string> entities; // and the mentions of these "TYPE:NAME" filters
    int like = 5;                      // "more like this" results, 0 = none (at most SearchRequest::kMaxLimit)
    size_t max_versions = 100;         // other versions listed at most (versions_total counts them all)
    double time_limit = 5.0;           // seconds the "more like this" match may take (0 = none)
};

struct ArticleView {
    std::string id, title, date, source, url, path;
    std::string fold;             // how it joined its story (schema::kFoldSlot), "" for a story's first article
    bool first_published = false; // the earliest of its story's versions (set only when it has others)
    // The body, a paragraph each, white space collapsed: as plain text, and
    // HTML-escaped with the query's words in <mark>…</mark>.
    std::vector<std::string> paragraphs, paragraphs_html;
    std::vector<EntityCount> entities; // most mentioned first
    std::vector<DocRef> versions;      // the other articles of its story, first published first
    size_t versions_total = 0;         // how many there are (versions holds max_versions at most)
    std::vector<Result> like;          // the articles most like it, as `newssearch --like ID` finds them
};

// The article with `request.id`, or nullopt when the index has none. Throws
// news::QueryError for a query or filter that cannot be parsed, news::Error
// when the index cannot be read.
std::optional<ArticleView> fetch_article(Searcher& searcher, const ArticleRequest& request);

// The paragraphs of a body as byte ranges, white space at their ends left
// out: split at blank lines or, in a text without any (Reuters wire copy),
// at lines that start indented.
std::vector<std::pair<size_t, size_t>> paragraph_ranges(std::string_view body);

} // namespace news
