// Ranking a search that runs over some shards of an archive as if it ran
// over all of them. A date-pruned search matches only the shards of its
// range, but BM25 scores depend on collection statistics (number of
// articles, average length, each term's document frequency); taken from the
// searched shards alone they would rank the same articles differently from a
// single database holding the whole archive. ArchiveBM25Weight is BM25 with
// the search's parameters (searcher/ranking.h), computed in the same order of operations as
// Xapian::BM25Weight (so scores are bit for bit equal), fed with the whole
// archive's statistics.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <xapian.h>

namespace news {

struct ArchiveStats {
    Xapian::doccount doccount = 0;
    double average_length = 0;
    // Xapian tells a weight object its term only through the term's
    // statistics in the searched shards: (termfreq, collection frequency)
    // there -> termfreq in the whole archive.
    std::map<std::pair<Xapian::doccount, Xapian::termcount>, Xapian::doccount> termfreq;
};

// The archive's statistics for the weighted terms of `query`, keyed by their
// statistics in `searched`; nullopt when two of those terms cannot be told
// apart that way, or when the query expands terms at match time (wildcards),
// whose statistics cannot be known beforehand. The caller then searches the
// whole archive instead.
std::optional<ArchiveStats> archive_stats(const Xapian::Database& archive, const Xapian::Database& searched,
                                          const Xapian::Query& query);

class ArchiveBM25Weight : public Xapian::Weight {
public:
    explicit ArchiveBM25Weight(std::shared_ptr<const ArchiveStats> stats);

    ArchiveBM25Weight* clone() const override;
    void init(double factor) override;
    double get_sumpart(Xapian::termcount wdf, Xapian::termcount doclen, Xapian::termcount uniqterms) const override;
    double get_maxpart() const override;
    double get_sumextra(Xapian::termcount doclen, Xapian::termcount uniqterms) const override;
    double get_maxextra() const override;

private:
    std::shared_ptr<const ArchiveStats> stats_;
    double termweight_ = 0;
    double len_factor_ = 0;
};

} // namespace news
