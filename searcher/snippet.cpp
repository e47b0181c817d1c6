#include "searcher/snippet.h"

#include <algorithm>
#include <cstdint>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "common/schema.h"
#include "common/text.h"

namespace news {
namespace {

struct Word {
    uint32_t begin, end;  // byte offsets in the text
    uint32_t lower, size; // the word lower-cased, as TermGenerator indexes it: Words::lowered[lower, +size)
    uint32_t pos;         // its place among all the text's words (counted when asked: phrases)
};

struct Words {
    std::vector<Word> list;
    std::string lowered; // every word's lower-cased form, one after another
    std::string_view lower(size_t i) const { return {lowered.data() + list[i].lower, list[i].size}; }
};

// Reads the character at byte `pos` of `text`: its code point (an invalid
// byte as itself, as Xapian's Utf8Iterator reads it) and its length.
size_t char_at(const std::string& text, size_t pos, unsigned& ch) {
    auto c = static_cast<unsigned char>(text[pos]);
    if (c < 0x80) {
        ch = c;
        return 1;
    }
    const size_t left = text.size() - pos;
    if (left == 0) __builtin_unreachable(); // (pos is inside the text)
    Xapian::Utf8Iterator it(text.data() + pos, left);
    ch = *it;
    ++it;
    return static_cast<size_t>(it.raw() - (text.data() + pos));
}

bool is_wordchar(unsigned ch) {
    if (ch < 0x80) return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
    return Xapian::Unicode::is_wordchar(ch);
}

// One bit per byte of a text, bit i % 64 of bits[i / 64]: which bytes are
// ASCII word characters [0-9A-Za-z_] (`word`), which are 0x80 or above,
// parts of UTF-8 sequences (`high`), given `initials` (lower-case ASCII
// word characters) which are one of those in either case and do not follow
// an ASCII word character (`initial`), and, when `apostrophes`, which are
// ASCII apostrophes (`apos`). Sixteen bytes at a time where SSE2 is.
struct ByteClasses {
    std::vector<uint64_t> word, high, initial, apos;

    ByteClasses(std::string_view text, std::string_view initials, bool apostrophes)
        : word(text.size() / 64 + 1), high(text.size() / 64 + 1), initial(initials.empty() ? 0 : text.size() / 64 + 1),
          apos(apostrophes ? text.size() / 64 + 1 : 0) {
        const size_t n = text.size();
        const auto* p = reinterpret_cast<const unsigned char*>(text.data());
        size_t i = 0;
#ifdef __SSE2__
        // x - lo < count (unsigned) as a signed compare: flip the top bit.
        auto in_range = [](__m128i v, char lo, int count) {
            const __m128i flipped = _mm_xor_si128(_mm_sub_epi8(v, _mm_set1_epi8(lo)), _mm_set1_epi8(char(0x80)));
            return _mm_cmplt_epi8(flipped, _mm_set1_epi8(static_cast<char>(0x80 + count)));
        };
        for (; i + 16 <= n; i += 16) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
            const __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
            const __m128i letter = in_range(folded, 'a', 26); // (either case)
            const __m128i w =
                _mm_or_si128(_mm_or_si128(in_range(v, '0', 10), letter), _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
            word[i / 64] |= uint64_t(static_cast<uint16_t>(_mm_movemask_epi8(w))) << (i % 64);
            high[i / 64] |= uint64_t(static_cast<uint16_t>(_mm_movemask_epi8(v))) << (i % 64);
            if (apostrophes)
                apos[i / 64] |=
                    uint64_t(static_cast<uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\'')))))
                    << (i % 64);
            if (!initials.empty()) {
                __m128i hit = _mm_setzero_si128();
                for (char c : initials) {
                    // (A letter in either case; a digit or '_' as it is.)
                    const bool alpha = c >= 'a' && c <= 'z';
                    hit = _mm_or_si128(hit, _mm_cmpeq_epi8(alpha ? folded : v, _mm_set1_epi8(c)));
                }
                initial[i / 64] |= uint64_t(static_cast<uint16_t>(_mm_movemask_epi8(_mm_and_si128(hit, w))))
                                   << (i % 64);
            }
        }
