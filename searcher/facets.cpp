#include "searcher/facets.h"

#include <algorithm>
#include <map>

#include "common/schema.h"

namespace news {
namespace {

using Named = std::vector<std::pair<std::string_view, long>>; // name, count

int type_index(char code) {
    switch (code) {
    case 'P': return 0;
    case 'O': return 1;
    case 'L': return 2;
    default: return 3;
    }
}

// The first n by count, ties by name.
std::vector<FacetEntry> top(Named v, int n, size_t skip = 0) {
    auto better = [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    };
    size_t k = std::min(v.size(), static_cast<size_t>(n));
    std::partial_sort(v.begin(), v.begin() + static_cast<long>(k), v.end(), better);
    std::vector<FacetEntry> out;
    for (size_t i = 0; i < k; ++i) out.push_back({std::string(v[i].first.substr(skip)), v[i].second});
    return out;
}

int day_number(std::string_view c) { // rough, only for span decisions
    auto number = [&](size_t at, size_t n) { return std::stoi(std::string(c.substr(at, n))); };
    return number(0, 4) * 372 + number(4, 2) * 31 + number(6, 2);
}

// The values of the articles of one story (more than one article matched):
// kind 0 entity "T<name>", 1 source, 2 compact day.
using Group = std::vector<std::pair<int, std::string_view>>;

// How many articles beyond a story's first carry each value, over every
// group, with days mapped through `bucket`.
std::unordered_map<std::string_view, long> repeats_of(const std::vector<Group>& groups, int kind,
                                                      size_t bucket = std::string_view::npos) {
    std::unordered_map<std::string_view, long> out;
    std::vector<std::string_view> seen;
    for (const Group& g : groups) {
        seen.clear();
        for (const auto& [k, v] : g)
            if (k == kind) seen.push_back(v.substr(0, bucket));
        std::sort(seen.begin(), seen.end());
        for (size_t i = 1; i < seen.size(); ++i)
            if (seen[i] == seen[i - 1]) ++out[seen[i]];
    }
    return out;
}

// Each entry's stories: its articles less the repeats of its name.
void set_stories(std::vector<FacetEntry>& v, const std::unordered_map<std::string_view, long>& repeats) {
    for (FacetEntry& e : v) {
        auto it = repeats.find(e.name);
        e.stories = e.count - (it == repeats.end() ? 0 : it->second);
    }
}

// Facets from counts by "T<name>" (T the type code of kEntitiesSlot), by
// source and by compact day: top n of each, and the date histogram by day,
// coarsened to months over ~90 days and to years over ~6 years. Each entry
// also counts stories: its articles less the repeats within `groups`.
Facets ranked(const Named& entities, Named sources, const Named& days, int n, const std::vector<Group>& groups,
              std::string_view unit) {
    Facets f;
    f.present = true;
    Named by_type[4]; // person, org, place, misc
    for (const auto& e : entities) by_type[type_index(e.first[0])].push_back(e);
    const auto entity_rep = repeats_of(groups, 0);
    std::vector<FacetEntry>* out[4] = {&f.person, &f.org, &f.place, &f.misc};
    for (int t = 0; t < 4; ++t) {
        *out[t] = top(std::move(by_type[t]), n, 0);
        set_stories(*out[t], entity_rep); // (by "T<name>", then the name alone)
        for (FacetEntry& e : *out[t]) e.name.erase(0, 1);
    }
    f.source = top(std::move(sources), n);
    set_stories(f.source, repeats_of(groups, 1));
    if (days.empty()) return f;
    std::map<std::string_view, long> by_day(days.begin(), days.end());
    int span = day_number(by_day.rbegin()->first) - day_number(by_day.begin()->first);
    size_t keep = 8;
    f.date_unit = "day";
    if (unit == "year" || (unit.empty() && span > 6 * 372)) {
        keep = 4;
        f.date_unit = "year";
    } else if (unit == "month" || (unit.empty() && span > 92)) {
        keep = 6;
        f.date_unit = "month";
    }
    std::map<std::string_view, long> buckets;
    for (const auto& [day, c] : by_day) buckets[day.substr(0, keep)] += c;
    const auto day_rep = repeats_of(groups, 2, keep);
    for (const auto& [key, count] : buckets) {
        std::string label(key.substr(0, 4));
        if (keep >= 6) label.append("-").append(key.substr(4, 2));
        if (keep == 8) label.append("-").append(key.substr(6, 2));
        auto it = day_rep.find(key);
        f.date.push_back({label, count, count - (it == day_rep.end() ? 0 : it->second)});
    }
    return f;
}

// Calls f(name) for each entry of an entity list value.
template <typename F>
void each_entity(std::string_view list, F&& f) {
    size_t start = 0;
    while (start < list.size()) {
        size_t nl = list.find('\n', start);
        if (nl == std::string_view::npos) nl = list.size();
        if (nl > start + 1) f(list.substr(start, nl - start));
        start = nl + 1;
    }
}

Named named(const std::unordered_map<uint32_t, long>& counts, const Dictionary& d) {
    Named v;
    v.reserve(counts.size());
    for (const auto& [id, c] : counts) v.emplace_back(d.name(id), c);
    return v;
}

} // namespace

uint32_t Dictionary::id(std::string_view key) {
    auto it = ids_.find(key);
    if (it != ids_.end()) return it->second;
    auto id = static_cast<uint32_t>(names_.size());
    ids_.emplace(names_.emplace_back(key), id);
    return id;
}

FacetTable::FacetTable(const Xapian::Database& db) { read(db, nullptr); }

FacetTable::FacetTable(const Xapian::Database& db, const std::vector<Xapian::docid>& docids) { read(db, &docids); }

void FacetTable::read(const Xapian::Database& db, const std::vector<Xapian::docid>* docids) {
    size_t n = docids ? docids->size() : db.get_lastdocid();
    day_.assign(n, kNone);
    source_.assign(n, kNone);
    story_.assign(n, 0);
    // One slot at a time, in document order: each value stream is read
    // front to back once.
    auto walk = [&](Xapian::valueno slot, auto&& take) {
        Xapian::ValueIterator it = db.valuestream_begin(slot);
        const Xapian::ValueIterator end;
        if (!docids) {
            for (; it != end; ++it) take(it.get_docid() - 1, *it);
            return;
        }
        for (size_t row = 0; row < n && it != end; ++row) {
            it.skip_to((*docids)[row]);
            if (it != end && it.get_docid() == (*docids)[row]) take(row, *it);
        }
    };
    walk(schema::kDateSlot, [&](size_t row, const std::string& v) {
        if (v.size() == 8) day_[row] = days_.id(v);
    });
    walk(schema::kSourceSlot, [&](size_t row, const std::string& v) {
        if (!v.empty()) source_[row] = sources_.id(v);
    });
    walk(schema::kStorySlot, [&](size_t row, const std::string& v) {
        if (!v.empty()) story_[row] = std::hash<std::string>()(v) | 1;
    });
    // Rows come in order, so each row's entities are appended as read.
    entity_start_.assign(n + 1, 0);
    size_t started = 0; // rows whose start is set
    walk(schema::kEntitiesSlot, [&](size_t row, const std::string& v) {
        while (started <= row) entity_start_[started++] = static_cast<uint32_t>(entities_.size());
        each_entity(v, [&](std::string_view e) { entities_.push_back(names_.id(e)); });
    });
    while (started <= n) entity_start_[started++] = static_cast<uint32_t>(entities_.size());
}

template <typename F>
void FacetTable::each_value(uint32_t row, F&& f) const {
    for (uint32_t i = entity_start_[row]; i < entity_start_[row + 1]; ++i)
        f(0, std::string_view(names_.name(entities_[i])));
    if (source_[row] != kNone) f(1, std::string_view(sources_.name(source_[row])));
    if (day_[row] != kNone) f(2, std::string_view(days_.name(day_[row])));
}

void FacetTable::count(const std::vector<uint32_t>& rows, FacetCounts& counts) const {
    std::vector<long> by_day(days_.size()), by_source(sources_.size());
    // A count per name, kept zeroed between calls: at a million articles
    // the names run to millions, too many to allocate for every search.
    thread_local std::vector<uint32_t> by_name;
    if (by_name.size() < names_.size()) by_name.resize(names_.size(), 0);
    std::vector<uint32_t> names; // distinct entity ids seen, in order of arrival
    counts.sorted_ = false;
    try {
        counts.story_keys_.reserve(counts.story_keys_.size() + rows.size());
        for (uint32_t row : rows) {
            if (day_[row] != kNone) ++by_day[day_[row]];
            if (source_[row] != kNone) ++by_source[source_[row]];
            counts.story_keys_.push_back(story_[row]);
            for (uint32_t i = entity_start_[row]; i < entity_start_[row + 1]; ++i) {
                if (by_name[entities_[i]]++ == 0) names.push_back(entities_[i]);
            }
        }
        ++counts.tables_;
        counts.parts_.push_back({this, rows});
        counts.entities_.reserve(counts.entities_.size() + names.size());
        for (uint32_t id : names) {
            counts.entities_.emplace_back(names_.name(id), by_name[id]);
            by_name[id] = 0;
        }
    } catch (...) {
        std::fill(by_name.begin(), by_name.end(), 0); // (zeroed for the next call, whatever happened)
        throw;
    }
    for (uint32_t id = 0; id < by_source.size(); ++id)
        if (by_source[id]) counts.sources_.emplace_back(sources_.name(id), by_source[id]);
    for (uint32_t id = 0; id < by_day.size(); ++id)
        if (by_day[id]) counts.days_.emplace_back(days_.name(id), by_day[id]);
}

void FacetCounts::sort_story_keys() {
    if (sorted_) return;
    std::sort(story_keys_.begin(), story_keys_.end());
    sorted_ = true;
}

Facets FacetCounts::ranked(int n, std::string_view date_unit) {
    // Stories of more than one matching article, across every table: the
    // values of their articles, to count each story once per value.
    sort_story_keys();
    const std::vector<uint64_t>& keys = story_keys_;
    std::unordered_map<uint64_t, size_t> multi; // story -> group
    for (size_t i = 1; i < keys.size(); ++i)
        if (keys[i] != 0 && keys[i] == keys[i - 1]) multi.emplace(keys[i], multi.size());
    std::vector<Group> groups(multi.size());
    if (!multi.empty())
        for (const Part& part : parts_)
            for (uint32_t row : part.rows) {
                auto it = multi.find(part.table->story_[row]);
                if (it == multi.end()) continue;
                part.table->each_value(row,
                                       [&](int kind, std::string_view v) { groups[it->second].emplace_back(kind, v); });
            }
    if (tables_ <= 1) return news::ranked(entities_, sources_, days_, n, groups, date_unit);
    // A name counted by several tables: one entry with the sum.
    auto merged = [](const Named& v) {
        std::unordered_map<std::string_view, long> sum;
        sum.reserve(v.size());
        for (const auto& [name, c] : v) sum[name] += c;
        return Named(sum.begin(), sum.end());
    };
    return news::ranked(merged(entities_), merged(sources_), merged(days_), n, groups, date_unit);
}

long FacetCounts::stories() {
    sort_story_keys();
    std::vector<uint64_t>& keys = story_keys_;
    auto keyed = std::upper_bound(keys.begin(), keys.end(), uint64_t {0});
    keys.erase(std::unique(keyed, keys.end()), keys.end());
    return static_cast<long>(keys.size());
}

void FacetSpy::operator()(const Xapian::Document& doc, double) {
    const std::string story = doc.get_value(schema::kStorySlot);
    const uint64_t key = story.empty() ? 0 : std::hash<std::string>()(story) | 1;
    ++documents_;
    story_keys_.push_back(key);
    each_entity(doc.get_value(schema::kEntitiesSlot), [&](std::string_view e) {
        uint32_t id = names_.id(e);
        ++entity_[id];
        if (key) story_values_.emplace_back(key, id);
    });
    const std::string source = doc.get_value(schema::kSourceSlot);
    if (!source.empty()) {
        uint32_t id = sources_.id(source);
        ++source_[id];
        if (key) story_values_.emplace_back(key, kSourceBase + id);
    }
    const std::string day = doc.get_value(schema::kDateSlot);
    if (day.size() == 8) {
        uint32_t id = days_.id(day);
        ++day_[id];
        if (key) story_values_.emplace_back(key, kDayBase + id);
    }
}

long FacetSpy::stories() const {
    std::vector<uint64_t> keys = story_keys_;
    std::sort(keys.begin(), keys.end());
    long n = 0;
    for (size_t i = 0; i < keys.size(); ++i) n += keys[i] == 0 || i == 0 || keys[i] != keys[i - 1];
    return n;
}

Facets FacetSpy::result(int n, std::string_view date_unit) const {
    // A story's values, as many times as its articles carry them.
    std::vector<std::pair<uint64_t, uint32_t>> pairs = story_values_;
    std::sort(pairs.begin(), pairs.end());
    std::vector<Group> groups;
    for (size_t i = 0; i < pairs.size();) {
        size_t j = i;
        while (j < pairs.size() && pairs[j].first == pairs[i].first) ++j;
        bool repeated = false;
        for (size_t k = i + 1; k < j && !repeated; ++k) repeated = pairs[k] == pairs[k - 1];
        if (repeated) {
            Group& g = groups.emplace_back();
            for (size_t k = i; k < j; ++k) {
                uint32_t v = pairs[k].second;
                if (v >= kDayBase)
                    g.emplace_back(2, days_.name(v - kDayBase));
                else if (v >= kSourceBase)
                    g.emplace_back(1, sources_.name(v - kSourceBase));
                else
                    g.emplace_back(0, names_.name(v));
            }
        }
        i = j;
    }
    return ranked(named(entity_, names_), named(source_, sources_), named(day_, days_), n, groups, date_unit);
}

namespace {

// Counts `docids` of `db` in a table of their values read for this count
// only; `hold` keeps it.
void count_read_now(const Xapian::Database& db, std::vector<Xapian::docid>& docids, FacetCounts& counts,
                    std::vector<std::shared_ptr<const FacetTable>>& hold) {
    std::sort(docids.begin(), docids.end());
    auto table = std::make_shared<const FacetTable>(db, docids);
    std::vector<uint32_t> rows(docids.size());
    for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<uint32_t>(i);
    table->count(rows, counts);
    hold.push_back(std::move(table));
}

} // namespace

void KeptFacets::update(const Xapian::Database& db) {
    if (whole_ && db.get_revision() == revision_ && db.get_uuid() == uuid_) return;
    std::map<std::string, Xapian::doccount> runs;
    const std::string prefix(schema::kRunPrefix);
    for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t) runs.emplace(*t, t.get_termfreq());
    // (A new database, or one renumbered, is read whole.)
    const bool same = whole_ && db.get_uuid() == uuid_ && db.get_revision() > revision_ &&
                      db.get_lastdocid() >= whole_->rows() && !runs.empty();
    if (!same || !add_layer(db, runs)) {
        layers_.clear();
        whole_.reset();
        whole_ = std::make_shared<const FacetTable>(db);
        owner_.assign(db.get_lastdocid() + 1, 0);
        ++whole_reads_;
    }
    runs_ = std::move(runs);
    revision_ = db.get_revision();
    uuid_ = db.get_uuid();
}

