// Tokeniser, case and shape helpers for the entity tagger (see ner_text.h).
#include "common/ner_text.h"

#include <algorithm>
#include <array>

namespace news::ner {

namespace {

// Decodes the code point at `i` (len set to its byte length); invalid bytes
// decode as themselves, one byte long.
uint32_t decode(std::string_view s, size_t i, size_t& len) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        len = 1;
        return b0;
    }
    int n = 0;
    uint32_t cp = 0;
    if ((b0 & 0xE0) == 0xC0) {
        n = 1;
        cp = b0 & 0x1F;
    } else if ((b0 & 0xF0) == 0xE0) {
        n = 2;
        cp = b0 & 0x0F;
    } else if ((b0 & 0xF8) == 0xF0) {
        n = 3;
        cp = b0 & 0x07;
    } else {
        len = 1;
        return b0;
    }
    for (int k = 1; k <= n; ++k) {
        if (i + k >= s.size()) {
            len = 1;
            return b0;
        }
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) {
            len = 1;
            return b0;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    len = static_cast<size_t>(n) + 1;
    return cp;
}

bool is_space(uint32_t c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0xA0 ||
           (c >= 0x2000 && c <= 0x200B) || c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

bool is_digit(uint32_t c) { return c >= '0' && c <= '9'; }

bool is_punct(uint32_t c) {
    if (c < 0x80) {
        return !(is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) && c > ' ';
    }
    return (c >= 0xA1 && c <= 0xBF) || c == 0xD7 || c == 0xF7 || (c >= 0x2010 && c <= 0x205E) ||
           (c >= 0x20A0 && c <= 0x20CF) || (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF01 && c <= 0xFF0F);
}

bool is_word(uint32_t c) { return !is_space(c) && !is_punct(c); }

bool is_letter(uint32_t c) { return is_word(c) && !is_digit(c); }

bool is_apostrophe(uint32_t c) { return c == '\'' || c == 0x2019 || c == 0x2018 || c == 0x2032; }

bool is_hyphen(uint32_t c) { return c == '-' || c == 0x2010 || c == 0x2011; }

// Upper/lower case for ASCII, Latin-1 and Latin Extended-A.
bool cp_upper(uint32_t c) {
    if (c >= 'A' && c <= 'Z') return true;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return true;
    if (c >= 0x100 && c <= 0x17F) return (c % 2) == 0 && c != 0x138;
    if (c >= 0x391 && c <= 0x3A9) return true; // Greek
    if (c >= 0x410 && c <= 0x42F) return true; // Cyrillic
    return false;
}

bool cp_lower(uint32_t c) {
    if (c >= 'a' && c <= 'z') return true;
    if (c >= 0xDF && c <= 0xFF && c != 0xF7) return true;
    if (c >= 0x100 && c <= 0x17F) return (c % 2) == 1;
    if (c >= 0x3B1 && c <= 0x3C9) return true;
    if (c >= 0x430 && c <= 0x44F) return true;
    return false;
}

uint32_t cp_to_lower(uint32_t c) {
    if (c >= 'A' && c <= 'Z') return c + 32;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
    if (c >= 0x100 && c <= 0x17F && (c % 2) == 0 && c != 0x138) return c + 1;
    if (c >= 0x391 && c <= 0x3A9) return c + 32;
    if (c >= 0x410 && c <= 0x42F) return c + 32;
    return c;
}

void append_utf8(std::string& out, uint32_t c) {
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (c >> 12)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (c >> 18)));
        out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
}

// Abbreviations whose final period belongs to the word (CoNLL keeps "Mr.",
// "Inc.", "U.S." whole).
bool is_abbreviation(std::string_view w) {
    static constexpr std::array<std::string_view, 44> kAbbrev = {
        "Mr",  "Mrs", "Ms",   "Dr",  "St",  "Jr",  "Sr",  "Inc",  "Corp", "Co",     "Ltd",
        "Gen", "Sen", "Rep",  "Gov", "Lt",  "Col", "Sgt", "Capt", "Prof", "Rev",    "No",
        "vs",  "Jan", "Feb",  "Mar", "Apr", "Aug", "Sep", "Sept", "Oct",  "Nov",    "Dec",
        "Mt",  "Ft",  "Bros", "Plc", "Pty", "Cie", "Adm", "Maj",  "Brig", "Messrs", "Ave"};
    if (std::find(kAbbrev.begin(), kAbbrev.end(), w) != kAbbrev.end()) return true;
    // Single letters and letter-dot runs: "J", "U.S", "e.g".
    size_t run = 0;
    for (char c : w) {
        if (c == '.') {
            if (run != 1) return false;
            run = 0;
        } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
            ++run;
        } else {
            return false;
        }
    }
    return run == 1;
}

