// Snippets: the best passage of an article for a query, HTML-escaped, with
// the matched words wrapped in <mark>…</mark>. Free query words match their
// stemmed forms; phrase and NEAR words are marked only where the phrase
// occurs; entity-field matches (place:Erbil) mark the mention itself;
// words under NOT are never marked.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <xapian.h>

#include "common/codec.h"

namespace news {

class Snippeter {
public:
    explicit Snippeter(const Xapian::Query& query);

    std::string snippet(const StoredArticle& article) const;

    // Every byte range [begin, end) of the article's text (its body, or its
    // title when it has none) that the query marks, in order, none
    // overlapping: what a page showing the whole article highlights.
    std::vector<std::pair<size_t, size_t>> marks(const StoredArticle& article) const;

    static constexpr size_t kLength = 280; // bytes of text shown, about

private:
    struct Phrase {
        std::vector<std::string> terms;
        size_t window = 0; // positions the terms must fall within
        bool ordered = true;
    };
    void collect(const Xapian::Query& q, bool filter_side);
    // The marked ranges of the text, unordered, and the query part of each.
    void collect_marks(const StoredArticle& a, std::vector<std::pair<size_t, size_t>>& marks,
                       std::vector<int>& part_of_mark) const;
    bool word_matches(std::string_view lower, const std::string& stemmed, const std::string& term) const;

    // Stemmed form "Zstem" of a lower-cased word, or "" when no query stem
    // could be it (stemming every word of every result is the slow part).
    const std::string& stem_of(std::string_view lower) const;

    Xapian::Stem stem_ {"english"};
    std::array<bool, 256> stem_initial_ {}; // first bytes of the query's stems
    struct StemHead {
        std::string head; // a query stem but for its last two letters
        size_t size;      // the stem's length: no shorter word stems to it
    };
    std::vector<StemHead> stem_heads_;
    std::array<bool, 256> word_initial_ {}; // first bytes of anything a word can match
    mutable std::unordered_map<std::string, std::string> stems_;
    mutable std::string key_;                                // stem_of's lookup key
    std::vector<std::string> words_;                         // free terms: "word" or "Zstem" (prefixes stripped)
    mutable std::unordered_map<std::string, int> word_part_; // words_ -> its first index (built on first use)
    std::vector<std::string> wildcards_;                     // prefixes from word* queries
    std::vector<Phrase> phrases_;
    std::vector<std::string> entities_; // entity terms "XEPLACE:erbil"
};

} // namespace news
