#include "searcher/query.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "common/dates.h"
#include "common/entities.h"
#include "common/error.h"
#include "common/schema.h"
#include "common/text.h"
#include "searcher/ranking.h"

namespace news {
// Field values that cannot be understood are recorded here and reported
// once parse_query has returned: an exception thrown through Xapian 1.4's
// parser leaks its partial parse.
struct FieldErrors {
    std::string first;
    template <typename Fn>
    Xapian::Query guard(Fn&& fn) {
        try {
            return fn();
        } catch (const QueryError& e) {
            if (first.empty()) first = e.what();
            return Xapian::Query::MatchNothing;
        }
    }
};

namespace {

constexpr int kMaxNesting = 32;

// The query language's fields: the entity fields first, then the others.
constexpr const char* kFields[] = {"person", "org", "place", "misc", "entity", "title", "source", "date"};
constexpr size_t kEntityFields = 5;

std::string upper(std::string s) {
    for (char& c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return s;
}

// The schema type for a query field name, or "" for "entity" (any type).
std::string type_for_field(const std::string& field) {
    std::string f = upper(field);
    if (f == "PERSON" || f == "PER" || f == "PEOPLE") return std::string(schema::kTypePerson);
    if (f == "ORG" || f == "ORGANISATION" || f == "ORGANIZATION") return std::string(schema::kTypeOrg);
    if (f == "PLACE" || f == "LOC" || f == "LOCATION") return std::string(schema::kTypePlace);
    if (f == "MISC") return std::string(schema::kTypeMisc);
    if (f == "ENTITY") return {};
    throw QueryError("unknown entity type '" + field + "' (use person, org, place, misc or entity)");
}

class EntityProcessor : public Xapian::FieldProcessor {
public:
    EntityProcessor(Xapian::Database db, std::shared_ptr<AliasTable> aliases, std::string type,
                    std::shared_ptr<FieldErrors> errors)
        : db_(std::move(db)), aliases_(std::move(aliases)), type_(std::move(type)), errors_(std::move(errors)) {}
    Xapian::Query operator()(const std::string& value) override {
        return errors_->guard([&] { return entity_query(db_, *aliases_, type_, value); });
    }

private:
    Xapian::Database db_;
    std::shared_ptr<AliasTable> aliases_;
    std::string type_;
    std::shared_ptr<FieldErrors> errors_;
};

class DateProcessor : public Xapian::FieldProcessor {
public:
    DateProcessor(Xapian::Database db, std::shared_ptr<FieldErrors> errors)
        : db_(std::move(db)), errors_(std::move(errors)) {}
    Xapian::Query operator()(const std::string& value) override {
        return errors_->guard([&] { return date_range_query(db_, value); });
    }

private:
    Xapian::Database db_;
    std::shared_ptr<FieldErrors> errors_;
};

class SourceProcessor : public Xapian::FieldProcessor {
public:
    Xapian::Query operator()(const std::string& value) override { return Xapian::Query(schema::source_term(value)); }
};

// Wildcard patterns of a parsed query ("kurd" for kurd*), from the
// description, the only place Xapian 1.4 shows them.
void wildcard_patterns(const Xapian::Query& q, std::vector<std::string>& out) {
    if (q.get_type() == Xapian::Query::OP_WILDCARD) {
        std::string d = q.get_description();
        size_t close = d.rfind(')'), space = d.rfind(' ', close);
        if (close != std::string::npos && space != std::string::npos)
            out.push_back(d.substr(space + 1, close - space - 1));
        return;
    }
    for (size_t i = 0; i < q.get_num_subqueries(); ++i) wildcard_patterns(q.get_subquery(i), out);
}

// The `limit` most frequent words of `db` starting with `prefix` (ties in
// word order), and whether there were more.
std::vector<std::string> most_frequent(const Xapian::Database& db, const std::string& prefix, size_t limit, bool& cut) {
    std::vector<std::pair<Xapian::doccount, std::string>> words;
    for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t)
        words.emplace_back(t.get_termfreq(), *t);
    cut = words.size() > limit;
    size_t keep = std::min(limit, words.size());
    std::partial_sort(
        words.begin(), words.begin() + static_cast<std::ptrdiff_t>(keep), words.end(),
        [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
    std::vector<std::string> out;
    for (size_t i = 0; i < keep; ++i) out.push_back(words[i].second);
    return out;
}

// Operators that can be rebuilt from their operator and subqueries alone.
bool plain_operator(Xapian::Query::op op) {
    switch (op) {
    case Xapian::Query::OP_AND:
    case Xapian::Query::OP_OR:
    case Xapian::Query::OP_AND_NOT:
    case Xapian::Query::OP_XOR:
    case Xapian::Query::OP_AND_MAYBE:
    case Xapian::Query::OP_FILTER:
    case Xapian::Query::OP_SYNONYM:
    case Xapian::Query::OP_MAX: return true;
    default: return false;
    }
}

// Replaces each wildcard by a synonym group of its most frequent expansions
// in `db`, chosen here rather than by the matcher: Xapian expands a wildcard
// shard by shard, so each shard would pick its own words and their
// statistics would be missing from the ranking, and a sharded archive would
// not answer like one database. `cut` gets the patterns that had more words;
// `changed` is set when a wildcard was replaced.
Xapian::Query expand_wildcards(const Xapian::Query& q, const Xapian::Database& db, std::vector<std::string>& cut,
                               bool& changed) {
    if (q.get_type() == Xapian::Query::OP_WILDCARD) {
        std::vector<std::string> patterns;
        wildcard_patterns(q, patterns);
        if (patterns.empty()) return q;
        bool more = false;
        std::vector<std::string> words = most_frequent(db, patterns[0], QueryBuilder::kMaxWildcardExpansion, more);
        if (more) cut.push_back(patterns[0]);
        changed = true;
        return Xapian::Query(Xapian::Query::OP_SYNONYM, words.begin(), words.end());
    }
    size_t n = q.get_num_subqueries();
    if (n == 0 || !plain_operator(q.get_type())) return q;
    std::vector<Xapian::Query> subs;
    bool below = false;
    for (size_t i = 0; i < n; ++i) subs.push_back(expand_wildcards(q.get_subquery(i), db, cut, below));
    if (!below) return q;
    changed = true;
    return Xapian::Query(q.get_type(), subs.begin(), subs.end());
}

// Word spans [begin, end) of a query string: runs of letters, digits and
// non-ASCII bytes.
std::vector<std::pair<size_t, size_t>> word_spans(const std::string& s) {
    std::vector<std::pair<size_t, size_t>> out;
    auto word = [](unsigned char c) { return c >= 0x80 || std::isalnum(c); };
    for (size_t i = 0; i < s.size();) {
        if (!word(static_cast<unsigned char>(s[i]))) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < s.size() && word(static_cast<unsigned char>(s[j]))) ++j;
        out.emplace_back(i, j);
        i = j;
    }
    return out;
}

// The parser's spelling correction without the words it "corrected" that
// the archive has as they were typed: a word found in the articles is not
// misspelt. (Xapian may offer a more frequent neighbour, e.g. "rate" for
// "rates", and does so for one database but not for several.) Empty when
// nothing is left to correct.
std::string drop_known_corrections(const std::string& typed, const std::string& corrected, const Xapian::Database& db) {
    if (corrected.empty()) return corrected;
    auto a = word_spans(typed), b = word_spans(corrected);
    if (a.size() != b.size()) return corrected;
    std::string out;
    size_t at = 0;
    bool changed = false;
    for (size_t i = 0; i < a.size(); ++i) {
        std::string was = typed.substr(a[i].first, a[i].second - a[i].first);
        std::string now = corrected.substr(b[i].first, b[i].second - b[i].first);
        out += corrected.substr(at, b[i].first - at);
        at = b[i].second;
        if (was != now && db.term_exists(to_lower(was))) {
            out += was;
        } else {
            out += now;
            changed = changed || was != now;
        }
    }
    out += corrected.substr(at);
    return changed ? out : std::string();
}

// Whether the archive has every word of a query as typed. Then the parser's
// spelling correction is not asked for: it would only offer corrections
// that drop_known_corrections takes back, and Xapian looks for them in the
// spelling table for every word of the query (about 2 M instructions a word,
// most of a search's time).
bool all_words_known(const std::string& typed, const Xapian::Database& db) {
    // Field values (title:, source:, date:, entity fields) are left out: the
    // parser never corrects a term with a prefix, and "04" of date:1987-04
    // is not a word of the articles.
    std::string free = typed;
    for (size_t i = 0; i < free.size(); ++i) {
        if (i > 0 && free[i - 1] != ' ' && free[i - 1] != '(' && free[i - 1] != '+' && free[i - 1] != '-') continue;
        for (const char* field : kFields) {
            const size_t n = std::char_traits<char>::length(field);
            if (free.size() < i + n + 2 || free[i + n] != ':' || to_lower(free.substr(i, n)) != field) continue;
            size_t end = i + n + 1;
            if (free[end] == '"') {
                size_t close = free.find('"', end + 1);
                end = close == std::string::npos ? free.size() : close + 1;
            } else {
                while (end < free.size() && free[end] != ' ' && free[end] != ')') ++end;
            }
            std::fill(free.begin() + static_cast<std::ptrdiff_t>(i), free.begin() + static_cast<std::ptrdiff_t>(end),
                      ' ');
            break;
        }
    }
    for (const auto& [begin, end] : word_spans(free))
        if (!db.term_exists(to_lower(std::string_view(free).substr(begin, end - begin)))) return false;
    return true;
}

void check_nesting(const std::string& text) {
    int depth = 0, max_depth = 0;
    for (char c : text) {
        if (c == '(')
            max_depth = std::max(max_depth, ++depth);
        else if (c == ')' && depth > 0)
            --depth;
    }
    if (max_depth > kMaxNesting)
        throw QueryError("query nested " + std::to_string(max_depth) + " brackets deep; at most " +
                         std::to_string(kMaxNesting) + " allowed");
}

// Notices for what a query's text says that the parser would pass over in
// silence: a quote left open, a "*" with no letters before it.
void syntax_notices(const std::string& text, std::vector<std::string>& notices) {
    if (std::count(text.begin(), text.end(), '"') % 2 == 1)
        notices.push_back("a quote is not closed: the phrase runs to the end of the query");
    for (size_t i = 0; i < text.size(); ++i) {
        const bool bare = text[i] == '*' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '"' || text[i - 1] == '(');
        if (bare) {
            notices.push_back("a * needs letters before it (oil* finds oil, oils, oilfield); a * alone matches "
                              "nothing");
            break;
        }
    }
}

// The boolean date terms for the days of [from, to] (compact dates, empty
// for open) in an archive whose articles are dated [first, last]: whole
// years by their year term and whole months by their month term where the
// archive has no day of the year or month outside the range, the other days
// by their day terms. Empty when that would take more than `limit` terms.
std::vector<std::string> date_terms(const std::string& from, const std::string& to, const std::string& first,
                                    const std::string& last, size_t limit) {
    // Whether every archive day of [a, b] is in the range.
    auto inside = [&](const std::string& a, const std::string& b) {
        return (from.empty() || std::max(a, first) >= from) && (to.empty() || std::min(b, last) <= to);
    };
    const std::string start = std::max(from, first), stop = to.empty() ? last : std::min(to, last);
    std::vector<std::string> terms;
    Date d = parse_iso_date(start.substr(0, 4) + "-" + start.substr(4, 2) + "-" + start.substr(6, 2));
    while (d.compact() <= stop) {
        if (terms.size() == limit) return {};
        const Date year_begin {d.year, 1, 1}, year_end {d.year, 12, 31};
        const Date month_begin {d.year, d.month, 1}, month_end {d.year, d.month, days_in_month(d.year, d.month)};
        const std::string day = d.compact();
        if (day == std::max(year_begin.compact(), start) && inside(year_begin.compact(), year_end.compact())) {
            terms.push_back(schema::year_term(d.year));
            d = year_end;
        } else if (day == std::max(month_begin.compact(), start) &&
                   inside(month_begin.compact(), month_end.compact())) {
            terms.push_back(schema::month_term(d.year, d.month));
            d = month_end;
        } else {
            terms.push_back(schema::day_term(d.year, d.month, d.day));
        }
        if (d.compact() == "99991231") break;
        d = add_days(d, 1);
    }
    return terms;
}

// Whether the index has surname terms (schema 4 on).
bool has_surname_terms(const Xapian::Database& db) {
    const std::string version = db.get_metadata(std::string(schema::kMetaSchema));
    return !version.empty() && std::atoi(version.c_str()) >= 4;
}

} // namespace

Xapian::Query date_range_query(const Xapian::Database& db, const std::string& range) {
    if (trim(range) == "none") {
        // The undated: by their date-kind term, or (an index written before
        // articles recorded it) as every article without a year term.
        const std::string none = schema::date_from_term(schema::kDateFromNone);
        const std::string prefix(schema::kDateFromPrefix);
        if (db.allterms_begin(prefix) != db.allterms_end(prefix)) return Xapian::Query(none);
        return Xapian::Query(Xapian::Query::OP_AND_NOT, Xapian::Query::MatchAll,
                             Xapian::Query(Xapian::Query::OP_WILDCARD, std::string(schema::kYearPrefix)));
    }
    DateRange r = parse_date_range(trim(range));
    // The articles' year, month and day terms filter far faster than the
    // date value range (which reads the date of every article): "profit
    // date:1987-03-02" 10 M -> 0.3 M instructions. The range is cut to the
    // archive's first and last dates (open ends included); one that would
    // still take hundreds of terms (an archive over centuries) stays a value
    // range.
    constexpr size_t kMaxTerms = 400;
    const std::string first = db.get_value_lower_bound(schema::kDateSlot);
    const std::string last = db.get_value_upper_bound(schema::kDateSlot);
    if (first.empty() || (!r.to.empty() && r.to < first) || (!r.from.empty() && r.from > last))
        return Xapian::Query::MatchNothing; // no dated article in range
    if (first.size() == 8 && last.size() == 8) {
        try {
            std::vector<std::string> terms = date_terms(r.from, r.to, first, last, kMaxTerms);
            if (!terms.empty()) return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
        } catch (const Error&) {
            // (a stored date that is not a day: the value range below)
        }
    }
    if (r.from.empty()) return Xapian::Query(Xapian::Query::OP_VALUE_LE, schema::kDateSlot, r.to);
    if (r.to.empty()) return Xapian::Query(Xapian::Query::OP_VALUE_GE, schema::kDateSlot, r.from);
    return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, schema::kDateSlot, r.from, r.to);
}