bool KeptFacets::add_layer(const Xapian::Database& db, const std::map<std::string, Xapian::doccount>& runs) {
    std::vector<Xapian::docid> fresh;
    for (const auto& [term, n] : runs) {
        auto seen = runs_.find(term);
        if (seen != runs_.end() && seen->second >= n) continue; // (only lost documents since)
        for (auto p = db.postlist_begin(term); p != db.postlist_end(term); ++p) fresh.push_back(*p);
    }
    owner_.resize(db.get_lastdocid() + 1, 0);
    if (fresh.empty()) return true;
    size_t layered = fresh.size();
    for (const Layer& l : layers_) layered += l.docids.size();
    if (layers_.size() >= kMaxLayers || layered * 4 > whole_->rows()) return false;
    std::sort(fresh.begin(), fresh.end());
    fresh.erase(std::unique(fresh.begin(), fresh.end()), fresh.end());
    auto table = std::make_shared<const FacetTable>(db, fresh);
    layers_.push_back({std::move(table), std::move(fresh)});
    for (Xapian::docid d : layers_.back().docids) owner_[d] = static_cast<uint8_t>(layers_.size());
    return true;
}

void KeptFacets::count(const Xapian::Database& db, const std::vector<Xapian::docid>& docids, FacetCounts& counts,
                       std::vector<std::shared_ptr<const FacetTable>>& hold) const {
    std::vector<std::vector<uint32_t>> rows(layers_.size() + 1);
    std::vector<Xapian::docid> unread; // (written without a run term after the whole table was read)
    for (Xapian::docid d : docids) {
        const size_t k = d < owner_.size() ? owner_[d] : 0;
        if (k > 0) {
            const std::vector<Xapian::docid>& in = layers_[k - 1].docids;
            rows[k].push_back(static_cast<uint32_t>(std::lower_bound(in.begin(), in.end(), d) - in.begin()));
        } else if (d <= whole_->rows()) {
            rows[0].push_back(d - 1);
        } else {
            unread.push_back(d);
        }
    }
    for (size_t k = 0; k < rows.size(); ++k) {
        if (rows[k].empty()) continue;
        const std::shared_ptr<const FacetTable>& table = k == 0 ? whole_ : layers_[k - 1].table;
        table->count(rows[k], counts);
        hold.push_back(table);
    }
    if (!unread.empty()) count_read_now(db, unread, counts, hold);
}

