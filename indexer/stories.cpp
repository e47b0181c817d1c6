#include "indexer/stories.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <unordered_set>

#include "common/codec.h"
#include "common/dates.h"
#include "common/schema.h"
#include "common/text.h"

namespace news {
namespace {

// Words that say nothing about which story a text tells; none is longer
// than kWordBytes. Built before main: the indexing threads only read it.
const std::unordered_set<std::string_view> kStopWords {
    "a",     "an",    "the",   "of",    "to",    "in",    "on",     "for",   "and",   "or",   "but",  "with",
    "by",    "at",    "from",  "as",    "is",    "are",   "was",    "were",  "be",    "been", "has",  "have",
    "had",   "that",  "this",  "which", "who",   "it",    "its",    "their", "they",  "he",   "she",  "his",
    "her",   "not",   "no",    "would", "could", "will",  "said",   "says",  "say",   "also", "than", "then",
    "there", "these", "those", "into",  "over",  "after", "before", "about", "while", "such", "any",  "other",
    "more",  "most",  "some",  "can",   "may",   "s",     "t",      "we",    "i",     "you",  "our",  "if"};

bool is_stop_word(std::string_view w) { return kStopWords.count(w) != 0; }

// A content word counts by its first bytes only (a stem-like prefix).
constexpr size_t kWordBytes = 6;

} // namespace

Shingles shingle(const std::string& text) {
    // Content words: lower-cased ASCII words and numbers (1,000, 2.5 and
    // 7-3/4 stay one word), other letters kept as bytes, stop words
    // dropped, cut to kWordBytes. Each pair of neighbours is hashed as
    // fnv1a64("first second"), without building the strings.
    Shingles s;
    char word[kWordBytes], prev[kWordBytes];
    size_t len = 0, prev_len = 0, words = 0; // len: the whole word's, kept bytes at most kWordBytes
    char last = 0;
    auto flush = [&] {
        if (len == 0) return;
        const std::string_view cut(word, std::min(len, kWordBytes));
        if (len > kWordBytes || !is_stop_word(cut)) {
            if (words > 0)
                s.hashes.push_back(
                    static_cast<uint32_t>(fnv1a64(cut, fnv1a64(" ", fnv1a64(std::string_view(prev, prev_len)))) >> 16));
            std::copy(cut.begin(), cut.end(), prev);
            prev_len = cut.size();
            ++words;
        }
        len = 0;
    };
    auto add = [&](char c) {
        if (len < kWordBytes) word[len] = c;
        ++len;
        last = c;
    };
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || u >= 0x80) {
            add(c);
        } else if (c >= 'A' && c <= 'Z') {
            add(static_cast<char>(c - 'A' + 'a'));
        } else if ((c == '.' || c == ',' || c == '-' || c == '/') && len > 0 && last >= '0' && last <= '9') {
            add(c);
        } else {
            flush();
        }
    }
    flush();
    if (words == 1) s.hashes.push_back(static_cast<uint32_t>(fnv1a64(std::string_view(prev, prev_len))));
    std::sort(s.hashes.begin(), s.hashes.end());
    s.hashes.erase(std::unique(s.hashes.begin(), s.hashes.end()), s.hashes.end());
    return s;
}

namespace {

// How many values two sorted, duplicate-free vectors have in common.
size_t shared_count(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
    size_t n = 0;
    auto i = a.begin(), j = b.begin();
    while (i != a.end() && j != b.end()) {
        if (*i < *j)
            ++i;
        else if (*j < *i)
            ++j;
        else {
            ++n;
            ++i;
            ++j;
        }
    }
    return n;
}

} // namespace

double containment(const Shingles& a, const Shingles& b) {
    if (a.hashes.empty() || b.hashes.empty()) return 0;
    size_t common = shared_count(a.hashes, b.hashes);
    return static_cast<double>(common) / static_cast<double>(std::min(a.hashes.size(), b.hashes.size()));
}

