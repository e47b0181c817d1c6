// Tests for searcher/search.* and searcher/facets.*: facet counts agree with
// filtered searches, the date histogram, folded syndicated copies, spelling
// suggestions, more-like-this, highlighting, and the message of every limit.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <sstream>
#include <string>

#include <xapian.h>

#include "common/error.h"
#include "indexer/pipeline.h"
#include "searcher/facets.h"
#include "searcher/index.h"
#include "searcher/search.h"
#include "tests/corpus_db.h"
#include "tests/test_util.h"

using namespace news;
using news::test::TempDir;
using news::test::write_file;

namespace {

std::string build(const TempDir& dir, const std::vector<std::string>& roots, ShardBy shard_by = ShardBy::None) {
    return news::test::build_db(dir.file("db"), roots, shard_by);
}

using news::test::corpus_db;

SearchResponse run(const std::string& db, SearchRequest req) {
    Searcher s(db);
    return s.search(req);
}

SearchResponse run(const std::string& db, const std::string& query, bool collapse = true, bool facets = false) {
    SearchRequest req;
    req.query = query;
    req.collapse = collapse;
    req.facets = facets;
    req.limit = 100;
    return run(db, req);
}

// Results [offset, offset + limit) of `query`.
SearchResponse page_of(const std::string& db, const std::string& query, int offset, int limit, bool collapse) {
    SearchRequest req;
    req.query = query;
    req.offset = offset;
    req.limit = limit;
    req.collapse = collapse;
    return run(db, req);
}

std::vector<std::string> ids_of(const SearchResponse& r) {
    std::vector<std::string> out;
    for (const Result& x : r.results) out.push_back(x.id);
    return out;
}

std::string seed(const std::string& path) {
    std::string base = path.substr(path.find_last_of('/') + 1);
    return base.substr(0, 3);
}

bool contains(const std::string& s, const std::string& needle) { return s.find(needle) != std::string::npos; }

} // namespace

TEST_CASE("search: every place facet count equals the matches of that place filter") {
    SearchResponse r = run(corpus_db(), "Kurdish", true, true);
    REQUIRE(r.facets.present);
    REQUIRE(!r.facets.place.empty());
    CHECK(r.total_exact);
    for (const FacetEntry& e : r.facets.place) {
        CAPTURE(e.name);
        SearchRequest req;
        req.query = "Kurdish";
        req.entities = {"place:" + e.name};
        req.collapse = false;
        req.limit = 100;
        SearchResponse f = run(corpus_db(), req);
        CHECK(f.total_estimate == e.count);
        CHECK(f.total_exact);
    }
}

TEST_CASE("search: facets count every copy, the histogram sums to the matches") {
    SearchResponse folded = run(corpus_db(), "Kurdish", true, true);
    SearchResponse all = run(corpus_db(), "Kurdish", false, false);
    long sum = 0;
    for (const auto& d : folded.facets.date) sum += d.count;
    CHECK(sum == static_cast<long>(all.results.size()));
    CHECK(folded.facets.date_unit == "day");
    auto day = [&](const std::string& d) {
        for (const auto& e : folded.facets.date)
            if (e.name == d) return e.count;
        return 0L;
    };
    CHECK(day("2026-03-04") == 2);
    CHECK(day("2026-03-03") == 1);
    CHECK(day("2026-03-05") == 1);
}

TEST_CASE("search: the seed reprint folds into the Reuters story") {
    SearchResponse r = run(corpus_db(), "\"security forces\"");
    REQUIRE(r.results.size() == 1);
    REQUIRE(r.results[0].duplicates.size() == 1);
    std::vector<std::string> ids = {seed(r.results[0].path), seed(r.results[0].duplicates[0].path)};
    std::sort(ids.begin(), ids.end());
    CHECK(ids == std::vector<std::string> {"000", "001"});
    SearchResponse all = run(corpus_db(), "\"security forces\"", false);
    CHECK(all.results.size() == 2);
    for (const auto& x : all.results) CHECK(x.duplicates.empty());
}

