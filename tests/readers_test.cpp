// Tests for indexer/readers.* and indexer/input.*: every format, plain and
// compressed, and every kind of bad input a news archive throws at us.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "common/error.h"
#include "common/text.h"
#include "indexer/input.h"
#include "indexer/readers.h"
#include "tests/test_util.h"

using namespace news;
using news::test::TempDir;
using news::test::write_file;

namespace {

struct ReadOut {
    std::vector<Article> articles;
    std::vector<ReadIssue> issues;
};

ReadOut read(const std::string& path, const ReaderOptions& opt = {}) {
    ReadOut out;
    read_articles(
        path, format_for_path(path), opt, [&](Article&& a) { out.articles.push_back(std::move(a)); },
        [&](const ReadIssue& i) { out.issues.push_back(i); });
    return out;
}

std::vector<std::string> read_lines(const std::string& path) {
    Input in(path);
    std::vector<std::string> lines;
    std::string line;
    while (in.read_line(line)) lines.push_back(line);
    return lines;
}

bool all_valid(const Article& a) {
    return is_valid_utf8(a.title) && is_valid_utf8(a.body) && is_valid_utf8(a.source) && is_valid_utf8(a.id);
}

} // namespace

// ---- Formats by name -------------------------------------------------------

TEST_CASE("readers: format is recognised from the name, ignoring .gz/.zst") {
    struct Case {
        const char* path;
        Format format;
    } cases[] = {
        {"a/b/000_x.txt", Format::Text},
        {"a.txt.gz", Format::Text},
        {"a.txt.zst", Format::Text},
        {"wire.jsonl", Format::JsonLines},
        {"wire.jsonl.zst", Format::JsonLines},
        {"wire.ndjson", Format::JsonLines},
        {"ap.trec", Format::Trec},
        {"ap.trec.gz", Format::Trec},
        {"reut2-000.sgm", Format::ReutersSgml},
        {"reut2-000.sgm.zst", Format::ReutersSgml},
        {"x.sgml", Format::ReutersSgml},
        {"notes.md", Format::Unknown},
        {"archive.gz", Format::Unknown},
        {"data.json", Format::Unknown},
        {"txt", Format::Unknown},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(c.path));
        CHECK(format_for_path(c.path) == c.format);
    }
    CHECK(std::string(format_name(Format::JsonLines)) == "jsonl");
    CHECK(is_compressed_name("a.jsonl.zst"));
    CHECK(is_compressed_name("a.txt.gz"));
    CHECK_FALSE(is_compressed_name("a.txt"));
}

TEST_CASE("readers: each record says how much of its file was read by then") {
    // (Progress within one large file: the ETA follows the articles.)
    TempDir t;
    std::string text;
    for (int i = 0; i < 3000; ++i)
        text += "{\"id\": \"r" + std::to_string(i) +
                "\", \"body\": \"Dockworkers in Lisbon walked out over pay on "
                "Monday, the union said, in the " +
                std::to_string(i) + "th strike of the year.\"}\n";
    const std::string path = write_file(t.file("big.jsonl"), text);
    ReadOut out = read(path);
    REQUIRE(out.articles.size() == 3000);
    CHECK(out.articles.front().read_bytes > 0);
    CHECK(out.articles.front().read_bytes < static_cast<long long>(text.size()) / 2);
    CHECK(out.articles.back().read_bytes == static_cast<long long>(text.size()));
    for (size_t i = 1; i < out.articles.size(); ++i)
        CHECK(out.articles[i].read_bytes >= out.articles[i - 1].read_bytes);
    std::string sgml;
    for (int i = 0; i < 2000; ++i)
        sgml += "<REUTERS NEWID=\"" + std::to_string(i) + "\"><DATE>26-FEB-1987</DATE><TEXT><TITLE>Cocoa " +
                std::to_string(i) + "</TITLE><BODY>Cocoa prices rose in London on Thursday.</BODY></TEXT></REUTERS>\n";
    ReadOut r = read(write_file(t.file("reut2-000.sgm"), sgml));
    REQUIRE(r.articles.size() == 2000);
    CHECK(r.articles.front().read_bytes < static_cast<long long>(sgml.size()) / 2);
    CHECK(r.articles.back().read_bytes == static_cast<long long>(sgml.size()));
}

TEST_CASE("readers: an unknown format or a missing file throws news::Error") {
    TempDir t;
    std::string p = write_file(t.file("notes.md"), "hello\n");
    CHECK_THROWS_AS(read_articles(
                        p, Format::Unknown, {}, [](Article&&) {}, [](const ReadIssue&) {}),
                    Error);
    CHECK_THROWS_AS(read(t.file("missing.txt")), Error);
    CHECK_THROWS_AS(Input(t.file("missing.txt")), Error);
}

// ---- Article text ------------------------------------------------------------

