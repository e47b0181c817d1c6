#include "common/dates.h"

#include <cctype>
#include <cstdio>

#include "common/error.h"

namespace news {
namespace {

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

int to_int(std::string_view s) {
    int v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    return v;
}

int month_from_name(std::string_view s) {
    static const char* kNames[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
    if (s.size() < 3) return 0;
    char l[3];
    for (int i = 0; i < 3; ++i)
        l[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[static_cast<size_t>(i)])));
    for (int i = 0; i < 12; ++i)
        if (l[0] == kNames[i][0] && l[1] == kNames[i][1] && l[2] == kNames[i][2]) return i + 1;
    return 0;
}

Date checked(int y, int m, int d, std::string_view text) {
    if (!is_valid_day(y, m, d)) throw Error("impossible date '" + std::string(text) + "'");
    return Date {y, m, d};
}

// "YYYY" + sep + "MM" + sep + "DD" written digit by digit: a date-range
// query formats a few dates for every day it spans, and snprintf costs
// about a thousand instructions a call. Out-of-range fields (a Date is a
// plain struct) take the general path.
std::string format_date(const Date& d, const char* sep) {
    if (d.year < 0 || d.year > 9999 || d.month < 0 || d.month > 99 || d.day < 0 || d.day > 99) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "%04d%s%02d%s%02d", d.year, sep, d.month, sep, d.day);
        return buf;
    }
    std::string out;
    out.reserve(10);
    auto two = [&out](int v) {
        out += static_cast<char>('0' + v / 10);
        out += static_cast<char>('0' + v % 10);
    };
    two(d.year / 100);
    two(d.year % 100);
    out += sep;
    two(d.month);
    out += sep;
    two(d.day);
    return out;
}

} // namespace

int days_in_month(int y, int m) {
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return kDays[m - 1];
}

std::string Date::iso() const { return format_date(*this, "-"); }

std::string Date::compact() const { return format_date(*this, ""); }

bool is_valid_day(int y, int m, int d) {
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

Date add_days(const Date& d, int days) {
    int y = d.year, m = d.month, day = d.day + days;
    while (day < 1) {
        if (--m < 1) {
            m = 12;
            --y;
        }
        day += days_in_month(y, m);
    }
    while (day > days_in_month(y, m)) {
        day -= days_in_month(y, m);
        if (++m > 12) {
            m = 1;
            ++y;
        }
    }
    return Date {y, m, day};
}

Date parse_iso_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !all_digits(s.substr(0, 4)) || !all_digits(s.substr(5, 2)) ||
        !all_digits(s.substr(8, 2)))
        throw Error("malformed date '" + std::string(s) + "' (expected YYYY-MM-DD)");
    return checked(to_int(s.substr(0, 4)), to_int(s.substr(5, 2)), to_int(s.substr(8, 2)), s);
}

std::optional<Date> parse_any_date(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    // ISO: YYYY-MM-DD or YYYY/MM/DD, optionally followed by a time.
    if (s.size() >= 10 && all_digits(s.substr(0, 4)) && (s[4] == '-' || s[4] == '/') && s[7] == s[4] &&
        all_digits(s.substr(5, 2)) && all_digits(s.substr(8, 2)))
        return checked(to_int(s.substr(0, 4)), to_int(s.substr(5, 2)), to_int(s.substr(8, 2)), s.substr(0, 10));
    // Compact YYYYMMDD.
    if (s.size() >= 8 && all_digits(s.substr(0, 8)) &&
        (s.size() == 8 || !std::isdigit(static_cast<unsigned char>(s[8]))))
        return checked(to_int(s.substr(0, 4)), to_int(s.substr(4, 2)), to_int(s.substr(6, 2)), s.substr(0, 8));
    // Reuters-21578: "26-FEB-1987 15:01:01.79"; also "26 Feb 1987".
    // RFC 822: "Wed, 04 Mar 2026 10:00:00 GMT".
    std::string_view t = s;
    size_t comma = t.find(',');
    if (comma != std::string_view::npos && comma <= 4) t.remove_prefix(comma + 1);
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    size_t i = 0;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
    if (i >= 1 && i <= 2 && i < t.size() && (t[i] == '-' || t[i] == ' ')) {
        int day = to_int(t.substr(0, i));
        std::string_view rest = t.substr(i + 1);
        int month = month_from_name(rest);
        size_t j = 0;
        while (j < rest.size() && std::isalpha(static_cast<unsigned char>(rest[j]))) ++j;
        if (month && j < rest.size() && (rest[j] == '-' || rest[j] == ' ') && rest.size() >= j + 5 &&
            all_digits(rest.substr(j + 1, 4)))
            return checked(to_int(rest.substr(j + 1, 4)), month, day, s.substr(0, std::min<size_t>(s.size(), 24)));
    }
    return std::nullopt;
}

DateRange parse_date_range(std::string_view s) {
    auto bound = [&](std::string_view b, bool upper) -> std::string {
        if (b.empty()) return {};
        auto bad = [&](const std::string& why) {
            return QueryError("invalid date '" + std::string(b) + "': " + why + " (use YYYY, YYYY-MM or YYYY-MM-DD)");
        };
        if (b.size() == 4 && all_digits(b)) {
            int y = to_int(b);
            if (y < 1) throw bad("no year 0");
            return Date {y, upper ? 12 : 1, upper ? 31 : 1}.compact();
        }
        if (b.size() == 7 && b[4] == '-' && all_digits(b.substr(0, 4)) && all_digits(b.substr(5, 2))) {
            int y = to_int(b.substr(0, 4)), m = to_int(b.substr(5, 2));
            if (m < 1 || m > 12 || y < 1) throw bad("no such month");
            return Date {y, m, upper ? days_in_month(y, m) : 1}.compact();
        }
        if (b.size() == 10 && b[4] == '-' && b[7] == '-' && all_digits(b.substr(0, 4)) && all_digits(b.substr(5, 2)) &&
            all_digits(b.substr(8, 2))) {
            int y = to_int(b.substr(0, 4)), m = to_int(b.substr(5, 2)), d = to_int(b.substr(8, 2));
            if (!is_valid_day(y, m, d)) throw bad("no such day");
            return Date {y, m, d}.compact();
        }
        throw bad("not a date");
    };
    size_t dots = s.find("..");
    DateRange r;
    if (dots == std::string_view::npos) {
        if (s.empty()) throw QueryError("empty date");
        r.from = bound(s, false);
        r.to = bound(s, true);
        return r;
    }
    r.from = bound(s.substr(0, dots), false);
    r.to = bound(s.substr(dots + 2), true);
    if (r.from.empty() && r.to.empty()) throw QueryError("date range '..' needs at least one end");
    if (!r.from.empty() && !r.to.empty() && r.from > r.to)
        throw QueryError("date range '" + std::string(s) + "' ends before it starts");
    return r;
}

} // namespace news
