// Tests for searcher/timeline.*: a timeline's periods are the filtered
// searches' date histograms in one unit, and co-occurrence counts are the
// articles two names share, the entity itself left out.
#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "common/error.h"
#include "common/text.h"
#include "searcher/timeline.h"
#include "tests/corpus_db.h"

using namespace news;
using news::test::corpus_db;

TEST_CASE("timeline: each series is the filtered search's histogram, all in one unit") {
    Searcher s(corpus_db());
    SearchRequest base;
    base.time_limit = 0;
    base.date_unit = "day";
    const Timeline t = entity_timeline(s, base, {"place:Iran", "place:Iraq"});
    CHECK(t.unit == "day");
    REQUIRE(t.series.size() == 2);
    for (const TimelineSeries& series : t.series) {
        SearchRequest one = base;
        one.entities = {series.entity};
        one.facets = true;
        one.collapse = false;
        const SearchResponse r = s.search(one);
        long sum = 0;
        for (const FacetEntry& p : series.points) sum += p.count;
        CHECK(sum + series.undated == r.total_articles);
        CHECK(series.articles == r.total_articles);
    }
    CHECK_THROWS_AS(entity_timeline(s, base, {}), QueryError);
}

TEST_CASE("cooccurrence: shared articles, lift against the matches, never the entity itself") {
    Searcher s(corpus_db());
    SearchRequest base;
    base.time_limit = 0;
    const auto list = cooccurring(s, base, "place:Iran", 5);
    REQUIRE_FALSE(list.empty());
    CHECK(list.size() <= 5);
    for (const Cooccurrence& c : list) {
        CHECK(c.name != "Iran");
        CHECK(c.count <= c.articles);
        CHECK(c.lift > 0);
    }
    const Cooccurrence& top = list.front();
    SearchRequest both = base;
    both.collapse = false;
    both.facets = true;
    both.entities = {"place:Iran", to_lower(top.type) + ":" + top.name};
    CHECK(s.search(both).total_articles == top.count);
}
