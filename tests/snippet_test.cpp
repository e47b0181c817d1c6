// Tests for searcher/snippet.*: snippets are HTML-escaped text with matched
// words (stemmed forms and phrase words included) wrapped in <mark>.
#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "common/text.h"
#include "indexer/pipeline.h"
#include "searcher/format.h"
#include "searcher/search.h"
#include "searcher/snippet.h"
#include "tests/test_util.h"

using namespace news;
using news::test::TempDir;
using news::test::write_file;

namespace {

// An index of a few articles built through the real pipeline.
struct Index {
    TempDir dir;
    std::string db = dir.file("db");
    Index() {
        write_file(dir.file("in/script.txt"),
                   " date 2026-02-10 Researchers said the page ran <script>alert('x')</script> & then "
                   "redirected readers in Tallinn to a fake bank site. Security teams at Estonia's central "
                   "bank said no money was lost.");
        write_file(dir.file("in/warfare.txt"),
                   " date 2026-02-11 The ministry called the report psychological warfare and said military "
                   "analysts in Vilnius had studied such campaigns for years.");
        std::string long_body = " date 2026-02-12 ";
        for (int i = 0; i < 80; ++i) long_body += "Filler sentence number " + std::to_string(i) + " says little. ";
        long_body += "At the very end the harbour of Klaipeda froze over.";
        write_file(dir.file("in/long.txt"), long_body);
        BuildOptions opt;
        opt.db = db;
        opt.roots = {dir.file("in")};
        opt.threads = 1;
        opt.progress = BuildOptions::Progress::Never;
        std::ostringstream log;
        BuildSummary s = build_index(opt, log);
        REQUIRE(s.indexed == 3);
    }
    std::string snippet(const std::string& query) {
        Searcher searcher(db);
        SearchRequest req;
        req.query = query;
        SearchResponse r = searcher.search(req);
        REQUIRE(r.results.size() == 1);
        return r.results[0].snippet;
    }
};

size_t long_text_bytes() { return 80 * 30; }

bool contains(const std::string& s, const std::string& needle) { return s.find(needle) != std::string::npos; }

// `filler` repeated to exactly `k` bytes.
std::string lead_of(const std::string& filler, size_t k) {
    std::string lead;
    while (lead.size() < k) lead += filler;
    lead.resize(k);
    return lead;
}

} // namespace

TEST_CASE("snippet: article markup is escaped, matches are marked") {
    Index ix;
    std::string s = ix.snippet("alert");
    CAPTURE(s);
    CHECK(contains(s, "&lt;script&gt;"));
    CHECK(contains(s, "&lt;/script&gt;"));
    CHECK(contains(s, "&amp; then"));
    CHECK(contains(s, "<mark>alert</mark>"));
    CHECK_FALSE(contains(s, "<script>"));
    CHECK_FALSE(contains(s, "& then"));
    // Only <mark> tags are left as markup.
    std::string rest = s;
    for (const char* tag : {"<mark>", "</mark>"})
        for (size_t p; (p = rest.find(tag)) != std::string::npos;) rest.erase(p, std::string(tag).size());
    CHECK(rest.find('<') == std::string::npos);
    CHECK(rest.find('>') == std::string::npos);
    CHECK(is_valid_utf8(s));
}

TEST_CASE("snippet: stemmed forms and phrase words are marked") {
    Index ix;
    std::string stemmed = ix.snippet("psychologically warfares");
    CAPTURE(stemmed);
    CHECK(contains(stemmed, "<mark>psychological</mark>"));
    CHECK(contains(stemmed, "<mark>warfare</mark>"));
    std::string phrase = ix.snippet("\"psychological warfare\"");
    CAPTURE(phrase);
    // Xapian may mark a phrase as one span or word by word; either is right.
    CHECK((contains(phrase, "<mark>psychological warfare</mark>") ||
           contains(phrase, "<mark>psychological</mark> <mark>warfare</mark>")));
}

TEST_CASE("snippet: a match deep in a long article is shown, cut with an ellipsis") {
    Index ix;
    std::string s = ix.snippet("Klaipeda");
    CAPTURE(s);
    CHECK(contains(s, "<mark>Klaipeda</mark>"));
    CHECK(contains(s, "\u2026"));
    CHECK(snippet_to_text(s, false).size() <= Snippeter::kLength + 2 * std::string("\u2026").size());
    CHECK(s.size() < long_text_bytes());
}

TEST_CASE("snippet: a word is found wherever it starts and ends in the text") {
    // Words are split sixteen bytes at a time: put the match at every offset
    // across several such blocks, at the text's end or before more text,
    // after filler words of letters, digits and underscores. A word
    // character after it (ASCII or not) makes it another word.
    const Snippeter s(Xapian::Query("kurdish"));
    const std::string filler = "ab_1 Cd9 xyz_ 42 ";
    const std::vector<std::pair<std::string, bool>> tails = {
        {"", false}, {",", false}, {" militias", false}, {"-led", false}, {"_", true},
        {"0", true}, {"9", true},  {"z", true},          {"Z", true},     {"\xC3\xA9t\xC3\xA9", true}};
    for (size_t k = 0; k < 150; ++k)
        for (const auto& [tail, joined] : tails) {
            StoredArticle a;
            a.body = lead_of(filler, k) + " Kurdish" + tail;
            const std::string out = s.snippet(a);
            CHECK_MESSAGE(contains(out, "<mark>Kurdish</mark>") == !joined, "offset ", k, ", tail '", tail, "': ", out);
        }
    StoredArticle a;
    a.body = std::string(60, 'x') + " \xC3\x84rger Kurdish_2 kurdish";
    const std::string out = s.snippet(a);
    CHECK(contains(out, "Kurdish_2 <mark>kurdish</mark>"));
}

