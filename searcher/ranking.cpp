#include "searcher/ranking.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "common/schema.h"
#include "searcher/deadline.h"

namespace news {

namespace {

using Q = Xapian::Query;

// Snowball's English stop word list (snowballstem.org), less "us" (the
// United States in news).
constexpr const char* kStopWords[] = {
    "i",       "me",         "my",       "myself",     "we",      "our",    "ours",     "ourselves", "you",
    "your",    "yours",      "yourself", "yourselves", "he",      "him",    "his",      "himself",   "she",
    "her",     "hers",       "herself",  "it",         "its",     "itself", "they",     "them",      "their",
    "theirs",  "themselves", "what",     "which",      "who",     "whom",   "this",     "that",      "these",
    "those",   "am",         "is",       "are",        "was",     "were",   "be",       "been",      "being",
    "have",    "has",        "had",      "having",     "do",      "does",   "did",      "doing",     "would",
    "should",  "could",      "ought",    "i'm",        "you're",  "he's",   "she's",    "it's",      "we're",
    "they're", "i've",       "you've",   "we've",      "they've", "i'd",    "you'd",    "he'd",      "she'd",
    "we'd",    "they'd",     "i'll",     "you'll",     "he'll",   "she'll", "we'll",    "they'll",   "isn't",
    "aren't",  "wasn't",     "weren't",  "hasn't",     "haven't", "hadn't", "doesn't",  "don't",     "didn't",
    "won't",   "wouldn't",   "shan't",   "shouldn't",  "can't",   "cannot", "couldn't", "mustn't",   "let's",
    "that's",  "who's",      "what's",   "here's",     "there's", "when's", "where's",  "why's",     "how's",
    "a",       "an",         "the",      "and",        "but",     "if",     "or",       "because",   "as",
    "until",   "while",      "of",       "at",         "by",      "for",    "with",     "about",     "against",
    "between", "into",       "through",  "during",     "before",  "after",  "above",    "below",     "to",
    "from",    "up",         "down",     "in",         "out",     "on",     "off",      "over",      "under",
    "again",   "further",    "then",     "once",       "here",    "there",  "when",     "where",     "why",
    "how",     "all",        "any",      "both",       "each",    "few",    "more",     "most",      "other",
    "some",    "such",       "no",       "nor",        "not",     "only",   "own",      "same",      "so",
    "than",    "too",        "very",
};

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

// A free-text word's term: a stemmed word ("Z" + stem) or a word as typed
// (no prefix: prefixes are capital letters, words are lower case).
bool is_word_term(const std::string& t) {
    if (t.empty()) return false;
    if (t[0] == 'Z') return t.size() > 1 && !is_upper(t[1]);
    return !is_upper(t[0]);
}

std::string leaf_term(const Q& q) { return *q.get_terms_begin(); }

bool is_word_leaf(const Q& q) { return q.get_type() == Q::LEAF_TERM && is_word_term(leaf_term(q)); }

Q combine(Q::op op, const std::vector<Q>& parts) {
    if (parts.size() == 1) return parts[0];
    return Q(op, parts.begin(), parts.end());
}

std::vector<Q> children(const Q& q) {
    std::vector<Q> out;
    for (size_t i = 0; i < q.get_num_subqueries(); ++i) out.push_back(q.get_subquery(i));
    return out;
}

// The leaf terms every match of q must hold (a subset where that is unclear).
void required_terms(const Q& q, std::set<std::string>& out) {
    switch (q.get_type()) {
    case Q::LEAF_TERM: out.insert(leaf_term(q)); break;
    case Q::OP_AND:
    case Q::OP_PHRASE:
    case Q::OP_NEAR:
        for (const Q& c : children(q)) required_terms(c, out);
        break;
    case Q::OP_AND_NOT:
    case Q::OP_AND_MAYBE:
    case Q::OP_FILTER:
    case Q::OP_SCALE_WEIGHT: required_terms(q.get_subquery(0), out); break;
    default: break; // OR and the rest: no one term is required
    }
}

// An OR-default parse with what the user made explicit required: in an OR
// group, the plain words stay optional and everything else is required.
Q relax(const Q& q) {
    std::vector<Q> subs = children(q);
    switch (q.get_type()) {
    case Q::OP_OR: {
        std::vector<Q> words, required;
        for (const Q& c : subs) (is_word_leaf(c) ? words : required).push_back(is_word_leaf(c) ? c : relax(c));
        if (required.empty()) return q;
        Q must = combine(Q::OP_AND, required);
        return words.empty() ? must : Q(Q::OP_AND_MAYBE, must, combine(Q::OP_OR, words));
    }
    case Q::OP_AND:
        for (Q& c : subs) c = relax(c);
        return combine(Q::OP_AND, subs);
    case Q::OP_AND_NOT:
    case Q::OP_AND_MAYBE:
    case Q::OP_FILTER: subs[0] = relax(subs[0]); return Q(q.get_type(), subs.begin(), subs.end());
    default: return q;
    }
}

// Operators whose subqueries weigh as words of the query, and that can be
// rebuilt from their operator and subqueries alone; `first_only` when only
// the first subquery is weighed (the others exclude or filter).
bool weighted_operator(Q::op op, bool& first_only) {
    first_only = op == Q::OP_AND_NOT || op == Q::OP_FILTER;
    switch (op) {
    case Q::OP_AND:
    case Q::OP_OR:
    case Q::OP_AND_MAYBE:
    case Q::OP_XOR:
    case Q::OP_MAX:
    case Q::OP_AND_NOT:
    case Q::OP_FILTER: return true;
    default: return false;
    }
}

// q with each free-text word leaf replaced by what `leaf` makes of it.
template <typename Fn>
Q map_word_leaves(const Q& q, Fn&& leaf) {
    if (is_word_leaf(q)) return leaf(q);
    bool first_only = false;
    if (!weighted_operator(q.get_type(), first_only)) return q;
    std::vector<Q> subs = children(q);
    for (size_t i = 0; i < subs.size() && (i == 0 || !first_only); ++i) subs[i] = map_word_leaves(subs[i], leaf);
    return Q(q.get_type(), subs.begin(), subs.end());
}

// Accepts stemmed body words of three letters or more that are not stop
// words. (Also words that only one article has: leaving them out, as more
// like this does, measured worse, since they keep the top results on top.)
class FeedbackDecider : public Xapian::ExpandDecider {
public:
    FeedbackDecider() {
        Xapian::Stem stem("english");
        for (const char* w : kStopWords) stopped_.insert("Z" + stem(w));
    }
    bool operator()(const std::string& term) const override {
        if (term.size() <= 3 || term[0] != 'Z' || !is_word_term(term)) return false;
        return stopped_.count(term) == 0;
    }

private:
    std::set<std::string> stopped_;
};

} // namespace

std::unique_ptr<Xapian::Weight> bm25_weight() {
    return std::make_unique<Xapian::BM25Weight>(kBM25K1, kBM25K2, kBM25K3, kBM25B, kBM25MinNormlen);
}

const Xapian::Stopper& stop_words() {
    static const Xapian::SimpleStopper stopper(std::begin(kStopWords), std::end(kStopWords));
    return stopper;
}

Xapian::Query relaxed_query(const Xapian::Query& strict, const Xapian::Query& or_parse,
                            std::vector<std::string>& words) {
    words.clear();
    Q relaxed = relax(or_parse);
    std::set<std::string> before, after;
    required_terms(strict, before);
    required_terms(relaxed, after);
    for (auto t = strict.get_terms_begin(); t != strict.get_terms_end(); ++t) // (in query order)
        if (is_word_term(*t) && before.count(*t) && !after.count(*t) &&
            std::find(words.begin(), words.end(), *t) == words.end())
            words.push_back(*t);
    return words.empty() ? Q() : relaxed;
}

Xapian::Query weigh_titles(const Xapian::Query& q) {
    return map_word_leaves(q, [](const Q& leaf) {
        const std::string t = leaf_term(leaf);
        const std::string title = t[0] == 'Z' ? "ZS" + t.substr(1) : "S" + t;
        return Q(Q::OP_OR, leaf, Q(Q::OP_SCALE_WEIGHT, Q(title), kTitleWeight));
    });
}

Xapian::Query widen_possessives(const Xapian::Query& q) {
    return map_word_leaves(q, [](const Q& leaf) {
        const std::string t = leaf_term(leaf);
        if (t[0] == 'Z' || t.size() < 4 || t.compare(t.size() - 2, 2, "'s") != 0) return leaf;
        return Q(Q::OP_OR, leaf, Q(t.substr(0, t.size() - 2)));
    });
}

bool has_free_words(const Xapian::Query& q) {
    for (auto t = q.get_unique_terms_begin(); t != q.get_unique_terms_end(); ++t)
        if (is_word_term(*t)) return true;
    return false;
}

Xapian::Query feedback_terms(const Xapian::Database& db, const Xapian::Database& stats,
                             const std::vector<Xapian::docid>& top, const Xapian::Query& query) {
    if (top.empty()) return Q();
    // Xapian's ESet weighs terms by their frequency in each shard of a
    // sharded archive, not in the whole: this is its "trad" expansion
    // weight (Robertson and Sparck Jones; k = 1) on the whole archive's
    // statistics, so that shards expand a query as one database does.
    struct Tally {
        Xapian::doccount in_top = 0; // feedback documents with the term
        double multiplier = 0;       // their summed normalised wdf
    };
    std::set<std::string> known(query.get_unique_terms_begin(), query.get_unique_terms_end());
    std::map<std::string, Tally> tallies;
    const FeedbackDecider decider;
    const double average = stats.get_avlength();
    constexpr double k = 1;
    for (Xapian::docid d : top) {
        const double length = db.get_doclength(d);
        for (auto t = db.termlist_begin(d); t != db.termlist_end(d); ++t) {
            const std::string& term = *t;
            if (!decider(term) || known.count(term)) continue;
            const double wdf = std::max<Xapian::termcount>(1, t.get_wdf());
            Tally& tally = tallies[term];
            ++tally.in_top;
            tally.multiplier += (k + 1) * wdf / (k * (average > 0 ? length / average : 1) + wdf);
        }
    }
    const double n = stats.get_doccount(), r = static_cast<double>(top.size());
    std::vector<std::pair<double, std::string>> weighed;
    for (const auto& [term, tally] : tallies) {
        const double tf = std::max<double>(stats.get_termfreq(term), tally.in_top), rt = tally.in_top;
        const double w =
            tally.multiplier * std::log((rt + 0.5) * (n - tf - (r - rt) + 0.5) / ((tf - rt + 0.5) * (r - rt + 0.5)));
        if (w > 0 && tally.in_top >= kFeedbackMinDocs) weighed.emplace_back(w, term);
    }
    const size_t keep = std::min<size_t>(kFeedbackTerms, weighed.size());
    std::partial_sort(
        weighed.begin(), weighed.begin() + static_cast<std::ptrdiff_t>(keep), weighed.end(),
        [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    std::vector<Q> terms;
    for (size_t i = 0; i < keep; ++i) terms.emplace_back(Q::OP_SCALE_WEIGHT, Q(weighed[i].second), kFeedbackWeight);
    return terms.empty() ? Q() : Q(Q::OP_OR, terms.begin(), terms.end());
}

Xapian::Query all_words_first(const Xapian::Query& relaxed, const Xapian::Query& strict, double bonus) {
    Q first(Q::OP_AND, Q((new Xapian::FixedWeightPostingSource(bonus))->release()), Q(Q::OP_SCALE_WEIGHT, strict, 0));
    return Q(Q::OP_AND_MAYBE, relaxed, first);
}

namespace {

// rank_query's work, on its Enquire. Past the deadline it ends with the
// strict query as it is (a match that ran out of time says nothing about
// relaxing).
RankedQuery ranked_by(Xapian::Enquire& enq, const Xapian::Database& db, const Xapian::Database& stats,
                      const Xapian::Query& strict, const Xapian::Query& relaxed, bool feedback,
                      const Deadline* deadline) {
    RankedQuery plain;
    plain.query = plain.marked = strict;
    auto out_of_time = [deadline] { return deadline && deadline->passed(); };
    RankedQuery out = plain;
    auto top_of = [&enq](const Xapian::Query& q, Xapian::doccount n) {
        enq.set_query(q);
        return enq.get_mset(0, n + 1);
    };
    Xapian::MSet m = top_of(strict, std::max(kRelaxBelow, kFeedbackDocs));
    if (out_of_time()) return plain;
    std::vector<Xapian::docid> top; // the feedback's documents
    for (auto it = m.begin(); it != m.end() && top.size() < kFeedbackDocs; ++it) top.push_back(*it);
    // Feedback only where it can bring other matches up: a handful of
    // matches would only be reordered by their own words.
    bool more = m.size() > kFeedbackDocs;
    if (!relaxed.empty() && m.size() < kRelaxBelow) {
        out.relaxed = true;
        out.all_words = static_cast<long>(m.size());
        out.query = out.marked = relaxed;
        if (feedback) {
            // The all-words matches, then the best of the others.
            Xapian::MSet r = top_of(relaxed, kFeedbackDocs + static_cast<Xapian::doccount>(top.size()));
            for (auto it = r.begin(); it != r.end() && top.size() < kFeedbackDocs; ++it)
                if (std::find(top.begin(), top.end(), *it) == top.end()) top.push_back(*it);
            more = r.size() > kFeedbackDocs;
        }
    }
    if (feedback && more && !out_of_time()) {
        Xapian::Query extra = feedback_terms(db, stats, top, out.query);
        if (!extra.empty()) out.query = Xapian::Query(Xapian::Query::OP_AND_MAYBE, out.query, extra);
    }
    return out;
}

} // namespace

RankedQuery rank_query(const Xapian::Database& db, const Xapian::Database& stats, const Xapian::Weight& weighting,
                       const Xapian::Query& strict, const Xapian::Query& relaxed, bool fold, bool feedback,
                       const Deadline* deadline) {
    RankedQuery plain;
    plain.query = plain.marked = strict;
    if (relaxed.empty() && !feedback) return plain;
    Xapian::Enquire enq(db);
    enq.set_weighting_scheme(weighting);
    if (fold) enq.set_collapse_key(schema::kStorySlot);
    // Which articles are the top n, and which copy stands for a folded
    // story, must not depend on document numbers (which differ between one
    // database and its shards): equal weights go in article-id order.
    enq.set_sort_by_relevance_then_value(schema::kIdSlot, false);
    std::optional<DeadlineSpy> stop;
    if (deadline) enq.add_matchspy(&stop.emplace(*deadline));
    try {
        return ranked_by(enq, db, stats, strict, relaxed, feedback, deadline);
    } catch (const OutOfTime&) {
        return plain;
    }
}

void put_all_words_first(const Xapian::Database& db, const Xapian::Weight& weighting, const Xapian::Query& all_words,
                         RankedQuery& ranked) {
    if (!ranked.relaxed || ranked.all_words == 0) return;
    // A power of two above any weight the query can give, so that
    // subtracting it gives the weight back exactly.
    Xapian::Enquire enq(db);
    enq.set_weighting_scheme(weighting);
    enq.set_query(ranked.query);
    const double most = enq.get_mset(0, 0).get_max_possible();
    ranked.bonus = std::exp2(std::ceil(std::log2(most + 1)));
    ranked.query = all_words_first(ranked.query, all_words, ranked.bonus);
}

} // namespace news
