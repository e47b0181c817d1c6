// Tests for searcher/article.*: one article by its id, whole: paragraphs,
// the query's words marked and everything else escaped, entities, the
// other versions of its story, more like this; unknown ids.
#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/schema.h"
#include "indexer/pipeline.h"
#include "searcher/article.h"
#include "searcher/format.h"
#include "searcher/search.h"
#include "tests/test_util.h"

using namespace news;
using news::test::TempDir;
using news::test::write_file;

namespace {

std::string build(const TempDir& dir, const std::string& root) {
    BuildOptions opt;
    opt.db = dir.file("db");
    opt.roots = {root};
    opt.threads = 1;
    opt.progress = BuildOptions::Progress::Never;
    std::ostringstream log;
    build_index(opt, log);
    return opt.db;
}

// The sample corpus (syndicated copies across files), indexed once.
const std::string& corpus_db() {
    static TempDir dir;
    static const std::string db = build(dir, news::test::corpus_dir());
    return db;
}

// Two articles of our own: paragraphs, markup and a query to mark.
const std::string& own_db() {
    static TempDir dir;
    static const std::string db = [] {
        nlohmann::json a = {{"id", "tallinn-1"},
                            {"date", "2026-02-10"},
                            {"title", "Bank warns of <script> pages"},
                            {"body", "Researchers in Tallinn said the page ran <script>alert('x')</script> & then\n"
                                     "redirected readers.\n\n  Estonia's central bank in Tallinn said no money "
                                     "was lost.\n\n\nThe banks will not strike back, analysts said."},
                            {"source", "ERR"},
                            {"url", "https://example.org/tallinn"}};
        nlohmann::json b = {{"id", "riga-1"},
                            {"date", "2026-02-11"},
                            {"title", "Riga port reopens"},
                            {"body", "The port of Riga reopened on Wednesday after the ice cleared."},
                            {"source", "LSM"}};
        write_file(dir.file("in/own.jsonl"), a.dump() + "\n" + b.dump() + "\n");
        return build(dir, dir.file("in"));
    }();
    return db;
}

std::optional<ArticleView> fetch(const std::string& db, const std::string& id, const std::string& query = "",
                                 int like = 0) {
    Searcher searcher(db);
    ArticleRequest req;
    req.id = id;
    req.query = query;
    req.like = like;
    return fetch_article(searcher, req);
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += s + "\n";
    return out;
}

bool contains(const std::string& s, const std::string& needle) { return s.find(needle) != std::string::npos; }

} // namespace

TEST_CASE("article: paragraphs split at blank lines, else at indented lines") {
    struct Case {
        const char* body;
        std::vector<std::string> want;
    } cases[] = {
        {"", {}},
        {"  \n\n ", {}},
        {"One line.", {"One line."}},
        {"First\nstill first.\n\nSecond.", {"First\nstill first.", "Second."}},
        {"\n\n  Lead.  \n \t \nNext.\r\n\r\nLast.\r\n", {"Lead.", "Next.", "Last."}},
        // Reuters wire copy: no blank line, each paragraph indented.
        {"Japan will buy\nrice.\n    Officials said\nmore.\n REUTER",
         {"Japan will buy\nrice.", "Officials said\nmore.", "REUTER"}},
        // With blank lines, indentation is only indentation.
        {"A\n   quoted line.\n\nB.", {"A\n   quoted line.", "B."}},
    };
    for (const auto& c : cases) {
        CAPTURE(c.body);
        std::vector<std::string> got;
        const std::string_view body(c.body);
        for (const auto& [b, e] : paragraph_ranges(body)) got.emplace_back(body.substr(b, e - b));
        CHECK(got == c.want);
    }
}

