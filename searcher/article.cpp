#include "searcher/article.h"

#include <algorithm>
#include <functional>
#include <tuple>

#include <xapian.h>

#include "common/codec.h"
#include "common/error.h"
#include "common/schema.h"
#include "common/text.h"
#include "searcher/query.h"
#include "searcher/search.h"
#include "searcher/snippet.h"

namespace news {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Appends `s` with each run of white space as one space, HTML-escaped
// when `html`.
void append_collapsed(std::string& out, std::string_view s, bool html) {
    for (size_t i = 0; i < s.size();) {
        size_t j = i;
        while (j < s.size() && !is_space(s[j])) ++j;
        if (html)
            append_html_escaped(out, s.substr(i, j - i));
        else
            out.append(s.substr(i, j - i));
        if (j == s.size()) break;
        out += ' ';
        for (i = j; i < s.size() && is_space(s[i]);) ++i;
    }
}

// The query whose words (and entity mentions) the page marks: the search's
// query and entity filters, as the results page marks them; empty for none.
Xapian::Query highlight_query(const Xapian::Database& db, const ArticleRequest& req) {
    if (req.query.empty() && req.entities.empty()) return {};
    if (req.query.size() > SearchRequest::kMaxQueryBytes)
        throw QueryError("query is " + std::to_string(req.query.size()) + " bytes long; at most " +
                         std::to_string(SearchRequest::kMaxQueryBytes) + " allowed");
    if (!is_valid_utf8(req.query)) throw QueryError("query is not valid UTF-8");
    QueryBuilder builder(db);
    Xapian::Query q = builder.parse(req.query).query;
    for (const std::string& e : req.entities) q = Xapian::Query(Xapian::Query::OP_FILTER, q, builder.entity_filter(e));
    return q;
}

// The body's paragraphs, as plain text and as HTML with `marks` (byte
// ranges of the body, in order) wrapped in <mark>.
void fill_paragraphs(const std::string& body, const std::vector<std::pair<size_t, size_t>>& marks, ArticleView& out) {
    size_t m = 0;
    for (const auto& [begin, end] : paragraph_ranges(body)) {
        std::string text, html;
        append_collapsed(text, std::string_view(body).substr(begin, end - begin), false);
        while (m < marks.size() && marks[m].second <= begin) ++m;
        size_t pos = begin;
        for (size_t k = m; k < marks.size() && marks[k].first < end; ++k) {
            const size_t b = std::max(marks[k].first, pos), e = std::min(marks[k].second, end);
            if (e <= b) continue;
            append_collapsed(html, std::string_view(body).substr(pos, b - pos), true);
            html += "<mark>";
            append_collapsed(html, std::string_view(body).substr(b, e - b), true);
            html += "</mark>";
            pos = e;
        }
        append_collapsed(html, std::string_view(body).substr(pos, end - pos), true);
        out.paragraphs.push_back(std::move(text));
        out.paragraphs_html.push_back(std::move(html));
    }
}

// The other articles of the story of `doc` (document `self`): its first
// article and the copies that joined it, ordered by the values each has
// (first published first), the records read only of those listed.
void add_versions(const Xapian::Database& db, Xapian::docid self, const Xapian::Document& doc, size_t max_versions,
                  ArticleView& out) {
    const std::string story = doc.get_value(schema::kStorySlot);
    if (story.empty()) return;
    std::vector<Xapian::docid> dids;
    for (const std::string& term : {schema::id_term(story), schema::story_term(story)})
        for (auto p = db.postlist_begin(term); p != db.postlist_end(term); ++p)
            if (*p != self) dids.push_back(*p);
    std::sort(dids.begin(), dids.end());
    dids.erase(std::unique(dids.begin(), dids.end()), dids.end());
    if (dids.empty()) return;

    // The article itself and its versions, dated by their (compact) value
    // dates; mark_first_published compares them as strings.
    Result all;
    all.id = out.id;
    all.date = doc.get_value(schema::kDateSlot);
    all.fold = out.fold;
    for (Xapian::docid did : dids) {
        Xapian::Document d = db.get_document(did, Xapian::DOC_ASSUME_VALID);
        DocRef ref;
        ref.id = d.get_value(schema::kIdSlot);
        ref.date = d.get_value(schema::kDateSlot);
        ref.fold = d.get_value(schema::kFoldSlot);
        all.duplicates.push_back(std::move(ref));
    }
    mark_first_published(all);
    out.first_published = all.first_published;
    std::vector<size_t> order(dids.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    auto key = [&all](size_t i) {
        const DocRef& d = all.duplicates[i];
        return std::make_tuple(!d.first_published, d.date.empty(), std::cref(d.date), std::cref(d.id));
    };
    std::sort(order.begin(), order.end(), [&key](size_t x, size_t y) { return key(x) < key(y); });
    out.versions_total = order.size();
    if (order.size() > max_versions) order.resize(max_versions);
    for (size_t i : order) {
        StoredArticle head = decode_article_head(db.get_document(dids[i], Xapian::DOC_ASSUME_VALID).get_data());
        DocRef& ref = all.duplicates[i];
        out.versions.push_back(
            DocRef {head.id, head.source, head.date, head.title, head.path, ref.fold, ref.first_published});
    }
}

// fetch_article's work on the index as it is (no retry).
std::optional<ArticleView> read_article(Searcher& searcher, const ArticleRequest& req) {
    const Xapian::Database& db = searcher.database();
    if (req.id.empty() || req.id.size() > schema::kMaxIdBytes) return std::nullopt;
    const std::string term = schema::id_term(req.id);
    Xapian::PostingIterator p = db.postlist_begin(term);
    if (p == db.postlist_end(term)) return std::nullopt;
    const Xapian::docid did = *p;
    const Xapian::Document doc = db.get_document(did, Xapian::DOC_ASSUME_VALID);
    StoredArticle a = decode_article(doc.get_data());

    ArticleView out;
    out.id = a.id;
    out.title = a.title;
    out.date = a.date;
    out.source = a.source;
    out.url = a.url;
    out.path = a.path;
    out.fold = doc.get_value(schema::kFoldSlot);
    const Xapian::Query marked = highlight_query(db, req);
    fill_paragraphs(a.body, marked.empty() ? std::vector<std::pair<size_t, size_t>> {} : Snippeter(marked).marks(a),
                    out);
    out.entities = count_entities(a);
    add_versions(db, did, doc, req.max_versions, out);
    return out;
}

} // namespace

std::vector<std::pair<size_t, size_t>> paragraph_ranges(std::string_view body) {
    std::vector<std::pair<size_t, size_t>> lines; // trimmed, (0, 0) for a blank one
    for (size_t at = 0; at <= body.size();) {
        size_t nl = body.find('\n', at);
        if (nl == std::string_view::npos) nl = body.size();
        size_t b = at, e = nl;
        while (b < e && is_space(body[b])) ++b;
        while (e > b && is_space(body[e - 1])) --e;
        lines.emplace_back(b < e ? b : 0, b < e ? e : 0);
        at = nl + 1;
    }
    auto blank = [](const std::pair<size_t, size_t>& l) { return l.first == l.second; };
    bool any_blank = false; // a blank line between two that are not
    bool seen_text = false, pending_blank = false;
    for (const auto& l : lines) {
        if (blank(l)) {
            pending_blank = seen_text;
        } else {
            any_blank = any_blank || pending_blank;
            seen_text = true;
        }
    }
    std::vector<std::pair<size_t, size_t>> out;
    bool open = false; // the last paragraph in `out` goes on
    for (const auto& l : lines) {
        if (blank(l)) {
            open = false;
            continue;
        }
        const bool indented = l.first > 0 && (body[l.first - 1] == ' ' || body[l.first - 1] == '\t');
        if (open && !(indented && !any_blank)) {
            out.back().second = l.second;
        } else {
            out.push_back(l);
            open = true;
        }
    }
    return out;
}

std::optional<ArticleView> fetch_article(Searcher& searcher, const ArticleRequest& req) {
    for (int attempt = 0;; ++attempt) {
        try {
            std::optional<ArticleView> out = read_article(searcher, req);
            if (out && req.like > 0) {
                SearchRequest like;
                like.like_id = out->id;
                like.limit = std::min(req.like, SearchRequest::kMaxLimit);
                like.time_limit = req.time_limit;
                out->like = searcher.search(like).results;
            }
            return out;
        } catch (const Xapian::DatabaseModifiedError&) {
            // The indexer committed while we read: take the new revision.
            if (attempt >= 3) throw Error("the index keeps changing under the search; try again");
            searcher.reopen();
        } catch (const Xapian::QueryParserError& e) {
            throw QueryError("cannot parse query: " + e.get_msg());
        } catch (const Xapian::Error& e) {
            throw Error("cannot read article '" + req.id + "': " + e.get_description());
        }
    }
}

} // namespace news
