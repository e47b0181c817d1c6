#include "common/text.h"

#include <cstdio>
#include <memory>

#include <xapian.h>

#include "common/error.h"

namespace news {
namespace {

// Length of the well-formed UTF-8 sequence starting at s[i], or 0.
size_t utf8_seq_len(std::string_view s, size_t i) {
    auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    if (c < 0x80) return 1;
    size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    if (b(i + 1) < lo || b(i + 1) > hi) return 0;
    for (size_t k = 2; k < n; ++k)
        if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
    return n;
}

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Windows-1252 code points for bytes 0x80..0x9F; 0 where undefined.
constexpr uint16_t kCp1252[32] = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                  0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                  0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

} // namespace

bool is_valid_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        size_t n = utf8_seq_len(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

std::string repair_utf8(std::string_view s, bool* repaired) {
    std::string out;
    out.reserve(s.size() + 16);
    bool changed = false;
    for (size_t i = 0; i < s.size();) {
        size_t n = utf8_seq_len(s, i);
        if (n) {
            out.append(s.data() + i, n);
            i += n;
            continue;
        }
        changed = true;
        auto c = static_cast<unsigned char>(s[i]);
        uint32_t cp = c;
        if (c >= 0x80 && c <= 0x9F) cp = kCp1252[c - 0x80] ? kCp1252[c - 0x80] : 0xFFFD;
        append_utf8(out, cp);
        ++i;
    }
    if (repaired) *repaired = changed;
    return out;
}

bool looks_binary(std::string_view s) {
    size_t sample = std::min<size_t>(s.size(), 8192);
    size_t controls = 0;
    for (size_t i = 0; i < sample; ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c == 0) return true;
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 3) ++controls;
    }
    return sample > 0 && controls * 20 > sample; // more than 5% control bytes
}

std::string strip_controls(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 && c != '\n' && c != '\t' && c != '\r') continue;
        if (u == 0x7F) continue;
        out += c;
    }
    return out;
}

namespace {

// Code points that move or end a line, or reorder the text after them.
bool is_layout_control(uint32_t cp) {
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x200E && cp <= 0x200F) ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

uint32_t decode_utf8(std::string_view s, size_t i, size_t n) {
    static constexpr unsigned char kLead[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    uint32_t cp = static_cast<unsigned char>(s[i]) & kLead[n];
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    return cp;
}

} // namespace

std::string printable(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    char hex[12];
    for (size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const size_t n = utf8_seq_len(s, i);
        if (c == '\\' || c == '\n' || c == '\t' || c == '\r') {
            out += '\\';
            out += c == '\n' ? 'n' : c == '\t' ? 't' : c == '\r' ? 'r' : '\\';
        } else if (n == 0 || c < 0x20 || c == 0x7F) {
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        } else if (n > 1 && is_layout_control(decode_utf8(s, i, n))) {
            std::snprintf(hex, sizeof hex, "\\u%04x", static_cast<unsigned>(decode_utf8(s, i, n)));
            out += hex;
        } else {
            out.append(s, i, n);
        }
        i += n ? n : 1;
    }
    return out;
}

void append_html_escaped(std::string& out, std::string_view s) {
    size_t from = 0; // (runs without a special character are copied whole)
    for (size_t i = 0; i < s.size(); ++i) {
        const char* entity;
        switch (s[i]) {
        case '&': entity = "&amp;"; break;
        case '<': entity = "&lt;"; break;
        case '>': entity = "&gt;"; break;
        case '"': entity = "&quot;"; break;
        case '\'': entity = "&#39;"; break;
        default: continue;
        }
        out.append(s, from, i - from);
        out += entity;
        from = i + 1;
    }
    out.append(s, from, s.size() - from);
}

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    append_html_escaped(out, s);
    return out;
}

