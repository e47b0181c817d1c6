// libFuzzer target for the date parsers (common/dates.h): parse_iso_date,
// parse_any_date and parse_date_range. Only news::Error may escape, and
// what comes back is a real day whose ISO form parses back to itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/dates.h"
#include "common/error.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

void check_day(const news::Date& d) {
    news::fuzz::require(news::is_valid_day(d.year, d.month, d.day), "a parsed date is a real day");
    news::fuzz::require(news::parse_iso_date(d.iso()) == d, "iso() parses back to the same day");
    news::fuzz::require(d.compact().size() == 8, "compact() is YYYYMMDD");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace news;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        check_day(parse_iso_date(text));
    } catch (const Error&) {}
    try {
        if (auto d = parse_any_date(text)) check_day(*d);
    } catch (const Error&) {}
    try {
        DateRange r = parse_date_range(text);
        fuzz::require(r.from.empty() || r.from.size() == 8, "range start is YYYYMMDD");
        fuzz::require(r.to.empty() || r.to.size() == 8, "range end is YYYYMMDD");
    } catch (const QueryError&) {}
    return 0;
}