bool ends_sentence(std::string_view norm) { return norm == "." || norm == "?" || norm == "!" || norm == "..."; }

bool is_closing(std::string_view norm) {
    return norm == "\"" || norm == "'" || norm == ")" || norm == "]" || norm == "''";
}

class Tokenizer {
public:
    Tokenizer(std::string_view text, const HyphenSplit& split) : s_(text), split_(split) {}

    std::vector<Token> run() {
        size_t i = 0;
        bool paragraph = true;
        int newlines = 0;
        while (i < s_.size()) {
            size_t len = 0;
            const uint32_t c = decode(s_, i, len);
            if (is_space(c)) {
                if (c == '\n') {
                    if (++newlines >= 2) paragraph = true;
                }
                i += len;
                continue;
            }
            newlines = 0;
            size_t end = i;
            while (end < s_.size()) {
                size_t l2 = 0;
                if (is_space(decode(s_, end, l2))) break;
                end += l2;
            }
            const size_t first = out_.size();
            chunk(i, end);
            if (paragraph && out_.size() > first) {
                out_[first].sentence_start = true;
                paragraph = false;
            }
            i = end;
        }
        mark_sentences();
        return std::move(out_);
    }

private:
    uint32_t at(size_t i, size_t& len) const { return decode(s_, i, len); }
    uint32_t at(size_t i) const {
        size_t len = 0;
        return i < s_.size() ? decode(s_, i, len) : ' ';
    }

    void emit(size_t b, size_t e) {
        Token t;
        t.begin = static_cast<uint32_t>(b);
        t.end = static_cast<uint32_t>(e);
        t.norm = normalize_token(s_.substr(b, e - b));
        out_.push_back(std::move(t));
    }

    // Length of a clitic ("'s", "'re", "n't" handled elsewhere) starting with
    // an apostrophe at `i` and ending the word, or 0.
    size_t clitic_at(size_t i, size_t end) const {
        size_t len = 0;
        if (!is_apostrophe(at(i, len))) return 0;
        size_t j = i + len;
        size_t k = j;
        while (k < end && k - j < 3) {
            size_t l2 = 0;
            const uint32_t c = at(k, l2);
            if (!is_letter(c)) break;
            k += l2;
        }
        if (k < end && is_word(at(k))) return 0;
        std::string w = lower(s_.substr(j, k - j));
        if (w == "s" || w == "re" || w == "ve" || w == "ll" || w == "m" || w == "d") return k - i;
        return 0;
    }

    // One white-space delimited chunk.
    void chunk(size_t b, size_t e) {
        size_t i = b;
        while (i < e) {
            size_t len = 0;
            const uint32_t c = at(i, len);
            if (is_word(c)) {
                i = word(i, e);
                continue;
            }
            if (size_t cl = clitic_at(i, e); cl > 0 && i > b) {
                emit(i, i + cl);
                i += cl;
                continue;
            }
            // Runs of the same punctuation ("--", "...", "``") stay one token.
            size_t j = i + len;
            if (c == '-' || c == '.' || c == '`' || c == '\'' || c == '=' || c == '*') {
                while (j < e && static_cast<uint32_t>(static_cast<unsigned char>(s_[j])) == c) ++j;
            }
            emit(i, j);
            i = j;
        }
    }

    // A word starting at `b`; returns where it ended.
    size_t word(size_t b, size_t e) {
        size_t i = b;
        size_t part_begin = b; // start of the current hyphen-separated part
        while (i < e) {
            size_t len = 0;
            const uint32_t c = at(i, len);
            if (is_word(c)) {
                i += len;
                continue;
            }
            if (i + len >= e) break;
            size_t l2 = 0;
            const uint32_t n = at(i + len, l2);
            if (!is_word(n)) break;
            size_t lp = 0;
            const uint32_t p = prev_cp(i, lp);
            bool keep = false;
            if (c == '.') {
                keep = (is_digit(p) && is_digit(n)) || (is_letter(p) && is_letter(n));
            } else if (c == ',' || c == ':' || c == '/') {
                keep = is_digit(p) && is_digit(n);
            } else if (c == '&') {
                keep = is_letter(p) && is_letter(n) && cp_upper(n);
            } else if (is_apostrophe(c)) {
                keep = is_letter(n) && clitic_at(i, e) == 0;
            } else if (is_hyphen(c)) {
                keep = true;
                if (split_) {
                    size_t k = i + len;
                    while (k < e) {
                        size_t l3 = 0;
                        if (!is_word(at(k, l3))) break;
                        k += l3;
                    }
                    if (split_(s_.substr(part_begin, i - part_begin), s_.substr(i + len, k - i - len))) {
                        keep = false;
                    }
                }
                if (keep) part_begin = i + len;
            }
            if (!keep) break;
            i += len;
        }
        // A final period that belongs to an abbreviation.
        if (i < e && s_[i] == '.' && is_abbreviation(s_.substr(b, i - b))) ++i;
        const std::string_view w = s_.substr(b, i - b);
        // "don't" -> "do" "n't".
        if (w.size() > 3) {
            const std::string tail = lower(w.substr(w.size() - 3));
            if (tail == "n't") {
                emit(b, i - 3);
                emit(i - 3, i);
                return i;
            }
        }
        if (w.size() > 5) {
            const std::string tail = lower(w.substr(w.size() - 5));
            if (tail == "n\xE2\x80\x99t") {
                emit(b, i - 5);
                emit(i - 5, i);
                return i;
            }
        }
        emit(b, i);
        return i;
    }

