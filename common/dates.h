// Calendar dates as the index stores them. A Date is a validated day; the
// parsers accept the forms news sources use and reject impossible days
// (2026-02-30) with news::Error.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace news {

struct Date {
    int year = 0, month = 0, day = 0;

    std::string iso() const;     // "2026-03-04"
    std::string compact() const; // "20260304", the sortable value-slot form
    bool operator==(const Date& o) const { return year == o.year && month == o.month && day == o.day; }
};

bool is_valid_day(int year, int month, int day);
int days_in_month(int year, int month);

// The day `days` after (or before, when negative) `d`.
Date add_days(const Date& d, int days);

// "YYYY-MM-DD"; throws news::Error naming the problem.
Date parse_iso_date(std::string_view s);

// ISO date or date-time at the start ("2026-03-04", "2026-03-04T10:00:00Z",
// "2026/03/04"), RFC-822 style ("Wed, 04 Mar 2026 10:00:00 GMT") or
// Reuters-21578 style ("26-FEB-1987 15:01:01.79"). Returns nullopt when the
// text is not a date at all; throws news::Error when it is an impossible one.
std::optional<Date> parse_any_date(std::string_view s);

// A range of days for queries: "2026-03-04", "2026-03", "2026",
// "2026-03-01..2026-03-05", "..2026-03-05", "2026-03-01..". Bounds are in
// compact form, empty for open. Month and year expand to their first/last
// day. Throws news::QueryError on malformed or impossible input.
struct DateRange {
    std::string from, to; // compact "YYYYMMDD" or empty
};
DateRange parse_date_range(std::string_view s);

} // namespace news
