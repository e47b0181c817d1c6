#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/schema.h"
#include "indexer/pipeline.h"
#include "searcher/cgi.h"
#include "searcher/html.h"
#include "searcher/watch.h"
#include "tests/corpus_db.h"

using namespace news;
using namespace news::cgi;
namespace fs = std::filesystem;

namespace {

int status_of(std::string_view qs, const Limits& limits = {}) {
    try {
        parse_request(qs, limits);
        return 200;
    } catch (const RequestError& e) {
        return e.status();
    }
}

// A temporary folder removed with everything in it when the test ends.
class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "cgi_test.XXXXXX").string();
        path_ = ::mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

constexpr const char* kXss = "<script>alert(1)</script>";

// An index of three articles, one of them hostile (markup in its title,
// body, source and url), built once for all tests.
const std::string& test_db() {
    static TempDir dir;
    static std::string db = [] {
        fs::create_directories(dir.path() / "in");
        std::ofstream f(dir.path() / "in" / "articles.jsonl");
        nlohmann::json a = {{"id", "calm-1"},
                            {"date", "2026-03-04"},
                            {"title", "Kurdish groups meet in Erbil"},
                            {"body", "Kurdish groups met in Erbil on Tuesday to discuss the border."},
                            {"source", "Reuters"},
                            {"url", "https://example.org/calm"}};
        nlohmann::json b = {{"id", "calm-2"},
                            {"date", "2026-03-05"},
                            {"title", "Border talks go on"},
                            {"body", "Talks on the border went on for a second day in Erbil, Kurdish officials said."},
                            {"source", "AP"}};
        nlohmann::json x = {{"id", "evil-1"},
                            {"date", "2026-03-06"},
                            {"title", std::string("Kurdish ") + kXss + " \"quoted\" & 'single'"},
                            {"body", std::string("Kurdish text with ") + kXss +
                                         " and <img src=x onerror=alert(2)> inside the body. Kurdish again."},
                            {"source", "<b>Evil</b>"},
                            {"url", "javascript:alert(3)"}};
        f << a.dump() << '\n' << b.dump() << '\n' << x.dump() << '\n';
        f.close();
        return news::test::build_db((dir.path() / "db").string(), {(dir.path() / "in").string()});
    }();
    return db;
}

Response serve(const std::string& qs, const std::string& method = "GET") {
    Environment env;
    env.db = test_db();
    env.method = method;
    env.query_string = qs;
    std::ostringstream log;
    return handle(env, log);
}

} // namespace

TEST_CASE("cgi: percent_decode decodes escapes and plus") {
    struct Case {
        const char* in;
        const char* out;
    } cases[] = {
        {"", ""},
        {"abc", "abc"},
        {"a+b", "a b"},
        {"%41%62", "Ab"},
        {"%e2%80%9c", "\xe2\x80\x9c"},
        {"%2B", "+"},
        {"100%25", "100%"},
        {"caf%C3%A9", "caf\xc3\xa9"},
    };
    for (const auto& c : cases) CHECK(percent_decode(c.in) == c.out);
}