#endif
        for (; i < n; ++i) {
            const unsigned c = p[i];
            const bool w = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            word[i / 64] |= uint64_t(w) << (i % 64);
            high[i / 64] |= uint64_t(c >= 0x80) << (i % 64);
            if (apostrophes) apos[i / 64] |= uint64_t(c == '\'') << (i % 64);
            if (!initials.empty() && w) {
                const char l = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
                initial[i / 64] |= uint64_t(initials.find(l) != std::string_view::npos) << (i % 64);
            }
        }
        // Initials that follow an ASCII word character start no word.
        for (size_t k = 0; k < initial.size(); ++k) initial[k] &= ~(word[k] << 1 | (k > 0 ? word[k - 1] >> 63 : 0));
    }

    // The first byte at or after `i` (before `n`) that is not an ASCII word
    // character, or `n`.
    size_t word_end(size_t i, size_t n) const {
        return first(i, n, [&](size_t k) { return ~word[k]; });
    }
    // The first byte at or after `i` (before `n`) that is an ASCII word
    // character or 0x80 and above, or `n`.
    size_t next_candidate(size_t i, size_t n) const {
        return first(i, n, [&](size_t k) { return word[k] | high[k]; });
    }
    // The first byte at or after `i` (before `n`) that is one of the
    // initials or 0x80 and above, or `n`. (Only with initials.)
    size_t next_initial(size_t i, size_t n) const {
        return first(i, n, [&](size_t k) { return initial[k] | high[k]; });
    }

    // The words that start in [a, b), a stretch of ASCII bytes no word
    // crosses into or out of (only with apostrophes): runs of ASCII word
    // characters, less those an apostrophe joins to the run before it
    // ("iran's" is one word).
    size_t count_words(size_t a, size_t b) const {
        size_t count = 0;
        for (size_t k = a / 64; k * 64 < b; ++k) {
            const uint64_t before1 = word[k] << 1 | (k > 0 ? word[k - 1] >> 63 : 0);
            const uint64_t before2 = word[k] << 2 | (k > 0 ? word[k - 1] >> 62 : 0);
            const uint64_t apos1 = apos[k] << 1 | (k > 0 ? apos[k - 1] >> 63 : 0);
            uint64_t starts = word[k] & ~before1 & ~(apos1 & before2);
            if (k * 64 < a) starts &= ~uint64_t(0) << (a - k * 64);
            if (b - k * 64 < 64) starts &= (uint64_t(1) << (b - k * 64)) - 1;
            count += static_cast<size_t>(__builtin_popcountll(starts));
        }
        return count;
    }

private:
    // The first byte at or after `i` (before `n`) whose bit is set in
    // bits(i / 64), or `n`.
    template <class Bits>
    static size_t first(size_t i, size_t n, Bits bits) {
        for (; i < n; i = (i / 64 + 1) * 64)
            if (uint64_t rest = bits(i / 64) >> (i % 64)) return std::min(n, i + __builtin_ctzll(rest));
        return n;
    }
};

