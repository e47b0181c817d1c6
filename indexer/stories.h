// Story clustering: syndicated copies of one story (a wire article and its
// lightly edited reprints) get one story id, the collapse key results fold
// on. An article is reduced to the set of hashed bigrams of its content
// words; its k smallest hashes become band terms, so copies are found with
// one cheap boolean query, and each candidate within a few days is verified
// by the exact containment of the two bigram sets.
#pragma once

#include <climits>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <xapian.h>

namespace news {

struct Shingles {
    std::vector<uint32_t> hashes; // content-word bigrams: sorted, unique
    std::vector<uint32_t> names;  // the article's entities (see name_hashes): sorted, unique
};

// Hashes of entity names as they appear in schema::kEntitiesSlot
// ("T<name>" lines), for comparing who and what two articles are about.
std::vector<uint32_t> name_hashes(const std::string& entity_list);

// Content-word bigram hashes of a text (stop words dropped, words cut to a
// stem-like prefix, numbers kept so templated briefs stay apart).
Shingles shingle(const std::string& text);

// |a ∩ b| / min(|a|, |b|) of the bigrams.
double containment(const Shingles& a, const Shingles& b);

// Band terms (schema::band_term) stored with an article: its kDbBands
// smallest hashes. Fewer than the in-memory bands (a band term is a posting
// list of its own): they serve only to find copies among earlier runs.
std::vector<std::string> band_terms(const Shingles& s);

struct StoryOptions {
    int window_days = 3;                  // copies lie within this many days of each other
    double min_containment = 0.2;         // of content-word bigrams, with names agreeing (default 0.2)
    double same_text = 0.6;               // containment that is a copy by itself (default 0.6)
    double min_name_overlap = 0.5;        // shared names / fewer names (default 0.5)
    size_t min_shared_names = 4;          // and at least this many shared (default 4)
    size_t min_shingles = 8;              // shorter texts fold only when (near) identical
    static constexpr size_t kBands = 16;  // bands compared in memory within a run
    static constexpr size_t kDbBands = 4; // bands stored as terms
};

// Whether `b` is a copy of `a`: nearly the same text, or much the same
// text about the same named people, organisations and places. Templated
// briefs (earnings tables) share phrasing but not names, so they stay apart.
bool is_copy(const Shingles& a, const Shingles& b, const StoryOptions& opt);

// Finds the story each new article belongs to. An article joins a story by
// being a copy of the story's first article (never of another copy, so
// stories do not grow by chains of resemblance). Articles added in this run
// are looked up in memory (band -> recent first articles, with shingles);
// when the database held articles before the run, the database is asked
// too (it sees uncommitted documents), and candidates found there are
// verified from their stored text.
class StoryFinder {
public:
    explicit StoryFinder(StoryOptions opt = {}) : opt_(opt) {}

    // A database holding earlier runs' articles to compare against: the
    // article's own shard, or a neighbouring period's within the window;
    // `part` numbers the shard (0 for a single database).
    struct Place {
        const Xapian::Database* db;
        uint32_t part;
    };

    // One finder serves every shard of a run, so that a story's copies fold
    // across a period boundary exactly as they do in one database; earlier
    // runs' articles are asked of `earlier` (in that order).
    //
    // The story id of the most similar copy, or `own_id` when there is none.
    // `date` is ISO or empty.
    std::string find(const std::vector<Place>& earlier, const Shingles& shingles, const std::vector<std::string>& bands,
                     const std::string& date, const std::string& own_id);

    // Copies lie within this many days of each other.
    int window_days() const { return opt_.window_days; }

    // Records an article just added as `docid` of shard `part`; `first` when
    // it began its own story (only those are compared against).
    void added(uint32_t part, Xapian::docid docid, Shingles shingles, const std::string& date, const std::string& story,
               bool first);

    static constexpr size_t kRecent = 50000;  // articles kept in memory
    static constexpr size_t kMaxPerBand = 64; // recent articles kept per band
    static constexpr Xapian::doccount kCandidates = 8;
    static constexpr Xapian::doccount kMaxBandFrequency = 1000; // rarer bands only, from the database
    static constexpr size_t kEarlierCached = 20000;             // earlier runs' articles, decoded

private:
    // This run's articles are numbered in the order they were added (which
    // is the order of document numbers in one database, so ties between
    // candidates break the same way sharded or not); a stored article is
    // (part << 32) | docid.
    using Seq = uint64_t;
    using DocKey = uint64_t;
    static DocKey doc_key(uint32_t part, Xapian::docid docid) { return (DocKey {part} << 32) | docid; }

    struct Recent {
        Shingles shingles;
        int day = 0; // days since 1970-01-01; INT_MIN when undated
        std::string story;
        DocKey doc = 0;
    };
    struct Candidate {
        double containment = 0;
        std::string story;
    };
    // An article of an earlier run, as the story finder compares it.
    struct Earlier {
        Shingles shingles;
        std::string story;
        bool first = false; // began its story
    };
    const Earlier& earlier(const Xapian::Database& db, uint32_t part, Xapian::docid docid);
    void consider(const Shingles& mine, const Shingles& other, const std::string& story, Candidate& best) const;

    StoryOptions opt_;
    Seq next_ = 0;
    std::unordered_map<Seq, Recent> recent_;
    std::unordered_set<DocKey> recent_docs_;
    std::unordered_map<uint32_t, std::vector<Seq>> by_band_;
    std::deque<Seq> order_;
    std::unordered_map<DocKey, Earlier> earlier_;
};

} // namespace news