std::string AliasTable::canonical(const std::string& type, const std::string& name) const {
    std::call_once(loaded_, [this] { table_ = db_.get_metadata(std::string(schema::kMetaAliases)); });
    if (table_.empty()) return to_lower(EntityTagger::instance().canonical(type, name));
    std::string n = to_lower(collapse_space(name));
    if (n.size() > 4 && n.compare(0, 4, "the ") == 0) n = n.substr(4);
    // Lines "TYPE\talias\tcanonical": the first line for this alias whose
    // type fits.
    const std::string key = "\t" + n + "\t";
    for (size_t at = table_.find(key); at != std::string::npos; at = table_.find(key, at + 1)) {
        size_t line = table_.rfind('\n', at);
        line = line == std::string::npos ? 0 : line + 1;
        if (table_.find('\t', line) != at) continue; // (not the alias column)
        const std::string t = table_.substr(line, at - line);
        if (!type.empty() && !t.empty() && t != type) continue;
        const size_t begin = at + key.size(), end = table_.find('\n', begin);
        return to_lower(table_.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
    }
    return n;
}

Xapian::Query entity_query(const Xapian::Database& db, const AliasTable& aliases, const std::string& type,
                           const std::string& value) {
    std::string name = collapse_space(value);
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
        name = collapse_space(name.substr(1, name.size() - 2));
    if (name.empty()) throw QueryError("empty entity name");
    std::vector<std::string> types;
    if (type.empty())
        types = {std::string(schema::kTypePerson), std::string(schema::kTypeOrg), std::string(schema::kTypePlace),
                 std::string(schema::kTypeMisc)};
    else
        types = {type};
    std::vector<Xapian::Query> parts;
    for (const std::string& t : types) {
        std::string canonical = aliases.canonical(t, name);
        std::string term = schema::entity_term(t, canonical);
        parts.emplace_back(term);
        // A bare surname also finds the full names that end with it
        // ("Trump" -> "Donald Trump"): through their surname term, or in an
        // index from before surname terms (schema 3) by reading every
        // person's term.
        if (t != schema::kTypePerson || canonical.find(' ') != std::string::npos) continue;
        if (has_surname_terms(db)) {
            parts.emplace_back(schema::surname_term(canonical));
            continue;
        }
        const std::string prefix = schema::entity_type_prefix(t);
        const std::string suffix = " " + to_lower(canonical);
        for (auto it = db.allterms_begin(prefix); it != db.allterms_end(prefix); ++it) {
            const std::string& full = *it;
            if (full.size() > suffix.size() && full.compare(full.size() - suffix.size(), suffix.size(), suffix) == 0)
                parts.emplace_back(full);
        }
    }
    return Xapian::Query(Xapian::Query::OP_OR, parts.begin(), parts.end());
}

QueryBuilder::QueryBuilder(const Xapian::Database& db)
    : db_(db), aliases_(std::make_shared<AliasTable>(db)), field_errors_(std::make_shared<FieldErrors>()) {
    qp_.set_database(db_);
    qp_.set_stemmer(Xapian::Stem("english"));
    qp_.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    qp_.set_default_op(Xapian::Query::OP_AND);
    qp_.set_stopper(&stop_words());
    qp_.set_max_expansion(kMaxWildcardExpansion, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
    qp_.add_prefix("title", std::string(schema::kTitlePrefix));
    qp_.add_boolean_prefix("source", (new SourceProcessor)->release());
    qp_.add_boolean_prefix("date", (new DateProcessor(db_, field_errors_))->release());
    for (size_t f = 0; f < kEntityFields; ++f)
        qp_.add_boolean_prefix(
            kFields[f], (new EntityProcessor(db_, aliases_, type_for_field(kFields[f]), field_errors_))->release());
}

ParsedQuery QueryBuilder::parse(const std::string& text) {
    ParsedQuery out;
    std::string q(trim(text));
    if (q.empty()) {
        out.query = Xapian::Query::MatchAll;
        return out;
    }
    check_nesting(q);
    syntax_notices(q, out.notices);
    unsigned flags =
        Xapian::QueryParser::FLAG_DEFAULT | Xapian::QueryParser::FLAG_WILDCARD | Xapian::QueryParser::FLAG_PURE_NOT;
    const bool spell = !all_words_known(q, db_);
    if (spell) flags |= Xapian::QueryParser::FLAG_SPELLING_CORRECTION;
    try {
        field_errors_->first.clear();
        out.query = qp_.parse_query(q, flags);
        if (!field_errors_->first.empty()) throw QueryError(field_errors_->first);
        if (spell) out.corrected = drop_known_corrections(q, qp_.get_corrected_query_string(), db_);
        for (auto w = qp_.stoplist_begin(); w != qp_.stoplist_end(); ++w) out.stop_words.push_back(*w);
        relax(q, flags & ~unsigned(Xapian::QueryParser::FLAG_SPELLING_CORRECTION), out);
        std::vector<std::string> cut;
        bool expanded = false;
        out.query = expand_wildcards(out.query, db_, cut, expanded);
        if (!out.relaxed.empty()) out.relaxed = expand_wildcards(out.relaxed, db_, cut, expanded);
        std::sort(cut.begin(), cut.end());
        cut.erase(std::unique(cut.begin(), cut.end()), cut.end());
        for (const std::string& p : cut)
            out.notices.push_back("'" + p + "*' matches more than " + std::to_string(kMaxWildcardExpansion) +
                                  " words; only the " + std::to_string(kMaxWildcardExpansion) +
                                  " most frequent were searched");
    } catch (const Xapian::QueryParserError& e) {
        throw QueryError("cannot read the query (" + e.get_msg() +
                         "): AND, OR, NOT and NEAR join two words or phrases (oil AND prices); to search for "
                         "one of them as a word, put it in quotes (\"and\")");
    } catch (const Xapian::WildcardError& e) {
        throw QueryError("wildcard matches too many words: " + e.get_msg());
    }
    out.query = weigh_titles(widen_possessives(out.query));
    if (!out.relaxed.empty()) out.relaxed = weigh_titles(widen_possessives(out.relaxed));
    return out;
}

void QueryBuilder::relax(const std::string& text, unsigned flags, ParsedQuery& out) {
    if (out.query.get_type() != Xapian::Query::OP_AND && out.query.get_type() != Xapian::Query::OP_AND_NOT &&
        out.query.get_type() != Xapian::Query::OP_FILTER)
        return; // (one word, a phrase, an OR: nothing that all-words could make optional)
    qp_.set_default_op(Xapian::Query::OP_OR);
    Xapian::Query any;
    try {
        any = qp_.parse_query(text, flags);
    } catch (...) {
        qp_.set_default_op(Xapian::Query::OP_AND);
        throw;
    }
    qp_.set_default_op(Xapian::Query::OP_AND);
    std::vector<std::string> terms;
    out.relaxed = relaxed_query(out.query, any, terms);
    for (const std::string& t : terms) {
        // The word as typed: the parser's record of what it stemmed.
        auto typed = qp_.unstem_begin(t);
        out.optional_words.push_back(typed != qp_.unstem_end(t) ? *typed : t[0] == 'Z' ? t.substr(1) : t);
    }
}

Xapian::Query QueryBuilder::date_filter(const std::string& from, const std::string& to) const {
    if (from.empty() && to.empty()) return {};
    return date_range_query(db_, from + ".." + to);
}

Xapian::Query QueryBuilder::entity_filter(const std::string& spec) const {
    size_t colon = spec.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size())
        throw QueryError("--entity wants TYPE:NAME (e.g. place:Iran), got '" + spec + "'");
    return entity_query(db_, *aliases_, type_for_field(spec.substr(0, colon)), spec.substr(colon + 1));
}

Xapian::Query QueryBuilder::source_filter(const std::string& source) const {
    return Xapian::Query(schema::source_term(source));
}

} // namespace news