TEST_CASE("snippet: a word is marked where a word starts, whatever comes before it") {
    // A query of one first letter takes the quick path (jumping between
    // possible word starts): what goes before the match decides whether
    // it starts a word, at every offset across several 64-byte blocks.
    const Snippeter s(Xapian::Query("oil"));
    // (é is a letter; ’ is U+2019, an apostrophe; — an em dash, no word's.)
    const std::vector<std::pair<std::string, bool>> heads = {{" ", false},
                                                             {"-", false},
                                                             {"x", true},
                                                             {"9", true},
                                                             {"_", true},
                                                             {"\xC3\xA9", true},
                                                             {"l'", true},
                                                             {"l\xE2\x80\x99", true},
                                                             {" '", false},
                                                             {"\xE2\x80\x94", false},
                                                             {" \xE2\x80\x99", false},
                                                             {"\xC3\xA9'", true}};
    const std::string filler = "cd ab_1 Cd9 xyz_ 42 ";
    for (size_t k = 0; k < 140; ++k)
        for (const auto& [head, joined] : heads) {
            StoredArticle a;
            a.body = lead_of(filler, k) + head + "Oil, and oil again";
            const std::string out = s.snippet(a);
            CHECK_MESSAGE(contains(out, "<mark>Oil</mark>") == !joined, "offset ", k, ", head '", head, "': ", out);
            CHECK_MESSAGE(contains(out, "<mark>oil</mark> again"), "offset ", k, ", head '", head, "': ", out);
        }
}

TEST_CASE("snippet: phrase and NEAR words are counted over the words the scan jumps over") {
    // Phrases need every word's place, but the scan reads only the words
    // that may match ("oil", "price") and counts the others it jumps over:
    // words of letters, digits and underscores, one word across an
    // apostrophe ("a'b"), none across punctuation; at every offset across
    // several 64-byte blocks.
    const std::vector<Xapian::Query> terms = {Xapian::Query("oil"), Xapian::Query("price")};
    const Snippeter phrase(Xapian::Query(Xapian::Query::OP_PHRASE, terms.begin(), terms.end(), 2));
    const Snippeter near(Xapian::Query(Xapian::Query::OP_NEAR, terms.begin(), terms.end(), 11));
    auto repeat = [](const std::string& s, int n) {
        std::string out;
        for (int i = 0; i < n; ++i) out += s;
        return out;
    };
    struct Case {
        const Snippeter* s;
        std::string between;
        bool marked;
    };
    const std::vector<Case> cases = {
        {&phrase, " ", true},
        {&phrase, ", ", true},
        {&phrase, " - ", true},
        {&phrase, " the ", false},
        {&phrase, " it's ", false},
        {&phrase, " 9 ", false},
        {&phrase, " _ ", false},
        {&near, repeat(" a'b", 9) + " ", true}, // ten words apart: inside the window of 11
        {&near, repeat(" a'b", 10) + " ", false},
        {&near, repeat(" x_1 'c", 4) + " ", true}, // ("'c" is a word of its own)
        {&near, repeat(" x_1 'c", 5) + " ", false},
    };
    const std::string filler = "cd ab_1 Cd9 xyz_ 42 ";
    for (size_t k = 0; k < 140; ++k)
        for (const Case& c : cases) {
            StoredArticle a;
            a.body = lead_of(filler, k) + " Oil" + c.between + "price, said x.";
            const std::string out = c.s->snippet(a);
            const bool marked = contains(out, "<mark>Oil</mark>") && contains(out, "<mark>price</mark>");
            CHECK_MESSAGE(marked == c.marked, "offset ", k, ", between '", c.between, "': ", out);
            if (!c.marked) CHECK_MESSAGE(!contains(out, "<mark>"), "offset ", k, ": ", out);
        }
}

TEST_CASE("snippet: marks() lists every match of the whole text, in order, not only the snippet's") {
    StoredArticle a;
    std::string filler;
    for (int i = 0; i < 60; ++i) filler += "Nothing to see in sentence " + std::to_string(i) + ". ";
    a.body = "Kurdish groups met. " + filler + "Later the Kurds and Kurdish officials left.";
    a.entities.push_back({"PLACE", "Erbil", 0, 7}); // (an entity span over the first word too)
    Xapian::Query q(Xapian::Query::OP_OR, Xapian::Query("kurdish"), Xapian::Query("XEPLACE:erbil"));
    const Snippeter s(q);
    auto marks = s.marks(a);
    REQUIRE(marks.size() == 2); // the first word (word and entity merged) and the last "Kurdish"
    CHECK(a.body.substr(marks[0].first, marks[0].second - marks[0].first) == "Kurdish");
    CHECK(a.body.substr(marks[1].first, marks[1].second - marks[1].first) == "Kurdish");
    CHECK(marks[1].first > Snippeter::kLength); // beyond any snippet's window
    CHECK(s.marks(StoredArticle {}).empty());
}
