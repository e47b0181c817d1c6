#include "indexer/bulk.h"

#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>

#include "common/error.h"
#include "common/schema.h"
#include "indexer/queue.h"
#include "indexer/store.h"

namespace fs = std::filesystem;

namespace news {
namespace {

using Spelling = std::unordered_map<std::string, Xapian::termcount>;

// Documents queued for one segment's writer. With several writers a
// segment (indexer/writer.cpp's kSharedSegmentTerms postings, a few
// hundred articles) fits in the queue whole: while one writer works off its
// backlog the next segment fills for another.
constexpr size_t kSegmentQueue = 768;
// A segment's writer commits it every this many postings (distinct terms of
// its articles): Xapian buffers a commit's changes in maps keyed by term and
// by document, whose lookups miss the cache on every add once they hold
// much more.
constexpr size_t kSegmentFlushTerms = 150000;
// Finished segments waiting for a merge; past this many they are merged
// whether or not they hold as many articles as the index (open files).
constexpr size_t kMaxSegments = 256;
// Words added to the merger's spelling database between its commits (a
// commit frees what Xapian holds in memory for the new words' fragments).
constexpr size_t kSpellingCommit = 500000;

// The merger's spelling database, among the segments.
std::string spelling_folder(const std::string& segments) { return (fs::path(segments) / "spelling").string(); }

} // namespace

struct BulkWriter::Segment {
    Xapian::docid first = 0, last = 0; // last: set when the segment ends
    std::string path;
    BoundedQueue<Xapian::Document> docs {kSegmentQueue};
    std::map<std::string, std::string> states; // files whose last article is in this segment or before
    // Body words of the segment's articles, for the spelling table, counted
    // by add() (not by the segment's writer, which limits a two-core
    // build). The segment itself has none: the merge adds them to the index.
    Spelling spelling;
    bool finished = false; // committed and closed (under Shared::m)
    long long bytes = 0;
};

struct BulkWriter::Shared {
    explicit Shared(unsigned writers) : todo(writers) {}
    Xapian::WritableDatabase lock;               // holds the index's write lock; replaced at each merge
    BoundedQueue<std::shared_ptr<Segment>> todo; // segments waiting for a writer
    std::mutex m;
    std::condition_variable cv;
    std::deque<std::shared_ptr<Segment>> order; // unmerged segments, in document order
    std::map<std::string, std::string> final_states;
    BulkWriter::BeforeLastMerge before_last_merge;
    bool finishing = false, stop = false;
    std::atomic<bool> failed {false};
    std::string error;
    Xapian::docid durable_upto = 0; // articles up to here are to reach the index
    Xapian::docid merge_upto = 0;   // ... at once (the first such request not yet merged)
    Xapian::docid index_last = 0;   // the index holds the articles up to here
    Xapian::doccount index_docs = 0;
    long long written = 0, index_bytes = 0;
    // The merger's own: a spelling-only database (no documents) with the
    // words of the finished segments, in document order, up to folded_upto,
    // not yet in the index. Words go in as each segment finishes, while the
    // other threads still index: Xapian works out a new word's fragments
    // as it is added, which the merge at the end of a run would otherwise
    // wait for (for a little more memory).
    // Uncommitted until a merge (or kSpellingCommit additions), so that a
    // word repeated by later segments only raises its count in memory.
    std::optional<Xapian::WritableDatabase> spelling;
    size_t spelling_added = 0;
    Xapian::docid folded_upto = 0;
    std::vector<std::thread> writers;
    std::thread merger;

    void fail(const std::string& what) {
        {
            std::lock_guard<std::mutex> lk(m);
            if (error.empty()) error = what;
            stop = true;
            for (auto& s : order) s->docs.close();
        }
        failed = true;
        todo.close();
        cv.notify_all();
    }
};

std::string BulkWriter::segments_folder(const std::string& db) { return db + std::string(schema::kSegments); }

void BulkWriter::remove_leftovers(const std::string& db) {
    std::error_code ec;
    fs::remove_all(segments_folder(db), ec);
}

BulkWriter::BulkWriter(std::string db, Xapian::WritableDatabase& lock, unsigned writers)
    : db_(std::move(db)), dir_(segments_folder(db_)), shared_(std::make_unique<Shared>(std::max(1u, writers))) {
    // The schema metadata (and any file states removed before the run) go
    // into the index now: merges copy what it holds.
    lock.commit();
    shared_->lock = lock;
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) throw Error(dir_ + ": cannot create folder: " + ec.message());
    for (unsigned i = 0; i < std::max(1u, writers); ++i) shared_->writers.emplace_back([this] { writer_loop(); });
    shared_->merger = std::thread([this] { merger_loop(); });
}

