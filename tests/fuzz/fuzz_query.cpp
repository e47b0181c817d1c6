// libFuzzer target for query building: news::QueryBuilder over a small
// index of corpus/ (built once, in a scratch folder, at start-up), the
// option filters and the date-range parser. An unparsable query must come
// back as news::QueryError (a message for the user), never as a crash or
// another exception; a parsed query must run.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>

#include <xapian.h>

#include "common/dates.h"
#include "common/error.h"
#include "indexer/pipeline.h"
#include "searcher/query.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

Xapian::Database* g_db = nullptr;

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    namespace fs = std::filesystem;
    fs::path db = fs::temp_directory_path() / ("newssearch-fuzz-query-" + std::to_string(::getpid()) + ".db");
    news::BuildOptions opt;
    opt.db = db.string();
    opt.roots = {std::string(NEWS_SOURCE_DIR) + "/corpus"};
    opt.threads = 1;
    opt.progress = news::BuildOptions::Progress::Never;
    std::ostringstream log;
    news::build_index(opt, log);
    g_db = new Xapian::Database(opt.db);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace news;
    if (size > 4096) return 0; // the CGI bounds queries far below this
    const std::string text(reinterpret_cast<const char*>(data), size);
    QueryBuilder builder(*g_db);
    try {
        ParsedQuery q = builder.parse(text);
        Xapian::Enquire enq(*g_db);
        enq.set_query(q.query);
        enq.get_mset(0, 10);
    } catch (const QueryError&) {}
    // The same text as each option's value.
    size_t cut = text.find('\n');
    std::string from = text.substr(0, cut), to = cut == std::string::npos ? "" : text.substr(cut + 1);
    try {
        builder.date_filter(from, to);
    } catch (const QueryError&) {}
    try {
        builder.entity_filter(text);
    } catch (const QueryError&) {}
    try {
        builder.source_filter(text);
    } catch (const QueryError&) {}
    try {
        DateRange r = parse_date_range(text);
        fuzz::require(r.from.empty() || r.from.size() == 8, "range start is YYYYMMDD");
        fuzz::require(r.to.empty() || r.to.size() == 8, "range end is YYYYMMDD");
        fuzz::require(r.from.empty() || r.to.empty() || r.from <= r.to, "range start <= end");
        date_range_query(*g_db, text);
    } catch (const QueryError&) {}
    return 0;
}
