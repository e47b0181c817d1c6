// Tests for searcher/export.*: CSV quoting (RFC 4180), the formats, and an
// export of the sample corpus that agrees with the search's own counts.
#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "common/error.h"
#include "searcher/export.h"
#include "tests/corpus_db.h"

using namespace news;
using news::test::corpus_db;

namespace {

size_t lines_of(const std::string& s, const char* end) {
    size_t n = 0;
    for (size_t at = 0; (at = s.find(end, at)) != std::string::npos; at += std::string(end).size()) ++n;
    return n;
}

} // namespace

TEST_CASE("export: csv_field quotes only what RFC 4180 needs quoted") {
    CHECK(csv_field("plain words") == "plain words");
    CHECK(csv_field("") == "");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("say \"no\"") == "\"say \"\"no\"\"\"");
    CHECK(csv_field("two\nlines") == "\"two\nlines\"");
    CHECK(csv_field("cr\r") == "\"cr\r\"");
    CHECK(csv_field("José Müller") == "José Müller");
}

TEST_CASE("export: formats are csv and jsonl") {
    CHECK(parse_export_format("csv") == ExportFormat::Csv);
    CHECK(parse_export_format("jsonl") == ExportFormat::Jsonl);
    CHECK_THROWS_AS(parse_export_format("xls"), QueryError);
    CHECK(export_columns().front() == "rank");
    CHECK(export_columns().size() == 14);
}

TEST_CASE("export: every match of the corpus, folded and not, as the search counts them") {
    Searcher s(corpus_db());
    SearchRequest req;
    req.query = "the";
    req.facets = true;
    const SearchResponse counted = s.search(req);
    REQUIRE(counted.total_exact);

    std::ostringstream csv;
    ExportOptions opt;
    const ExportSummary folded = export_matches(s, req, opt, csv);
    CHECK(folded.rows == counted.total_stories);
    CHECK(folded.articles == counted.total_articles);
    CHECK(lines_of(csv.str(), "\r\n") >= static_cast<size_t>(folded.rows) + 1);

    req.collapse = false;
    std::ostringstream jsonl;
    opt.format = ExportFormat::Jsonl;
    const ExportSummary all = export_matches(s, req, opt, jsonl);
    CHECK(all.rows == counted.total_articles);
    CHECK(lines_of(jsonl.str(), "\n") == static_cast<size_t>(all.rows));

    opt.max_rows = 2;
    std::ostringstream cut;
    const ExportSummary two = export_matches(s, req, opt, cut);
    CHECK(two.rows == 2);
    CHECK(two.truncated == (all.rows > 2));
}
