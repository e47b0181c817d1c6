#include "common/boilerplate.h"

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

namespace news {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

void blank(std::string& s, size_t b, size_t e) {
    for (size_t i = b; i < e && i < s.size(); ++i) {
        if (s[i] != '\n') s[i] = ' ';
    }
}

size_t skip_spaces(std::string_view t, size_t i) {
    while (i < t.size() && is_space(t[i])) ++i;
    return i;
}

size_t count_words(std::string_view s) {
    size_t n = 0;
    bool in = false;
    for (char c : s) {
        const bool w = !is_space(c);
        if (w && !in) ++n;
        in = w;
    }
    return n;
}

bool starts_with_ci(std::string_view s, std::string_view p) {
    if (s.size() < p.size()) return false;
    for (size_t i = 0; i < p.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(s[i])) != p[i]) return false;
    }
    return true;
}

// A dash that ends a dateline, with the space after it: "-", "--", "—", "–".
size_t dash_end(std::string_view t, size_t i) {
    i = skip_spaces(t, i);
    size_t e = i;
    if (t.substr(i, 2) == "--") {
        e = i + 2;
    } else if (i < t.size() && t[i] == '-') {
        e = i + 1;
    } else if (t.substr(i, 3) == "\xE2\x80\x94" || t.substr(i, 3) == "\xE2\x80\x93") {
        e = i + 3;
    } else {
        return 0;
    }
    return e < t.size() && is_space(t[e]) ? e : 0;
}

// "(Reuters)", "(AP)": a parenthesised group of at most three words with
// no digits, starting at `i`; returns the index after it or 0.
size_t agency_end(std::string_view t, size_t i) {
    if (i >= t.size() || t[i] != '(') return 0;
    const size_t close = t.find(')', i);
    if (close == std::string_view::npos || close - i > 40) return 0;
    const std::string_view in = t.substr(i + 1, close - i - 1);
    if (count_words(in) == 0 || count_words(in) > 3) return 0;
    if (std::any_of(in.begin(), in.end(), [](char c) { return is_digit(c) || c == '\n'; })) return 0;
    return close + 1;
}

// End of a dateline starting at `i` ("WASHINGTON, March 3 -", "TOKYO
// (Reuters) -", "Paris (AFP) --"), or 0.
size_t dateline_end(std::string_view t, size_t i) {
    size_t j = i, upper = 0, lower = 0, words = 0;
    bool in_word = false;
    while (j < t.size() && j - i < 60) {
        const char c = t[j];
        if (c == ',' || c == '(' || c == '\n' || (c == '-' && j + 1 < t.size() && is_space(t[j + 1]))) break;
        if (is_digit(c)) return 0;
        if (!is_space(c) && !in_word) {
            ++words;
            if (!is_upper(c) && static_cast<unsigned char>(c) < 0x80) return 0; // every word capitalised
        }
        in_word = !is_space(c);
        upper += is_upper(c);
        lower += is_lower(c);
        ++j;
    }
    if (upper == 0 || words == 0 || words > 5) return 0;
    const bool caps = lower == 0 && upper >= 2;
    bool agency = false;
    j = skip_spaces(t, j);
    if (j < t.size() && t[j] == ',') {
        // ", Feb 26" / ", March 3, 2010": a month name and a day.
        size_t k = skip_spaces(t, j + 1);
        const size_t m = k;
        while (k < t.size() && (std::isalpha(static_cast<unsigned char>(t[k])) || t[k] == '.')) ++k;
        if (k - m < 3 || k - m > 10) return 0;
        k = skip_spaces(t, k);
        const size_t d = k;
        while (k < t.size() && (is_digit(t[k]) || t[k] == ',' || t[k] == ' ')) ++k;
        if (k == d) return 0;
        j = k;
    }
    j = skip_spaces(t, j);
    if (const size_t a = agency_end(t, j)) {
        agency = true;
        j = a;
    }
    if (!caps && !agency) return 0; // "Trump said -" is not a dateline
    return dash_end(t, j);
}

