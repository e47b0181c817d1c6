#include "indexer/writer.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <unordered_set>

#include "common/error.h"
#include "common/schema.h"
#include "indexer/bulk.h"

namespace news {
namespace {

// Postings (distinct terms of the articles) between commits of the store's
// writer. Xapian buffers a commit's changes in maps keyed by term and by
// document; past a few hundred thousand postings their lookups miss the
// cache on every add, and indexing slows down (docs/benchmarks.md).
constexpr size_t kCommitTerms = 400000;
// Postings in a segment. With one segment writer segments are long: its
// writer commits each every so often (indexer/bulk.cpp) to keep Xapian's
// maps small, and fewer segments make a quicker merge, which at the end of
// a run is all that runs. With several a segment stays short enough for
// its writer's queue to take it whole, so that the next one fills for
// another writer meanwhile.
constexpr size_t kSegmentTerms = 1200000;
constexpr size_t kSharedSegmentTerms = 150000;

// One Xapian writer per shard, through the store: batched commits, each
// with the file states of the files it completes.
class StoreWriter final : public Writer {
public:
    StoreWriter(IndexStore& store, bool compact) : store_(store), compact_(compact) {}

    void clear_file(const std::string& key) override { store_.delete_articles(schema::file_term(key)); }
    bool claim_id(const std::string& id_term) override { return !store_.has_article(id_term); }

    Xapian::docid add(IndexStore::Shard& shard, Xapian::Document&& doc, std::vector<std::string>&& words) override {
        terms_ += doc.termlist_count();
        ++added_;
        // Spelling data is gathered until the commit: one add_spelling per
        // distinct word is far cheaper than one per occurrence.
        for (std::string& w : words) ++shard.spelling[std::move(w)];
        // No article has this id (claim_id): a plain add spares
        // replace_document's second lookup of the id term.
        return shard.db.add_document(doc);
    }

    void set_file_state(const std::string& key, const std::string& value) override {
        store_.set_file_state(key, value);
    }

    // Also inside a long file, and every kCommitTerms postings whether
    // asked or not: a killed run re-reads a file whose state it never
    // recorded, deleting what it committed of it first.
    bool checkpoint(bool asked, bool /*near_end*/) override {
        if (!asked && terms_ < kCommitTerms) return false;
        store_.commit();
        terms_ = 0;
        committed_ = added_;
        return true;
    }

    long committed_articles() const override { return committed_; }

    void finish(const BeforeLastCommit& before) override {
        try {
            before(store_.writers()); // (a writer reads what it has not committed)
            store_.commit();
        } catch (const Xapian::Error& e) {
            throw Error("Xapian commit failed: " + e.get_description());
        }
    }

    std::pair<long long, long long> compact() override {
        if (!compact_) return {0, 0};
        try {
            return store_.compact_grown();
        } catch (const Xapian::Error& e) {
            throw Error("compaction failed (the index is complete, only not compacted): " + e.get_description());
        }
    }

private:
    IndexStore& store_;
    bool compact_;
    size_t terms_ = 0; // postings since the last commit
    long added_ = 0, committed_ = 0;
};

// When a fresh build's commit is merged into the index at once, however
// small the segments (BulkWriter::Durable::Now): when the index has not
// grown for `seconds`, so that a kill loses at most about that much work
// (and one merge's time). Otherwise it waits for the next size-doubling
// merge, or, near the end of the input, for the end.
class MergeClock {
public:
    explicit MergeClock(double seconds) : every_(seconds) {}
    BulkWriter::Durable at_commit(const BulkWriter& bulk, bool near_end) {
        const auto now = std::chrono::steady_clock::now();
        const Xapian::doccount merged = bulk.merged_articles();
        if (merged != merged_) { // (a merge came in since)
            merged_ = merged;
            last_ = now;
        }
        if (now - last_ >= every_) {
            last_ = now;
            return BulkWriter::Durable::Now;
        }
        return near_end ? BulkWriter::Durable::No : BulkWriter::Durable::Soon;
    }

private:
    std::chrono::duration<double> every_;
    std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
    Xapian::doccount merged_ = 0;
};

// Parallel segments merged into an empty single database (indexer/bulk.h).
class SegmentWriter final : public Writer {
public:
    SegmentWriter(IndexStore::Shard& index, unsigned writers, double checkpoint_seconds)
        : bulk_(index.path, index.db, writers), merges_(checkpoint_seconds),
          segment_terms_(writers == 1 ? kSegmentTerms : kSharedSegmentTerms) {}