TEST_CASE("search: equal scores go in article-id order, and a story's equal copies show the smallest id") {
    // One text four times: two copies a day apart (one story, first indexed
    // "m-copy") and two far from them in time (stories of their own). Every
    // article scores the same, so only the ids order them; the document
    // numbers (m-copy 1, c-copy 2, z-year 3, a-year 4) must not.
    const std::string body = "Dockworkers at the harbour of Leixoes walked out on Monday over pay, halting "
                             "container traffic, the union said. Talks with the port authority resume next week.";
    std::string lines;
    for (const auto& [id, date] : std::vector<std::pair<std::string, std::string>> {
             {"m-copy", "2025-03-02"}, {"c-copy", "2025-03-01"}, {"z-year", "2023-06-01"}, {"a-year", "2021-06-01"}})
        lines += "{\"id\": \"" + id + "\", \"date\": \"" + date + "\", \"title\": \"Port strike\", \"body\": \"" +
                 body + "\"}\n";
    TempDir dir;
    write_file(dir.file("in/wire.jsonl"), lines);
    const std::string db = build(dir, {dir.file("in")});
    auto ids = [](const SearchResponse& r) {
        std::vector<std::string> out;
        for (const Result& x : r.results) {
            out.push_back(x.id);
            CHECK(x.score == r.results[0].score);
        }
        return out;
    };
    auto page = [&](int offset, int limit, bool collapse) {
        return page_of(db, "dockworkers", offset, limit, collapse);
    };
    // The whole list on one page; the folded story shows c-copy, m-copy is
    // its other version.
    SearchResponse all = page(0, 10, true);
    CHECK(ids(all) == std::vector<std::string> {"a-year", "c-copy", "z-year"});
    REQUIRE(all.results.size() == 3);
    REQUIRE(all.results[1].duplicates.size() == 1);
    CHECK(all.results[1].duplicates[0].id == "m-copy");
    CHECK(all.results[1].date == "2025-03-01");
    CHECK(all.results[1].rank == 2);
    // Pages that cut between equal scores.
    CHECK(ids(page(0, 2, true)) == std::vector<std::string> {"a-year", "c-copy"});
    CHECK(ids(page(1, 1, true)) == std::vector<std::string> {"c-copy"});
    CHECK(ids(page(2, 5, true)) == std::vector<std::string> {"z-year"});
    CHECK(ids(page(0, 10, false)) == std::vector<std::string> {"a-year", "c-copy", "m-copy", "z-year"});
    CHECK(ids(page(1, 2, false)) == std::vector<std::string> {"c-copy", "m-copy"});
}

TEST_CASE("search: a page cutting a tie wider than the first fetch takes the tie's smallest ids; "
          "filters alone go in id order") {
    // Thirty equal articles a year apart (stories of their own), their ids
    // out of document order, then one story of two equal copies a day apart
    // (its smaller id second) and one article that scores lower: every page
    // below cuts the tie of 31 stories, wider than what is read first.
    const std::string body = "Dockworkers at the harbour of Leixoes walked out on Monday over pay, halting "
                             "container traffic, the union said. Talks with the port authority resume next week.";
    auto line = [](const std::string& id, const std::string& date, const std::string& text) {
        return "{\"id\": \"" + id + "\", \"date\": \"" + date + "\", \"title\": \"Port strike\", \"body\": \"" + text +
               "\"}\n";
    };
    std::string lines;
    for (int i = 0; i < 30; ++i) {
        const int n = (i * 7) % 30; // (7 and 30 are coprime: each number once)
        lines +=
            line("y" + std::string(n < 10 ? "0" : "") + std::to_string(n), std::to_string(1960 + i) + "-06-01", body);
    }
    lines += line("k-copy", "2025-03-02", body) + line("b-copy", "2025-03-03", body);
    lines += line("a-lower", "2024-01-10",
                  "Ferry crews and dockworkers in Vigo met the owners on Friday; the talks about new rosters for "
                  "the winter season went on late into the night without an agreement.");
    TempDir dir;
    write_file(dir.file("in/wire.jsonl"), lines);
    const std::string db = build(dir, {dir.file("in")});
    auto page = [&](int offset, int limit, bool collapse) {
        return ids_of(page_of(db, "dockworkers", offset, limit, collapse));
    };
    SearchResponse r = page_of(db, "dockworkers", 0, 3, true);
    CHECK(ids_of(r) == std::vector<std::string> {"b-copy", "y00", "y01"});
    REQUIRE(r.results.size() == 3);
    CHECK(r.results[0].score == r.results[2].score);
    REQUIRE(r.results[0].duplicates.size() == 1);
    CHECK(r.results[0].duplicates[0].id == "k-copy");
    CHECK(r.results[0].rank == 1);
    CHECK(r.results[2].rank == 3);
    CHECK(page(2, 2, true) == std::vector<std::string> {"y01", "y02"});
    CHECK(page(29, 3, true) == std::vector<std::string> {"y28", "y29", "a-lower"});
    CHECK(page(0, 2, false) == std::vector<std::string> {"b-copy", "k-copy"});
    CHECK(page(5, 2, false) == std::vector<std::string> {"y03", "y04"});

    // Filters alone score every article 0: id order throughout, each story
    // shown by its smallest id.
    const std::string dates = "date:1950-01-01..2030-12-31";
    SearchResponse f = page_of(db, dates, 0, 3, true);
    CHECK(ids_of(f) == std::vector<std::string> {"a-lower", "b-copy", "y00"});
    REQUIRE(f.results.size() == 3);
    REQUIRE(f.results[1].duplicates.size() == 1);
    CHECK(f.results[1].duplicates[0].id == "k-copy");
    CHECK(ids_of(page_of(db, dates, 3, 2, true)) == std::vector<std::string> {"y01", "y02"});
    CHECK(ids_of(page_of(db, dates, 30, 5, true)) == std::vector<std::string> {"y28", "y29"});
    CHECK(ids_of(page_of(db, dates, 0, 3, false)) == std::vector<std::string> {"a-lower", "b-copy", "k-copy"});
}