std::vector<uint32_t> name_hashes(const std::string& entity_list) {
    std::vector<uint32_t> out;
    size_t start = 0;
    while (start < entity_list.size()) {
        size_t nl = entity_list.find('\n', start);
        if (nl == std::string::npos) nl = entity_list.size();
        if (nl > start + 1)
            out.push_back(
                static_cast<uint32_t>(fnv1a64(to_lower(std::string_view(entity_list).substr(start, nl - start)))));
        start = nl + 1;
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

bool is_copy(const Shingles& a, const Shingles& b, const StoryOptions& opt) {
    size_t lo = std::min(a.hashes.size(), b.hashes.size());
    size_t hi = std::max(a.hashes.size(), b.hashes.size());
    if (lo == 0) return false;
    double c = containment(a, b);
    // Short texts (title-only briefs) are copies only of texts as short.
    if (lo < opt.min_shingles) return c >= 0.9 && 2 * hi <= 3 * lo + 2;
    bool similar_length = hi <= 2 * lo + 4; // a brief wholly inside a long story is not its copy
    size_t shared = shared_count(a.names, b.names);
    size_t fewer = std::min(a.names.size(), b.names.size());
    auto names_agree = [&](size_t at_least) {
        return shared >= at_least && static_cast<double>(shared) >= opt.min_name_overlap * static_cast<double>(fewer);
    };
    // Much the same text: the names must not disagree (templated briefs
    // about different companies share their phrasing, not their names).
    if (c >= 0.9 && similar_length) return names_agree(1) || a.names.empty() || b.names.empty();
    if (c >= opt.same_text && similar_length) return names_agree(1) || (a.names.empty() && b.names.empty());
    // A rewritten reprint: some shared text, the same people and places.
    if (c >= opt.min_containment && hi <= 4 * lo + 8) return names_agree(opt.min_shared_names);
    return false;
}

std::vector<std::string> band_terms(const Shingles& s) {
    std::vector<std::string> out;
    for (size_t i = 0; i < s.hashes.size() && i < StoryOptions::kDbBands; ++i) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%08x", s.hashes[i]);
        out.push_back(schema::band_term(buf));
    }
    return out;
}

namespace {

// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
int day_number(const std::string& iso) {
    if (iso.size() < 10) return INT_MIN;
    Date d = parse_iso_date(iso.substr(0, 10));
    int y = d.year - (d.month <= 2);
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (d.month + (d.month > 2 ? -3 : 9)) + 2) / 5 + d.day - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

} // namespace

void StoryFinder::consider(const Shingles& mine, const Shingles& other, const std::string& story,
                           Candidate& best) const {
    if (!is_copy(mine, other, opt_)) return;
    double c = containment(mine, other);
    if (c > best.containment) best = {c, story};
}

std::string StoryFinder::find(const std::vector<Place>& places, const Shingles& shingles,
                              const std::vector<std::string>& bands, const std::string& date,
                              const std::string& own_id) {
    if (shingles.hashes.empty()) return own_id;
    Candidate best {0, own_id};
    const int day = day_number(date);

    // Articles of this run, by shared bands.
    std::unordered_map<Seq, int> shared;
    for (size_t i = 0; i < shingles.hashes.size() && i < StoryOptions::kBands; ++i) {
        auto it = by_band_.find(shingles.hashes[i]);
        if (it == by_band_.end()) continue;
        for (Seq id : it->second) ++shared[id];
    }
    std::vector<std::pair<int, Seq>> ranked;
    for (const auto& [id, n] : shared) {
        auto r = recent_.find(id);
        if (r == recent_.end()) continue;
        bool dated = day != INT_MIN && r->second.day != INT_MIN;
        if (dated && std::abs(r->second.day - day) > opt_.window_days) continue;
        if (!dated && (day != INT_MIN || r->second.day != INT_MIN)) continue;
        ranked.emplace_back(n, id);
    }
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    for (size_t i = 0; i < ranked.size() && i < kCandidates; ++i) {
        const Recent& r = recent_.at(ranked[i].second);
        consider(shingles, r.shingles, r.story, best);
    }

    // Articles of earlier runs, through the band terms in each database.
    // Band terms shared by many articles are common phrases, not evidence of
    // a copy, and their posting lists make the query's cost grow with the
    // archive; only the rarer bands are asked for.
    Xapian::Query window; // (made when first needed)
    for (const Place& place : places) {
        const Xapian::Database& db = *place.db;
        std::vector<std::string> rare;
        if (db.get_doccount() > 0)
            for (const std::string& b : bands)
                if (db.get_termfreq(b) <= kMaxBandFrequency) rare.push_back(b);
        if (rare.empty()) continue;
        Xapian::Query q(Xapian::Query::OP_OR, rare.begin(), rare.end());
        if (!date.empty() && window.empty()) {
            // The window as day terms: their short posting lists make the
            // filter cheap, where a value range would scan the date values
            // of the whole archive between the bands' postings.
            Date d = parse_iso_date(date);
            std::vector<std::string> days;
            for (int k = -opt_.window_days; k <= opt_.window_days; ++k) {
                Date x = add_days(d, k);
                days.push_back(schema::day_term(x.year, x.month, x.day));
            }
            window = Xapian::Query(Xapian::Query::OP_OR, days.begin(), days.end());
        }
        if (!window.empty()) q = Xapian::Query(Xapian::Query::OP_FILTER, q, window);
        Xapian::Enquire enq(db);
        enq.set_query(q);
        enq.set_weighting_scheme(Xapian::CoordWeight()); // rank by shared bands
        Xapian::MSet candidates = enq.get_mset(0, kCandidates);
        for (auto it = candidates.begin(); it != candidates.end(); ++it) {
            if (recent_docs_.count(doc_key(place.part, *it))) continue; // already considered above
            const Earlier& e = earlier(db, place.part, *it);
            if (e.first) consider(shingles, e.shingles, e.story, best);
        }
    }
    return best.story;
}

const StoryFinder::Earlier& StoryFinder::earlier(const Xapian::Database& db, uint32_t part, Xapian::docid docid) {
    auto it = earlier_.find(doc_key(part, docid));
    if (it != earlier_.end()) return it->second;
    if (earlier_.size() >= kEarlierCached) earlier_.clear(); // simple and bounded
    Xapian::Document doc = db.get_document(docid);
    StoredArticle other = decode_article(doc.get_data());
    Earlier e;
    e.story = doc.get_value(schema::kStorySlot);
    e.first = e.story == other.id; // only a story's first article is compared against
    if (e.first) {
        e.shingles = shingle(other.body.empty() ? other.title : other.body);
        e.shingles.names = name_hashes(doc.get_value(schema::kEntitiesSlot));
    }
    return earlier_.emplace(doc_key(part, docid), std::move(e)).first->second;
}

void StoryFinder::added(uint32_t part, Xapian::docid docid, Shingles shingles, const std::string& date,
                        const std::string& story, bool first) {
    if (!first) return; // copies are never compared against
    if (recent_.size() >= kRecent) {
        auto old = recent_.find(order_.front()); // its band entries are skipped from now on
        recent_docs_.erase(old->second.doc);
        recent_.erase(old);
        order_.pop_front();
    }
    Seq seq = next_++;
    for (size_t i = 0; i < shingles.hashes.size() && i < StoryOptions::kBands; ++i) {
        std::vector<Seq>& ids = by_band_[shingles.hashes[i]];
        if (ids.size() >= kMaxPerBand) ids.erase(ids.begin(), ids.begin() + kMaxPerBand / 2);
        ids.push_back(seq);
    }
    Recent r;
    r.shingles = std::move(shingles);
    r.day = day_number(date);
    r.story = story;
    r.doc = doc_key(part, docid);
    recent_docs_.insert(r.doc);
    recent_.emplace(seq, std::move(r));
    order_.push_back(seq);
}

} // namespace news
