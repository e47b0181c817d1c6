#include "indexer/names.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/codec.h"
#include "common/schema.h"
#include "common/text.h"

namespace news {

namespace {

namespace s = schema;

// The one full name a surname or an acronym stands for; `ambiguous` once a
// second one is seen.
struct Owner {
    std::string full; // lower case, as in the entity term
    bool ambiguous = false;
    void offer(const std::string& name) {
        if (full.empty()) {
            full = name;
        } else if (full != name) {
            ambiguous = true;
        }
    }
};

struct Partial {
    std::string type; // schema type
    std::string name; // lower case, as in the entity term
    std::string full; // lower case
};

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

std::string last_word(const std::string& name) { return name.substr(name.rfind(' ') + 1); }

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

// What the archive's entity terms resolve: lone surnames, titled surnames
// and acronyms with exactly one owner.
std::vector<Partial> find_partials(const std::vector<Xapian::WritableDatabase*>& shards) {
    std::map<std::string, Owner> surnames, acronyms;
    std::set<std::string> lone_people, lone_orgs;
    const std::string pp = s::entity_type_prefix(s::kTypePerson), op = s::entity_type_prefix(s::kTypeOrg);
    for (Xapian::WritableDatabase* db : shards) {
        for (auto t = db->allterms_begin(pp); t != db->allterms_end(pp); ++t) {
            const std::string name = (*t).substr(pp.size());
            const size_t sp = name.find(' ');
            if (sp == std::string::npos || title_word(name.substr(0, sp))) {
                lone_people.insert(name);
            } else {
                surnames[last_word(name)].offer(name);
            }
        }
        for (auto t = db->allterms_begin(op); t != db->allterms_end(op); ++t) {
            const std::string name = (*t).substr(op.size());
            if (acronym_like(name)) {
                lone_orgs.insert(name);
            } else if (const std::string ini = initials(name); ini.size() >= 2) {
                acronyms[ini].offer(name);
            }
        }
    }
    std::vector<Partial> out;
    for (const std::string& name : lone_people) {
        // (Not an initial: "M." is no one's surname.)
        const std::string surname = last_word(name);
        if (surname.size() < 3 || surname.back() == '.') continue;
        auto o = surnames.find(surname);
        if (o != surnames.end() && !o->second.ambiguous)
            out.push_back({std::string(s::kTypePerson), name, o->second.full});
    }
    for (const std::string& name : lone_orgs) {
        auto o = acronyms.find(name);
        if (o == acronyms.end() || o->second.ambiguous) continue;
        if (used_together(shards, s::entity_term(s::kTypeOrg, o->second.full), name))
            out.push_back({std::string(s::kTypeOrg), name, o->second.full});
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
    const std::string to = s::entity_term(p.type, p.full);
    Xapian::TermIterator t = doc.termlist_begin();
    t.skip_to(s::entity_term(p.type, p.name));
    std::vector<Xapian::termpos> at(t.positionlist_begin(), t.positionlist_end());
    move_term(doc, s::entity_term(p.type, p.name), to);
    if (p.type == s::kTypePerson) {
        const std::string surname = s::surname_term(last_word(p.full));
        for (Xapian::termpos pos : at) doc.add_posting(surname, pos);
    }
    // The entity list: the partial name becomes the full one, listed once.
    const char code = s::entity_type_code(p.type);
    const std::string list = doc.get_value(s::kEntitiesSlot);
    std::set<std::string> lines;
    size_t i = 0;
    while (i < list.size()) {
        size_t nl = list.find('\n', i);
        if (nl == std::string::npos) nl = list.size();
        std::string line = list.substr(i, nl - i);
        if (!line.empty() && line[0] == code && to_lower(std::string_view(line).substr(1)) == p.name)
            line = code + written;
        if (!line.empty()) lines.insert(line);
        i = nl + 1;
    }
    std::string out;
    for (const std::string& l : lines) out += l + '\n';
    doc.add_value(s::kEntitiesSlot, out);
    StoredArticle a = decode_article(doc.get_data());
    for (StoredEntity& e : a.entities) {
        if (e.type == p.type && to_lower(e.name) == p.name) e.name = written;
    }
    doc.set_data(encode_article(a));
}

} // namespace

NameResolution resolve_partial_names(const std::vector<Xapian::WritableDatabase*>& shards) {
    NameResolution r;
    for (const Partial& p : find_partials(shards)) {
        const std::string written = written_case(shards, p.type, p.full);
        const std::string term = s::entity_term(p.type, p.name);
        ++r.names;
        for (Xapian::WritableDatabase* db : shards) {
            std::vector<Xapian::docid> ids(db->postlist_begin(term), db->postlist_end(term));
            for (Xapian::docid id : ids) {
                Xapian::Document doc = db->get_document(id);
                rewrite(doc, p, written);
                db->replace_document(id, doc);
                ++r.articles;
            }
        }
    }
    return r;
}

} // namespace news