TEST_CASE("article: the record whole, its paragraphs as plain text and as escaped HTML") {
    auto a = fetch(own_db(), "tallinn-1");
    REQUIRE(a);
    CHECK(a->id == "tallinn-1");
    CHECK(a->title == "Bank warns of <script> pages");
    CHECK(a->date == "2026-02-10");
    CHECK(a->source == "ERR");
    CHECK(a->url == "https://example.org/tallinn");
    CHECK(contains(a->path, "own.jsonl"));
    REQUIRE(a->paragraphs.size() == 3);
    CHECK(a->paragraphs[0] == "Researchers in Tallinn said the page ran <script>alert('x')</script> & then "
                              "redirected readers.");
    CHECK(a->paragraphs[1] == "Estonia's central bank in Tallinn said no money was lost.");
    REQUIRE(a->paragraphs_html.size() == 3);
    CHECK(a->paragraphs_html[0] == "Researchers in Tallinn said the page ran &lt;script&gt;alert(&#39;x&#39;)&lt;/"
                                   "script&gt; &amp; then redirected readers.");
    CHECK_FALSE(contains(joined(a->paragraphs_html), "<mark>")); // no query, nothing marked
    CHECK(a->versions.empty());
    CHECK(a->versions_total == 0);
    CHECK_FALSE(a->first_published);
    CHECK(a->like.empty()); // (none asked for)
}

TEST_CASE("article: a query's words are marked wherever they are, stemmed, never under NOT") {
    auto a = fetch(own_db(), "tallinn-1", "strikes tallinn");
    REQUIRE(a);
    const std::string html = joined(a->paragraphs_html);
    CAPTURE(html);
    CHECK(contains(a->paragraphs_html[0], "Researchers in <mark>Tallinn</mark> said"));
    CHECK(contains(a->paragraphs_html[1], "bank in <mark>Tallinn</mark> said"));
    CHECK(contains(a->paragraphs_html[2], "not <mark>strike</mark> back"));
    CHECK(contains(html, "&lt;script&gt;")); // still escaped around the marks
    auto negated = fetch(own_db(), "tallinn-1", "bank NOT tallinn");
    REQUIRE(negated);
    CHECK_FALSE(contains(joined(negated->paragraphs_html), "<mark>Tallinn</mark>"));
    CHECK(contains(joined(negated->paragraphs_html), "<mark>bank</mark>"));
    CHECK(joined(negated->paragraphs) == joined(a->paragraphs)); // plain text is never marked
    CHECK_THROWS_AS(fetch(own_db(), "tallinn-1", "date:2026-13-45"), QueryError);
}

TEST_CASE("article: an id the index lacks is no article, whatever it looks like") {
    CHECK_FALSE(fetch(own_db(), "tallinn-2"));
    CHECK_FALSE(fetch(own_db(), ""));
    CHECK_FALSE(fetch(own_db(), "Tallinn-1")); // ids are exact
    CHECK_FALSE(fetch(own_db(), "../../etc/passwd"));
    CHECK_FALSE(fetch(own_db(), std::string(schema::kMaxIdBytes + 1, 'x')));
    CHECK_FALSE(fetch(own_db(), "tallinn-1\n"));
}

TEST_CASE("article: entities are counted, most mentioned first") {
    auto a = fetch(corpus_db(), "gn-20260217-rotterdam-strike");
    REQUIRE(a);
    REQUIRE_FALSE(a->entities.empty());
    CHECK(a->entities[0].name == "Rotterdam");
    CHECK(a->entities[0].type == "PLACE");
    CHECK(a->entities[0].count >= 2);
    for (size_t i = 1; i < a->entities.size(); ++i) CHECK(a->entities[i - 1].count >= a->entities[i].count);
}

