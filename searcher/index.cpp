#include "searcher/index.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <thread>

#include <sys/resource.h>

#include "common/error.h"
#include "common/layout.h"
#include "common/schema.h"
#include "common/text.h"

namespace fs = std::filesystem;

namespace news {

namespace {

// What to say when a path holds no index: what it is, and what to do.
std::string not_an_index(const std::string& path) {
    std::error_code ec;
    const std::string build = "; build one with `newsindex build --db DIR FOLDER...` and search it with --db DIR";
    if (!fs::exists(path, ec)) return path + ": no such index" + build;
    if (fs::is_directory(path, ec)) return path + ": this folder is not an index" + build;
    return path + ": this file is not an index (nor a stub naming one)" + build;
}

// Each local shard holds a handful of open files; years of monthly shards
// pass the usual soft limit of 1024 descriptors, so take the hard one.
void raise_open_file_limit() {
    struct rlimit rl;
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
}

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

Index::Index(std::string path) : path_(std::move(path)) { open(); }

void Index::open() {
    std::error_code ec;
    shard_names_.clear();
    remote_ = false;
    shard_dbs_.clear();
    const std::string stub = layout::stub_path(path_);
    if (!layout::is_database(path_) && fs::is_regular_file(stub, ec)) {
        std::ifstream in(stub, std::ios::binary);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        layout::Stub listed = layout::parse_stub(text, fs::is_directory(path_, ec));
        remote_ = listed.remote;
        // (A folder whose stub also names other databases is searched as
        // the stub says, as a whole.)
        if (!listed.remote && !listed.other) shard_names_ = std::move(listed.shards);
        raise_open_file_limit();
    }
    opened_identity_ = layout::identity(path_, shard_names_); // (needs the shard names)
    open_databases();
    // The kept facet tables stay: each notices by the database's UUID and
    // revision whether the database it is given is still the one it read
    // (every commit is a new version file, so opened again).
    for (auto it = shard_tables_.begin(); it != shard_tables_.end();)
        it = std::find(shard_names_.begin(), shard_names_.end(), it->first) == shard_names_.end()
                 ? shard_tables_.erase(it)
                 : std::next(it);
}

// An indexing run swaps a compacted or merged database (or shard) in by two
// renames (DB -> DB.compact-old, DB.compact-tmp -> DB); between them the
// path is missing for a moment.
bool Index::swapping() const {
    std::error_code ec;
    if (fs::exists(path_ + std::string(schema::kCompactOld), ec) ||
        fs::exists(path_ + std::string(schema::kCompactTmp), ec))
        return true;
    if (!fs::is_directory(path_, ec)) return false;
    for (const auto& e : fs::directory_iterator(path_, ec))
        if (ends_with(e.path().filename().string(), schema::kCompactOld)) return true;
    return false;
}

// Opens the databases, trying again while a swap is under way, for at most
// a second. The shards of a folder are opened one by one, each also kept on
// its own: the same open files, always at the same revision as the whole.
void Index::open_databases() {
    for (int attempt = 0;; ++attempt) {
        try {
            shard_dbs_.clear();
            if (shard_names_.empty()) {
                db_ = Xapian::Database(path_);
            } else {
                db_ = Xapian::Database();
                for (const std::string& name : shard_names_) {
                    Xapian::Database one((fs::path(path_) / name).string());
                    db_.add_database(one);
                    shard_dbs_.emplace(name, std::move(one));
                }
            }
            if (attempt > 0) opened_identity_ = layout::identity(path_, shard_names_);
            return;
        } catch (const Xapian::DatabaseError& e) {
            // (Not found, or tables of two revisions: once more in any case,
            // the swap may have ended meanwhile.)
            if (attempt >= 500 || (attempt > 0 && !swapping())) {
                if (e.get_type() == std::string("DatabaseNotFoundError")) throw Error(not_an_index(path_));
                throw Error(printable(path_) + ": cannot open index: " + e.get_description());
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        } catch (const Xapian::Error& e) {
            throw Error(printable(path_) + ": cannot open index: " + e.get_description());
        }
    }
}

void Index::reopen() {
    try {
        // Compaction puts a new database in the old one's place; the files
        // this process holds open are then the old ones, still readable but
        // never updated again.
        const std::string now = layout::identity(path_, shard_names_);
        if (!now.empty() && now != opened_identity_) {
            open();
            return;
        }
        db_.reopen();
    } catch (const Xapian::Error& e) {
        throw Error(printable(path_) + ": cannot reopen index: " + e.get_description());
    }
}

Xapian::Database Index::for_range(const std::string& from, const std::string& to,
                                  std::vector<std::string>& used) const {
    if (shard_names_.empty() || (from.empty() && to.empty())) {
        used = shard_names_;
        return db_;
    }
    Xapian::Database pruned;
    for (const std::string& name : shard_names_) {
        if (name == layout::kUndated) continue; // cannot match a date range
        // (A shard that is no period is searched: nothing to prune it by.)
        const std::optional<layout::ShardSpan> span = layout::shard_span(name);
        if (span && ((!to.empty() && span->first > to) || (!from.empty() && span->last < from))) continue;
        pruned.add_database(shard_dbs_.at(name));
        used.push_back(name);
    }
    return pruned;
}

std::vector<FacetPart> Index::facet_parts(const Xapian::Database& searched, const std::vector<std::string>& used) {
    std::vector<FacetPart> parts;
    if (searched.size() == 1) {
        // (One shard of a folder, by a date range, keeps that shard's table.)
        KeptFacets* kept = nullptr;
        if (keep_tables_) kept = used.size() == 1 && shard_dbs_.count(used[0]) ? &shard_tables_[used[0]] : &table_;
        parts.push_back({searched, kept});
        return parts;
    }
    for (const std::string& name : used)
        parts.push_back({shard_dbs_.at(name), keep_tables_ ? &shard_tables_[name] : nullptr});
    return parts;
}

} // namespace news
