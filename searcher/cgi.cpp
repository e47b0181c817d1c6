#include "searcher/cgi.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "common/layout.h"
#include "common/schema.h"
#include "common/text.h"
#include "searcher/article.h"
#include "searcher/export.h"
#include "searcher/format.h"
#include "searcher/html.h"
#include "searcher/timeline.h"
#include "searcher/watch.h"

namespace news::cgi {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Tab, newline and carriage return become spaces; other C0 controls and DEL
// have no business in a search form.
std::string checked_value(const std::string& name, std::string value) {
    if (!is_valid_utf8(value)) throw RequestError(400, "parameter '" + name + "' is not valid UTF-8");
    for (char& c : value) {
        auto u = static_cast<unsigned char>(c);
        if (c == '\t' || c == '\n' || c == '\r')
            c = ' ';
        else if (u < 0x20 || u == 0x7f)
            throw RequestError(400, "parameter '" + name + "' contains a control character");
    }
    return value;
}

void check_length(const std::string& name, const std::string& value, size_t max) {
    if (value.size() > max)
        throw RequestError(400, "parameter '" + name + "' is " + std::to_string(value.size()) +
                                    " bytes long; at most " + std::to_string(max) + " allowed");
}

// Refuses queries whose shape alone would make the matcher work hard:
// deep nesting, many wildcards, very many words.
void check_query_shape(const std::string& q, const Limits& limits) {
    int depth = 0, max_depth = 0, wildcards = 0, words = 0;
    bool in_word = false;
    for (size_t i = 0; i < q.size(); ++i) {
        char c = q[i];
        if (c == '(') max_depth = std::max(max_depth, ++depth);
        if (c == ')' && depth > 0) --depth;
        if (c == '*' && i > 0 && q[i - 1] != ' ' && q[i - 1] != '(') ++wildcards;
        bool space = c == ' ';
        if (!space && !in_word) ++words;
        in_word = !space;
    }
    if (max_depth > limits.max_depth)
        throw RequestError(400, "the query nests parentheses " + std::to_string(max_depth) + " deep; at most " +
                                    std::to_string(limits.max_depth) + " allowed");
    if (wildcards > limits.max_wildcards)
        throw RequestError(400, "the query has " + std::to_string(wildcards) + " wildcards; at most " +
                                    std::to_string(limits.max_wildcards) + " allowed");
    if (words > limits.max_words)
        throw RequestError(400, "the query has " + std::to_string(words) + " words; at most " +
                                    std::to_string(limits.max_words) + " allowed");
}

int parse_page(const std::string& s, const Limits& limits) {
    if (s.empty()) return 1;
    if (s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos)
        throw RequestError(400, "page must be a number from 1 to " + std::to_string(limits.max_page));
    int page = std::stoi(s);
    if (page < 1 || page > limits.max_page)
        throw RequestError(400, "page must be a number from 1 to " + std::to_string(limits.max_page));
    return page;
}

// Dates are checked for shape here and for meaning by the searcher.
std::string checked_date(const std::string& name, const std::string& s) {
    static const char* kShapes[] = {"dddd", "dddd-dd", "dddd-dd-dd"};
    if (s.empty()) return s;
    for (const char* shape : kShapes) {
        std::string_view sh(shape);
        if (sh.size() != s.size()) continue;
        bool ok = true;
        for (size_t i = 0; i < s.size() && ok; ++i) ok = sh[i] == 'd' ? (s[i] >= '0' && s[i] <= '9') : s[i] == sh[i];
        if (ok) return s;
    }
    throw RequestError(400, "'" + name + "' must be a date: YYYY, YYYY-MM or YYYY-MM-DD");
}

const char* reason_phrase(int status) {
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 414: return "URI Too Long";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

// Our pages load only their own stylesheet and script; nothing inline runs.
constexpr const char* kCsp = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
                             "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

Response make_response(int status, Format format, std::string body) {
    Response r;
    r.status = status;
    r.headers.emplace_back("Content-Type", format == Format::Json   ? "application/json; charset=utf-8"
                                           : format == Format::Csv  ? "text/csv; charset=utf-8; header=present"
                                           : format == Format::Atom ? "application/atom+xml; charset=utf-8"
                                                                    : "text/html; charset=utf-8");
    if (format == Format::Csv && status == 200)
        r.headers.emplace_back("Content-Disposition", "attachment; filename=\"newssearch.csv\"");
    // Results change only when the index is rebuilt: a short shared cache is
    // safe; errors are never cached.
    r.headers.emplace_back("Cache-Control", status == 200 ? "public, max-age=60" : "no-store");
    r.headers.emplace_back("Content-Security-Policy", kCsp);
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
    r.headers.emplace_back("Content-Length", std::to_string(body.size()));
    r.body = std::move(body);
    return r;
}

Response error_response(int status, const WebRequest& req, const Environment& env, const Limits& limits,
                        const std::string& message) {
    if (req.format == Format::Json) {
        nlohmann::ordered_json o {{"error", message}, {"status", status}};
        return make_response(status, Format::Json,
                             o.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    }
    HtmlPage page {req, nullptr, message, env.search_path, env.static_path, limits.max_page};
    if (status == 404) page.error_title = "Sorry, there is no such article.";
    return make_response(status, Format::Html, render_html(page));
}

// A cache of whole 200 responses in a folder, one file per slot (so the
// folder never holds more than kSlots files). An entry is used only when its
// key matches exactly: the canonical request, the index's uuid and revision,
// and this program's build, so a rebuilt index or program never sees stale pages.
class ResponseCache {
public:
    static constexpr uint64_t kSlots = 4096;

    ResponseCache(const Environment& env, const WebRequest& req) {
        if (env.cache_dir.empty()) return;
        try {
            Xapian::Database db(env.db);
            key_ = db.get_uuid() + ":" + std::to_string(db.get_revision());
        } catch (const Xapian::Error&) {
            return; // a sharded (stub) index has no single revision: no caching
        }
        struct stat st {};
        if (::stat("/proc/self/exe", &st) == 0)
            key_ += "|" + std::to_string(st.st_size) + "." + std::to_string(st.st_mtim.tv_sec) + "." +
                    std::to_string(st.st_mtim.tv_nsec);
        // (The home page lists the watches: a changed watch file is a new page.)
        if (::stat(WatchFile(env.db).path().c_str(), &st) == 0)
            key_ += "|w" + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
        key_ += "|" + env.search_path + "|" + env.static_path + "|" + to_query_string(req) +
                (req.format == Format::Json ? "|json" : "|html");
        path_ = env.cache_dir + "/" + hex64(fnv1a64(key_) % kSlots);
    }

    bool enabled() const { return !path_.empty(); }

    // The cached body, or false.
    bool get(std::string& body) const {
        if (!enabled()) return false;
        std::ifstream in(path_, std::ios::binary);
        std::string line;
        if (!in || !std::getline(in, line) || line != key_) return false;
        std::ostringstream s;
        s << in.rdbuf();
        body = s.str();
        return true;
    }

    // Written to a temporary file and renamed, so readers see all or nothing.
    void put(const std::string& body) const {
        if (!enabled()) return;
        std::string tmp = path_ + ".tmp" + std::to_string(::getpid());
        {
            std::ofstream out(tmp, std::ios::binary);
            out << key_ << '\n' << body;
            if (!out.flush()) {
                std::remove(tmp.c_str());
                return;
            }
        }
        if (std::rename(tmp.c_str(), path_.c_str()) != 0) std::remove(tmp.c_str());
    }

private:
    std::string key_, path_;
};

} // namespace

bool WebRequest::is_home() const {
    return article.empty() && watch.empty() && search.query.empty() && search.from.empty() && search.to.empty() &&
           search.entities.empty() && search.sources.empty();
}

std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '+') {
            out += ' ';
        } else if (c == '%') {
            int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1;
            int lo = hi >= 0 ? hex_value(s[i + 2]) : -1;
            if (lo < 0) throw RequestError(400, "bad percent-encoding in the request");
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += c;
        }
        if (out.back() == '\0') throw RequestError(400, "the request contains a NUL byte");
    }
    return out;
}