void count_facets_by_database(const std::vector<FacetPart>& parts, const Xapian::Query& query, bool fold,
                              int facet_size, const Deadline& deadline, bool timed, SearchResponse& resp,
                              std::string_view date_unit) {
    std::vector<std::shared_ptr<const FacetTable>> tables; // (hold the names counted)
    FacetCounts counts;
    long docs = 0;
    bool exact = true;
    for (const FacetPart& part : parts) {
        Xapian::Enquire all(part.db);
        all.set_query(query);
        all.set_weighting_scheme(Xapian::BoolWeight());
        if (timed && deadline.passed()) {
            exact = false;
            break;
        }
        DocidSpy matching;
        all.add_matchspy(&matching);
        DeadlineSpy stop(deadline);
        if (timed) all.add_matchspy(&stop);
        try {
            Xapian::MSet counted = all.get_mset(0, 0, part.db.get_doccount());
            exact = exact && counted.get_matches_lower_bound() == counted.get_matches_upper_bound();
        } catch (const OutOfTime&) {
            exact = false; // (the matches seen so far are counted)
            std::sort(matching.docids.begin(), matching.docids.end());
        }
        if (part.kept) {
            part.kept->update(part.db);
            part.kept->count(part.db, matching.docids, counts, tables);
        } else {
            count_read_now(part.db, matching.docids, counts, tables);
        }
        docs += static_cast<long>(matching.docids.size());
    }
    resp.facets = counts.ranked(facet_size, date_unit);
    const long stories = counts.stories();
    const long counted = fold ? stories : docs;
    // Cut short by the time limit, the count is a lower bound: the page's
    // match may have estimated more.
    resp.total_estimate = exact ? counted : std::max(counted, resp.total_estimate);
    resp.total_exact = exact;
    if (exact) {
        resp.total_articles = docs;
        resp.total_stories = stories;
    } else {
        resp.notices.push_back("facets counted over " + std::to_string(docs) +
                               " of the matches: the search hit its time limit");
    }
}