TEST_CASE("readers: text with a leading date line") {
    TempDir t;
    std::string p = write_file(t.file("a.txt"), " date 2026-03-04 Officials met in Geneva on Monday. They agreed "
                                                "to talk again.\n\nA second paragraph follows.\n");
    ReadOut r = read(p);
    CHECK(r.issues.empty());
    REQUIRE(r.articles.size() == 1);
    const Article& a = r.articles[0];
    CHECK(a.date == "2026-03-04");
    CHECK(a.title == "Officials met in Geneva on Monday.");
    CHECK(a.body.rfind("Officials met in Geneva", 0) == 0);
    CHECK(a.body.find("date 2026") == std::string::npos);
    CHECK(a.body.find("\n\nA second paragraph follows.") != std::string::npos);
    CHECK(a.id.empty()); // the pipeline hashes path and record number
    CHECK(a.line == 1);
    CHECK(a.record == 0);
}

TEST_CASE("readers: text without a date line is undated and keeps all its text") {
    TempDir t;
    std::string p =
        write_file(t.file("b.txt"), "A workshop in Nairobi builds solar lamps. It employs eleven people.\n");
    ReadOut r = read(p);
    CHECK(r.issues.empty());
    REQUIRE(r.articles.size() == 1);
    CHECK(r.articles[0].date.empty());
    CHECK(r.articles[0].title == "A workshop in Nairobi builds solar lamps.");
    CHECK(r.articles[0].body == "A workshop in Nairobi builds solar lamps. It employs eleven people.");
}

TEST_CASE("readers: a text whose first word is 'date' but not followed by a date keeps it as body") {
    TempDir t;
    std::string p = write_file(t.file("c.txt"), "date night plans were cancelled across the city.\n");
    ReadOut r = read(p);
    REQUIRE(r.articles.size() == 1);
    CHECK(r.articles[0].date.empty());
    CHECK(r.articles[0].body == "date night plans were cancelled across the city.");
    // An unrecognised date is reported but does not cost the article.
    REQUIRE(r.issues.size() == 1);
    CHECK(r.issues[0].reason == "unrecognised date");
    CHECK_FALSE(r.issues[0].skipped);
}

TEST_CASE("readers: a UTF-8 byte order mark does not hide the date line") {
    TempDir t;
    ReadOut r = read(write_file(t.file("bom.txt"), "\xEF\xBB\xBF date 2026-01-03 Trams return to Faro. More."));
    CHECK(r.issues.empty());
    REQUIRE(r.articles.size() == 1);
    CHECK(r.articles[0].date == "2026-01-03");
    CHECK(r.articles[0].title == "Trams return to Faro.");
    ReadOut j = read(write_file(t.file("bom.jsonl"), "\xEF\xBB\xBF{\"id\": \"b\", \"body\": \"Text.\"}\n"));
    CHECK(j.issues.empty());
    REQUIRE(j.articles.size() == 1);
    CHECK(j.articles[0].id == "b");
}

TEST_CASE("readers: Windows line ends still split paragraphs, no CR reaches the text") {
    TempDir t;
    for (const char* eol : {"\r\n", "\r"}) {
        CAPTURE(std::string(eol) == "\r" ? "CR" : "CRLF");
        std::string e = eol;
        ReadOut r = read(write_file(t.file("crlf.txt"), " date 2026-01-05 Storm hits Lisbon" + e + e +
                                                            "Winds of 120 km/h were recorded. Trees fell." + e));
        REQUIRE(r.articles.size() == 1);
        CHECK(r.articles[0].title == "Storm hits Lisbon");
        CHECK(r.articles[0].body == "Storm hits Lisbon\n\nWinds of 120 km/h were recorded. Trees fell.");
    }
}

TEST_CASE("readers: the seed articles read with their dates and titles") {
    struct Case {
        const char* file;
        const char* date;
        const char* title_start;
    } cases[] = {
        {"000_dbe4ead79ec420c1.txt", "2026-03-04", "Iranian Kurdish militias have held discussions"},
        {"001_d377f9111801e515.txt", "2026-03-05", "Talks ongoing, but no final decision made on timing of attack"},
        {"002_d100f074147ca4fc.txt", "2026-03-04", "President Trump is open"},
        {"003_fc77a1da018bc3ea.txt", "2026-03-03", "US President Donald Trump is open to supporting"},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(c.file));
        ReadOut r = read(news::test::corpus_dir() + "/" + c.file);
        CHECK(r.issues.empty());
        REQUIRE(r.articles.size() == 1);
        CHECK(r.articles[0].date == c.date);
        CHECK(r.articles[0].title.rfind(c.title_start, 0) == 0);
        CHECK(r.articles[0].title.size() <= 150 + 3);
        CHECK(all_valid(r.articles[0]));
    }
}

