// Tests for searcher/query.*: the query language's field processors, the
// option filters, and the errors a user gets for what cannot be understood.
#include <doctest/doctest.h>

#include <string>

#include <xapian.h>

#include "common/error.h"
#include "common/schema.h"
#include "searcher/query.h"
#include "tests/test_util.h"

using namespace news;
using news::test::TempDir;

namespace {

// An empty database is enough to parse against.
struct Fixture {
    TempDir dir;
    Xapian::WritableDatabase wdb {dir.file("db"), Xapian::DB_CREATE_OR_OPEN};
    Xapian::Database db {dir.file("db")};
    QueryBuilder qb {db};
    std::string parse(const std::string& q) { return qb.parse(q).query.get_description(); }
};

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

} // namespace

TEST_CASE("query: an empty query matches everything") {
    Fixture f;
    CHECK(f.qb.parse("").query.get_type() == Xapian::Query::LEAF_MATCH_ALL);
    CHECK(f.qb.parse("   ").query.get_type() == Xapian::Query::LEAF_MATCH_ALL);
}

TEST_CASE("query: date: values become the date terms that cover them") {
    Fixture f;
    // The archive's first and last dates close open ranges.
    for (const char* day : {"20240115", "20261120"}) {
        Xapian::Document d;
        d.add_value(schema::kDateSlot, day);
        f.wdb.add_document(d);
    }
    f.wdb.commit();
    f.db.reopen();
    struct Case {
        const char* query;
        const char* want; // Xapian's description of the query
    } cases[] = {
        {"date:2026-03-04", "0 * D20260304)"},
        {"date:2026-03", "0 * M202603)"},
        {"date:2024-02", "0 * M202402)"},
        {"date:2026", "0 * Y2026)"},
        {"date:2026-03-01..2026-03-03", "0 * (D20260301 OR D20260302 OR D20260303))"},
        {"date:2025-12-30..2026-02-01", "0 * (D20251230 OR D20251231 OR M202601 OR D20260201))"},
        {"date:2024-02-28..2024-03-01", "0 * (D20240228 OR D20240229 OR D20240301))"},
        {"date:..2024-01-16", "0 * (D20240115 OR D20240116))"},
        {"date:2026-11-19..", "0 * (D20261119 OR D20261120))"},
        {"date:2024-11..", "0 * (M202411 OR M202412 OR Y2025 OR Y2026))"}, // 2026 ends at the last article
        {"date:2027..", "Query()"},                                        // after the last article
        // Cut to the archive's dates.
        {"date:1900-01-02..2024-01-16", "0 * (D20240115 OR D20240116))"},
        {"date:2026-11-20..2030", "0 * D20261120)"},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(c.query));
        std::string got = f.parse(c.query);
        CAPTURE(got);
        CHECK(contains(got, c.want));
    }
    // Combined with words, the date is a filter.
    std::string d = f.parse("iran date:2026-03-04");
    CHECK(contains(d, "iran"));
    CHECK(contains(d, "FILTER"));
}

TEST_CASE("query: an impossible or malformed date is a QueryError naming it") {
    Fixture f;
    for (const char* q : {"date:2026-13-45", "date:2026-02-30", "date:2023-02-29", "date:March", "date:..",
                          "date:2026-03-05..2026-03-01", "date:26-03-04", "iran date:2026-3-4"}) {
        CAPTURE(std::string(q));
        CHECK_THROWS_AS(f.qb.parse(q), QueryError);
    }
    try {
        f.qb.parse("date:2026-13-45");
        FAIL("no exception");
    } catch (const QueryError& e) {
        CHECK(contains(e.what(), "2026-13-45"));
    }
}

TEST_CASE("query: option date filters") {
    Fixture f;
    CHECK(f.qb.date_filter("", "").empty());
    CHECK(f.qb.date_filter("2026-03-04", "2026-03-04").get_description() == "Query()"); // (the archive is empty)
    CHECK(f.qb.date_filter("2026-03", "").get_description() == "Query()");              // (the archive is empty)
    CHECK(f.qb.date_filter("", "2026").get_description() == "Query()");
    CHECK_THROWS_AS(f.qb.date_filter("2026-02-30", ""), QueryError);
    CHECK_THROWS_AS(f.qb.date_filter("2026-03-05", "2026-03-01"), QueryError);
    CHECK_THROWS_AS(date_range_query(f.db, "yesterday"), QueryError);
}

