// Relevance beyond the parsed query: which plain words a search may make
// optional when all of them find too few stories (relaxation), title words
// weighed above body words, stop words, BM25's parameters, and
// pseudo-relevance feedback. Each was kept because tools/bench --relevance
// measured it better (docs/benchmarks.md); all are general settings.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <xapian.h>

namespace news {

class Deadline;

// BM25's parameters: Robertson's usual k1 = 1.2, b = 0.75 (Xapian's
// defaults are k1 = 1, b = 0.5). k2 = 0, k3 = 1, min_normlen = 0.5 as Xapian.
inline constexpr double kBM25K1 = 1.2, kBM25K2 = 0, kBM25K3 = 1, kBM25B = 0.75, kBM25MinNormlen = 0.5;
std::unique_ptr<Xapian::Weight> bm25_weight();

// Plain words all required find fewer stories than this: the search relaxes
// (a page of results; the all-words matches still come first).
inline constexpr Xapian::doccount kRelaxBelow = 10;

// The English stop words (Snowball's list) the query parser leaves out of
// free text; a query of stop words alone keeps them (Xapian does so).
const Xapian::Stopper& stop_words();

// The query parsed with OR as its default operator, with what the user made
// explicit kept required: words with +, phrases (and hyphenated words),
// NEAR, groups joined by AND, wildcards; NOT and filters kept as they are.
// `words` gets the terms that relaxed parse leaves optional but `strict`
// (the default parse, AND) requires; the result is empty when there is none.
Xapian::Query relaxed_query(const Xapian::Query& strict, const Xapian::Query& or_parse,
                            std::vector<std::string>& words);

// Title words weighed above body words: each free-text word term also
// scores, at kTitleWeight of its weight, as a title word ("S"/"ZS" prefix).
// The match set is unchanged (a title's words are also body words).
inline constexpr double kTitleWeight = 0.5;
Xapian::Query weigh_titles(const Xapian::Query& q);

// A capitalised possessive ("Iran's", which the parser does not stem) also
// finds the name without it.
Xapian::Query widen_possessives(const Xapian::Query& q);

// Pseudo-relevance feedback: the kFeedbackTerms best expansion terms (body
// words, not stop words, not in `query`) of the top kFeedbackDocs results
// (documents of `db`), weighed with the statistics of `stats` (the whole
// archive), each at kFeedbackWeight; the caller joins them to the query by
// AND_MAYBE, so that they reorder its matches but never add any. Empty when
// there is none.
inline constexpr Xapian::doccount kFeedbackDocs = 10;
inline constexpr Xapian::termcount kFeedbackTerms = 10;
inline constexpr double kFeedbackWeight = 0.3;
inline constexpr Xapian::doccount kFeedbackMinDocs = 2; // feedback documents a term must be in
Xapian::Query feedback_terms(const Xapian::Database& db, const Xapian::Database& stats,
                             const std::vector<Xapian::docid>& top, const Xapian::Query& query);

// Whether a query has any weighted free-text word (feedback needs some).
bool has_free_words(const Xapian::Query& q);

// `relaxed` with the articles that `strict` matches ranked first: those get
// `bonus` (more than any article of `relaxed` can score) on top of their
// weight.
Xapian::Query all_words_first(const Xapian::Query& relaxed, const Xapian::Query& strict, double bonus);

// What a search matches and ranks, from its parsed (and filtered) queries.
struct RankedQuery {
    Xapian::Query query;  // to match and rank
    Xapian::Query marked; // whose words snippets mark (the user's, without feedback terms)
    double bonus = 0;     // added to the weight of the all-words matches of a relaxed search
    bool relaxed = false;
    long all_words = 0; // when relaxed: stories (articles unfolded) that have all the words, exactly
};

// Runs the all-words match for at most kRelaxBelow stories (folding them
// by kStorySlot when `fold`); when it finds fewer and `relaxed` is not
// empty, takes `relaxed`; then, with `feedback`, joins the feedback terms
// of the top results. `weighting` is the search's; `stats` the whole
// archive (db may be some of its shards). Past `deadline` (when given) it
// stops and returns `strict` as it is: ranking refines a search, and one
// out of time goes without.
RankedQuery rank_query(const Xapian::Database& db, const Xapian::Database& stats, const Xapian::Weight& weighting,
                       const Xapian::Query& strict, const Xapian::Query& relaxed, bool fold, bool feedback,
                       const Deadline* deadline = nullptr);

// A relaxed query's articles that match `all_words` ranked first (sets
// ranked.bonus), with `weighting` as the search will rank.
void put_all_words_first(const Xapian::Database& db, const Xapian::Weight& weighting, const Xapian::Query& all_words,
                         RankedQuery& ranked);

} // namespace news
