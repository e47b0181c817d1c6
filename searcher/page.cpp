#include "searcher/page.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <unordered_map>
#include <unordered_set>

#include "common/codec.h"
#include "common/schema.h"
#include "searcher/snippet.h"

namespace news {

double weight_of(const Xapian::MSetIterator& it) {
    const double w = it.get_weight();
    if (w == 0) return 0;
    int exponent = 0;
    std::frexp(w, &exponent);
    const double scale = std::ldexp(1.0, 40 - exponent);
    return std::round(w * scale) / scale;
}

// The results [offset, offset + limit) of `enq` in relevance-then-id order,
// folded into stories when `fold` (a story where its best article ranks),
// and the total when the match saw every result (else in `count`, what
// settle_total needs). Xapian's own folding reads the story of every
// document the matcher weighs, and its id order the id of each (a value
// read each, all over the value table); this takes the match in plain
// relevance order and
// reads the story of the articles down to one story past the page, fetching
// more when copies fill it. Equal scores are put in id order afterwards
// (and a story shown by its copy of smallest id among those of its best
// score) by the caller, except where they decide which results are on the
// page: results of the score of the page's first or last result that rank
// just outside it. Then every story of that score is read, with the ids of
// its copies of that score, and that score's stories are put in id order
// here. A query of filters alone (every score 0) is matched in id order
// instead, which Xapian applies (reading every match's id). Returns false,
// leaving the page empty, for a tie too large to read this way (or one of
// score 0 after scored results).
bool relevance_page(Xapian::Enquire& enq, bool fold, Xapian::doccount offset, Xapian::doccount limit,
                    std::vector<Hit>& page, SearchResponse& resp, MatchCount& count) {
    const Xapian::doccount want = offset + limit + 1; // results, one past the page
    Xapian::doccount fetch = fold ? want + want / 4 + 4 : want;
    Xapian::MSet m;
    bool every = false; // every match is in m
    std::vector<Hit> hits;
    std::unordered_set<std::string> stories;
    std::vector<std::string> story_of; // per item of m looked at (when folding)
    Xapian::doccount looked = 0;
    Xapian::MSetIterator it;
    // Looks at the next item of m: a hit when it starts a story.
    auto look = [&] {
        std::string story;
        if (fold) {
            story = it.get_document().get_value(schema::kStorySlot);
            story_of.push_back(story);
        }
        // (a document without a story is a story of its own)
        if (!fold || story.empty() || stories.insert(story).second)
            hits.push_back({*it, weight_of(it), std::move(story)});
        ++it;
        ++looked;
    };
    auto restart = [&] {
        hits.clear();
        stories.clear();
        story_of.clear();
        looked = 0;
        it = m.begin();
    };
    bool by_id = false; // matched in id order
    for (;;) {
        m = enq.get_mset(0, fetch);
        if (!by_id && m.size() > 1 && m.get_max_possible() == 0) {
            // A query of filters alone scores every match 0: the id order
            // is all there is. Xapian applies it (reading every match's
            // id), and a story is shown by its first article in that
            // order, its smallest id.
            by_id = true;
            enq.set_sort_by_value(schema::kIdSlot, false);
            continue;
        }
        every = m.size() < fetch;
        restart();
        while (it != m.end() && (every || hits.size() < want)) look();
        if (hits.size() >= want || every) break;
        fetch *= 2;
    }
    if (every) {
        resp.total_estimate = static_cast<long>(hits.size());
        resp.total_exact = true;
    } else {
        // The total is the caller's to settle (settle_total), with stories
        // as often among the matches as among those looked at.
        count = {m.get_matches_lower_bound(), m.get_matches_upper_bound(), m.get_matches_estimated(),
                 fold ? static_cast<double>(hits.size()) / looked : 1.0, static_cast<long>(hits.size())};
    }
    // The scores that the page's edges cut (the lower last). (None in id
    // order: ids differ.)
    const size_t n = hits.size(), begin = std::min<size_t>(offset, n), end = std::min<size_t>(n, offset + limit);
    std::vector<double> cut;
    if (!by_id && begin < end && begin > 0 && hits[begin - 1].score == hits[begin].score)
        cut.push_back(hits[begin].score);
    if (!by_id && begin < end && end < n && hits[end - 1].score == hits[end].score &&
        (cut.empty() || cut.back() != hits[end].score))
        cut.push_back(hits[end].score);
    if (!cut.empty()) {
        // Every story of the lowest cut score: the articles down to the
        // first of a lower score.
        while (it != m.end() && weight_of(it) >= cut.back()) look();
        if (it == m.end() && !every) {
            // m ends inside the tie: match again for every article of at
            // least that score (a weight cutoff lets Xapian skip the rest
            // as it does once a page is full), and look at them all. (m
            // is the start of that match.)
            const double lowest = cut.back();
            const Xapian::doccount max_fetch = 4 * want + 1000; // (wider ties are Xapian's to order)
            if (!(lowest > 0)) return false;
            enq.set_cutoff(0, lowest * (1 - 1e-9)); // (a hair below: weights in [that, lowest) end the tie)
            m = enq.get_mset(0, max_fetch);
            enq.set_cutoff(0, 0);
            if (m.size() >= max_fetch) return false;
            restart();
            while (it != m.end()) look();
        }
    }
    for (double score : cut) {
        // The stories of this score, each shown by its copy of smallest
        // id among those of this score, in id order.
        auto first = std::find_if(hits.begin(), hits.end(), [score](const Hit& h) { return h.score == score; });
        auto last = std::find_if(first, hits.end(), [score](const Hit& h) { return h.score != score; });
        // Position in [first, last) by story, or by document for a hit
        // without a story.
        std::unordered_map<std::string, size_t> by_story;
        std::unordered_map<Xapian::docid, size_t> by_doc;
        for (auto h = first; h != last; ++h) {
            const auto at = static_cast<size_t>(h - first);
            if (h->story.empty())
                by_doc.emplace(h->did, at);
            else
                by_story.emplace(h->story, at);
        }
        std::vector<std::string> ids(static_cast<size_t>(last - first));
        Xapian::doccount k = 0;
        for (auto i = m.begin(); k < looked; ++i, ++k) {
            if (weight_of(i) != score) continue;
            const bool storied = fold && !story_of[k].empty();
            auto w = storied ? by_story.find(story_of[k]) : by_story.end();
            auto d = storied ? by_doc.end() : by_doc.find(*i);
            if (storied ? w == by_story.end() : d == by_doc.end()) continue; // (a story of a higher score)
            const size_t at = storied ? w->second : d->second;
            std::string id = i.get_document().get_value(schema::kIdSlot);
            if (ids[at].empty() || id < ids[at]) {
                ids[at] = std::move(id);
                first[static_cast<std::ptrdiff_t>(at)].did = *i;
            }
        }
        std::vector<size_t> order(ids.size());
        for (size_t j = 0; j < order.size(); ++j) order[j] = j;
        std::sort(order.begin(), order.end(), [&ids](size_t x, size_t y) { return ids[x] < ids[y]; });
        std::vector<Hit> sorted;
        sorted.reserve(order.size());
        for (size_t j : order) sorted.push_back(std::move(first[static_cast<std::ptrdiff_t>(j)]));
        std::move(sorted.begin(), sorted.end(), first);
    }
    page.assign(std::make_move_iterator(hits.begin() + begin), std::make_move_iterator(hits.begin() + end));
    return true;
}

namespace {

// The page as Xapian sorts (and folds) it: relevance then id, or by date.
Page sorted_page(Xapian::Enquire& enq, const SearchPlan& plan, Xapian::doccount check_at_least, SearchResponse& resp) {
    switch (plan.sort) {
    case SortOrder::Relevance: enq.set_sort_by_relevance_then_value(schema::kIdSlot, false); break;
    case SortOrder::Newest: enq.set_sort_by_value_then_relevance(schema::kDateSlot, true); break;
    case SortOrder::Oldest: enq.set_sort_by_value_then_relevance(schema::kDateSlot, false); break;
    }
    if (plan.fold) enq.set_collapse_key(schema::kStorySlot);
    Xapian::MSet mset = enq.get_mset(plan.offset, plan.limit, check_at_least);
    Page page;
    resp.total_estimate = static_cast<long>(mset.get_matches_estimated());
    resp.total_exact = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
    if (!resp.total_exact && plan.may_count) {
        // Stories as often among the matches as among the page's articles
        // and the copies folded into them.
        double copies = 0;
        for (auto it = mset.begin(); it != mset.end(); ++it) copies += it.get_collapse_count();
        const double rate = plan.fold && !mset.empty() ? mset.size() / (mset.size() + copies) : 1.0;
        page.count = MatchCount {mset.get_uncollapsed_matches_lower_bound(), mset.get_uncollapsed_matches_upper_bound(),
                                 mset.get_uncollapsed_matches_estimated(), rate,
                                 static_cast<long>(plan.offset) + static_cast<long>(mset.size())};
    }
    for (auto it = mset.begin(); it != mset.end(); ++it)
        page.hits.push_back({*it, weight_of(it), plan.fold ? it.get_collapse_key() : std::string()});
    return page;
}

} // namespace

Page take_page(Xapian::Enquire& enq, const SearchPlan& plan, Xapian::doccount check_at_least, SearchResponse& resp) {
    if (plan.reorder) {
        // (Where the ties are too wide to read, Xapian orders the page.)
        enq.set_sort_by_relevance();
        Page page;
        MatchCount c;
        page.reordered = relevance_page(enq, plan.fold, plan.offset, plan.limit, page.hits, resp, c);
        if (page.reordered) {
            if (!resp.total_exact) page.count = c;
            return page;
        }
    }
    return sorted_page(enq, plan, check_at_least, resp);
}

void fill_result(Result& r, const Xapian::Document& doc, const Snippeter& snippeter) {
    StoredArticle a = decode_article(doc.get_data());
    r.id = std::move(a.id);
    r.snippet = snippeter.snippet(a);
    r.entities = count_entities(a);
    r.date = std::move(a.date);
    r.title = std::move(a.title);
    r.source = std::move(a.source);
    r.path = std::move(a.path);
    r.url = std::move(a.url);
    r.fold = doc.get_value(schema::kFoldSlot);
}

void rank_results(std::vector<Result>& results, bool reordered, int offset, double bonus) {
    if (reordered)
        std::stable_sort(results.begin(), results.end(), [](const Result& x, const Result& y) {
            return x.score != y.score ? x.score > y.score : x.id < y.id;
        });
    for (size_t i = 0; i < results.size(); ++i) {
        results[i].rank = offset + static_cast<int>(i) + 1;
        if (bonus > 0 && results[i].score >= bonus) results[i].score -= bonus;
    }
}

} // namespace news
