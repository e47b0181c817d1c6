// What a search will do, decided once from the request and the index
// before anything is matched: how the page is taken and ordered, whether
// the match is timed, whether a total the page leaves open may be counted,
// how the facets are counted. Searcher::search runs its stages over it.
#pragma once

#include <string>

#include <cstddef>

#include <xapian.h>

#include "searcher/search.h"

namespace news {

enum class FacetMode {
    None,
    // Database by database after the page: one database, or local shards
    // each opened on its own (facets.h, count_facets_by_database).
    ByDatabase,
    // By a spy in the page's match, which then checks every document: the
    // databases a stub names, which cannot be opened one by one.
    InMatcher,
    // From the documents of a second match: remote shards, whose server
    // cannot run a spy.
    FromDocuments,
};

struct SearchPlan {
    SortOrder sort = SortOrder::Relevance;
    bool fold = true; // syndicated copies folded into stories, other versions listed
    Xapian::doccount offset = 0, limit = 10;
    int facet_size = 10;
    std::string date_unit; // (SearchRequest::date_unit)
    FacetMode facets = FacetMode::None;
    // The match may reach the time limit (may_take): Xapian's timer on the
    // page's match, and the facet count keeps the deadline.
    bool timed = false;
    // The page is taken in plain relevance order and its ties put in id
    // order (page.h); else Xapian sorts (and folds) it.
    bool reorder = false;
    // A total the page's match leaves open may be counted (totals.h).
    bool may_count = false;
};

// What the plan depends on besides the request.
struct PlanInputs {
    bool remote = false;    // some database is remote
    size_t databases = 1;   // databases searched (Xapian::Database::size())
    size_t shards_used = 0; // shards of a sharded folder among them, each open on its own
    bool timed = false;     // may_take() of the query
};

SearchPlan make_plan(const SearchRequest& req, const PlanInputs& in);

// A page this many stories deep (offset + limit) is folded by Xapian:
// reading the stories one article at a time costs more there than its
// reading them in document order.
inline constexpr int kMaxFoldDepth = 4000;

// Whether matching `q` could take `seconds`: a match reads at most the
// postings of its terms (and a value range a value per document), each in
// well under a fixed time. Xapian's time limit starts a timer thread, which
// a match that cannot come near its limit goes without.
bool may_take(const Xapian::Database& db, const Xapian::Query& q, double seconds, bool remote);

} // namespace news
