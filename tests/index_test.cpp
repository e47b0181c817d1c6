#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/error.h"
#include "common/layout.h"
#include "searcher/index.h"
#include "tests/search_db.h"
#include "tests/test_util.h"

using namespace news;
using news::test::TempDir;

namespace {

// A folder sharded by month: 1987-02 (2 articles), 1987-03 (1), undated (1).
std::string sharded_folder(const TempDir& dir) {
    const std::string folder = dir.file("sharded");
    test::fs::create_directories(folder);
    test::write_tiny_db(folder + "/1987-02", {{"a", "1987-02-26", "oil prices", ""}, {"b", "1987-02-27", "oil", ""}});
    test::write_tiny_db(folder + "/1987-03", {{"c", "1987-03-02", "oil and gas", ""}});
    test::write_tiny_db(folder + "/undated", {{"d", "", "oil", ""}});
    test::write_file(folder + "/" + std::string(layout::kStubName),
                     layout::stub_text({"1987-02", "1987-03", "undated"}));
    return folder;
}

} // namespace

TEST_CASE("index: a single database opens whole, unsharded") {
    TempDir dir;
    test::write_tiny_db(dir.file("db"), {{"a", "1987-02-26", "oil", ""}});
    Index index(dir.file("db"));
    CHECK(index.whole().get_doccount() == 1);
    CHECK(index.shard_names().empty());
    CHECK_FALSE(index.remote());
    std::vector<std::string> used;
    CHECK(index.for_range("19870101", "19871231", used).get_doccount() == 1);
    CHECK(used.empty());
}

TEST_CASE("index: a sharded folder opens every shard; a date range only the shards it overlaps") {
    TempDir dir;
    Index index(sharded_folder(dir));
    CHECK(index.shard_names() == std::vector<std::string> {"1987-02", "1987-03", "undated"});
    CHECK(index.whole().get_doccount() == 4);
    std::vector<std::string> used;
    CHECK(index.for_range("19870301", "19870331", used).get_doccount() == 1);
    CHECK(used == std::vector<std::string> {"1987-03"});
    used.clear();
    CHECK(index.for_range("", "19870226", used).get_doccount() == 2);
    CHECK(used == std::vector<std::string> {"1987-02"});
    used.clear();
    CHECK(index.for_range("", "", used).get_doccount() == 4); // (the undated shard too)
    CHECK(used.size() == 3);
    // Facets are counted shard by shard.
    CHECK(index.facet_parts(index.whole(), index.shard_names()).size() == 3);
}

TEST_CASE("index: a stub naming a database elsewhere is searched as a whole") {
    TempDir dir;
    test::write_tiny_db(dir.file("one"), {{"a", "1987-02-26", "oil", ""}, {"b", "", "gas", ""}});
    const std::string stub = test::write_file(dir.file("x.stub"), "auto " + dir.file("one") + "\n");
    Index index(stub);
    CHECK(index.shard_names().empty());
    CHECK(index.whole().get_doccount() == 2);
}

TEST_CASE("index: a path that is no index says so and how to build one") {
    TempDir dir;
    CHECK_THROWS_WITH_AS(Index(dir.file("missing")), doctest::Contains("no such index; build one with"), Error);
    test::fs::create_directories(dir.file("empty"));
    CHECK_THROWS_WITH_AS(Index(dir.file("empty")), doctest::Contains("this folder is not an index"), Error);
}

TEST_CASE("index: reopen follows a database swapped into its place") {
    TempDir dir;
    const std::string db = dir.file("db");
    test::write_tiny_db(db, {{"a", "1987-02-26", "oil", ""}});
    Index index(db);
    CHECK(index.whole().get_doccount() == 1);
    // As a compaction does: a new database renamed into the path.
    test::write_tiny_db(dir.file("new"), {{"a", "1987-02-26", "oil", ""}, {"b", "1987-02-27", "gas", ""}});
    test::fs::rename(db, dir.file("old"));
    test::fs::rename(dir.file("new"), db);
    index.reopen();
    CHECK(index.whole().get_doccount() == 2);
}