TEST_CASE("search: a story with more copies than the page asks for leaves room for the next story") {
    // Eight copies of one wire story, then one other article that scores
    // lower: folding must look past every copy to fill a page of two.
    const std::string wire = "Dockworkers at the harbour of Leixoes walked out on Monday over pay, halting "
                             "container traffic, the union said.";
    std::string lines;
    for (int i = 0; i < 8; ++i)
        lines += "{\"id\": \"copy-" + std::to_string(i) + "\", \"date\": \"2025-05-0" + std::to_string(1 + i % 3) +
                 "\", \"title\": \"Port strike\", \"body\": \"" + wire + "\"}\n";
    lines += "{\"id\": \"other\", \"date\": \"2024-01-10\", \"title\": \"Shipping\", \"body\": \"Ferry crews and "
             "dockworkers in Vigo met the owners on Friday; the talks about new rosters for the winter season "
             "went on late into the night without an agreement.\"}\n";
    TempDir dir;
    write_file(dir.file("in/wire.jsonl"), lines);
    const std::string db = build(dir, {dir.file("in")});
    SearchRequest req;
    req.query = "dockworkers";
    req.limit = 2;
    SearchResponse r = run(db, req);
    REQUIRE(r.results.size() == 2);
    CHECK(r.results[0].id == "copy-0");
    CHECK(r.results[0].duplicates.size() == 7);
    CHECK(r.results[1].id == "other");
    CHECK(r.total_estimate == 2);
    CHECK(r.total_exact);
    req.limit = 1;
    req.offset = 1;
    r = run(db, req);
    REQUIRE(r.results.size() == 1);
    CHECK(r.results[0].id == "other");
    CHECK(r.results[0].rank == 2);
}

TEST_CASE("search: a story of more than 50 versions lists its 50 oldest; a copy the query misses is not listed") {
    // Sixty copies of one wire story over three days, and one more copy
    // whose last sentence differs: "container" finds only the sixty.
    const std::string wire = "Dockworkers at the harbour of Leixoes walked out on Monday over pay, halting "
                             "container traffic, the union said. Talks with the port authority resume next week.";
    std::string lines;
    auto two = [](int i) { return std::string(i < 10 ? "0" : "") + std::to_string(i); };
    for (int i = 0; i < 60; ++i)
        lines += "{\"id\": \"copy-" + two(i) + "\", \"date\": \"2025-05-0" + std::to_string(3 - i % 3) +
                 "\", \"title\": \"Port strike\", \"body\": \"" + wire + "\"}\n";
    lines += "{\"id\": \"copy-aa\", \"date\": \"2025-05-01\", \"title\": \"Port strike\", \"body\": \"" +
             wire.substr(0, wire.find(" halting")) +
             ", the union said. Talks with the port authority resume next "
             "week.\"}\n";
    TempDir dir;
    write_file(dir.file("in/wire.jsonl"), lines);
    const std::string db = build(dir, {dir.file("in")});
    SearchResponse r = run(db, "container");
    REQUIRE(r.results.size() == 1);
    CHECK(r.results[0].id == "copy-00");
    // The 59 others by date, then id: 20 of May 1st (copy-02, -05, ...),
    // 20 of the 2nd, the first 10 of the 3rd (copy-00 is the result).
    std::vector<std::string> want;
    for (int day = 0; day < 3; ++day)
        for (int i = 2 - day; i < 60 && want.size() < 50; i += 3)
            if (i != 0) want.push_back("copy-" + two(i));
    std::vector<std::string> got;
    for (const DocRef& d : r.results[0].duplicates) got.push_back(d.id);
    CHECK(got == want);
    // The differing copy is of the story too: a query it matches finds it,
    // shortest and so best-ranked, as the story's result.
    SearchResponse all = run(db, "leixoes");
    REQUIRE(all.results.size() == 1);
    CHECK(all.results[0].id == "copy-aa");
    REQUIRE(all.results[0].duplicates.size() == 50);
    CHECK(all.results[0].duplicates[0].id == "copy-02");
}

TEST_CASE("search: two write-ups of one report stay apart") {
    SearchResponse r = run(corpus_db(), "\"Wall Street Journal\"");
    CHECK(r.results.size() == 2);
}

TEST_CASE("search: misspelt words get a suggestion from the body text") {
    SearchResponse r = run(corpus_db(), "kurdsh milittias");
    CHECK(r.suggestion == "kurdish militias");
    CHECK(run(corpus_db(), "kurdish militias").suggestion.empty());
}

TEST_CASE("search: more like this ranks the reprint first and leaves the "
          "article out") {
    SearchResponse base = run(corpus_db(), "\"security forces\"", false);
    std::string id000;
    for (const auto& x : base.results)
        if (seed(x.path) == "000") id000 = x.id;
    REQUIRE(!id000.empty());
    SearchRequest req;
    req.like_id = id000;
    req.collapse = false;
    SearchResponse like = run(corpus_db(), req);
    REQUIRE(!like.results.empty());
    CHECK(seed(like.results[0].path) == "001");
    for (const auto& x : like.results) CHECK(x.id != id000);
    req.like_id = "no-such-article";
    CHECK_THROWS_AS(run(corpus_db(), req), QueryError);
}

