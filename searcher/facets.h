// Facet counting over the whole match set: entities (the compact
// per-document list of schema::kEntitiesSlot), sources and dates of every
// matching article, exact. Multi-valued: an article counts once for each
// of its distinct entities.
//
// Two ways, one ranking:
//  - over a single database, and over local shards one shard at a time, a
//    boolean match notes the matching document numbers (DocidSpy) and a
//    FacetTable holds their values, read slot by slot in document order; a
//    long-lived searcher keeps them per index (or shard) in KeptFacets, and
//    after a commit reads only what it wrote, so a search only counts;
//    FacetCounts adds up the counts of several tables;
//  - over remote databases, and databases that cannot be opened one by
//    one, FacetSpy reads each document's values as the matcher hands it
//    over (a spy is given sub-database document numbers without the
//    sub-database, so they cannot be looked up later).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <xapian.h>

#include "searcher/deadline.h"
#include "searcher/results.h"

namespace news {

// Distinct strings, each stored once, numbered from 0 in order of arrival.
class Dictionary {
public:
    uint32_t id(std::string_view key);
    const std::string& name(uint32_t id) const { return names_[id]; }
    size_t size() const { return names_.size(); }

private:
    std::unordered_map<std::string_view, uint32_t> ids_;
    std::deque<std::string> names_; // owns the keys' characters; never moves them
};

// Notes the number of every document the matcher checks.
class DocidSpy : public Xapian::MatchSpy {
public:
    void operator()(const Xapian::Document& doc, double) override { docids.push_back(doc.get_docid()); }
    std::vector<Xapian::docid> docids;
};

class FacetTable;

// Counts of facet values over the tables that added to it (names are the
// tables' own strings: the tables must outlive the counts).
class FacetCounts {
public:
    // Top `n` facets of every value added.
    // `date_unit`: "day", "month" or "year" for the histogram; "" chooses by the span.
    // (Sorts the story keys, once: call before stories().)
    Facets ranked(int n, std::string_view date_unit = {});
    // The number of distinct stories (collapse keys) among the documents
    // added; a document without one is a story of its own. (Keeps only
    // the distinct keys after.)
    long stories();

private:
    friend class FacetTable;
    using Named = std::vector<std::pair<std::string_view, long>>; // name, count
    // Articles of one story beyond the first that share a value: subtracted
    // from the articles to give the stories.
    std::unordered_map<std::string_view, long> repeats() const;

    Named entities_, sources_, days_;  // (a name once per table)
    std::vector<uint64_t> story_keys_; // per document: hash, 0 = none
    bool sorted_ = false;              // story_keys_ sorted
    void sort_story_keys();
    struct Part {
        const FacetTable* table;
        std::vector<uint32_t> rows;
    };
    std::vector<Part> parts_; // what each table counted (for repeats)
    int tables_ = 0;
};

// The facet values of documents of one single database, interned.
class FacetTable {
public:
    // Every document's values; the row of document d is d - 1.
    explicit FacetTable(const Xapian::Database& db);
    // The values of `docids` (ascending); row i is docids[i].
    FacetTable(const Xapian::Database& db, const std::vector<Xapian::docid>& docids);

    size_t rows() const { return day_.size(); }

    // Adds the values of `rows` to `counts`. The table must outlive the
    // counts' ranked().
    void count(const std::vector<uint32_t>& rows, FacetCounts& counts) const;

private:
    friend class FacetCounts;
    // Calls f(name) for every value of a row (entities "T<name>", source
    // "\x01<source>", day "\x02<yyyymmdd>": one key space).
    template <typename F>
    void each_value(uint32_t row, F&& f) const;

    void read(const Xapian::Database& db, const std::vector<Xapian::docid>* docids);

