#include "searcher/weight.h"

#include <algorithm>
#include <cmath>

#include "searcher/ranking.h"

namespace news {

namespace {

// The search's BM25 parameters (bm25_weight(); k2 is 0).
constexpr double kK1 = kBM25K1, kK3 = kBM25K3, kB = kBM25B, kMinNormlen = kBM25MinNormlen;
static_assert(kBM25K2 == 0, "ArchiveBM25Weight has no k2 term");

// Operators whose weight object sees estimated or match-time statistics
// rather than one term's: a synonym group is weighted as one pseudo-term,
// and a wildcard expands into such a group inside the matcher.
bool has_combined_terms(const Xapian::Query& q) {
    auto op = q.get_type();
    if (op == Xapian::Query::OP_WILDCARD || op == Xapian::Query::OP_SYNONYM) return true;
    for (size_t i = 0; i < q.get_num_subqueries(); ++i)
        if (has_combined_terms(q.get_subquery(i))) return true;
    return false;
}

} // namespace

std::optional<ArchiveStats> archive_stats(const Xapian::Database& archive, const Xapian::Database& searched,
                                          const Xapian::Query& query) {
    if (has_combined_terms(query)) return std::nullopt;
    ArchiveStats stats;
    stats.doccount = archive.get_doccount();
    stats.average_length = stats.doccount == 0 ? 0 : static_cast<double>(archive.get_total_length()) / stats.doccount;
    for (auto t = query.get_unique_terms_begin(); t != query.get_unique_terms_end(); ++t) {
        Xapian::doccount tf = searched.get_termfreq(*t);
        if (tf == 0) continue; // matches nothing here: its weight is never asked for
        auto key = std::make_pair(tf, searched.get_collection_freq(*t));
        Xapian::doccount whole = archive.get_termfreq(*t);
        auto [it, fresh] = stats.termfreq.emplace(key, whole);
        if (!fresh && it->second != whole) return std::nullopt;
    }
    return stats;
}

ArchiveBM25Weight::ArchiveBM25Weight(std::shared_ptr<const ArchiveStats> stats) : stats_(std::move(stats)) {
    need_stat(TERMFREQ);
    need_stat(COLLECTION_FREQ);
    need_stat(WDF);
    need_stat(WDF_MAX);
    need_stat(WQF);
    need_stat(DOC_LENGTH);
    need_stat(DOC_LENGTH_MIN);
}

ArchiveBM25Weight* ArchiveBM25Weight::clone() const { return new ArchiveBM25Weight(stats_); }

// The order of operations is Xapian::BM25Weight's (xapian-core 1.4), so that
// a search over every shard scores exactly as Xapian's own BM25 would.
void ArchiveBM25Weight::init(double factor) {
    len_factor_ = stats_->average_length;
    if (len_factor_ != 0) len_factor_ = 1 / len_factor_;
    if (factor == 0) { // a boolean filter, or the term-independent part
        termweight_ = 0;
        return;
    }
    Xapian::doccount tf = get_termfreq();
    auto it = stats_->termfreq.find({tf, get_collection_freq()});
    if (it != stats_->termfreq.end()) tf = it->second;
    Xapian::doccount n = stats_->doccount;
    double tw = (n - tf + 0.5) / (tf + 0.5);
    if (tw < 2) tw = tw * 0.5 + 1;
    termweight_ = std::log(tw) * factor;
    double wqf = get_wqf();
    termweight_ *= (kK3 + 1) * wqf / (kK3 + wqf);
    termweight_ *= (kK1 + 1);
}

double ArchiveBM25Weight::get_sumpart(Xapian::termcount wdf, Xapian::termcount doclen, Xapian::termcount) const {
    double normlen = std::max(doclen * len_factor_, kMinNormlen);
    double w = wdf;
    double denom = kK1 * (normlen * kB + (1 - kB)) + w;
    return termweight_ * (w / denom);
}

double ArchiveBM25Weight::get_maxpart() const {
    double normlen = std::max(std::max(get_wdf_upper_bound(), get_doclength_lower_bound()) * len_factor_, kMinNormlen);
    double w = get_wdf_upper_bound();
    double denom = kK1 * (normlen * kB + (1 - kB)) + w;
    return termweight_ * (w / denom);
}

double ArchiveBM25Weight::get_sumextra(Xapian::termcount, Xapian::termcount) const { return 0; }
double ArchiveBM25Weight::get_maxextra() const { return 0; }

} // namespace news