TEST_CASE("search: highlighting marks phrase occurrences, entity mentions and "
          "stems, never NOT words") {
    TempDir dir;
    write_file(dir.file("in/a.txt"), " date 2026-01-05 The security council met in Erbil on Monday. "
                                     "Later, security forces arrived "
                                     "and the councils disagreed.");
    std::string db = build(dir, {dir.file("in")});
    std::string s = run(db, "\"security forces\"").results.at(0).snippet;
    CHECK(contains(s, "<mark>security</mark> <mark>forces</mark>"));
    CHECK(contains(s, "security council"));
    CHECK_FALSE(contains(s, "<mark>security</mark> council"));
    s = run(db, "place:Erbil").results.at(0).snippet;
    CHECK(contains(s, "<mark>Erbil</mark>"));
    s = run(db, "council").results.at(0).snippet;
    CHECK(contains(s, "<mark>council</mark>"));
    CHECK(contains(s, "<mark>councils</mark>"));
    s = run(db, "forces NOT Erbil").results.size() == 0 ? "" : "matched";
    CHECK(s.empty());
    s = run(db, "forces NOT Lisbon").results.at(0).snippet;
    CHECK(contains(s, "<mark>forces</mark>"));
    CHECK_FALSE(contains(s, "<mark>Lisbon</mark>"));
}

TEST_CASE("search: a bare surname finds every full name ending with it, in this schema and the last") {
    TempDir dir;
    write_file(dir.file("in/a.txt"), " date 2026-01-05 President Donald Trump met Ivanka Trump in Erbil. "
                                     "Trump said little.");
    write_file(dir.file("in/b.txt"), " date 2026-01-06 Melania Trump visited Paris.");
    write_file(dir.file("in/c.txt"), " date 2026-01-07 Donald Duck visited Paris.");
    std::string db = build(dir, {dir.file("in")});
    auto ids = [](const SearchResponse& r) {
        std::vector<std::string> v;
        for (const auto& x : r.results) v.push_back(x.id);
        std::sort(v.begin(), v.end());
        return v;
    };
    SearchResponse now = run(db, "person:Trump", false);
    REQUIRE(now.results.size() == 2);
    for (const auto& r : now.results) CHECK(contains(r.snippet, " Trump</mark>"));
    CHECK(contains(now.explanation, "XNtrump"));
    CHECK(ids(run(db, "entity:Trump", false)) == ids(now));

    // An index of schema 3 has no surname terms: the searcher reads the
    // person terms instead and finds the same articles.
    {
        Xapian::WritableDatabase w(db);
        std::vector<std::string> surnames;
        for (auto t = w.allterms_begin("XN"); t != w.allterms_end("XN"); ++t) surnames.push_back(*t);
        REQUIRE_FALSE(surnames.empty());
        for (const std::string& term : surnames) {
            std::vector<Xapian::docid> docs(w.postlist_begin(term), w.postlist_end(term));
            for (Xapian::docid d : docs) {
                Xapian::Document doc = w.get_document(d);
                doc.remove_term(term);
                w.replace_document(d, doc);
            }
        }
        w.set_metadata("newssearch.schema", "3");
        w.commit();
    }
    SearchResponse before = run(db, "person:Trump", false);
    CHECK_FALSE(contains(before.explanation, "XNtrump"));
    CHECK(ids(before) == ids(now));
    for (const auto& r : before.results) CHECK(contains(r.snippet, " Trump</mark>"));
}

TEST_CASE("search: every limit says what it is") {
    SearchRequest req;
    req.query = "Kurdish";
    req.limit = 0;
    CHECK_THROWS_WITH_AS(run(corpus_db(), req), doctest::Contains("limit must be between 1 and"), QueryError);
    req.limit = 10;
    req.offset = SearchRequest::kMaxDepth;
    CHECK_THROWS_WITH_AS(run(corpus_db(), req), doctest::Contains("offset + limit may be at most"), QueryError);
    req.offset = 0;
    req.query = std::string(SearchRequest::kMaxQueryBytes + 1, 'a');
    CHECK_THROWS_WITH_AS(run(corpus_db(), req), doctest::Contains("bytes long; at most"), QueryError);
    req.query = "Kurdish";
    req.time_limit = 1e-9;
    SearchResponse r = run(corpus_db(), req);
    bool said = false;
    for (const auto& n : r.notices) said = said || contains(n, "time limit");
    CHECK(said);
}

TEST_CASE("search: a wildcard cut to its most frequent words says so") {
    TempDir dir;
    std::string text = " date 2026-01-05 Words:";
    for (int i = 0; i < 150; ++i) text += " zq" + std::to_string(1000 + i);
    write_file(dir.file("in/w.txt"), text + ".");
    std::string db = build(dir, {dir.file("in")});
    SearchResponse r = run(db, "zq*");
    REQUIRE(r.results.size() == 1);
    REQUIRE(r.notices.size() == 1);
    CHECK(contains(r.notices[0], "'zq*' matches more than 100 words"));
    CHECK(run(db, "zq100*").notices.empty());
}

