#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "searcher/versions.h"
#include "tests/search_db.h"
#include "tests/test_util.h"

using namespace news;

TEST_CASE("versions: a story's copies that match are listed oldest first; a copy the query misses is not") {
    test::TempDir dir;
    test::write_tiny_db(dir.file("db"), {{"s", "1987-03-02", "oil strike", "s"},
                                         {"t", "1987-03-04", "oil strike again", "s"},
                                         {"u", "1987-03-03", "oil strike reprint", "s"},
                                         {"v", "1987-03-01", "gas", "s"},
                                         {"w", "1987-03-01", "oil elsewhere", ""}});
    Xapian::Database db(dir.file("db"));
    std::vector<Result> results(2);
    results[0].id = "s", results[0].date = "1987-03-02";
    results[1].id = "w", results[1].date = "1987-03-01";
    const std::vector<std::pair<std::string, Xapian::docid>> shown = {{"s", 1}, {"", 5}};
    std::vector<Xapian::docid> better = add_other_versions(db, false, Xapian::Query("oil"), shown, results, nullptr);
    CHECK(better == std::vector<Xapian::docid> {0, 0});
    REQUIRE(results[0].duplicates.size() == 2);
    CHECK(results[0].duplicates[0].id == "u");
    CHECK(results[0].duplicates[1].id == "t");
    CHECK(results[0].duplicates[0].fold == "reprint 0.90");
    CHECK(results[1].duplicates.empty());
}

TEST_CASE("versions: the earliest version is marked first published, undated last") {
    Result r;
    r.id = "b", r.date = "1987-03-02";
    mark_first_published(r);
    CHECK_FALSE(r.first_published); // (no other versions)
    r.duplicates = {DocRef {"a", "", "1987-03-01", "", "", "reprint 0.9"}, DocRef {"c", "", "", "", "", ""}};
    mark_first_published(r);
    CHECK(r.duplicates[0].first_published);
    CHECK_FALSE(r.first_published);
    Result undated;
    undated.id = "x";
    undated.duplicates = {DocRef {"y", "", "", "", "", "reprint 0.9"}};
    mark_first_published(undated);
    CHECK(undated.first_published); // (a tie: the story's first article)
}

TEST_CASE("versions: shard UUIDs tell local shards apart, not copies of one database") {
    test::TempDir dir;
    test::write_tiny_db(dir.file("a"), {{"a", "", "oil", ""}});
    test::write_tiny_db(dir.file("b"), {{"b", "", "oil", ""}});
    Xapian::Database two(dir.file("a"));
    two.add_database(Xapian::Database(dir.file("b")));
    CHECK(shard_uuids(two, false).size() == 2);
    CHECK(shard_uuids(two, true).empty());
    Xapian::Database copies(dir.file("a"));
    copies.add_database(Xapian::Database(dir.file("a")));
    CHECK(shard_uuids(copies, false).empty());
}
