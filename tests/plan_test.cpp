#include <doctest/doctest.h>

#include <string>

#include "searcher/plan.h"
#include "tests/search_db.h"
#include "tests/test_util.h"

using namespace news;

TEST_CASE("plan: how facets are counted follows where the databases are") {
    SearchRequest req;
    req.facets = true;
    CHECK(make_plan(req, {false, 1, 0, false}).facets == FacetMode::ByDatabase);   // one database
    CHECK(make_plan(req, {false, 3, 3, false}).facets == FacetMode::ByDatabase);   // local shards
    CHECK(make_plan(req, {false, 3, 0, false}).facets == FacetMode::InMatcher);    // a stub's databases
    CHECK(make_plan(req, {true, 3, 0, false}).facets == FacetMode::FromDocuments); // remote
    req.facets = false;
    CHECK(make_plan(req, {false, 3, 0, false}).facets == FacetMode::None);
}

TEST_CASE("plan: the page is reordered only in relevance order, untimed, without a spy, not too deep") {
    SearchRequest req;
    CHECK(make_plan(req, {false, 1, 0, false}).reorder);
    CHECK_FALSE(make_plan(req, {false, 1, 0, true}).reorder); // timed
    req.sort = SortOrder::Newest;
    CHECK_FALSE(make_plan(req, {false, 1, 0, false}).reorder);
    req.sort = SortOrder::Relevance;
    req.facets = true;
    CHECK_FALSE(make_plan(req, {false, 3, 0, false}).reorder); // the spy in the matcher
    CHECK(make_plan(req, {false, 1, 0, false}).reorder);
    req.facets = false;
    CHECK_FALSE(make_plan(req, {true, 2, 0, false}).reorder); // folding over remote shards
    req.collapse = false;
    CHECK(make_plan(req, {true, 2, 0, false}).reorder);
    req.collapse = true;
    req.offset = kMaxFoldDepth;
    CHECK_FALSE(make_plan(req, {false, 1, 0, false}).reorder);
}

TEST_CASE("plan: an open total is counted only untimed, locally, without facets") {
    SearchRequest req;
    CHECK(make_plan(req, {false, 1, 0, false}).may_count);
    CHECK_FALSE(make_plan(req, {true, 1, 0, false}).may_count);
    CHECK_FALSE(make_plan(req, {false, 1, 0, true}).may_count);
    req.facets = true;
    CHECK_FALSE(make_plan(req, {false, 1, 0, false}).may_count);
}

TEST_CASE("plan: a match of a few postings is not timed; no limit is never timed") {
    test::TempDir dir;
    test::write_tiny_db(dir.file("db"), {{"a", "", "oil", ""}, {"b", "", "gas", ""}});
    Xapian::Database db(dir.file("db"));
    CHECK_FALSE(may_take(db, Xapian::Query("oil"), 5.0, false));
    CHECK_FALSE(may_take(db, Xapian::Query("oil"), 0, true));
    CHECK(may_take(db, Xapian::Query("oil"), 5.0, true));   // remote: statistics cost a round trip
    CHECK(may_take(db, Xapian::Query("oil"), 1e-9, false)); // a limit it may reach
}
