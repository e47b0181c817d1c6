#include "searcher/timeline.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "common/error.h"
#include "common/text.h"
#include "searcher/export.h"

namespace news {

namespace {

using Json = nlohmann::ordered_json;

// `base` counting every match, with its facets (within its time limit).
SearchRequest counting(const SearchRequest& base) {
    SearchRequest r = base;
    r.offset = 0;
    r.limit = 1;
    r.facets = true;
    return r;
}

// Matching articles of `req`, counted exactly (a boolean match).
long count_matches(Searcher& searcher, const SearchRequest& req) {
    const MatchSet m = searcher.match_set(req);
    long n = 0;
    for (const Xapian::Database& part : m.parts) {
        Xapian::Enquire enq(part);
        enq.set_query(m.query);
        enq.set_weighting_scheme(Xapian::BoolWeight());
        n += static_cast<long>(enq.get_mset(0, 0, part.get_doccount()).get_matches_estimated());
    }
    return n;
}

} // namespace

Timeline entity_timeline(Searcher& searcher, const SearchRequest& base, const std::vector<std::string>& entities) {
    if (entities.empty()) throw QueryError("a timeline needs at least one entity (TYPE:NAME)");
    Timeline t;
    SearchRequest req = counting(base);
    t.unit = base.date_unit;
    if (t.unit.empty()) {
        const SearchResponse all = searcher.search(req);
        t.unit = all.facets.date_unit;
    }
    req.date_unit = t.unit;
    for (const std::string& e : entities) {
        SearchRequest one = req;
        one.entities.push_back(e);
        const SearchResponse r = searcher.search(one);
        TimelineSeries s;
        s.entity = e;
        s.points = r.facets.date;
        s.articles = r.total_articles;
        s.stories = r.total_stories;
        s.undated = r.facets.undated;
        t.series.push_back(std::move(s));
    }
    return t;
}

std::vector<Cooccurrence> cooccurring(Searcher& searcher, const SearchRequest& base, const std::string& entity, int n) {
    SearchRequest all = counting(base);
    all.collapse = false;
    SearchRequest with = all;
    with.entities.push_back(entity);
    with.facet_size = std::clamp(3 * n, 1, 100);
    const SearchResponse r = searcher.search(with);
    const long n_entity = r.total_articles;
    const long n_all = count_matches(searcher, all);
    std::vector<Cooccurrence> out;
    if (n_entity <= 0 || n_all <= 0) return out;
    const std::string self = to_lower(entity.substr(entity.find(':') + 1));
    auto add = [&](const char* type, const std::vector<FacetEntry>& v) {
        for (const FacetEntry& f : v) {
            if (to_lower(f.name) == self) continue;
            Cooccurrence c;
            c.type = type;
            c.name = f.name;
            c.count = f.count;
            SearchRequest x = all;
            x.entities.push_back(to_lower(c.type) + ":" + f.name);
            c.articles = std::max(c.count, count_matches(searcher, x));
            c.lift = (static_cast<double>(c.count) / n_entity) / (static_cast<double>(c.articles) / n_all);
            c.pmi = std::log2(c.lift);
            out.push_back(std::move(c));
        }
    };
    add("PERSON", r.facets.person);
    add("ORG", r.facets.org);
    add("PLACE", r.facets.place);
    add("MISC", r.facets.misc);
    std::sort(out.begin(), out.end(), [](const Cooccurrence& a, const Cooccurrence& b) {
        const double la = a.count * a.pmi, lb = b.count * b.pmi;
        return la != lb ? la > lb : a.name < b.name;
    });
    if (out.size() > static_cast<size_t>(n)) out.resize(static_cast<size_t>(n));
    return out;
}

std::string to_json(const Timeline& t) {
    Json series = Json::array();
    for (const TimelineSeries& s : t.series) {
        Json points = Json::array();
        for (const FacetEntry& p : s.points)
            points.push_back({{"period", p.name}, {"articles", p.count}, {"stories", p.stories}});
        series.push_back({{"entity", s.entity},
                          {"articles", s.articles},
                          {"stories", s.stories},
                          {"undated", s.undated},
                          {"points", points}});
    }
    return Json {{"unit", t.unit}, {"series", series}}.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string to_json(const std::string& entity, const std::vector<Cooccurrence>& list) {
    Json a = Json::array();
    for (const Cooccurrence& c : list)
        a.push_back({{"type", c.type},
                     {"name", c.name},
                     {"count", c.count},
                     {"articles", c.articles},
                     {"lift", std::round(c.lift * 1000) / 1000},
                     {"pmi", std::round(c.pmi * 1000) / 1000}});
    return Json {{"entity", entity}, {"cooccurring", a}}.dump(-1, ' ', false, Json::error_handler_t::replace);
}

} // namespace news
