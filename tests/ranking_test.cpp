// Tests for searcher/ranking.*: plain words relax when all of them find too
// few stories (and explicit syntax never does), stop words, possessives,
// title words, feedback that reorders but never adds matches, and a
// relaxed search over shards answering as one database.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <string>

#include <xapian.h>

#include "indexer/pipeline.h"
#include "searcher/format.h"
#include "searcher/query.h"
#include "searcher/ranking.h"
#include "searcher/search.h"
#include "tests/test_util.h"

using namespace news;
using news::test::TempDir;
using news::test::write_file;

namespace {

std::string build(const TempDir& dir, const std::string& root, ShardBy shard_by = ShardBy::None) {
    BuildOptions opt;
    opt.db = dir.file("db");
    opt.roots = {root};
    opt.shard_by = shard_by;
    opt.threads = 1;
    opt.progress = BuildOptions::Progress::Never;
    std::ostringstream log;
    build_index(opt, log);
    return opt.db;
}

std::string article(const std::string& id, const std::string& date, const std::string& title, const std::string& body) {
    return "{\"id\": \"" + id + "\", \"date\": \"" + date + "\", \"title\": \"" + title + "\", \"body\": \"" + body +
           "\"}\n";
}

// Twenty-four articles over two months: "harbour" and "strike" are each in
// many, together in two; "zebra" and "harbour" never meet.
std::string corpus() {
    std::string lines;
    for (int i = 0; i < 12; ++i)
        lines += article("h" + std::to_string(i),
                         i < 6 ? "2025-01-1" + std::to_string(i) : "2025-02-1" + std::to_string(i - 6),
                         "Harbour news " + std::to_string(i),
                         "The harbour of town " + std::to_string(i) + " handled more grain and timber this week.");
    for (int i = 0; i < 10; ++i)
        lines += article("s" + std::to_string(i),
                         i < 5 ? "2025-01-2" + std::to_string(i) : "2025-02-2" + std::to_string(i - 5),
                         "Rail strike " + std::to_string(i),
                         "A rail strike in region " + std::to_string(i) + " stopped the trains of the morning.");
    lines += article("both1", "2025-01-05", "Harbour strike", "Dockworkers at the harbour went on strike over pay.");
    lines += article("both2", "2025-02-05", "Strike ends", "The harbour strike ended after a week of talks.");
    lines += article("zebra", "2025-02-07", "Zoo", "A zebra was born at the city zoo on Tuesday.");
    lines += article("iran", "2025-02-08", "Tehran", "Iran said the talks on oil exports would resume in Vienna.");
    return lines;
}

struct Fixture {
    TempDir dir, one, two;
    std::string db, sharded;
    Fixture() {
        write_file(dir.file("in/news.jsonl"), corpus());
        db = build(one, dir.file("in"));
        sharded = build(two, dir.file("in"), ShardBy::Month);
    }
};

const Fixture& fixture() {
    static Fixture f;
    return f;
}

SearchResponse search(const std::string& db, const std::string& q, int limit = 50, const std::string& from = "") {
    SearchRequest req;
    req.query = q;
    req.limit = limit;
    req.from = from;
    Searcher s(db);
    return s.search(req);
}

std::set<std::string> ids(const SearchResponse& r) {
    std::set<std::string> out;
    for (const auto& x : r.results) out.insert(x.id);
    return out;
}

} // namespace

TEST_CASE("ranking: words never found together relax to the articles with some of them, and say so") {
    SearchResponse r = search(fixture().db, "harbour zebra");
    CHECK(r.relaxed);
    CHECK(r.all_words_matches == 0);
    CHECK(r.optional_words == std::vector<std::string> {"harbour", "zebra"});
    CHECK(ids(r).count("zebra") == 1);
    CHECK(ids(r).count("h3") == 1);
    CHECK(r.results.size() == 15); // 12 + 2 harbour articles, the zebra
    CHECK(relaxation_message(r) == "No article has all of: harbour, zebra; showing articles with most of them");
    const std::string json = to_json(r);
    CHECK(json.find("\"relaxed\":true") != std::string::npos);
    CHECK(json.find("\"optional\":[\"harbour\",\"zebra\"]") != std::string::npos);
    std::ostringstream text;
    write_text(r, text, {});
    CHECK(text.str().find("No article has all of: harbour, zebra") != std::string::npos);
}

TEST_CASE("ranking: when a few articles have every word, they come first, then the others") {
    SearchResponse r = search(fixture().db, "harbour strike");
    REQUIRE(r.relaxed);
    CHECK(r.all_words_matches == 2);
    REQUIRE(r.results.size() == 24);
    std::set<std::string> first {r.results[0].id, r.results[1].id};
    CHECK(first == std::set<std::string> {"both1", "both2"});
    // Scores are shown as BM25 gives them, without the ordering bonus.
    CHECK(r.results[0].score < 100);
    CHECK(relaxation_message(r).rfind("Only 2 matches have all of: harbour, strike", 0) == 0);
}

TEST_CASE("ranking: AND, +, quotes and a single word never relax") {
    for (std::string q : {"harbour AND zebra", "+harbour +zebra", "\"harbour zebra\"", "giraffe"}) {
        CAPTURE(q);
        SearchResponse r = search(fixture().db, q);
        CHECK_FALSE(r.relaxed);
        CHECK(r.results.empty());
    }
    // A required word stays required; the plain one beside it relaxes.
    SearchResponse r = search(fixture().db, "+zebra harbour");
    CHECK(r.relaxed);
    CHECK(ids(r) == std::set<std::string> {"zebra"});
}

