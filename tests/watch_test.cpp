// Tests for searcher/watch.*: names, the watch file (written whole, read
// back the same), times, and the Atom feed's escaping. What a run reports
// across indexing runs is tested end to end (tests/e2e/watch_test.py).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "searcher/watch.h"
#include "tests/test_util.h"

using namespace news;

TEST_CASE("watch: names are short words, never paths") {
    CHECK_NOTHROW(check_watch_name("iran-oil_2026.v2"));
    for (const char* bad : {"", "../x", "a/b", ".hidden", "-flag", "two words", "x\n"})
        CHECK_THROWS_AS(check_watch_name(bad), QueryError);
    CHECK_THROWS_AS(check_watch_name(std::string(65, 'a')), QueryError);
}

TEST_CASE("watch: the file is read back as written, and none is no watches") {
    news::test::TempDir dir;
    const std::string db = dir.file("db");
    WatchFile file(db + "/");
    CHECK(file.path() == db + ".watches");
    CHECK(file.load().empty());
    Watch w;
    w.name = "port";
    w.query = "rotterdam \"port strike\"";
    w.created = "2026-12-07T10:00:00Z";
    w.seen_run = "XR20261207T100000000000";
    WatchStory s;
    s.id = "a1";
    s.story = "a1";
    s.title = "Zoë's \"port\" <strike>";
    s.copies = 3;
    w.recent.push_back(s);
    file.save({w, w});
    const auto back = file.load();
    REQUIRE(back.size() == 2);
    CHECK(back[0].query == w.query);
    CHECK(back[0].seen_run == w.seen_run);
    REQUIRE(back[0].recent.size() == 1);
    CHECK(back[0].recent[0].title == s.title);
    CHECK(back[0].recent[0].copies == 3);
    for (const auto& e : std::filesystem::directory_iterator(dir.path()))
        CHECK(e.path().filename().string().find(".tmp") == std::string::npos);

    std::ofstream(file.path()) << "[1, 2";
    CHECK_THROWS_AS(file.load(), Error);
}

TEST_CASE("watch: times are RFC 3339 in UTC") {
    CHECK(rfc3339(std::chrono::system_clock::from_time_t(0)) == "1970-01-01T00:00:00Z");
    CHECK(rfc3339(std::chrono::system_clock::from_time_t(1796601600)) == "2026-12-07T00:00:00Z");
}

TEST_CASE("watch: the feed escapes what articles say and links only web pages") {
    Watch w;
    w.name = "x";
    w.query = "a & b";
    w.created = "2026-12-07T00:00:00Z";
    WatchStory s;
    s.id = "1";
    s.story = "1";
    s.title = "<script>alert(1)</script> \x01";
    s.url = "javascript:alert(2)";
    s.found = w.created;
    w.recent.push_back(s);
    const std::string atom = to_atom(w, "uuid-1");
    CHECK(atom.find("<script>") == std::string::npos);
    CHECK(atom.find("&lt;script&gt;") != std::string::npos);
    CHECK(atom.find("\x01") == std::string::npos);
    CHECK(atom.find("javascript:") == std::string::npos);
    CHECK(atom.find("New stories for a &amp; b") != std::string::npos);
    CHECK(to_atom(w, "uuid-2") != atom); // (ids differ between indexes)
}
