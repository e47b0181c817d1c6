// Parallel writing for a fresh build. One Xapian writer is the bottleneck of
// indexing (adding a document to its buffers and flushing them take more
// time than tagging and term generation), so a build into an empty database
// writes through several: the articles, in order, are cut into segments of
// consecutive document numbers; each segment is a Xapian database of its own
// (DB.segments/<first docid>), written by whichever writer thread is free,
// and finished segments are merged into the index by xapian-compact, which
// keeps document numbers. The index is therefore the one a single writer
// builds, whatever the number of threads. Segments hold no spelling table:
// their body words are counted in memory, added to one spelling-only
// database as each segment finishes, and each merge brings that database in,
// so the index's spelling frequencies are also the ones a single writer
// records.
//
// The index changes only by merges, each a compaction into DB.compact-tmp
// swapped in by two renames (as `newsindex compact` does), with the file
// states of the files the merged segments complete: a killed run leaves the
// last merge, which opens and searches, and a re-run reads the rest. A merge
// waits until the finished segments hold at least as many articles as the
// index (or until the end of the run), so the index is rewritten a
// logarithmic number of times. Segments end every 1,200,000 postings with
// one writer, every 150,000 with several (a writer commits its segment every
// 150,000); merges happen only at the commits the user asked for
// (--commit-every, --commit-seconds; the pipeline asks for none in the last
// eighth of the input) and at the end, except that a commit asked for
// --checkpoint-seconds after the last merge is merged at once, whatever the
// sizes, so that a kill loses a bounded stretch of work.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <xapian.h>

namespace news {

class BulkWriter {
public:
    // `db` is the empty index folder, open for writing in `lock` (which holds
    // its lock until the end of the run; it is never committed through
    // again). Segments a killed run left are already gone: IndexStore
    // removes them when it takes the lock.
    BulkWriter(std::string db, Xapian::WritableDatabase& lock, unsigned writers);
    ~BulkWriter(); // stops the threads; segments left are removed by the next run
    BulkWriter(const BulkWriter&) = delete;
    BulkWriter& operator=(const BulkWriter&) = delete;

    // Adds the next document (document numbers increase by one from 1).
    // `words` are its words for the spelling table. Throws when a writer
    // thread failed.
    void add(Xapian::Document&& doc, std::vector<std::string>&& words);
    Xapian::docid last_docid() const { return next_docid_ - 1; }

    // Records a file's state with the index once everything added so far is
    // in it.
    void set_file_state(const std::string& key, const std::string& value);

    // What checkpoint() asks of what was added so far.
    enum class Durable {
        No,   // nothing: the segment only ends
        Soon, // to reach the index by the next merge, which runs once the
              // finished segments hold at least as many articles as the index
        Now,  // to be merged as soon as its segments are written, however
              // small: a kill loses no more than what came after
    };
    // Ends the current segment (the next document starts a new one).
    void checkpoint(Durable durable);

    // Articles the index holds: what a kill now would keep.
    Xapian::doccount merged_articles() const;

    // Work on the whole index just before the last merge compacts it: the
    // index and every segment left, as writers (committed afterwards).
    using BeforeLastMerge = std::function<void(const std::vector<Xapian::WritableDatabase*>&)>;

    // Merges everything into the index, calling `before_last_merge` first.
    // Returns bytes written to segments and the index's bytes after the last
    // merge.
    std::pair<long long, long long> finish(BeforeLastMerge before_last_merge = {});

    // Where a database's segments live; removes what a killed run left.
    static std::string segments_folder(const std::string& db);
    static void remove_leftovers(const std::string& db);

private:
    struct Segment;
    struct Shared;
    void start_segment();
    void writer_loop();
    void merger_loop();
    void merge(std::vector<std::shared_ptr<Segment>> batch, bool last);
    void check() const;

    std::string db_, dir_;
    std::unique_ptr<Shared> shared_;
    std::shared_ptr<Segment> current_;
    Xapian::docid next_docid_ = 1;
    std::map<std::string, std::string> loose_states_; // set while no segment was open
};

} // namespace news
