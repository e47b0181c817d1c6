#include "indexer/stats.h"

#include <filesystem>
#include <ostream>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "common/error.h"
#include "common/schema.h"

namespace news {
namespace {

std::string iso_from_compact(const std::string& c) {
    if (c.size() != 8) return {};
    return c.substr(0, 4) + "-" + c.substr(4, 2) + "-" + c.substr(6, 2);
}

long long dir_size(const std::string& path) {
    namespace fs = std::filesystem;
    long long total = 0;
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) return static_cast<long long>(fs::file_size(path, ec));
    for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
        if (it->is_regular_file(ec)) total += static_cast<long long>(it->file_size(ec));
    return total;
}

} // namespace

IndexStats read_stats(const std::string& db_path) {
    IndexStats s;
    try {
        Xapian::Database db(db_path);
        s.documents = db.get_doccount();
        s.total_terms = static_cast<long long>(db.get_total_length());
        for (auto t = db.allterms_begin(); t != db.allterms_end(); ++t) ++s.distinct_terms;
        s.first_date = iso_from_compact(db.get_value_lower_bound(schema::kDateSlot));
        s.last_date = iso_from_compact(db.get_value_upper_bound(schema::kDateSlot));
        const std::string prefix(schema::kSourcePrefix);
        for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t) {
            // The slot keeps the source as written; find one article to show it.
            Xapian::PostingIterator p = db.postlist_begin(*t);
            std::string name = (*t).substr(prefix.size());
            if (p != db.postlist_end(*t)) {
                std::string v = db.get_document(*p).get_value(schema::kSourceSlot);
                if (!v.empty()) name = v;
            }
            s.sources.emplace_back(name, t.get_termfreq());
        }
        const std::string dp(schema::kDateFromPrefix);
        for (auto t = db.allterms_begin(dp); t != db.allterms_end(dp); ++t)
            s.date_from.emplace_back((*t).substr(dp.size()), t.get_termfreq());
        s.schema_version = db.get_metadata(std::string(schema::kMetaSchema));
        s.model_version = db.get_metadata(std::string(schema::kMetaModel));
    } catch (const Xapian::Error& e) {
        throw Error(db_path + ": " + e.get_description());
    }
    s.size_bytes = dir_size(db_path);
    return s;
}

void print_stats_text(const IndexStats& s, std::ostream& out) {
    out << "documents:  " << s.documents << '\n'
        << "terms:      " << s.distinct_terms << " distinct, " << s.total_terms << " in all\n"
        << "dates:      " << (s.first_date.empty() ? "none" : s.first_date + " .. " + s.last_date) << '\n'
        << "sources:    " << s.sources.size() << '\n';
    for (const auto& [name, n] : s.sources) out << "  " << name << ": " << n << '\n';
    if (!s.date_from.empty()) {
        out << "dated by:  ";
        for (const auto& [kind, n] : s.date_from) out << ' ' << kind << ' ' << n;
        out << '\n';
    }
    out << "size:       " << s.size_bytes / 1024 << " KiB\n"
        << "schema:     " << s.schema_version << ", model " << s.model_version << '\n';
}

void print_stats_json(const IndexStats& s, std::ostream& out) {
    nlohmann::json j;
    j["documents"] = s.documents;
    j["terms"] = s.distinct_terms;
    j["total_terms"] = s.total_terms;
    j["first_date"] = s.first_date.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.first_date);
    j["last_date"] = s.last_date.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.last_date);
    nlohmann::json src = nlohmann::json::array();
    for (const auto& [name, n] : s.sources) src.push_back({{"name", name}, {"count", n}});
    j["sources"] = src;
    nlohmann::json from = nlohmann::json::object();
    for (const auto& [kind, n] : s.date_from) from[kind] = n;
    j["date_from"] = from;
    j["size_bytes"] = s.size_bytes;
    j["schema_version"] = s.schema_version;
    j["model_version"] = s.model_version;
    out << j.dump(2) << '\n';
}

} // namespace news