// Words as Xapian's TermGenerator splits them: runs of word characters,
// an apostrophe inside a word kept ("iran's"). Only words whose first byte
// lower-cased is in `initial` (or is not ASCII) are listed, lower-cased;
// the others cannot match a query term and are left out (and, when the
// initials are a few ASCII characters, mostly not even read: the scan
// jumps from one byte that may start a kept word to the next). With
// `positions` (phrases need them) each listed word has its place among all
// the words, the ones jumped over counted from ByteClasses. ASCII is read
// through ByteClasses; Xapian's Unicode tables only for the rest.
Words split_words(const std::string& text, const std::array<bool, 256>& initial, bool positions) {
    Words out;
    std::string& lowered = out.lowered;
    const size_t n = text.size();
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    std::string initials; // (when the jumps can be taken)
    for (int c = 0; c < 0x80; ++c)
        if (initial[c]) initials += static_cast<char>(c);
    if (initials.size() > 8) initials.clear(); // (too many to pay)
    out.list.reserve(initials.empty() ? text.size() / 5 : 16);
    lowered.reserve(initials.empty() ? text.size() : 256);
    const ByteClasses classes(text, initials, positions);
    uint32_t words_before = 0; // words before the one read next
    auto lower = [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); };
    // The word at byte `i` (an ASCII word character, or the start of a
    // UTF-8 sequence): listed when kept, counted always; returns where reading
    // goes on (its end, or past a character that is no word's).
    auto word_at = [&](size_t i) __attribute__((always_inline)) {
        unsigned ch = p[i];
        size_t len = 1;
        if (ch >= 0x80) {
            len = char_at(text, i, ch);
            if (!is_wordchar(ch)) return i + len;
        }
        Word w;
        w.begin = static_cast<uint32_t>(i);
        w.lower = static_cast<uint32_t>(lowered.size());
        w.pos = words_before++;
        const bool keep = ch >= 0x80 || initial[static_cast<unsigned char>(lower(static_cast<unsigned char>(ch)))];
        for (;;) {
            // A run of ASCII word characters, then what may continue the
            // word: another word character, or an apostrophe before one.
            const size_t j = classes.word_end(i, n);
            if (keep) {
                const size_t at = lowered.size();
                lowered.append(text, i, j - i);
                for (size_t k = at; k < lowered.size(); ++k) lowered[k] = lower(static_cast<unsigned char>(lowered[k]));
            }
            i = j;
            if (i >= n) break;
            ch = p[i];
            len = 1;
            if (ch >= 0x80) {
                len = char_at(text, i, ch);
                if (is_wordchar(ch)) {
                    if (keep) Xapian::Unicode::append_utf8(lowered, Xapian::Unicode::tolower(ch));
                    i += len;
                    continue;
                }
            }
            if ((ch == '\'' || ch == 0x2019) && i + len < n) {
                unsigned next;
                char_at(text, i + len, next);
                if (is_wordchar(next)) {
                    if (keep) lowered += '\'';
                    i += len;
                    continue;
                }
            }
            break;
        }
        w.end = static_cast<uint32_t>(i);
        w.size = static_cast<uint32_t>(lowered.size() - w.lower);
        if (keep) out.list.push_back(w);
        return i;
    };
    // An ASCII byte that no word goes on through: before one, a word starts.
    auto separator = [&](size_t k) {
        const unsigned char c = p[k];
        return c < 0x80 && c != '\'' && !(classes.word[k / 64] >> (k % 64) & 1);
    };
    size_t i = 0; // read up to here (not inside a word)
    if (initials.empty()) {
        while ((i = classes.next_candidate(i, n)) < n) i = word_at(i);
        return out;
    }
    for (;;) {
        const size_t c = classes.next_initial(i, n);
        if (c >= n) break;
        if (c == i || separator(c - 1)) {
            if (positions) words_before += static_cast<uint32_t>(classes.count_words(i, c));
            i = word_at(c);
            continue;
        }
        // Byte c may be inside a word that started before it: read every
        // word from the last separator before it, up to and past c.
        size_t r = c;
        while (r > i && !separator(r - 1)) --r;
        if (positions) words_before += static_cast<uint32_t>(classes.count_words(i, r));
        i = r;
        while ((i = classes.next_candidate(i, n)) <= c) i = word_at(i);
    }
    return out;
}

// The word part of a body or title term: "Zstem" stays, "Sword" -> "word",
// "ZSstem" -> "Zstem"; other prefixes are not words.
bool word_term(const std::string& term, std::string& out) {
    if (term.empty()) return false;
    auto lower = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || static_cast<unsigned char>(c) >= 0x80;
    };
    if (lower(term[0])) {
        out = term;
        return true;
    }
    if (term.size() > 1 && term[0] == 'Z' && lower(term[1])) {
        out = term;
        return true;
    }
    if (term.size() > 1 && term[0] == 'S' && lower(term[1])) {
        out = term.substr(1);
        return true;
    }
    if (term.size() > 2 && term[0] == 'Z' && term[1] == 'S' && lower(term[2])) {
        out = "Z" + term.substr(2);
        return true;
    }
    return false;
}

// Appends `s` HTML-escaped, white space runs as one space; a run that spans
// a paragraph break (two newlines) stays "\n\n" so formatters can show it.
void append_text(std::string& out, std::string_view s) {
    auto space = [](char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; };
    for (size_t i = 0; i < s.size();) {
        size_t j = i;
        while (j < s.size() && !space(s[j])) ++j;
        append_html_escaped(out, s.substr(i, j - i));
        if (j == s.size()) break;
        int newlines = 0;
        for (i = j; i < s.size() && space(s[i]); ++i) newlines += s[i] == '\n';
        out += newlines >= 2 ? "\n\n" : " ";
    }
}