// --time-limit did not bound the facet count (nor ranking): 400 wildcard
// words took 22.9 s against 5. Out of time, the count stops short and the
// totals say they are not exact.
TEST_CASE("search: a time limit cuts facet counting short and the totals say so") {
    TempDir dir;
    for (int a = 0; a < 40; ++a) {
        std::string text = " date 2026-02-" + std::string(a % 28 < 9 ? "0" : "") + std::to_string(a % 28 + 1) +
                           " Harbour cranes in Rotterdam and Tehran, report " + std::to_string(a) + ".\n\nWords:";
        for (char family : {'a', 'b', 'c', 'd'})
            for (int w = 0; w < 110; ++w) text += std::string(" zq") + family + std::to_string(100 + (w + a) % 110);
        write_file(dir.file("in/a" + std::to_string(a) + ".txt"), text + ".\n");
    }
    const std::string db = build(dir, {dir.file("in")});
    SearchRequest req;
    req.query = "zqa* zqb* zqc* zqd*";
    req.facets = true;
    req.time_limit = 0; // none: every match counted
    SearchResponse all = run(db, req);
    CHECK(all.total_exact);
    CHECK(all.total_articles == 40);
    CHECK_FALSE(all.facets.place.empty());

    req.time_limit = 1e-6; // spent before the count starts
    SearchResponse cut = run(db, req);
    CHECK_FALSE(cut.total_exact);
    CHECK(cut.total_articles == -1);
    CHECK(cut.total_estimate > 0);
    CHECK(std::any_of(cut.notices.begin(), cut.notices.end(),
                      [](const std::string& n) { return contains(n, "facets counted over"); }));
}

namespace {

void check_same_facets(const std::vector<FacetEntry>& a, const std::vector<FacetEntry>& b) {
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].name == b[i].name);
        CHECK(a[i].count == b[i].count);
    }
}

void check_same_facets(const Facets& a, const Facets& b) {
    CHECK(a.present == b.present);
    check_same_facets(a.person, b.person);
    check_same_facets(a.org, b.org);
    check_same_facets(a.place, b.place);
    check_same_facets(a.misc, b.misc);
    check_same_facets(a.source, b.source);
    check_same_facets(a.date, b.date);
    CHECK(a.date_unit == b.date_unit);
}

} // namespace

TEST_CASE("search: a kept facet table counts as reading the matches does; "
          "totals are exact story counts") {
    Searcher reading(corpus_db());
    Searcher keeping(corpus_db());
    keeping.keep_facet_table();
    for (const char* q : {"Kurdish", "\"security forces\"", "storm OR rain", "solar", "Kurd*", "said"}) {
        for (bool collapse : {true, false}) {
            CAPTURE(q);
            CAPTURE(collapse);
            SearchRequest req;
            req.query = q;
            req.collapse = collapse;
            req.facets = true;
            req.limit = 100;
            SearchResponse a = reading.search(req);
            SearchResponse b = keeping.search(req);
            check_same_facets(a.facets, b.facets);
            CHECK(a.total_exact);
            CHECK(b.total_exact);
            CHECK(a.total_estimate == b.total_estimate);
            // Every result is on the page, so the total is what it shows.
            CHECK(a.total_estimate == static_cast<long>(a.results.size()));
        }
    }
}

TEST_CASE("search: a kept facet table follows the index to its next commit, "
          "also a compacted one") {
    // (Two articles where there was one: newsindex compacts, which puts a
    // new database in the old one's place.)
    TempDir dir;
    const std::string root = dir.file("articles");
    write_file(root + "/a.txt", " date 2026-01-20 Ports in Galicia reopened on "
                                "Tuesday after the storm.\n");
    const std::string db = build(dir, {root});
    Searcher s(db);
    s.keep_facet_table();
    SearchRequest req;
    req.query = "storm";
    req.facets = true;
    SearchResponse before = s.search(req);
    REQUIRE(before.total_estimate == 1);
    write_file(root + "/b.txt", " date 2026-01-21 Porto counted the cost of the storm on Wednesday.\n");
    build(dir, {root});
    s.reopen();
    SearchResponse after = s.search(req);
    CHECK(after.total_estimate == 2);
    long days = 0;
    for (const auto& d : after.facets.date) days += d.count;
    CHECK(days == 2);
    SearchResponse fresh = Searcher(db).search(req);
    CHECK(fresh.total_estimate == 2);
    check_same_facets(after.facets, fresh.facets);
}

