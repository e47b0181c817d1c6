#include "indexer/stories.h"

#include <algorithm>
#include <unordered_set>

#include "common/codec.h"
#include "common/dates.h"
#include "common/schema.h"
#include "common/text.h"

namespace news {
namespace {

const std::unordered_set<std::string>& stop_words() {
    static const std::unordered_set<std::string> kStop{
        "a",     "an",    "the",   "of",   "to",    "in",   "on",    "for",   "and",  "or",    "but",  "with",
        "by",    "at",    "from",  "as",   "is",    "are",  "was",   "were",  "be",   "been",  "has",  "have",
        "had",   "that",  "this",  "which", "who",  "it",   "its",   "their", "they", "he",    "she",  "his",
        "her",   "not",   "no",    "would", "could", "will", "said", "says",  "say",  "also",  "than", "then",
        "there", "these", "those", "into", "over",  "after", "before", "about", "while", "such", "any", "other",
        "more",  "most",  "some",  "can",  "may",   "s",    "t",     "we",    "i",    "you",   "our",  "if"};
    return kStop;
}

// Lower-cased ASCII words and numbers; other letters kept as bytes.
std::vector<std::string> content_words(const std::string& text) {
    std::vector<std::string> out;
    std::string w;
    auto flush = [&] {
        if (!w.empty() && !stop_words().count(w)) out.push_back(w.substr(0, 6));
        w.clear();
    };
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || u >= 0x80) {
            w += c;
        } else if (c >= 'A' && c <= 'Z') {
            w += static_cast<char>(c - 'A' + 'a');
        } else if ((c == '.' || c == ',') && !w.empty() && w.back() >= '0' && w.back() <= '9') {
            w += c; // 1,000 and 2.5 stay one token
        } else {
            flush();
        }
    }
    flush();
    return out;
}

} // namespace

Shingles shingle(const std::string& text) {
    std::vector<std::string> w = content_words(text);
    Shingles s;
    if (w.size() == 1) s.hashes.push_back(static_cast<uint32_t>(fnv1a64(w[0])));
    for (size_t i = 0; i + 1 < w.size(); ++i)
        s.hashes.push_back(static_cast<uint32_t>(fnv1a64(w[i] + ' ' + w[i + 1]) >> 16));
    std::sort(s.hashes.begin(), s.hashes.end());
    s.hashes.erase(std::unique(s.hashes.begin(), s.hashes.end()), s.hashes.end());
    return s;
}

double containment(const Shingles& a, const Shingles& b) {
    if (a.hashes.empty() || b.hashes.empty()) return 0;
    size_t common = 0;
    auto i = a.hashes.begin(), j = b.hashes.begin();
    while (i != a.hashes.end() && j != b.hashes.end()) {
        if (*i < *j) ++i;
        else if (*j < *i) ++j;
        else {
            ++common;
            ++i;
            ++j;
        }
    }
    return static_cast<double>(common) / static_cast<double>(std::min(a.hashes.size(), b.hashes.size()));
}

std::vector<std::string> band_terms(const Shingles& s) {
    std::vector<std::string> out;
    for (size_t i = 0; i < s.hashes.size() && i < StoryOptions::kBands; ++i) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%08x", s.hashes[i]);
        out.push_back(schema::band_term(buf));
    }
    return out;
}

std::string StoryFinder::find(const Xapian::Database& db, const Shingles& shingles,
                              const std::vector<std::string>& bands, const std::string& date,
                              const std::string& own_id) {
    if (bands.empty() || db.get_doccount() == 0) return own_id;
    Xapian::Query q(Xapian::Query::OP_OR, bands.begin(), bands.end());
    if (!date.empty()) {
        Date d = parse_iso_date(date);
        q = Xapian::Query(Xapian::Query::OP_FILTER, q,
                          Xapian::Query(Xapian::Query::OP_VALUE_RANGE, schema::kDateSlot,
                                        add_days(d, -opt_.window_days).compact(),
                                        add_days(d, opt_.window_days).compact()));
    }
    // Candidates ranked by how many band terms they share.
    Xapian::Enquire enq(db);
    enq.set_query(q);
    enq.set_weighting_scheme(Xapian::CoordWeight());
    Xapian::MSet candidates = enq.get_mset(0, kCandidates);
    std::string best = own_id;
    double best_score = 0;
    for (auto it = candidates.begin(); it != candidates.end(); ++it) {
        auto cached = cache_.find(*it);
        Shingles decoded;
        if (cached == cache_.end()) {
            StoredArticle other = decode_article(it.get_document().get_data());
            decoded = shingle(other.body.empty() ? other.title : other.body);
        }
        const Shingles& os = cached == cache_.end() ? decoded : cached->second;
        size_t lo = std::min(shingles.hashes.size(), os.hashes.size());
        size_t hi = std::max(shingles.hashes.size(), os.hashes.size());
        // Very different lengths are a brief and a full story, not copies.
        if (hi > 4 * lo + 8) continue;
        double need = lo < opt_.min_shingles ? 0.9 : opt_.min_containment;
        double c = containment(shingles, os);
        if (c >= need && c > best_score) {
            best_score = c;
            best = it.get_document().get_value(schema::kStorySlot);
        }
    }
    return best;
}

void StoryFinder::added(Xapian::docid docid, Shingles shingles) {
    if (cache_.size() >= kCacheSize) {
        cache_.erase(order_.front());
        order_.pop_front();
    }
    if (cache_.emplace(docid, std::move(shingles)).second) order_.push_back(docid);
}

} // namespace news