std::vector<std::string> leaf_terms(const Xapian::Query& q) {
    std::vector<std::string> out;
    for (auto t = q.get_terms_begin(); t != q.get_terms_end(); ++t) out.push_back(*t);
    return out;
}

} // namespace

Snippeter::Snippeter(const Xapian::Query& query) {
    collect(query, false);
    // First bytes of the words that can match: a stem starts as its word
    // does, "Zoil" as "oil".
    auto note = [&](const std::string& t) {
        if (t.size() > 1 && t[0] == 'Z') {
            stem_initial_[static_cast<unsigned char>(t[1])] = true;
            // The English stemmer rewrites at most the last two letters of
            // what it keeps (dying -> die), so only words that start with
            // the stem but for its last two letters can stem to it. Nor is
            // a stem ever longer than its word (the algorithm only takes off
            // or swaps endings), so "of" is not "oil".
            stem_heads_.push_back({t.substr(1, std::max<size_t>(1, t.size() - 3)), t.size() - 1});
            word_initial_[static_cast<unsigned char>(t[1])] = true;
        } else if (!t.empty()) {
            word_initial_[static_cast<unsigned char>(t[0])] = true;
        }
    };
    for (const auto& w : words_) note(w);
    for (const auto& w : wildcards_) note(w);
    for (const auto& p : phrases_)
        for (const auto& w : p.terms) note(w);
}

const std::string& Snippeter::stem_of(std::string_view lower) const {
    static const std::string none;
    if (lower.empty() || !stem_initial_[static_cast<unsigned char>(lower[0])]) return none;
    key_.assign(lower.data(), lower.size()); // (a lookup without allocating)
    auto it = stems_.find(key_);
    if (it == stems_.end()) it = stems_.emplace(key_, "Z" + stem_(key_)).first;
    return it->second;
}

void Snippeter::collect(const Xapian::Query& q, bool filter_side) {
    const auto op = q.get_type();
    if (op == Xapian::Query::LEAF_TERM) {
        for (const std::string& t : leaf_terms(q)) {
            std::string w;
            if (t.rfind(schema::kEntityPrefix, 0) == 0 || t.rfind(schema::kSurnamePrefix, 0) == 0)
                entities_.push_back(t);
            else if (!filter_side && word_term(t, w))
                words_.push_back(w);
        }
        return;
    }
    if (op == Xapian::Query::OP_WILDCARD) {
        // The pattern is only reachable through the description:
        // "Query(WILDCARD SYNONYM kurd)".
        std::string d = q.get_description();
        size_t close = d.rfind(')'), space = d.rfind(' ', close);
        if (!filter_side && close != std::string::npos && space != std::string::npos) {
            std::string w;
            if (word_term(d.substr(space + 1, close - space - 1), w)) wildcards_.push_back(w);
        }
        return;
    }
    if (op == Xapian::Query::OP_PHRASE || op == Xapian::Query::OP_NEAR) {
        if (filter_side) return;
        Phrase p;
        for (const std::string& t : leaf_terms(q)) {
            std::string w;
            if (word_term(t, w)) p.terms.push_back(w);
        }
        p.ordered = op == Xapian::Query::OP_PHRASE;
        p.window = p.ordered ? p.terms.size() : p.terms.size() + 9; // QueryParser's NEAR default
        if (!p.terms.empty()) phrases_.push_back(std::move(p));
        return;
    }
    size_t n = q.get_num_subqueries();
    for (size_t i = 0; i < n; ++i) {
        // Words after NOT are what the reader did not want: never marked.
        if (i > 0 && op == Xapian::Query::OP_AND_NOT) break;
        bool filter = filter_side || (i > 0 && op == Xapian::Query::OP_FILTER);
        collect(q.get_subquery(i), filter);
    }
}

bool Snippeter::word_matches(std::string_view lower, const std::string& stemmed, const std::string& term) const {
    return term == lower || term == stemmed;
}

