#include "searcher/html.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>

#include "common/text.h"
#include "searcher/format.h"

namespace news::cgi {
namespace {

std::string esc(std::string_view s) { return html_escape(s); }

// 12345 -> "12,345"
std::string with_commas(long n) {
    std::string digits = std::to_string(n < 0 ? -n : n), out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

std::string plural(long n, const char* one, const char* many) { return with_commas(n) + " " + (n == 1 ? one : many); }

const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// "2026-03-04" -> "4 Mar 2026", "2026-03" -> "Mar 2026"; anything else unchanged.
std::string human_date(const std::string& iso) {
    if (iso.size() < 7 || iso[4] != '-') return iso;
    int month = std::atoi(iso.substr(5, 2).c_str());
    if (month < 1 || month > 12) return iso;
    std::string m = kMonths[month - 1];
    if (iso.size() == 7) return m + " " + iso.substr(0, 4);
    if (iso.size() != 10) return iso;
    return std::to_string(std::atoi(iso.substr(8, 2).c_str())) + " " + m + " " + iso.substr(0, 4);
}

// Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms).
long days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

std::string civil_from_days(long z) {
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp + (mp < 10 ? 3 : -9);
    char buf[72];
    std::snprintf(buf, sizeof buf, "%04ld-%02ld-%02ld", y + (m <= 2), m, d);
    return buf;
}

// "2026-03" -> "2026-03-01" (or "2026-03-31" for the end of a range),
// "2026" -> "2026-01-01" / "2026-12-31"; a full date or "" unchanged.
std::string full_date(const std::string& d, bool end) {
    if (d.size() == 4) return d + (end ? "-12-31" : "-01-01");
    if (d.size() != 7) return d;
    if (!end) return d + "-01";
    const int y = std::atoi(d.substr(0, 4).c_str()), m = std::atoi(d.substr(5, 2).c_str());
    return civil_from_days(days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1);
}

// A histogram tick: "4 Mar" for a day, "Mar 2026" for a month, "2026".
std::string tick_label(const std::string& bucket) {
    if (bucket.size() == 10) {
        const std::string d = human_date(bucket);
        return d.substr(0, d.rfind(' '));
    }
    return human_date(bucket);
}

// The next bucket label after `label` ("2026-03-31" -> "2026-04-01",
// "2026-12" -> "2027-01", "2026" -> "2027").
std::string next_bucket(const std::string& label) {
    int y = std::atoi(label.substr(0, 4).c_str());
    char buf[48];
    if (label.size() == 4) {
        std::snprintf(buf, sizeof buf, "%04d", y + 1);
    } else if (label.size() == 7) {
        int m = std::atoi(label.substr(5, 2).c_str());
        std::snprintf(buf, sizeof buf, "%04d-%02d", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1);
    } else {
        int m = std::atoi(label.substr(5, 2).c_str()), d = std::atoi(label.substr(8, 2).c_str());
        return civil_from_days(days_from_civil(y, m, d) + 1);
    }
    return buf;
}

bool is_bucket_label(const std::string& s) {
    if (s.size() != 4 && s.size() != 7 && s.size() != 10) return false;
    for (size_t i = 0; i < s.size(); ++i)
        if (i == 4 || i == 7 ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) return false;
    return true;
}

// The histogram with empty buckets filled in between the first and last, so
// that gaps in time show as gaps; left as it is when that would be too wide.
// "12 stories, 19 articles", or "3 articles" when every article is a story.
std::string stories_and_articles(const FacetEntry& e) {
    if (e.stories == e.count) return plural(e.count, "article", "articles");
    return plural(e.stories, "story", "stories") + ", " + plural(e.count, "article", "articles");
}

std::vector<FacetEntry> filled_histogram(const std::vector<FacetEntry>& in) {
    constexpr size_t kMaxBars = 120;
    std::vector<FacetEntry> out;
    for (const auto& e : in) {
        if (!is_bucket_label(e.name)) return in;
        while (!out.empty() && out.back().name < e.name && out.size() <= kMaxBars) {
            std::string next = next_bucket(out.back().name);
            if (next >= e.name) break;
            out.push_back({next, 0});
        }
        if (out.size() > kMaxBars) return in;
        out.push_back(e);
    }
    return out;
}

std::string type_label(const std::string& type) {
    if (type == "person") return "Person";
    if (type == "org") return "Organisation";
    if (type == "place") return "Place";
    if (type == "misc") return "Other";
    return "Entity";
}

// A blank line inside a snippet (a paragraph break) is shown as a quiet
// pilcrow, to keep it compact; a single line break is just a space.
std::string with_paragraph_marks(const std::string& html) {
    std::string out;
    for (size_t i = 0; i < html.size(); ++i) {
        if (html[i] != '\n') {
            out += html[i];
            continue;
        }
        int breaks = 1;
        while (i + 1 < html.size() &&
               (html[i + 1] == '\n' || html[i + 1] == ' ' || html[i + 1] == '\r' || html[i + 1] == '\t'))
            breaks += html[++i] == '\n';
        out += breaks > 1 ? " <span class=\"para\" aria-hidden=\"true\">\u00b6</span> " : " ";
    }
    return out;
}

bool same_filter(const std::string& a, const std::string& b) { return to_lower(a) == to_lower(b); }

// Builds the links of one page: every link is the current request with
// one change, always back on page 1 unless it is a page link.
class Links {
public:
    Links(const WebRequest& r, std::string path) : base_(r), path_(std::move(path)) {
        base_.format = Format::Html;
        base_.article.clear(); // (every link but article() is a search)
    }

    std::string href(const WebRequest& r) const {
        std::string qs = to_query_string(r);
        return esc(qs.empty() ? path_ : path_ + "?" + qs);
    }
    // The search itself, as it was (the article page's way back).
    std::string search() const { return href(base_); }
    // The article page of `id`, reached from this search.
    std::string article(const std::string& id) const {
        WebRequest r = base_;
        r.article = id;
        return href(r);
    }
    // A new search for the articles naming one entity.
    std::string entity_search(const std::string& spec) const {
        WebRequest r;
        r.search.entities.push_back(spec);
        return href(r);
    }
    // Every match of this search as CSV (the CGI's download).
    std::string csv() const {
        WebRequest r = first_page();
        r.format = Format::Csv;
        return href(r);
    }
    std::string page(int n) const {
        WebRequest r = base_;
        r.page = n;
        return href(r);
    }
    std::string query(const std::string& q) const {
        WebRequest r = first_page();
        r.search.query = q;
        return href(r);
    }
    std::string add_entity(const std::string& spec) const {
        WebRequest r = first_page();
        if (!has_entity(spec)) r.search.entities.push_back(spec);
        return href(r);
    }
    std::string remove_entity(const std::string& spec) const {
        WebRequest r = first_page();
        auto& v = r.search.entities;
        v.erase(std::remove_if(v.begin(), v.end(), [&](const std::string& e) { return same_filter(e, spec); }),
                v.end());
        return href(r);
    }
    std::string add_source(const std::string& s) const {
        WebRequest r = first_page();
        if (!has_source(s)) r.search.sources.push_back(s);
        return href(r);
    }
    std::string remove_source(const std::string& s) const {
        WebRequest r = first_page();
        auto& v = r.search.sources;
        v.erase(std::remove_if(v.begin(), v.end(), [&](const std::string& e) { return same_filter(e, s); }), v.end());
        return href(r);
    }
    std::string dates(const std::string& from, const std::string& to) const {
        WebRequest r = first_page();
        r.search.from = from;
        r.search.to = to;
        return href(r);
    }
    bool has_entity(const std::string& spec) const {
        for (const auto& e : base_.search.entities)
            if (same_filter(e, spec)) return true;
        return false;
    }
    bool has_source(const std::string& s) const {
        for (const auto& e : base_.search.sources)
            if (same_filter(e, s)) return true;
        return false;
    }

private:
    WebRequest first_page() const {
        WebRequest r = base_;
        r.page = 1;
        return r;
    }
    WebRequest base_;
    std::string path_;
};

class Writer {
public:
    Writer(const HtmlPage& p) : p_(p), links_(p.request, p.search_path) {}

    std::string page() {
        const SearchResponse* r = p_.response;
        const bool home = p_.request.is_home() && p_.error.empty();
        const std::string& q = p_.request.search.query;
        head(home ? "News search" : (q.empty() ? "Filtered articles" : q) + " \u2013 News search");
        out_ += "<body class=\"" + std::string(home ? "home" : "serp") + "\">\n";
        out_ += "<a class=\"skip\" href=\"#main\">Skip to content</a>\n";
        header(home);
        out_ += "<div class=\"page\">\n<main id=\"main\" tabindex=\"-1\">\n";
        if (!p_.error.empty())
            out_ += "<div class=\"alert\" role=\"alert\"><strong>" + esc(p_.error_title) + "</strong> " +
                    esc(p_.error) + "</div>\n";
        if (r && home) home_intro(*r);
        if (r && !home) results(*r);
        out_ += "</main>\n";
        if (r && r->facets.present) facets(*r, home);
        out_ += "</div>\n";
        footer();
        return std::move(out_);
    }

    // The article page: the whole text, and beside it its names, the other
    // versions of its story and the articles most like it.
    std::string article(const ArticleView& a) {
        head((a.title.empty() ? "(untitled)" : a.title) + " \u2013 News search");
        out_ += "<body class=\"article-page\">\n<a class=\"skip\" href=\"#main\">Skip to content</a>\n";
        header(false);
        out_ += "<div class=\"page\">\n<main id=\"main\" tabindex=\"-1\">\n";
        WebRequest search = p_.request;
        search.article.clear();
        if (search.is_home())
            out_ += "<p class=\"back\"><a href=\"" + esc(p_.search_path) + "\">&larr; New search</a></p>\n";
        else
            out_ += "<p class=\"back\"><a href=\"" + links_.search() + "\">&larr; Back to the results</a></p>\n";
        article_text(a);
        out_ += "</main>\n<aside class=\"facets article-side\" aria-label=\"About this article\">\n";
        article_entities(a);
        article_versions(a);
        article_like(a);
        out_ += "</aside>\n</div>\n";
        footer();
        return std::move(out_);
    }

private:
    void footer() {
        out_ += "<footer class=\"foot\"><p>newssearch &middot; built on Xapian &middot; "
                "<a href=\"" +
                esc(p_.search_path) + "\">new search</a></p></footer>\n";
        out_ += "</body>\n</html>\n";
    }

    void head(const std::string& title) {
        out_ += "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<meta name=\"referrer\" content=\"no-referrer\">\n";
        out_ += "<title>" + esc(title) + "</title>\n";
        out_ += "<link rel=\"stylesheet\" href=\"" + esc(p_.static_path) + "/style.css\">\n";
        out_ += "<link rel=\"icon\" href=\"" + esc(p_.static_path) + "/favicon.svg\" type=\"image/svg+xml\">\n";
        out_ += "<script src=\"" + esc(p_.static_path) + "/app.js\" defer></script>\n</head>\n";
    }

    void header(bool home) {
        const SearchRequest& s = p_.request.search;
        out_ += "<header class=\"top\">\n<a class=\"brand\" href=\"" + esc(p_.search_path) +
                "\">News<span>search</span></a>\n";
        out_ += "<form class=\"search\" role=\"search\" action=\"" + esc(p_.search_path) + "\" method=\"get\">\n";
        out_ += "<label for=\"q\" class=\"sr-only\">Search the news archive</label>\n";
        out_ += "<input id=\"q\" name=\"q\" type=\"search\" value=\"" + esc(s.query) +
                "\" maxlength=\"512\" autocomplete=\"off\" spellcheck=\"false\" "
                "placeholder=\"Words, &quot;a phrase&quot;, place:Iran, date:2026-03\"" +
                (home ? " autofocus" : "") + ">\n";
        // Filters chosen from facets stay when the words change.
        auto hidden = [&](const char* name, const std::string& v) {
            if (!v.empty())
                out_ += "<input type=\"hidden\" name=\"" + std::string(name) + "\" value=\"" + esc(v) + "\">\n";
        };
        // From and to as date fields (a browser's own picker, no script);
        // a month or a year from a histogram bar shows as its first and
        // last day, which searches the same dates.
        out_ += "<span class=\"dates\"><label for=\"from\">From</label><input id=\"from\" name=\"from\" "
                "type=\"date\" value=\"" +
                esc(full_date(s.from, false)) +
                "\"><label for=\"to\">to</label><input id=\"to\" name=\"to\" "
                "type=\"date\" value=\"" +
                esc(full_date(s.to, true)) + "\"></span>\n";
        for (const auto& e : s.entities) hidden("entity", e);
        for (const auto& src : s.sources) hidden("source", src);
        out_ += "<label for=\"sort\" class=\"sr-only\">Order</label>\n<select id=\"sort\" name=\"sort\">";
        auto option = [&](const char* value, const char* label, SortOrder o) {
            out_ += "<option value=\"" + std::string(value) + "\"" + (s.sort == o ? " selected" : "") + ">" + label +
                    "</option>";
        };
        option("relevance", "Best match", SortOrder::Relevance);
        option("date", "Newest first", SortOrder::Newest);
        option("oldest", "Oldest first", SortOrder::Oldest);
        out_ += "</select>\n<button type=\"submit\">Search</button>\n</form>\n</header>\n";
    }

    void home_intro(const SearchResponse& r) {
        out_ +=
            "<section class=\"intro\" aria-labelledby=\"intro-h\">\n<h1 id=\"intro-h\">Search the news archive</h1>\n";
        out_ += "<p>" + plural(r.total_estimate, "article", "articles") +
                ". Type words or <q>a phrase</q>; narrow with <code>place:</code>, <code>person:</code>, "
                "<code>org:</code>, <code>source:</code> and <code>date:2026-03-01..2026-03-05</code>, "
                "or pick a name on the right.</p>\n";
        histogram(r);
        watches();
        out_ += "</section>\n";
    }

    // The saved searches (newssearch watch), each a search link and its feed.
    void watches() {
        if (p_.watches.empty()) return;
        out_ += "<h2 id=\"watches-h\">Watched searches</h2>\n<ul class=\"watches\" aria-labelledby=\"watches-h\">\n";
        for (const auto& [name, query] : p_.watches) {
            WebRequest feed;
            feed.watch = name;
            feed.format = Format::Atom;
            out_ += "<li><a href=\"" + links_.query(query) + "\">" + esc(name) + "</a> <q>" + esc(query) +
                    "</q> <a class=\"feed\" type=\"application/atom+xml\" href=\"" + links_.href(feed) +
                    "\">new stories (Atom)</a></li>\n";
        }
        out_ += "</ul>\n";
    }

    void results(const SearchResponse& r) {
        for (const auto& n : r.notices) out_ += "<p class=\"notice\">" + esc(n) + "</p>\n";
        if (r.relaxed) out_ += "<p class=\"relaxed\" role=\"status\">" + esc(relaxation_message(r)) + "</p>\n";
        if (!r.suggestion.empty())
            out_ += "<p class=\"suggest\">Did you mean <a href=\"" + links_.query(r.suggestion) + "\">" +
                    esc(r.suggestion) + "</a>?</p>\n";
        summary(r);
        active_filters();
        histogram(r);
        timeline_chart();
        cooccurring();
        if (r.results.empty() && r.offset > 0 && r.total_estimate > 0) {
            // A page past the last (an old link, an edited URL): say so.
            const long size = std::max(1, p_.request.search.limit);
            const long last = std::max(1L, std::min<long>(p_.max_page, (r.total_estimate + size - 1) / size));
            out_ += "<p class=\"empty\">Page " + std::to_string(p_.request.page) + " of " + std::to_string(last) +
                    ": no results this far. <a href=\"" + links_.page(static_cast<int>(last)) +
                    "\">Go to the last page</a>.</p>\n";
            return;
        }
        if (r.results.empty()) {
            out_ += "<p class=\"empty\">No articles match. Try fewer words, or remove a filter.</p>\n";
            return;
        }
        out_ += "<ol class=\"results\" start=\"" + std::to_string(r.offset + 1) + "\">\n";
        for (const Result& x : r.results) result(x);
        out_ += "</ol>\n";
        pager(r);
    }

    void summary(const SearchResponse& r) {
        char secs[32];
        std::snprintf(secs, sizeof secs, "%.3f", r.seconds);
        out_ += "<h1 class=\"summary\" id=\"summary\">";
        if (r.results.empty()) {
            out_ += "No results";
        } else {
            out_ += "Results " + with_commas(r.offset + 1) + "&ndash;" +
                    with_commas(r.offset + static_cast<long>(r.results.size())) + " of " +
                    (r.total_exact ? "" : "about ") + with_commas(r.total_estimate);
        }
        if (!p_.request.search.query.empty()) out_ += " for <q>" + esc(p_.request.search.query) + "</q>";
        out_ += " <span class=\"time\">(" + std::string(secs) + " seconds)</span></h1>\n";
        if (!r.results.empty()) {
            const bool cut = r.total_estimate > p_.max_export_rows;
            out_ +=
                "<p class=\"download\"><a href=\"" + links_.csv() + "\" download>Download CSV</a>" +
                (cut ? " <span class=\"limit\">(the first " + with_commas(p_.max_export_rows) + " of " +
                           with_commas(r.total_estimate) + "; <code>newssearch --export csv</code> has no limit)</span>"
                     : std::string()) +
                "</p>\n";
        }
    }

    void active_filters() {
        const SearchRequest& s = p_.request.search;
        if (s.entities.empty() && s.sources.empty() && s.from.empty() && s.to.empty()) return;
        out_ += "<ul class=\"active\" aria-label=\"Active filters\">\n";
        auto chip = [&](const std::string& label, const std::string& value, const std::string& href) {
            out_ += "<li><a class=\"chip chip-active\" href=\"" + href + "\" title=\"Remove this filter\">" +
                    esc(label) + ": <b>" + esc(value) +
                    "</b> <span aria-hidden=\"true\">&times;</span>"
                    "<span class=\"sr-only\"> (remove)</span></a></li>\n";
        };
        if (!s.from.empty() || !s.to.empty()) {
            std::string range = s.from == s.to ? human_date(s.from)
                                               : (s.from.empty() ? "…" : human_date(s.from)) + " – " +
                                                     (s.to.empty() ? "…" : human_date(s.to));
            chip("Dates", range, links_.dates("", ""));
        }
        for (const auto& e : s.entities) {
            size_t colon = e.find(':');
            chip(type_label(e.substr(0, colon)), e.substr(colon + 1), links_.remove_entity(e));
        }
        for (const auto& src : s.sources) chip("Source", src, links_.remove_source(src));
        out_ += "</ul>\n";
    }

    // Stories (dark) in front of articles (light) per day, month or year,
    // with a count axis and labelled ticks. Plain HTML and CSS classes (the
    // page's CSP allows no inline style): heights in steps of 5 %, `h0` to
    // `h20`; empty periods keep their slot, so gaps in time show.
    void histogram(const SearchResponse& r) {
        if (!r.facets.present) return;
        if (r.facets.date.empty()) {
            undated_bar(r);
            return;
        }
        const std::vector<FacetEntry> bars = filled_histogram(r.facets.date);
        long peak = 1;
        for (const auto& b : bars) peak = std::max(peak, b.count);
        const char* unit = r.facets.date_unit == "year" ? "year" : r.facets.date_unit == "month" ? "month" : "day";
        std::string range = human_date(bars.front().name);
        if (bars.size() > 1) range += " \u2013 " + human_date(bars.back().name);
        out_ += "<figure class=\"histogram\" aria-labelledby=\"hist-cap\">\n";
        out_ += "<figcaption id=\"hist-cap\">Stories and articles per " + std::string(unit) + ", " + esc(range) +
                " <span class=\"hint\">&middot; pick a bar to narrow the dates</span></figcaption>\n";
        out_ += "<div class=\"hist\">\n<div class=\"yaxis\" aria-hidden=\"true\"><span class=\"ymax\">" +
                with_commas(peak) + "</span><span class=\"ymid\">" + (peak >= 2 ? with_commas(peak / 2) : "") +
                "</span><span class=\"ymin\">0</span></div>\n";
        out_ += "<ol class=\"bars\" aria-label=\"Stories and articles per " + std::string(unit) + "\">\n";
        // At most about six tick labels, the first and the last among them
        // (the one before the last gives way when the two are close); on a
        // narrow screen every other one shows (the stylesheet).
        const size_t every = std::max<size_t>(1, (bars.size() + 5) / 6);
        const size_t last = bars.size() - 1, before_last = last / every * every;
        auto tick_of = [&](size_t i) -> int {
            if (i != last && (i % every != 0 || (i == before_last && last - i < every))) return 0;
            return 1 + static_cast<int>((i == last ? last : i) / every % 2);
        };
        auto level = [&](long n) { return n == 0 ? 0 : std::max(1, static_cast<int>((20 * n + peak - 1) / peak)); };
        for (size_t i = 0; i < bars.size(); ++i) {
            const FacetEntry& b = bars[i];
            const int t = tick_of(i);
            const bool tick = t > 0;
            const std::string label = human_date(b.name) + ": " + (b.count ? stories_and_articles(b) : "no articles");
            out_ += std::string("<li class=\"slot") + (b.count ? "" : " empty") + (t == 1 ? " tick" : "") +
                    (t == 2 ? " tick tick2" : "") + "\">";
            const std::string cols = "<span class=\"col a h" + std::to_string(level(b.count)) +
                                     "\"></span><span class=\"col s h" + std::to_string(level(b.stories)) +
                                     "\"></span>";
            if (b.count)
                out_ += "<a class=\"hbar\" href=\"" + links_.dates(b.name, b.name) + "\" title=\"" + esc(label) +
                        "\" aria-label=\"" + esc(label) + "\">" + cols + "</a>";
            else
                out_ += "<span class=\"hbar\" title=\"" + esc(label) + "\" aria-label=\"" + esc(label) + "\">" + cols +
                        "</span>";
            out_ += "<span class=\"tlabel\" aria-hidden=\"true\">" + (tick ? esc(tick_label(b.name)) : "") +
                    "</span></li>\n";
        }
        out_ += "</ol>\n</div>\n<p class=\"legend\" aria-hidden=\"true\"><span class=\"key s\"></span>stories "
                "<span class=\"key a\"></span>articles</p>\n";
        undated_bar(r);
        out_ += "</figure>\n";
    }

    // Each filtered entity's articles per period within the search without
    // the filters: one bar per entity and period, drawn as SVG (no script).
    void timeline_chart() {
        if (!p_.timeline || p_.timeline->series.empty()) return;
        const Timeline& t = *p_.timeline;
        const size_t n = t.series.size();
        std::map<std::string, std::vector<long>> by_period; // period -> articles per series
        long peak = 1;
        for (size_t s = 0; s < n; ++s)
            for (const FacetEntry& p : t.series[s].points) {
                auto& v = by_period[p.name];
                v.resize(n);
                v[s] = p.count;
                peak = std::max(peak, p.count);
            }
        if (by_period.empty()) return;
        constexpr int kHeight = 120, kSlot = 24;
        const int bar = std::max(2, (kSlot - 4) / static_cast<int>(n));
        const int width = std::max(240, static_cast<int>(by_period.size()) * kSlot);
        const std::string w = std::to_string(width), h = std::to_string(kHeight + 16);
        out_ += "<figure class=\"timeline\" aria-labelledby=\"tl-cap\">\n<figcaption id=\"tl-cap\">Articles per " +
                esc(t.unit) + " naming ";
        for (size_t s = 0; s < n; ++s)
            out_ += std::string(s ? (s + 1 == n ? " and " : ", ") : "") + esc(entity_label(t.series[s].entity));
        out_ += "</figcaption>\n<svg class=\"timeline-chart\" role=\"img\" aria-labelledby=\"tl-cap\" width=\"" + w +
                "\" height=\"" + h + "\" viewBox=\"0 0 " + w + " " + h + "\" xmlns=\"http://www.w3.org/2000/svg\">\n";
        static const char* const kFill[] = {"#1f6feb", "#d9480f", "#2f9e44", "#862e9c"};
        int x = 0;
        for (const auto& [period, counts] : by_period) {
            for (size_t s = 0; s < n; ++s) {
                const long c = counts[s];
                const int bh = c == 0 ? 0 : std::max(1, static_cast<int>(kHeight * c / peak));
                out_ += "<rect class=\"bar\" x=\"" + std::to_string(x + 2 + static_cast<int>(s) * bar) + "\" y=\"" +
                        std::to_string(kHeight - bh) + "\" width=\"" + std::to_string(bar) + "\" height=\"" +
                        std::to_string(bh) + "\" fill=\"" + kFill[s % 4] + "\" data-series=\"" + std::to_string(s) +
                        "\" data-count=\"" + std::to_string(c) + "\"><title>" + esc(entity_label(t.series[s].entity)) +
                        ", " + esc(human_date(period)) + ": " + plural(c, "article", "articles") + "</title></rect>\n";
            }
            x += kSlot;
        }
        out_ += "<text x=\"0\" y=\"" + std::to_string(kHeight + 13) + "\" font-size=\"11\">" +
                esc(human_date(by_period.begin()->first)) + "</text><text x=\"" + w + "\" y=\"" +
                std::to_string(kHeight + 13) + "\" font-size=\"11\" text-anchor=\"end\">" +
                esc(human_date(by_period.rbegin()->first)) + "</text>\n</svg>\n</figure>\n";
    }

    // "person:Angela Merkel" -> "Angela Merkel".
    static std::string entity_label(const std::string& spec) {
        const size_t colon = spec.find(':');
        return colon == std::string::npos ? spec : spec.substr(colon + 1);
    }

    // The names most often in the same articles as the first filtered
    // entity, each a link that adds it as a filter.
    void cooccurring() {
        if (!p_.cooccur || p_.cooccur->empty() || p_.request.search.entities.empty()) return;
        out_ += "<section class=\"cooccur\" aria-labelledby=\"co-h\">\n<h2 id=\"co-h\">Often named with " +
                esc(entity_label(p_.request.search.entities.front())) + "</h2>\n<ul>\n";
        const auto& filters = p_.request.search.entities;
        for (const Cooccurrence& c : *p_.cooccur) {
            if (std::any_of(filters.begin(), filters.end(),
                            [&](const std::string& f) { return same_filter(entity_label(f), c.name); }))
                continue; // (already a filter)
            const std::string type = to_lower(c.type);
            char lift[32];
            std::snprintf(lift, sizeof lift, "%.1f", c.lift);
            out_ += "<li><a href=\"" + links_.add_entity(type + ":" + c.name) + "\">" + esc(c.name) +
                    "</a> <span class=\"count\">" + with_commas(c.count) + " together, " + lift +
                    "&times; chance</span></li>\n";
        }
        out_ += "</ul>\n</section>\n";
    }

    // Undated articles are a bar of their own, outside the time axis.
    void undated_bar(const SearchResponse& r) {
        if (r.facets.undated <= 0 || p_.request.search.query.find("date:none") != std::string::npos) return;
        out_ += "<p class=\"undated\"><a href=\"" +
                links_.query(collapse_space(p_.request.search.query + " date:none")) + "\">" +
                plural(r.facets.undated, "undated article", "undated articles") + "</a></p>\n";
    }

    void result(const Result& x) {
        std::string id = "r" + std::to_string(x.rank);
        out_ += "<li class=\"result\">\n<article aria-labelledby=\"" + id + "\">\n";
        std::string title = x.title.empty() ? "(untitled)" : x.title;
        out_ += "<h2 id=\"" + id + "\"><a href=\"" + links_.article(x.id) + "\">" + esc(title) + "</a></h2>\n";
        out_ += "<p class=\"meta\">";
        if (!x.date.empty())
            out_ += "<time datetime=\"" + esc(x.date) + "\">" + esc(human_date(x.date)) + "</time>";
        else
            out_ += "<span>undated</span>";
        if (!x.source.empty())
            out_ += " <span class=\"dot\" aria-hidden=\"true\">&middot;</span> <span class=\"source\">" +
                    esc(x.source) + "</span>";
        if (std::string url = safe_url(x.url); !url.empty())
            out_ += " <span class=\"dot\" aria-hidden=\"true\">&middot;</span> <a class=\"original\" href=\"" +
                    esc(url) + "\" rel=\"noopener noreferrer\">original</a>";
        out_ += "</p>\n";
        out_ += "<p class=\"snippet\">" + with_paragraph_marks(safe_snippet(x.snippet)) + "</p>\n";
        if (!x.entities.empty()) {
            out_ += "<ul class=\"chips\" aria-label=\"Named in this article\">";
            size_t shown = 0;
            for (const auto& e : x.entities) {
                if (shown++ == 8) break;
                std::string type = to_lower(e.type);
                std::string spec = type + ":" + e.name;
                out_ += "<li><a class=\"chip chip-" + esc(type) + "\" href=\"" + links_.add_entity(spec) +
                        "\" title=\"" + esc(type_label(type)) + "\">" + esc(e.name) + "</a></li>";
            }
            out_ += "</ul>\n";
        }
        if (!x.duplicates.empty()) {
            out_ += "<details class=\"versions\">\n<summary>" +
                    plural(static_cast<long>(x.duplicates.size()), "other version", "other versions") +
                    " of this story</summary>\n<ul>\n";
            for (const auto& d : x.duplicates) {
                out_ += "<li><a class=\"vtitle\" href=\"" + links_.article(d.id) + "\">" +
                        esc(d.title.empty() ? "(untitled)" : d.title) + "</a> <span class=\"meta\">";
                if (!d.source.empty()) out_ += esc(d.source) + " &middot; ";
                out_ += esc(d.date.empty() ? "undated" : human_date(d.date)) + "</span>";
                if (d.first_published) out_ += " <span class=\"first\">first published</span>";
                if (std::string how = fold_description(d.fold); !how.empty())
                    out_ += " <span class=\"how\">" + esc(how) + "</span>";
                out_ += "</li>\n";
            }
            out_ += "</ul>\n</details>\n";
        }
        out_ += "</article>\n</li>\n";
    }

    void pager(const SearchResponse& r) {
        int size = std::max(1, p_.request.search.limit);
        long last = std::min<long>(p_.max_page, (r.total_estimate + size - 1) / size);
        int cur = p_.request.page;
        if (last <= 1 && cur == 1) return;
        out_ += "<nav class=\"pager\" aria-label=\"Result pages\">\n<ul>\n";
        if (cur > 1) out_ += "<li><a rel=\"prev\" href=\"" + links_.page(cur - 1) + "\">&larr; Previous</a></li>\n";
        long lo = std::max(1, cur - 3), hi = std::min<long>(last, cur + 3);
        if (lo > 1)
            out_ += "<li><a href=\"" + links_.page(1) + "\">1</a></li>" +
                    std::string(lo > 2 ? "<li class=\"gap\">&hellip;</li>" : "") + "\n";
        for (long n = lo; n <= hi; ++n) {
            if (n == cur)
                out_ += "<li><span class=\"current\" aria-current=\"page\">" + std::to_string(n) + "</span></li>\n";
            else
                out_ += "<li><a href=\"" + links_.page(static_cast<int>(n)) + "\">" + std::to_string(n) + "</a></li>\n";
        }
        if (cur < last) out_ += "<li><a rel=\"next\" href=\"" + links_.page(cur + 1) + "\">Next &rarr;</a></li>\n";
        out_ += "</ul>\n</nav>\n";
    }

    void facets(const SearchResponse& r, bool home) {
        out_ += "<aside class=\"facets\" aria-labelledby=\"facets-h\">\n<h2 id=\"facets-h\" class=\"facets-h\">" +
                std::string(home ? "Browse the archive" : "Refine") + "</h2>\n";
        entity_facet("People", "person", r.facets.person);
        entity_facet("Organisations", "org", r.facets.org);
        entity_facet("Places", "place", r.facets.place);
        entity_facet("Other names", "misc", r.facets.misc);
        if (!r.facets.source.empty()) {
            out_ += "<section class=\"facet facet-source\" aria-labelledby=\"f-source\">\n<h3 "
                    "id=\"f-source\">Sources</h3>\n<ul>\n";
            for (const auto& e : r.facets.source) {
                bool on = links_.has_source(e.name);
                facet_entry(e, on, on ? links_.remove_source(e.name) : links_.add_source(e.name));
            }
            out_ += "</ul>\n</section>\n";
        }
        out_ += "</aside>\n";
    }

    void entity_facet(const char* title, const std::string& type, const std::vector<FacetEntry>& v) {
        if (v.empty()) return;
        out_ += "<section class=\"facet facet-" + type + "\" aria-labelledby=\"f-" + type + "\">\n<h3 id=\"f-" + type +
                "\">" + title + "</h3>\n<ul>\n";
        for (const auto& e : v) {
            std::string spec = type + ":" + e.name;
            bool on = links_.has_entity(spec);
            facet_entry(e, on, on ? links_.remove_entity(spec) : links_.add_entity(spec));
        }
        out_ += "</ul>\n</section>\n";
    }

    // Stories first: researchers measure attention in stories, not reprints.
    void facet_entry(const FacetEntry& e, bool active, const std::string& href) {
        std::string count = active ? "&times;" : with_commas(e.stories);
        if (!active && e.count != e.stories) count += " <span class=\"articles\">/ " + with_commas(e.count) + "</span>";
        out_ += "<li" + std::string(active ? " class=\"on\"" : "") + "><a href=\"" + href + "\"" +
                (active ? " aria-current=\"true\" title=\"Remove this filter\""
                        : " title=\"" + esc(e.name + " \u2014 " + stories_and_articles(e)) + "\"") +
                "><span class=\"name\">" + esc(e.name) + "</span> <span class=\"count\">" + count +
                "</span></a></li>\n";
    }

    // "4 Mar 2026 · Reuters", each part escaped; "undated" without a date.
    static std::string date_and_source(const std::string& date, const std::string& source) {
        std::string out = date.empty() ? "<span>undated</span>"
                                       : "<time datetime=\"" + esc(date) + "\">" + esc(human_date(date)) + "</time>";
        if (!source.empty())
            out += " <span class=\"dot\" aria-hidden=\"true\">&middot;</span> <span class=\"source\">" + esc(source) +
                   "</span>";
        return out;
    }

    void article_text(const ArticleView& a) {
        out_ += "<article class=\"full\" aria-labelledby=\"article-title\">\n<h1 id=\"article-title\">" +
                esc(a.title.empty() ? "(untitled)" : a.title) + "</h1>\n";
        out_ += "<p class=\"meta\">" + date_and_source(a.date, a.source);
        out_ += "</p>\n";
        if (std::string url = safe_url(a.url); !url.empty())
            out_ += "<p class=\"original\"><a href=\"" + esc(url) +
                    "\" rel=\"noopener noreferrer\">Original article</a> " + "<span class=\"url\">" + esc(url) +
                    "</span></p>\n";
        out_ += "<div class=\"text\">\n";
        for (const std::string& p : a.paragraphs_html) out_ += "<p>" + safe_snippet(p) + "</p>\n";
        out_ += "</div>\n</article>\n";
    }

    void article_entities(const ArticleView& a) {
        if (a.entities.empty()) return;
        out_ += "<section class=\"facet article-entities\" aria-labelledby=\"a-names\">\n<h2 id=\"a-names\">Named in "
                "this article</h2>\n<ul class=\"chips\">\n";
        for (const auto& e : a.entities) {
            const std::string type = to_lower(e.type);
            const std::string mentions = plural(e.count, "mention", "mentions");
            out_ += "<li><a class=\"chip chip-" + esc(type) + "\" href=\"" + links_.entity_search(type + ":" + e.name) +
                    "\" title=\"" + esc(type_label(type) + ", " + mentions + ": find the articles naming it") + "\">" +
                    esc(e.name) + (e.count > 1 ? " <span class=\"count\">" + with_commas(e.count) + "</span>" : "") +
                    "</a></li>\n";
        }
        out_ += "</ul>\n</section>\n";
    }

    void article_versions(const ArticleView& a) {
        if (a.versions_total == 0) return;
        out_ += "<section class=\"facet article-versions\" aria-labelledby=\"a-versions\">\n<h2 id=\"a-versions\">" +
                plural(static_cast<long>(a.versions_total), "other version", "other versions") +
                " of this story</h2>\n";
        if (a.first_published)
            out_ += "<p class=\"this-first\">This one was <span class=\"first\">first published</span>.</p>\n";
        out_ += "<ul>\n";
        for (const DocRef& d : a.versions) {
            out_ += "<li><a href=\"" + links_.article(d.id) + "\">" + esc(d.title.empty() ? "(untitled)" : d.title) +
                    "</a> <span class=\"meta\">" + date_and_source(d.date, d.source) + "</span>";
            if (d.first_published) out_ += " <span class=\"first\">first published</span>";
            if (std::string how = fold_description(d.fold); !how.empty())
                out_ += " <span class=\"how\">" + esc(how) + "</span>";
            out_ += "</li>\n";
        }
        out_ += "</ul>\n";
        if (a.versions.size() < a.versions_total)
            out_ += "<p class=\"more\">and " + with_commas(static_cast<long>(a.versions_total - a.versions.size())) +
                    " more</p>\n";
        out_ += "</section>\n";
    }

    void article_like(const ArticleView& a) {
        if (a.like.empty()) return;
        out_ += "<section class=\"facet article-like\" aria-labelledby=\"a-like\">\n<h2 id=\"a-like\">More like "
                "this</h2>\n<ol>\n";
        for (const Result& x : a.like)
            out_ += "<li><a href=\"" + links_.article(x.id) + "\">" + esc(x.title.empty() ? "(untitled)" : x.title) +
                    "</a> <span class=\"meta\">" + date_and_source(x.date, x.source) + "</span></li>\n";
        out_ += "</ol>\n</section>\n";
    }

    const HtmlPage& p_;
    Links links_;
    std::string out_;
};

} // namespace

std::string safe_snippet(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 16);
    bool open = false;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (s.compare(i, 6, "<mark>") == 0 && !open) {
            out += "<mark>";
            open = true;
            i += 5;
        } else if (s.compare(i, 7, "</mark>") == 0 && open) {
            out += "</mark>";
            open = false;
            i += 6;
        } else if (c == '&') {
            // Keep a character reference the snippeter wrote; escape a bare '&'.
            size_t semi = s.find(';', i);
            bool ref = semi != std::string_view::npos && semi - i <= 10 && semi > i + 1;
            for (size_t j = i + 1; ref && j < semi; ++j) {
                char d = s[j];
                ref = (d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') || (d >= '0' && d <= '9') ||
                      (d == '#' && j == i + 1);
            }
            out += ref ? "&" : "&amp;";
        } else if (c == '<') {
            out += "&lt;";
        } else if (c == '>') {
            out += "&gt;";
        } else if (c == '"') {
            out += "&quot;";
        } else {
            out += c;
        }
    }
    if (open) out += "</mark>";
    return out;
}

std::string safe_url(std::string_view url) {
    std::string lower = to_lower(url.substr(0, 8));
    if (lower.rfind("http://", 0) == 0 || lower.rfind("https://", 0) == 0) return std::string(url);
    return "";
}

std::string render_html(const HtmlPage& page) { return Writer(page).page(); }

std::string render_article_html(const ArticlePage& page) {
    HtmlPage around;
    around.request = page.request;
    around.search_path = page.search_path;
    around.static_path = page.static_path;
    return Writer(around).article(*page.article);
}

} // namespace news::cgi