TEST_CASE("query: bracket nesting is limited") {
    Fixture f;
    auto nested = [](int depth) { return std::string(depth, '(') + "iran" + std::string(depth, ')'); };
    CHECK_NOTHROW(f.qb.parse(nested(32)));
    CHECK_THROWS_AS(f.qb.parse(nested(33)), QueryError);
    CHECK_THROWS_AS(f.qb.parse(nested(5000)), QueryError);
    // Depth, not count: many shallow groups are fine, and stray ')' do not go negative.
    std::string wide;
    for (int i = 0; i < 100; ++i) wide += "(a OR b) ";
    CHECK_NOTHROW(f.qb.parse(wide));
    CHECK_NOTHROW(f.qb.parse(std::string(40, ')') + " iran"));
}

TEST_CASE("query: entity filter specs") {
    Fixture f;
    for (const char* bad : {"place", ":Iran", "place:", "colour:red", "", "PLACE"}) {
        CAPTURE(std::string(bad));
        CHECK_THROWS_AS(f.qb.entity_filter(bad), QueryError);
    }
    CHECK_THROWS_AS(f.qb.entity_filter("person:\"\""), QueryError);
    CHECK_THROWS_AS(f.qb.entity_filter("person:   "), QueryError);

    struct Case {
        const char* spec;
        const char* term;
    } cases[] = {
        {"place:Iran", "XEPLACE:iran"},
        {"PLACE:Iran", "XEPLACE:iran"},
        {"location:Iran", "XEPLACE:iran"},
        {"org:CIA", "XEORG:cia"},
        {"person:\"Donald Trump\"", "XEPERSON:donald trump"},
        {"person:Donald   Trump", "XEPERSON:donald trump"},
        {"misc:Kurdish", "XEMISC:kurdish"},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(c.spec));
        CHECK(contains(f.qb.entity_filter(c.spec).get_description(), c.term));
    }
    // entity: looks in every type.
    std::string any = f.qb.entity_filter("entity:Iran").get_description();
    CHECK(contains(any, "XEPLACE:iran"));
    CHECK(contains(any, "XEPERSON:iran"));
    CHECK(contains(any, "XEORG:iran"));
    CHECK(contains(any, "XEMISC:iran"));
}

TEST_CASE("query: entity fields in the query language") {
    Fixture f;
    CHECK(contains(f.parse("place:Iran"), "XEPLACE:iran"));
    CHECK(contains(f.parse("person:\"Donald Trump\" iran"), "XEPERSON:donald trump"));
    CHECK_THROWS_AS(f.qb.parse("person:\"\""), QueryError);
}

TEST_CASE("query: place aliases resolve to one canonical name") {
    Fixture f;
    std::string us = f.qb.entity_filter("place:US").get_description();
    std::string full = f.qb.entity_filter("place:\"United States\"").get_description();
    CHECK(contains(full, "XEPLACE:united states"));
    CHECK(us == full);
}

TEST_CASE("query: source and title fields") {
    Fixture f;
    CHECK(contains(f.parse("source:Reuters"), schema::source_term("Reuters")));
    CHECK(f.qb.source_filter("Reuters").get_description() ==
          Xapian::Query(schema::source_term("Reuters")).get_description());
    CHECK(contains(f.parse("title:strike"), std::string(schema::kTitlePrefix) + "strike"));
}

TEST_CASE("query: words are stemmed as the index stems them, phrases keep positions") {
    Fixture f;
    std::string d = f.parse("psychologically warfares");
    CHECK(contains(d, "Zpsycholog"));
    CHECK(contains(d, "Zwarfar"));
    CHECK(contains(f.parse("\"security forces\""), "PHRASE 2"));
    std::string b = f.parse("Erbil AND Pentagon NOT Journal");
    CHECK(contains(b, "AND_NOT"));
}

TEST_CASE("query: messages say what is wrong and what to do") {
    Fixture f;
    // A boolean operator with nothing to join.
    try {
        f.qb.parse("AND");
        FAIL("AND alone parsed");
    } catch (const QueryError& e) {
        const std::string m = e.what();
        CHECK(contains(m, "cannot read the query"));
        CHECK(contains(m, "put it in quotes"));
    }
    // A quote left open and a bare * parse, with a notice each.
    const ParsedQuery open = f.qb.parse("\"oil prices");
    REQUIRE(open.notices.size() == 1);
    CHECK(contains(open.notices[0], "quote is not closed"));
    const ParsedQuery star = f.qb.parse("*");
    REQUIRE(star.notices.size() == 1);
    CHECK(contains(star.notices[0], "needs letters before it"));
    CHECK(f.qb.parse("oil* \"crude prices\"").notices.empty());
}