TEST_CASE("cgi: bad percent-encoding and NUL bytes are refused with 400") {
    for (const char* bad : {"%", "%Z1", "%1", "abc%", "%%", "a%0", "%G0", "%00", "a%00b"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(percent_decode(bad), RequestError);
    }
    CHECK(status_of("q=%ZZ%") == 400);
    CHECK(status_of("q=a%00b") == 400);
    CHECK(status_of("q%00=a") == 400);
}

TEST_CASE("cgi: invalid UTF-8 and control characters are refused") {
    CHECK(status_of("q=%ff%fe") == 400);
    CHECK(status_of("q=%c0%af") == 400);    // overlong '/'
    CHECK(status_of("q=%ed%a0%80") == 400); // surrogate
    CHECK(status_of("q=a%01b") == 400);
    CHECK(status_of("q=a%7fb") == 400);
    CHECK(status_of("entity=place:%ff") == 400);
    // Tabs and newlines are just white space.
    CHECK(parse_request("q=a%09b%0Ac").search.query == "a b c");
}

TEST_CASE("cgi: percent_encode round-trips through percent_decode") {
    for (std::string s :
         {"", "iran", "a b", "place:\"United States\"", "100% & more=+;#", "caf\xc3\xa9 \xe2\x80\x9c"}) {
        CAPTURE(s);
        CHECK(percent_decode(percent_encode(s)) == s);
        CHECK(percent_encode(s).find_first_of(" &=;#\"<>") == std::string::npos);
    }
}

TEST_CASE("cgi: parse_request reads every parameter") {
    WebRequest r = parse_request("q=kurdish+groups&from=2026-03&to=2026-03-05&entity=Place:Iran&entity=person:"
                                 "Donald+Trump&source=Reuters&source=AP&sort=date&page=3&format=json");
    CHECK(r.search.query == "kurdish groups");
    CHECK(r.search.from == "2026-03");
    CHECK(r.search.to == "2026-03-05");
    CHECK(r.search.entities == std::vector<std::string> {"place:Iran", "person:Donald Trump"});
    CHECK(r.search.sources == std::vector<std::string> {"Reuters", "AP"});
    CHECK(r.search.sort == SortOrder::Newest);
    CHECK(r.page == 3);
    CHECK(r.search.offset == 20);
    CHECK(r.search.limit == 10);
    CHECK(r.format == cgi::Format::Json);
    CHECK(r.search.facets);
    CHECK_FALSE(r.is_home());
}

TEST_CASE("cgi: defaults and the home page") {
    for (const char* qs : {"", "q=", "q=+++", "&&;", "page=1", "format=html", "entity=&source="}) {
        CAPTURE(qs);
        WebRequest r = parse_request(qs);
        CHECK(r.is_home());
        CHECK(r.page == 1);
        CHECK(r.search.offset == 0);
        CHECK(r.search.facets);
        CHECK(r.search.sort == SortOrder::Relevance);
    }
    CHECK(parse_request("format=json").format == cgi::Format::Json);
}

TEST_CASE("cgi: parameter values are validated") {
    struct Case {
        const char* qs;
        int status;
    } cases[] = {
        {"page=0", 400},
        {"page=-1", 400},
        {"page=abc", 400},
        {"page=1001", 400},
        {"page=99999999999", 400},
        {"page=1000", 200},
        {"page=2", 200},
        {"sort=random", 400},
        {"sort=oldest", 200},
        {"sort=relevance", 200},
        {"format=xml", 400},
        {"from=yesterday", 400},
        {"from=2026-3-4", 400},
        {"to=2026-03-04T00", 400},
        {"from=2026", 200},
        {"entity=Iran", 400},
        {"entity=planet:Mars", 400},
        {"entity=place:", 400},
        {"entity=misc:Kurdish", 200},
        {"entity=entity:Iran", 200},
        {"db=/etc&DB=/etc&NEWS_DB=/etc&q=x", 200},
    };
    for (const auto& c : cases) {
        CAPTURE(c.qs);
        CHECK(status_of(c.qs) == c.status);
    }
}

TEST_CASE("cgi: lengths and counts are bounded") {
    Limits limits;
    CHECK(status_of("q=" + std::string(limits.max_q, 'a')) == 200);
    CHECK(status_of("q=" + std::string(limits.max_q + 1, 'a')) == 400);
    CHECK(status_of("source=" + std::string(limits.max_value + 1, 'a')) == 400);
    CHECK(status_of("q=" + std::string(limits.max_query_string, 'a')) == 414);
    CHECK(status_of(std::string(200000, 'a')) == 414);
    std::string many;
    for (int i = 0; i <= limits.max_filters; ++i) many += "&source=s" + std::to_string(i);
    CHECK(status_of(many) == 400);
}

TEST_CASE("cgi: deeply nested queries, wildcard storms and word floods get 400") {
    Limits limits;
    CHECK(status_of("q=" + std::string(limits.max_depth, '(') + "a" + std::string(limits.max_depth, ')')) == 200);
    CHECK(status_of("q=" + std::string(limits.max_depth + 1, '(') + "a") == 400);
    CHECK(status_of("q=" + std::string(5000, '(')) == 400);
    CHECK(status_of("q=a*+b*+c*+d*") == 200);
    CHECK(status_of("q=a*+b*+c*+d*+e*") == 400);
    CHECK(status_of("q=a*b*c*d*e*") == 400);
    std::string words = "q=w";
    for (int i = 1; i <= limits.max_words; ++i) words += "+w";
    CHECK(status_of(words) == 400);
}

TEST_CASE("cgi: to_query_string is parsed back to the same request") {
    WebRequest r = parse_request("q=%22security+forces%22+%26+more&entity=place:United+States&source=A%26P"
                                 "&from=2026-03-01&to=2026-03-05&sort=oldest&page=4&id=wire%2F1%3Fa%26b");
    WebRequest back = parse_request(to_query_string(r));
    CHECK(back.article == "wire/1?a&b");
    CHECK(back.search.query == r.search.query);
    CHECK(back.search.entities == r.search.entities);
    CHECK(back.search.sources == r.search.sources);
    CHECK(back.search.from == r.search.from);
    CHECK(back.search.to == r.search.to);
    CHECK(back.search.sort == r.search.sort);
    CHECK(back.page == 4);
    CHECK(to_query_string(parse_request("q=x&page=1&sort=relevance")) == "q=x");
}

TEST_CASE("cgi: requested_format is read even from a request that fails") {
    CHECK(requested_format("q=%ZZ&format=json") == cgi::Format::Json);
    CHECK(requested_format("format=json;q=a") == cgi::Format::Json);
    CHECK(requested_format("q=format=json") == cgi::Format::Html);
    CHECK(requested_format("") == cgi::Format::Html);
}

TEST_CASE("html: safe_snippet keeps our marks and escapes everything else") {
    struct Case {
        const char* in;
        const char* out;
    } cases[] = {
        {"a <mark>b</mark> c", "a <mark>b</mark> c"},
        {"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
        {"&lt;b&gt; &amp; &#39; &#x27;", "&lt;b&gt; &amp; &#39; &#x27;"},
        {"AT&T & co", "AT&amp;T &amp; co"},
        {"<mark>open", "<mark>open</mark>"},
        {"</mark>stray", "&lt;/mark&gt;stray"},
        {"<mark onclick=x>", "&lt;mark onclick=x&gt;"},
        {"\"quote\"", "&quot;quote&quot;"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.in);
        CHECK(safe_snippet(c.in) == c.out);
    }
}

TEST_CASE("html: only http(s) article links are used") {
    CHECK(safe_url("https://example.org/a") == "https://example.org/a");
    CHECK(safe_url("HTTP://example.org") == "HTTP://example.org");
    CHECK(safe_url("javascript:alert(1)") == "");
    CHECK(safe_url(" javascript:alert(1)") == "");
    CHECK(safe_url("data:text/html,<script>") == "");
    CHECK(safe_url("") == "");
}

TEST_CASE("cgi: a search answers 200 with HTML, headers and highlighted results") {
    Response r = serve("q=kurdish");
    CHECK(r.status == 200);
    REQUIRE(r.header("Content-Type"));
    CHECK(*r.header("Content-Type") == "text/html; charset=utf-8");
    REQUIRE(r.header("Content-Security-Policy"));
    CHECK(r.header("Content-Security-Policy")->find("script-src 'self'") != std::string::npos);
    CHECK(r.header("Content-Security-Policy")->find("unsafe-inline") == std::string::npos);
    REQUIRE(r.header("Cache-Control"));
    CHECK(r.header("Cache-Control")->find("max-age") != std::string::npos);
    CHECK(*r.header("Content-Length") == std::to_string(r.body.size()));
    CHECK(r.body.find("<mark>Kurdish</mark>") != std::string::npos);
    CHECK(r.body.find("<form") != std::string::npos);
    CHECK(r.body.find("value=\"kurdish\"") != std::string::npos);
    CHECK(r.body.find("role=\"search\"") != std::string::npos);
    CHECK(r.body.find("<script>") == std::string::npos); // no inline script, only <script src>
}

TEST_CASE("cgi: markup in the query is escaped everywhere it is echoed") {
    Response r = serve("q=%3Cscript%3Ealert(1)%3C%2Fscript%3E+%22%3E%3Cimg+src%3Dx%3E");
    CHECK(r.status == 200);
    CHECK(r.body.find(kXss) == std::string::npos);
    CHECK(r.body.find("<img") == std::string::npos);
    CHECK(r.body.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    // An error page echoes what it can of the request, escaped too.
    Response bad = serve("q=%3Cscript%3E" + std::string(600, 'a'));
    CHECK(bad.status == 400);
    CHECK(bad.body.find("<script>a") == std::string::npos);
}

TEST_CASE("cgi: markup in article text, titles and sources is escaped") {
    Response r = serve("q=kurdish");
    REQUIRE(r.status == 200);
    // The title links to the article page (the id is in that link only), and the text is escaped:
    CHECK(r.body.find("<a href=\"/search?q=kurdish&amp;id=evil-1\">Kurdish &lt;script&gt;") != std::string::npos);
    CHECK(r.body.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    CHECK(r.body.find(kXss) == std::string::npos);
    CHECK(r.body.find("<img src=x") == std::string::npos);
    CHECK(r.body.find("<b>Evil</b>") == std::string::npos);
    CHECK(r.body.find("javascript:") == std::string::npos); // unsafe article url is not linked
    CHECK(r.body.find("href=\"https://example.org/calm\"") != std::string::npos);
}

TEST_CASE("cgi: format=json is valid JSON with escaped markup") {
    Response r = serve("q=kurdish&format=json");
    CHECK(r.status == 200);
    CHECK(*r.header("Content-Type") == "application/json; charset=utf-8");
    nlohmann::json o = nlohmann::json::parse(r.body);
    CHECK(o["query"] == "kurdish");
    REQUIRE(o["results"].size() == 3);
    CHECK(o["facets"].contains("place"));
    bool found = false;
    for (const auto& x : o["results"]) {
        std::string snippet = x["snippet"];
        CHECK(snippet.find("<script") == std::string::npos);
        if (x["id"] == "evil-1") found = x["title"].get<std::string>().find(kXss) != std::string::npos;
    }
    CHECK(found); // JSON carries the raw title; escaping is JSON's, not HTML's
}

TEST_CASE("cgi: errors answer in the format asked for, readable and uncached") {
    Response r = serve("q=%ZZ&format=json");
    CHECK(r.status == 400);
    CHECK(*r.header("Cache-Control") == "no-store");
    nlohmann::json o = nlohmann::json::parse(r.body);
    CHECK(o["error"].get<std::string>().find("percent") != std::string::npos);
    Response h = serve("q=%ZZ");
    CHECK(h.status == 400);
    CHECK(h.body.find("role=\"alert\"") != std::string::npos);
    CHECK(h.body.find("<form") != std::string::npos);
    Response d = serve("q=date:9999-99-99");
    CHECK(d.status == 400);
    CHECK(d.body.find("9999-99-99") != std::string::npos);
}

TEST_CASE("cgi: only GET and HEAD are served") {
    Response r = serve("q=kurdish", "POST");
    CHECK(r.status == 405);
    REQUIRE(r.header("Allow"));
    CHECK(*r.header("Allow") == "GET, HEAD");
    std::ostringstream out;
    write_response(serve("q=kurdish", "HEAD"), out, true);
    CHECK(out.str().find("Status: 200 OK\r\n") == 0);
    CHECK(out.str().substr(out.str().size() - 4) == "\r\n\r\n");
}

TEST_CASE("cgi: the database path never comes from a request") {
    // A request naming a database is served from NEWS_DB all the same.
    Response r = serve("q=kurdish&db=/etc&DB=/etc&NEWS_DB=/etc");
    CHECK(r.status == 200);
    CHECK(r.body.find("<mark>Kurdish</mark>") != std::string::npos);
    // Without NEWS_DB nothing is opened: 503, with no path in the page.
    Environment env;
    env.query_string = "q=root&db=/etc";
    std::ostringstream log;
    Response none = handle(env, log);
    CHECK(none.status == 503);
    CHECK(none.body.find("/etc") == std::string::npos);
    CHECK(log.str().find("NEWS_DB") != std::string::npos);
    // And Environment reads it from NEWS_DB only.
    ::setenv("NEWS_DB", "/srv/news.db", 1);
    ::setenv("QUERY_STRING", "db=/etc", 1);
    CHECK(Environment::from_process().db == "/srv/news.db");
    ::unsetenv("NEWS_DB");
    ::unsetenv("QUERY_STRING");
    CHECK(Environment::from_process().db.empty());
}

TEST_CASE("cgi: a missing index is a 503 with a readable page, not a crash") {
    Environment env;
    env.db = "/nonexistent/news.db";
    env.query_string = "q=kurdish";
    std::ostringstream log;
    Response r = handle(env, log);
    CHECK(r.status == 503);
    CHECK(r.body.find("not available") != std::string::npos);
}

TEST_CASE("html: facets link to added filters and active filters can be removed") {
    Response r = serve("q=kurdish&source=Reuters");
    REQUIRE(r.status == 200);
    CHECK(r.body.find("aria-label=\"Active filters\"") != std::string::npos);
    // The remove link for the source filter is the search without it.
    CHECK(r.body.find("href=\"/search?q=kurdish\" title=\"Remove this filter\"") != std::string::npos);
    Response home = serve("");
    CHECK(home.status == 200);
    CHECK(home.body.find("<form") != std::string::npos);
    CHECK(home.body.find("class=\"results\"") == std::string::npos);
    CHECK(home.body.find("source=AP") != std::string::npos); // a source facet link
}

TEST_CASE("html: the date histogram links each bar to its own date range") {
    Response r = serve("q=kurdish");
    REQUIRE(r.status == 200);
    CHECK(r.body.find("<ol class=\"bars\"") != std::string::npos);
    CHECK(r.body.find("href=\"/search?q=kurdish&amp;from=2026-03-04&amp;to=2026-03-04\"") != std::string::npos);
    CHECK(r.body.find("href=\"/search?q=kurdish&amp;from=2026-03-06&amp;to=2026-03-06\"") != std::string::npos);
}

TEST_CASE("html: pagination links stay within bounds") {
    WebRequest req = parse_request("q=x&page=3");
    SearchResponse resp;
    resp.total_estimate = 95;
    resp.total_exact = true;
    resp.offset = 20;
    resp.results.resize(10);
    for (int i = 0; i < 10; ++i) resp.results[i].rank = 21 + i;
    HtmlPage page {req, &resp, "", "/search", "/static", 1000};
    std::string html = render_html(page);
    CHECK(html.find("href=\"/search?q=x&amp;page=2\"") != std::string::npos);
    CHECK(html.find("href=\"/search?q=x&amp;page=4\"") != std::string::npos);
    CHECK(html.find("href=\"/search?q=x&amp;page=10\"") == std::string::npos); // 95 results: 10 pages, 3+3 shown
    CHECK(html.find("aria-current=\"page\">3<") != std::string::npos);
    CHECK(html.find("Results 21&ndash;30 of 95") != std::string::npos);
}

TEST_CASE("cgi: NEWS_CACHE answers a repeated request from the cache, and only an exact match") {
    TempDir cache;
    Environment env;
    env.db = test_db();
    env.cache_dir = cache.path().string();
    env.query_string = "q=kurdish&entity=place:Erbil";
    std::ostringstream log;
    Response first = handle(env, log);
    REQUIRE(first.status == 200);
    CHECK(first.header("X-Cache") == nullptr);
    Response second = handle(env, log);
    CHECK(second.status == 200);
    REQUIRE(second.header("X-Cache"));
    CHECK(second.body == first.body);
    CHECK(*second.header("Content-Security-Policy") == *first.header("Content-Security-Policy"));
    // Another format or request is not the cached one.
    env.query_string = "q=kurdish&entity=place:Erbil&format=json";
    CHECK(handle(env, log).header("X-Cache") == nullptr);
    // A slot whose key does not match (another index, another program) is a miss.
    for (const auto& f : fs::directory_iterator(cache.path())) std::ofstream(f.path()) << "other key\nstale body";
    env.query_string = "q=kurdish&entity=place:Erbil";
    Response third = handle(env, log);
    CHECK(third.header("X-Cache") == nullptr);
    CHECK(third.body.find("stale body") == std::string::npos);
    // Errors are never cached.
    env.query_string = "q=date:9999-99-99";
    handle(env, log);
    CHECK(handle(env, log).status == 400);
    CHECK(handle(env, log).header("X-Cache") == nullptr);
}

TEST_CASE("cgi: a page past the last says which page is the last, with a link") {
    Response r = serve("q=kurdish&page=99");
    CHECK(r.status == 200);
    CHECK(r.body.find("Page 99 of 1: no results this far.") != std::string::npos);
    CHECK(r.body.find(">Go to the last page</a>") != std::string::npos);
    CHECK(r.body.find("Try fewer words") == std::string::npos);
}

TEST_CASE("html: the histogram has a count axis, labelled ticks, gaps and both counts") {
    WebRequest req = parse_request("q=oil");
    SearchResponse resp;
    resp.total_estimate = 9;
    resp.total_exact = true;
    resp.results.resize(1);
    resp.facets.present = true;
    resp.facets.date_unit = "month";
    resp.facets.date = {{"2026-01", 6, 4}, {"2026-03", 3, 3}};
    HtmlPage page {req, &resp, "", "/search", "/static", 1000};
    const std::string html = render_html(page);
    CHECK(html.find("<span class=\"ymax\">6</span>") != std::string::npos);
    CHECK(html.find("<span class=\"ymin\">0</span>") != std::string::npos);
    // February had nothing: its slot stays, as a gap, and is no link.
    CHECK(html.find("aria-label=\"Feb 2026: no articles\"") != std::string::npos);
    CHECK(html.find("aria-label=\"Jan 2026: 4 stories, 6 articles\"") != std::string::npos);
    CHECK(html.find("<span class=\"col a h20\"></span><span class=\"col s h14\"></span>") != std::string::npos);
    CHECK(html.find(">Jan 2026</span>") != std::string::npos); // ticks: the first and the last
    CHECK(html.find(">Mar 2026</span>") != std::string::npos);
    CHECK(html.find("href=\"/search?q=oil&amp;from=2026-01&amp;to=2026-01\"") != std::string::npos);
}

TEST_CASE("html: the form has from and to date fields that keep a month as its days") {
    WebRequest req = parse_request("q=oil&from=2026-02&to=2026-02");
    SearchResponse resp;
    HtmlPage page {req, &resp, "", "/search", "/static", 1000};
    const std::string html = render_html(page);
    CHECK(html.find("name=\"from\" type=\"date\" value=\"2026-02-01\"") != std::string::npos);
    CHECK(html.find("name=\"to\" type=\"date\" value=\"2026-02-28\"") != std::string::npos);
    CHECK(html.find("type=\"hidden\" name=\"from\"") == std::string::npos);
    // An empty field is no filter.
    CHECK(parse_request("q=oil&from=&to=").search.from.empty());
}

TEST_CASE("cgi: id= is an article id, bounded, and makes no home page") {
    WebRequest r = parse_request("id=calm-1&q=erbil");
    CHECK(r.article == "calm-1");
    CHECK(r.search.query == "erbil");
    CHECK_FALSE(r.is_home());
    CHECK_FALSE(parse_request("id=calm-1").is_home());
    CHECK(parse_request("id=").article.empty());
    CHECK(status_of("id=" + std::string(schema::kMaxIdBytes, 'x')) == 200);
    CHECK(status_of("id=" + std::string(schema::kMaxIdBytes + 1, 'x')) == 400);
    CHECK(status_of("id=a%01b") == 400);
    CHECK(status_of("id=%ff") == 400);
}

TEST_CASE("cgi: the article page shows the whole article, the search's words marked") {
    Response r = serve("q=erbil&id=calm-1");
    CHECK(r.status == 200);
    CHECK(*r.header("Content-Type") == "text/html; charset=utf-8");
    CHECK(r.header("Content-Security-Policy")->find("unsafe-inline") == std::string::npos);
    const std::string& b = r.body;
    CHECK(b.find("<title>Kurdish groups meet in Erbil \u2013 News search</title>") != std::string::npos);
    CHECK(b.find("<h1 id=\"article-title\">Kurdish groups meet in Erbil</h1>") != std::string::npos);
    CHECK(b.find("<p>Kurdish groups met in <mark>Erbil</mark> on Tuesday to discuss the border.</p>") !=
          std::string::npos);
    CHECK(b.find("<time datetime=\"2026-03-04\">4 Mar 2026</time>") != std::string::npos);
    CHECK(b.find("<span class=\"source\">Reuters</span>") != std::string::npos);
    CHECK(b.find("<a href=\"https://example.org/calm\" rel=\"noopener noreferrer\">Original article</a>") !=
          std::string::npos);
    // Back to the search it came from; the form keeps its words.
    CHECK(b.find("<a href=\"/search?q=erbil\">&larr; Back to the results</a>") != std::string::npos);
    CHECK(b.find("value=\"erbil\"") != std::string::npos);
    // Its names, each a search for the articles naming it.
    CHECK(b.find("href=\"/search?entity=place%3AErbil\"") != std::string::npos);
    // More like this links to article pages, from the same search.
    CHECK(b.find("<h2 id=\"a-like\">More like this</h2>") != std::string::npos);
    CHECK(b.find("href=\"/search?q=erbil&amp;id=calm-2\"") != std::string::npos);
    CHECK(b.find("<script>") == std::string::npos);
    // Without a search, nothing is marked and the way back is a new search.
    Response plain = serve("id=calm-1");
    CHECK(plain.status == 200);
    CHECK(plain.body.find("<mark>") == std::string::npos);
    CHECK(plain.body.find("&larr; New search</a>") != std::string::npos);
}

TEST_CASE("cgi: markup in an article's text is escaped on its page") {
    Response r = serve("q=kurdish&id=evil-1");
    REQUIRE(r.status == 200);
    CHECK(r.body.find(kXss) == std::string::npos);
    CHECK(r.body.find("<img") == std::string::npos);
    CHECK(r.body.find("<b>Evil</b>") == std::string::npos);
    CHECK(r.body.find("&lt;b&gt;Evil&lt;/b&gt;") != std::string::npos);
    CHECK(r.body.find("javascript:") == std::string::npos); // no link to an unsafe url
    CHECK(r.body.find("Original article") == std::string::npos);
    CHECK(r.body.find("<h1 id=\"article-title\">Kurdish &lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp; "
                      "&#39;single&#39;</h1>") != std::string::npos);
    CHECK(r.body.find("<p><mark>Kurdish</mark> text with &lt;script&gt;alert(1)&lt;/script&gt; and &lt;img "
                      "src=x onerror=alert(2)&gt; inside the body. <mark>Kurdish</mark> again.</p>") !=
          std::string::npos);
}

TEST_CASE("cgi: an unknown or hostile article id is a 404 that says so, escaped, never a path") {
    for (const char* id : {"no-such-id", "..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd",
                           "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "calm-1%22%3E%3Cimg+src%3Dx%3E"}) {
        CAPTURE(id);
        Response r = serve(std::string("q=erbil&id=") + id);
        CHECK(r.status == 404);
        CHECK(*r.header("Cache-Control") == "no-store");
        CHECK(r.body.find("Sorry, there is no such article.") != std::string::npos);
        CHECK(r.body.find(kXss) == std::string::npos);
        CHECK(r.body.find("<img") == std::string::npos);
        CHECK(r.body.find("root:") == std::string::npos);
        CHECK(r.body.find("<form") != std::string::npos);
    }
    Response named = serve("id=no-such-id");
    CHECK(named.body.find("no article with id no-such-id in this index") != std::string::npos);
    Response escaped = serve("id=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    CHECK(escaped.body.find("no article with id &lt;script&gt;alert(1)&lt;/script&gt; in this index") !=
          std::string::npos);
    Response json = serve("id=no-such-id&format=json");
    CHECK(json.status == 404);
    nlohmann::json o = nlohmann::json::parse(json.body);
    CHECK(o["status"] == 404);
    CHECK(o["error"] == "no article with id no-such-id in this index");
    std::ostringstream out;
    write_response(json, out);
    CHECK(out.str().rfind("Status: 404 Not Found\r\n", 0) == 0);
}

TEST_CASE("cgi: format=json gives the article as newssearch show --json does") {
    Response r = serve("q=erbil&id=calm-1&format=json");
    CHECK(r.status == 200);
    CHECK(*r.header("Content-Type") == "application/json; charset=utf-8");
    nlohmann::json o = nlohmann::json::parse(r.body);
    CHECK(o["id"] == "calm-1");
    CHECK(o["title"] == "Kurdish groups meet in Erbil");
    CHECK(o["url"] == "https://example.org/calm");
    CHECK(o["paragraphs"] == nlohmann::json::array({"Kurdish groups met in Erbil on Tuesday to discuss the border."}));
    CHECK(o["paragraphs_html"][0] == "Kurdish groups met in <mark>Erbil</mark> on Tuesday to discuss the border.");
    CHECK(o["entities"].is_array());
    CHECK(o["versions"].is_array());
    CHECK(o["like"].is_array());
    Response evil = serve("id=evil-1&format=json");
    CHECK(nlohmann::json::parse(evil.body)["paragraphs_html"][0].get<std::string>().find("<script") ==
          std::string::npos);
}

TEST_CASE("html: result titles link to the article page, the record's url is the original") {
    Response r = serve("q=kurdish&page=1&entity=place:Erbil");
    REQUIRE(r.status == 200);
    CHECK(r.body.find("<a href=\"/search?q=kurdish&amp;entity=place%3AErbil&amp;id=calm-1\">Kurdish groups meet in "
                      "Erbil</a>") != std::string::npos);
    CHECK(r.body.find(
              "<a class=\"original\" href=\"https://example.org/calm\" rel=\"noopener noreferrer\">original</a>") !=
          std::string::npos);
    // The article page of a filtered search goes back to it, and caches apart from it.
    Response a = serve("q=kurdish&entity=place:Erbil&id=calm-1");
    CHECK(a.body.find("<a href=\"/search?q=kurdish&amp;entity=place%3AErbil\">&larr; Back to the results</a>") !=
          std::string::npos);
}

TEST_CASE("html: the article page lists other versions, linked, the earliest first published") {
    ArticleView a;
    a.id = "copy-1";
    a.title = "A reprint";
    a.date = "2026-03-05";
    a.paragraphs_html = {"One.", "Two &amp; three."};
    a.versions_total = 3;
    a.versions = {DocRef {"wire-1", "Reuters", "2026-03-04", "The <wire> story", "w.jsonl", "", true},
                  DocRef {"copy-2", "<i>Dawn</i>", "2026-03-06", "", "d.jsonl", "update 0.71", false}};
    ArticlePage page;
    page.request = parse_request("q=wire&id=copy-1");
    page.article = &a;
    const std::string html = render_article_html(page);
    CAPTURE(html);
    CHECK(html.find("<h2 id=\"a-versions\">3 other versions of this story</h2>") != std::string::npos);
    CHECK(html.find("<li><a href=\"/search?q=wire&amp;id=wire-1\">The &lt;wire&gt; story</a> <span class=\"meta\">"
                    "<time datetime=\"2026-03-04\">4 Mar 2026</time>") != std::string::npos);
    CHECK(html.find("<span class=\"first\">first published</span>") != std::string::npos);
    CHECK(html.find("href=\"/search?q=wire&amp;id=copy-2\">(untitled)</a>") != std::string::npos);
    CHECK(html.find("&lt;i&gt;Dawn&lt;/i&gt;") != std::string::npos);
    CHECK(html.find("<span class=\"how\">update, 0.71 similar</span>") != std::string::npos);
    CHECK(html.find("and 1 more") != std::string::npos);
    CHECK(html.find("<p>One.</p>\n<p>Two &amp; three.</p>") != std::string::npos);
    CHECK(html.find("class=\"this-first\"") == std::string::npos); // (this one was not first)
    a.first_published = true;
    CHECK(render_article_html(page).find("class=\"this-first\"") != std::string::npos);
}

TEST_CASE("cgi: NEWS_CACHE keeps each article page apart from its search and the others") {
    TempDir cache;
    Environment env;
    env.db = test_db();
    env.cache_dir = cache.path().string();
    std::ostringstream log;
    env.query_string = "q=erbil";
    REQUIRE(handle(env, log).status == 200);
    env.query_string = "q=erbil&id=calm-1";
    Response first = handle(env, log);
    CHECK(first.header("X-Cache") == nullptr);
    CHECK(first.body.find("<h1 id=\"article-title\">Kurdish groups meet in Erbil</h1>") != std::string::npos);
    Response again = handle(env, log);
    REQUIRE(again.header("X-Cache"));
    CHECK(again.body == first.body);
    env.query_string = "q=erbil&id=calm-2";
    Response other = handle(env, log);
    CHECK(other.header("X-Cache") == nullptr);
    CHECK(other.body.find("<h1 id=\"article-title\">Border talks go on</h1>") != std::string::npos);
    env.query_string = "id=no-such-id";
    CHECK(handle(env, log).status == 404);
    Response missing = handle(env, log);
    CHECK(missing.status == 404);
    CHECK(missing.header("X-Cache") == nullptr);
}

TEST_CASE("cgi: the page says what is wrong with a query and what to do") {
    Response bad = serve("q=AND");
    CHECK(bad.status == 400);
    CHECK(bad.body.find("cannot read the query") != std::string::npos);
    CHECK(bad.body.find("put it in quotes (&quot;and&quot;)") != std::string::npos);
    Response open = serve("q=%22oil+prices");
    CHECK(open.status == 200);
    CHECK(open.body.find("<p class=\"notice\">a quote is not closed") != std::string::npos);
    Response star = serve("q=*");
    CHECK(star.body.find("<p class=\"notice\">a * needs letters before it") != std::string::npos);
}

TEST_CASE("cgi: format=csv downloads every match as CSV, without file paths") {
    Response r = serve("q=kurdish&format=csv");
    CHECK(r.status == 200);
    REQUIRE(r.header("Content-Type"));
    CHECK(r.header("Content-Type")->rfind("text/csv; charset=utf-8", 0) == 0);
    REQUIRE(r.header("Content-Disposition"));
    CHECK(r.header("Content-Disposition")->find("attachment") != std::string::npos);
    REQUIRE(r.header("X-Export-Rows"));
    CHECK(*r.header("X-Export-Rows") == "3 of 3");
    CHECK(r.body.rfind("rank,id,story,copies,date,source,title,url,path,", 0) == 0);
    CHECK(r.body.find("calm-1") != std::string::npos);
    CHECK(r.body.find("articles.jsonl") == std::string::npos); // (the path column is left empty)
    // The hostile title is quoted as CSV; a spreadsheet cell is not HTML.
    CHECK(r.body.find("\"Kurdish <script>alert(1)</script> \"\"quoted\"\" & 'single'\"") != std::string::npos);
}

TEST_CASE("cgi: a CSV download stops at its limit and says so") {
    Environment env;
    env.db = test_db();
    env.query_string = "q=kurdish&format=csv";
    Limits limits;
    limits.max_export_rows = 2;
    std::ostringstream log;
    Response r = handle(env, log, limits);
    CHECK(r.status == 200);
    REQUIRE(r.header("X-Export-Rows"));
    CHECK(*r.header("X-Export-Rows") == "2 of 3");
    size_t lines = 0;
    for (size_t at = 0; (at = r.body.find("\r\n", at)) != std::string::npos; at += 2) ++lines;
    CHECK(lines == 3); // header and two rows
}

TEST_CASE("cgi: the results page links its CSV download") {
    Response r = serve("q=kurdish&sort=date");
    CHECK(r.body.find("href=\"/search?q=kurdish&amp;sort=date&amp;format=csv\" download>Download CSV") !=
          std::string::npos);
    CHECK(to_query_string(parse_request("q=a&format=csv")) == "q=a&format=csv");
    CHECK(status_of("q=a&format=xlsx") == 400);
}

TEST_CASE("cgi: a watch's feed is served by name, and the home page links it") {
    Watch w;
    w.name = "kurds";
    w.query = "kurdish <b>";
    w.created = "2026-12-07T00:00:00Z";
    WatchStory s;
    s.id = s.story = "calm-1";
    s.title = "Kurdish groups meet in Erbil";
    s.found = w.created;
    w.recent.push_back(s);
    WatchFile(test_db()).save({w});
    Response feed = serve("watch=kurds&format=atom");
    CHECK(feed.status == 200);
    REQUIRE(feed.header("Content-Type"));
    CHECK(*feed.header("Content-Type") == "application/atom+xml; charset=utf-8");
    CHECK(feed.body.find("<title>Kurdish groups meet in Erbil</title>") != std::string::npos);
    CHECK(feed.body.find("rel=\"self\"") != std::string::npos);
    CHECK(serve("watch=nobody&format=atom").status == 404);
    CHECK(serve("watch=../../etc/passwd&format=atom").status == 400);
    CHECK(serve("watch=kurds").status == 400); // (a feed is asked for as one)
    Response home = serve("");
    CHECK(home.body.find("href=\"/search?watch=kurds&amp;format=atom\"") != std::string::npos);
    CHECK(home.body.find("<q>kurdish &lt;b&gt;</q>") != std::string::npos);
    WatchFile(test_db()).save({});
}

TEST_CASE("cgi: an entity filter charts the entity over time and lists the names with it") {
    Response r = serve("q=kurdish&entity=place:Erbil");
    REQUIRE(r.status == 200);
    CHECK(r.body.find("<svg class=\"timeline-chart\"") != std::string::npos);
    CHECK(r.body.find("<rect class=\"bar\"") != std::string::npos);
    CHECK(r.body.find("<script") == r.body.find("<script src")); // (no inline script came with it)
    CHECK(serve("q=kurdish").body.find("timeline-chart") == std::string::npos);
}
