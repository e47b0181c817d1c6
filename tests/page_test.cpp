#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "searcher/page.h"
#include "searcher/snippet.h"
#include "tests/search_db.h"
#include "tests/test_util.h"

using namespace news;

namespace {

// Six articles of equal score for "oil", their ids descending in document
// order.
std::string tie_db(const test::TempDir& dir) {
    test::write_tiny_db(dir.file("db"), {{"f", "", "oil x", ""},
                                         {"e", "", "oil x", ""},
                                         {"d", "", "oil x", ""},
                                         {"c", "", "oil x", ""},
                                         {"b", "", "oil x", ""},
                                         {"a", "", "oil gas", ""}});
    return dir.file("db");
}

std::vector<std::string> ids(const Xapian::Database& db, const std::vector<Hit>& hits) {
    std::vector<std::string> out;
    for (const Hit& h : hits) out.push_back(db.get_document(h.did).get_value(schema::kIdSlot));
    return out;
}

} // namespace

TEST_CASE("page: a page that cuts a tie takes the tie's smallest ids") {
    test::TempDir dir;
    Xapian::Database db(tie_db(dir));
    Xapian::Enquire enq(db);
    enq.set_query(Xapian::Query("oil"));
    SearchPlan plan;
    plan.reorder = true;
    plan.fold = false;
    plan.offset = 1;
    plan.limit = 2;
    SearchResponse resp;
    Page page = take_page(enq, plan, 0, resp);
    REQUIRE(page.reordered);
    CHECK(ids(db, page.hits) == std::vector<std::string> {"b", "c"});
    CHECK(page.count.has_value()); // (the match stopped early: the total is settle_total's)
    // A page that holds every match knows the total.
    plan.offset = 0;
    plan.limit = 10;
    page = take_page(enq, plan, 0, resp);
    // (Ties the page does not cut are put in id order by rank_results,
    // once the results are filled.)
    std::vector<std::string> all = ids(db, page.hits);
    std::sort(all.begin(), all.end());
    CHECK(all == std::vector<std::string> {"a", "b", "c", "d", "e", "f"});
    CHECK_FALSE(page.count.has_value());
    CHECK(resp.total_estimate == 6);
    CHECK(resp.total_exact);
}

TEST_CASE("page: Xapian's sorted page orders ties by id too, and dates newest first") {
    test::TempDir dir;
    Xapian::Database db(tie_db(dir));
    Xapian::Enquire enq(db);
    enq.set_query(Xapian::Query("oil"));
    SearchPlan plan;
    plan.fold = false;
    plan.limit = 3;
    SearchResponse resp;
    Page page = take_page(enq, plan, 0, resp);
    CHECK_FALSE(page.reordered);
    CHECK(ids(db, page.hits) == std::vector<std::string> {"a", "b", "c"});
}

TEST_CASE("page: results are ranked from the offset, ties by id, the relaxed bonus taken off") {
    std::vector<Result> results(3);
    results[0].id = "z", results[0].score = 12;
    results[1].id = "b", results[1].score = 1;
    results[2].id = "a", results[2].score = 12;
    rank_results(results, true, 10, 10);
    CHECK(results[0].id == "a");
    CHECK(results[1].id == "z");
    CHECK(results[0].rank == 11);
    CHECK(results[2].rank == 13);
    CHECK(results[0].score == 2);
    CHECK(results[2].score == 1);
}

TEST_CASE("page: a result is filled from its document, the query's words marked") {
    test::TempDir dir;
    Xapian::Database db(tie_db(dir));
    Result r;
    fill_result(r, db.get_document(6), Snippeter(Xapian::Query("gas")));
    CHECK(r.id == "a");
    CHECK(r.snippet.find("<mark>gas</mark>") != std::string::npos);
}