TEST_CASE("readers: title derivation from the lead") {
    struct Case {
        const char* body;
        const char* title;
    } cases[] = {
        {"Rain fell. Then it stopped.", "Rain fell."},
        {"Is it over? Nobody knows.", "Is it over?"},
        {"U.S. officials met on Monday. Talks went on.", "U.S. officials met on Monday."},
        {"President Donald J. Trump spoke. Others did not.", "President Donald J. Trump spoke."},
        {"Prices rose 3.5 percent in March. Analysts were surprised.", "Prices rose 3.5 percent in March."},
        {"One paragraph without a full stop\n\nSecond paragraph. More.", "One paragraph without a full stop"},
        {"\u2022 Talks ongoing, no decision\n\n\u2022 Second bullet", "Talks ongoing, no decision"},
        {"  Spaces   and\nline breaks collapse. Yes.", "Spaces and line breaks collapse."},
        {"He said \"no\". \"Never,\" she replied.", "He said \"no\"."},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(c.body));
        CHECK(title_from_lead(c.body) == c.title);
    }
    // A long first sentence is cut at a word boundary, with an ellipsis.
    std::string lead;
    for (int i = 0; i < 60; ++i) lead += "word" + std::to_string(i) + " ";
    std::string title = title_from_lead(lead);
    CHECK(title.size() <= 150 + 3);
    CHECK(title.size() > 100);
    CHECK(title.substr(title.size() - 3) == "\u2026");
    CHECK(title.find(' ', title.size() - 8) == std::string::npos); // no half word before the ellipsis
}

// ---- JSON lines --------------------------------------------------------------

TEST_CASE("readers: JSON lines with the standard keys") {
    TempDir t;
    std::string p = write_file(
        t.file("wire.jsonl"),
        R"({"id": "r1", "date": "2026-02-16", "title": "Dock strike", "body": "Dockworkers walked out.", "source": "Reuters", "url": "https://example.com/1", "author": "ignored"})"
        "\n\n"
        R"({"id": 42, "date": "2026-02-17T08:00:00Z", "headline": "  Second   story ", "text": "Body two.", "publisher": "AP"})"
        "\n");
    ReadOut r = read(p);
    CHECK(r.issues.empty());
    REQUIRE(r.articles.size() == 2);
    const Article& a = r.articles[0];
    CHECK(a.id == "r1");
    CHECK(a.date == "2026-02-16");
    CHECK(a.title == "Dock strike");
    CHECK(a.body == "Dockworkers walked out.");
    CHECK(a.source == "Reuters");
    CHECK(a.url == "https://example.com/1");
    CHECK(a.line == 1);
    CHECK(a.record == 0);
    const Article& b = r.articles[1];
    CHECK(b.id == "42");
    CHECK(b.date == "2026-02-17");
    CHECK(b.title == "Second story");
    CHECK(b.body == "Body two.");
    CHECK(b.source == "AP");
    CHECK(b.line == 3); // the blank line still counts
    CHECK(b.record == 1);
}

TEST_CASE("readers: JSON lines default alternative key names") {
    struct Case {
        const char* json;
        const char* date;
        const char* body;
    } cases[] = {
        {R"({"published_iso": "2010-05-03T14:00:00+00:00", "text": "From text."})", "2010-05-03", "From text."},
        {R"({"published": "Wed, 04 Mar 2026 10:00:00 GMT", "content": "From content."})", "2026-03-04",
         "From content."},
        {R"({"dir_date": "2009-11-30", "body": "From body."})", "2009-11-30", "From body."},
        {R"({"date": "", "published_iso": "2011-01-02", "body": "Empty date falls through."})", "2011-01-02",
         "Empty date falls through."},
        {R"({"date": null, "pubDate": "2012-12-12", "text": "", "content": "Empty text falls through."})", "2012-12-12",
         "Empty text falls through."},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(c.json));
        TempDir t;
        ReadOut r = read(write_file(t.file("x.jsonl"), std::string(c.json) + "\n"));
        CHECK(r.issues.empty());
        REQUIRE(r.articles.size() == 1);
        CHECK(r.articles[0].date == c.date);
        CHECK(r.articles[0].body == c.body);
        CHECK(r.articles[0].title == title_from_lead(c.body));
    }
}

TEST_CASE("readers: JSON key mapping through ReaderOptions::json_fields") {
    TempDir t;
    std::string p = write_file(
        t.file("m.jsonl"),
        R"({"uid": "u-1", "dir_date": "2008-07-01", "date": "1999-01-01", "story": "Mapped body.", "head": "Mapped title", "outlet": "Dawn", "link": "https://e.com/x"})"
        "\n");
    ReaderOptions opt;
    opt.json_fields = {{"id", "uid"},     {"date", "dir_date"}, {"body", "story"},
                       {"title", "head"}, {"source", "outlet"}, {"url", "link"}};
    ReadOut r = read(p, opt);
    CHECK(r.issues.empty());
    REQUIRE(r.articles.size() == 1);
    const Article& a = r.articles[0];
    CHECK(a.id == "u-1");
    CHECK(a.date == "2008-07-01"); // the mapped key wins over "date"
    CHECK(a.body == "Mapped body.");
    CHECK(a.title == "Mapped title");
    CHECK(a.source == "Dawn");
    CHECK(a.url == "https://e.com/x");

    // A mapped key that a record lacks leaves the field empty (no fallback).
    ReaderOptions missing;
    missing.json_fields = {{"date", "no_such_key"}, {"body", "story"}};
    ReadOut m = read(p, missing);
    REQUIRE(m.articles.size() == 1);
    CHECK(m.articles[0].date.empty());
}