    uint32_t prev_cp(size_t i, size_t& len) const {
        size_t k = i;
        do {
            --k;
        } while (k > 0 && (static_cast<unsigned char>(s_[k]) & 0xC0) == 0x80);
        return decode(s_, k, len);
    }

    void mark_sentences() {
        for (size_t k = 1; k < out_.size(); ++k) {
            size_t p = k - 1;
            while (p > 0 && is_closing(out_[p].norm)) --p;
            if (ends_sentence(out_[p].norm) && !is_closing(out_[k].norm)) {
                out_[k].sentence_start = true;
            }
        }
        if (!out_.empty()) out_[0].sentence_start = true;
    }

    std::string_view s_;
    const HyphenSplit& split_;
    std::vector<Token> out_;
};

} // namespace

std::vector<Token> tokenize(std::string_view text, const HyphenSplit& split_hyphen) {
    return Tokenizer(text, split_hyphen).run();
}

std::string normalize_token(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    size_t i = 0;
    while (i < raw.size()) {
        size_t len = 0;
        const uint32_t c = decode(raw, i, len);
        switch (c) {
        case 0x2018:
        case 0x2019:
        case 0x2032:
        case 0x201A: out.push_back('\''); break;
        case 0x201C:
        case 0x201D:
        case 0x201E:
        case 0x00AB:
        case 0x00BB:
        case 0x2033: out.push_back('"'); break;
        case 0x2014:
        case 0x2015: out += "--"; break;
        case 0x2010:
        case 0x2011:
        case 0x2012:
        case 0x2013:
        case 0x2212: out.push_back('-'); break;
        case 0x2026: out += "..."; break;
        default: out.append(raw.substr(i, len));
        }
        i += len;
    }
    return out;
}

void lower_into(std::string_view s, std::string& out) {
    out.clear();
    size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x80) {
            out.push_back(static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b));
            ++i;
            continue;
        }
        size_t len = 0;
        const uint32_t c = decode(s, i, len);
        if (len > 1 && cp_upper(c)) {
            append_utf8(out, cp_to_lower(c));
        } else {
            out.append(s.substr(i, len));
        }
        i += len;
    }
}

std::string lower(std::string_view s) {
    std::string out;
    lower_into(s, out);
    return out;
}

void shape_into(std::string_view s, std::string& out, bool collapse) {
    out.clear();
    char last = 0;
    int run = 0;
    size_t i = 0;
    while (i < s.size()) {
        size_t len = 0;
        const uint32_t c = decode(s, i, len);
        char k;
        if (is_digit(c)) {
            k = 'd';
        } else if (cp_upper(c)) {
            k = 'X';
        } else if (cp_lower(c)) {
            k = 'x';
        } else if (c < 0x80) {
            k = static_cast<char>(c);
        } else if (is_punct(c)) {
            k = '*';
        } else {
            k = 'x';
        }
        i += len;
        if (k == last) {
            ++run;
            if (collapse || run > 4) continue;
        } else {
            run = 1;
        }
        out.push_back(k);
        last = k;
    }
}

bool starts_upper(std::string_view s) {
    if (s.empty()) return false;
    size_t len = 0;
    return cp_upper(decode(s, 0, len));
}

bool has_letter(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        size_t len = 0;
        if (is_letter(decode(s, i, len))) return true;
        i += len;
    }
    return false;
}

bool all_upper(std::string_view s) {
    bool any = false;
    size_t i = 0;
    while (i < s.size()) {
        size_t len = 0;
        const uint32_t c = decode(s, i, len);
        if (cp_lower(c)) return false;
        if (cp_upper(c)) any = true;
        i += len;
    }
    return any;
}

uint64_t hash_bytes(std::string_view s, uint64_t seed) {
    uint64_t h = 14695981039346656037ULL ^ mix64(seed + 0x1234567ULL);
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    return mix64(h);
}

} // namespace news::ner
