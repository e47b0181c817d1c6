#include "searcher/search.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <sys/resource.h>
#include <sys/stat.h>

#include <xapian.h>

#include "common/codec.h"
#include "common/dates.h"
#include "common/error.h"
#include "common/layout.h"
#include "common/schema.h"
#include "common/text.h"
#include "searcher/deadline.h"
#include "searcher/facets.h"
#include "searcher/query.h"
#include "searcher/ranking.h"
#include "searcher/snippet.h"
#include "searcher/weight.h"

namespace news {

namespace {

// What to say when a path holds no index: what it is, and what to do.
std::string not_an_index(const std::string& path) {
    std::error_code ec;
    const std::string build = "; build one with `newsindex build --db DIR FOLDER...` and search it with --db DIR";
    if (!std::filesystem::exists(path, ec)) return path + ": no such index" + build;
    if (std::filesystem::is_directory(path, ec)) return path + ": this folder is not an index" + build;
    return path + ": this file is not an index (nor a stub naming one)" + build;
}
void raise_open_file_limit(); // (below)
} // namespace

// An index as the searcher sees it: a database, or a sharded folder whose
// stub lists one database per period, or a stub naming remote shards.
struct Searcher::Impl {
    std::string path;
    Xapian::Database db;                     // everything the path names
    std::vector<std::string> shard_names;    // periods of a sharded folder, in order
    bool remote = false;                     // some shard is served by xapian-tcpsrv
    bool keep_table = false;                 // see keep_facet_table()
    std::shared_ptr<const FacetTable> table; // every document's facet values, or null
    // Each shard of a sharded folder on its own (sharing db's open files),
    // by name, and their kept facet tables.
    std::map<std::string, Xapian::Database> shard_dbs;
    std::map<std::string, std::shared_ptr<const FacetTable>> shard_tables;

    std::string opened_identity; // identity() when opened