    // (The index was empty: nothing of any file is in it.)
    void clear_file(const std::string&) override {}
    bool claim_id(const std::string& id_term) override { return ids_.insert(id_term).second; }

    Xapian::docid add(IndexStore::Shard&, Xapian::Document&& doc, std::vector<std::string>&& words) override {
        terms_ += doc.termlist_count();
        bulk_.add(std::move(doc), std::move(words));
        return bulk_.last_docid();
    }

    void set_file_state(const std::string& key, const std::string& value) override { bulk_.set_file_state(key, value); }

    // A commit here is a merge that rewrites the whole index, and the end
    // of the run merges everything again: once the end is near, the commit
    // is left to it (unless the last merge is --checkpoint-seconds old: see
    // MergeClock). A segment also ends every segment_terms_ postings, for
    // speed; the index takes it in at the commits asked for.
    bool checkpoint(bool asked, bool near_end) override {
        const BulkWriter::Durable wish = asked ? merges_.at_commit(bulk_, near_end) : BulkWriter::Durable::No;
        const bool durable = wish != BulkWriter::Durable::No;
        if (!durable && terms_ < segment_terms_) return false;
        bulk_.checkpoint(wish);
        terms_ = 0;
        return durable;
    }

    long committed_articles() const override { return static_cast<long>(bulk_.merged_articles()); }

    // Before the last merge, which compacts what `before` changed.
    void finish(const BeforeLastCommit& before) override {
        sizes_ = bulk_.finish(before);
        if (sizes_.first == 0) sizes_.second = 0; // nothing was written
    }

    // (Every merge is a compaction: the last one's sizes.)
    std::pair<long long, long long> compact() override { return sizes_; }

private:
    BulkWriter bulk_;
    MergeClock merges_;
    size_t segment_terms_;
    size_t terms_ = 0;                    // postings in the current segment
    std::unordered_set<std::string> ids_; // this run's id terms
    std::pair<long long, long long> sizes_ {0, 0};
};

} // namespace

WriterPlan plan_writer(IndexStore& store, ShardBy by, bool compact, unsigned threads, long long input_bytes,
                       long long bulk_min_bytes) {
    // Segments end in a compaction, so not with --no-compact, and not for
    // a few megabytes, where one writer is as fast and the merged segments
    // would be bigger than the database it writes. Otherwise one writer is
    // the busiest thread, and by default gets a core of its own.
    WriterPlan plan;
    plan.segments =
        by == ShardBy::None && compact && store.shard_for("").docs_at_open == 0 && input_bytes >= bulk_min_bytes;
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    plan.threads = threads ? threads : plan.segments ? cores : std::max(1u, cores - 1);
    // A segment writer costs about one and a half times what a worker does
    // per article, and the workers run below it: half as many writers as
    // workers keep the cores busy without a second writer's maps
    // contending for the cache.
    plan.segment_writers = std::max(1u, plan.threads / 2);
    return plan;
}

std::unique_ptr<Writer> make_writer(const WriterPlan& plan, IndexStore& store, const WriterOptions& options) {
    if (plan.segments)
        return std::make_unique<SegmentWriter>(store.shard_for(""), plan.segment_writers, options.checkpoint_seconds);
    return std::make_unique<StoreWriter>(store, options.compact);
}

} // namespace news
