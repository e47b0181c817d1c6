// Query building: the query language of DESIGN.md (words, phrases, boolean
// operators, NEAR, wildcards, title:, source:, date:, person:, org:, place:,
// entity:) through Xapian's QueryParser, with field processors that resolve
// entity names through the tagger's alias table and validate dates.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <xapian.h>

namespace news {

struct ParsedQuery {
    Xapian::Query query;   // plain words all required
    Xapian::Query relaxed; // the same with plain words optional (ranking.h), or empty: nothing to relax
    std::vector<std::string> optional_words; // words `relaxed` makes optional, as typed
    std::vector<std::string> stop_words;     // stop words left out, as typed
    std::string corrected;                   // spelling suggestion, or empty
    std::vector<std::string> notices;
};

struct FieldErrors; // field values the parser could not understand

// Canonical names for entity values typed in a query, through the alias
// table the indexer stored in the database (so a query need not load the
// tagger's model); falls back to the model for an index without one.
// The table is read on first use: most queries name no entity, and a
// process per query should not pay for it.
class AliasTable {
public:
    explicit AliasTable(const Xapian::Database& db) : db_(db) {}
    // Lower-cased canonical name: ("PLACE", "U.S.") -> "united states".
    std::string canonical(const std::string& type, const std::string& name) const;

private:
    Xapian::Database db_;
    mutable std::once_flag loaded_;
    // The stored table, searched as it is (a process per query would spend
    // more building a map of its few hundred lines than looking up a name).
    mutable std::string table_;
};

class QueryBuilder {
public:
    explicit QueryBuilder(const Xapian::Database& db);

    // Parses the user's query; an empty string gives MatchAll. Stop words
    // are left out of free text (unless every word is one). Throws
    // news::QueryError with a readable message.
    ParsedQuery parse(const std::string& text);

    // Filters for the command-line/CGI options.
    Xapian::Query date_filter(const std::string& from, const std::string& to) const;
    // "TYPE:NAME", TYPE one of person, org, place, misc, entity.
    Xapian::Query entity_filter(const std::string& spec) const;
    Xapian::Query source_filter(const std::string& source) const;

    static constexpr unsigned kMaxWildcardExpansion = 100;

private:
    // Fills out.relaxed and out.optional_words from a second parse of `text`
    // with OR as the default operator.
    void relax(const std::string& text, unsigned flags, ParsedQuery& out);

    Xapian::Database db_;
    std::shared_ptr<AliasTable> aliases_;
    std::shared_ptr<FieldErrors> field_errors_;
    Xapian::QueryParser qp_;
};

// Query for an entity value of a type ("PLACE", or "" for any type).
Xapian::Query entity_query(const Xapian::Database& db, const AliasTable& aliases, const std::string& type,
                           const std::string& value);

// Query for a date range string as accepted by date: ("2026-03",
// "..2026-03-05"): the year, month and day terms that cover it in `db`
// (open ends at its first and last dates), or a date value range when that
// would take too many terms. Throws news::QueryError for a malformed range.
Xapian::Query date_range_query(const Xapian::Database& db, const std::string& range);

} // namespace news
