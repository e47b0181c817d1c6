// The one way the indexing pipeline writes: a Writer takes the run's
// articles in order, with each file's state once its articles are in, and
// decides what a commit the options ask for means. Two kinds: one Xapian
// writer per shard through the IndexStore (an update, a sharded index, a
// small build), or parallel segments merged into an empty index
// (indexer/bulk.h). Both build the same index from the same input.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <xapian.h>

#include "indexer/document.h"
#include "indexer/store.h"

namespace news {

class Writer {
public:
    virtual ~Writer() = default;

    // Before a file's first article: removes what a killed run committed of
    // it without recording its state, so that every article lands once.
    virtual void clear_file(const std::string& key) = 0;

    // False when an article with this id term is already in the index or
    // added this run: the caller keeps the first and reports this one.
    // True claims the id for the article about to be added.
    virtual bool claim_id(const std::string& id_term) = 0;

    // Adds `doc` (with its spelling `words`) to `shard` (IndexStore::shard_for
    // its date; segments have only the one) and returns its document number.
    virtual Xapian::docid add(IndexStore::Shard& shard, Xapian::Document&& doc, std::vector<std::string>&& words) = 0;

    // Records a file's state ("" removes it) with the articles added so far.
    virtual void set_file_state(const std::string& key, const std::string& value) = 0;

    // Called after every batch. `asked`: the options ask for a commit now
    // (--commit-every, --commit-seconds); `near_end`: less than an eighth
    // of the input is left. Returns true when what was added so far is now
    // committed (or on its way to be: a segment merge), which the caller
    // counts as a commit.
    virtual bool checkpoint(bool asked, bool near_end) = 0;

    // This run's articles that a kill now would keep.
    virtual long committed_articles() const = 0;

    // Work on the whole index before its last commit (or merge): every
    // database it writes, as writers.
    using BeforeLastCommit = std::function<void(const std::vector<Xapian::WritableDatabase*>&)>;
    // Commits (or merges) everything, calling `before` first.
    virtual void finish(const BeforeLastCommit& before) = 0;

    // Bytes before and after the run's compaction, {0, 0} when there was
    // none. After finish(); the last thing a run does.
    virtual std::pair<long long, long long> compact() = 0;
};

// How a run writes, from the options and what the index holds.
struct WriterPlan {
    bool segments = false; // a fresh build through parallel segments
    unsigned threads = 1;  // readers, and as many workers
    unsigned segment_writers = 1;
};

// A fresh build (an empty single database, at least `bulk_min_bytes` of
// input, compacting) writes through segments; anything else through the
// store. `threads` 0 picks the default for the kind of writer.
WriterPlan plan_writer(IndexStore& store, ShardBy by, bool compact, unsigned threads, long long input_bytes,
                       long long bulk_min_bytes);

struct WriterOptions {
    bool compact = true;             // compact what the run at least doubled (the store's writer)
    double checkpoint_seconds = 300; // merge a commit at once this long after the last merge (segments)
};

std::unique_ptr<Writer> make_writer(const WriterPlan& plan, IndexStore& store, const WriterOptions& options);

} // namespace news