    static constexpr uint32_t kNone = UINT32_MAX;
    std::vector<uint32_t> day_, source_; // per row: dictionary id or kNone
    std::vector<uint64_t> story_;        // per row: hash of the collapse key, 0 = none
    std::vector<uint32_t> entity_start_; // per row + 1: the row's first entry in entities_
    std::vector<uint32_t> entities_;     // "T<name>" ids
    Dictionary days_, sources_, names_;
};

// A database's facet values kept between searches by a long-lived
// searcher. After a commit only what the new commits wrote is read: the
// documents of the indexing runs whose run term (schema::kRunPrefix) is new
// or has more documents, into a further layer over the table of every
// document (a replaced document's layer row hides its old row; a deleted
// one never matches). The layers are read into one table again when they
// hold a quarter as many documents as it. An index without run terms is
// read whole after every commit.
class KeptFacets {
public:
    // Brings the tables to `db`'s revision.
    void update(const Xapian::Database& db);
    // Adds the values of the matching `docids` of `db` (at the revision of
    // the last update) to `counts`; `hold` keeps the tables the counts name.
    void count(const Xapian::Database& db, const std::vector<Xapian::docid>& docids, FacetCounts& counts,
               std::vector<std::shared_ptr<const FacetTable>>& hold) const;
    // Layers over the whole table, and how many times every document was read.
    size_t layers() const { return layers_.size(); }
    long whole_reads() const { return whole_reads_; }

private:
    struct Layer {
        std::shared_ptr<const FacetTable> table;
        std::vector<Xapian::docid> docids; // ascending; row i is docids[i]
    };
    static constexpr size_t kMaxLayers = 32;
    bool add_layer(const Xapian::Database& db, const std::map<std::string, Xapian::doccount>& runs);

    std::shared_ptr<const FacetTable> whole_;
    std::vector<Layer> layers_;
    std::vector<uint8_t> owner_;                   // per docid: 0 = whole_, k = layers_[k - 1]
    std::map<std::string, Xapian::doccount> runs_; // run term -> its documents when read
    Xapian::rev revision_ = 0;
    std::string uuid_;
    long whole_reads_ = 0;
};

// Counts the values of each document it is handed.
class FacetSpy : public Xapian::MatchSpy {
public:
    void operator()(const Xapian::Document& doc, double) override;
    Facets result(int n, std::string_view date_unit = {}) const;
    // Documents seen, and the distinct stories among them.
    long documents() const { return documents_; }
    long stories() const;

private:
    std::unordered_map<uint32_t, long> entity_, source_, day_; // by dictionary id
    Dictionary names_, sources_, days_;
    // (story hash, value) of every document: entity ids, then sources and
    // days after kSourceBase and kDayBase.
    std::vector<std::pair<uint64_t, uint32_t>> story_values_;
    std::vector<uint64_t> story_keys_; // per document: hash, 0 = none
    bool sorted_ = false;              // story_keys_ sorted
    void sort_story_keys();
    long documents_ = 0;
    static constexpr uint32_t kSourceBase = 1u << 30, kDayBase = 1u << 31;
};

// One database to count facets in on its own, and where its table of every
// document is kept between searches (null: none is, the matches' values
// are read for this search only).
struct FacetPart {
    Xapian::Database db;
    KeptFacets* kept = nullptr;
};

// Counts the facets of every match of `query`, database by database (a
// boolean match lists the matching documents, then their values are
// counted), into resp.facets; the number of stories among them is the
// exact folded total (resp.total_*). With `timed`, stops at the deadline
// and says so in a notice: the counts are then those of the matches seen.
void count_facets_by_database(const std::vector<FacetPart>& parts, const Xapian::Query& query, bool fold,
                              int facet_size, const Deadline& deadline, bool timed, SearchResponse& resp,
                              std::string_view date_unit = {});

// Counts the facets from the documents of a second, unweighted match, at
// most kMaxRemoteFacetDocs of them (for remote shards, where the match
// spy cannot run); `spy` counts them.
void count_facets_from_documents(const Xapian::Database& db, const Xapian::Query& query, int facet_size, FacetSpy& spy,
                                 SearchResponse& resp, std::string_view date_unit = {});
inline constexpr Xapian::doccount kMaxRemoteFacetDocs = 20000;

// The facets `spy` counted inside the page's match; the totals when the
// match saw every document (not cut short by Xapian's time limit).
void take_spied_facets(const FacetSpy& spy, int facet_size, const Deadline& deadline, bool timed, SearchResponse& resp,
                       std::string_view date_unit = {});

} // namespace news
