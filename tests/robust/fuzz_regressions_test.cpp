// Regression tests for inputs the libFuzzer targets (tests/fuzz, run by
// tools/fuzz) found to crash, hang or break an invariant. Each case is named
// after what broke and feeds the input through the same API the fuzz target
// calls (or the pipeline, when the damage showed there).
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "common/codec.h"
#include "common/error.h"
#include "common/text.h"
#include "indexer/pipeline.h"
#include "indexer/readers.h"
#include "searcher/query.h"
#include "tests/test_util.h"

using namespace news;
using news::test::TempDir;
using news::test::write_file;

namespace {

struct Read {
    std::vector<Article> articles;
    std::vector<ReadIssue> issues;
};

Read read(const std::string& path, Format format) {
    Read r;
    read_articles(
        path, format, ReaderOptions {}, [&](Article&& a) { r.articles.push_back(std::move(a)); },
        [&](const ReadIssue& i) { r.issues.push_back(i); });
    return r;
}

} // namespace

// fuzz_reader_trec: <DOCNO> bytes went into the id (and the Q term) unchecked.
TEST_CASE("readers: a TREC DOCNO with invalid UTF-8 is repaired, not passed on") {
    TempDir dir;
    std::string path = write_file(dir.file("bad.trec"), "<DOC>\n<DOCNO> AP\xff\xfe"
                                                        "1 </DOCNO>\n"
                                                        "<TEXT> Text with a bad id. </TEXT>\n</DOC>\n");
    Read r = read(path, Format::Trec);
    REQUIRE(r.articles.size() == 1);
    CHECK(is_valid_utf8(r.articles[0].id));
    CHECK(r.articles[0].id.rfind("AP", 0) == 0);
    REQUIRE(r.issues.size() == 1);
    CHECK(r.issues[0].reason == "invalid UTF-8");
    CHECK_FALSE(r.issues[0].skipped);
}

// fuzz_reader_sgml: the NEWID attribute went into the id unchecked.
TEST_CASE("readers: a Reuters NEWID with invalid UTF-8 is repaired, not passed on") {
    TempDir dir;
    std::string path = write_file(dir.file("bad.sgm"), "<REUTERS NEWID=\"7\xe9\x80\">\n<DATE>26-FEB-1987</DATE>\n"
                                                       "<TEXT><BODY>Cocoa prices rose.</BODY></TEXT>\n</REUTERS>\n");
    Read r = read(path, Format::ReutersSgml);
    REQUIRE(r.articles.size() == 1);
    CHECK(is_valid_utf8(r.articles[0].id));
    CHECK(r.articles[0].id.rfind("7", 0) == 0);
}

// Found while reducing the DOCNO case: an id longer than a Xapian term may be
// ("Term too long (> 245)") made the writer fail and the whole run exit 2.
TEST_CASE("pipeline: a record whose id is too long for a Xapian term is skipped, the run goes on") {
    TempDir dir;
    const std::string long_id(300, 'x');
    write_file(dir.file("in/a.trec"), "<DOC>\n<DOCNO> AP" + long_id +
                                          " </DOCNO>\n<TEXT> Oil prices rose. </TEXT>\n</DOC>\n"
                                          "<DOC>\n<DOCNO> AP2 </DOCNO>\n<TEXT> Wheat prices fell. </TEXT>\n</DOC>\n");
    write_file(dir.file("in/b.jsonl"), "{\"id\": \"" + long_id +
                                           "\", \"body\": \"Glaciers retreat.\"}\n"
                                           "{\"id\": \"j2\", \"body\": \"Snow falls on Sapporo.\"}\n");
    write_file(dir.file("in/c.sgm"),
               "<REUTERS NEWID=\"" + long_id +
                   "\">\n<TEXT><BODY>Cocoa.</BODY></TEXT>\n</REUTERS>\n"
                   "<REUTERS NEWID=\"3\">\n<TEXT><BODY>Coffee futures.</BODY></TEXT>\n</REUTERS>\n");
    BuildOptions opt;
    opt.db = dir.file("index.db");
    opt.roots = {dir.file("in")};
    opt.threads = 1;
    opt.progress = BuildOptions::Progress::Never;
    std::ostringstream log;
    BuildSummary s;
    REQUIRE_NOTHROW(s = build_index(opt, log));
    CHECK(s.indexed == 3);
    CHECK(s.skipped == 3);
    CHECK(s.skip_reasons["id too long"] == 3);
    CHECK(log.str().find("a.trec:1: id too long") != std::string::npos);
}

// fuzz_query, fuzz_cgi: these make a field processor throw out of Xapian's
// QueryParser, which then leaks its partial parse (suppressed in
// tests/fuzz/lsan.supp); the user must still get a QueryError.
TEST_CASE("query: an empty entity value and an impossible date bound are query errors") {
    TempDir dir;
    Xapian::WritableDatabase(dir.file("index.db"), Xapian::DB_CREATE_OR_OPEN).commit();
    Xapian::Database db(dir.file("index.db"));
    QueryBuilder builder(db);
    CHECK_THROWS_AS(builder.parse("q misc:\"\""), QueryError);
    CHECK_THROWS_AS(builder.parse("solab* source:reu date:..455'"), QueryError);
}

TEST_CASE("codec: an empty record is rejected, not read") { CHECK_THROWS_AS(decode_article(std::string()), Error); }
