#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/layout.h"
#include "tests/test_util.h"

using namespace news;
namespace layout = news::layout;

TEST_CASE("layout: a date names its month or year shard, ISO or compact") {
    struct Case {
        const char* date;
        layout::Period by;
        const char* shard;
    };
    const Case cases[] = {
        {"1987-02-26", layout::Period::Month, "1987-02"}, {"19870226", layout::Period::Month, "1987-02"},
        {"1987-02-26", layout::Period::Year, "1987"},     {"19870226", layout::Period::Year, "1987"},
        {"", layout::Period::Month, "undated"},           {"1987-02", layout::Period::Year, "undated"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.date);
        CHECK(layout::shard_name(c.date, c.by) == c.shard);
    }
}

TEST_CASE("layout: a shard name reads back as the days of its period") {
    auto month = layout::shard_span("1987-02");
    REQUIRE(month);
    CHECK(month->first == "19870201");
    CHECK(month->last == "19870231");
    auto year = layout::shard_span("1987");
    REQUIRE(year);
    CHECK(year->first == "19870101");
    CHECK(year->last == "19871231");
    CHECK_FALSE(layout::shard_span(layout::kUndated));
    for (const char* other : {"", "198", "1987-2", "1987-02-01", "abcd", "1987x02"}) {
        CAPTURE(other);
        CHECK_FALSE(layout::shard_span(other));
    }
    // The name of a date's shard spans that date.
    for (auto by : {layout::Period::Month, layout::Period::Year}) {
        auto span = layout::shard_span(layout::shard_name("19870315", by));
        REQUIRE(span);
        CHECK(span->first <= "19870315");
        CHECK(span->last >= "19870315");
    }
}

TEST_CASE("layout: a stub lists its shards and reads back") {
    const std::vector<std::string> shards = {"1987-02", "1987-03", "undated"};
    const std::string text = layout::stub_text(shards);
    CHECK(text == "auto 1987-02\nauto 1987-03\nauto undated\n");
    layout::Stub stub = layout::parse_stub(text, true);
    CHECK(stub.shards == shards);
    CHECK_FALSE(stub.remote);
    CHECK_FALSE(stub.other);
    // A stub file elsewhere names its databases itself: no local shards.
    CHECK(layout::parse_stub(text, false).shards.empty());
    CHECK(layout::parse_stub(text, false).other);
}

TEST_CASE("layout: remote and other databases in a stub are told apart") {
    layout::Stub remote = layout::parse_stub("# comment\nremote 127.0.0.1:8100\n", true);
    CHECK(remote.remote);
    CHECK(remote.other);
    CHECK(remote.shards.empty());
    layout::Stub path = layout::parse_stub("auto /elsewhere/db\nauto 1987\n", true);
    CHECK(path.other);
    CHECK(path.shards == std::vector<std::string> {"1987"});
    CHECK_FALSE(layout::parse_stub("\n# only a comment\n", true).other);
}

TEST_CASE("layout: the stub of a folder, of a stub file; a database by its marker") {
    test::TempDir dir;
    const std::string folder = dir.file("sharded");
    test::fs::create_directories(folder);
    CHECK(layout::stub_path(folder) == folder + "/XAPIANDB");
    const std::string file = test::write_file(dir.file("remote.stub"), "remote 127.0.0.1:1\n");
    CHECK(layout::stub_path(file) == file);
    CHECK_FALSE(layout::is_database(folder));
    test::write_file(folder + "/iamglass", "");
    CHECK(layout::is_database(folder));
}

TEST_CASE("layout: the identity of an index changes when a file is swapped, and is empty when one is missing") {
    test::TempDir dir;
    const std::string db = dir.file("db");
    test::write_file(db + "/iamglass", "one");
    const std::string single = layout::identity(db, {});
    CHECK_FALSE(single.empty());
    CHECK(layout::identity(db, {}) == single);
    // A compaction puts a new version file in place (a new inode).
    test::write_file(db + "/iamglass.new", "two");
    test::fs::rename(db + "/iamglass.new", db + "/iamglass");
    CHECK(layout::identity(db, {}) != single);

    const std::string sharded = dir.file("sharded");
    test::write_file(sharded + "/XAPIANDB", layout::stub_text({"1987-02", "1987-03"}));
    test::write_file(sharded + "/1987-02/iamglass", "");
    CHECK(layout::identity(sharded, {"1987-02", "1987-03"}).empty()); // 1987-03 is missing
    test::write_file(sharded + "/1987-03/iamglass", "");
    const std::string both = layout::identity(sharded, {"1987-02", "1987-03"});
    CHECK_FALSE(both.empty());
    CHECK(both != layout::identity(sharded, {"1987-02"}));
}
