// Tests for searcher/format.*: the JSON shape DESIGN.md fixes (keys and their
// order), string escaping, and the text output's snippet conversion.
#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "searcher/format.h"

using namespace news;
using ojson = nlohmann::ordered_json;

namespace {

SearchResponse sample() {
    SearchResponse r;
    r.query = "\"security forces\" iran";
    r.total_estimate = 2;
    r.total_exact = true;
    r.offset = 0;
    r.limit = 10;
    Result x;
    x.id = "3f2871ff07cbd942";
    x.rank = 1;
    x.score = 1.234567891;
    x.date = "2026-03-04";
    x.title = "Iranian Kurdish militias";
    x.source = "Reuters";
    x.path = "corpus/000_dbe4ead79ec420c1.txt";
    x.snippet = "attacks against Iran&#39;s <mark>security</mark> <mark>forces</mark> &amp; more";
    x.entities = {{"PLACE", "Iran", 5}, {"ORG", "CIA", 2}};
    x.duplicates = {{"8740e4aca0affa6e", "Dawn", "2026-03-05", "Talks ongoing", "corpus/001_d377f9111801e515.txt",
                     "reprint 0.62", false}};
    x.first_published = true;
    r.results.push_back(x);
    Result y;
    y.id = "undated";
    y.rank = 2;
    y.title = "No date, no source";
    y.path = "corpus/005.txt";
    r.results.push_back(y);
    return r;
}

std::vector<std::string> keys(const ojson& o) {
    std::vector<std::string> k;
    for (auto it = o.begin(); it != o.end(); ++it) k.push_back(it.key());
    return k;
}

// True when `want` appears in `have` in the same relative order.
bool in_order(const std::vector<std::string>& have, const std::vector<std::string>& want) {
    size_t i = 0;
    for (const auto& k : have)
        if (i < want.size() && k == want[i]) ++i;
    return i == want.size();
}

} // namespace

TEST_CASE("format: JSON has the keys of DESIGN.md in order") {
    ojson j = ojson::parse(to_json(sample()));
    CHECK(in_order(keys(j), {"query", "total", "offset", "limit", "suggestion", "results", "facets"}));
    CHECK(j["query"] == "\"security forces\" iran");
    CHECK(keys(j["total"]) == std::vector<std::string> {"estimate", "exact"});
    CHECK(j["total"]["estimate"] == 2);
    CHECK(j["total"]["exact"] == true);
    CHECK(j["offset"] == 0);
    CHECK(j["limit"] == 10);
    CHECK(j["suggestion"].is_null());

    REQUIRE(j["results"].size() == 2);
    const ojson& r = j["results"][0];
    CHECK(in_order(keys(r),
                   {"id", "rank", "score", "date", "title", "source", "path", "snippet", "entities", "duplicates"}));
    CHECK(r["id"] == "3f2871ff07cbd942");
    CHECK(r["rank"] == 1);
    CHECK(r["score"].get<double>() == doctest::Approx(1.2346).epsilon(1e-4));
    CHECK(r["date"] == "2026-03-04");
    CHECK(r["source"] == "Reuters");
    CHECK(r["snippet"] == "attacks against Iran&#39;s <mark>security</mark> <mark>forces</mark> &amp; more");
    REQUIRE(r["entities"].size() == 2);
    CHECK(keys(r["entities"][0]) == std::vector<std::string> {"type", "name", "count"});
    CHECK(r["entities"][0]["type"] == "PLACE");
    CHECK(r["entities"][0]["name"] == "Iran");
    CHECK(r["entities"][0]["count"] == 5);
    REQUIRE(r["duplicates"].size() == 1);
    CHECK(keys(r["duplicates"][0]) ==
          std::vector<std::string> {"id", "source", "date", "title", "path", "match", "first_published"});
    CHECK(r["duplicates"][0]["source"] == "Dawn");
    CHECK(r["duplicates"][0]["match"]["kind"] == "reprint");
    CHECK(r["duplicates"][0]["match"]["similarity"] == doctest::Approx(0.62));
    CHECK(r["duplicates"][0]["first_published"] == false);
    CHECK(r["match"].is_null()); // the story's first article
    CHECK(r["first_published"] == true);

    // Missing date and source are null, not "".
    const ojson& u = j["results"][1];
    CHECK(u["date"].is_null());
    CHECK(u["source"].is_null());
    CHECK(u["entities"].is_array());
    CHECK(u["duplicates"].is_array());
    CHECK(u["duplicates"].empty());

    // Without --facets the facets object is empty.
    CHECK(j["facets"].is_object());
    CHECK(j["facets"].empty());
}