namespace {

// Unicode's Case_Ignorable characters, near enough for Final_Sigma: marks,
// format characters, modifier letters and symbols, and the word-internal
// punctuation (MidLetter, MidNumLet, Single_Quote).
bool case_ignorable(unsigned c) {
    using namespace Xapian::Unicode;
    switch (c) {
    case '\'':
    case '.':
    case ':':
    case 0x00B7:
    case 0x0387:
    case 0x055F:
    case 0x05F4:
    case 0x2018:
    case 0x2019:
    case 0x2024:
    case 0x2027:
    case 0xFE13:
    case 0xFE52:
    case 0xFE55:
    case 0xFF07:
    case 0xFF0E:
    case 0xFF1A: return true;
    }
    switch (get_category(c)) {
    case NON_SPACING_MARK:
    case ENCLOSING_MARK:
    case FORMAT:
    case MODIFIER_LETTER:
    case MODIFIER_SYMBOL: return true;
    default: return false;
    }
}

bool cased(unsigned c) {
    using namespace Xapian::Unicode;
    if (case_ignorable(c)) return false;
    auto cat = get_category(c);
    return cat == UPPERCASE_LETTER || cat == LOWERCASE_LETTER || cat == TITLECASE_LETTER || tolower(c) != c ||
           toupper(c) != c;
}

} // namespace

// Unicode's default (root locale) full lower-casing, as ICU does it: each
// character's simple lower case from Xapian's tables (those TermGenerator
// uses), plus the two special cases of SpecialCasing.txt that apply without
// a language: U+0130 -> "i" + U+0307, and a capital sigma that ends a word
// -> final sigma. (The searcher lower-cases queries without loading ICU.)
std::string to_lower(std::string_view s) {
    bool ascii = true;
    std::string out(s);
    for (char& c : out) {
        auto u = static_cast<unsigned char>(c);
        if (u >= 0x80)
            ascii = false;
        else if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    }
    if (ascii) return out;
    std::vector<unsigned> cps;
    for (Xapian::Utf8Iterator it(s.data(), s.size()); it != Xapian::Utf8Iterator(); ++it) cps.push_back(*it);
    out.clear();
    for (size_t i = 0; i < cps.size(); ++i) {
        const unsigned c = cps[i];
        if (c == 0x0130) {
            out += 'i';
            Xapian::Unicode::append_utf8(out, 0x0307);
            continue;
        }
        if (c == 0x03A3) {
            // Final_Sigma: a cased letter before it and none after it
            // (case-ignorable characters between are skipped).
            size_t b = i;
            while (b > 0 && case_ignorable(cps[b - 1])) --b;
            size_t a = i + 1;
            while (a < cps.size() && case_ignorable(cps[a])) ++a;
            bool final = b > 0 && cased(cps[b - 1]) && !(a < cps.size() && cased(cps[a]));
            Xapian::Unicode::append_utf8(out, final ? 0x03C2 : 0x03C3);
            continue;
        }
        Xapian::Unicode::append_utf8(out, Xapian::Unicode::tolower(c));
    }
    return out;
}

std::string_view trim(std::string_view s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

std::string collapse_space(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    bool pending = false;
    for (char c : s) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            pending = !out.empty();
        } else {
            if (pending) out += ' ';
            pending = false;
            out += c;
        }
    }
    return out;
}

std::string cut_at_word(std::string_view s, size_t max_bytes) {
    if (s.size() <= max_bytes) return std::string(s);
    size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    size_t space = s.rfind(' ', cut);
    if (space != std::string_view::npos && space > max_bytes / 2) cut = space;
    std::string out(trim(s.substr(0, cut)));
    while (!out.empty() && (out.back() == ',' || out.back() == ';' || out.back() == ':')) out.pop_back();
    return out + "\u2026";
}

uint64_t fnv1a64(std::string_view s, uint64_t h) {
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    return h;
}

std::string hex64(uint64_t v) {
    static const char* digits = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i) {
        out[static_cast<size_t>(i)] = digits[v & 15];
        v >>= 4;
    }
    return out;
}

} // namespace news
