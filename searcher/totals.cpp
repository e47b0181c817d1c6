#include "searcher/totals.h"

#include <algorithm>
#include <cmath>

namespace news {

// The total of a search whose match did not see every result. Xapian
// estimates the articles matching words, phrases and filters as if they
// occurred independently, and they do not (a phrase's words occur together
// far more often than that). So the articles are counted, by a boolean
// match (no weights, no order): exactly when at most kCountBudget can
// match, else in a sample of each database's documents (SampleSource)
// where about that many could, scaled up. Folded, times the share of
// stories the match saw. Rounded to two significant figures when not
// exact. Without `may_count`, or when more than kCountBudget can match and
// Xapian's bounds are within 5 % of each other, Xapian's estimate stands
// in for the count.
void settle_total(const Xapian::Database& db, const Xapian::Query& q, const MatchCount& c, bool fold, bool may_count,
                  SearchResponse& resp) {
    constexpr double kCountBudget = 250;
    const bool whole = c.upper <= kCountBudget;                   // every possible match can be counted
    double estimate = c.lower == c.upper ? c.lower : c.estimated; // articles
    if (fold) estimate *= c.story_rate;
    bool exact = c.lower == c.upper && !fold;
    // (Bounds within 5 % of each other hold the count closer than a
    // sample would; a count of every possible match is exact, and still
    // made.)
    const bool tight = c.lower == c.upper || (!whole && c.upper - c.lower <= c.lower / 20);
    if (may_count && !tight) {
        Xapian::Enquire count(db);
        count.set_weighting_scheme(Xapian::BoolWeight());
        auto tally = std::make_shared<SampleSource::Tally>();
        const double fraction = whole ? 1.0 : kCountBudget / c.upper;
        // (Each window has every posting list of the query skip ahead: a
        // query of many words, such as more-like-this's 40, is sampled in
        // fewer, wider windows.)
        const auto windows = std::clamp<Xapian::docid>(2048 / std::max<Xapian::termcount>(q.get_length(), 1), 16, 256);
        if (whole)
            count.set_query(q);
        else
            count.set_query(Xapian::Query(Xapian::Query::OP_FILTER, q,
                                          Xapian::Query((new SampleSource(fraction, windows, tally))->release())));
        Xapian::MSet m = count.get_mset(0, 0, db.get_doccount());
        double n = m.get_matches_lower_bound();
        if (!whole && tally->sampled > 0) n *= tally->docs / tally->sampled;
        estimate = fold ? n * c.story_rate : n;
        exact = whole && !fold && m.get_matches_lower_bound() == m.get_matches_upper_bound();
    }
    if (!exact) {
        double unit = 1;
        while (estimate >= 100 * unit) unit *= 10;
        estimate = std::round(estimate / unit) * unit;
    }
    resp.total_estimate = std::max(c.seen, static_cast<long>(estimate));
    resp.total_exact = exact;
}

} // namespace news