// "By Jane Doe and John Roe": "By" and capitalised words, no sentence end.
bool byline(std::string_view line) {
    while (!line.empty() && is_space(line.back())) line.remove_suffix(1);
    if (!starts_with_ci(line, "by ") || line.size() > 80 || line.back() == '.') return false;
    size_t words = 0;
    for (size_t i = 3; i < line.size();) {
        i = skip_spaces(line, i);
        if (i >= line.size()) break;
        const size_t e = std::min(line.find(' ', i), line.size());
        const std::string_view w = line.substr(i, e - i);
        if (!is_upper(w[0]) && w != "and" && w != "in" && w != "of" && w != "for") return false;
        ++words;
        i = e;
    }
    return words >= 1 && words <= 8;
}

std::string_view trim_view(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// "Dave DeCamp, Antiwar.com" -> "Antiwar.com": a name of capitalised
// words, then an outlet of at most four words starting with a capital;
// "" for "(Adds details, updates prices)", which Reuters updates open with.
std::string byline_outlet(std::string_view in) {
    const size_t comma = in.rfind(',');
    const std::string_view name = trim_view(in.substr(0, in.find(','))), outlet = trim_view(in.substr(comma + 1));
    if (outlet.empty() || !is_upper(outlet[0]) || count_words(outlet) > 4 || name.empty()) return "";
    for (size_t i = 0; i < name.size(); ++i)
        if ((i == 0 || is_space(name[i - 1])) && !is_upper(name[i])) return "";
    return std::string(outlet);
}

// The opening's pieces (bylines, "(Name, Outlet)", datelines), each a
// [begin, end) range, with the outlet or agency they name.
Opening opening_of(std::string_view t, std::vector<std::pair<size_t, size_t>>* pieces) {
    Opening o;
    size_t i = skip_spaces(t, 0);
    auto piece = [&](size_t b, size_t e) {
        if (pieces) pieces->emplace_back(b, e);
        o.end = e;
    };
    for (int round = 0; round < 3 && i < t.size(); ++round) {
        const size_t eol = std::min(t.find('\n', i), t.size());
        if (byline(t.substr(i, eol - i))) {
            piece(i, eol); // "By Jane Doe"
            i = skip_spaces(t, eol);
            continue;
        }
        if (t[i] == '(') {
            const size_t close = t.find(')', i);
            if (close != std::string_view::npos && close - i <= 100) {
                const std::string_view in = t.substr(i + 1, close - i - 1);
                if (count_words(in) <= 8 && in.find(',') != std::string_view::npos &&
                    in.find('\n') == std::string_view::npos) {
                    piece(i, close + 1); // "(Dave DeCamp, Antiwar.com)": the outlet is last
                    if (o.source.empty()) o.source = byline_outlet(in);
                    i = skip_spaces(t, close + 1);
                    continue;
                }
            }
        }
        if (const size_t e = dateline_end(t, i)) {
            piece(i, e);
            // "TOKYO (Reuters) -": the agency in brackets.
            const size_t open = t.find('(', i), close = open < e ? t.find(')', open) : std::string_view::npos;
            if (o.source.empty() && close < e) o.source = std::string(trim_view(t.substr(open + 1, close - open - 1)));
            i = skip_spaces(t, e);
            continue;
        }
        break;
    }
    if (o.end) o.end = skip_spaces(t, o.end);
    return o;
}

void mask_opening(std::string_view t, std::string& out) {
    std::vector<std::pair<size_t, size_t>> pieces;
    opening_of(t, &pieces);
    for (const auto& [b, e] : pieces) blank(out, b, e);
}

void mask_closing(std::string_view t, std::string& out) {
    size_t end = t.size();
    bool signed_off = false; // a one-word last line was blanked
    for (int round = 0; round < 4; ++round) {
        while (end > 0 && (is_space(t[end - 1]) || static_cast<unsigned char>(t[end - 1]) < 0x20)) --end;
        if (end == 0) return;
        if (t[end - 1] == ')') {
            // "(Reporting by ...; Editing by ...)".
            const size_t open = t.rfind('(', end - 1);
            if (open == std::string_view::npos || end - open > 400) return;
            const std::string_view in = t.substr(open + 1, std::min<size_t>(end - open - 2, 40));
            bool credit = false;
            for (size_t k = 0; k + 3 <= in.size(); ++k) {
                if (k > 1 && in[k - 1] == ' ' && starts_with_ci(in.substr(k), "by ")) credit = true; // "Reporting by"
            }
            if (!credit) return;
            blank(out, open, end);
            end = open;
            continue;
        }
        // A last line of at most three words, no figures and no sentence
        // end: the sign-off ("Reuter", "-- AP").
        // "... record May 23. REUTER": one word after the last sentence.
        const size_t stop = t.rfind(". ", end - 1);
        if (stop != std::string_view::npos && end - stop <= 16) {
            const std::string_view word = t.substr(stop + 2, end - stop - 2);
            const std::string_view bare = word.substr(0, word.find_last_not_of('.') + 1);
            if (!bare.empty() &&
                std::all_of(bare.begin(), bare.end(), [](char c) { return is_upper(c) || is_lower(c); }) &&
                is_upper(bare[0]) && count_words(word) == 1 && word.find('\n') == std::string_view::npos) {
                blank(out, stop + 2, end);
                return;
            }
        }
        const size_t nl = t.rfind('\n', end - 1);
        if (nl == std::string_view::npos) return;
        const std::string_view line = t.substr(nl + 1, end - nl - 1);
        const char last = line.empty() ? '.' : line.back();
        const bool one_word = count_words(line) == 1; // "Reuter", "Reuter..."
        if (line.size() > 30 || count_words(line) > 3 || (last == '.' && !one_word) || last == '!' || last == '?' ||
            last == '"')
            return;
        if (std::any_of(line.begin(), line.end(), is_digit)) return;
        if (std::none_of(line.begin(), line.end(), [](char c) { return is_upper(c) || is_lower(c); })) return;
        if (signed_off && !one_word) return;
        blank(out, nl + 1, end);
        end = nl;
        // A sign-off given twice ("... February 28. REUTER" + "Reuter"):
        // look once more, for one word only.
        if (!one_word || signed_off) return;
        signed_off = true;
    }
}

bool code_char(char c) { return is_upper(c) || is_digit(c) || c == '.' || c == '^' || c == '=' || c == '-'; }

// Ticker and index codes, which name no one: "<XON>" (Reuters-21578),
// "( ERIC.ST )", "(.SPX)", " .DJI" (Reuters codes); a parenthesised
// acronym ("(ICO)") has no dot and stays.
void mask_codes(std::string_view t, std::string& out) {
    for (size_t i = 0; i < t.size(); ++i) {
        const char c = t[i];
        if (c == '<') {
            size_t e = i + 1;
            while (e < t.size() && e - i <= 13 && (code_char(t[e]) || t[e] == '&' || t[e] == '/')) ++e;
            if (e < t.size() && t[e] == '>' && e > i + 1) blank(out, i, e + 1);
        } else if (c == '(') {
            size_t b = i + 1;
            while (b < t.size() && t[b] == ' ') ++b;
            size_t e = b;
            bool dotted = false;
            while (e < t.size() && e - b <= 12 && code_char(t[e])) {
                dotted = dotted || t[e] == '.' || t[e] == '^' || t[e] == '=';
                ++e;
            }
            size_t close = e;
            while (close < t.size() && t[close] == ' ') ++close;
            if (dotted && e > b + 1 && close < t.size() && t[close] == ')') blank(out, i, close + 1);
        } else if (c == '.' && (i == 0 || t[i - 1] == ' ') && i + 2 < t.size() && is_upper(t[i + 1])) {
            size_t e = i + 1;
            while (e < t.size() && (is_upper(t[e]) || is_digit(t[e]))) ++e;
            if (e - i >= 3 && e - i <= 9 && (e == t.size() || is_space(t[e]) || t[e] == ',')) blank(out, i, e);
        }
    }
}

} // namespace

Opening read_opening(std::string_view text) {
    return opening_of(text.substr(0, std::min<size_t>(text.size(), 400)), nullptr);
}

std::string mask_boilerplate(std::string_view text) {
    std::string out(text);
    mask_codes(text, out);
    const std::string_view head = text.substr(0, std::min<size_t>(text.size(), 400));
    mask_opening(head, out);
    // The closing rules read back from the end, at most a few hundred bytes.
    const size_t from = text.size() > 1200 ? text.size() - 1200 : 0;
    std::string tail(out.substr(from));
    mask_closing(text.substr(from), tail);
    out.replace(from, tail.size(), tail);
    return out;
}

} // namespace news