namespace {

// Every document's facets as KeptFacets counts them, and as a table read
// from scratch counts them.
std::pair<Facets, Facets> kept_and_fresh(const KeptFacets& kept, const Xapian::Database& db) {
    std::vector<Xapian::docid> all;
    for (auto p = db.postlist_begin(""); p != db.postlist_end(""); ++p) all.push_back(*p);
    FacetCounts a, b;
    std::vector<std::shared_ptr<const FacetTable>> hold;
    kept.count(db, all, a, hold);
    FacetTable fresh(db, all);
    std::vector<uint32_t> rows(all.size());
    for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<uint32_t>(i);
    fresh.count(rows, b);
    return {a.ranked(50), b.ranked(50)};
}

bool has_name(const std::vector<FacetEntry>& v, const std::string& name) {
    return std::any_of(v.begin(), v.end(), [&](const FacetEntry& e) { return e.name == name; });
}

} // namespace

TEST_CASE("search: after a commit a kept facet table reads only the new runs' articles") {
    TempDir dir;
    const std::string root = dir.file("articles");
    const char* cities[] = {"Lisbon", "Madrid",  "Vienna",  "Prague", "Warsaw", "Dublin",   "Athens", "Helsinki",
                            "Riga",   "Tallinn", "Vilnius", "Sofia",  "Zagreb", "Belgrade", "Tirana", "Skopje"};
    for (int i = 0; i < 16; ++i)
        write_file(root + "/" + std::to_string(i) + ".txt", " date 2026-02-" + std::to_string(10 + i) +
                                                                " Dockworkers in " + cities[i] +
                                                                " walked out over pay on Monday, the union said.\n");
    const std::string db = build(dir, {root});
    KeptFacets kept;
    kept.update(Xapian::Database(db));
    REQUIRE(kept.whole_reads() == 1);
    // A second run: one new article, one changed (its city moves).
    write_file(root + "/16.txt", " date 2026-02-09 Dockworkers in Oslo walked out over pay, the union said.\n");
    write_file(root + "/0.txt", " date 2026-02-10 Dockworkers in Bergen walked out over pay, the union said.\n");
    build(dir, {root});
    const Xapian::Database second(db);
    kept.update(second);
    CHECK(kept.whole_reads() == 1);
    CHECK(kept.layers() == 1);
    auto [counted, fresh] = kept_and_fresh(kept, second);
    check_same_facets(counted, fresh);
    CHECK(has_name(counted.place, "Oslo"));
    CHECK(has_name(counted.place, "Bergen"));
    CHECK_FALSE(has_name(counted.place, "Lisbon"));
    // The same revision again reads nothing; a third run adds a layer.
    kept.update(second);
    CHECK(kept.layers() == 1);
    write_file(root + "/1.txt", " date 2026-02-11 Dockworkers in Tromso walked out over pay, the union said.\n");
    build(dir, {root});
    const Xapian::Database third(db);
    kept.update(third);
    CHECK(kept.whole_reads() == 1);
    CHECK(kept.layers() == 2);
    std::tie(counted, fresh) = kept_and_fresh(kept, third);
    check_same_facets(counted, fresh);
    CHECK_FALSE(has_name(counted.place, "Madrid"));
}

TEST_CASE("search: an index opened again after a commit keeps its facet table and reads only the new run") {
    TempDir dir;
    const std::string root = dir.file("articles");
    for (int i = 0; i < 8; ++i)
        write_file(root + "/" + std::to_string(i) + ".txt",
                   " date 2026-04-1" + std::to_string(i) + " Trawlers from Vigo landed hake on Monday.\n");
    const std::string db = build(dir, {root});
    Index index(db);
    index.keep_facet_tables();
    auto kept = [&index] {
        std::vector<FacetPart> parts = index.facet_parts(index.whole(), index.shard_names());
        REQUIRE(parts.size() == 1);
        REQUIRE(parts[0].kept);
        parts[0].kept->update(parts[0].db);
        return parts[0].kept;
    };
    CHECK(kept()->whole_reads() == 1);
    write_file(root + "/8.txt", " date 2026-04-18 Trawlers from Cadiz landed tuna on Tuesday.\n");
    build(dir, {root});
    index.reopen(); // (a commit is a new version file: the index is opened again)
    const KeptFacets* after = kept();
    CHECK(after->whole_reads() == 1);
    CHECK(after->layers() == 1);
}

TEST_CASE("search: a date range that needs one shard counts facets in that shard's kept table") {
    TempDir dir;
    const std::string root = dir.file("articles");
    write_file(root + "/a.txt", " date 2026-01-12 Dockworkers in Lisbon walked out over pay.\n");
    write_file(root + "/b.txt", " date 2026-03-12 Dockworkers in Riga walked out over pay.\n");
    const std::string db = build(dir, {root}, ShardBy::Month);
    Searcher kept(db);
    kept.keep_facet_table();
    auto places = [](Searcher& s, const std::string& from, const std::string& to) {
        SearchRequest req;
        req.query = "dockworkers";
        req.facets = true;
        req.from = from;
        req.to = to;
        std::vector<std::string> names;
        for (const FacetEntry& e : s.search(req).facets.place) names.push_back(e.name);
        return names;
    };
    // (The two shards are at the same revision: a table kept for one must
    // not serve the other.)
    for (int round = 0; round < 2; ++round) {
        CHECK(places(kept, "2026-01-01", "2026-01-31") == std::vector<std::string> {"Lisbon"});
        CHECK(places(kept, "2026-03-01", "2026-03-31") == std::vector<std::string> {"Riga"});
    }
}

