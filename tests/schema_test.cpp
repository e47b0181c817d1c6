#include <doctest/doctest.h>

#include "common/error.h"
#include "common/schema.h"

using namespace news;

TEST_CASE("schema: terms are built from the prefixes") {
    CHECK(schema::id_term("abc") == "Qabc");
    CHECK(schema::entity_term("PLACE", "United States") == "XEPLACE:united states");
    CHECK(schema::entity_type_prefix("PERSON") == "XEPERSON:");
    CHECK(schema::source_term(" Reuters ") == "XSreuters");
    CHECK(schema::year_term(1987) == "Y1987");
    CHECK(schema::month_term(2026, 3) == "M202603");
    CHECK(schema::day_term(2026, 3, 4) == "D20260304");
    CHECK(schema::file_term("/a/b.txt").rfind("XF", 0) == 0);
    CHECK(schema::file_term("/a/b.txt") != schema::file_term("/a/c.txt"));
}

TEST_CASE("schema: entity terms stay within Xapian's term length limit") {
    CHECK(schema::entity_term("ORG", std::string(400, 'a')).size() <= 245);
}

TEST_CASE("schema: entity type codes round-trip") {
    for (auto t : {schema::kTypePerson, schema::kTypeOrg, schema::kTypePlace, schema::kTypeMisc})
        CHECK(schema::entity_type_from_code(schema::entity_type_code(t)) == t);
}

TEST_CASE("schema: file state round-trips and rejects garbage") {
    schema::FileState f {123, 456789, "00ff", 7};
    auto g = schema::FileState::decode(f.encode());
    CHECK(g.size == 123);
    CHECK(g.mtime_ns == 456789);
    CHECK(g.content_hash == "00ff");
    CHECK(g.articles == 7);
    CHECK_THROWS_AS(schema::FileState::decode("garbage"), Error);
}