// ---- TREC ----------------------------------------------------------------------

TEST_CASE("readers: TREC documents") {
    TempDir t;
    std::string p = write_file(t.file("ap.trec"), "<DOC>\n<DOCNO> AP880212-0001 </DOCNO>\n<DATE>1988-02-12</DATE>\n"
                                                  "<HEADLINE> Copper &amp; zinc rise </HEADLINE>\n<TEXT>\n<P>\n"
                                                  "Prices rose in Santiago.\n</P>\n<P>Traders &lt;said&gt; so.</P>\n"
                                                  "</TEXT>\n</DOC>\n"
                                                  "<DOC>\n<DOCNO>WSJ900101-0002</DOCNO>\n<TEXT>Only text here. "
                                                  "And more.</TEXT>\n</DOC>\n");
    ReadOut r = read(p);
    CHECK(r.issues.empty());
    REQUIRE(r.articles.size() == 2);
    const Article& a = r.articles[0];
    CHECK(a.id == "AP880212-0001");
    CHECK(a.date == "1988-02-12");
    CHECK(a.title == "Copper & zinc rise");
    CHECK(a.body.find("<P>") == std::string::npos);
    CHECK(a.body.find("Prices rose in Santiago.") != std::string::npos);
    CHECK(a.body.find("Traders <said> so.") != std::string::npos);
    CHECK(a.source == "AP");
    CHECK(a.line == 1);
    const Article& b = r.articles[1];
    CHECK(b.id == "WSJ900101-0002");
    CHECK(b.date.empty());
    CHECK(b.title == "Only text here.");
    CHECK(b.source == "WSJ");
    CHECK(b.line == 12);
    CHECK(b.record == 1);
}

// ---- Reuters-21578 SGML --------------------------------------------------------

namespace {
const char* kSgml =
    "<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n"
    "<REUTERS TOPICS=\"YES\" LEWISSPLIT=\"TRAIN\" CGISPLIT=\"TRAINING-SET\" OLDID=\"5544\" NEWID=\"1\">\n"
    "<DATE>26-FEB-1987 15:01:01.79</DATE>\n"
    "<TOPICS><D>cocoa</D></TOPICS>\n<PLACES><D>el-salvador</D><D>usa</D></PLACES>\n"
    "<PEOPLE></PEOPLE>\n<ORGS></ORGS>\n<EXCHANGES></EXCHANGES>\n<COMPANIES></COMPANIES>\n"
    "<UNKNOWN> \n&#5;&#5;&#5;C T\n&#22;&#22;&#1;f0704&#31;reute\nu f BC-BAHIA-COCOA-REVIEW   02-26 0105</UNKNOWN>\n"
    "<TEXT>&#2;\n<TITLE>BAHIA COCOA REVIEW</TITLE>\n"
    "<DATELINE>    SALVADOR, Feb 26 - </DATELINE><BODY>Showers continued throughout the week in\n"
    "the Bahia cocoa zone &lt;CPA> said.\n Reuter\n&#3;</BODY></TEXT>\n"
    "</REUTERS>\n"
    "<REUTERS TOPICS=\"NO\" LEWISSPLIT=\"TRAIN\" CGISPLIT=\"TRAINING-SET\" OLDID=\"5545\" NEWID=\"2\">\n"
    "<DATE>26-FEB-1987 15:02:20.00</DATE>\n"
    "<TOPICS></TOPICS>\n<PLACES><D>usa</D></PLACES>\n"
    "<TEXT TYPE=\"UNPROC\">&#2;\n"
    "Standard Oil Co said it would sell assets. Terms were not disclosed\n Reuter\n&#3;\n"
    "</TEXT>\n"
    "</REUTERS>\n"
    "<REUTERS TOPICS=\"NO\" LEWISSPLIT=\"TRAIN\" CGISPLIT=\"TRAINING-SET\" OLDID=\"5546\" NEWID=\"3\">\n"
    "<DATE>26-FEB-1987 15:03:27.51</DATE>\n"
    "<TEXT TYPE=\"BRIEF\">&#2;\n"
    "******<TITLE>TALKING POINT/BANKAMERICA &lt;BAC> EQUITY OFFER</TITLE>\n"
    "</TEXT>\n"
    "</REUTERS>\n";
} // namespace

