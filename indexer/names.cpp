#include "indexer/names.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "common/codec.h"
#include "common/schema.h"
#include "common/text.h"

namespace news {

namespace {

namespace s = schema;

// The full names a surname or an acronym may stand for, with the number
// of articles naming each.
struct Owners {
    std::map<std::string, Xapian::doccount> names; // lower case, as in the entity terms
    // The one full name, or the one that at least 9 in 10 of these articles
    // name ("Barack Obama" over "Michelle Obama"); "" when none is.
    std::string owner() const {
        Xapian::doccount total = 0, best = 0;
        std::string out;
        for (const auto& [name, n] : names) {
            total += n;
            if (n > best) {
                best = n;
                out = name;
            }
        }
        return names.size() == 1 || 10 * best >= 9 * total ? out : "";
    }
};

// A name to change: entity term (from, name) becomes (to, full).
struct Partial {
    std::string from; // schema type
    std::string name; // lower case, as in the entity term
    std::string to;
    std::string full; // lower case
};

const char* const kSuffixes[] = {"inc", "inc.", "corp", "corp.", "co", "co.", "ltd", "ltd.", "plc", "llc", "ag", "sa"};

std::string last_word(const std::string& name) { return name.substr(name.rfind(' ') + 1); }

// Whether the archive knows an organisation that `name` begins and a
// company suffix ends: "Dean Witter Reynolds Inc", "James Capel and Co".
bool company_named(const std::map<std::string, Xapian::doccount>& orgs, const std::string& name) {
    const std::string prefix = name + " ";
    int looked = 0;
    for (auto it = orgs.lower_bound(prefix); it != orgs.end() && looked < 64; ++it, ++looked) {
        if (it->first.compare(0, prefix.size(), prefix) != 0) break;
        const std::string last = last_word(it->first);
        if (std::any_of(std::begin(kSuffixes), std::end(kSuffixes), [&](const char* x) { return last == x; }))
            return true;
    }
    return false;
}

bool title_word(std::string_view w) {
    static const char* const kTitles[] = {"president", "mr",   "mr.",   "mrs",      "mrs.",    "ms",
                                          "ms.",       "dr",   "dr.",   "sir",      "senator", "sen.",
                                          "governor",  "gov.", "judge", "minister", "mp"};
    return std::any_of(std::begin(kTitles), std::end(kTitles), [&](const char* t) { return w == t; });
}

// "international coffee organization" -> "ico"; "" for fewer than two words.
std::string initials(std::string_view name) {
    static const char* const kSkip[] = {"of", "the", "and", "for", "&", "de", "on"};
    std::string out;
    size_t words = 0, i = 0;
    while (i < name.size()) {
        size_t e = name.find(' ', i);
        if (e == std::string_view::npos) e = name.size();
        const std::string_view w = name.substr(i, e - i);
        i = e + 1;
        if (w.empty() || std::any_of(std::begin(kSkip), std::end(kSkip), [&](const char* k) { return w == k; }))
            continue;
        if (!(w[0] >= 'a' && w[0] <= 'z')) return "";
        out.push_back(w[0]);
        ++words;
    }
    return words >= 2 ? out : "";
}

bool acronym_like(std::string_view name) {
    return name.size() >= 2 && name.size() <= 6 &&
           std::all_of(name.begin(), name.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

// Whether some article names `full` and also uses the word `acronym`.
bool used_together(const std::vector<Xapian::WritableDatabase*>& shards, const std::string& full_term,
                   const std::string& word) {
    for (Xapian::WritableDatabase* db : shards) {
        Xapian::Enquire enq(*db);
        enq.set_query(Xapian::Query(Xapian::Query::OP_AND, Xapian::Query(full_term), Xapian::Query(word)));
        enq.set_weighting_scheme(Xapian::BoolWeight());
        if (enq.get_mset(0, 1).size() > 0) return true;
    }
    return false;
}

// The full name in its written case, from the entity list of an article
// that names it.
std::string written_case(const std::vector<Xapian::WritableDatabase*>& shards, const std::string& type,
                         const std::string& full) {
    const std::string term = s::entity_term(type, full);
    const char code = s::entity_type_code(type);
    for (Xapian::WritableDatabase* db : shards) {
        Xapian::PostingIterator p = db->postlist_begin(term);
        if (p == db->postlist_end(term)) continue;
        const std::string list = db->get_document(*p).get_value(s::kEntitiesSlot);
        size_t at = 0;
        while (at < list.size()) {
            size_t nl = list.find('\n', at);
            if (nl == std::string::npos) nl = list.size();
            if (list[at] == code && to_lower(std::string_view(list).substr(at + 1, nl - at - 1)) == full)
                return list.substr(at + 1, nl - at - 1);
            at = nl + 1;
        }
    }
    return full;
}

// What the archive's entity terms resolve: lone and titled surnames and
// acronyms with one owner; and a name of several words tagged as a person
// in some articles and an organisation in others takes the type of most
// of them (at least twice as many), or ORG when the archive also knows it
// with a company suffix ("Samsung Electronics Co") or in more than half
// as many articles as ORG as PERSON.
std::vector<Partial> find_partials(const std::vector<Xapian::WritableDatabase*>& shards) {
    std::map<std::string, Owners> surnames, acronyms;
    std::map<std::string, Xapian::doccount> people, orgs; // name -> articles
    const std::string pp = s::entity_type_prefix(s::kTypePerson), op = s::entity_type_prefix(s::kTypeOrg);
    for (Xapian::WritableDatabase* db : shards) {
        for (auto t = db->allterms_begin(pp); t != db->allterms_end(pp); ++t)
            people[(*t).substr(pp.size())] += t.get_termfreq();
        for (auto t = db->allterms_begin(op); t != db->allterms_end(op); ++t)
            orgs[(*t).substr(op.size())] += t.get_termfreq();
    }
    std::vector<Partial> out;
    std::set<std::string> retyped;
    for (const auto& [name, n] : people) {
        if (name.find(' ') == std::string::npos) continue;
        auto o = orgs.find(name);
        const bool suffixed = company_named(orgs, name);
        // (More than half as many ORG articles as PERSON ones is a company
        // named after people: the tagger takes every one for a person, and
        // only its context makes some ORG, "analysts at Edward Jones".)
        if ((o != orgs.end() && (2 * o->second > n && o->second >= 3)) || (o != orgs.end() && o->second >= 2 * n) ||
            suffixed) {
            out.push_back({std::string(s::kTypePerson), name, std::string(s::kTypeOrg), name});
            retyped.insert(name);
        } else if (o != orgs.end() && n >= 2 * o->second) {
            out.push_back({std::string(s::kTypeOrg), name, std::string(s::kTypePerson), name});
        }
    }
    for (const auto& [name, n] : people) {
        const size_t sp = name.find(' ');
        // (Not a name also tagged ORG: "Bell" is not short for "Pacific Bell".)
        if (sp != std::string::npos && !title_word(name.substr(0, sp)) && !retyped.count(name) && !orgs.count(name))
            surnames[last_word(name)].names[name] = n;
    }
    for (const auto& [name, n] : orgs) {
        if (const std::string ini = initials(name); !acronym_like(name) && ini.size() >= 2)
            acronyms[ini].names[name] = n;
    }
    for (const auto& [name, n] : people) {
        const size_t sp = name.find(' ');
        if (sp != std::string::npos && !title_word(name.substr(0, sp))) continue;
        // (Not an initial: "M." is no one's surname.)
        const std::string surname = last_word(name);
        if (surname.size() < 3 || surname.back() == '.') continue;
        auto o = surnames.find(surname);
        if (o == surnames.end()) continue;
        if (const std::string full = o->second.owner(); !full.empty())
            out.push_back({std::string(s::kTypePerson), name, std::string(s::kTypePerson), full});
    }
    for (const auto& [name, n] : orgs) {
        if (!acronym_like(name)) continue;
        auto o = acronyms.find(name);
        if (o == acronyms.end()) continue;
        const std::string full = o->second.owner();
        if (!full.empty() && used_together(shards, s::entity_term(s::kTypeOrg, full), name))
            out.push_back({std::string(s::kTypeOrg), name, std::string(s::kTypeOrg), full});
    }
    return out;
}

// Moves the postings of `from` to `to` (positions kept).
void move_term(Xapian::Document& doc, const std::string& from, const std::string& to) {
    Xapian::TermIterator t = doc.termlist_begin();
    t.skip_to(from);
    if (t == doc.termlist_end() || *t != from) return;
    std::vector<Xapian::termpos> at(t.positionlist_begin(), t.positionlist_end());
    doc.remove_term(from);
    if (at.empty()) doc.add_term(to);
    for (Xapian::termpos p : at) doc.add_posting(to, p);
}

void rewrite(Xapian::Document& doc, const Partial& p, const std::string& written) {
    const std::string from = s::entity_term(p.from, p.name), to = s::entity_term(p.to, p.full);
    Xapian::TermIterator t = doc.termlist_begin();
    t.skip_to(from);
    std::vector<Xapian::termpos> at(t.positionlist_begin(), t.positionlist_end());
    move_term(doc, from, to);
    if (p.to == s::kTypePerson && p.full.find(' ') != std::string::npos) {
        const std::string surname = s::surname_term(last_word(p.full));
        for (Xapian::termpos pos : at) doc.add_posting(surname, pos);
    }
    // The entity list: the partial name becomes the full one, listed once.
    const char from_code = s::entity_type_code(p.from), to_code = s::entity_type_code(p.to);
    const std::string list = doc.get_value(s::kEntitiesSlot);
    std::set<std::string> lines;
    size_t i = 0;
    while (i < list.size()) {
        size_t nl = list.find('\n', i);
        if (nl == std::string::npos) nl = list.size();
        std::string line = list.substr(i, nl - i);
        if (!line.empty() && line[0] == from_code && to_lower(std::string_view(line).substr(1)) == p.name)
            line = to_code + written;
        if (!line.empty()) lines.insert(line);
        i = nl + 1;
    }
    std::string out;
    for (const std::string& l : lines) out += l + '\n';
    doc.add_value(s::kEntitiesSlot, out);
    StoredArticle a = decode_article(doc.get_data());
    for (StoredEntity& e : a.entities) {
        if (e.type == p.from && to_lower(e.name) == p.name) {
            e.type = p.to;
            e.name = written;
        }
    }
    doc.set_data(encode_article(a));
}

// Rewrites every article that names a partial, each article once with all
// of its partials (found before any is rewritten), and counts the articles.
void resolve(const std::vector<Xapian::WritableDatabase*>& shards, const std::vector<Partial>& partials,
             NameResolution& r) {
    std::vector<std::string> written;
    written.reserve(partials.size());
    for (const Partial& p : partials) {
        // (A retyped name keeps its case: it is found under its old type.)
        written.push_back(p.from != p.to ? written_case(shards, p.from, p.name) : written_case(shards, p.to, p.full));
    }
    r.names += static_cast<long>(partials.size());
    // A rewrite reads every position of the article (Xapian's Document
    // loads them all to change one term), which makes this pass a large
    // part of a build: the shards or segments are rewritten in parallel,
    // each by one thread.
    std::atomic<size_t> next {0};
    std::atomic<long> articles {0};
    auto work = [&] {
        for (size_t k; (k = next++) < shards.size();) {
            Xapian::WritableDatabase* db = shards[k];
            std::map<Xapian::docid, std::vector<size_t>> todo; // article -> its partials, in order
            for (size_t i = 0; i < partials.size(); ++i) {
                const std::string term = s::entity_term(partials[i].from, partials[i].name);
                for (auto p = db->postlist_begin(term); p != db->postlist_end(term); ++p) todo[*p].push_back(i);
            }
            for (const auto& [id, which] : todo) {
                Xapian::Document doc = db->get_document(id);
                for (size_t i : which) rewrite(doc, partials[i], written[i]);
                db->replace_document(id, doc);
                ++articles;
            }
        }
    };
    const size_t threads = std::min<size_t>(shards.size(), std::max(1u, std::thread::hardware_concurrency()));
    std::vector<std::thread> pool;
    std::exception_ptr failed;
    std::mutex m;
    for (size_t t = 1; t < threads; ++t)
        pool.emplace_back([&] {
            try {
                work();
            } catch (...) {
                std::lock_guard<std::mutex> lk(m);
                failed = std::current_exception();
            }
        });
    try {
        work();
    } catch (...) {
        std::lock_guard<std::mutex> lk(m);
        failed = std::current_exception();
    }
    for (std::thread& t : pool) t.join();
    if (failed) std::rethrow_exception(failed);
    r.articles += articles;
}

} // namespace

NameResolution resolve_partial_names(const std::vector<Xapian::WritableDatabase*>& shards) {
    NameResolution r;
    // Until nothing is left to resolve, so that a run over an unchanged
    // archive changes nothing: one change can make another (a lone name
    // becomes a full one whose type then follows its majority). Each round
    // only removes names or types, so a few rounds reach the end.
    for (int round = 0; round < 4; ++round) {
        const std::vector<Partial> partials = find_partials(shards);
        if (partials.empty()) break;
        resolve(shards, partials, r);
    }
    return r;
}

} // namespace news
