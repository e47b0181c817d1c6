#include "searcher/format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <string>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "common/schema.h"
#include "common/text.h"

namespace news {
namespace {

nlohmann::ordered_json or_null(const std::string& s) {
    return s.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s);
}

nlohmann::ordered_json facet_list(const std::vector<FacetEntry>& v, const char* key = "name") {
    nlohmann::ordered_json a = nlohmann::ordered_json::array();
    for (const auto& e : v) a.push_back({{key, e.name}, {"count", e.count}, {"stories", e.stories}});
    return a;
}

// How a copy was folded: {"kind", "similarity"}, or null for a story's
// first article.
nlohmann::ordered_json fold_json(const std::string& fold) {
    std::string kind;
    double similarity = 0;
    if (!schema::parse_fold_value(fold, kind, similarity)) return nullptr;
    return {{"kind", kind}, {"similarity", similarity}};
}

} // namespace

// "reprint, 0.83 similar" for text and the page; empty for none.
std::string fold_description(const std::string& fold) {
    std::string kind;
    double similarity = 0;
    if (!schema::parse_fold_value(fold, kind, similarity)) return {};
    char buf[32];
    std::snprintf(buf, sizeof buf, ", %.2f similar", similarity);
    return kind + buf;
}

std::string relaxation_message(const SearchResponse& r) {
    if (!r.relaxed) return {};
    std::string words;
    for (const auto& w : r.optional_words) words += (words.empty() ? "" : ", ") + w;
    if (r.all_words_matches == 0) return "No article has all of: " + words + "; showing articles with most of them";
    return "Only " + std::to_string(r.all_words_matches) + (r.all_words_matches == 1 ? " match has" : " matches have") +
           " all of: " + words + "; they come first, then articles with most of them";
}

std::string to_json(const SearchResponse& r, int indent) {
    using json = nlohmann::ordered_json;
    json o;
    o["query"] = r.query;
    o["total"] = {{"estimate", r.total_estimate}, {"exact", r.total_exact}};
    if (r.total_articles >= 0) {
        o["total"]["articles"] = r.total_articles;
        o["total"]["stories"] = r.total_stories;
    }
    o["offset"] = r.offset;
    o["limit"] = r.limit;
    o["suggestion"] = or_null(r.suggestion);
    json results = json::array();
    for (const Result& x : r.results) {
        json e = json::array();
        for (const auto& en : x.entities) e.push_back({{"type", en.type}, {"name", en.name}, {"count", en.count}});
        json d = json::array();
        for (const auto& c : x.duplicates)
            d.push_back({{"id", c.id},
                         {"source", or_null(c.source)},
                         {"date", or_null(c.date)},
                         {"title", c.title},
                         {"path", c.path},
                         {"match", fold_json(c.fold)},
                         {"first_published", c.first_published}});
        results.push_back({{"id", x.id},
                           {"rank", x.rank},
                           {"score", std::round(x.score * 10000) / 10000},
                           {"date", or_null(x.date)},
                           {"title", x.title},
                           {"source", or_null(x.source)},
                           {"path", x.path},
                           {"url", or_null(x.url)},
                           {"snippet", x.snippet},
                           {"entities", e},
                           {"duplicates", d},
                           {"match", fold_json(x.fold)},
                           {"first_published", x.first_published}});
    }
    o["results"] = results;
    o["relaxed"] = r.relaxed;
    if (r.relaxed)
        o["relaxation"] = {{"optional", r.optional_words},
                           {"all_words_matches", r.all_words_matches},
                           {"message", relaxation_message(r)}};
    o["stop_words"] = r.stop_words;
    if (r.facets.present) {
        o["facets"] = {{"person", facet_list(r.facets.person)}, {"org", facet_list(r.facets.org)},
                       {"place", facet_list(r.facets.place)},   {"misc", facet_list(r.facets.misc)},
                       {"source", facet_list(r.facets.source)}, {"date", facet_list(r.facets.date, "day")},
                       {"date_unit", r.facets.date_unit},       {"undated", r.facets.undated}};
    } else {
        o["facets"] = json::object();
    }
    o["notices"] = r.notices;
    if (r.shards_total > 0) o["shards"] = {{"searched", r.shards}, {"total", r.shards_total}};
    o["seconds"] = std::round(r.seconds * 1e6) / 1e6;
    return o.dump(indent, ' ', false, json::error_handler_t::replace);
}

std::string snippet_to_text(const std::string& s, bool color) {
    std::string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        size_t special = i;
        while (special < s.size() && s[special] != '<' && s[special] != '&') ++special;
        out.append(s, i, special - i); // plain text: copied as a run
        i = special;
        if (i == s.size()) break;
        if (s.compare(i, 6, "<mark>") == 0) {
            out += color ? "\033[1;33m" : "";
            i += 6;
            continue;
        }
        if (s.compare(i, 7, "</mark>") == 0) {
            out += color ? "\033[0m" : "";
            i += 7;
            continue;
        }
        if (s[i] == '&') {
            static const std::pair<const char*, char> kEntities[] = {
                {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}, {"&#x27;", '\''}};
            bool done = false;
            for (const auto& [name, c] : kEntities) {
                size_t n = std::char_traits<char>::length(name);
                if (s.compare(i, n, name) == 0) {
                    out += c;
                    i += n;
                    done = true;
                    break;
                }
            }
            if (done) continue;
        }
        out += s[i++];
    }
    return out;
}

