#include "searcher/results.h"

#include <algorithm>
#include <tuple>

#include "common/codec.h"

namespace news {

// The article's entities, most mentioned first, ties in order of first
// mention. (An article names a few dozen at most: a linear search is the
// cheapest map, and a stable sort of their positions is cheaper than of
// the entries with their strings.)
std::vector<EntityCount> count_entities(const StoredArticle& a) {
    struct Tally {
        const StoredEntity* first;
        int count;
    };
    std::vector<Tally> tallies;
    tallies.reserve(a.entities.size());
    for (const auto& e : a.entities) {
        auto it = std::find_if(tallies.begin(), tallies.end(),
                               [&e](const Tally& t) { return t.first->name == e.name && t.first->type == e.type; });
        if (it != tallies.end())
            ++it->count;
        else
            tallies.push_back({&e, 1});
    }
    std::stable_sort(tallies.begin(), tallies.end(), [](const Tally& x, const Tally& y) { return x.count > y.count; });
    std::vector<EntityCount> out;
    out.reserve(tallies.size());
    for (const auto& t : tallies) out.push_back({t.first->type, t.first->name, t.count});
    return out;
}

// Marks the earliest version among a result and its other versions (by
// date, undated last; on a tie the story's first article, then the id).
void mark_first_published(Result& r) {
    if (r.duplicates.empty()) return;
    auto key = [](const std::string& date, const std::string& fold, const std::string& id) {
        return std::make_tuple(date.empty(), date, !fold.empty(), id);
    };
    auto best = key(r.date, r.fold, r.id);
    DocRef* earliest = nullptr;
    for (DocRef& d : r.duplicates) {
        auto k = key(d.date, d.fold, d.id);
        if (k < best) {
            best = k;
            earliest = &d;
        }
    }
    if (earliest)
        earliest->first_published = true;
    else
        r.first_published = true;
}

} // namespace news
