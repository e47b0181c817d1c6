// The entity tagger behind EntityTagger: tokenise, decode with the shipped
// averaged-perceptron model (ner_model.*), then make the document
// consistent (a name tagged once is tagged everywhere, acronyms defined in
// parentheses follow their expansion) and canonicalise names.
#include "common/entities.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <istream>
#include <mutex>
#include <ostream>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "common/boilerplate.h"
#include "common/error.h"
#include "common/ner_conll.h"
#include "common/ner_model.h"
#include "common/ner_text.h"
#include "common/schema.h"

extern "C" {
extern const char news_ner_model_begin[];
extern const char news_ner_model_end[];
}

namespace news {

using namespace ner;

struct EntityTagger::Impl {
    Model model;
    std::unordered_map<std::string, const AliasEntry*> alias_by_lower;
};

namespace {

std::string_view type_name(int type) {
    switch (type) {
    case kPer: return schema::kTypePerson;
    case kOrg: return schema::kTypeOrg;
    case kLoc: return schema::kTypePlace;
    default: return schema::kTypeMisc;
    }
}

// Model type of a schema or CoNLL type name ("PLACE", "loc"), -1 if none.
int type_of(std::string_view name) {
    const std::string n = lower(name);
    if (n == "person" || n == "per") return kPer;
    if (n == "org") return kOrg;
    if (n == "place" || n == "loc") return kLoc;
    if (n == "misc") return kMisc;
    return -1;
}

// A decoded mention over tokens [b, e).
struct Mention {
    size_t b = 0, e = 0;
    int type = 0;
    std::string canonical;
};

std::vector<Mention> spans_from_labels(const std::vector<uint8_t>& labels) {
    std::vector<Mention> spans;
    size_t i = 0;
    while (i < labels.size()) {
        const int l = labels[i];
        if (l == 0 || (label_pos(l) != kB && label_pos(l) != kU)) {
            ++i;
            continue;
        }
        size_t j = i + 1;
        if (label_pos(l) == kB) {
            while (j < labels.size() && label_type(labels[j]) == label_type(l) &&
                   (label_pos(labels[j]) == kI || label_pos(labels[j]) == kL)) {
                const bool end = label_pos(labels[j]) == kL;
                ++j;
                if (end) break;
            }
        }
        spans.push_back(Mention {i, j, label_type(l), {}});
        i = j;
    }
    return spans;
}

bool is_acronym(std::string_view t) {
    if (t.size() < 2 || t.size() > 10) return false;
    int upper = 0;
    for (char c : t) {
        if (c >= 'A' && c <= 'Z') {
            ++upper;
        } else if (!(c >= '0' && c <= '9') && c != '&' && c != '-') {
            return false;
        }
    }
    return upper >= 2;
}

// Document consistency: a token sequence tagged as an entity somewhere in
// the document is tagged (with its majority type) wherever it appears
// capitalised and untagged; a PERSON's surname alone is that PERSON; an
// acronym defined as "Expansion (ACR)" takes the expansion's type.
void make_consistent(const std::vector<std::string_view>& toks, std::vector<Mention>& spans) {
    FlatMap<std::array<uint16_t, kTypes>> votes;
    size_t max_len = 1;
    auto surface = [&toks](size_t b, size_t e) {
        uint64_t h = 0x51af7d3e2b1c9a45ULL;
        for (size_t i = b; i < e; ++i) h = hash_combine(h, hash_bytes(toks[i]));
        return h;
    };
    for (const Mention& s : spans) {
        ++votes.get(surface(s.b, s.e))[s.type];
        max_len = std::max(max_len, s.e - s.b);
        // "Expansion (ACR)".
        if (s.e + 2 < toks.size() && toks[s.e] == "(" && toks[s.e + 2] == ")" && is_acronym(toks[s.e + 1])) {
            votes.get(surface(s.e + 1, s.e + 2))[s.type] += 2;
        }
    }
    for (const Mention& s : spans) {
        if (s.type == kPer && s.e - s.b >= 2 && starts_upper(toks[s.e - 1]) && toks[s.e - 1].size() > 1) {
            auto& v = votes.get(surface(s.e - 1, s.e));
            if (v[kPer] == 0 && v[kOrg] + v[kLoc] + v[kMisc] == 0) v[kPer] = 1;
        }
    }
    std::vector<char> covered(toks.size(), 0);
    for (const Mention& s : spans) std::fill(covered.begin() + s.b, covered.begin() + s.e, 1);
    std::vector<Mention> added;
    for (size_t i = 0; i < toks.size(); ++i) {
        if (covered[i] || !starts_upper(toks[i])) continue;
        for (size_t len = std::min(max_len, toks.size() - i); len >= 1; --len) {
            bool free = true;
            for (size_t k = i; k < i + len; ++k) free = free && !covered[k];
            if (!free) continue;
            const auto* v = votes.find(surface(i, i + len));
            if (!v) continue;
            int best = 0;
            for (int t = 1; t < kTypes; ++t) {
                if ((*v)[t] > (*v)[best]) best = t;
            }
            // Do not extend into a longer capitalised run ("Trump Tower").
            if (i + len < toks.size() && !covered[i + len] && starts_upper(toks[i + len]) && len == 1 && best != kPer) {
                break;
            }
            added.push_back(Mention {i, i + len, best, {}});
            std::fill(covered.begin() + i, covered.begin() + i + len, 1);
            i += len - 1;
            break;
        }
    }
    spans.insert(spans.end(), added.begin(), added.end());
    std::sort(spans.begin(), spans.end(), [](const Mention& a, const Mention& b) { return a.b < b.b; });
}

// A place or MISC name directly followed by an ORG name on the same line is
// one organisation: "Wall Street" + "Journal", "Kurdistan" + "Freedom Party".
void merge_adjacent(const std::vector<Token>& tokens, std::vector<Mention>& spans) {
    std::vector<Mention> out;
    for (Mention& s : spans) {
        if (!out.empty()) {
            Mention& p = out.back();
            const bool touching = p.e == s.b && tokens[s.b].begin == tokens[p.e - 1].end + 1;
            if (touching && s.type == kOrg && (p.type == kLoc || p.type == kMisc) && starts_upper(tokens[s.b].norm)) {
                p.e = s.e;
                p.type = kOrg;
                continue;
            }
        }
        out.push_back(std::move(s));
    }
    spans = std::move(out);
}

bool one_of(std::string_view w, std::initializer_list<const char*> words) {
    return std::any_of(words.begin(), words.end(), [&](const char* x) { return w == x; });
}

// Company-form words that make the name before them an organisation
// ("Rand Mines Properties Ltd", "Mill City Gold Inc").
bool company_suffix(std::string_view t) {
    std::string w = lower(t);
    if (!w.empty() && w.back() == '.') w.pop_back();
    static const char* const kLong[] = {"inc", "ltd", "corp", "plc",     "llc",         "llp",          "gmbh",
                                        "spa", "bhd", "pty",  "limited", "corporation", "incorporated", "oyj"};
    for (const char* k : kLong) {
        if (w == k) return true;
    }
    // Two-letter forms only as written in capitals ("SA", "AG", "Co").
    static const char* const kShort[] = {"co", "sa", "ag", "nv", "bv", "ab", "lp", "kk"};
    for (const char* k : kShort) {
        if (w == k && starts_upper(t)) return true;
    }
    return false;
}

// Makes the names before a company suffix organisations: a mention ending
// in one, or followed by one on the same line (taken in), or an untagged
// capitalised run before one.
void apply_company_suffixes(const std::vector<Token>& tokens, const std::vector<std::string_view>& toks,
                            std::vector<Mention>& spans) {
    std::vector<char> covered(toks.size(), 0);
    for (const Mention& s : spans) std::fill(covered.begin() + s.b, covered.begin() + s.e, 1);
    auto touching = [&](size_t a, size_t b) { return tokens[b].begin <= tokens[a].end + 1; };
    // A suffix inside a mention ends the company: "Mill City Gold Inc" of
    // "Mill City Gold Inc of Toronto"; the rest keeps the mention's type.
    std::vector<Mention> split;
    for (Mention& s : spans) {
        for (size_t k = s.b + 1; k + 1 < s.e; ++k) {
            if (!company_suffix(toks[k])) continue;
            split.push_back(Mention {k + 1, s.e, s.type, {}});
            s.e = k + 1;
            break;
        }
    }
    spans.insert(spans.end(), split.begin(), split.end());
    std::sort(spans.begin(), spans.end(), [](const Mention& a, const Mention& b) { return a.b < b.b; });
    // A mention of suffixes only ("Ltd", "Co Inc") ends the name before it
    // when it touches it, and is no name alone.
    auto only_suffixes = [&](const Mention& s) {
        for (size_t k = s.b; k < s.e; ++k) {
            if (!company_suffix(toks[k])) return false;
        }
        return true;
    };
    std::vector<Mention> kept;
    for (Mention& s : spans) {
        if (only_suffixes(s)) {
            if (!kept.empty() && kept.back().e == s.b && touching(s.b - 1, s.b) && !tokens[s.b].sentence_start) {
                kept.back().e = s.e;
                kept.back().type = kOrg;
            }
            continue;
        }
        kept.push_back(std::move(s));
    }
    spans = std::move(kept);
    std::fill(covered.begin(), covered.end(), 0);
    for (const Mention& s : spans) std::fill(covered.begin() + s.b, covered.begin() + s.e, 1);
    for (Mention& s : spans) {
        if (company_suffix(toks[s.e - 1])) {
            s.type = kOrg;
        } else if (s.e < toks.size() && !covered[s.e] && !tokens[s.e].sentence_start && touching(s.e - 1, s.e) &&
                   company_suffix(toks[s.e])) {
            covered[s.e] = 1;
            ++s.e;
            s.type = kOrg;
        }
    }
    std::vector<Mention> added;
    for (size_t i = 1; i < toks.size(); ++i) {
        if (covered[i] || !company_suffix(toks[i]) || tokens[i].sentence_start) continue;
        size_t b = i;
        while (b > 0 && !covered[b - 1] && starts_upper(toks[b - 1]) && has_letter(toks[b - 1]) && touching(b - 1, b) &&
               toks[b - 1] != "The" && i - b < 6) {
            --b;
            if (tokens[b].sentence_start) break;
        }
        while (b < i && company_suffix(toks[b])) ++b; // ("and Co Inc": no name before the suffixes)
        if (b < i) added.push_back(Mention {b, i + 1, kOrg, {}});
    }
    spans.insert(spans.end(), added.begin(), added.end());
    std::sort(spans.begin(), spans.end(), [](const Mention& a, const Mention& b) { return a.b < b.b; });
}

// A firm whose name holds "and": "Arthur Andersen and Co", "Alex. Brown and
// Sons Inc", "Standard and Poor's Corp". Joined only when all that follows
// the "and" is the company form or words news writes in lower case, so that
// two firms in a list ("Cheung Kong and Hutchison Whampoa Ltd") stay apart.
void join_company_and(const Model& m, const std::vector<Token>& tokens, const std::vector<std::string_view>& toks,
                      std::vector<Mention>& spans) {
    // A word news also writes in lower case ("sons", "telegraph", "poor"),
    // which no firm is named by alone; "Mobil" is never so written.
    auto generic = [&](std::string_view w) {
        if (w == "'s") return true;
        if (!starts_upper(w)) return false;
        const std::string low = lower(w);
        const uint64_t h = hash_bytes(low);
        const WordEntry* e = m.word(h, h);
        return e && e->word == low && e->count >= 20;
    };
    auto touching = [&](size_t a, size_t b) { return tokens[b].begin <= tokens[a].end + 1; };
    std::vector<int> owner(toks.size(), -1);
    for (size_t j = 0; j < spans.size(); ++j)
        for (size_t k = spans[j].b; k < spans[j].e; ++k) owner[k] = static_cast<int>(j);
    std::vector<Mention> joined;
    for (size_t i = 2; i < toks.size(); ++i) {
        if (!company_suffix(toks[i]) || tokens[i].sentence_start || (i + 1 < toks.size() && company_suffix(toks[i + 1])))
            continue;
        size_t a = i; // the "and"
        while (a > 0 && a + 3 > i && (company_suffix(toks[a - 1]) || generic(toks[a - 1])) && touching(a - 1, a)) --a;
        if (a < 2 || (toks[a - 1] != "and" && toks[a - 1] != "&") || !touching(a - 1, a)) continue;
        // One word at most before the suffix ("Telegraph", "Poor's"): a firm
        // of several ("Federal Deposit Insurance Corp") is a firm of its own.
        if (std::count_if(toks.begin() + static_cast<long>(a), toks.begin() + static_cast<long>(i),
                          [](std::string_view w) { return w != "'s"; }) > 1)
            continue;
        --a;
        const size_t left_end = a; // one past the left part
        if (!starts_upper(toks[left_end - 1]) || company_suffix(toks[left_end - 1]) || tokens[a].sentence_start ||
            !touching(left_end - 1, a))
            continue;
        size_t b = left_end - 1;
        if (owner[b] >= 0) {
            b = spans[owner[b]].b;
        } else {
            while (b > 0 && left_end - b < 3 && owner[b - 1] < 0 && starts_upper(toks[b - 1]) &&
                   !tokens[b].sentence_start && toks[b - 1] != "The" && touching(b - 1, b))
                --b;
        }
        if (left_end - b > 3) continue;
        joined.push_back(Mention {b, i + 1, kOrg, {}});
    }
    if (joined.empty()) return;
    std::vector<Mention> out;
    for (Mention& s : spans) {
        const bool inside = std::any_of(joined.begin(), joined.end(), [&](const Mention& j) { return s.b < j.e && j.b < s.e; });
        if (!inside) out.push_back(std::move(s));
    }
    out.insert(out.end(), joined.begin(), joined.end());
    std::sort(out.begin(), out.end(), [](const Mention& x, const Mention& y) { return x.b < y.b; });
    spans = std::move(out);
}

// Day and month names, which end a sentence's time phrase, not a name.
bool calendar_word(std::string_view t) {
    return one_of(lower(t), {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
                             "february", "march", "april", "may", "june", "july", "august", "september", "october",
                             "november", "december"});
}

// An organisation named by a common noun and what it is of, on or for
// ("General Agreement" + "on Tariffs and Trade"), when the tagger stopped
// at the preposition: the capitalised words after it belong to the name.
void join_of_names(const Model& m, const std::vector<Token>& tokens, const std::vector<std::string_view>& toks,
                   std::vector<Mention>& spans) {
    auto common_word = [&](std::string_view w) {
        const std::string low = lower(w);
        const uint64_t h = hash_bytes(low);
        const WordEntry* e = m.word(h, h);
        return e && e->word == low && e->count >= 20;
    };
    auto name_word = [&](size_t k) {
        return starts_upper(toks[k]) && has_letter(toks[k]) && !tokens[k].sentence_start &&
               !calendar_word(toks[k]) && lower(toks[k]) != "the";
    };
    auto touching = [&](size_t a, size_t b) { return tokens[b].begin <= tokens[a].end + 1; };
    std::vector<Mention> out;
    for (size_t j = 0; j < spans.size(); ++j) {
        Mention s = spans[j];
        const size_t p = s.e;
        if (s.type == kOrg && p + 1 < toks.size() && one_of(toks[p], {"of", "on", "for"}) &&
            common_word(toks[p - 1]) && !company_suffix(toks[p - 1]) && touching(p - 1, p) && touching(p, p + 1) && name_word(p + 1)) {
            size_t e = p + 1;
            while (e < toks.size() && e - s.b < 9 && touching(e - 1, e) &&
                   (name_word(e) || (toks[e] == "and" && e + 1 < toks.size() && name_word(e + 1))))
                ++e;
            while (j + 1 < spans.size() && spans[j + 1].b < e) e = std::max(e, spans[++j].e);
            s.e = e;
        }
        out.push_back(std::move(s));
    }
    spans = std::move(out);
}

// A person's name run into an organisation's on one line is the firm's own
// name, one the tagger split: "Borg" + "Warner Traffic Services".
void merge_person_into_org(const std::vector<Token>& tokens, std::vector<Mention>& spans) {
    std::vector<Mention> out;
    for (Mention& s : spans) {
        if (!out.empty()) {
            Mention& p = out.back();
            if (p.type == kPer && s.type == kOrg && p.e == s.b && tokens[s.b].begin == tokens[p.e - 1].end + 1 &&
                !tokens[s.b].sentence_start) {
                p.e = s.e;
                p.type = kOrg;
                continue;
            }
        }
        out.push_back(std::move(s));
    }
    spans = std::move(out);
}

// Crude grades and blends are products, not firms, people or places
// ("Brent crude", "grade West Texas Intermediate", "posting Louisiana
// Sweet"): MISC in the whole document. Places the tagger read as places
// keep their type ("Iraq crude"), as do acronyms ("OPEC crude").
void apply_product_grades(const Model& m, const std::vector<std::string_view>& toks, std::vector<Mention>& spans) {
    auto phrase = [&](const Mention& s) {
        std::vector<std::string> w;
        for (size_t k = s.b; k < s.e; ++k) w.emplace_back(normalize_token(toks[k]));
        return w;
    };
    auto text = [&](const Mention& s) {
        std::string t;
        for (size_t k = s.b; k < s.e; ++k) t += lower(toks[k]) + " ";
        return t;
    };
    constexpr uint32_t kPlaceKinds = (1u << kGazCountry) | (1u << kGazCity) | (1u << kGazSubdivision);
    std::unordered_set<std::string> grades;
    for (const Mention& s : spans) {
        if (s.type == kMisc || (s.e - s.b == 1 && is_acronym(toks[s.b]))) continue;
        auto at = [&](size_t k) { return k < toks.size() ? lower(toks[k]) : std::string(); };
        const std::string next = at(s.e);
        const std::string prev = s.b > 0 ? at(s.b - 1) : "";
        const std::string prev2 = s.b > 1 ? at(s.b - 2) : "";
        // A grade word soon after: "X, the U.S. benchmark grade", "X and
        // West Texas Sour grades" (within the clause, before any verb-like
        // figure).
        bool grade_after = false;
        for (size_t k = s.e; k < std::min(toks.size(), s.e + 6) && !grade_after; ++k) {
            const std::string w = at(k);
            if (w == "." || w == ";") break;
            grade_after = one_of(w, {"crude", "crudes", "blend", "grade", "grades"}) && (next == "," || next == "and");
        }
        const bool grade = one_of(next, {"crude", "crudes", "blend", "grade"}) || grade_after ||
                           one_of(prev, {"grade", "posting", "light", "heavy", "sweet", "sour", "crude", "benchmark"}) ||
                           (one_of(prev, {"for", "of"}) &&
                            (one_of(prev2, {"postings", "barrel", "bbl"}) ||
                             (prev2 == "price" && s.b > 2 && at(s.b - 3) == "posted")));
        const bool place = s.type == kLoc && (m.gaz_kinds(phrase_hash(phrase(s))) & kPlaceKinds) != 0;
        if (grade && !place) grades.insert(text(s));
    }
    if (grades.empty()) return;
    for (Mention& s : spans)
        if (grades.count(text(s))) s.type = kMisc;
}

// Names of water and land forms are places whatever the tagger read:
// "Strait of Hormuz", "Gulf of Mexico", "Panama Canal", "Yangtze River".
void apply_place_heads(const std::vector<std::string_view>& toks, std::vector<Mention>& spans) {
    static const std::initializer_list<const char*> kOfHeads = {"strait", "straits", "gulf", "sea", "bay",
                                                               "lake",   "isle",    "cape", "mount"};
    // "Strait" + "of" + "Hormuz", tagged as two places, is one.
    std::vector<Mention> merged;
    for (Mention& s : spans) {
        if (!merged.empty()) {
            Mention& p = merged.back();
            if (p.e - p.b == 1 && p.e + 1 == s.b && toks[p.e] == "of" && starts_upper(toks[p.b]) &&
                one_of(lower(toks[p.b]), kOfHeads) && (s.type == kLoc || p.type == kLoc)) {
                p.e = s.e;
                p.type = kLoc;
                continue;
            }
        }
        merged.push_back(std::move(s));
    }
    spans = std::move(merged);
    for (Mention& s : spans) {
        if (s.e - s.b < 2 || s.type == kLoc || s.type == kMisc) continue;
        const std::string first = lower(toks[s.b]), last = lower(toks[s.e - 1]);
        const bool of_form = toks[s.b + 1] == "of" && one_of(first, kOfHeads);
        if (of_form || one_of(last, {"river", "ocean", "sea", "strait", "straits", "mountains", "islands", "peninsula",
                                     "canal"}))
            s.type = kLoc;
    }
}

// One word that only heads an organisation's name ("the Bank", "the
// Commission", "Federal") refers back to a name; it is not one.
bool bare_org_head(std::string_view word) {
    const std::string w = lower(word);
    return one_of(w, {"bank",       "commission", "committee",  "council",     "ministry", "association",
                      "university", "agency",     "fund",       "institute",   "company",  "department",
                      "court",      "board",      "bureau",     "authority",   "foundation", "corporation",
                      "group",      "federal",    "central",    "national",    "party",    "union",
                      "government", "organization", "organisation", "administration"});
}

// Words that end only organisations' names ("Wall Street Journal", "Labour
// Party", "Harvard University"): a person or place mention of two or more
// words ending in one is an organisation. ("Bank", "Union" and "Federation"
// also end places: "West Bank", "Soviet Union", "Russian Federation".)
void apply_org_heads(const std::vector<std::string_view>& toks, std::vector<Mention>& spans) {
    static const char* const kHeads[] = {"journal",     "times",        "post",         "party",         "council",
                                         "committee",   "ministry",     "association",  "university",    "agency",
                                         "fund",        "organization", "organisation", "commission",    "institute",
                                         "company",     "airlines",     "airways",      "exchange",      "department",
                                         "court",       "board",        "bureau",       "authority",     "foundation",
                                         "corporation", "bancorp",      "group",        "administration"};
    for (Mention& s : spans) {
        if (s.e - s.b < 2 || (s.type != kLoc && s.type != kPer)) continue;
        const std::string head = lower(toks[s.e - 1]);
        if (std::any_of(std::begin(kHeads), std::end(kHeads), [&](const char* h) { return head == h; })) s.type = kOrg;
    }
}

// Whether the words around a person mention say it is a company: "mortgage
// giants Fannie Mae", "an analyst at Edward Jones", "Edward Jones analyst",
// "Fannie Mae shares", "shares of Fannie Mae". People are rarely written
// so; firms named after people (brokerages, retailers) nearly always are.
bool company_context(const std::vector<std::string_view>& toks, const Mention& s) {
    const std::string prev = s.b >= 1 ? lower(toks[s.b - 1]) : "", prev2 = s.b >= 2 ? lower(toks[s.b - 2]) : "";
    const std::string next = s.e < toks.size() ? lower(toks[s.e]) : "";
    static const std::initializer_list<const char*> kJobs = {
        "analyst", "analysts", "economist", "economists", "strategist", "strategists", "trader",  "traders",
        "broker",  "brokers",  "dealer",    "dealers",    "banker",     "bankers",     "partner", "director"};
    if (one_of(prev, {"company",      "companies", "firm",     "firms",    "brokerage", "brokerages", "lender",
                      "lenders",      "insurer",   "insurers", "retailer", "retailers", "giant",      "giants",
                      "conglomerate", "automaker", "airline",  "carrier",  "refiner",   "chain"}))
        return true;
    if (prev == "at" && one_of(prev2, kJobs)) return true;
    if (prev == "of" && one_of(prev2, {"shares", "stock", "stake", "unit", "subsidiary", "division"})) return true;
    return one_of(next, kJobs) || one_of(next, {"shares", "stock", "unit", "subsidiary", "bonds", "group"});
}

// Person names the context calls companies are organisations, in the whole
// document, with their partners in a list ("Fannie Mae and Freddie Mac").
void apply_company_context(const std::vector<std::string_view>& toks, std::vector<Mention>& spans) {
    std::unordered_set<std::string> firms;
    auto text = [&](const Mention& s) {
        std::string t;
        for (size_t k = s.b; k < s.e; ++k) t += lower(toks[k]) + " ";
        return t;
    };
    for (size_t i = 0; i < spans.size(); ++i) {
        Mention& s = spans[i];
        if (s.type != kPer) continue;
        const bool listed = i > 0 && firms.count(text(spans[i - 1])) && spans[i - 1].e + 1 == s.b &&
                            (toks[s.b - 1] == "and" || toks[s.b - 1] == ",");
        if (listed || company_context(toks, s)) firms.insert(text(s));
    }
    if (firms.empty()) return;
    for (Mention& s : spans)
        if (s.type == kPer && firms.count(text(s))) s.type = kOrg;
}

// A country code as written ("GM", "USA"): as an alias it names a place
// only where the tagger read a place ("GM" is General Motors to it).
bool code_like(std::string_view t) {
    return t.size() >= 2 && t.size() <= 3 &&
           std::all_of(t.begin(), t.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// "S.", "H.K.": letters each followed by a dot.
bool initials_only(std::string_view t) {
    if (t.empty() || t.back() != '.') return false;
    for (size_t i = 0; i < t.size(); i += 2) {
        if (i + 1 >= t.size() || t[i + 1] != '.' || !((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' && t[i] <= 'z')))
            return false;
    }
    return true;
}

// Words that never begin or end a name ("Government to", "U.S. Officials
// when"), in any case.
bool edge_word(std::string_view t) {
    static const char* const kWords[] = {"a",    "an",  "and",  "as",   "at",   "by",   "for",   "from", "in",
                                         "into", "is",  "of",   "on",   "or",   "said", "says",  "that", "the",
                                         "to",   "was", "when", "will", "with", "who",  "which", "after"};
    const std::string w = lower(t);
    for (const char* k : kWords) {
        if (w == k) return true;
    }
    return !has_letter(t) && std::none_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Trims function words and bare punctuation off the ends of mentions and
// drops mentions left empty.
void trim_edges(const std::vector<std::string_view>& toks, std::vector<Mention>& spans) {
    std::vector<Mention> out;
    for (Mention& s : spans) {
        while (s.b < s.e && edge_word(toks[s.b]) && !(s.e - s.b > 1 && lower(toks[s.b]) == "the")) ++s.b;
        while (s.e > s.b && edge_word(toks[s.e - 1])) --s.e;
        // "The Bank on Monday": the time phrase is not part of the name.
        if (s.e - s.b > 2 && calendar_word(toks[s.e - 1]) && one_of(lower(toks[s.e - 2]), {"on", "in", "of"})) {
            s.e -= 2;
            while (s.e > s.b && edge_word(toks[s.e - 1])) --s.e;
        }
        if (s.b < s.e) out.push_back(std::move(s));
    }
    spans = std::move(out);
}

// A name in a readable case: words written all in capitals or all in lower
// case take their usual spelling in news text ("SAIGON" -> "Saigon", "nato"
// -> "NATO"); unknown ones are capitalised (short all-capital words stay).
std::string readable_case(const Model& m, const std::string& name) {
    bool any_upper = false, any_lower = false;
    for (char c : name) {
        any_upper = any_upper || (c >= 'A' && c <= 'Z');
        any_lower = any_lower || (c >= 'a' && c <= 'z');
    }
    if (any_upper && any_lower) return name;
    std::string out;
    size_t i = 0;
    while (i < name.size()) {
        size_t e = name.find(' ', i);
        if (e == std::string::npos) e = name.size();
        const std::string word = name.substr(i, e - i);
        const std::string low = lower(word);
        const std::string_view usual = m.cased_form(low);
        static const char* const kJoiners[] = {"of", "and", "the", "for", "de", "la", "du", "von", "van", "der", "bin"};
        const bool joiner = !out.empty() && std::any_of(std::begin(kJoiners), std::end(kJoiners),
                                                        [&](const char* j) { return low == j; });
        if (!out.empty()) out.push_back(' ');
        if (joiner) {
            out += low;
        } else if (!usual.empty() && starts_upper(usual)) {
            out += usual;
        } else if (any_upper && word.size() <= 4 && usual.empty()) { // tickers, acronyms
            out += word;
        } else {
            std::string w = low;
            for (size_t k = 0; k < w.size(); ++k) {
                const bool start = k == 0 || w[k - 1] == '-' || w[k - 1] == '.' || w[k - 1] == '\'';
                if (start && w[k] >= 'a' && w[k] <= 'z') w[k] = static_cast<char>(w[k] - 32);
            }
            out += w;
        }
        i = e + 1;
    }
    return out;
}

std::string collapse(std::string_view s) {
    std::string out;
    bool space = false;
    for (char c : s) {
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            space = !out.empty();
            continue;
        }
        if (space) out.push_back(' ');
        space = false;
        out.push_back(c);
    }
    return out;
}

std::string_view model_file_bytes(std::string& storage) {
    if (const char* path = std::getenv("NEWS_NER_MODEL"); path && *path) {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw Error(path, 0, "cannot read the NER model named by NEWS_NER_MODEL");
        std::ostringstream ss;
        ss << in.rdbuf();
        storage = ss.str();
        return storage;
    }
    return embedded_ner_model();
}

} // namespace

std::string_view embedded_ner_model() {
    return std::string_view(news_ner_model_begin, static_cast<size_t>(news_ner_model_end - news_ner_model_begin));
}

EntityTagger::EntityTagger(std::string_view model_bytes) {
    auto impl = std::make_shared<Impl>();
    try {
        impl->model = Model::parse(model_bytes);
    } catch (const std::exception& e) {
        throw Error(std::string("entity model: ") + e.what());
    }
    for (const AliasEntry& a : impl->model.aliases) impl->alias_by_lower[lower(a.alias)] = &a;
    impl_ = std::move(impl);
}

const EntityTagger& EntityTagger::instance() {
    static const EntityTagger tagger = [] {
        std::string storage;
        return EntityTagger(model_file_bytes(storage));
    }();
    return tagger;
}

std::string EntityTagger::model_version() const { return impl_->model.version; }

std::vector<EntityTagger::Alias> EntityTagger::aliases() const {
    static const char* const kTypes[] = {"PERSON", "ORG", "PLACE", "MISC"};
    std::vector<Alias> out;
    out.reserve(impl_->model.aliases.size());
    for (const AliasEntry& a : impl_->model.aliases)
        out.push_back({a.alias, a.type >= 0 && a.type < 4 ? kTypes[a.type] : "", a.canonical});
    return out;
}

std::string EntityTagger::model_bytes() const { return impl_->model.serialize(); }

std::vector<std::string> EntityTagger::tag_tokens(const std::vector<std::vector<std::string>>& doc_sentences) const {
    Doc doc;
    for (const auto& s : doc_sentences) {
        if (s.empty()) continue;
        doc.sentence_begin.push_back(static_cast<uint32_t>(doc.tokens.size()));
        for (const std::string& t : s) doc.tokens.emplace_back(t);
    }
    FeatureExtractor fx(impl_->model);
    std::vector<uint8_t> labels;
    tag_doc(impl_->model, fx, doc, labels);
    std::vector<std::string> out;
    out.reserve(labels.size());
    for (uint8_t l : labels) out.push_back(iob2_tag(l));
    return out;
}

std::vector<EntityMention> EntityTagger::tag(std::string_view text) const {
    const Model& m = impl_->model;
    constexpr uint32_t kPlaceKinds = (1u << kGazCountry) | (1u << kGazCity) | (1u << kGazSubdivision);
    auto is_place = [&m](std::string_view w) {
        return (m.gaz_kinds(phrase_hash({std::string(normalize_token(w))})) & kPlaceKinds) != 0 && starts_upper(w);
    };
    // Datelines, bylines and sign-offs are blanked (offsets kept): they are
    // not text about the story.
    const std::string masked = mask_boilerplate(text);
    const std::vector<Token> tokens =
        tokenize(masked, [&](std::string_view l, std::string_view r) { return is_place(l) || is_place(r); });
    Doc doc;
    doc.tokens.reserve(tokens.size());
    for (size_t i = 0; i < tokens.size(); ++i) {
        if (tokens[i].sentence_start || i == 0) doc.sentence_begin.push_back(static_cast<uint32_t>(i));
        doc.tokens.emplace_back(tokens[i].norm);
    }
    FeatureExtractor fx(m);
    std::vector<uint8_t> labels;
    tag_doc(m, fx, doc, labels);
    std::vector<Mention> spans = spans_from_labels(labels);
    merge_adjacent(tokens, spans);
    make_consistent(doc.tokens, spans);
    trim_edges(doc.tokens, spans);
    apply_company_suffixes(tokens, doc.tokens, spans);
    trim_edges(doc.tokens, spans);
    join_company_and(m, tokens, doc.tokens, spans);
    join_of_names(m, tokens, doc.tokens, spans);
    merge_person_into_org(tokens, spans);
    apply_org_heads(doc.tokens, spans);
    apply_place_heads(doc.tokens, spans);
    apply_company_context(doc.tokens, spans);
    apply_product_grades(m, doc.tokens, spans);

    auto raw = [&](size_t b, size_t e) {
        return collapse(text.substr(tokens[b].begin, tokens[e - 1].end - tokens[b].begin));
    };
    // Names: strip a leading "The" unless the whole is a known name, map
    // aliases, then acronyms to expansions and surnames to full names.
    for (Mention& s : spans) {
        if (s.e - s.b > 1 && lower(doc.tokens[s.b]) == "the") {
            std::vector<std::string> whole(doc.tokens.begin() + s.b, doc.tokens.begin() + s.e);
            if (!m.gaz_kinds(phrase_hash(whole))) ++s.b;
        }
        s.canonical = readable_case(m, raw(s.b, s.e));
        auto it = impl_->alias_by_lower.find(lower(s.canonical));
        if (it != impl_->alias_by_lower.end() &&
            (it->second->type < 0 || it->second->type == s.type ||
             (it->second->type == kLoc && s.type != kPer && !code_like(s.canonical)))) {
            s.canonical = it->second->canonical;
            if (it->second->type >= 0) s.type = it->second->type;
        }
    }
    std::unordered_map<std::string, std::pair<int, std::string>> acronyms;
    for (const Mention& s : spans) {
        if (s.e + 2 < doc.tokens.size() && doc.tokens[s.e] == "(" && doc.tokens[s.e + 2] == ")" &&
            is_acronym(doc.tokens[s.e + 1]) && s.e - s.b > 1) {
            acronyms.emplace(std::string(doc.tokens[s.e + 1]), std::make_pair(s.type, s.canonical));
        }
    }
    // Full person names by their last word, in order: a one-word mention
    // looks up its surname instead of scanning every span (linear in the
    // article, which may hold millions of mentions).
    std::unordered_map<std::string_view, std::vector<size_t>> full_names;
    for (size_t j = 0; j < spans.size(); ++j) {
        const Mention& f = spans[j];
        if (f.type == kPer && f.e - f.b >= 2) full_names[doc.tokens[f.e - 1]].push_back(j);
    }
    for (size_t k = 0; k < spans.size(); ++k) {
        Mention& s = spans[k];
        if (s.e - s.b == 1) {
            if (auto a = acronyms.find(std::string(doc.tokens[s.b])); a != acronyms.end()) {
                s.type = a->second.first;
                s.canonical = a->second.second;
                continue;
            }
        }
        if (s.e - s.b != 1) continue;
        // The nearest full name before this mention, else the first after.
        const Mention* full = nullptr;
        if (auto named = full_names.find(doc.tokens[s.b]); named != full_names.end()) {
            const std::vector<size_t>& at = named->second;
            auto after = std::upper_bound(at.begin(), at.end(), k);
            full = &spans[after != at.begin() ? *(after - 1) : *after];
        }
        if (full) {
            s.canonical = full->canonical;
            s.type = kPer;
        }
    }
    std::vector<EntityMention> out;
    out.reserve(spans.size());
    for (const Mention& s : spans) {
        // One word that news text nearly always writes in lower case
        // ("Government", "MONKS") is not a name, nor are initials ("S.").
        if (s.canonical.find(' ') == std::string::npos) {
            const int bin = m.lower_ratio_bin(hash_bytes(lower(s.canonical)));
            if (bin == 4 || (bin == 3 && s.type != kLoc && s.type != kMisc) || initials_only(s.canonical)) continue;
            if (s.canonical.size() == 1 || (s.type == kOrg && bare_org_head(s.canonical))) continue;
        }
        EntityMention em;
        em.type = std::string(type_name(s.type));
        em.name = s.canonical;
        em.begin = tokens[s.b].begin;
        em.end = tokens[s.e - 1].end;
        out.push_back(std::move(em));
    }
    return out;
}

std::string EntityTagger::canonical(std::string_view type, std::string_view name) const {
    const int t = type.empty() ? -1 : type_of(type);
    std::string n = collapse(name);
    if (n.size() > 4 && lower(n.substr(0, 4)) == "the ") n = n.substr(4);
    auto it = impl_->alias_by_lower.find(lower(n));
    if (it != impl_->alias_by_lower.end() && (t < 0 || it->second->type < 0 || it->second->type == t)) {
        return it->second->canonical;
    }
    // Recover the usual case of an all-lower-case query value ("cia").
    if (lower(n) != n) return n;
    std::string out;
    size_t i = 0;
    while (i <= n.size()) {
        size_t sp = n.find(' ', i);
        if (sp == std::string::npos) sp = n.size();
        const std::string word = n.substr(i, sp - i);
        const std::string_view cased = impl_->model.cased_form(word);
        if (!out.empty()) out.push_back(' ');
        out += cased.empty() ? word : std::string(cased);
        i = sp + 1;
    }
    return out;
}

void write_conll_tagging(std::istream& in, std::ostream& out) {
    const EntityTagger& tagger = EntityTagger::instance();
    std::vector<ConllSentence> sentences;
    ConllSentence cur;
    auto flush_sentence = [&] {
        if (!cur.tokens.empty()) sentences.push_back(std::move(cur));
        cur = ConllSentence {};
    };
    auto flush_doc = [&] {
        flush_sentence();
        if (sentences.empty()) return;
        std::vector<std::vector<std::string>> toks;
        for (const auto& s : sentences) toks.push_back(s.tokens);
        const std::vector<std::string> pred = tagger.tag_tokens(toks);
        size_t k = 0;
        for (const auto& s : sentences) {
            const std::vector<std::string> gold = to_iob2(s.tags);
            for (size_t i = 0; i < s.tokens.size(); ++i, ++k) {
                out << s.tokens[i] << ' ' << gold[i] << ' ' << pred[k] << '\n';
            }
            out << '\n';
        }
        sentences.clear();
    };
    std::string line;
    while (std::getline(in, line)) {
        ConllLine l = parse_conll_line(std::move(line));
        if (l.kind == ConllLine::Blank) {
            flush_sentence();
        } else if (l.kind == ConllLine::DocStart) {
            flush_doc();
            out << "-DOCSTART- O O\n\n";
        } else {
            cur.tokens.push_back(std::move(l.token));
            cur.tags.push_back(std::move(l.tag));
        }
    }
    flush_doc();
}

std::string tag_article_json(std::string_view text) {
    nlohmann::json arr = nlohmann::json::array();
    for (const EntityMention& m : EntityTagger::instance().tag(text)) {
        arr.push_back({{"type", m.type},
                       {"name", m.name},
                       {"text", std::string(text.substr(m.begin, m.end - m.begin))},
                       {"begin", m.begin},
                       {"end", m.end}});
    }
    return arr.dump();
}

} // namespace news
