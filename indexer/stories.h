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

// How a copy relates to the story's first article.
enum class CopyKind { Reprint, Correction, Update };
const char* copy_kind_name(CopyKind k);

struct Shingles {
    std::vector<uint32_t> hashes;         // content-word bigrams: sorted, unique
    std::vector<uint32_t> names;          // the article's entities (see name_hashes): sorted, unique
    std::vector<uint32_t> words;          // content words: sorted, unique
    std::vector<uint32_t> numbers;        // number tokens: sorted, unique
    std::vector<uint32_t> sentence_words; // each sentence's content words, sorted, unique, one after another
    std::vector<uint32_t> sentence_ends;  // end of each sentence in sentence_words
    std::vector<uint32_t> title_words;    // the headline's content words: sorted, unique
    CopyKind marked = CopyKind::Reprint;  // a headline saying CORRECTION or UPDATE
};

// Hashes of entity names as they appear in schema::kEntitiesSlot
// ("T<name>" lines), for comparing who and what two articles are about.
std::vector<uint32_t> name_hashes(const std::string& entity_list);

// Content words, bigrams, numbers and sentences of a text (stop words
// dropped, words cut to a stem-like prefix, numbers kept so templated
// briefs stay apart).
Shingles shingle(const std::string& text);

// The same of an article: its body (its title when it has none), plus the
// headline's words and whether the headline marks a correction or update.
Shingles shingle(const std::string& title, const std::string& body);

// |a ∩ b| / min(|a|, |b|) of the bigrams.
double containment(const Shingles& a, const Shingles& b);

// |a ∩ b| / |a ∪ b| of the content words: the similarity figure shown.
double word_similarity(const Shingles& a, const Shingles& b);

// The share of the shorter text's sentences (of 3 words or more) that have a
// counterpart in the other holding at least half their content words: a
// reprint follows its wire story sentence by sentence even when it reworded
// them; another story on the same subject shares words, not sentences.
double aligned_sentences(const Shingles& a, const Shingles& b);

// Band terms (schema::band_term) stored with an article: its kDbBands
// smallest hashes. Fewer than the in-memory bands (a band term is a posting
// list of its own): they serve only to find copies among earlier runs.
std::vector<std::string> band_terms(const Shingles& s);

struct StoryOptions {
    int window_days = 3;                  // copies lie within this many days of each other
    double min_words = 0.5;               // content-word Jaccard of a copy (default 0.5)
    double min_aligned = 0.6;             // and the share of its sentences aligned (default 0.6)
    double cut_min_bigrams = 0.8;         // or, cut short: bigram containment (default 0.8)
    double cut_min_aligned = 0.9;         // ... and sentences aligned (default 0.9)
    size_t long_text = 150;               // bigrams from which a reworded copy may share less (default 150)
    double long_min_words = 0.3;          // ... its content-word Jaccard (default 0.3)
    double long_min_aligned = 0.4;        // ... its aligned sentences (default 0.4)
    double long_min_bigrams = 0.2;        // ... its bigram containment (default 0.2)
    size_t min_shared_names = 4;          // ... and names shared, at least half of the fewer (default 4)
    size_t short_text = 20;               // bigrams below which texts must agree more (default 20):
    double short_min_words = 0.6;         // ... content-word Jaccard (default 0.6)
    double min_title_words = 0.3;         // ... and headlines' content-word Jaccard (default 0.3)
    size_t min_shingles = 8;              // shorter texts fold only when (near) identical
    static constexpr size_t kBands = 16;  // bands compared in memory within a run
    static constexpr size_t kDbBands = 4; // bands stored as terms
};

// Whether `b` is a copy of `a`: the same text, or a reworded one, sentence
// by sentence, with the same names and figures. Same-subject stories of the
// same day share words and names but not sentences; templated briefs
// (earnings tables) share phrasing but not names, figures or headlines.
bool is_copy(const Shingles& a, const Shingles& b, const StoryOptions& opt);

// The story an article joined and how (kind and similarity are those of the
// fold; meaningless when the story is the article's own).
struct StoryMatch {
    std::string story;
    double similarity = 0;
    CopyKind kind = CopyKind::Reprint;
};

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
    // The story of the most similar first article, or `own_id` when there is
    // none. `date` is ISO or empty.
    StoryMatch find(const std::vector<Place>& earlier, const Shingles& shingles, const std::vector<std::string>& bands,
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
        double similarity = 0;
        std::string story;
        CopyKind kind = CopyKind::Reprint;
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