BulkWriter::~BulkWriter() {
    if (shared_->merger.joinable()) {
        shared_->fail("stopped");
        for (auto& t : shared_->writers) t.join();
        shared_->merger.join();
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

void BulkWriter::check() const {
    if (shared_->failed) {
        std::lock_guard<std::mutex> lk(shared_->m);
        throw Error(shared_->error);
    }
}

void BulkWriter::start_segment() {
    auto seg = std::make_shared<Segment>();
    seg->first = next_docid_;
    char name[32];
    std::snprintf(name, sizeof name, "seg-%010u", static_cast<unsigned>(next_docid_));
    seg->path = (fs::path(dir_) / name).string();
    seg->states = std::move(loose_states_);
    loose_states_.clear();
    {
        std::lock_guard<std::mutex> lk(shared_->m);
        shared_->order.push_back(seg);
    }
    current_ = seg;
    if (!shared_->todo.push(seg)) check();
}

void BulkWriter::add(Xapian::Document&& doc, std::vector<std::string>&& words) {
    check();
    if (!current_) start_segment();
    // (The merger reads the counts once the segment's writer has finished
    // it, which it does only after the queue below is closed.)
    for (std::string& word : words) ++current_->spelling[std::move(word)];
    if (!current_->docs.push(std::move(doc))) check();
    current_->last = next_docid_++;
}

void BulkWriter::set_file_state(const std::string& key, const std::string& value) {
    (current_ ? current_->states : loose_states_)[key] = value;
}

void BulkWriter::checkpoint(Durable durable) {
    check();
    if (durable != Durable::No) {
        {
            std::lock_guard<std::mutex> lk(shared_->m);
            shared_->durable_upto = last_docid();
            // (The first one waiting: were it moved on by every request, a
            // merge would wait for writers that never catch up.)
            if (durable == Durable::Now && shared_->merge_upto <= shared_->index_last)
                shared_->merge_upto = last_docid();
        }
        shared_->cv.notify_all();
    }
    if (!current_) return;
    current_->docs.close();
    current_.reset();
}

Xapian::doccount BulkWriter::merged_articles() const {
    std::lock_guard<std::mutex> lk(shared_->m);
    return shared_->index_docs;
}

std::pair<long long, long long> BulkWriter::finish(BeforeLastMerge before_last_merge) {
    checkpoint(Durable::No);
    shared_->todo.close();
    for (auto& t : shared_->writers) t.join();
    {
        std::lock_guard<std::mutex> lk(shared_->m);
        shared_->finishing = true;
        shared_->final_states = std::move(loose_states_);
        shared_->before_last_merge = std::move(before_last_merge);
    }
    shared_->cv.notify_all();
    shared_->merger.join();
    check();
    shared_->lock.close();
    return {shared_->written, shared_->index_bytes};
}

void BulkWriter::writer_loop() {
    pthread_setname_np(pthread_self(), "news-segment");
    while (auto seg = shared_->todo.pop()) {
        Segment& s = **seg;
        try {
            // A segment is scratch until merged: no fsync.
            Xapian::WritableDatabase w(s.path, Xapian::DB_CREATE | Xapian::DB_NO_SYNC);
            Xapian::docid did = s.first;
            size_t terms = 0;
            while (auto doc = s.docs.pop()) {
                terms += doc->termlist_count();
                if (terms >= kSegmentFlushTerms) {
                    w.commit();
                    terms = 0;
                }
                // Past the last docid: added with this number, no lookup.
                w.replace_document(did++, *doc);
            }
            if (shared_->failed) return;
            w.commit();
            w.close();
            s.bytes = folder_bytes(s.path);
        } catch (const Xapian::Error& e) {
            shared_->fail(s.path + ": " + e.get_description());
            return;
        } catch (const std::exception& e) {
            shared_->fail(s.path + ": " + e.what());
            return;
        }
        {
            std::lock_guard<std::mutex> lk(shared_->m);
            s.finished = true;
            shared_->written += s.bytes;
        }
        shared_->cv.notify_all();
    }
}

void BulkWriter::merger_loop() {
    pthread_setname_np(pthread_self(), "news-merge");
    for (;;) {
        std::vector<std::shared_ptr<Segment>> batch, fold;
        bool last = false;
        {
            std::unique_lock<std::mutex> lk(shared_->m);
            bool merge_now = false;
            auto ready = [&] {
                if (shared_->stop) return true;
                Xapian::doccount docs = 0;
                Xapian::docid written_upto = 0; // the finished segments end here
                size_t n = 0;
                fold.clear();
                for (const auto& s : shared_->order) {
                    if (!s->finished) break;
                    docs += s->last - s->first + 1;
                    written_upto = s->last;
                    ++n;
                    if (s->last > shared_->folded_upto) fold.push_back(s);
                }
                bool wanted = shared_->durable_upto > shared_->index_last && docs >= shared_->index_docs;
                bool due = shared_->merge_upto > shared_->index_last && written_upto >= shared_->merge_upto;
                merge_now = shared_->finishing || (n > 0 && (wanted || due || n >= kMaxSegments));
                return merge_now || !fold.empty();
            };
            shared_->cv.wait(lk, ready);
            if (shared_->stop) return;
            last = shared_->finishing;
            while (merge_now && !shared_->order.empty() && shared_->order.front()->finished) {
                batch.push_back(shared_->order.front());
                shared_->order.pop_front();
            }
        }
        try {
            // A finished segment's words join the spelling database as soon
            // as the ones before it are in, so that only one table of them
            // waits for a merge.
            for (const auto& seg : fold) {
                if (!shared_->spelling) {
                    std::error_code ec;
                    fs::remove_all(spelling_folder(dir_), ec);
                    shared_->spelling.emplace(spelling_folder(dir_), Xapian::DB_CREATE | Xapian::DB_NO_SYNC);
                }
                for (const auto& [word, count] : seg->spelling) shared_->spelling->add_spelling(word, count);
                shared_->spelling_added += seg->spelling.size();
                if (shared_->spelling_added >= kSpellingCommit) {
                    shared_->spelling->commit(); // (frees what Xapian holds in memory for it)
                    shared_->spelling_added = 0;
                }
                seg->spelling = Spelling();
                shared_->folded_upto = seg->last;
            }
            if (!batch.empty() || last) merge(std::move(batch), last);
        } catch (const Xapian::Error& e) {
            shared_->fail(db_ + ": merging segments failed: " + e.get_description());
            return;
        } catch (const std::exception& e) {
            shared_->fail(db_ + ": merging segments failed: " + e.what());
            return;
        }
        if (last) return;
    }
}

void BulkWriter::merge(std::vector<std::shared_ptr<Segment>> batch, bool last) {
    namespace s = schema;
    const std::string tmp = db_ + std::string(s::kCompactTmp);
    std::error_code ec;
    fs::remove_all(tmp, ec);
    std::map<std::string, std::string> states;
    for (const auto& seg : batch) states.insert(seg->states.begin(), seg->states.end());
    if (last) {
        std::lock_guard<std::mutex> lk(shared_->m);
        for (auto& [k, v] : shared_->final_states) states[k] = v;
    }
    if (last && shared_->before_last_merge) {
        // The lock's handle names the folder it was opened as (the last
        // merge's DB.compact-tmp): open the index again by its name.
        shared_->lock.close();
        shared_->lock = Xapian::WritableDatabase(db_, Xapian::DB_OPEN);
        std::vector<Xapian::WritableDatabase> segments;
        for (const auto& seg : batch) segments.emplace_back(seg->path, Xapian::DB_OPEN | Xapian::DB_NO_SYNC);
        std::vector<Xapian::WritableDatabase*> all {&shared_->lock};
        for (auto& w : segments) all.push_back(&w);
        shared_->before_last_merge(all);
        for (Xapian::WritableDatabase* w : all) w->commit();
        for (auto& w : segments) w.close();
    }
    if (batch.empty() && states.empty()) return;
    // The merged segments' words go in through the spelling database
    // (spelling only, no documents) that the compaction merges with the
    // rest: one spelling table per merge rather than one per segment, and
    // the index's table stays compact.
    const std::string spelling = spelling_folder(dir_);
    if (shared_->spelling) {
        shared_->spelling->commit();
        shared_->spelling->close();
        shared_->spelling.reset();
        shared_->spelling_added = 0;
        long long bytes = folder_bytes(spelling);
        std::lock_guard<std::mutex> lk(shared_->m);
        shared_->written += bytes; // reported with the segments' bytes
    }
    Xapian::doccount docs;
    {
        Xapian::Database src(db_);
        for (const auto& seg : batch) src.add_database(Xapian::Database(seg->path));
        if (fs::exists(spelling, ec)) src.add_database(Xapian::Database(spelling));
        docs = src.get_doccount();
        src.compact(tmp, Xapian::DBCOMPACT_NO_RENUMBER);
    }
    // The merged index with the states of the files it now completes,
    // committed before it is swapped in: a kill leaves the old or the new
    // index, each with states that match its articles. Opening it takes its
    // write lock, which moves with the folder.
    Xapian::WritableDatabase next(tmp, Xapian::DB_OPEN);
    for (const auto& [key, value] : states) next.set_metadata(std::string(s::kMetaFile) + key, value);
    next.commit();
    swap_in_compacted(db_);
    shared_->lock = next; // the old index's lock goes with its last handle
    for (const auto& seg : batch) fs::remove_all(seg->path, ec);
    fs::remove_all(spelling, ec);
    long long bytes = folder_bytes(db_);
    std::lock_guard<std::mutex> lk(shared_->m);
    if (!batch.empty()) shared_->index_last = batch.back()->last;
    shared_->index_docs = docs;
    shared_->index_bytes = bytes;
}

} // namespace news