TEST_CASE("readers: Reuters SGML: normal, UNPROC and BRIEF records, entities decoded") {
    TempDir t;
    ReadOut r = read(write_file(t.file("reut2-x.sgm"), kSgml));
    CHECK(r.issues.empty());
    REQUIRE(r.articles.size() == 3);

    const Article& a = r.articles[0];
    CHECK(a.id == "1");
    CHECK(a.date == "1987-02-26");
    CHECK(a.title == "BAHIA COCOA REVIEW");
    CHECK(a.source == "Reuters");
    CHECK(a.body.rfind("Showers continued", 0) == 0);
    CHECK(a.body.find("<CPA>") != std::string::npos); // &lt; decoded
    CHECK(a.body.find('\x03') == std::string::npos);  // &#3; decoded and dropped
    CHECK(a.body.find("&#") == std::string::npos);
    CHECK(a.line == 2);

    const Article& u = r.articles[1];
    CHECK(u.id == "2");
    CHECK(u.body.find("Standard Oil Co said it would sell assets.") != std::string::npos);
    CHECK(u.body.find("<TEXT") == std::string::npos);
    CHECK(u.body.find('\x02') == std::string::npos);
    CHECK(u.body.find('\x03') == std::string::npos);
    CHECK(u.title == "Standard Oil Co said it would sell assets.");

    const Article& b = r.articles[2];
    CHECK(b.id == "3");
    CHECK(b.title == "TALKING POINT/BANKAMERICA <BAC> EQUITY OFFER");
    CHECK(b.body.empty());
    CHECK(b.record == 2);
}

TEST_CASE("readers: SGML character references") {
    struct Case {
        const char* in;
        const char* out;
    } cases[] = {
        {"a &lt;b&gt; c", "a <b> c"},
        {"AT&amp;T", "AT&T"},
        {"&quot;q&quot; &apos;", "\"q\" '"},
        {"end&#3;", "end\x03"},
        {"&#x41;&#X42;&#67;", "ABC"},
        {"caf&#233;", "caf\xc3\xa9"},
        {"&#x20AC;", "\xe2\x82\xac"},
        {"&#x1F600;", "\xf0\x9f\x98\x80"},
        {"&amp;lt;", "&lt;"}, // decoded once, not twice
        {"&bogus; & alone", "&bogus; & alone"},
        {"&#xD800;", "&#xD800;"},       // a surrogate is not a character
        {"&#99999999;", "&#99999999;"}, // out of range
        {"&#;", "&#;"},
        {"no entities", "no entities"},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(c.in));
        CHECK(decode_entities(c.in) == c.out);
    }
}

// ---- Input: plain, gzip, zstd ----------------------------------------------------

TEST_CASE("input: plain, .gz and .zst give the same lines") {
    std::string text = "first line\r\nsecond line\n\nfourth, no newline at end";
    std::vector<std::string> want = {"first line", "second line", "", "fourth, no newline at end"};
    TempDir t;
    struct Case {
        const char* name;
        std::string bytes;
    } cases[] = {
        {"plain.txt", text},
        {"c.txt.gz", news::test::gzip_bytes(text)},
        {"c.txt.zst", news::test::zstd_bytes(text)},
        {"gzip-named-plain.txt", news::test::gzip_bytes(text)}, // magic bytes decide, not the name
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(c.name));
        std::string p = write_file(t.file(c.name), c.bytes);
        CHECK(read_lines(p) == want);
        Input in(p);
        std::string line;
        REQUIRE(in.read_line(line));
        CHECK(in.line_number() == 1);
        CHECK(in.read_all(1 << 20).value_or("") == "second line\n\nfourth, no newline at end");
        CHECK(in.bytes_read() > 0);
        CHECK_FALSE(in.read_line(line));
    }
}

TEST_CASE("input: long inputs across many chunks keep every line") {
    std::string text;
    const int n = 50000; // ~1.4 MB, many 64 KiB chunks and zstd blocks
    for (int i = 0; i < n; ++i) text += "line number " + std::to_string(i) + " of the test\n";
    TempDir t;
    for (const auto& [name, bytes] : {std::pair<std::string, std::string> {"big.txt", text},
                                      {"big.txt.gz", news::test::gzip_bytes(text)},
                                      {"big.txt.zst", news::test::zstd_bytes(text)}}) {
        CAPTURE(name);
        std::vector<std::string> lines = read_lines(write_file(t.file(name), bytes));
        REQUIRE(lines.size() == static_cast<size_t>(n));
        CHECK(lines.front() == "line number 0 of the test");
        CHECK(lines[12345] == "line number 12345 of the test");
        CHECK(lines.back() == "line number 49999 of the test");
    }
}

TEST_CASE("input: read_all refuses more than its limit") {
    TempDir t;
    std::string p = write_file(t.file("big.txt"), std::string(3u << 20, 'x'));
    Input in(p);
    CHECK_FALSE(in.read_all(1u << 20).has_value());
}