TEST_CASE("format: facets, when present, have every group in order") {
    SearchResponse r = sample();
    r.suggestion = "security forces iran";
    r.facets.present = true;
    r.facets.person = {{"Donald Trump", 3, 2}};
    r.facets.place = {{"Iran", 4}, {"Iraq", 2}};
    r.facets.source = {{"Reuters", 1}};
    r.facets.date = {{"2026-03-04", 2}};
    ojson j = ojson::parse(to_json(r));
    CHECK(j["suggestion"] == "security forces iran");
    const ojson& f = j["facets"];
    CHECK(in_order(keys(f), {"person", "org", "place", "misc", "source", "date"}));
    CHECK(f["person"][0] == ojson {{"name", "Donald Trump"}, {"count", 3}, {"stories", 2}});
    CHECK(keys(f["person"][0]) == std::vector<std::string> {"name", "count", "stories"});
    CHECK(f["org"].is_array());
    CHECK(f["org"].empty());
    CHECK(f["place"].size() == 2);
    CHECK(keys(f["date"][0]) == std::vector<std::string> {"day", "count", "stories"});
    CHECK(f["date"][0]["day"] == "2026-03-04");
}

TEST_CASE("format: JSON escapes quotes, backslashes and control characters") {
    SearchResponse r;
    r.query = std::string("say \"hi\" \\ back\nslash\t\x01\x1f end");
    Result x;
    x.id = "x";
    x.title = "</script><script>alert(1)</script>";
    x.path = "p";
    r.results.push_back(x);
    std::string s = to_json(r);
    CHECK(s.find(R"("say \"hi\" \\ back\nslash\t\u0001\u001f end")") != std::string::npos);
    CHECK(s.find('\n') == std::string::npos); // one line
    CHECK(std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x20; }));
    ojson j = ojson::parse(s);
    CHECK(j["query"] == r.query);
    CHECK(j["results"][0]["title"] == x.title);
}

TEST_CASE("format: invalid UTF-8 never makes the JSON writer throw") {
    SearchResponse r;
    r.query = "caf\xe9";
    std::string s;
    CHECK_NOTHROW(s = to_json(r));
    CHECK_NOTHROW(ojson::parse(s));
}

TEST_CASE("format: snippet_to_text undoes HTML escaping and drops marks") {
    struct Case {
        const char* snippet;
        const char* plain;
    } cases[] = {
        {"<mark>Iran</mark>&#39;s forces", "Iran's forces"},
        {"&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"},
        {"AT&amp;T &quot;deal&quot;", "AT&T \"deal\""},
        {"&#x27;quoted&#x27;", "'quoted'"},
        {"&amp;lt; stays one level", "&lt; stays one level"},
        {"a & b &unknown; c", "a & b &unknown; c"},
        {"trailing &", "trailing &"},
        {"\u2026<mark>security</mark> <mark>forces</mark>\u2026", "\u2026security forces\u2026"},
        {"", ""},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(c.snippet));
        CHECK(snippet_to_text(c.snippet, false) == c.plain);
    }
    CHECK(snippet_to_text("x <mark>Iran</mark> y", true) == "x \033[1;33mIran\033[0m y");
}

TEST_CASE("format: text output for people") {
    std::ostringstream out;
    write_text(sample(), out, TextStyle {});
    std::string s = out.str();
    CHECK(s.find("2 matches; showing 1-2") != std::string::npos);
    CHECK(s.find("1. Iranian Kurdish militias") != std::string::npos);
    CHECK(s.find("Iran's security forces & more") != std::string::npos);
    CHECK(s.find("<mark>") == std::string::npos);
    CHECK(s.find("\033[") == std::string::npos); // no colour unless asked
    CHECK(s.find("1 other version:") != std::string::npos);
    CHECK(s.find("2026-03-05 · Dawn · id 8740e4aca0affa6e · Talks ongoing [reprint, 0.62 similar]") !=
          std::string::npos);
    CHECK(s.find("(this one first published)") != std::string::npos);
    CHECK(s.find("2. No date, no source") != std::string::npos);
    CHECK(s.find("undated") != std::string::npos);

    SearchResponse none;
    none.total_exact = true;
    std::ostringstream empty;
    write_text(none, empty, TextStyle {});
    CHECK(empty.str().find("0 matches: no article matches; try fewer words, or fewer filters") != std::string::npos);
}

TEST_CASE("text: a result's file shows only with --show-path") {
    SearchResponse r;
    r.total_estimate = 1;
    r.total_exact = true;
    Result x;
    x.rank = 1;
    x.id = "a1";
    x.title = "Harbour strike";
    x.date = "2026-03-04";
    x.source = "Reuters";
    x.path = "/srv/archive/corpus/000.txt";
    r.results.push_back(x);
    std::ostringstream plain, with_path;
    write_text(r, plain, TextStyle {});
    CHECK(plain.str().find("1 match; showing 1-1") != std::string::npos);
    CHECK(plain.str().find("2026-03-04 · Reuters · id a1") != std::string::npos);
    CHECK(plain.str().find("/srv/archive") == std::string::npos);
    TextStyle style;
    style.show_path = true;
    write_text(r, with_path, style);
    CHECK(with_path.str().find("2026-03-04 · Reuters · /srv/archive/corpus/000.txt · id a1") != std::string::npos);
}

TEST_CASE("text: an offset past the last match says where the last one is") {
    SearchResponse r;
    r.total_exact = true;
    r.total_estimate = 42;
    r.offset = 100;
    std::ostringstream out;
    write_text(r, out, TextStyle {});
    CHECK(out.str().find("42 matches; none from 101 on: the last is 42 (--offset 32)") != std::string::npos);
    CHECK(out.str().find("showing") == std::string::npos);
}
