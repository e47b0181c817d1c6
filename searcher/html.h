// Server-rendered HTML for newssearch.cgi: the search page (form, results with
// highlighted snippets and entity chips, folded versions, facets, a date
// histogram, pagination) over a SearchResponse, and the article page (the
// whole text, its names, other versions, more like it) over an ArticleView.
// Works without JavaScript; every string that comes from a request or an
// article is escaped.
#pragma once

#include <string>
#include <string_view>

#include "searcher/article.h"
#include "searcher/cgi.h"
#include "searcher/results.h"
#include "searcher/timeline.h"

namespace news::cgi {

struct HtmlPage {
    WebRequest request;                                               // what was asked (kept in the form and links)
    const SearchResponse* response = nullptr;                         // results and facets; null on an error page
    std::string error;                                                // shown as an alert when not empty
    std::string search_path = "/search";                              // where the form and links point
    std::string static_path = "/static";                              // style.css and app.js
    int max_page = 1000;                                              // deepest page a link may point to
    std::string error_title = "Sorry, that search could not be run."; // the alert's first words
    long max_export_rows = 10000;                                     // rows of the "Download CSV" link
    std::vector<std::pair<std::string, std::string>> watches = {};    // the home page's saved searches: name, query
    // With entity filters: each filtered entity over time within the search
    // without them (an SVG chart), and the names most often with the first.
    const Timeline* timeline = nullptr;
    const std::vector<Cooccurrence>* cooccur = nullptr;
};

std::string render_html(const HtmlPage& page);

struct ArticlePage {
    WebRequest request;                   // the article asked for, and the search it was reached from
    const ArticleView* article = nullptr; // never null
    std::string search_path = "/search";
    std::string static_path = "/static";
};

std::string render_article_html(const ArticlePage& page);

// A snippet made safe to embed: our own <mark>…</mark> and character
// references are kept, any other markup is escaped.
std::string safe_snippet(std::string_view snippet);

// An article URL when it is http(s) and so safe as a link target, else "".
std::string safe_url(std::string_view url);

} // namespace news::cgi
