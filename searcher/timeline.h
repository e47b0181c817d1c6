// Who was in the news when: an entity's articles and stories per day,
// month or year within a search's matches (`newssearch --timeline`), and
// the entities most often named in the same articles as one
// (`--cooccur`), scored by how much more often than chance.
#pragma once

#include <string>
#include <vector>

#include "searcher/search.h"

namespace news {

struct TimelineSeries {
    std::string entity;               // "TYPE:NAME" as asked
    std::vector<FacetEntry> points;   // name: the period ("2026-03", ...); count articles; stories
    long articles = -1, stories = -1; // in all (-1: not counted exactly)
    long undated = 0;
};

struct Timeline {
    std::string unit; // "day", "month" or "year": the same for every series
    std::vector<TimelineSeries> series;
};

// Each entity's counts within `base`'s matches (its filters and dates
// apply; offset and limit do not). The unit is `base.date_unit`, else the
// one the whole match set's span calls for. Each series is the date
// histogram of the search `base` + that entity filter, so its counts are
// those searches' totals.
Timeline entity_timeline(Searcher& searcher, const SearchRequest& base, const std::vector<std::string>& entities);

struct Cooccurrence {
    std::string type, name; // PERSON, ORG, PLACE, MISC; canonical name
    long count = 0;         // articles naming both (within the matches)
    long articles = 0;      // articles naming it (within the matches)
    double lift = 0;        // P(it | entity) / P(it)
    double pmi = 0;         // log2(lift)
};

// The entities most often named with `entity` ("TYPE:NAME") in `base`'s
// matches, at most `n`: the 3n most frequent, ordered by count x PMI
// (local mutual information), so that a name found everywhere ("United
// States") ranks below one found with it more often than chance.
std::vector<Cooccurrence> cooccurring(Searcher& searcher, const SearchRequest& base, const std::string& entity,
                                      int n = 20);

std::string to_json(const Timeline& t);
std::string to_json(const std::string& entity, const std::vector<Cooccurrence>& c);

} // namespace news