namespace {

// The text output is built in memory and written at once: an ostream
// insertion costs about a thousand instructions, a string append a few.
struct Text {
    std::string s;
    Text& operator<<(const std::string& x) { return s += x, *this; }
    Text& operator<<(const char* x) { return s += x, *this; }
    Text& operator<<(char x) { return s += x, *this; }
    template <typename N, typename = std::enable_if_t<std::is_integral_v<N>>>
    Text& operator<<(N x) {
        return s += std::to_string(x), *this;
    }
};

} // namespace

void write_text(const SearchResponse& r, std::ostream& stream, const TextStyle& style) {
    Text out;
    const char* bold = style.color ? "\033[1m" : "";
    const char* dim = style.color ? "\033[2m" : "";
    const char* reset = style.color ? "\033[0m" : "";
    if (!r.suggestion.empty()) out << "Did you mean: " << bold << r.suggestion << reset << "\n\n";
    for (const auto& n : r.notices) out << "note: " << n << '\n';
    if (r.relaxed) out << relaxation_message(r) << '\n';
    if (r.shards_total > 0 && static_cast<int>(r.shards.size()) < r.shards_total) {
        out << "searched " << r.shards.size() << " of " << r.shards_total << " shards:";
        for (const auto& s : r.shards) out << ' ' << s;
        out << '\n';
    }
    long first = r.results.empty() ? 0 : r.offset + 1;
    out << (r.total_exact ? "" : "about ") << r.total_estimate << (r.total_estimate == 1 ? " match" : " matches");
    if (r.total_articles >= 0 && r.total_articles != r.total_stories)
        out << " (" << r.total_stories << " stories, " << r.total_articles << " articles)";
    if (r.results.empty() && r.offset > 0 && r.total_estimate > 0)
        out << "; none from " << r.offset + 1 << " on: the last is " << r.total_estimate << " (--offset "
            << std::max(0L, static_cast<long>(r.total_estimate) - 10) << ")\n";
    else if (r.results.empty())
        out << ": no article matches; try fewer words, or fewer filters (--from, --to, --entity, --source)\n";
    else
        out << "; showing " << first << "-" << r.offset + static_cast<long>(r.results.size()) << '\n';
    for (const Result& x : r.results) {
        out << '\n' << x.rank << ". " << bold << (x.title.empty() ? "(untitled)" : x.title) << reset << '\n';
        out << "   " << dim << (x.date.empty() ? "undated" : x.date);
        if (!x.source.empty()) out << " · " << x.source;
        if (style.show_path) out << " · " << printable(x.path);
        out << " · id " << printable(x.id) << reset << '\n';
        out << "   " << snippet_to_text(x.snippet, style.color) << '\n';
        if (!x.entities.empty()) {
            out << "   " << dim;
            size_t shown = 0;
            for (const auto& e : x.entities) {
                if (shown++ == 8) break;
                out << (shown > 1 ? ", " : "") << e.name << " (" << e.type << ")";
            }
            out << reset << '\n';
        }
        if (!x.duplicates.empty()) {
            out << "   " << x.duplicates.size() << " other version" << (x.duplicates.size() > 1 ? "s" : "") << ":";
            if (x.first_published) out << " (this one first published)";
            out << '\n';
            for (const auto& d : x.duplicates) {
                out << "     " << (d.date.empty() ? "undated" : d.date) << " · " << (d.source.empty() ? "-" : d.source)
                    << " · id " << printable(d.id) << " · " << (d.title.empty() ? "(untitled)" : d.title);
                std::string how = fold_description(d.fold);
                if (d.first_published) how = how.empty() ? "first published" : "first published; " + how;
                if (!how.empty()) out << dim << " [" << how << "]" << reset;
                out << '\n';
            }
        }
    }
    if (r.facets.present) {
        auto facet = [&](const char* label, const std::vector<FacetEntry>& v) {
            if (v.empty()) return;
            out << '\n' << bold << label << reset << ":";
            for (const auto& e : v) {
                out << "  " << e.name << " (" << e.count;
                if (e.stories != e.count) out << "; " << e.stories << (e.stories == 1 ? " story" : " stories");
                out << ")";
            }
            out << '\n';
        };
        facet("People", r.facets.person);
        facet("Organisations", r.facets.org);
        facet("Places", r.facets.place);
        facet("Other", r.facets.misc);
        facet("Sources", r.facets.source);
        facet("Dates", r.facets.date);
    }
    stream.write(out.s.data(), static_cast<std::streamsize>(out.s.size()));
}