// A .txt.gz whose stream was garbled was once reported as "record too
// large", its gzip error hidden inside the detail.
TEST_CASE("readers: a garbled compressed text file is broken, not too large") {
    TempDir t;
    std::string p = write_file(t.file("g.txt.gz"), std::string("\x1f\x8b garbage, not a gzip member"));
    std::vector<ReadIssue> issues;
    CHECK_THROWS_WITH_AS(
        read_articles(
            p, Format::Text, ReaderOptions {}, [](Article&&) {}, [&](const ReadIssue& i) { issues.push_back(i); }),
        doctest::Contains("gzip error"), Error);
    CHECK(issues.empty());
}

TEST_CASE("input: a file name in a message is escaped") {
    TempDir t;
    std::string p = write_file(t.file("bad\nname.txt.zst"), std::string("\x28\xb5\x2f\xfd"));
    Input in(p);
    std::string line;
    CHECK_THROWS_WITH_AS(in.read_line(line), doctest::Contains("bad\\nname.txt.zst: zstd stream truncated"), Error);
}

TEST_CASE("readers: every format reads the same through .gz and .zst") {
    TempDir t;
    std::string jsonl = R"({"id": "a", "date": "2026-01-02", "body": "Alpha story."})"
                        "\n"
                        R"({"id": "b", "date": "2026-01-03", "body": "Beta story."})"
                        "\n";
    std::string trec = "<DOC><DOCNO>X1</DOCNO><TEXT>Trec body.</TEXT></DOC>\n";
    struct Case {
        std::string name, plain;
        size_t articles;
    } cases[] = {
        {"t.txt", " date 2026-01-02 Plain text body.", 1},
        {"w.jsonl", jsonl, 2},
        {"d.trec", trec, 1},
        {"r.sgm", kSgml, 3},
    };
    for (const auto& c : cases) {
        ReadOut plain = read(write_file(t.file(c.name), c.plain));
        ReadOut gz = read(write_file(t.file(c.name + ".gz"), news::test::gzip_bytes(c.plain)));
        ReadOut zst = read(write_file(t.file(c.name + ".zst"), news::test::zstd_bytes(c.plain)));
        CAPTURE(std::string(c.name));
        REQUIRE(plain.articles.size() == c.articles);
        REQUIRE(gz.articles.size() == c.articles);
        REQUIRE(zst.articles.size() == c.articles);
        for (size_t i = 0; i < c.articles; ++i) {
            CHECK(gz.articles[i].body == plain.articles[i].body);
            CHECK(zst.articles[i].body == plain.articles[i].body);
            CHECK(zst.articles[i].date == plain.articles[i].date);
            CHECK(zst.articles[i].id == plain.articles[i].id);
        }
    }
}

TEST_CASE("readers: the sample corpus reads without a single issue") {
    namespace fs = std::filesystem;
    size_t files = 0, articles = 0;
    for (const auto& e : fs::directory_iterator(news::test::corpus_dir())) {
        std::string p = e.path().string();
        if (format_for_path(p) == Format::Unknown) continue;
        CAPTURE(p);
        ReadOut r = read(p);
        CHECK(r.issues.empty());
        CHECK_FALSE(r.articles.empty());
        for (const Article& a : r.articles) {
            CHECK(all_valid(a));
            CHECK_FALSE(a.title.empty());
            CHECK_FALSE(a.body.empty());
        }
        ++files;
        articles += r.articles.size();
    }
    CHECK(files >= 10);
    CHECK(articles >= 16);
}

// ---- Bad input ------------------------------------------------------------------

TEST_CASE("readers: invalid UTF-8 in text is repaired and reported, not skipped") {
    TempDir t;
    std::string p =
        write_file(t.file("latin1.txt"), " date 2026-01-05 Caf\xe9 owners in S\xe3o Paulo said \x93no\x94.\n");
    ReadOut r = read(p);
    REQUIRE(r.articles.size() == 1);
    CHECK(r.articles[0].body == "Caf\xc3\xa9 owners in S\xc3\xa3o Paulo said \xe2\x80\x9cno\xe2\x80\x9d.");
    CHECK(all_valid(r.articles[0]));
    REQUIRE(r.issues.size() == 1);
    CHECK(r.issues[0].reason == "invalid UTF-8");
    CHECK_FALSE(r.issues[0].skipped);
    CHECK(r.issues[0].line == 1);
}

TEST_CASE("readers: invalid UTF-8 in a JSON line is repaired and the record kept") {
    TempDir t;
    std::string p = write_file(t.file("bad.jsonl"), R"({"id": "ok", "body": "fine"})"
                                                    "\n"
                                                    "{\"id\": \"latin\", \"body\": \"Z\xfcrich \xe9t\xe9\"}\n");
    ReadOut r = read(p);
    REQUIRE(r.articles.size() == 2);
    CHECK(r.articles[1].id == "latin");
    CHECK(r.articles[1].body == "Z\xc3\xbcrich \xc3\xa9t\xc3\xa9");
    REQUIRE(r.issues.size() == 1);
    CHECK(r.issues[0].reason == "invalid UTF-8");
    CHECK(r.issues[0].line == 2);
    CHECK_FALSE(r.issues[0].skipped);
}

