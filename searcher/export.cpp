#include "searcher/export.h"

#include <algorithm>
#include <ostream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/codec.h"
#include "common/error.h"
#include "common/schema.h"
#include "common/text.h"
#include "searcher/article.h"

namespace news {

namespace {

// One match as the order needs it; the article itself is read when written.
struct Row {
    double key = 0;     // weight (relevance) or date as YYYYMMDD (0: undated)
    uint64_t story = 0; // hash of the story id
    uint32_t did = 0;   // document number in its part
    uint32_t copies = 1;
    uint32_t part = 0;
    float weight = 0; // breaks ties of date order, as the search does
};

// Reads each match's order key and story as the matcher hands it over
// (a spy sees the part's own document numbers, hence one part at a time).
class RowSpy : public Xapian::MatchSpy {
public:
    RowSpy(std::vector<Row>& rows, uint32_t part, bool by_date) : rows_(rows), part_(part), by_date_(by_date) {}
    void operator()(const Xapian::Document& doc, double wt) override {
        Row r;
        r.did = doc.get_docid();
        r.part = part_;
        if (by_date_) {
            const std::string d = doc.get_value(schema::kDateSlot);
            r.key = d.size() == 8 ? std::stod(d) : 0;
            r.weight = static_cast<float>(wt);
        } else {
            r.key = wt;
        }
        const std::string story = doc.get_value(schema::kStorySlot);
        // (An article without a story value is a story of its own.)
        r.story = story.empty() ? ~((uint64_t {r.part} << 32) | r.did) : std::hash<std::string_view> {}(story);
        rows_.push_back(r);
    }

private:
    std::vector<Row>& rows_;
    uint32_t part_;
    bool by_date_;
};

// The export's order: by key (highest first, but oldest first for
// SortOrder::Oldest), then by weight, part and document number.
struct RowOrder {
    bool ascending;
    bool operator()(const Row& a, const Row& b) const {
        if (a.key != b.key) return ascending ? a.key < b.key : a.key > b.key;
        if (a.weight != b.weight) return a.weight > b.weight;
        return a.part != b.part ? a.part < b.part : a.did < b.did;
    }
};

// Keeps each story's first row in `order`, counting the copies it stands for.
void fold_stories(std::vector<Row>& rows, const RowOrder& order) {
    std::sort(rows.begin(), rows.end(),
              [&](const Row& a, const Row& b) { return a.story != b.story ? a.story < b.story : order(a, b); });
    size_t out = 0;
    for (size_t i = 0; i < rows.size();) {
        size_t j = i + 1;
        while (j < rows.size() && rows[j].story == rows[i].story) ++j;
        rows[out] = rows[i];
        rows[out++].copies = static_cast<uint32_t>(j - i);
        i = j;
    }
    rows.resize(out);
    rows.shrink_to_fit();
}

// An article's entity names by type, most mentioned first.
struct Names {
    std::vector<std::string> people, orgs, places, misc;
};
Names names_of(const StoredArticle& a) {
    Names n;
    for (const EntityCount& e : count_entities(a)) {
        auto& list = e.type == schema::kTypePerson  ? n.people
                     : e.type == schema::kTypeOrg   ? n.orgs
                     : e.type == schema::kTypePlace ? n.places
                                                    : n.misc;
        list.push_back(e.name);
    }
    return n;
}

// The opening of an article for a spreadsheet cell: its first paragraphs,
// one a line (white space within each collapsed), until kLeadBytes is reached (at most three).
constexpr size_t kLeadBytes = 300;
std::string lead_of(const std::string& body) {
    std::string lead;
    int n = 0;
    for (const auto& [b, e] : paragraph_ranges(body)) {
        if (lead.size() >= kLeadBytes || n++ == 3) break;
        if (!lead.empty()) lead += '\n';
        lead += collapse_space(std::string_view(body).substr(b, e - b));
    }
    return lead;
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) s += (s.empty() ? "" : "; ") + x;
    return s;
}

void write_row(std::ostream& out, const ExportOptions& options, long rank, const Row& row,
               const Xapian::Document& doc) {
    const ExportFormat format = options.format;
    StoredArticle a = decode_article(doc.get_data());
    if (options.hide_paths) a.path.clear();
    std::string story = doc.get_value(schema::kStorySlot);
    if (story.empty()) story = a.id;
    const Names n = names_of(a);
    if (format == ExportFormat::Csv) {
        const std::string fields[] = {std::to_string(rank),
                                      a.id,
                                      story,
                                      std::to_string(row.copies),
                                      a.date,
                                      a.source,
                                      a.title,
                                      a.url,
                                      a.path,
                                      joined(n.people),
                                      joined(n.orgs),
                                      joined(n.places),
                                      joined(n.misc),
                                      lead_of(a.body)};
        bool first = true;
        for (const std::string& f : fields) {
            out << (first ? "" : ",") << csv_field(f);
            first = false;
        }
        out << "\r\n";
        return;
    }
    nlohmann::ordered_json j;
    j["rank"] = rank;
    j["id"] = a.id;
    j["story"] = story;
    j["copies"] = row.copies;
    j["date"] = a.date.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(a.date);
    j["source"] = a.source;
    j["title"] = a.title;
    j["url"] = a.url;
    j["path"] = a.path;
    j["people"] = n.people;
    j["organisations"] = n.orgs;
    j["places"] = n.places;
    j["misc"] = n.misc;
    j["lead"] = lead_of(a.body);
    j["text"] = a.body;
    out << j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
}

} // namespace