TEST_CASE("search: kept facet layers are read into one table when they grow past a quarter of it") {
    TempDir dir;
    const std::string root = dir.file("articles");
    for (int i = 0; i < 4; ++i)
        write_file(root + "/" + std::to_string(i) + ".txt",
                   " date 2026-03-0" + std::to_string(i + 1) + " Ferries from Piraeus sailed late.\n");
    const std::string db = build(dir, {root});
    KeptFacets kept;
    kept.update(Xapian::Database(db));
    write_file(root + "/4.txt", " date 2026-03-05 Ferries from Rhodes sailed late.\n");
    write_file(root + "/5.txt", " date 2026-03-06 Ferries from Chania sailed late.\n");
    build(dir, {root});
    const Xapian::Database now(db);
    kept.update(now);
    CHECK(kept.whole_reads() == 2);
    CHECK(kept.layers() == 0);
    auto [counted, fresh] = kept_and_fresh(kept, now);
    check_same_facets(counted, fresh);
}

TEST_CASE("search: local shards count facets shard by shard, exactly, and kept tables follow each shard") {
    // Three months, a shard each; one story in two copies across a month's
    // end (one story in the total), then one more article in one shard.
    TempDir dir;
    const std::string root = dir.file("articles");
    const std::string wire = "Dockworkers in Leixoes walked out over pay, halting container traffic, the union said.";
    write_file(root + "/a.txt", " date 2026-01-31 " + wire + "\n");
    write_file(root + "/b.txt", " date 2026-02-01 " + wire + "\n");
    write_file(root + "/c.txt", " date 2026-03-10 Dockworkers in Vigo met the owners about winter rosters.\n");
    const std::string db = build(dir, {root}, ShardBy::Month);
    Searcher kept(db);
    kept.keep_facet_table();
    auto facets = [](Searcher& s, bool collapse) {
        SearchRequest req;
        req.query = "dockworkers";
        req.facets = true;
        req.collapse = collapse;
        return s.search(req);
    };
    for (bool collapse : {true, false}) {
        CAPTURE(collapse);
        SearchResponse r = facets(kept, collapse);
        CHECK(r.shards.size() == 3);
        CHECK(r.total_exact);
        CHECK(r.total_estimate == (collapse ? 2 : 3));
        long days = 0;
        for (const auto& d : r.facets.date) days += d.count;
        CHECK(days == 3);
    }
    write_file(root + "/d.txt", " date 2026-03-11 Dockworkers in Vigo signed the new rosters on Thursday.\n");
    build(dir, {root}, ShardBy::Month);
    kept.reopen();
    SearchResponse after = facets(kept, true);
    CHECK(after.total_exact);
    CHECK(after.total_estimate == 3);
    Searcher fresh(db);
    SearchResponse now = facets(fresh, true);
    CHECK(now.total_estimate == 3);
    check_same_facets(after.facets, now.facets);
    long days = 0;
    for (const auto& d : after.facets.date) days += d.count;
    CHECK(days == 4);
}

TEST_CASE("search: a reprint indexed in a later run folds into its story across a month's end, sharded or not") {
    const std::string wire = "Dockworkers at the harbour of Leixoes walked out on Monday over pay, halting container "
                             "traffic, the union said. Talks with the port authority resume next week, a spokesman "
                             "for the dockers said on Tuesday.";
    for (ShardBy by : {ShardBy::None, ShardBy::Month}) {
        CAPTURE(static_cast<int>(by));
        TempDir dir;
        const std::string root = dir.file("articles");
        write_file(root + "/a.txt", " date 2026-01-31 " + wire + "\n");
        const std::string db = build(dir, {root}, by);
        write_file(root + "/b.txt", " date 2026-02-01 " + wire + "\n");
        build(dir, {root}, by);
        SearchRequest req;
        req.query = "dockworkers";
        SearchResponse r = run(db, req);
        REQUIRE(r.results.size() == 1);
        CHECK(r.results[0].date == "2026-01-31");
        REQUIRE(r.results[0].duplicates.size() == 1);
        CHECK(r.results[0].duplicates[0].date == "2026-02-01");
        // And the other way round: the reprint dated before its month's
        // start, the original after it.
        write_file(root + "/c.txt", " date 2026-03-01 Ferry crews and dockworkers in Vigo met the owners on "
                                    "Friday; talks about winter rosters went on late into the night.\n");
        build(dir, {root}, by);
        write_file(root + "/d.txt", " date 2026-02-28 Ferry crews and dockworkers in Vigo met the owners on "
                                    "Friday; talks about winter rosters went on late into the night.\n");
        build(dir, {root}, by);
        req.query = "vigo";
        r = run(db, req);
        REQUIRE(r.results.size() == 1);
        CHECK(r.results[0].duplicates.size() == 1);
    }
}

