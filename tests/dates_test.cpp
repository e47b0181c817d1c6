#include <doctest/doctest.h>

#include "common/dates.h"
#include "common/error.h"

using namespace news;

TEST_CASE("dates: ISO days are validated") {
    CHECK(parse_iso_date("2026-03-04").compact() == "20260304");
    CHECK(parse_iso_date("2024-02-29").iso() == "2024-02-29");
    CHECK_THROWS_AS(parse_iso_date("2026-02-30"), Error);
    CHECK_THROWS_AS(parse_iso_date("2023-02-29"), Error);
    CHECK_THROWS_AS(parse_iso_date("2026-13-01"), Error);
    CHECK_THROWS_AS(parse_iso_date("2026-3-4"), Error);
}

TEST_CASE("dates: written with four-digit years and two-digit months and days") {
    CHECK(Date {1987, 3, 2}.compact() == "19870302");
    CHECK(Date {1987, 3, 2}.iso() == "1987-03-02");
    CHECK(Date {5, 1, 9}.iso() == "0005-01-09");
    CHECK(Date {9999, 12, 31}.compact() == "99991231");
    CHECK(Date {}.compact() == "00000000");
    CHECK(Date {12345, 1, 2}.iso() == "12345-01-02"); // not a valid day, still written whole
    CHECK(Date {-7, 1, 2}.compact() == "-0070102");
}

TEST_CASE("dates: the forms news sources use") {
    struct Case {
        const char* text;
        const char* iso;
    } cases[] = {
        {"2026-03-04", "2026-03-04"},
        {"2026-03-04T10:22:00Z", "2026-03-04"},
        {"2026/03/04", "2026-03-04"},
        {"20260304", "2026-03-04"},
        {"26-FEB-1987 15:01:01.79", "1987-02-26"},
        {" 5-MAR-1987 09:22:57.75", "1987-03-05"},
        {"Wed, 04 Mar 2026 10:00:00 GMT", "2026-03-04"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        auto d = parse_any_date(c.text);
        REQUIRE(d);
        CHECK(d->iso() == c.iso);
    }
    CHECK_FALSE(parse_any_date("yesterday"));
    CHECK_THROWS_AS(parse_any_date("2026-02-30"), Error);
    CHECK_THROWS_AS(parse_any_date("31-APR-1987"), Error);
}

TEST_CASE("dates: query ranges") {
    auto r = parse_date_range("2026-03");
    CHECK(r.from == "20260301");
    CHECK(r.to == "20260331");
    r = parse_date_range("2024-02");
    CHECK(r.to == "20240229");
    r = parse_date_range("2026");
    CHECK(r.from == "20260101");
    CHECK(r.to == "20261231");
    r = parse_date_range("..2026-03-05");
    CHECK(r.from.empty());
    CHECK(r.to == "20260305");
    r = parse_date_range("2026-03-01..");
    CHECK(r.from == "20260301");
    CHECK(r.to.empty());
    r = parse_date_range("2026-03-01..2026-03-05");
    CHECK(r.from == "20260301");
    CHECK(r.to == "20260305");
    CHECK_THROWS_AS(parse_date_range("2026-13-45"), QueryError);
    CHECK_THROWS_AS(parse_date_range(".."), QueryError);
    CHECK_THROWS_AS(parse_date_range("2026-03-05..2026-03-01"), QueryError);
    CHECK_THROWS_AS(parse_date_range("March"), QueryError);
}
