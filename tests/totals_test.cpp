#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "searcher/totals.h"
#include "tests/search_db.h"
#include "tests/test_util.h"

using namespace news;

namespace {

// `n` articles, every third one with "rare", all with "common".
std::string numbered_db(const test::TempDir& dir, int n) {
    std::vector<test::TinyArticle> articles;
    for (int i = 0; i < n; ++i)
        articles.push_back({"id" + std::to_string(i), "", i % 3 == 0 ? "common rare" : "common", ""});
    test::write_tiny_db(dir.file("db"), articles);
    return dir.file("db");
}

} // namespace

TEST_CASE("totals: few possible matches are counted exactly") {
    test::TempDir dir;
    Xapian::Database db(numbered_db(dir, 100));
    SearchResponse resp;
    MatchCount c {10, 200, 150, 1.0, 10}; // (bounds as a stopped match gives them)
    settle_total(db, Xapian::Query("rare"), c, false, true, resp);
    CHECK(resp.total_estimate == 34);
    CHECK(resp.total_exact);
}

TEST_CASE("totals: without counting, Xapian's estimate stands, rounded to two figures") {
    test::TempDir dir;
    Xapian::Database db(numbered_db(dir, 10));
    SearchResponse resp;
    settle_total(db, Xapian::Query("rare"), MatchCount {1000, 5000, 1234, 1.0, 10}, false, false, resp);
    CHECK(resp.total_estimate == 1200);
    CHECK_FALSE(resp.total_exact);
    // Folded: times the share of stories seen; never fewer than were seen.
    settle_total(db, Xapian::Query("rare"), MatchCount {1000, 5000, 1234, 0.5, 10}, true, false, resp);
    CHECK(resp.total_estimate == 620);
    settle_total(db, Xapian::Query("rare"), MatchCount {1, 5000, 3, 1.0, 10}, false, false, resp);
    CHECK(resp.total_estimate == 10);
}

TEST_CASE("totals: many possible matches are counted in a sample and scaled up") {
    test::TempDir dir;
    Xapian::Database db(numbered_db(dir, 3000));
    SearchResponse resp;
    settle_total(db, Xapian::Query("rare"), MatchCount {100, 3000, 200, 1.0, 10}, false, true, resp);
    CHECK_FALSE(resp.total_exact);
    CHECK(resp.total_estimate >= 900); // 1000 match
    CHECK(resp.total_estimate <= 1100);
}

TEST_CASE("totals: the sample source covers about its fraction, the same every time") {
    test::TempDir dir;
    Xapian::Database db(numbered_db(dir, 2000));
    auto count = [&db] {
        auto tally = std::make_shared<SampleSource::Tally>();
        Xapian::Enquire enq(db);
        enq.set_query(Xapian::Query((new SampleSource(0.1, 16, tally))->release()));
        Xapian::MSet m = enq.get_mset(0, 0, db.get_doccount());
        CHECK(tally->docs == 2000);
        CHECK(m.get_matches_lower_bound() == tally->sampled);
        return m.get_matches_lower_bound();
    };
    const Xapian::doccount n = count();
    CHECK(n >= 190);
    CHECK(n <= 230);
    CHECK(count() == n);
}
