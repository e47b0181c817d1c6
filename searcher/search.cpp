#include "searcher/search.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include <xapian.h>

#include "common/dates.h"
#include "common/error.h"
#include "common/schema.h"
#include "common/text.h"
#include "searcher/deadline.h"
#include "searcher/export.h"
#include "searcher/facets.h"
#include "searcher/index.h"
#include "searcher/page.h"
#include "searcher/plan.h"
#include "searcher/query.h"
#include "searcher/ranking.h"
#include "searcher/snippet.h"
#include "searcher/totals.h"
#include "searcher/versions.h"
#include "searcher/weight.h"

namespace news {

namespace {

// Accepts the stemmed body words of a document as "more like this"
// expansion terms: nothing with a prefix, and nothing only this document
// has (such a term finds no other article).
class BodyTermDecider : public Xapian::ExpandDecider {
public:
    explicit BodyTermDecider(const Xapian::Database& db) : db_(db) {}
    bool operator()(const std::string& term) const override {
        if (term.size() <= 3 || term[0] != 'Z' || term[1] < 'a' || term[1] > 'z') return false;
        return db_.get_termfreq(term) >= 2;
    }

private:
    const Xapian::Database& db_;
};

constexpr Xapian::termcount kLikeTerms = 40; // expansion terms for --like
// The least time left for which the page's match gets Xapian's time limit:
// its timer can crash a match that ends just after it fires (deadline.h),
// and with so little left the page's match is all that remains to do.
constexpr double kMinMatchTimer = 0.1;

Xapian::Query filter(const Xapian::Query& q, const Xapian::Query& f) {
    if (f.empty()) return q;
    return Xapian::Query(Xapian::Query::OP_FILTER, q, f);
}

void check_request(const SearchRequest& r) {
    if (r.query.size() > SearchRequest::kMaxQueryBytes)
        throw QueryError("query is " + std::to_string(r.query.size()) + " bytes long; at most " +
                         std::to_string(SearchRequest::kMaxQueryBytes) + " allowed");
    if (!is_valid_utf8(r.query)) throw QueryError("query is not valid UTF-8");
    if (r.limit < 1 || r.limit > SearchRequest::kMaxLimit)
        throw QueryError("limit must be between 1 and " + std::to_string(SearchRequest::kMaxLimit));
    if (r.offset < 0 || r.offset + r.limit > SearchRequest::kMaxDepth)
        throw QueryError("offset + limit may be at most " + std::to_string(SearchRequest::kMaxDepth) +
                         " (refine the query instead of paging that deep)");
    if (r.facet_size < 1 || r.facet_size > 100) throw QueryError("facet size must be between 1 and 100");
    if (!r.date_unit.empty() && r.date_unit != "day" && r.date_unit != "month" && r.date_unit != "year")
        throw QueryError("the date unit is day, month or year");
}

// The articles most like the article `id` (its 40 best body words), less
// the article itself; `query` (the user's, if any) filters them.
Xapian::Query like_query(const Xapian::Database& db, const std::string& id, const std::string& text,
                         const Xapian::Query& query) {
    const std::string id_term = schema::id_term(id);
    Xapian::PostingIterator p = db.postlist_begin(id_term);
    if (p == db.postlist_end(id_term)) throw QueryError("no article with id '" + id + "'");
    Xapian::RSet rset;
    rset.add_document(*p);
    BodyTermDecider decider(db);
    Xapian::ESet eset = Xapian::Enquire(db).get_eset(kLikeTerms, rset, &decider);
    Xapian::Query like(Xapian::Query::OP_OR, eset.begin(), eset.end());
    like = Xapian::Query(Xapian::Query::OP_AND_NOT, like, Xapian::Query(id_term));
    if (text.empty() || query.get_type() == Xapian::Query::LEAF_MATCH_ALL) return like;
    return Xapian::Query(Xapian::Query::OP_FILTER, like, query);
}

// The request's date, entity and source filters on `q`.
Xapian::Query filtered(Xapian::Query q, const SearchRequest& req, QueryBuilder& builder) {
    // (A range before the first article is MatchNothing, an empty query:
    // filter() would take it for no filter at all.)
    if (!req.from.empty() || !req.to.empty())
        q = Xapian::Query(Xapian::Query::OP_FILTER, q, builder.date_filter(req.from, req.to));
    for (const std::string& e : req.entities) q = filter(q, builder.entity_filter(e));
    if (!req.sources.empty()) {
        std::vector<Xapian::Query> s;
        for (const std::string& src : req.sources) s.push_back(builder.source_filter(src));
        q = filter(q, Xapian::Query(Xapian::Query::OP_OR, s.begin(), s.end()));
    }
    return q;
}

// The query to match and how to weigh it, over the databases to search.
struct Matching {
    Xapian::Database db;
    std::unique_ptr<Xapian::Weight> weighting;
    bool archive_weights = false; // the whole archive's statistics over pruned shards
    Xapian::Query query;
    RankedQuery ranked; // (ranked.marked: what snippets mark; bonus)
};

} // namespace

struct Searcher::Impl {
    explicit Impl(const std::string& path) : index(path) {}
    Index index;

