// Where an indexing run writes: one Xapian database, or one per month or
// year under a folder (with a Xapian stub file, XAPIANDB, listing them so
// the folder opens as one database). Also keeps the per-file state that
// incremental runs compare against: in the database's metadata (committed
// atomically with the articles), or for shards in a state file written
// after every shard has committed, so a crash only ever means re-reading.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <xapian.h>

#include "indexer/stories.h"

namespace news {

enum class ShardBy { None, Month, Year };

// The folder a --db names, as the sibling folders (DB.compact-tmp, ...) and
// the run lock are named after it: "idx/" -> "idx"; ".", ".." and paths
// ending in them -> absolute. Throws news::Error on "".
std::string database_path(const std::string& db);

// Held by every newsindex run that writes a database (build, compact) from
// before it looks at anything next to the database until it is done: an
// flock on the file DB.lock beside it, which stays (the folder it goes in
// is created when missing, as for a new database). Xapian's own write lock
// is only taken when the database opens, after leftovers of a killed run
// (DB.compact-tmp, DB.compact-old, DB.segments) are put right, and a
// compaction swaps the database folder itself; without this lock a second
// run could remove the first one's copy in the making. Throws news::Error
// ("an indexing run is writing to it") when another process holds it.
class RunLock {
public:
    explicit RunLock(const std::string& db);
    ~RunLock();
    RunLock(const RunLock&) = delete;
    RunLock& operator=(const RunLock&) = delete;

private:
    int fd_ = -1;
};

class IndexStore {
public:
    struct Shard {
        std::string name; // "1987-02", "1987", "undated"; "" for a single database
        Xapian::WritableDatabase db;
        uint32_t number = 0;       // in the order opened: the story finder's part number
        bool earlier_runs = false; // held articles when opened (the story finder searches it)
        std::unordered_map<std::string, Xapian::termcount> spelling; // pending until commit
        std::string path;                                            // the database folder
        Xapian::doccount docs_at_open = 0;                           // to tell a bulk load from an update
    };

    // Opens or creates the index at `path` (see database_path), holding its
    // RunLock; throws news::Error when it cannot, when another run writes
    // it, or when it was written with another schema or sharding.
    IndexStore(const std::string& path, ShardBy by);
    ~IndexStore();
    IndexStore(const IndexStore&) = delete;
    IndexStore& operator=(const IndexStore&) = delete;

    std::string file_state(const std::string& key) const;                  // "" when unknown
    void set_file_state(const std::string& key, const std::string& value); // "" removes
    std::vector<std::string> file_keys() const;

    // True when some shard holds a document with this term (e.g. an id term).
    bool has_article(const std::string& term) const;

    // Deletes the articles carrying `file_term` from every shard; returns how many.
    long delete_articles(const std::string& file_term);

    // The shard an article dated `iso_date` (or undated: "") belongs in.
    Shard& shard_for(const std::string& iso_date);

    // The story finder every shard shares.
    StoryFinder& stories() { return stories_; }

    // Where the story finder looks for copies from earlier runs of an
    // article dated `iso_date` going into `own`: that shard and, when the
    // copy window reaches into the period before or after, that period's
    // shard (if there is one), those holding articles from earlier runs.
    std::vector<StoryFinder::Place> story_places(const std::string& iso_date, const Shard& own) const;

    // Commits every shard, then the file states.
    void commit();

    // Every shard's writer.
    std::vector<Xapian::WritableDatabase*> writers();

    // Compacts (xapian-compact, in place) every shard this run at least
    // doubled: a fresh build comes out about half the size and faster to
    // search; a small update of a large index is left alone. Call after the
    // last commit, as the last thing: the shards are closed afterwards.
    // Returns bytes before and after (0, 0 when nothing was compacted).
    std::pair<long long, long long> compact_grown();

private:
    Shard& open_shard(const std::string& name);
    // The shard name of the period of `date` (ISO or compact; sharded only).
    std::string period_name(const std::string& date) const;
    void write_stub() const;
    void save_states() const;

    std::string path_;
    RunLock lock_; // (taken before anything else is done)
    ShardBy by_;
    std::map<std::string, std::unique_ptr<Shard>> shards_;
    StoryFinder stories_;
    std::map<std::string, std::string> states_; // sharded mode only
    bool states_dirty_ = false;
};

// Compacts the Xapian database folder `db` in place, keeping docids: into
// DB.compact-tmp, then swapped in by two renames (DB -> DB.compact-old,
// tmp -> DB). A crash between them leaves DB.compact-old, which
// recover_compaction() (called before every open for writing) puts back.
// Returns bytes before and after; leaves DB as it is (after == before) when
// the compacted copy would not be smaller.
std::pair<long long, long long> compact_in_place(const std::string& db);
void recover_compaction(const std::string& db);
// The two renames that put DB.compact-tmp in DB's place, then removes the
// database swapped out.
void swap_in_compacted(const std::string& db);

// Bytes of the regular files under `dir`.
long long folder_bytes(const std::string& dir);

// The shard databases of a sharded folder, sorted, after recovering any
// compaction a killed run left half done (its .compact-old / .compact-tmp
// folders are never shards).
std::vector<std::string> shard_folders(const std::string& dir);

// "month"/"year"/"" -> ShardBy; throws news::Error otherwise.
ShardBy parse_shard_by(const std::string& s);

} // namespace news
