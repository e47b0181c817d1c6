// The request/response layer of newssearch.cgi: turns QUERY_STRING into a
// bounded, validated SearchRequest and a search into one complete CGI
// response (status, headers, body). The index path never comes from a request.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "searcher/search.h"

namespace news::cgi {

// Csv: every match of the search (up to Limits::max_export_rows) as a
// download, what `newssearch --export csv` writes, without file paths.
// Atom: a watch's feed (watch=NAME, watch.h).
enum class Format { Html, Json, Csv, Atom };

// What a request may carry. Every default is what newssearch.cgi uses.
struct Limits {
    size_t max_query_string = 8192;               // bytes of the raw QUERY_STRING (414 beyond)
    size_t max_q = 512;                           // bytes of the decoded query
    size_t max_value = 200;                       // bytes of any other decoded value
    int max_filters = 12;                         // entity and source values together
    int max_depth = 8;                            // nesting of parentheses in the query
    int max_wildcards = 4;                        // trailing* terms in the query
    int max_words = 48;                           // white-space separated words in the query
    int page_size = 10;                           // results per page
    int max_page = SearchRequest::kMaxDepth / 10; // deepest page offered
    double time_limit = 2.0;                      // seconds the matcher may spend
    long max_export_rows = 10000;                 // rows of a CSV download (the CLI has no limit)
};

// A parsed request. `search` always asks for facets; `page` is 1-based.
// With `article` (id=), the article page: `search` is the search it was
// reached from (its words are marked, and links go back to it).
struct WebRequest {
    SearchRequest search;
    Format format = Format::Html;
    int page = 1;
    std::string article; // an article id, looked up in the index and nowhere else; "" for a search
    std::string watch;   // a watch's name (format=atom): its feed, read from the index's watch file

    // No article, no query and no filter: the home page.
    bool is_home() const;
};

// A request that cannot be served as asked, with its HTTP status (400, 405, 414).
class RequestError : public QueryError {
public:
    RequestError(int status, const std::string& what) : QueryError(what), status_(status) {}
    int status() const { return status_; }

private:
    int status_;
};

// Decodes %XX and '+'; throws RequestError on a bad escape or a NUL byte.
std::string percent_decode(std::string_view s);
// Encodes everything but unreserved characters (RFC 3986), space as '+'.
std::string percent_encode(std::string_view s);

// Splits and decodes "a=1&b=2"; empty pieces are skipped. Throws RequestError
// for bad escapes, NUL, control characters, invalid UTF-8 and oversize input.
std::vector<std::pair<std::string, std::string>> parse_query_string(std::string_view qs, const Limits& limits = {});

// Parses q, from, to, entity (repeatable), source (repeatable), sort, page,
// id (at most schema::kMaxIdBytes) and format; unknown parameters are
// ignored. Throws RequestError.
WebRequest parse_request(std::string_view query_string, const Limits& limits = {});

// The format a request asked for, read leniently so that even a request that
// fails to parse gets its error in the format it wanted.
Format requested_format(std::string_view query_string);

// The canonical query string of a request (page 1 and relevance omitted),
// used for every link the page makes.
std::string to_query_string(const WebRequest& r);

struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    const std::string* header(std::string_view name) const;
};

// What newssearch.cgi reads from its server's environment.
struct Environment {
    std::string db;                      // NEWS_DB: the index (never from a request)
    std::string method = "GET";          // REQUEST_METHOD
    std::string query_string;            // QUERY_STRING
    std::string search_path = "/search"; // NEWS_SEARCH_PATH: where links point
    std::string static_path = "/static"; // NEWS_STATIC_PATH: CSS and JS
    std::string cache_dir;               // NEWS_CACHE: folder for cached responses, "" = no cache

    static Environment from_process(); // reads the variables above
};

// The open index of a process that serves many requests (FastCGI): opened
// on first use, moved to the latest commit before each request, opened
// afresh when its stub file changed (a new shard) or after a failure.
class OpenIndex {
public:
    Searcher& get(const std::string& db);
    void forget() { searcher_.reset(); }

private:
    std::string path_;
    long long stub_stamp_ = -1;
    std::unique_ptr<Searcher> searcher_;
};

// Serves one request (a search, a CSV download, or with id= an article page), from
// NEWS_CACHE when the same request was answered for the same index
// revision by the same program. Never throws: bad requests get 4xx, an
// article id the index does not have 404, an unavailable index 503,
// anything else 500, each with a readable body; a CSV download while
// another is being written for the same index 503 with Retry-After. Details of server faults
// go to `log`, not to the client. With `open`, the index stays open
// between requests; without, each request opens it.
Response handle(const Environment& env, std::ostream& log, const Limits& limits = {}, OpenIndex* open = nullptr);

// Writes "Status:", the headers, a blank line and (unless `head_only`) the body.
void write_response(const Response& r, std::ostream& out, bool head_only = false);

} // namespace news::cgi
