// The ranked page: the results [offset, offset + limit) of a match, folded
// into stories, in relevance order with equal scores in article-id order
// (so that the order does not depend on document numbers, which differ
// between one database and shards of it), or sorted by date; then filled
// from the documents (snippets, entities) and ranked.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <xapian.h>

#include "searcher/plan.h"
#include "searcher/results.h"
#include "searcher/totals.h"

namespace news {

class Snippeter;

// One result of a page: its document, score and story (the collapse key,
// "" when not folded).
struct Hit {
    Xapian::docid did;
    double score;
    std::string story;
};

// A match's weight to 40 bits: sums of the same term weights taken in
// another order (Xapian reshapes a query's tree as its matcher goes, and
// each shard's differently) differ in the last bits, and equal weights must
// stay equal for ties to go in article-id order in one database and in
// shards alike.
double weight_of(const Xapian::MSetIterator& it);

struct Page {
    std::vector<Hit> hits;
    // What the match told of the total when it stopped early (the total
    // is then settle_total's to settle); nullopt when it is settled.
    std::optional<MatchCount> count;
    // Taken in plain relevance order (relevance_page): the caller puts
    // equal scores in id order once the results are filled.
    bool reordered = false;
};

// The page `plan` asks for, from `enq` (its query and weighting set); sets
// resp.total_estimate and total_exact as the match tells them.
// `check_at_least`: documents the match must check (a facet spy's).
Page take_page(Xapian::Enquire& enq, const SearchPlan& plan, Xapian::doccount check_at_least, SearchResponse& resp);

// relevance_page (for take_page, and tests): see page.cpp.
bool relevance_page(Xapian::Enquire& enq, bool fold, Xapian::doccount offset, Xapian::doccount limit,
                    std::vector<Hit>& page, SearchResponse& resp, MatchCount& count);

// Fills a result from its document: the stored fields, a snippet of the
// text marked by `snippeter`, the entities counted.
void fill_result(Result& r, const Xapian::Document& doc, const Snippeter& snippeter);

// Puts equal scores in id order when the page was reordered, numbers the
// results from offset + 1 and takes the relaxed search's bonus (ranking.h)
// off the scores of the matches that have it.
void rank_results(std::vector<Result>& results, bool reordered, int offset, double bonus);

} // namespace news