TEST_CASE("ranking: a filter stays a filter when the words relax") {
    SearchResponse r = search(fixture().db, "harbour zebra date:2025-02");
    REQUIRE(r.relaxed);
    for (const auto& x : r.results) CHECK(x.date.rfind("2025-02", 0) == 0);
    CHECK(ids(r).count("zebra") == 1);
    r = search(fixture().db, "harbour zebra", 50, "2025-02-01");
    REQUIRE(r.relaxed);
    for (const auto& x : r.results) CHECK(x.date >= "2025-02-01");
    // NOT keeps out what it names.
    r = search(fixture().db, "harbour zebra -grain");
    REQUIRE(r.relaxed);
    CHECK(ids(r) == std::set<std::string> {"both1", "both2", "zebra"});
}

TEST_CASE("ranking: sentences, stop words, questions and possessives parse as meant") {
    // Fewer than kRelaxBelow stories have both words: the one that has
    // them comes first, and no stop word is among the words relaxed.
    SearchResponse r = search(fixture().db, "What did the dockworkers do about the strike?");
    CHECK(r.relaxed);
    CHECK(r.all_words_matches == 1);
    REQUIRE(!r.results.empty());
    CHECK(r.results[0].id == "both1");
    CHECK(r.optional_words == std::vector<std::string> {"dockworkers", "strike"});
    for (const char* w : {"what", "did", "the", "do", "about"})
        CHECK(std::find(r.stop_words.begin(), r.stop_words.end(), w) != r.stop_words.end());
    // Stop words alone are searched as they are.
    r = search(fixture().db, "the of");
    CHECK_FALSE(r.results.empty());
    r = search(fixture().db, "Iran's oil");
    CHECK(ids(r) == std::set<std::string> {"iran"});
    r = search(fixture().db, "iran's exports");
    CHECK(ids(r) == std::set<std::string> {"iran"});
}

TEST_CASE("ranking: a relaxed search over monthly shards answers as the single database") {
    for (std::string q : {"harbour zebra", "harbour strike", "grain trains zebra", "harbour strike date:2025-02"}) {
        CAPTURE(q);
        SearchResponse one = search(fixture().db, q), many = search(fixture().sharded, q);
        CHECK(one.relaxed == many.relaxed);
        CHECK(one.all_words_matches == many.all_words_matches);
        REQUIRE(one.results.size() == many.results.size());
        for (size_t i = 0; i < one.results.size(); ++i) {
            CHECK(one.results[i].id == many.results[i].id);
            CHECK(one.results[i].score == doctest::Approx(many.results[i].score));
        }
    }
}

TEST_CASE("ranking: relaxed_query keeps explicit parts required and reports the words made optional") {
    Xapian::QueryParser qp;
    qp.set_stemmer(Xapian::Stem("english"));
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    auto parse = [&](const std::string& q, Xapian::Query::op op) {
        qp.set_default_op(op);
        return qp.parse_query(q, Xapian::QueryParser::FLAG_DEFAULT);
    };
    auto relaxed = [&](const std::string& q, std::vector<std::string>& words) {
        return relaxed_query(parse(q, Xapian::Query::OP_AND), parse(q, Xapian::Query::OP_OR), words);
    };
    std::vector<std::string> words;
    CHECK(relaxed("oil prices", words).get_description() == "Query((Zoil@1 OR Zprice@2))");
    CHECK(words == std::vector<std::string> {"Zoil", "Zprice"});
    CHECK(relaxed("\"north sea\" oil", words).get_description() ==
          "Query(((north@1 PHRASE 2 sea@2) AND_MAYBE Zoil@3))");
    CHECK(words == std::vector<std::string> {"Zoil"});
    CHECK(relaxed("oil AND gas", words).empty());
    CHECK(relaxed("+oil +gas", words).empty());
    CHECK(relaxed("oil OR gas", words).empty());
    CHECK(relaxed("+oil gas price", words).get_description() == "Query((Zoil@1 AND_MAYBE (Zgas@2 OR Zprice@3)))");
    CHECK(words == std::vector<std::string> {"Zgas", "Zprice"});
}

TEST_CASE("ranking: title words weigh more, and feedback reorders without adding matches") {
    const Xapian::Query q("Zstrike");
    CHECK(weigh_titles(q).get_description() == "Query((Zstrike OR 0.5 * ZSstrike))");
    CHECK(weigh_titles(Xapian::Query("strike")).get_description() == "Query((strike OR 0.5 * Sstrike))");
    // Boolean filters and prefixed terms are left alone.
    CHECK(weigh_titles(Xapian::Query("XEPLACE:iran")).get_description() == "Query(XEPLACE:iran)");
    // "trains" with feedback: the same articles as without.
    SearchRequest req;
    req.query = "rail";
    req.limit = 50;
    Searcher s(fixture().db);
    SearchResponse ranked = s.search(req);
    req.sort = SortOrder::Newest; // (no feedback for an order by date)
    SearchResponse dated = s.search(req);
    CHECK(ids(ranked) == ids(dated));
    CHECK(ranked.total_estimate == dated.total_estimate);
}