TEST_CASE("readers: decomposed text comes out NFC") {
    TempDir t;
    ReadOut r = read(write_file(t.file("nfd.txt"), "Cafe\xcc\x81 prices rose in Montre\xcc\x81"
                                                   "al."));
    REQUIRE(r.articles.size() == 1);
    CHECK(r.articles[0].body == "Caf\xc3\xa9 prices rose in Montr\xc3\xa9"
                                "al.");
}

TEST_CASE("readers: a binary file is skipped with a reason") {
    TempDir t;
    std::string bytes;
    for (int i = 0; i < 4096; ++i) bytes += static_cast<char>((i * 7919 + 13) % 256);
    ReadOut r = read(write_file(t.file("random.txt"), bytes));
    CHECK(r.articles.empty());
    REQUIRE(r.issues.size() == 1);
    CHECK(r.issues[0].reason == "binary file");
    CHECK(r.issues[0].skipped);
}

TEST_CASE("readers: empty files") {
    TempDir t;
    for (const char* content : {"", "   \n\n\t\n"}) {
        CAPTURE(std::string(content));
        ReadOut r = read(write_file(t.file("empty.txt"), content));
        CHECK(r.articles.empty());
        REQUIRE(r.issues.size() == 1);
        CHECK(r.issues[0].reason == "empty file");
        CHECK(r.issues[0].skipped);
    }
    // Record formats: an empty file holds no records, so there is nothing to skip.
    for (const char* name : {"empty.jsonl", "empty.trec", "empty.sgm"}) {
        CAPTURE(std::string(name));
        ReadOut r = read(write_file(t.file(name), ""));
        CHECK(r.articles.empty());
    }
}

TEST_CASE("readers: a malformed JSON line is skipped, the other lines still read") {
    TempDir t;
    std::string p = write_file(t.file("m.jsonl"), R"({"id": "1", "body": "one"})"
                                                  "\n"
                                                  R"({"id": "2", "body": "two)"
                                                  "\n"
                                                  R"(["not", "an", "object"])"
                                                  "\n"
                                                  R"({"id": "4", "body": "four"})"
                                                  "\n");
    ReadOut r = read(p);
    REQUIRE(r.articles.size() == 2);
    CHECK(r.articles[0].id == "1");
    CHECK(r.articles[1].id == "4");
    CHECK(r.articles[1].line == 4);
    REQUIRE(r.issues.size() == 2);
    CHECK(r.issues[0].reason == "malformed JSON");
    CHECK(r.issues[0].line == 2);
    CHECK(r.issues[0].skipped);
    CHECK(r.issues[1].reason == "malformed JSON");
    CHECK(r.issues[1].line == 3);
}

TEST_CASE("readers: an impossible date skips the record in every format") {
    TempDir t;
    struct Case {
        const char* name;
        const char* content;
        size_t kept;
    } cases[] = {
        {"d.txt", " date 2026-02-30 A story about nothing.", 0},
        {"d.jsonl",
         "{\"id\": \"bad\", \"date\": \"2026-02-30\", \"body\": \"x\"}\n{\"id\": \"good\", \"date\": "
         "\"2026-02-28\", \"body\": \"y\"}\n",
         1},
        {"d.trec",
         "<DOC><DOCNO>B1</DOCNO><DATE>2026-02-30</DATE><TEXT>x</TEXT></DOC>\n"
         "<DOC><DOCNO>G1</DOCNO><DATE>2026-02-28</DATE><TEXT>y</TEXT></DOC>\n",
         1},
        {"d.sgm",
         "<REUTERS NEWID=\"9\">\n<DATE>31-APR-1987 10:00:00.00</DATE>\n<TEXT><BODY>x</BODY></TEXT>\n"
         "</REUTERS>\n",
         0},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(c.name));
        ReadOut r = read(write_file(t.file(c.name), c.content));
        CHECK(r.articles.size() == c.kept);
        for (const Article& a : r.articles) CHECK(a.date == "2026-02-28");
        REQUIRE(r.issues.size() == 1);
        CHECK(r.issues[0].reason == "impossible date");
        CHECK(r.issues[0].skipped);
        CHECK(r.issues[0].line == 1);
    }
}

TEST_CASE("readers: a record with no body is skipped with a reason") {
    TempDir t;
    struct Case {
        const char* name;
        const char* content;
        long line;
    } cases[] = {
        {"n.txt", " date 2026-01-01 ", 1},
        {"n.jsonl",
         "{\"id\": \"ok\", \"body\": \"x\"}\n{\"id\": \"empty\", \"date\": \"2026-01-01\", \"body\": \"  \"}\n", 2},
        {"n.trec", "<DOC>\n<DOCNO>E1</DOCNO>\n<TEXT>\n</TEXT>\n</DOC>\n", 1},
        {"n.sgm", "<REUTERS NEWID=\"7\">\n<DATE>26-FEB-1987 15:01:01.79</DATE>\n<TEXT>&#2;\n&#3;</TEXT>\n</REUTERS>\n",
         1},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(c.name));
        ReadOut r = read(write_file(t.file(c.name), c.content));
        for (const Article& a : r.articles) CHECK(a.id == "ok");
        REQUIRE(r.issues.size() == 1);
        CHECK(r.issues[0].reason == "no body");
        CHECK(r.issues[0].skipped);
        CHECK(r.issues[0].line == c.line);
    }
}

