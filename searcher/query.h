// Query building: the query language of DESIGN.md (words, phrases, boolean
// operators, NEAR, wildcards, title:, source:, date:, person:, org:, place:,
// entity:) through Xapian's QueryParser, with field processors that resolve
// entity names through the tagger's alias table and validate dates.
#pragma once

#include <string>
#include <vector>

#include <xapian.h>

namespace news {

struct ParsedQuery {
    Xapian::Query query;
    std::string corrected;              // spelling suggestion, or empty
    std::vector<std::string> notices;
};

class QueryBuilder {
public:
    explicit QueryBuilder(const Xapian::Database& db);

    // Parses the user's query; an empty string gives MatchAll. Throws
    // news::QueryError with a readable message.
    ParsedQuery parse(const std::string& text);

    // Filters for the command-line/CGI options.
    Xapian::Query date_filter(const std::string& from, const std::string& to) const;
    // "TYPE:NAME", TYPE one of person, org, place, misc, entity.
    Xapian::Query entity_filter(const std::string& spec) const;
    Xapian::Query source_filter(const std::string& source) const;

    static constexpr unsigned kMaxWildcardExpansion = 100;

private:
    Xapian::Database db_;
    Xapian::QueryParser qp_;
};

// Query for an entity value of a type ("PLACE", or "" for any type).
Xapian::Query entity_query(const Xapian::Database& db, const std::string& type, const std::string& value);

// Query for a date range string as accepted by date: ("2026-03", "..2026-03-05").
Xapian::Query date_range_query(const std::string& range);

} // namespace news
