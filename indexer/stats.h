// What an index holds: documents, terms, date span, sources, size on disk.
#pragma once

#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace news {

struct IndexStats {
    long long documents = 0;
    long long distinct_terms = 0;
    long long total_terms = 0;                              // sum of document lengths
    std::string first_date, last_date;                      // ISO, empty when no dated article
    std::vector<std::pair<std::string, long long>> sources; // name, articles
    // How dates were found (schema::kDateFrom... kind, articles); empty for
    // an index written before articles recorded it.
    std::vector<std::pair<std::string, long long>> date_from;
    long long size_bytes = 0;
    std::string schema_version, model_version;
};

// Throws news::Error when the database cannot be opened.
IndexStats read_stats(const std::string& db_path);

void print_stats_text(const IndexStats& s, std::ostream& out);
void print_stats_json(const IndexStats& s, std::ostream& out);

} // namespace news
