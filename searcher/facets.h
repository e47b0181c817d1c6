// Facet counting over the whole match set: a Xapian match spy that reads the
// compact per-document entity list (schema::kEntitiesSlot), the source and
// the date of every document the matcher checks. Multi-valued: an article
// counts once for each of its distinct entities.
#pragma once

#include <string>
#include <unordered_map>

#include <xapian.h>

#include "searcher/search.h"

namespace news {

class FacetSpy : public Xapian::MatchSpy {
public:
    void operator()(const Xapian::Document& doc, double weight) override;

    // Top `n` of each facet by count (ties by name), date histogram by day,
    // coarsened to months over ~90 days and to years over ~6 years.
    Facets result(int n) const;

    long documents_seen() const { return seen_; }

private:
    // Counts by "T<name>" (T the type code of schema::kEntitiesSlot), by
    // source and by compact day. One map per kind, keys reused between
    // documents, so counting allocates only for names not seen before.
    std::unordered_map<std::string, long> entity_;
    std::unordered_map<std::string, long> source_;
    std::unordered_map<std::string, long> day_;
    std::string key_;
    long seen_ = 0;
};

} // namespace news