TEST_CASE("readers: a JSON record with a title but no body is kept") {
    TempDir t;
    ReadOut r = read(write_file(t.file("t.jsonl"), R"({"id": "brief", "title": "Headline only"})"
                                                   "\n"));
    CHECK(r.issues.empty());
    REQUIRE(r.articles.size() == 1);
    CHECK(r.articles[0].title == "Headline only");
    CHECK(r.articles[0].body.empty());
}

TEST_CASE("readers: a truncated last record is reported, the complete ones read") {
    TempDir t;
    struct Case {
        const char* name;
        std::string content;
        long line;
    } cases[] = {
        {"t.trec", "<DOC>\n<DOCNO>A1</DOCNO>\n<TEXT>whole</TEXT>\n</DOC>\n<DOC>\n<DOCNO>A2</DOCNO>\n<TEXT>cut o", 5},
        {"t.sgm",
         "<REUTERS NEWID=\"1\">\n<TEXT><BODY>whole</BODY></TEXT>\n</REUTERS>\n<REUTERS NEWID=\"2\">\n"
         "<TEXT><BODY>cut o",
         4},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(c.name));
        ReadOut r = read(write_file(t.file(c.name), c.content));
        REQUIRE(r.articles.size() == 1);
        CHECK(r.articles[0].body == "whole");
        REQUIRE(r.issues.size() == 1);
        CHECK(r.issues[0].reason == "truncated record");
        CHECK(r.issues[0].skipped);
        CHECK(r.issues[0].line == c.line);
    }
}

TEST_CASE("readers: corrupt or truncated compressed files throw news::Error") {
    std::string jsonl;
    for (int i = 0; i < 200; ++i)
        jsonl += "{\"id\": \"" + std::to_string(i) + "\", \"body\": \"story number " + std::to_string(i) + "\"}\n";
    std::string zst = news::test::zstd_bytes(jsonl);
    std::string gz = news::test::gzip_bytes(jsonl);

    std::string zst_garbage = zst.substr(0, 4) + std::string(64, '\x5a'); // zstd magic, then junk
    std::string zst_cut = zst.substr(0, zst.size() / 2);                  // stream ends mid-frame
    std::string zst_flipped = zst;                                        // damaged block
    for (size_t i = 12; i < zst_flipped.size() - 4; i += 7) zst_flipped[i] = static_cast<char>(~zst_flipped[i]);
    std::string gz_cut = gz.substr(0, gz.size() / 2);
    std::string gz_flipped = gz;
    for (size_t i = 20; i < gz_flipped.size() - 8; i += 5) gz_flipped[i] = static_cast<char>(~gz_flipped[i]);

    TempDir t;
    struct Case {
        const char* name;
        const std::string& bytes;
    } cases[] = {
        {"garbage.jsonl.zst", zst_garbage}, {"cut.jsonl.zst", zst_cut},       {"flipped.jsonl.zst", zst_flipped},
        {"cut.jsonl.gz", gz_cut},           {"flipped.jsonl.gz", gz_flipped},
    };
    for (const auto& c : cases) {
        CAPTURE(std::string(c.name));
        std::string p = write_file(t.file(c.name), c.bytes);
        CHECK_THROWS_AS(read(p), Error);
        CHECK_THROWS_AS(read_lines(p), Error);
    }
}

TEST_CASE("readers: a word list named .txt is not an article, a table of figures is") {
    TempDir t;
    std::string list, table = " date 1987-03-02 KANSAS CITY SHIPMENTS AND RECEIPTS\n";
    for (const char* w : {"amex", "ase", "asx", "biffex", "bse", "cboe", "cbt", "cme", "comex", "cse", "fox"}) {
        list += std::string(w) + "\n";
        table += std::string(w) + " 73,684\n";
    }
    auto read = [&](const std::string& path, bool sniff) {
        ReaderOptions opt;
        opt.sniff = sniff;
        std::vector<Article> out;
        std::vector<ReadIssue> issues;
        read_articles(
            path, Format::Text, opt, [&](Article&& a) { out.push_back(std::move(a)); },
            [&](const ReadIssue& i) { issues.push_back(i); });
        return std::make_pair(out.size(), issues);
    };
    auto [n, issues] = read(write_file(t.file("list.txt"), list), true);
    CHECK(n == 0);
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].not_article);
    CHECK(read(t.file("list.txt"), false).first == 1); // --include
    auto [m, none] = read(write_file(t.file("table.txt"), table), true);
    CHECK(m == 1);
    CHECK(none.empty());
}
