#include "searcher/plan.h"

#include <vector>

#include "searcher/query.h"

namespace news {

SearchPlan make_plan(const SearchRequest& req, const PlanInputs& in) {
    SearchPlan p;
    p.sort = req.sort;
    p.fold = req.collapse;
    p.offset = static_cast<Xapian::doccount>(req.offset);
    p.limit = static_cast<Xapian::doccount>(req.limit);
    p.facet_size = req.facet_size;
    p.date_unit = req.date_unit;
    p.timed = in.timed;
    if (req.facets)
        p.facets = in.remote                                             ? FacetMode::FromDocuments
                   : in.databases == 1 || in.shards_used == in.databases ? FacetMode::ByDatabase
                                                                         : FacetMode::InMatcher;
    // Reordering takes a second match for a tie, which would count the
    // spy's facets twice and start a time limit again; folding it reads a
    // story a round trip each from remote shards.
    p.reorder = req.sort == SortOrder::Relevance && p.facets != FacetMode::InMatcher && !p.timed &&
                !(req.collapse && (in.remote || req.offset + req.limit > kMaxFoldDepth));
    // (Remote shards cannot run the count's sample, nor is there time for it
    // under a time limit; facets count every match anyway.)
    p.may_count = !req.facets && !in.remote && !p.timed;
    return p;
}

bool may_take(const Xapian::Database& db, const Xapian::Query& q, double seconds, bool remote) {
    constexpr double kSecondsPerPosting = 5e-6;
    if (seconds <= 0) return false;
    if (remote) return true; // (statistics cost a round trip each)
    const double docs = db.get_doccount();
    double postings = 0;
    std::vector<Xapian::Query> todo {q};
    while (!todo.empty()) {
        Xapian::Query x = std::move(todo.back());
        todo.pop_back();
        switch (x.get_type()) {
        case Xapian::Query::LEAF_TERM:
            for (auto t = x.get_unique_terms_begin(); t != x.get_unique_terms_end(); ++t)
                postings += db.get_termfreq(*t);
            break;
        case Xapian::Query::LEAF_MATCH_NOTHING: break;
        case Xapian::Query::OP_WILDCARD: postings += docs * QueryBuilder::kMaxWildcardExpansion; break;
        default:
            // Everything else reads at most a value or a posting per document
            // (match-all, value ranges, sources unknown to us), plus what its
            // subqueries read.
            if (x.get_num_subqueries() == 0) postings += docs;
            for (size_t i = 0; i < x.get_num_subqueries(); ++i) todo.push_back(x.get_subquery(i));
        }
        if (postings * kSecondsPerPosting >= seconds) return true;
    }
    return postings * kSecondsPerPosting >= seconds;
}

} // namespace news