void Snippeter::collect_marks(const StoredArticle& a, std::vector<std::pair<size_t, size_t>>& marks,
                              std::vector<int>& part_of_mark) const {
    const std::string& text = a.body.empty() ? a.title : a.body;
    // (Only phrases need the words' positions; a query of entities alone
    // needs no words.)
    const Words split = words_.empty() && wildcards_.empty() && phrases_.empty()
                            ? Words {}
                            : split_words(text, word_initial_, !phrases_.empty());
    const std::vector<Word>& words = split.list;
    std::vector<const std::string*> stems(words.size());
    static const std::string none;
    for (size_t i = 0; i < words.size(); ++i) {
        const std::string_view lower = split.lower(i);
        stems[i] = &none;
        if (lower.empty() || !stem_initial_[static_cast<unsigned char>(lower[0])]) continue;
        for (const StemHead& h : stem_heads_)
            if (lower.size() >= h.size && lower.compare(0, h.head.size(), h.head) == 0) {
                stems[i] = &stem_of(lower);
                break;
            }
    }

    std::vector<char> marked(words.size(), 0);
    int part = 0;
    // Each word takes the first free term it matches (as itself or by its
    // stem), looked up by hash: a wildcard may have expanded to thousands.
    if (!words_.empty()) {
        if (word_part_.empty())
            for (size_t t = 0; t < words_.size(); ++t) word_part_.emplace(words_[t], static_cast<int>(t));
        std::vector<std::pair<size_t, int>> hits; // word, part: in part order, as one loop per term gave them
        for (size_t i = 0; i < words.size(); ++i) {
            int best = -1;
            for (std::string_view form : {split.lower(i), std::string_view(*stems[i])}) {
                auto it = form.empty() ? word_part_.end() : word_part_.find(std::string(form));
                if (it != word_part_.end() && (best < 0 || it->second < best)) best = it->second;
            }
            if (best >= 0) hits.emplace_back(i, best);
        }
        std::stable_sort(hits.begin(), hits.end(), [](const auto& x, const auto& y) { return x.second < y.second; });
        for (const auto& [i, p] : hits) {
            marked[i] = 1;
            marks.emplace_back(words[i].begin, words[i].end);
            part_of_mark.push_back(p);
        }
        part = static_cast<int>(words_.size());
    }
    for (const std::string& prefix : wildcards_) {
        for (size_t i = 0; i < words.size(); ++i)
            if (!marked[i] && split.lower(i).substr(0, prefix.size()) == prefix) {
                marked[i] = 1;
                marks.emplace_back(words[i].begin, words[i].end);
                part_of_mark.push_back(part);
            }
        ++part;
    }
    for (const Phrase& p : phrases_) {
        size_t k = p.terms.size();
        for (size_t i = 0; i < words.size(); ++i) {
            std::vector<size_t> at;
            if (p.ordered) {
                // k listed words in a row with no other word between them.
                if (i + k > words.size()) break;
                bool ok = true;
                for (size_t j = 0; j < k && ok; ++j)
                    ok = words[i + j].pos == words[i].pos + j &&
                         word_matches(split.lower(i + j), *stems[i + j], p.terms[j]);
                if (!ok) continue;
                for (size_t j = 0; j < k; ++j) at.push_back(i + j);
            } else {
                // Every term somewhere in the window starting at word i, in
                // any order (NEAR is unordered). The window starts with a
                // match or not at all.
                bool starts = false;
                for (size_t t = 0; t < k && !starts; ++t) starts = word_matches(split.lower(i), *stems[i], p.terms[t]);
                if (!starts) continue;
                std::vector<char> found(k, 0);
                for (size_t j = i; j < words.size() && words[j].pos < words[i].pos + p.window; ++j)
                    for (size_t t = 0; t < k; ++t)
                        if (!found[t] && word_matches(split.lower(j), *stems[j], p.terms[t])) {
                            if (j == i || !at.empty()) {
                                found[t] = 1;
                                at.push_back(j);
                            }
                            break;
                        }
                if (at.empty() || at[0] != i) continue;
                if (std::count(found.begin(), found.end(), 1) != static_cast<long>(k)) continue;
            }
            for (size_t j : at)
                if (!marked[j]) {
                    marked[j] = 1;
                    marks.emplace_back(words[j].begin, words[j].end);
                    part_of_mark.push_back(part);
                }
        }
        ++part;
    }
    if (!entities_.empty() && !a.body.empty()) {
        for (const StoredEntity& e : a.entities) {
            if (e.end > text.size() || e.begin >= e.end) continue;
            // The mention's entity term, or its surname term (person:Trump).
            auto found = std::find(entities_.begin(), entities_.end(), schema::entity_term(e.type, e.name));
            const std::string_view surname = schema::person_surname(e.name);
            if (found == entities_.end() && e.type == schema::kTypePerson && !surname.empty())
                found = std::find(entities_.begin(), entities_.end(), schema::surname_term(surname));
            if (found == entities_.end()) continue;
            marks.emplace_back(e.begin, e.end);
            part_of_mark.push_back(part + static_cast<int>(found - entities_.begin()));
        }
    }
}

