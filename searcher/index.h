// An index as the searcher sees it: one database, a sharded folder whose
// stub lists one database per period (each shard also open on its own, for
// date pruning and facets), or a stub naming remote databases. Opens it,
// notices when a compaction swapped a new database in, and picks the
// shards a date range needs.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <xapian.h>

#include "searcher/facets.h"

namespace news {

class Index {
public:
    // Opens the database (a directory or a Xapian stub file); throws
    // news::Error when it cannot be opened, saying what the path is.
    explicit Index(std::string path);

    // Moves to the latest commit, opening the index again when its files
    // were replaced (compaction) since it was opened.
    void reopen();
    // Moves the open databases to their latest commit (after Xapian said
    // the revision being read was overwritten).
    void refresh() { db_.reopen(); }

    const std::string& path() const { return path_; }
    // Everything the path names (every shard).
    const Xapian::Database& whole() const { return db_; }
    // The periods of a sharded folder, in order; empty otherwise.
    const std::vector<std::string>& shard_names() const { return shard_names_; }
    // Some database is served by xapian-tcpsrv.
    bool remote() const { return remote_; }

    // The database to search for a date range (compact dates, empty =
    // open): only the shards whose period overlaps it when the folder is
    // sharded; `used` gets their names.
    Xapian::Database for_range(const std::string& from, const std::string& to, std::vector<std::string>& used) const;

    // Keeps each database's facet table per revision (see facets.h).
    void keep_facet_tables() { keep_tables_ = true; }
    // The parts to count facets in for `searched`: the database itself, or
    // each of the shards in `used` on its own.
    std::vector<FacetPart> facet_parts(const Xapian::Database& searched, const std::vector<std::string>& used);

private:
    void open();
    void open_databases(); // (retried while a swap is under way)
    bool swapping() const;

    std::string path_;
    Xapian::Database db_;
    std::vector<std::string> shard_names_;
    bool remote_ = false;
    // Each shard of a sharded folder on its own (sharing db_'s open files).
    std::map<std::string, Xapian::Database> shard_dbs_;
    bool keep_tables_ = false;
    KeptFacets table_;                               // the single database's
    std::map<std::string, KeptFacets> shard_tables_; // by shard
    std::string opened_identity_;                    // layout::identity() when opened
};

} // namespace news
