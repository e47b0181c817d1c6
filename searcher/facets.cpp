#include "searcher/facets.h"

#include <algorithm>
#include <map>

#include "common/schema.h"

namespace news {
namespace {

int type_index(char code) {
    switch (code) {
    case 'P': return 0;
    case 'O': return 1;
    case 'L': return 2;
    default: return 3;
    }
}

std::vector<FacetEntry> top(const std::unordered_map<std::string, long>& m, int n) {
    std::vector<FacetEntry> v;
    v.reserve(m.size());
    for (const auto& [name, count] : m) v.push_back({name, count});
    auto better = [](const FacetEntry& a, const FacetEntry& b) {
        return a.count != b.count ? a.count > b.count : a.name < b.name;
    };
    if (static_cast<int>(v.size()) > n) {
        std::partial_sort(v.begin(), v.begin() + n, v.end(), better);
        v.resize(static_cast<size_t>(n));
    } else {
        std::sort(v.begin(), v.end(), better);
    }
    return v;
}

int day_number(const std::string& c) { // rough, only for span decisions
    return std::stoi(c.substr(0, 4)) * 372 + std::stoi(c.substr(4, 2)) * 31 + std::stoi(c.substr(6, 2));
}

} // namespace

namespace {

void count(std::unordered_map<std::string, long>& m, const std::string& key) {
    auto it = m.find(key);
    if (it == m.end()) m.emplace(key, 1);
    else ++it->second;
}

} // namespace

void FacetSpy::operator()(const Xapian::Document& doc, double) {
    ++seen_;
    const std::string list = doc.get_value(schema::kEntitiesSlot);
    size_t start = 0;
    while (start < list.size()) {
        size_t nl = list.find('\n', start);
        if (nl == std::string::npos) nl = list.size();
        if (nl > start + 1) {
            key_.assign(list, start, nl - start);
            count(entity_, key_);
        }
        start = nl + 1;
    }
    key_ = doc.get_value(schema::kSourceSlot);
    if (!key_.empty()) count(source_, key_);
    key_ = doc.get_value(schema::kDateSlot);
    if (key_.size() == 8) count(day_, key_);
}

Facets FacetSpy::result(int n) const {
    Facets f;
    f.present = true;
    // Rank each type's entries in place (pointers into the map); only the
    // top n names are copied out.
    using Entry = std::pair<long, const std::string*>;
    std::vector<Entry> by_type[4]; // person, org, place, misc
    for (const auto& [key, c] : entity_) by_type[type_index(key[0])].emplace_back(c, &key);
    auto better = [](const Entry& a, const Entry& b) { return a.first != b.first ? a.first > b.first : *a.second < *b.second; };
    std::vector<FacetEntry>* out[4] = {&f.person, &f.org, &f.place, &f.misc};
    for (int t = 0; t < 4; ++t) {
        std::vector<Entry>& v = by_type[t];
        size_t k = std::min(v.size(), static_cast<size_t>(n));
        std::partial_sort(v.begin(), v.begin() + static_cast<long>(k), v.end(), better);
        for (size_t i = 0; i < k; ++i) out[t]->push_back({v[i].second->substr(1), v[i].first});
    }
    f.source = top(source_, n);
    if (day_.empty()) return f;
    std::map<std::string, long> days(day_.begin(), day_.end());
    int span = day_number(days.rbegin()->first) - day_number(days.begin()->first);
    size_t keep = 8;
    f.date_unit = "day";
    if (span > 6 * 372) {
        keep = 4;
        f.date_unit = "year";
    } else if (span > 92) {
        keep = 6;
        f.date_unit = "month";
    }
    std::map<std::string, long> buckets;
    for (const auto& [day, c] : days) buckets[day.substr(0, keep)] += c;
    for (const auto& [key, count] : buckets) {
        std::string label = key.substr(0, 4);
        if (keep >= 6) label += "-" + key.substr(4, 2);
        if (keep == 8) label += "-" + key.substr(6, 2);
        f.date.push_back({label, count});
    }
    return f;
}

} // namespace news