std::vector<std::pair<size_t, size_t>> Snippeter::marks(const StoredArticle& a) const {
    std::vector<std::pair<size_t, size_t>> marks, out;
    std::vector<int> parts;
    collect_marks(a, marks, parts);
    std::sort(marks.begin(), marks.end());
    // (An entity's mention may cover a word marked on its own.)
    for (const auto& m : marks) {
        if (!out.empty() && m.first < out.back().second)
            out.back().second = std::max(out.back().second, m.second);
        else
            out.push_back(m);
    }
    return out;
}

std::string Snippeter::snippet(const StoredArticle& a) const {
    const std::string& text = a.body.empty() ? a.title : a.body;
    // Marked byte ranges, and which query part each came from.
    std::vector<std::pair<size_t, size_t>> marks;
    std::vector<int> part_of_mark;
    collect_marks(a, marks, part_of_mark);

    // Best passage: the window of kLength bytes holding the most distinct
    // query parts, then the most marks; it starts a little before its first
    // mark, at a sentence start when one is near.
    std::vector<size_t> order(marks.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return marks[x].first < marks[y].first; });
    size_t start = 0;
    if (!order.empty()) {
        long best = -1;
        size_t best_end = 0; // end of the last mark in the best window
        std::vector<int> parts;
        for (size_t i = 0; i < order.size(); ++i) {
            size_t from = marks[order[i]].first;
            parts.clear();
            long count = 0;
            size_t last_end = from;
            for (size_t j = i; j < order.size() && marks[order[j]].second <= from + kLength - 40; ++j) {
                parts.push_back(part_of_mark[order[j]]);
                last_end = marks[order[j]].second;
                ++count;
            }
            std::sort(parts.begin(), parts.end());
            long distinct = std::unique(parts.begin(), parts.end()) - parts.begin();
            long score = distinct * 1000 + count;
            if (score > best) {
                best = score;
                start = from;
                best_end = last_end;
            }
        }
        // When the passage fits from the top, show the lead too.
        if (best_end + 20 <= kLength) start = 0;
        // Back up to the sentence start if it is close, else a few words.
        size_t back = start > 120 ? start - 120 : 0;
        size_t sentence = std::string::npos;
        for (size_t p = start; p > back; --p) {
            char c = text[p - 1];
            if ((c == '.' || c == '!' || c == '?' || c == '\n') && (p == start || text[p] == ' ' || text[p] == '\n')) {
                sentence = p;
                break;
            }
        }
        if (start <= 120 && sentence == std::string::npos)
            start = 0;
        else if (sentence != std::string::npos)
            start = sentence;
        else {
            size_t s = start > 40 ? start - 40 : 0;
            while (s < start && text[s] != ' ') ++s;
            start = s;
        }
        while (start < text.size() && (text[start] == ' ' || text[start] == '\n')) ++start;
    }
    size_t stop = std::min(text.size(), start + kLength);
    if (stop < text.size()) {
        size_t space = text.rfind(' ', stop);
        if (space != std::string::npos && space > start + kLength / 2) stop = space;
        while (stop > start && (static_cast<unsigned char>(text[stop]) & 0xC0) == 0x80) --stop;
    }

    // Emit: escape, wrap each marked word.
    std::sort(marks.begin(), marks.end());
    std::string out;
    if (start > 0) out += "\u2026";
    size_t pos = start;
    out.reserve(kLength + 256);
    auto emit_text = [&](size_t from, size_t to) { append_text(out, std::string_view(text).substr(from, to - from)); };
    for (size_t i = 0; i < marks.size(); ++i) {
        size_t b = marks[i].first, e = marks[i].second;
        if (e <= pos || b >= stop) continue;
        b = std::max(b, pos);
        e = std::min(e, stop);
        emit_text(pos, b);
        out += "<mark>";
        emit_text(b, e);
        out += "</mark>";
        pos = e;
    }
    emit_text(pos, stop);
    if (stop < text.size()) out += "\u2026";
    return out;
}

} // namespace news