TEST_CASE("search: totals are counted, not guessed from word frequencies; exactly when few articles can match") {
    // 3,200 articles of mixed words over five months. "alpha" and "beta"
    // occur only together, in every eighth article (300 of those 400 as the
    // phrase "alpha beta"), each reprinted the next day (800 articles, 400
    // stories): Xapian's estimate, which takes words to occur
    // independently, puts "alpha beta" at under half of that. "gamma
    // delta": 200 articles, no reprints, few enough to be counted exactly.
    const std::vector<std::string> words = {"harbour", "council", "winter", "budget",  "ferry",     "union",  "tariff",
                                            "grain",   "rail",    "bridge", "mayor",   "pension",   "export", "copper",
                                            "airline", "drought", "census", "vaccine", "satellite", "orchard"};
    auto date_of = [](int day) { // (day 0 is 2025-01-01)
        const int lengths[] = {31, 28, 31, 30, 31, 30, 31};
        int month = 0;
        while (day >= lengths[month]) day -= lengths[month++];
        char date[32];
        std::snprintf(date, sizeof date, "2025-%02d-%02d", month + 1, day + 1);
        return std::string(date);
    };
    auto line = [](const std::string& id, const std::string& date, const std::string& body) {
        return "{\"id\": \"" + id + "\", \"date\": \"" + date + "\", \"title\": \"Report " + id + "\", \"body\": \"" +
               body + "\"}\n";
    };
    std::mt19937 rng(7);
    std::string lines;
    for (int i = 0; i < 3200; ++i) {
        std::string body;
        for (int w = 20 + static_cast<int>(rng() % 40); w > 0; --w)
            body += words[rng() % words.size()] + std::to_string(rng() % 50) + " ";
        if (i % 8 == 0) body += i % 32 == 0 ? "alpha then beta " : "alpha beta ";
        if (i % 16 == 1) body += "gamma delta ";
        const int day = i / 22; // (about five months)
        lines += line("a" + std::to_string(i), date_of(day), body);
        if (i % 8 == 0) lines += line("r" + std::to_string(i), date_of(day + 1), body);
    }
    TempDir dir;
    write_file(dir.file("in/wire.jsonl"), lines);
    auto total = [](const std::string& db, const std::string& query, bool collapse, SortOrder sort) {
        SearchRequest req;
        req.query = query;
        req.collapse = collapse;
        req.sort = sort;
        return run(db, req);
    };
    for (ShardBy by : {ShardBy::None, ShardBy::Month}) {
        CAPTURE(static_cast<int>(by));
        TempDir out;
        const std::string db = build(out, {dir.file("in")}, by);
        {
            // The corpus does what it is for: Xapian's own estimate is far off.
            Xapian::Enquire enq {Xapian::Database(db)};
            enq.set_query(Xapian::Query(Xapian::Query::OP_AND, Xapian::Query("Zalpha"), Xapian::Query("Zbeta")));
            REQUIRE(enq.get_mset(0, 10).get_matches_estimated() < 400);
        }
        for (bool collapse : {true, false}) {
            for (SortOrder sort : {SortOrder::Relevance, SortOrder::Newest}) {
                CAPTURE(collapse);
                CAPTURE(static_cast<int>(sort));
                // (Folded, stories: half as many.)
                const long both_count = collapse ? 400 : 800, phrase_count = collapse ? 300 : 600;
                SearchResponse both = total(db, "alpha beta", collapse, sort);
                if (both.total_exact) CHECK(both.total_estimate == both_count);
                CHECK(both.total_estimate >= both_count * 9 / 10);
                CHECK(both.total_estimate <= both_count * 11 / 10);
                SearchResponse phrase = total(db, "\"alpha beta\"", collapse, sort);
                CHECK(phrase.total_estimate >= phrase_count * 9 / 10);
                CHECK(phrase.total_estimate <= phrase_count * 11 / 10);
                SearchResponse few = total(db, "gamma delta", collapse, sort);
                CHECK(few.total_estimate >= 180);
                CHECK(few.total_estimate <= 220);
                if (!collapse || sort != SortOrder::Relevance) {
                    // (Folded in relevance order, the share of stories
                    // comes from the page's match: an estimate. By date,
                    // Xapian's own match sees every one of these.)
                    CHECK(few.total_exact);
                    CHECK(few.total_estimate == 200);
                }
            }
        }
    }
}

TEST_CASE("search: a folder that is not an index says so, and how to build one") {
    news::test::TempDir t;
    news::test::write_file(t.file("articles/a.txt"), "Not an index.\n");
    SearchRequest req;
    req.query = "index";
    CHECK_THROWS_WITH_AS(Searcher(t.file("articles")).search(req),
                         doctest::Contains("this folder is not an index; build one with `newsindex build"), Error);
    CHECK_THROWS_WITH_AS(Searcher(t.file("missing")).search(req), doctest::Contains("no such index"), Error);
}