    SearchResponse run(const SearchRequest& req);
    // `ranked`: relax and add feedback as a search does; else the query as parsed.
    Matching prepare(const SearchRequest& req, const Deadline& deadline, SearchResponse& resp, bool ranked = true);
    bool weigh_over_archive(Matching& m, const Xapian::Query& query);
    void search_every_shard(Matching& m, SearchResponse& resp);
    void rank(Matching& m, const SearchRequest& req, const ParsedQuery& parsed, QueryBuilder& builder,
              const Deadline& deadline, SearchResponse& resp);
    void count_facets(const SearchPlan& plan, const Matching& m, FacetSpy& spy, const Deadline& deadline,
                      SearchResponse& resp);
    void fill_page(const Matching& m, Page& page, SearchResponse& resp);
};

// A pruned search ranks with the whole archive's statistics, so that it
// orders its articles as a single database would. False when those cannot
// be supplied for `query` (see archive_stats).
bool Searcher::Impl::weigh_over_archive(Matching& m, const Xapian::Query& query) {
    std::optional<ArchiveStats> stats = archive_stats(index.whole(), m.db, query);
    if (!stats) return false;
    m.weighting = std::make_unique<ArchiveBM25Weight>(std::make_shared<const ArchiveStats>(std::move(*stats)));
    m.archive_weights = true;
    return true;
}

void Searcher::Impl::search_every_shard(Matching& m, SearchResponse& resp) {
    m.db = index.whole();
    resp.shards = index.shard_names();
    m.archive_weights = false;
    m.weighting = bm25_weight();
}

// The databases the date range needs, the parsed query with its filters
// and more-like-this, weighted, then ranked (relaxation, feedback).
Matching Searcher::Impl::prepare(const SearchRequest& req, const Deadline& deadline, SearchResponse& resp,
                                 bool ranked) {
    DateRange range;
    if (!req.from.empty() || !req.to.empty()) range = parse_date_range(req.from + ".." + req.to);
    Matching m;
    m.db = index.for_range(range.from, range.to, resp.shards);
    resp.shards_total = static_cast<int>(index.shard_names().size());
    // Spelling and aliases come from the whole archive, whatever shards the
    // date range leaves to search.
    QueryBuilder builder(index.whole());
    ParsedQuery parsed = builder.parse(req.query);
    resp.suggestion = parsed.corrected;
    resp.notices = parsed.notices;
    resp.stop_words = parsed.stop_words;
    m.query = parsed.query;
    // (More-like-this needs the whole archive.)
    const bool pruned = resp.shards.size() < index.shard_names().size();
    const Xapian::Query all_words =
        parsed.relaxed.empty() ? m.query : Xapian::Query(Xapian::Query::OP_OR, m.query, parsed.relaxed);
    if (!pruned || !req.like_id.empty() || !weigh_over_archive(m, all_words)) {
        if (pruned) search_every_shard(m, resp);
        m.weighting = bm25_weight();
    }
    if (!req.like_id.empty()) m.query = like_query(m.db, req.like_id, req.query, m.query);
    m.query = filtered(m.query, req, builder);
    m.ranked.query = m.ranked.marked = m.query;
    // Relaxation and feedback only for the user's words (not more like
    // this); a search out of time already goes without.
    if (ranked && req.like_id.empty() && has_free_words(parsed.query) && !deadline.passed())
        rank(m, req, parsed, builder, deadline, resp);
    resp.relaxed = m.ranked.relaxed;
    if (m.ranked.relaxed) {
        resp.optional_words = parsed.optional_words;
        resp.all_words_matches = m.ranked.all_words;
    }
    return m;
}

// Relaxation and pseudo-relevance feedback (ranking.h); feedback only where
// the order is by relevance.
void Searcher::Impl::rank(Matching& m, const SearchRequest& req, const ParsedQuery& parsed, QueryBuilder& builder,
                          const Deadline& deadline, SearchResponse& resp) {
    const Xapian::Query relaxed = parsed.relaxed.empty() ? Xapian::Query() : filtered(parsed.relaxed, req, builder);
    // Its matches count against the time limit (but a remote shard server
    // cannot run the spy that keeps it).
    const Deadline* limit = !index.remote() && may_take(m.db, m.query, req.time_limit, false) ? &deadline : nullptr;
    const bool feedback = req.sort == SortOrder::Relevance;
    m.ranked = rank_query(m.db, index.whole(), *m.weighting, m.query, relaxed, req.collapse, feedback, limit);
    if (m.archive_weights && m.ranked.query.get_description() != m.query.get_description() &&
        !weigh_over_archive(m, m.ranked.query)) {
        // The feedback's terms need the archive's statistics too; failing
        // those, search every shard.
        search_every_shard(m, resp);
        m.ranked = rank_query(m.db, index.whole(), *m.weighting, m.query, relaxed, req.collapse, feedback, limit);
    }
    put_all_words_first(m.db, *m.weighting, parsed.query, m.ranked);
    m.query = m.ranked.query;
}

// Facets as the plan counts them (facets.h).
void Searcher::Impl::count_facets(const SearchPlan& plan, const Matching& m, FacetSpy& spy, const Deadline& deadline,
                                  SearchResponse& resp) {
    switch (plan.facets) {
    case FacetMode::None: break;
    case FacetMode::ByDatabase:
        count_facets_by_database(index.facet_parts(m.db, resp.shards), m.query, plan.fold, plan.facet_size, deadline,
                                 plan.timed, resp, plan.date_unit);
        break;
    case FacetMode::FromDocuments:
        count_facets_from_documents(m.db, m.query, plan.facet_size, spy, resp, plan.date_unit);
        break;
    case FacetMode::InMatcher:
        take_spied_facets(spy, plan.facet_size, deadline, plan.timed, resp, plan.date_unit);
        break;
    }
}

namespace {

// The matching articles without a date: those no bar of the histogram
// counts (known when every match was counted).
void count_undated(SearchResponse& resp) {
    if (!resp.facets.present || resp.total_articles < 0) return;
    long dated = 0;
    for (const FacetEntry& d : resp.facets.date) dated += d.count;
    resp.facets.undated = std::max(0L, resp.total_articles - dated);
}

} // namespace

// The page's results from their documents, each story's other versions
// (which may show the story by another of its copies), in order.
void Searcher::Impl::fill_page(const Matching& m, Page& page, SearchResponse& resp) {
    Snippeter snippeter(m.ranked.marked);
    std::vector<std::pair<std::string, Xapian::docid>> shown; // per result: story, document
    for (Hit& hit : page.hits) {
        Result r;
        r.score = hit.score;
        fill_result(r, m.db.get_document(hit.did, Xapian::DOC_ASSUME_VALID), snippeter); // (found by the match)
        shown.emplace_back(std::move(hit.story), hit.did);
        resp.results.push_back(std::move(r));
    }
    const std::vector<Xapian::docid> better = add_other_versions(m.db, index.remote(), m.query, shown, resp.results,
                                                                 page.reordered ? m.weighting.get() : nullptr);
    for (size_t i = 0; i < better.size(); ++i)
        if (better[i]) fill_result(resp.results[i], m.db.get_document(better[i], Xapian::DOC_ASSUME_VALID), snippeter);
    for (Result& r : resp.results) mark_first_published(r);
}

// One search, stage by stage: the query, the plan, the page and its total,
// the facets, the results with their versions.
SearchResponse Searcher::Impl::run(const SearchRequest& req) {
    const auto t0 = std::chrono::steady_clock::now();
    const Deadline deadline(t0, req.time_limit);
    SearchResponse resp;
    resp.query = req.query;
    resp.offset = req.offset;
    resp.limit = req.limit;
    Matching m = prepare(req, deadline, resp);
    const bool timed = may_take(m.db, m.query, req.time_limit, index.remote());
    const SearchPlan plan = make_plan(req, {index.remote(), m.db.size(), resp.shards.size(), timed});

    Xapian::Enquire enq(m.db);
    enq.set_weighting_scheme(*m.weighting);
    enq.set_query(m.query);
    // Xapian's own limit only where it leaves the timer time (deadline.h).
    if (plan.timed && deadline.left() >= kMinMatchTimer) enq.set_time_limit(deadline.left());
    FacetSpy spy;
    Xapian::doccount check_at_least = 0;
    if (plan.facets == FacetMode::InMatcher) {
        enq.add_matchspy(&spy);
        check_at_least = m.db.get_doccount();
    }
    Page page = take_page(enq, plan, check_at_least, resp);
    if (page.count) settle_total(m.db, m.query, *page.count, plan.fold, plan.may_count, resp);
    count_facets(plan, m, spy, deadline, resp);
    count_undated(resp);
    fill_page(m, page, resp);
    rank_results(resp.results, page.reordered, req.offset, m.ranked.bonus);

    resp.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    resp.explanation = m.query.get_description();
    if (req.time_limit > 0 && resp.seconds >= req.time_limit)
        resp.notices.push_back("the search hit its time limit of " + std::to_string(req.time_limit).substr(0, 4) +
                               " s; results and counts may be incomplete");
    return resp;
}

SortOrder parse_sort(const std::string& s) {
    if (s.empty() || s == "relevance") return SortOrder::Relevance;
    if (s == "date" || s == "newest") return SortOrder::Newest;
    if (s == "oldest") return SortOrder::Oldest;
    throw QueryError("unknown sort '" + s + "' (use relevance, date or oldest)");
}

Searcher::Searcher(const std::string& db_path) : impl_(std::make_unique<Impl>(db_path)) {}

Searcher::~Searcher() = default;

void Searcher::reopen() { impl_->index.reopen(); }

void Searcher::keep_facet_table() { impl_->index.keep_facet_tables(); }

const Xapian::Database& Searcher::database() const { return impl_->index.whole(); }

MatchSet Searcher::match_set(const SearchRequest& req, bool as_searched) {
    check_request(req);
    if (impl_->index.remote()) throw QueryError("an export reads every match here: not over remote shards");
    try {
        const Deadline none(std::chrono::steady_clock::now(), 0);
        SearchResponse resp;
        Matching prep = impl_->prepare(req, none, resp, as_searched);
        MatchSet m;
        m.query = std::move(prep.query);
        m.notices = std::move(resp.notices);
        if (prep.db.size() == 1) {
            m.parts.push_back(prep.db);
            m.weighting = std::move(prep.weighting);
        } else if (resp.shards.size() == prep.db.size()) {
            // Each shard weighs with its own statistics: the order across
            // shards is near that of one database, not the same.
            for (FacetPart& p : impl_->index.facet_parts(prep.db, resp.shards)) m.parts.push_back(p.db);
            m.weighting = bm25_weight();
        } else {
            throw QueryError("an export reads a database or a sharded folder, not a stub naming several databases");
        }
        return m;
    } catch (const Xapian::QueryParserError& e) {
        throw QueryError("cannot parse query: " + e.get_msg());
    } catch (const Xapian::Error& e) {
        throw Error(printable(impl_->index.path()) + ": " + e.get_description());
    }
}

SearchResponse Searcher::search(const SearchRequest& req) {
    check_request(req);
    for (int attempt = 0;; ++attempt) {
        try {
            return impl_->run(req);
        } catch (const Xapian::DatabaseModifiedError&) {
            // The indexer committed while we read: take the new revision.
            if (attempt >= 3)
                throw Error(printable(impl_->index.path()) + ": index keeps changing under the search; try again");
            impl_->index.refresh();
        } catch (const Xapian::QueryParserError& e) {
            throw QueryError("cannot parse query: " + e.get_msg());
        } catch (const Xapian::Error& e) {
            throw Error(printable(impl_->index.path()) + ": " + e.get_description());
        }
    }
}

} // namespace news