ExportFormat parse_export_format(const std::string& s) {
    if (s == "csv") return ExportFormat::Csv;
    if (s == "jsonl") return ExportFormat::Jsonl;
    throw QueryError("unknown export format '" + s + "' (csv or jsonl)");
}

const std::vector<std::string>& export_columns() {
    static const std::vector<std::string> kColumns = {"rank",          "id",     "story", "copies", "date",
                                                      "source",        "title",  "url",   "path",   "people",
                                                      "organisations", "places", "misc",  "lead"};
    return kColumns;
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) {
        if (c == '"') q += '"';
        q += c;
    }
    return q + '"';
}

ExportSummary export_matches(Searcher& searcher, const SearchRequest& request, const ExportOptions& options,
                             std::ostream& out) {
    MatchSet m = searcher.match_set(request);
    const bool by_date = request.sort != SortOrder::Relevance;
    std::vector<Row> rows;
    for (uint32_t p = 0; p < m.parts.size(); ++p) {
        Xapian::Enquire enq(m.parts[p]);
        enq.set_query(m.query);
        enq.set_weighting_scheme(*m.weighting);
        RowSpy spy(rows, p, by_date);
        enq.add_matchspy(&spy);
        enq.get_mset(0, 0, m.parts[p].get_doccount());
    }
    ExportSummary sum;
    sum.articles = static_cast<long>(rows.size());
    const RowOrder order {request.sort == SortOrder::Oldest};
    if (request.collapse) fold_stories(rows, order);
    sum.stories = request.collapse ? static_cast<long>(rows.size()) : -1;
    std::sort(rows.begin(), rows.end(), order);

    if (options.format == ExportFormat::Csv) {
        bool first = true;
        for (const std::string& c : export_columns()) {
            out << (first ? "" : ",") << c;
            first = false;
        }
        out << "\r\n";
    }
    const long total = options.max_rows > 0 ? std::min<long>(options.max_rows, static_cast<long>(rows.size()))
                                            : static_cast<long>(rows.size());
    sum.truncated = total < static_cast<long>(rows.size());
    for (long i = 0; i < total; ++i) {
        const Row& r = rows[static_cast<size_t>(i)];
        write_row(out, options, i + 1, r, m.parts[r.part].get_document(r.did));
        if (options.progress && (i + 1) % 5000 == 0) options.progress(i + 1, total);
        if (!out) throw Error("cannot write the export (disk full or pipe closed?)");
    }
    out.flush();
    sum.rows = total;
    if (options.progress) options.progress(total, total);
    return sum;
}

} // namespace news