std::string percent_encode(std::string_view s) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size() * 3 / 2);
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~') {
            out += c;
        } else if (c == ' ') {
            out += '+';
        } else {
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 15];
        }
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> parse_query_string(std::string_view qs, const Limits& limits) {
    if (qs.size() > limits.max_query_string)
        throw RequestError(414, "the request is " + std::to_string(qs.size()) + " bytes long; at most " +
                                    std::to_string(limits.max_query_string) + " allowed");
    std::vector<std::pair<std::string, std::string>> out;
    size_t start = 0;
    while (start <= qs.size()) {
        size_t end = qs.find_first_of("&;", start);
        if (end == std::string_view::npos) end = qs.size();
        std::string_view piece = qs.substr(start, end - start);
        if (!piece.empty()) {
            size_t eq = piece.find('=');
            std::string name = percent_decode(piece.substr(0, eq));
            std::string value = eq == std::string_view::npos ? std::string() : percent_decode(piece.substr(eq + 1));
            name = checked_value("name", std::move(name));
            out.emplace_back(name, checked_value(name, std::move(value)));
        }
        start = end + 1;
    }
    return out;
}

Format requested_format(std::string_view qs) {
    size_t start = 0;
    Format f = Format::Html;
    while (start <= qs.size()) {
        size_t end = qs.find_first_of("&;", start);
        if (end == std::string_view::npos) end = qs.size();
        std::string_view piece = qs.substr(start, end - start);
        if (piece == "format=json") f = Format::Json;
        if (piece == "format=html" || piece == "format=csv") f = Format::Html; // (errors as a page)
        start = end + 1;
    }
    return f;
}