void count_facets_from_documents(const Xapian::Database& db, const Xapian::Query& query, int facet_size, FacetSpy& spy,
                                 SearchResponse& resp, std::string_view date_unit) {
    Xapian::Enquire all(db);
    all.set_query(query);
    all.set_weighting_scheme(Xapian::BoolWeight());
    Xapian::MSet every = all.get_mset(0, kMaxRemoteFacetDocs);
    for (auto it = every.begin(); it != every.end(); ++it) spy(it.get_document(), 0);
    if (every.get_matches_lower_bound() > kMaxRemoteFacetDocs)
        resp.notices.push_back("facets counted over the first " + std::to_string(kMaxRemoteFacetDocs) +
                               " matches (remote shards)");
    resp.facets = spy.result(facet_size, date_unit);
    if (every.get_matches_lower_bound() <= kMaxRemoteFacetDocs && resp.total_exact) {
        resp.total_articles = spy.documents();
        resp.total_stories = spy.stories();
    }
}

void take_spied_facets(const FacetSpy& spy, int facet_size, const Deadline& deadline, bool timed, SearchResponse& resp,
                       std::string_view date_unit) {
    resp.facets = spy.result(facet_size, date_unit);
    // Xapian's time limit ends a match early without saying so: past the
    // deadline, every match may not have been counted.
    if (timed && deadline.passed()) resp.total_exact = false;
    if (resp.total_exact) {
        resp.total_articles = spy.documents();
        resp.total_stories = spy.stories();
    }
}

} // namespace news
