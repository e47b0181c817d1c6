// The other versions of each result's story (its syndicated copies that
// match the query too), found for a whole page by one match, oldest first.
// Matched with the page's weighting, a story whose version scores as high
// as its result and has a smaller id is shown by that version instead.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <xapian.h>

#include "searcher/results.h"

namespace news {

// What is listed of one story at most (the oldest).
inline constexpr size_t kMaxVersions = 50;

// Fills results[i].duplicates for each result whose story (shown[i]: its
// collapse key, "" when not folded, and its document) has other versions
// matching `full_query`. With `weighting` (the page's, when it was taken in
// relevance order), returns per result the document that should show the
// story instead (0: none; its entry in duplicates is already the result it
// replaces); else all 0. `remote`: some database is remote.
std::vector<Xapian::docid> add_other_versions(const Xapian::Database& db, bool remote, const Xapian::Query& full_query,
                                              const std::vector<std::pair<std::string, Xapian::docid>>& shown,
                                              std::vector<Result>& results, const Xapian::Weight* weighting);

// The UUIDs of a database's shards, in order (one for a single database);
// empty when they cannot tell the shards apart (copies of one database) or
// when one is remote.
std::vector<std::string> shard_uuids(const Xapian::Database& db, bool remote);

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
    void init(const Xapian::Database& db) override;
    Xapian::doccount get_termfreq_min() const override { return 0; }
    Xapian::doccount get_termfreq_est() const override { return static_cast<Xapian::doccount>(local_.size()); }
    Xapian::doccount get_termfreq_max() const override { return static_cast<Xapian::doccount>(local_.size()); }
    void next(double) override { pos_ += started_ ? 1 : 0, started_ = true; }
    void skip_to(Xapian::docid did, double) override;
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

} // namespace news