WebRequest parse_request(std::string_view query_string, const Limits& limits) {
    WebRequest r;
    r.search.facets = true;
    r.search.limit = limits.page_size;
    r.search.time_limit = limits.time_limit;
    int filters = 0;
    for (auto& [name, raw] : parse_query_string(query_string, limits)) {
        std::string value = name == "q" ? collapse_space(raw) : std::string(trim(raw));
        check_length(name, value, name == "q" ? limits.max_q : name == "id" ? schema::kMaxIdBytes : limits.max_value);
        if (name == "q") {
            check_query_shape(value, limits);
            r.search.query = value;
        } else if (name == "from") {
            r.search.from = checked_date(name, value);
        } else if (name == "to") {
            r.search.to = checked_date(name, value);
        } else if (name == "entity" || name == "source") {
            if (value.empty()) continue;
            if (++filters > limits.max_filters)
                throw RequestError(400, "at most " + std::to_string(limits.max_filters) + " filters allowed");
            if (name == "source") {
                r.search.sources.push_back(value);
                continue;
            }
            size_t colon = value.find(':');
            std::string type = colon == std::string::npos ? "" : to_lower(value.substr(0, colon));
            if (type != "person" && type != "org" && type != "place" && type != "misc" && type != "entity")
                throw RequestError(400, "entity filters look like place:Iran (types person, org, place, misc)");
            if (colon + 1 >= value.size()) throw RequestError(400, "entity filter '" + value + "' has no name");
            r.search.entities.push_back(type + value.substr(colon));
        } else if (name == "sort") {
            if (value != "" && value != "relevance" && value != "date" && value != "newest" && value != "oldest")
                throw RequestError(400, "sort must be relevance, date or oldest");
            r.search.sort = parse_sort(value);
        } else if (name == "page") {
            r.page = parse_page(value, limits);
        } else if (name == "id") {
            r.article = value; // (bounded and checked as any value; only ever looked up as a term)
        } else if (name == "watch") {
            try {
                check_watch_name(value);
            } catch (const QueryError& e) {
                throw RequestError(400, e.what());
            }
            r.watch = value; // (a key of the watch file, never a path)
        } else if (name == "format") {
            if (value != "json" && value != "html" && value != "csv" && value != "atom" && value != "")
                throw RequestError(400, "format must be html, json, csv or atom");
            r.format = value == "json"   ? Format::Json
                       : value == "csv"  ? Format::Csv
                       : value == "atom" ? Format::Atom
                                         : Format::Html;
        }
        // Anything else (db, DB, ...) is ignored: the index comes from NEWS_DB only.
    }
    if ((r.format == Format::Atom) != !r.watch.empty())
        throw RequestError(400, "a watch's feed is asked for with watch=NAME&format=atom");
    r.search.offset = (r.page - 1) * limits.page_size;
    return r;
}

std::string to_query_string(const WebRequest& r) {
    std::string out;
    auto add = [&](const char* name, const std::string& value) {
        if (value.empty()) return;
        out += out.empty() ? "" : "&";
        out += name;
        out += '=';
        out += percent_encode(value);
    };
    add("q", r.search.query);
    add("from", r.search.from);
    add("to", r.search.to);
    for (const auto& e : r.search.entities) add("entity", e);
    for (const auto& s : r.search.sources) add("source", s);
    if (r.search.sort == SortOrder::Newest) add("sort", "date");
    if (r.search.sort == SortOrder::Oldest) add("sort", "oldest");
    if (r.page > 1) add("page", std::to_string(r.page));
    add("id", r.article);
    add("watch", r.watch);
    if (r.format == Format::Json) add("format", "json");
    if (r.format == Format::Csv) add("format", "csv");
    if (r.format == Format::Atom) add("format", "atom");
    return out;
}

const std::string* Response::header(std::string_view name) const {
    for (const auto& [n, v] : headers)
        if (n == name) return &v;
    return nullptr;
}