std::string to_json(const ArticleView& a, int indent) {
    using json = nlohmann::ordered_json;
    json entities = json::array();
    for (const auto& e : a.entities) entities.push_back({{"type", e.type}, {"name", e.name}, {"count", e.count}});
    json versions = json::array();
    for (const auto& v : a.versions)
        versions.push_back({{"id", v.id},
                            {"date", or_null(v.date)},
                            {"source", or_null(v.source)},
                            {"title", v.title},
                            {"path", v.path},
                            {"match", fold_json(v.fold)},
                            {"first_published", v.first_published}});
    json like = json::array();
    for (const auto& x : a.like)
        like.push_back({{"id", x.id},
                        {"date", or_null(x.date)},
                        {"title", x.title},
                        {"source", or_null(x.source)},
                        {"path", x.path},
                        {"score", std::round(x.score * 10000) / 10000}});
    json o {{"id", a.id},
            {"title", a.title},
            {"date", or_null(a.date)},
            {"source", or_null(a.source)},
            {"url", or_null(a.url)},
            {"path", a.path},
            {"match", fold_json(a.fold)},
            {"first_published", a.first_published},
            {"paragraphs", a.paragraphs},
            {"paragraphs_html", a.paragraphs_html},
            {"entities", entities},
            {"versions", versions},
            {"versions_total", a.versions_total},
            {"like", like}};
    return o.dump(indent, ' ', false, json::error_handler_t::replace);
}

namespace {

// Code points in a UTF-8 string: its width in a terminal, near enough.
size_t columns(std::string_view s) {
    size_t n = 0;
    for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

// An HTML paragraph (escaped, <mark>ed) as text lines of at most `width`
// columns (a longer word has a line of its own), marks in bold with colour;
// `used` columns of the first line are taken already.
void wrap_paragraph(Text& out, const std::string& html, size_t width, bool color, size_t used = 0) {
    bool line_start = true; // (no word on this line yet)
    for (size_t i = 0; i < html.size();) {
        size_t j = html.find(' ', i);
        if (j == std::string::npos) j = html.size();
        const std::string word = html.substr(i, j - i);
        const size_t w = columns(snippet_to_text(word, false));
        if (!line_start && used + 1 + w > width) {
            out << '\n';
            used = 0;
        } else if (!line_start) {
            out << ' ';
            ++used;
        }
        out << snippet_to_text(word, color);
        used += w;
        line_start = false;
        i = j + 1;
    }
    out << '\n';
}

// "2026-03-04 · Reuters · id X · Title" for a version or a like result.
std::string ref_line(const std::string& date, const std::string& source, const std::string& id,
                     const std::string& title) {
    return (date.empty() ? "undated" : date) + " · " + (source.empty() ? "-" : source) + " · id " + id + " · " +
           (title.empty() ? "(untitled)" : title);
}

} // namespace

void write_text(const ArticleView& a, std::ostream& stream, const TextStyle& style, size_t width) {
    Text out;
    const char* bold = style.color ? "\033[1m" : "";
    const char* dim = style.color ? "\033[2m" : "";
    const char* reset = style.color ? "\033[0m" : "";
    out << bold << (a.title.empty() ? "(untitled)" : a.title) << reset << '\n';
    out << dim << (a.date.empty() ? "undated" : a.date);
    if (!a.source.empty()) out << " · " << a.source;
    out << " · id " << a.id << reset << '\n';
    if (!a.url.empty()) out << a.url << '\n';
    out << dim << a.path << reset << '\n';
    for (const std::string& p : a.paragraphs_html) {
        out << '\n';
        wrap_paragraph(out, p, width, style.color);
    }
    static const std::pair<const char*, const char*> kTypes[] = {
        {"PERSON", "People"}, {"ORG", "Organisations"}, {"PLACE", "Places"}, {"MISC", "Other names"}};
    bool named = false;
    for (const auto& [type, label] : kTypes) {
        std::string line;
        for (const auto& e : a.entities) {
            if (e.type != type) continue;
            line += (line.empty() ? "" : ", ") + e.name;
            if (e.count > 1) line += " (" + std::to_string(e.count) + ")";
        }
        if (line.empty()) continue;
        out << (named ? "" : "\n") << bold << label << reset << ": ";
        wrap_paragraph(out, html_escape(line), width, false, columns(label) + 2);
        named = true;
    }
    if (a.versions_total > 0) {
        out << '\n'
            << bold << a.versions_total << " other version" << (a.versions_total > 1 ? "s" : "") << reset << ":";
        if (a.first_published) out << " (this one first published)";
        out << '\n';
        for (const DocRef& d : a.versions) {
            out << "  " << ref_line(d.date, d.source, d.id, d.title);
            std::string how = fold_description(d.fold);
            if (d.first_published) how = how.empty() ? "first published" : "first published; " + how;
            if (!how.empty()) out << dim << " [" << how << "]" << reset;
            out << '\n';
        }
        if (a.versions.size() < a.versions_total)
            out << "  (" << a.versions_total - a.versions.size() << " more not listed)\n";
    }
    if (!a.like.empty()) {
        out << '\n' << bold << "More like this" << reset << ":\n";
        for (const Result& x : a.like) out << "  " << ref_line(x.date, x.source, x.id, x.title) << '\n';
    }
    stream.write(out.s.data(), static_cast<std::streamsize>(out.s.size()));
}

} // namespace news