TEST_CASE("article: other versions of its story, the earliest marked first published") {
    auto copy = fetch(corpus_db(), "gn-20260217-rotterdam-strike");
    REQUIRE(copy);
    REQUIRE(copy->versions.size() == 1);
    CHECK(copy->versions_total == 1);
    const DocRef& wire = copy->versions[0];
    CHECK(wire.id == "rtr-20260216-rotterdam-strike");
    CHECK(wire.date == "2026-02-16");
    CHECK(wire.source == "Reuters");
    CHECK_FALSE(wire.title.empty());
    CHECK(wire.first_published);
    CHECK_FALSE(copy->first_published);

    auto first = fetch(corpus_db(), "rtr-20260216-rotterdam-strike");
    REQUIRE(first);
    REQUIRE(first->versions.size() == 1);
    CHECK(first->versions[0].id == "gn-20260217-rotterdam-strike");
    CHECK_FALSE(first->versions[0].first_published);
    CHECK(first->first_published);
    // The one of the two that joined the other's story (the story is its
    // first article indexed, not the first published) says how it was
    // matched, on its page and in the other's list alike.
    CHECK(copy->fold.empty() != first->fold.empty());
    const std::string fold = copy->fold + first->fold;
    CHECK(fold.rfind("reprint ", 0) == 0);
    CHECK(first->versions[0].fold == copy->fold);
    CHECK(copy->versions[0].fold == first->fold);

    // A story of one article has no versions; a related story is not one.
    auto deal = fetch(corpus_db(), "rtr-20260224-rotterdam-deal");
    REQUIRE(deal);
    CHECK(deal->versions.empty());
    CHECK_FALSE(deal->first_published);
}

TEST_CASE("article: more like this is the --like search") {
    auto a = fetch(corpus_db(), "rtr-20260216-rotterdam-strike", "", 4);
    REQUIRE(a);
    Searcher searcher(corpus_db());
    SearchRequest like;
    like.like_id = "rtr-20260216-rotterdam-strike";
    like.limit = 4;
    SearchResponse r = searcher.search(like);
    REQUIRE_FALSE(r.results.empty());
    REQUIRE(a->like.size() == r.results.size());
    for (size_t i = 0; i < r.results.size(); ++i) CHECK(a->like[i].id == r.results[i].id);
    CHECK(std::none_of(a->like.begin(), a->like.end(),
                       [](const Result& x) { return x.id == "rtr-20260216-rotterdam-strike"; }));
}

TEST_CASE("article: JSON and text carry every part") {
    auto a = fetch(corpus_db(), "gn-20260217-rotterdam-strike", "rotterdam", 3);
    REQUIRE(a);
    nlohmann::json o = nlohmann::json::parse(to_json(*a));
    CHECK(o["id"] == "gn-20260217-rotterdam-strike");
    CHECK(o["source"] == "Gulf News");
    CHECK(o["url"].get<std::string>().rfind("https://", 0) == 0);
    CHECK(o["paragraphs"].size() == a->paragraphs.size());
    CHECK(contains(o["paragraphs_html"][0].get<std::string>(), "<mark>"));
    CHECK(o["entities"][0]["name"] == "Rotterdam");
    CHECK(o["entities"][0].contains("count"));
    REQUIRE(o["versions"].size() == 1);
    CHECK(o["versions"][0]["first_published"] == true);
    CHECK(o["versions"][0]["date"] == "2026-02-16");
    CHECK((o["match"].is_null() ? o["versions"][0]["match"] : o["match"])["kind"] == "reprint");
    CHECK(o["like"].size() == 3);
    CHECK(o["like"][0].contains("title"));

    std::ostringstream text;
    write_text(*a, text, TextStyle {}, 60);
    const std::string t = text.str();
    CAPTURE(t);
    CHECK(t.rfind(a->title + "\n2026-02-17 · Gulf News · id gn-20260217-rotterdam-strike\n", 0) == 0);
    CHECK_FALSE(contains(t, "<mark>"));
    CHECK(contains(t, "Places: Rotterdam ("));
    CHECK(contains(t, "1 other version:"));
    CHECK(contains(t, "[first published; reprint, "));
    CHECK(contains(t, "More like this:"));
    // Paragraphs wrapped: no line of the text longer than the width.
    std::istringstream lines(t.substr(0, t.find("People:")));
    for (std::string line; std::getline(lines, line);) {
        if (line.find(" · ") != std::string::npos || line.rfind("http", 0) == 0) continue; // (heading lines)
        size_t cols = 0;
        for (char c : line) cols += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        CHECK(cols <= 60);
    }
}