    // Opens the database (a directory or a Xapian stub file); throws
    // news::Error when it cannot be opened.
    void open() {
        namespace fs = std::filesystem;
        std::error_code ec;
        shard_names.clear();
        remote = false;
        table.reset();
        shard_dbs.clear();
        shard_tables.clear();
        const std::string stub = layout::stub_path(path);
        if (!layout::is_database(path) && fs::is_regular_file(stub, ec)) {
            std::ifstream in(stub, std::ios::binary);
            const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            layout::Stub listed = layout::parse_stub(text, fs::is_directory(path, ec));
            remote = listed.remote;
            // (A folder whose stub also names other databases is searched
            // as the stub says, as a whole.)
            if (!listed.remote && !listed.other) shard_names = std::move(listed.shards);
            raise_open_file_limit();
        }
        opened_identity = identity(); // (needs the shard names)
        // An indexing run swaps a compacted or merged database (or shard) in
        // by two renames (DB -> DB.compact-old, DB.compact-tmp -> DB);
        // between them the path is missing for a moment. Try again while a
        // swap is under way, for at most a second.
        auto swapping = [&] {
            const std::string old(schema::kCompactOld), tmp(schema::kCompactTmp);
            if (fs::exists(path + old, ec) || fs::exists(path + tmp, ec)) return true;
            if (!fs::is_directory(path, ec)) return false;
            for (const auto& e : fs::directory_iterator(path, ec)) {
                const std::string name = e.path().filename().string();
                if (name.size() > old.size() && name.compare(name.size() - old.size(), old.size(), old) == 0)
                    return true;
            }
            return false;
        };
        for (int attempt = 0;; ++attempt) {
            try {
                // The shards of a folder are opened one by one, each also
                // kept on its own (for date pruning and facets): the same
                // open files, always at the same revision as the whole.
                shard_dbs.clear();
                if (shard_names.empty()) {
                    db = Xapian::Database(path);
                } else {
                    db = Xapian::Database();
                    for (const std::string& name : shard_names) {
                        Xapian::Database one((fs::path(path) / name).string());
                        db.add_database(one);
                        shard_dbs.emplace(name, std::move(one));
                    }
                }
                if (attempt > 0) opened_identity = identity();
                return;
            } catch (const Xapian::DatabaseError& e) {
                // (Not found, or tables of two revisions: once more in any
                // case, the swap may have ended meanwhile.)
                if (attempt >= 500 || (attempt > 0 && !swapping())) {
                    if (e.get_type() == std::string("DatabaseNotFoundError")) throw Error(not_an_index(path));
                    throw Error(printable(path) + ": cannot open index: " + e.get_description());
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            } catch (const Xapian::Error& e) {
                throw Error(printable(path) + ": cannot open index: " + e.get_description());
            }
        }
    }

    // Which files the path names: device and inode of the database's
    // version file, or of each shard's, and the stub's modification time;
    // "" when something is missing (e.g. in the middle of a swap).
    std::string identity() const { return layout::identity(path, shard_names); }

    // The facet table of the current revision of `one` (the database, or
    // a shard) kept in `kept`, when tables are kept.
    std::shared_ptr<const FacetTable> current_table(const Xapian::Database& one,
                                                    std::shared_ptr<const FacetTable>& kept) {
        if (!keep_table) return nullptr;
        if (!kept || kept->revision() != one.get_revision()) {
            kept.reset();
            kept = std::make_shared<const FacetTable>(one);
        }
        return kept;
    }

    // The shard `name` of a sharded folder on its own.
    Xapian::Database& shard(const std::string& name) { return shard_dbs.at(name); }

    // The database to search for a date range: only the shards whose period
    // overlaps [from, to] (compact dates, empty = open) when the folder is
    // sharded; `used` gets their names.
    Xapian::Database for_range(const std::string& from, const std::string& to, std::vector<std::string>& used) {
        if (shard_names.empty() || (from.empty() && to.empty())) {
            used = shard_names;
            return db;
        }
        Xapian::Database pruned;
        for (const std::string& name : shard_names) {
            if (name == layout::kUndated) continue; // cannot match a date range
            // (A shard that is no period is searched: nothing to prune it by.)
            const std::optional<layout::ShardSpan> span = layout::shard_span(name);
            if (span && ((!to.empty() && span->first > to) || (!from.empty() && span->last < from))) continue;
            pruned.add_database(shard(name));
            used.push_back(name);
        }
        return pruned;
    }
};

namespace {

// Accepts the stemmed body words of a document as "more like this"
// expansion terms: nothing with a prefix, and nothing only this document
// has (such a term finds no other article).
class BodyTermDecider : public Xapian::ExpandDecider {
public:
    explicit BodyTermDecider(const Xapian::Database& db) : db_(db) {}
    bool operator()(const std::string& term) const override {
        if (term.size() <= 3 || term[0] != 'Z' || term[1] < 'a' || term[1] > 'z') return false;
        return db_.get_termfreq(term) >= 2;
    }

private:
    const Xapian::Database& db_;
};

constexpr Xapian::termcount kLikeTerms = 40; // expansion terms for --like
constexpr Xapian::doccount kMaxRemoteFacetDocs = 20000;
// The least time left for which the page's match gets Xapian's time limit:
// its timer can crash a match that ends just after it fires (deadline.h),
// and with so little left the page's match is all that remains to do.
constexpr double kMinMatchTimer = 0.1;

// A match's weight to 40 bits: sums of the same term weights taken in
// another order (Xapian reshapes a query's tree as its matcher goes, and
// each shard's differently) differ in the last bits, and equal weights must
// stay equal for ties to go in article-id order in one database and in
// shards alike.
double weight_of(const Xapian::MSetIterator& it) {
    const double w = it.get_weight();
    if (w == 0) return 0;
    int exponent = 0;
    std::frexp(w, &exponent);
    const double scale = std::ldexp(1.0, 40 - exponent);
    return std::round(w * scale) / scale;
}

Xapian::Query filter(const Xapian::Query& q, const Xapian::Query& f) {
    if (f.empty()) return q;
    return Xapian::Query(Xapian::Query::OP_FILTER, q, f);
}

} // namespace

// The article's entities, most mentioned first, ties in order of first
// mention. (An article names a few dozen at most: a linear search is the
// cheapest map, and a stable sort of their positions is cheaper than of
// the entries with their strings.)
std::vector<EntityCount> count_entities(const StoredArticle& a) {
    struct Tally {
        const StoredEntity* first;
        int count;
    };
    std::vector<Tally> tallies;
    tallies.reserve(a.entities.size());
    for (const auto& e : a.entities) {
        auto it = std::find_if(tallies.begin(), tallies.end(),
                               [&e](const Tally& t) { return t.first->name == e.name && t.first->type == e.type; });
        if (it != tallies.end())
            ++it->count;
        else
            tallies.push_back({&e, 1});
    }
    std::stable_sort(tallies.begin(), tallies.end(), [](const Tally& x, const Tally& y) { return x.count > y.count; });
    std::vector<EntityCount> out;
    out.reserve(tallies.size());
    for (const auto& t : tallies) out.push_back({t.first->type, t.first->name, t.count});
    return out;
}

namespace {

// Each local shard holds a handful of open files; years of monthly shards
// pass the usual soft limit of 1024 descriptors, so take the hard one.
void raise_open_file_limit() {
    struct rlimit rl;
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
}

void check_request(const SearchRequest& r) {
    if (r.query.size() > SearchRequest::kMaxQueryBytes)
        throw QueryError("query is " + std::to_string(r.query.size()) + " bytes long; at most " +
                         std::to_string(SearchRequest::kMaxQueryBytes) + " allowed");
    if (!is_valid_utf8(r.query)) throw QueryError("query is not valid UTF-8");
    if (r.limit < 1 || r.limit > SearchRequest::kMaxLimit)
        throw QueryError("limit must be between 1 and " + std::to_string(SearchRequest::kMaxLimit));
    if (r.offset < 0 || r.offset + r.limit > SearchRequest::kMaxDepth)
        throw QueryError("offset + limit may be at most " + std::to_string(SearchRequest::kMaxDepth) +
                         " (refine the query instead of paging that deep)");
    if (r.facet_size < 1 || r.facet_size > 100) throw QueryError("facet size must be between 1 and 100");
}

// Matches exactly the documents of an ascending list, each with weight 0:
// the other-versions match's filter. (Cheaper than an OR of the stories'
// terms, whose posting lists were read already to find the documents.)
// Over local shards, `shards` lists each one's UUID in the database's order:
// Xapian searches each shard with a clone, which takes its own documents
// (document d of n shards is shard (d - 1) % n's (d - 1) / n + 1). Not for
// remote shards: a remote server cannot run it.
class DocidListSource : public Xapian::PostingSource {
public:
    DocidListSource(std::vector<Xapian::docid> docids, std::vector<std::string> shards)
        : docids_(std::move(docids)), shards_(std::move(shards)) {}
    Xapian::PostingSource* clone() const override { return new DocidListSource(docids_, shards_); }
    void init(const Xapian::Database& db) override {
        started_ = false, pos_ = 0;
        local_.clear();
        const size_t n = shards_.size();
        if (n <= 1) {
            local_ = docids_;
            return;
        }
        const size_t k =
            static_cast<size_t>(std::find(shards_.begin(), shards_.end(), db.get_uuid()) - shards_.begin());
        if (k == n) throw Error("other versions: a shard that is not among the database's");
        for (Xapian::docid d : docids_)
            if ((d - 1) % n == k) local_.push_back(static_cast<Xapian::docid>((d - 1) / n + 1));
    }
    Xapian::doccount get_termfreq_min() const override { return 0; }
    Xapian::doccount get_termfreq_est() const override { return static_cast<Xapian::doccount>(local_.size()); }
    Xapian::doccount get_termfreq_max() const override { return static_cast<Xapian::doccount>(local_.size()); }
    void next(double) override { pos_ += started_ ? 1 : 0, started_ = true; }
    void skip_to(Xapian::docid did, double) override {
        started_ = true;
        pos_ = static_cast<size_t>(std::lower_bound(local_.begin() + pos_, local_.end(), did) - local_.begin());
    }
    bool at_end() const override { return started_ && pos_ >= local_.size(); }
    Xapian::docid get_docid() const override { return local_[pos_]; }
    std::string get_description() const override { return "DocidListSource(" + std::to_string(docids_.size()) + ")"; }

private:
    std::vector<Xapian::docid> docids_; // in the whole database's numbering
    std::vector<std::string> shards_;
    std::vector<Xapian::docid> local_; // this shard's, in its numbering
    size_t pos_ = 0;
    bool started_ = false;
};

// The UUIDs of a database's shards, in order (one for a single database);
// empty when they cannot tell the shards apart (copies of one database) or
// when one is remote.
std::vector<std::string> shard_uuids(const Xapian::Database& db, bool remote) {
    if (remote) return {};
    std::vector<std::string> out;
    const std::string all = db.get_uuid();
    for (size_t at = 0; at <= all.size();) {
        size_t end = all.find(':', at);
        if (end == std::string::npos) end = all.size();
        out.push_back(all.substr(at, end - at));
        at = end + 1;
    }
    std::vector<std::string> sorted = out;
    std::sort(sorted.begin(), sorted.end());
    if (out.size() != db.size() || std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end() ||
        std::find(out.begin(), out.end(), "") != out.end())
        return {};
    return out;
}

// Lists each result's other versions: the articles of its story (the story
// term's articles and the story's first article) that match the query too,
// oldest first (equal dates by article id), the kMaxVersions oldest when a
// story has more. `shown` has each result's story (collapse key, "" when
// not folded) and document. A story has copies when its story term has
// articles (the matcher's collapse count is only a lower bound, which
// depends on how the match ran, e.g. on how many shards). One match finds
// the versions of every result at once.
//
// With `weighting` (the main match's scheme) the versions are scored as the
// main match scored them, and a story whose result has a version of equal
// score and smaller article id gets that version as its result instead: the
// main match, in plain relevance order, kept the copy with the lower
// document number, and the order of results must not depend on those.
// Returns, per result, the document that replaces it (0: none); its entry
// in `duplicates` is already the replaced result.
std::vector<Xapian::docid> add_other_versions(const Xapian::Database& db, bool remote, const Xapian::Query& full_query,
                                              const std::vector<std::pair<std::string, Xapian::docid>>& shown,
                                              std::vector<Result>& results, const Xapian::Weight* weighting) {
    constexpr size_t kMaxVersions = 50;
    std::vector<Xapian::docid> better(shown.size(), 0);
    std::map<std::string, size_t> result_of; // story -> index in results
    std::vector<double> score(shown.size());
    for (size_t i = 0; i < shown.size(); ++i) score[i] = results[i].score;
    struct Version {
        Xapian::docid did;
        double score;
    };
    std::vector<std::vector<Version>> versions(shown.size());
    // A document the match found for result i: the result itself (its score
    // as this match gives it) or one of its versions.
    auto take = [&](size_t i, const Xapian::MSetIterator& d) {
        if (*d == shown[i].second)
            score[i] = weight_of(d);
        else
            versions[i].push_back({*d, weight_of(d)});
    };

    Xapian::Enquire dup(db);
    Xapian::BoolWeight unweighted;
    dup.set_weighting_scheme(weighting ? *weighting : unweighted);
    std::vector<std::string> shards = shard_uuids(db, remote);
    if (!shards.empty()) {
        // The story's documents come from its posting lists, and only they
        // are matched.
        std::vector<std::pair<Xapian::docid, size_t>> docs; // document, result
        for (size_t i = 0; i < shown.size(); ++i) {
            const std::string& story = shown[i].first;
            if (story.empty() || result_of.count(story)) continue;
            // (The frequency first: it reads through the database's own
            // cursor, which keeps its blocks, where a posting list starts
            // a new one. Most stories have no copies.)
            const std::string copies = schema::story_term(story);
            if (db.get_termfreq(copies) == 0) continue; // (and the result is the story's first article)
            for (auto p = db.postlist_begin(copies); p != db.postlist_end(copies); ++p) docs.emplace_back(*p, i);
            if (results[i].id != story) { // a copy is shown: its story's first article is a version
                const std::string first = schema::id_term(story);
                auto p = db.postlist_begin(first);
                if (p != db.postlist_end(first)) docs.emplace_back(*p, i);
            }
            docs.emplace_back(shown[i].second, i);
            result_of.emplace(story, i);
        }
        if (docs.empty()) return better;
        std::sort(docs.begin(), docs.end());
        docs.erase(std::unique(docs.begin(), docs.end()), docs.end());
        std::vector<Xapian::docid> dids(docs.size());
        for (size_t k = 0; k < docs.size(); ++k) dids[k] = docs[k].first;
        auto* source = new DocidListSource(dids, std::move(shards));
        dup.set_query(Xapian::Query(Xapian::Query::OP_FILTER, full_query, Xapian::Query(source->release())));
        Xapian::MSet ds = dup.get_mset(0, static_cast<Xapian::doccount>(dids.size()));
        for (auto d = ds.begin(); d != ds.end(); ++d) {
            take(std::lower_bound(docs.begin(), docs.end(), std::make_pair(*d, size_t {0}))->second, d);
        }
    } else {
        // Remote shards (or shards that cannot be told apart): the stories'
        // terms, and the story of each document found.
        std::vector<Xapian::Query> members;
        Xapian::doccount bound = 0;
        for (size_t i = 0; i < shown.size(); ++i) {
            const std::string& story = shown[i].first;
            if (story.empty() || result_of.count(story)) continue;
            Xapian::doccount copies = db.get_termfreq(schema::story_term(story));
            if (copies == 0) continue;
            result_of.emplace(story, i);
            members.emplace_back(schema::id_term(story));
            members.emplace_back(schema::story_term(story));
            bound += copies + 1;
        }
        if (members.empty()) return better;
        Xapian::Query story_docs(Xapian::Query::OP_OR, members.begin(), members.end());
        dup.set_query(Xapian::Query(Xapian::Query::OP_FILTER, full_query, story_docs));
        Xapian::MSet ds = dup.get_mset(0, bound);
        for (auto d = ds.begin(); d != ds.end(); ++d) {
            auto found = result_of.find(d.get_document().get_value(schema::kStorySlot));
            if (found == result_of.end()) continue;
            take(found->second, d);
        }
    }

    for (size_t i = 0; i < shown.size(); ++i) {
        std::vector<Version>& v = versions[i];
        if (v.empty()) continue;
        // Each version's date and article id: from its record when it may
        // be listed, else from its values (a story of many versions).
        struct Key {
            std::string date, id;
            std::optional<DocRef> ref;
        };
        std::vector<Key> keys(v.size());
        const bool few = v.size() <= kMaxVersions;
        for (size_t k = 0; k < v.size(); ++k) {
            Xapian::Document doc = db.get_document(v[k].did, Xapian::DOC_ASSUME_VALID);
            if (few) {
                StoredArticle c = decode_article_head(doc.get_data());
                keys[k] = {c.date, c.id,
                           DocRef {c.id, c.source, c.date, c.title, c.path, doc.get_value(schema::kFoldSlot)}};
            } else {
                keys[k] = {doc.get_value(schema::kDateSlot), doc.get_value(schema::kIdSlot), std::nullopt};
            }
        }
        // The result shown for the story: the version of smallest article id
        // among those scoring as high as the result.
        constexpr size_t kNone = static_cast<size_t>(-1);
        size_t pick = kNone;
        for (size_t k = 0; weighting && k < v.size(); ++k) {
            const std::string& best = pick == kNone ? results[i].id : keys[pick].id;
            if (v[k].score >= score[i] && keys[k].id < best) pick = k;
        }
        if (pick != kNone) {
            better[i] = v[pick].did;
            const Result& r = results[i];
            std::string date = few ? r.date : db.get_document(shown[i].second).get_value(schema::kDateSlot);
            keys[pick] = {date, r.id, DocRef {r.id, r.source, r.date, r.title, r.path, r.fold}};
        }
        std::vector<size_t> order(v.size());
        for (size_t k = 0; k < order.size(); ++k) order[k] = k;
        std::sort(order.begin(), order.end(), [&keys](size_t x, size_t y) {
            return keys[x].date != keys[y].date ? keys[x].date < keys[y].date : keys[x].id < keys[y].id;
        });
        if (order.size() > kMaxVersions) order.resize(kMaxVersions);
        for (size_t k : order) {
            if (!keys[k].ref) {
                Xapian::Document doc = db.get_document(v[k].did, Xapian::DOC_ASSUME_VALID);
                StoredArticle c = decode_article_head(doc.get_data());
                keys[k].ref = DocRef {c.id, c.source, c.date, c.title, c.path, doc.get_value(schema::kFoldSlot)};
            }
            results[i].duplicates.push_back(std::move(*keys[k].ref));
        }
    }
    return better;
}

} // namespace

// Marks the earliest version among a result and its other versions (by
// date, undated last; on a tie the story's first article, then the id).
void mark_first_published(Result& r) {
    if (r.duplicates.empty()) return;
    auto key = [](const std::string& date, const std::string& fold, const std::string& id) {
        return std::make_tuple(date.empty(), date, !fold.empty(), id);
    };
    auto best = key(r.date, r.fold, r.id);
    DocRef* earliest = nullptr;
    for (DocRef& d : r.duplicates) {
        auto k = key(d.date, d.fold, d.id);
        if (k < best) {
            best = k;
            earliest = &d;
        }
    }
    if (earliest)
        earliest->first_published = true;
    else
        r.first_published = true;
}

namespace {

// Matches the documents of `windows` windows of each database's document
// numbers that together hold about `fraction` of them: a sample of a match
// spread over the whole archive, which is added to in time order. Window j
// lies somewhere in the j-th of `windows` equal stretches, where a hash of
// j puts it (a window at the start of each would sample every k-th article
// in step with anything that recurs every k articles). Each database it
// is used on adds its documents and those sampled to `tally`. (Over local
// shards Xapian searches each with a clone, in its own numbering.)
class SampleSource : public Xapian::PostingSource {
public:
    struct Tally {
        double docs = 0, sampled = 0;
    };
    SampleSource(double fraction, Xapian::docid windows, std::shared_ptr<Tally> tally)
        : fraction_(fraction), windows_(windows), tally_(std::move(tally)) {}
    Xapian::PostingSource* clone() const override { return new SampleSource(fraction_, windows_, tally_); }
    void init(const Xapian::Database& db) override {
        last_ = db.get_lastdocid();
        stride_ = std::max<Xapian::docid>(1, last_ / windows_ + (last_ % windows_ != 0));
        width_ = std::clamp<Xapian::docid>(static_cast<Xapian::docid>(std::ceil(stride_ * fraction_)), 1, stride_);
        covered_ = 0;
        for (uint64_t j = 0; j * stride_ < last_; ++j) {
            const uint64_t begin = start(j);
            if (begin <= last_)
                covered_ += static_cast<Xapian::doccount>(std::min<uint64_t>(width_, last_ - begin + 1));
        }
        cur_ = 0;
        tally_->docs += last_;
        tally_->sampled += covered_;
    }
    Xapian::doccount get_termfreq_min() const override { return 0; }
    Xapian::doccount get_termfreq_est() const override { return covered_; }
    Xapian::doccount get_termfreq_max() const override { return covered_; }
    void next(double) override { settle(cur_ + 1); }
    void skip_to(Xapian::docid did, double) override {
        if (did > cur_) settle(did);
    }
    bool at_end() const override { return cur_ > last_; }
    Xapian::docid get_docid() const override { return static_cast<Xapian::docid>(cur_); }
    std::string get_description() const override { return "SampleSource(" + std::to_string(fraction_) + ")"; }

private:
    // The first document of window j.
    uint64_t start(uint64_t j) const {
        uint64_t h = (j + 1) * 0x9E3779B97F4A7C15ULL; // (a fixed mix: the same sample every time)
        h ^= h >> 31;
        return j * stride_ + 1 + h % (stride_ - width_ + 1);
    }
    // Moves to `d`, or on to the next window's start when `d` is outside one.
    void settle(uint64_t d) {
        const uint64_t j = (d - 1) / stride_, begin = start(j);
        cur_ = d < begin ? begin : d < begin + width_ ? d : start(j + 1);
    }
    double fraction_;
    Xapian::docid windows_;
    std::shared_ptr<Tally> tally_;
    Xapian::docid last_ = 0, stride_ = 1, width_ = 1;
    uint64_t cur_ = 0; // (past last_ at the end, even when that is the largest docid)
    Xapian::doccount covered_ = 0;
};

// What a match that stopped early told of the number of articles matching
// (Xapian's bounds and estimate, before folding), the share of stories
// among the articles it looked at, and the results known to match.
struct MatchCount {
    Xapian::doccount lower = 0, upper = 0, estimated = 0;
    double story_rate = 1;
    long seen = 0;
};

// The total of a search whose match did not see every result. Xapian
// estimates the articles matching words, phrases and filters as if they
// occurred independently, and they do not (`net loss`: about 300 of 1,309
// articles on Reuters-21578). So the articles are counted, by a boolean
// match (no weights, no order): exactly when at most kCountBudget can
// match, else in a sample of each database's documents (SampleSource)
// where about that many could, scaled up. Folded, times the share of
// stories the match saw. Rounded to two significant figures when not
// exact. Without `may_count`, or when more than kCountBudget can match and
// Xapian's bounds are within 5 % of each other, Xapian's estimate stands
// in for the count.
void settle_total(const Xapian::Database& db, const Xapian::Query& q, const MatchCount& c, bool fold, bool may_count,
                  SearchResponse& resp) {
    constexpr double kCountBudget = 250;
    const bool whole = c.upper <= kCountBudget;                   // every possible match can be counted
    double estimate = c.lower == c.upper ? c.lower : c.estimated; // articles
    if (fold) estimate *= c.story_rate;
    bool exact = c.lower == c.upper && !fold;
    // (Bounds within 5 % of each other hold the count closer than a
    // sample would, person:Reagan 380 to 382 articles; a count of every
    // possible match is exact, and still made.)
    const bool tight = c.lower == c.upper || (!whole && c.upper - c.lower <= c.lower / 20);
    if (may_count && !tight) {
        Xapian::Enquire count(db);
        count.set_weighting_scheme(Xapian::BoolWeight());
        auto tally = std::make_shared<SampleSource::Tally>();
        const double fraction = whole ? 1.0 : kCountBudget / c.upper;
        // (Each window has every posting list of the query skip ahead: a
        // query of many words, such as more-like-this's 40, is sampled in
        // fewer, wider windows.)
        const auto windows = std::clamp<Xapian::docid>(2048 / std::max<Xapian::termcount>(q.get_length(), 1), 16, 256);
        if (whole)
            count.set_query(q);
        else
            count.set_query(Xapian::Query(Xapian::Query::OP_FILTER, q,
                                          Xapian::Query((new SampleSource(fraction, windows, tally))->release())));
        Xapian::MSet m = count.get_mset(0, 0, db.get_doccount());
        double n = m.get_matches_lower_bound();
        if (!whole && tally->sampled > 0) n *= tally->docs / tally->sampled;
        estimate = fold ? n * c.story_rate : n;
        exact = whole && !fold && m.get_matches_lower_bound() == m.get_matches_upper_bound();
    }
    if (!exact) {
        double unit = 1;
        while (estimate >= 100 * unit) unit *= 10;
        estimate = std::round(estimate / unit) * unit;
    }
    resp.total_estimate = std::max(c.seen, static_cast<long>(estimate));
    resp.total_exact = exact;
}

// One result of a page: its document, score and story (the collapse key,
// "" when not folded).
struct Hit {
    Xapian::docid did;
    double score;
    std::string story;
};

// The results [offset, offset + limit) of `enq` in relevance-then-id order,
// folded into stories when `fold` (a story where its best article ranks),
// and the total when the match saw every result (else in `count`, what
// settle_total needs). Xapian's own folding reads the story of every document the
// matcher weighs, and its id order the id of each (a value read each, all
// over the value table); this takes the match in plain relevance order and
// reads the story of the articles down to one story past the page, fetching
// more when copies fill it. Equal scores are put in id order afterwards
// (and a story shown by its copy of smallest id among those of its best
// score) by the caller, except where they decide which results are on the
// page: results of the score of the page's first or last result that rank
// just outside it. Then every story of that score is read, with the ids of
// its copies of that score, and that score's stories are put in id order
// here. A query of filters alone (every score 0) is matched in id order
// instead, which Xapian applies (reading every match's id). Returns false,
// leaving the page empty, for a tie too large to read this way (or one of
// score 0 after scored results).
bool relevance_page(Xapian::Enquire& enq, bool fold, Xapian::doccount offset, Xapian::doccount limit,
                    std::vector<Hit>& page, SearchResponse& resp, MatchCount& count) {
    const Xapian::doccount want = offset + limit + 1; // results, one past the page
    Xapian::doccount fetch = fold ? want + want / 4 + 4 : want;
    Xapian::MSet m;
    bool every = false; // every match is in m
    std::vector<Hit> hits;
    std::unordered_set<std::string> stories;
    std::vector<std::string> story_of; // per item of m looked at (when folding)
    Xapian::doccount looked = 0;
    Xapian::MSetIterator it;
    // Looks at the next item of m: a hit when it starts a story.
    auto look = [&] {
        std::string story;
        if (fold) {
            story = it.get_document().get_value(schema::kStorySlot);
            story_of.push_back(story);
        }
        // (a document without a story is a story of its own)
        if (!fold || story.empty() || stories.insert(story).second)
            hits.push_back({*it, weight_of(it), std::move(story)});
        ++it;
        ++looked;
    };
    auto restart = [&] {
        hits.clear();
        stories.clear();
        story_of.clear();
        looked = 0;
        it = m.begin();
    };
    bool by_id = false; // matched in id order
    for (;;) {
        m = enq.get_mset(0, fetch);
        if (!by_id && m.size() > 1 && m.get_max_possible() == 0) {
            // A query of filters alone scores every match 0: the id order
            // is all there is. Xapian applies it (reading every match's
            // id), and a story is shown by its first article in that
            // order, its smallest id.
            by_id = true;
            enq.set_sort_by_value(schema::kIdSlot, false);
            continue;
        }
        every = m.size() < fetch;
        restart();
        while (it != m.end() && (every || hits.size() < want)) look();
        if (hits.size() >= want || every) break;
        fetch *= 2;
    }
    if (every) {
        resp.total_estimate = static_cast<long>(hits.size());
        resp.total_exact = true;
    } else {
        // The total is the caller's to settle (settle_total), with stories
        // as often among the matches as among those looked at.
        count = {m.get_matches_lower_bound(), m.get_matches_upper_bound(), m.get_matches_estimated(),
                 fold ? static_cast<double>(hits.size()) / looked : 1.0, static_cast<long>(hits.size())};
    }
    // The scores that the page's edges cut (the lower last). (None in id
    // order: ids differ.)
    const size_t n = hits.size(), begin = std::min<size_t>(offset, n), end = std::min<size_t>(n, offset + limit);
    std::vector<double> cut;
    if (!by_id && begin < end && begin > 0 && hits[begin - 1].score == hits[begin].score)
        cut.push_back(hits[begin].score);
    if (!by_id && begin < end && end < n && hits[end - 1].score == hits[end].score &&
        (cut.empty() || cut.back() != hits[end].score))
        cut.push_back(hits[end].score);
    if (!cut.empty()) {
        // Every story of the lowest cut score: the articles down to the
        // first of a lower score.
        while (it != m.end() && weight_of(it) >= cut.back()) look();
        if (it == m.end() && !every) {
            // m ends inside the tie: match again for every article of at
            // least that score (a weight cutoff lets Xapian skip the rest
            // as it does once a page is full), and look at them all. (m
            // is the start of that match.)
            const double lowest = cut.back();
            const Xapian::doccount max_fetch = 4 * want + 1000; // (wider ties are Xapian's to order)
            if (!(lowest > 0)) return false;
            enq.set_cutoff(0, lowest * (1 - 1e-9)); // (a hair below: weights in [that, lowest) end the tie)
            m = enq.get_mset(0, max_fetch);
            enq.set_cutoff(0, 0);
            if (m.size() >= max_fetch) return false;
            restart();
            while (it != m.end()) look();
        }
    }
    for (double score : cut) {
        // The stories of this score, each shown by its copy of smallest
        // id among those of this score, in id order.
        auto first = std::find_if(hits.begin(), hits.end(), [score](const Hit& h) { return h.score == score; });
        auto last = std::find_if(first, hits.end(), [score](const Hit& h) { return h.score != score; });
        // Position in [first, last) by story, or by document for a hit
        // without a story.
        std::unordered_map<std::string, size_t> by_story;
        std::unordered_map<Xapian::docid, size_t> by_doc;
        for (auto h = first; h != last; ++h) {
            const auto at = static_cast<size_t>(h - first);
            if (h->story.empty())
                by_doc.emplace(h->did, at);
            else
                by_story.emplace(h->story, at);
        }
        std::vector<std::string> ids(static_cast<size_t>(last - first));
        Xapian::doccount k = 0;
        for (auto i = m.begin(); k < looked; ++i, ++k) {
            if (weight_of(i) != score) continue;
            const bool storied = fold && !story_of[k].empty();
            auto w = storied ? by_story.find(story_of[k]) : by_story.end();
            auto d = storied ? by_doc.end() : by_doc.find(*i);
            if (storied ? w == by_story.end() : d == by_doc.end()) continue; // (a story of a higher score)
            const size_t at = storied ? w->second : d->second;
            std::string id = i.get_document().get_value(schema::kIdSlot);
            if (ids[at].empty() || id < ids[at]) {
                ids[at] = std::move(id);
                first[static_cast<std::ptrdiff_t>(at)].did = *i;
            }
        }
        std::vector<size_t> order(ids.size());
        for (size_t j = 0; j < order.size(); ++j) order[j] = j;
        std::sort(order.begin(), order.end(), [&ids](size_t x, size_t y) { return ids[x] < ids[y]; });
        std::vector<Hit> sorted;
        sorted.reserve(order.size());
        for (size_t j : order) sorted.push_back(std::move(first[static_cast<std::ptrdiff_t>(j)]));
        std::move(sorted.begin(), sorted.end(), first);
    }
    page.assign(std::make_move_iterator(hits.begin() + begin), std::make_move_iterator(hits.begin() + end));
    return true;
}

// Whether matching `q` could take `seconds`. Xapian's time limit arms a
// POSIX timer whose first use starts a thread, about a quarter of a
// millisecond of a whole newssearch run; a match reads at most the postings
// of its terms (and a value range reads a value per document), at well under
// kSecondsPerPosting each, so a match that cannot come near its limit goes
// without the timer.
bool may_take(const Xapian::Database& db, const Xapian::Query& q, double seconds, bool remote) {
    constexpr double kSecondsPerPosting = 5e-6;
    if (seconds <= 0) return false;
    if (remote) return true; // (statistics cost a round trip each)
    const double docs = db.get_doccount();
    double postings = 0;
    std::vector<Xapian::Query> todo {q};
    while (!todo.empty()) {
        Xapian::Query x = std::move(todo.back());
        todo.pop_back();
        switch (x.get_type()) {
        case Xapian::Query::LEAF_TERM:
            for (auto t = x.get_unique_terms_begin(); t != x.get_unique_terms_end(); ++t)
                postings += db.get_termfreq(*t);
            break;
        case Xapian::Query::LEAF_MATCH_NOTHING: break;
        case Xapian::Query::OP_WILDCARD: postings += docs * QueryBuilder::kMaxWildcardExpansion; break;
        default:
            // Everything else reads at most a value or a posting per document
            // (match-all, value ranges, sources unknown to us), plus what its
            // subqueries read.
            if (x.get_num_subqueries() == 0) postings += docs;
            for (size_t i = 0; i < x.get_num_subqueries(); ++i) todo.push_back(x.get_subquery(i));
        }
        if (postings * kSecondsPerPosting >= seconds) return true;
    }
    return postings * kSecondsPerPosting >= seconds;
}

} // namespace

SortOrder parse_sort(const std::string& s) {
    if (s.empty() || s == "relevance") return SortOrder::Relevance;
    if (s == "date" || s == "newest") return SortOrder::Newest;
    if (s == "oldest") return SortOrder::Oldest;
    throw QueryError("unknown sort '" + s + "' (use relevance, date or oldest)");
}

Searcher::Searcher(const std::string& db_path) : impl_(std::make_unique<Impl>()) {
    impl_->path = db_path;
    impl_->open();
}

Searcher::~Searcher() = default;

void Searcher::reopen() {
    try {
        // Compaction puts a new database in the old one's place; the files
        // this process holds open are then the old ones, still readable but
        // never updated again.
        std::string now = impl_->identity();
        if (!now.empty() && now != impl_->opened_identity) {
            impl_->open();
            return;
        }
        impl_->db.reopen();
    } catch (const Xapian::Error& e) {
        throw Error(printable(impl_->path) + ": cannot reopen index: " + e.get_description());
    }
}

void Searcher::keep_facet_table() { impl_->keep_table = true; }

const Xapian::Database& Searcher::database() const { return impl_->db; }

SearchResponse Searcher::search(const SearchRequest& req) {
    check_request(req);
    for (int attempt = 0;; ++attempt) {
        try {
            auto t0 = std::chrono::steady_clock::now();
            const Deadline deadline(t0, req.time_limit);
            SearchResponse resp;
            DateRange range;
            if (!req.from.empty() || !req.to.empty()) range = parse_date_range(req.from + ".." + req.to);
            Xapian::Database db = impl_->for_range(range.from, range.to, resp.shards);
            resp.shards_total = static_cast<int>(impl_->shard_names.size());
            resp.query = req.query;
            resp.offset = req.offset;
            resp.limit = req.limit;

            // Spelling and aliases come from the whole archive, whatever
            // shards the date range leaves to search.
            QueryBuilder builder(impl_->db);
            ParsedQuery parsed = builder.parse(req.query);
            resp.suggestion = parsed.corrected;
            resp.notices = parsed.notices;
            resp.stop_words = parsed.stop_words;
            Xapian::Query query = parsed.query;

            // A pruned search ranks with the whole archive's statistics, so
            // that it orders its articles as a single database would; where
            // those cannot be supplied (see archive_stats) it searches every
            // shard, and more-like-this needs the whole archive anyway.
            std::shared_ptr<const ArchiveStats> archive;
            if (resp.shards.size() < impl_->shard_names.size()) {
                std::optional<ArchiveStats> stats;
                if (req.like_id.empty())
                    stats = archive_stats(
                        impl_->db, db,
                        parsed.relaxed.empty() ? query : Xapian::Query(Xapian::Query::OP_OR, query, parsed.relaxed));
                if (stats) {
                    archive = std::make_shared<const ArchiveStats>(std::move(*stats));
                } else {
                    db = impl_->db;
                    resp.shards = impl_->shard_names;
                }
            }

            Xapian::Enquire enq(db);
            std::unique_ptr<Xapian::Weight> weighting;
            if (archive)
                weighting = std::make_unique<ArchiveBM25Weight>(archive);
            else
                weighting = bm25_weight();
            enq.set_weighting_scheme(*weighting);
            if (!req.like_id.empty()) {
                std::string id_term = schema::id_term(req.like_id);
                Xapian::PostingIterator p = db.postlist_begin(id_term);
                if (p == db.postlist_end(id_term)) throw QueryError("no article with id '" + req.like_id + "'");
                Xapian::RSet rset;
                rset.add_document(*p);
                BodyTermDecider decider(db);
                Xapian::ESet eset = enq.get_eset(kLikeTerms, rset, &decider);
                Xapian::Query like(Xapian::Query::OP_OR, eset.begin(), eset.end());
                like = Xapian::Query(Xapian::Query::OP_AND_NOT, like, Xapian::Query(id_term));
                query = (req.query.empty() || query.get_type() == Xapian::Query::LEAF_MATCH_ALL)
                            ? like
                            : Xapian::Query(Xapian::Query::OP_FILTER, like, query);
            }
            auto filtered = [&](Xapian::Query q) {
                // (A range before the first article is MatchNothing, an empty
                // query: filter() would take it for no filter at all.)
                if (!req.from.empty() || !req.to.empty())
                    q = Xapian::Query(Xapian::Query::OP_FILTER, q, builder.date_filter(req.from, req.to));
                for (const std::string& e : req.entities) q = filter(q, builder.entity_filter(e));
                if (!req.sources.empty()) {
                    std::vector<Xapian::Query> s;
                    for (const std::string& src : req.sources) s.push_back(builder.source_filter(src));
                    q = filter(q, Xapian::Query(Xapian::Query::OP_OR, s.begin(), s.end()));
                }
                return q;
            };
            query = filtered(query);
            // Relaxation and feedback only for the user's words (not more
            // like this); feedback only where the order is by relevance.
            RankedQuery ranked;
            ranked.query = ranked.marked = query;
            // (Ranking is a refinement: a search out of time already goes without.)
            if (req.like_id.empty() && has_free_words(parsed.query) && !deadline.passed()) {
                const Xapian::Query relaxed = parsed.relaxed.empty() ? Xapian::Query() : filtered(parsed.relaxed);
                // Its matches count against the time limit (but a remote
                // shard server cannot run the spy that keeps it).
                const Deadline* ranking_limit =
                    !impl_->remote && may_take(db, query, req.time_limit, false) ? &deadline : nullptr;
                ranked = rank_query(db, impl_->db, *weighting, query, relaxed, req.collapse,
                                    req.sort == SortOrder::Relevance, ranking_limit);
                if (archive && ranked.query.get_description() != query.get_description()) {
                    // The feedback's terms need the archive's statistics too;
                    // failing those, search every shard (as above).
                    std::optional<ArchiveStats> stats = archive_stats(impl_->db, db, ranked.query);
                    if (stats) {
                        archive = std::make_shared<const ArchiveStats>(std::move(*stats));
                        weighting = std::make_unique<ArchiveBM25Weight>(archive);
                    } else {
                        db = impl_->db;
                        resp.shards = impl_->shard_names;
                        archive.reset();
                        weighting = bm25_weight();
                        enq = Xapian::Enquire(db);
                        ranked = rank_query(db, impl_->db, *weighting, query, relaxed, req.collapse,
                                            req.sort == SortOrder::Relevance, ranking_limit);
                    }
                    enq.set_weighting_scheme(*weighting);
                }
                put_all_words_first(db, *weighting, parsed.query, ranked);
                query = ranked.query;
            }
            resp.relaxed = ranked.relaxed;
            if (ranked.relaxed) {
                resp.optional_words = parsed.optional_words;
                resp.all_words_matches = ranked.all_words;
            }
            Xapian::Query full_query = query;
            enq.set_query(query);
            const bool timed = may_take(db, query, req.time_limit, impl_->remote);
            // Xapian's own limit only where it leaves the timer time (see
            // deadline.h); a page's match costs little more than its page.
            if (timed && deadline.left() >= kMinMatchTimer) enq.set_time_limit(deadline.left());
            Xapian::doccount check_at_least = 0;
            FacetSpy spy;
            // Facets are counted database by database: the database, or each
            // shard of a sharded folder (opened on its own). Else (databases
            // named by a stub file) as the matcher checks every document.
            const bool one_by_one = req.facets && !impl_->remote && (db.size() == 1 || resp.shards.size() == db.size());
            const bool spy_in_matcher = req.facets && !impl_->remote && !one_by_one;
            if (spy_in_matcher) {
                enq.add_matchspy(&spy);
                check_at_least = db.get_doccount();
            }
            // Relevance order breaks equal scores by article id, so that the
            // order of results does not depend on document numbers (which
            // differ between one database and shards of it). Asked of Xapian,
            // that reads the id of every document the matcher weighs, and
            // folding stories reads their story. So the page is first taken
            // in plain relevance order (relevance_page, which reads ids only
            // for a tie that its edges cut): it holds the results that the
            // id order would, only ordered (and a folded story represented)
            // by document number, which is put right below. Where that
            // cannot be done (huge ties), Xapian collapses and orders by
            // relevance then id. (Not with the facet
            // spy in the matcher, which would count twice, nor under a time
            // limit, which a second match would start again, nor folding
            // over remote shards, where each story read is a round trip, or
            // for a page thousands of stories deep, where reading the stories
            // one article at a time costs more than Xapian's reading them in
            // document order: `said` at offset 9000, 0.10 s against 0.07.)
            constexpr int kMaxFoldDepth = 4000;
            std::vector<Hit> page;
            std::optional<MatchCount> count; // when the match stopped early
            // (Remote shards cannot run the count's sample, nor is there time
            // for it under a time limit; facets count every match anyway.)
            const bool may_count = !req.facets && !impl_->remote && !timed;
            bool reorder = req.sort == SortOrder::Relevance && !spy_in_matcher && !timed &&
                           !(req.collapse && (impl_->remote || req.offset + req.limit > kMaxFoldDepth));
            if (reorder) {
                enq.set_sort_by_relevance();
                MatchCount c;
                reorder = relevance_page(enq, req.collapse, static_cast<Xapian::doccount>(req.offset),
                                         static_cast<Xapian::doccount>(req.limit), page, resp, c);
                if (reorder && !resp.total_exact) count = c;
            }
            if (!reorder) {
                switch (req.sort) {
                case SortOrder::Relevance: enq.set_sort_by_relevance_then_value(schema::kIdSlot, false); break;
                case SortOrder::Newest: enq.set_sort_by_value_then_relevance(schema::kDateSlot, true); break;
                case SortOrder::Oldest: enq.set_sort_by_value_then_relevance(schema::kDateSlot, false); break;
                }
                if (req.collapse) enq.set_collapse_key(schema::kStorySlot);
                Xapian::MSet mset = enq.get_mset(static_cast<Xapian::doccount>(req.offset),
                                                 static_cast<Xapian::doccount>(req.limit), check_at_least);
                resp.total_estimate = static_cast<long>(mset.get_matches_estimated());
                resp.total_exact = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
                if (!resp.total_exact && may_count) {
                    // Stories as often among the matches as among the
                    // page's articles and the copies folded into them.
                    double copies = 0;
                    for (auto it = mset.begin(); it != mset.end(); ++it) copies += it.get_collapse_count();
                    const double rate = req.collapse && !mset.empty() ? mset.size() / (mset.size() + copies) : 1.0;
                    count = MatchCount {
                        mset.get_uncollapsed_matches_lower_bound(), mset.get_uncollapsed_matches_upper_bound(),
                        mset.get_uncollapsed_matches_estimated(), rate, req.offset + static_cast<long>(mset.size())};
                }
                for (auto it = mset.begin(); it != mset.end(); ++it)
                    page.push_back({*it, weight_of(it), req.collapse ? it.get_collapse_key() : std::string()});
            }
            if (count) settle_total(db, query, *count, req.collapse, may_count, resp);
            if (one_by_one) {
                // In each database a boolean match lists every matching
                // document (no weights, no sorting, no collapsing), then their
                // values are counted; the number of stories among them all is
                // the exact collapsed total.
                std::vector<std::pair<Xapian::Database, std::shared_ptr<const FacetTable>*>> parts;
                if (db.size() == 1)
                    parts.emplace_back(db, &impl_->table);
                else
                    for (const std::string& name : resp.shards)
                        parts.emplace_back(impl_->shard(name), &impl_->shard_tables[name]);
                std::vector<std::shared_ptr<const FacetTable>> tables; // (hold the names counted)
                FacetCounts counts;
                long docs = 0;
                bool exact = true;
                for (const auto& [one, kept] : parts) {
                    Xapian::Enquire all(one);
                    all.set_query(query);
                    all.set_weighting_scheme(Xapian::BoolWeight());
                    if (timed && deadline.passed()) {
                        exact = false;
                        break;
                    }
                    DocidSpy matching;
                    all.add_matchspy(&matching);
                    DeadlineSpy stop(deadline);
                    if (timed) all.add_matchspy(&stop);
                    try {
                        Xapian::MSet counted = all.get_mset(0, 0, one.get_doccount());
                        exact = exact && counted.get_matches_lower_bound() == counted.get_matches_upper_bound();
                    } catch (const OutOfTime&) {
                        exact = false; // (the matches seen so far are counted)
                        std::sort(matching.docids.begin(), matching.docids.end());
                    }
                    std::vector<uint32_t> rows(matching.docids.size());
                    std::shared_ptr<const FacetTable> table = impl_->current_table(one, *kept);
                    if (table) {
                        for (size_t i = 0; i < rows.size(); ++i) rows[i] = matching.docids[i] - 1;
                    } else {
                        std::sort(matching.docids.begin(), matching.docids.end());
                        for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<uint32_t>(i);
                        table = std::make_shared<const FacetTable>(one, matching.docids);
                    }
                    table->count(rows, counts);
                    tables.push_back(std::move(table));
                    docs += static_cast<long>(matching.docids.size());
                }
                resp.facets = counts.ranked(req.facet_size);
                const long stories = counts.stories();
                const long counted = req.collapse ? stories : docs;
                // Cut short by the time limit, the count is a lower bound:
                // the page's match may have estimated more.
                resp.total_estimate = exact ? counted : std::max(counted, resp.total_estimate);
                resp.total_exact = exact;
                if (exact) {
                    resp.total_articles = docs;
                    resp.total_stories = stories;
                } else {
                    resp.notices.push_back("facets counted over " + std::to_string(docs) +
                                           " of the matches: the search hit its time limit");
                }
            } else if (req.facets && !spy_in_matcher) {
                // A remote shard server cannot run our match spy: there facets
                // are counted from the documents of a second, uncollapsed match.
                Xapian::Enquire all(db);
                all.set_query(query);
                all.set_weighting_scheme(Xapian::BoolWeight());
                Xapian::MSet every = all.get_mset(0, kMaxRemoteFacetDocs);
                for (auto it = every.begin(); it != every.end(); ++it) spy(it.get_document(), 0);
                if (every.get_matches_lower_bound() > kMaxRemoteFacetDocs)
                    resp.notices.push_back("facets counted over the first " + std::to_string(kMaxRemoteFacetDocs) +
                                           " matches (remote shards)");
                resp.facets = spy.result(req.facet_size);
                if (every.get_matches_lower_bound() <= kMaxRemoteFacetDocs && resp.total_exact) {
                    resp.total_articles = spy.documents();
                    resp.total_stories = spy.stories();
                }
            } else if (spy_in_matcher) {
                resp.facets = spy.result(req.facet_size);
                // Xapian's time limit ends a match early without saying so:
                // past the deadline, every match may not have been counted.
                if (timed && deadline.passed()) resp.total_exact = false;
                if (resp.total_exact) {
                    resp.total_articles = spy.documents();
                    resp.total_stories = spy.stories();
                }
            }

            Snippeter snippeter(ranked.marked);
            auto fill = [&](Result& r, const Xapian::Document& doc) {
                StoredArticle a = decode_article(doc.get_data());
                r.id = std::move(a.id);
                r.snippet = snippeter.snippet(a);
                r.entities = count_entities(a);
                r.date = std::move(a.date);
                r.title = std::move(a.title);
                r.source = std::move(a.source);
                r.path = std::move(a.path);
                r.url = std::move(a.url);
                r.fold = doc.get_value(schema::kFoldSlot);
            };
            std::vector<std::pair<std::string, Xapian::docid>> shown; // per result: story, document
            for (Hit& hit : page) {
                Result r;
                r.score = hit.score;
                fill(r, db.get_document(hit.did, Xapian::DOC_ASSUME_VALID)); // (found by the match: no check)
                shown.emplace_back(std::move(hit.story), hit.did);
                resp.results.push_back(std::move(r));
            }
            std::vector<Xapian::docid> better = add_other_versions(db, impl_->remote, full_query, shown, resp.results,
                                                                   reorder ? weighting.get() : nullptr);
            for (size_t i = 0; i < better.size(); ++i)
                if (better[i]) fill(resp.results[i], db.get_document(better[i], Xapian::DOC_ASSUME_VALID));
            for (Result& r : resp.results) mark_first_published(r);
            if (reorder)
                std::stable_sort(resp.results.begin(), resp.results.end(), [](const Result& x, const Result& y) {
                    return x.score != y.score ? x.score > y.score : x.id < y.id;
                });
            for (size_t i = 0; i < resp.results.size(); ++i) {
                resp.results[i].rank = req.offset + static_cast<int>(i) + 1;
                if (ranked.bonus > 0 && resp.results[i].score >= ranked.bonus) resp.results[i].score -= ranked.bonus;
            }
            resp.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            resp.explanation = query.get_description();
            if (req.time_limit > 0 && resp.seconds >= req.time_limit)
                resp.notices.push_back("the search hit its time limit of " +
                                       std::to_string(req.time_limit).substr(0, 4) +
                                       " s; results and counts may be incomplete");
            return resp;
        } catch (const Xapian::DatabaseModifiedError&) {
            // The indexer committed while we read: take the new revision.
            if (attempt >= 3)
                throw Error(printable(impl_->path) + ": index keeps changing under the search; try again");
            impl_->db.reopen();
        } catch (const Xapian::QueryParserError& e) {
            throw QueryError("cannot parse query: " + e.get_msg());
        } catch (const Xapian::Error& e) {
            throw Error(printable(impl_->path) + ": " + e.get_description());
        }
    }
}

} // namespace news