Environment Environment::from_process() {
    Environment env;
    auto get = [](const char* name, std::string& into) {
        if (const char* v = std::getenv(name)) into = v;
    };
    get("NEWS_DB", env.db);
    get("REQUEST_METHOD", env.method);
    get("QUERY_STRING", env.query_string);
    get("NEWS_SEARCH_PATH", env.search_path);
    get("NEWS_STATIC_PATH", env.static_path);
    get("NEWS_CACHE", env.cache_dir);
    return env;
}

namespace {

// Modification time of the stub a sharded index is opened through (ns), or
// 0 for a single database.
long long stub_stamp(const std::string& db) {
    struct stat st {};
    std::string stub = db + "/" + std::string(layout::kStubName);
    if (::stat(stub.c_str(), &st) != 0 && (::stat(db.c_str(), &st) != 0 || !S_ISREG(st.st_mode))) return 0;
    return static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

// The server's own layout is no business of a reader's: results and
// versions name their source, never their file (the CLI's JSON keeps it).
void hide_paths(std::vector<Result>& results) {
    for (Result& x : results) {
        x.path.clear();
        for (DocRef& d : x.duplicates) d.path.clear();
    }
}

// Names listed beside a filtered entity ("Often named with").
constexpr int kCooccurShown = 6;

// The body of the search page (or its JSON).
std::string search_body(Searcher& searcher, const WebRequest& req, const Environment& env, const Limits& limits) {
    SearchRequest sreq = req.search;
    if (req.is_home()) sreq.limit = 1; // only the archive's facets are shown
    SearchResponse resp = searcher.search(sreq);
    hide_paths(resp.results);
    if (req.format == Format::Json) return to_json(resp) + "\n";
    HtmlPage page {req, &resp, "", env.search_path, env.static_path, limits.max_page};
    page.max_export_rows = limits.max_export_rows;
    // Entity filters: each over time within the search without them, and
    // the names most often with the first.
    Timeline timeline;
    std::vector<Cooccurrence> cooccur;
    if (!req.is_home() && !req.search.entities.empty() && !resp.results.empty()) {
        SearchRequest base = req.search;
        base.entities.clear();
        timeline = entity_timeline(searcher, base, req.search.entities);
        cooccur = cooccurring(searcher, base, req.search.entities.front(), kCooccurShown);
        page.timeline = &timeline;
        page.cooccur = &cooccur;
    }
    if (req.is_home()) {
        try {
            for (const Watch& w : WatchFile(env.db).load()) page.watches.emplace_back(w.name, w.query);
        } catch (const Error&) {
            // (a watch file that cannot be read only hides the list)
        }
    }
    return render_html(page);
}

// The body of the article page (or its JSON); nullopt when the index has
// no article of that id.
std::optional<std::string> article_body(Searcher& searcher, const WebRequest& req, const Environment& env,
                                        const Limits& limits) {
    ArticleRequest areq;
    areq.id = req.article;
    areq.query = req.search.query;
    areq.entities = req.search.entities;
    areq.time_limit = limits.time_limit;
    std::optional<ArticleView> a = fetch_article(searcher, areq);
    if (!a) return std::nullopt;
    a->path.clear();
    for (DocRef& d : a->versions) d.path.clear();
    hide_paths(a->like);
    if (req.format == Format::Json) return to_json(*a) + "\n";
    ArticlePage page;
    page.request = req;
    page.article = &*a;
    page.search_path = env.search_path;
    page.static_path = env.static_path;
    return render_article_html(page);
}

// One CSV download at a time for an index: an flock on a file named after
// the index (not after anything in the request), released when done.
class ExportSlot {
public:
    explicit ExportSlot(const std::string& db) {
        namespace fs = std::filesystem;
        std::error_code ec;
        const fs::path dir = fs::temp_directory_path(ec);
        if (ec) return;
        const std::string path = (dir / ("newssearch-export-" + hex64(fnv1a64(db)) + ".lock")).string();
        fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        taken_ = fd_ < 0 || ::flock(fd_, LOCK_EX | LOCK_NB) == 0; // (no lock file: no limit to enforce)
    }
    ~ExportSlot() {
        if (fd_ >= 0) ::close(fd_);
    }
    ExportSlot(const ExportSlot&) = delete;
    ExportSlot& operator=(const ExportSlot&) = delete;
    bool taken() const { return taken_; }

private:
    int fd_ = -1;
    bool taken_ = false;
};

// Every match of the search as CSV, at most limits.max_export_rows rows
// (the response says when it stopped there), one download at a time.
Response csv_download(const Environment& env, const WebRequest& req, const Limits& limits, OpenIndex* open) {
    ExportSlot slot(env.db);
    if (!slot.taken()) {
        Response r = error_response(503, WebRequest {}, env, limits,
                                    "another CSV download is being prepared; try again in a few seconds");
        r.headers.emplace_back("Retry-After", "5");
        return r;
    }
    std::unique_ptr<Searcher> own;
    if (!open) own = std::make_unique<Searcher>(env.db);
    Searcher& searcher = open ? open->get(env.db) : *own;
    SearchRequest sreq = req.search;
    sreq.facets = false;
    ExportOptions options;
    options.format = ExportFormat::Csv;
    options.max_rows = limits.max_export_rows;
    options.hide_paths = true;
    std::ostringstream body;
    const ExportSummary s = export_matches(searcher, sreq, options, body);
    Response r = make_response(200, Format::Csv, body.str());
    r.headers.emplace_back("X-Export-Rows", std::to_string(s.rows) + " of " +
                                                std::to_string(req.search.collapse ? s.stories : s.articles));
    return r;
}

// A watch's feed: what its runs found, as `newssearch watch run NAME --atom`
// prints it (reading the feed never runs the watch).
Response watch_feed(const Environment& env, const WebRequest& req, const Limits& limits) {
    for (const Watch& w : WatchFile(env.db).load()) {
        if (w.name != req.watch) continue;
        const std::string uuid = Xapian::Database(env.db).get_uuid();
        return make_response(200, Format::Atom, to_atom(w, uuid, env.search_path + "?" + to_query_string(req)));
    }
    return error_response(404, WebRequest {}, env, limits, "no watch named " + req.watch + " on this index");
}

} // namespace

Searcher& OpenIndex::get(const std::string& db) {
    long long stamp = stub_stamp(db);
    if (searcher_ && (db != path_ || stamp != stub_stamp_)) searcher_.reset();
    if (searcher_) {
        searcher_->reopen();
    } else {
        searcher_ = std::make_unique<Searcher>(db);
        searcher_->keep_facet_table();
        path_ = db;
        stub_stamp_ = stamp;
    }
    return *searcher_;
}

Response handle(const Environment& env, std::ostream& log, const Limits& limits, OpenIndex* open) {
    WebRequest req;
    req.format = requested_format(env.query_string);
    try {
        if (env.method != "GET" && env.method != "HEAD") {
            Response r = error_response(405, req, env, limits, "only GET and HEAD requests are served here");
            r.headers.emplace_back("Allow", "GET, HEAD");
            return r;
        }
        req = parse_request(env.query_string, limits);
    } catch (const RequestError& e) {
        return error_response(e.status(), req, env, limits, e.what());
    }
    try {
        if (env.db.empty()) throw Error("NEWS_DB is not set in the server's environment");
        if (req.format == Format::Csv && req.article.empty()) return csv_download(env, req, limits, open);
        if (!req.watch.empty()) return watch_feed(env, req, limits);
        ResponseCache cache(env, req);
        std::string body;
        if (cache.get(body)) {
            Response r = make_response(200, req.format, std::move(body));
            r.headers.emplace_back("X-Cache", "hit");
            return r;
        }
        std::unique_ptr<Searcher> own;
        if (!open) own = std::make_unique<Searcher>(env.db);
        Searcher& searcher = open ? open->get(env.db) : *own;
        std::optional<std::string> made =
            req.article.empty() ? search_body(searcher, req, env, limits) : article_body(searcher, req, env, limits);
        if (!made) return error_response(404, req, env, limits, "no article with id " + req.article + " in this index");
        body = std::move(*made);
        cache.put(body);
        return make_response(200, req.format, std::move(body));
    } catch (const QueryError& e) {
        return error_response(400, req, env, limits, e.what());
    } catch (const Error& e) {
        log << "newssearch.cgi: " << e.what() << '\n';
        if (open) open->forget(); // the next request opens the index afresh
        return error_response(503, req, env, limits, "the search index is not available right now");
    } catch (const std::exception& e) {
        log << "newssearch.cgi: " << e.what() << '\n';
        if (open) open->forget();
        return error_response(500, req, env, limits, "something went wrong while searching");
    }
}

void write_response(const Response& r, std::ostream& out, bool head_only) {
    out << "Status: " << r.status << ' ' << reason_phrase(r.status) << "\r\n";
    for (const auto& [name, value] : r.headers) out << name << ": " << value << "\r\n";
    out << "\r\n";
    if (!head_only) out << r.body;
    out.flush();
}

} // namespace news::cgi
