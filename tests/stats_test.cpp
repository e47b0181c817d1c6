// Tests for indexer/stats.*: what `newsindex stats` reads from an index
// (documents, terms, date span, sources as written, versions, size) and its
// text and JSON forms.
#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "common/error.h"
#include "common/schema.h"
#include "indexer/stats.h"
#include "indexer/store.h"
#include "tests/test_util.h"

using namespace news;
using news::test::TempDir;

namespace {

Xapian::Document article(const std::string& date, const std::string& source, int words) {
    Xapian::Document d;
    for (int i = 0; i < words; ++i) d.add_posting("w" + std::to_string(i), i + 1);
    if (!date.empty()) d.add_value(schema::kDateSlot, date);
    if (!source.empty()) {
        d.add_boolean_term(schema::source_term(source));
        d.add_value(schema::kSourceSlot, source);
    }
    return d;
}

// Three articles: two from "Reuters" (March, January), one undated from
// "AP News"; 3 + 2 + 4 words.
std::string small_index(const TempDir& t) {
    const std::string db = t.file("db");
    Xapian::WritableDatabase w(db, Xapian::DB_CREATE);
    w.add_document(article("20260301", "Reuters", 3));
    w.add_document(article("20260115", "Reuters", 2));
    w.add_document(article("", "AP News", 4));
    w.set_metadata(std::string(schema::kMetaSchema), "4");
    w.set_metadata(std::string(schema::kMetaModel), "model-x");
    w.commit();
    return db;
}

} // namespace

TEST_CASE("stats: counts, date span, sources as written and versions") {
    TempDir t;
    const std::string db = small_index(t);
    const IndexStats s = read_stats(db);
    CHECK(s.documents == 3);
    // w0..w3 and the two source terms.
    CHECK(s.distinct_terms == 6);
    CHECK(s.total_terms == 9);
    CHECK(s.first_date == "2026-01-15");
    CHECK(s.last_date == "2026-03-01");
    REQUIRE(s.sources.size() == 2);
    // (in term order, each named as its articles' slot spells it)
    CHECK(s.sources[0] == std::pair<std::string, long long> {"AP News", 1});
    CHECK(s.sources[1] == std::pair<std::string, long long> {"Reuters", 2});
    CHECK(s.schema_version == "4");
    CHECK(s.model_version == "model-x");
    CHECK(s.size_bytes == folder_bytes(db));
    CHECK(s.size_bytes > 0);
}

TEST_CASE("stats: the text form") {
    IndexStats s;
    s.documents = 3;
    s.distinct_terms = 6;
    s.total_terms = 9;
    s.first_date = "2026-01-15";
    s.last_date = "2026-03-01";
    s.sources = {{"AP News", 1}, {"Reuters", 2}};
    s.size_bytes = 5 * 1024 + 100;
    s.schema_version = "4";
    s.model_version = "model-x";
    std::ostringstream out;
    print_stats_text(s, out);
    CHECK(out.str() == "documents:  3\n"
                       "terms:      6 distinct, 9 in all\n"
                       "dates:      2026-01-15 .. 2026-03-01\n"
                       "sources:    2\n"
                       "  AP News: 1\n"
                       "  Reuters: 2\n"
                       "size:       5 KiB\n"
                       "schema:     4, model model-x\n");
}

TEST_CASE("stats: the JSON form, with null dates for an index of undated articles") {
    TempDir t;
    const std::string db = t.file("db");
    {
        Xapian::WritableDatabase w(db, Xapian::DB_CREATE);
        w.add_document(article("", "AP News", 2));
        w.commit();
    }
    std::ostringstream out;
    print_stats_json(read_stats(db), out);
    const nlohmann::json j = nlohmann::json::parse(out.str());
    CHECK(j["documents"] == 1);
    CHECK(j["terms"] == 3);
    CHECK(j["total_terms"] == 2);
    CHECK(j["first_date"].is_null());
    CHECK(j["last_date"].is_null());
    CHECK(j["sources"] == nlohmann::json::parse(R"([{"name": "AP News", "count": 1}])"));
    CHECK(j["size_bytes"] == folder_bytes(db));
    CHECK(j["schema_version"] == "");
    CHECK(j["model_version"] == "");

    std::ostringstream text;
    print_stats_text(read_stats(db), text);
    CHECK(text.str().find("dates:      none\n") != std::string::npos);
}

TEST_CASE("stats: a sharded index is read through its stub as one") {
    TempDir t;
    const std::string db = t.file("db");
    {
        IndexStore store(db, ShardBy::Month);
        store.shard_for("2026-01-15").db.add_document(article("20260115", "Reuters", 2));
        store.shard_for("2026-03-01").db.add_document(article("20260301", "Reuters", 3));
        store.commit();
    }
    const IndexStats s = read_stats(db);
    CHECK(s.documents == 2);
    CHECK(s.first_date == "2026-01-15");
    CHECK(s.last_date == "2026-03-01");
    CHECK(s.sources == std::vector<std::pair<std::string, long long>> {{"Reuters", 2}});
    CHECK(s.schema_version == std::to_string(schema::kSchemaVersion));
    CHECK(s.size_bytes == folder_bytes(db));
}

TEST_CASE("stats: a missing database is a news::Error naming it") {
    TempDir t;
    CHECK_THROWS_WITH_AS(read_stats(t.file("no-such.db")), doctest::Contains("no-such.db"), Error);
}
