// Story clustering: syndicated copies of one story (a wire article and its
// lightly edited reprints) get one story id, the collapse key results fold
// on. An article is reduced to the set of hashed bigrams of its content
// words; its k smallest hashes become band terms, so copies are found with
// one cheap boolean query, and each candidate within a few days is verified
// by the exact containment of the two bigram sets.
#pragma once

#include <cstdint>
#include <string>
#include <deque>
#include <unordered_map>
#include <vector>

#include <xapian.h>

namespace news {

struct Shingles {
    std::vector<uint32_t> hashes; // sorted, unique
};

// Content-word bigram hashes of a text (stop words dropped, words cut to a
// stem-like prefix, numbers kept so templated briefs stay apart).
Shingles shingle(const std::string& text);

// |a ∩ b| / min(|a|, |b|).
double containment(const Shingles& a, const Shingles& b);

// Band terms (schema::band_term) for an article: its k smallest hashes.
std::vector<std::string> band_terms(const Shingles& s);

struct StoryOptions {
    int window_days = 3;           // copies lie within this many days of each other
    double min_containment = 0.2;  // of content-word bigrams (default 0.2)
    size_t min_shingles = 8;       // shorter texts fold only when (near) identical
    static constexpr size_t kBands = 16;
};

// Finds the story each new article belongs to among the documents already
// in the database (including uncommitted ones). Keeps the shingles of
// recently added articles so candidates need not be decoded again.
class StoryFinder {
public:
    explicit StoryFinder(StoryOptions opt = {}) : opt_(opt) {}

    // The story id of the most similar copy, or `own_id` when there is none.
    // `date` is ISO or empty.
    std::string find(const Xapian::Database& db, const Shingles& shingles, const std::vector<std::string>& bands,
                     const std::string& date, const std::string& own_id);

    // Records the shingles of an article just added as `docid`.
    void added(Xapian::docid docid, Shingles shingles);

    static constexpr size_t kCacheSize = 50000; // articles whose shingles are kept
    static constexpr Xapian::doccount kCandidates = 8;

private:
    StoryOptions opt_;
    std::unordered_map<Xapian::docid, Shingles> cache_;
    std::deque<Xapian::docid> order_;
};

} // namespace news
