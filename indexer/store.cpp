#include "indexer/store.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common/dates.h"
#include "common/entities.h"
#include "common/error.h"
#include "common/files.h"
#include "common/layout.h"
#include "common/schema.h"
#include "common/text.h"
#include "indexer/bulk.h"

namespace fs = std::filesystem;

namespace news {
namespace {

constexpr const char* kStateName = "files.state"; // per-file state of a sharded index
constexpr const char* kShardingName = "sharding"; // "month" or "year"

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void check_schema(Xapian::WritableDatabase& db, const std::string& where) {
    std::string version = db.get_metadata(std::string(schema::kMetaSchema));
    if (!version.empty() && version != std::to_string(schema::kSchemaVersion))
        throw Error(where + ": index has schema version " + version + ", this program writes " +
                    std::to_string(schema::kSchemaVersion) + "; index into a new --db");
    db.set_metadata(std::string(schema::kMetaSchema), std::to_string(schema::kSchemaVersion));
    const EntityTagger& tagger = EntityTagger::instance();
    if (db.get_metadata(std::string(schema::kMetaModel)) != tagger.model_version() ||
        db.get_metadata(std::string(schema::kMetaAliases)).empty()) {
        db.set_metadata(std::string(schema::kMetaModel), tagger.model_version());
        std::string table;
        for (const auto& a : tagger.aliases()) table += a.type + "\t" + to_lower(a.alias) + "\t" + a.canonical + "\n";
        db.set_metadata(std::string(schema::kMetaAliases), table);
    }
}

// Every shard open for writing holds a handful of files; years of monthly
// shards pass the usual soft limit of 1024 descriptors, so take the hard one.
void raise_open_file_limit() {
    struct rlimit rl;
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
}

const char* shard_by_name(ShardBy by) { return by == ShardBy::Month ? "month" : by == ShardBy::Year ? "year" : ""; }

} // namespace

ShardBy parse_shard_by(const std::string& s) {
    if (s.empty()) return ShardBy::None;
    if (s == "month") return ShardBy::Month;
    if (s == "year") return ShardBy::Year;
    throw Error("--shard-by wants month or year, got '" + s + "'");
}

std::string database_path(const std::string& db) {
    if (db.empty()) throw Error("--db: the database path is empty");
    const fs::path p(db);
    const fs::path last = p.filename();
    if (!last.empty() && last != "." && last != "..") return db;
    fs::path n = fs::absolute(p).lexically_normal();
    if (n.filename().empty() && n != n.root_path()) n = n.parent_path();
    return n.string();
}

RunLock::RunLock(const std::string& db) {
    const std::string path = db + std::string(schema::kRunLock);
    // The folder a new database goes in, created as the database would be.
    const fs::path parent = fs::path(db).parent_path();
    std::error_code ec;
    if (!parent.empty() && !fs::is_directory(parent, ec)) {
        fs::create_directories(parent, ec);
        if (ec) throw Error(parent.string() + ": cannot create folder: " + ec.message());
    }
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
        // A folder we may not write beside: no compaction or fresh build
        // can run there either, and Xapian's lock still guards the database.
        if (errno == EACCES || errno == EROFS || errno == EPERM) return;
        throw Error(path + ": cannot create: " + std::strerror(errno));
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int e = errno;
        ::close(fd_);
        fd_ = -1;
        if (e == EWOULDBLOCK)
            throw Error(db + ": an indexing run is writing to it (" + path + " is held); try again when it is done");
        throw Error(path + ": cannot lock: " + std::strerror(e));
    }
}

RunLock::~RunLock() {
    if (fd_ >= 0) ::close(fd_); // (releases the flock)
}

IndexStore::IndexStore(const std::string& db, ShardBy by) : path_(database_path(db)), lock_(path_), by_(by) {
    const std::string& path = path_;
    std::error_code ec;
    bool is_sharded = fs::exists(fs::path(path) / kShardingName, ec);
    bool is_single = layout::is_database(path);
    if (by == ShardBy::None) {
        if (is_sharded) throw Error(path + ": is a sharded index; pass the same --shard-by as when it was built");
        open_shard("");
        return;
    }
    if (is_single) throw Error(path + ": is a single database; it cannot take --shard-by");
    fs::create_directories(path, ec);
    if (ec) throw Error(path + ": cannot create folder: " + ec.message());
    if (is_sharded) {
        std::string recorded(read_file((fs::path(path) / kShardingName).string()));
        while (!recorded.empty() && (recorded.back() == '\n' || recorded.back() == ' ')) recorded.pop_back();
        if (recorded != shard_by_name(by))
            throw Error(path + ": was sharded by " + recorded + ", not " + shard_by_name(by));
    } else {
        write_atomically((fs::path(path) / kShardingName).string(), std::string(shard_by_name(by)) + "\n");
    }
    // Existing shards: every subfolder that is a Xapian database, once any
    // compaction a killed run left half done is put right. The stub is
    // rewritten only once all are open (and only if it lacks one), so that a
    // search meanwhile, or a run that fails half way, never sees a partial list.
    raise_open_file_limit();
    for (const std::string& shard : shard_folders(path)) open_shard(fs::path(shard).filename().string());
    if (!shards_.empty()) write_stub();
    std::ifstream in((fs::path(path) / kStateName).string());
    std::string line;
    while (std::getline(in, line)) {
        size_t tab = line.find('\t');
        if (tab != std::string::npos) states_[line.substr(0, tab)] = line.substr(tab + 1);
    }
}

IndexStore::~IndexStore() = default;

IndexStore::Shard& IndexStore::open_shard(const std::string& name) {
    auto it = shards_.find(name);
    if (it != shards_.end()) return *it->second;
    auto shard = std::make_unique<Shard>();
    shard->name = name;
    std::string where = name.empty() ? path_ : (fs::path(path_) / name).string();
    recover_compaction(where);
    std::error_code ec;
    bool created = !name.empty() && !layout::is_database(where);
    try {
        shard->db = Xapian::WritableDatabase(where, Xapian::DB_CREATE_OR_OPEN);
    } catch (const Xapian::Error& e) {
        throw Error(where + ": cannot open database for writing: " + e.get_description());
    }
    check_schema(shard->db, where);
    // Segments of a killed fresh build (its lock is ours now).
    if (name.empty()) BulkWriter::remove_leftovers(where);
    shard->path = where;
    shard->docs_at_open = shard->db.get_doccount();
    // A fresh database has no earlier articles to compare against.
    shard->earlier_runs = shard->db.get_doccount() > 0;
    shard->number = static_cast<uint32_t>(shards_.size());
    Shard& ref = *shard;
    shards_.emplace(name, std::move(shard));
    if (created) write_stub();
    return ref;
}

void IndexStore::write_stub() const {
    std::vector<std::string> names;
    for (const auto& [name, shard] : shards_)
        if (!name.empty()) names.push_back(name);
    const std::string text = layout::stub_text(names);
    std::string stub = (fs::path(path_) / layout::kStubName).string();
    if (read_file(stub) != text) write_atomically(stub, text);
}

std::string IndexStore::file_state(const std::string& key) const {
    if (by_ == ShardBy::None) return shards_.begin()->second->db.get_metadata(std::string(schema::kMetaFile) + key);
    auto it = states_.find(key);
    return it == states_.end() ? std::string() : it->second;
}

void IndexStore::set_file_state(const std::string& key, const std::string& value) {
    if (by_ == ShardBy::None) {
        shards_.begin()->second->db.set_metadata(std::string(schema::kMetaFile) + key, value);
        return;
    }
    if (value.empty())
        states_.erase(key);
    else
        states_[key] = value;
    states_dirty_ = true;
}

std::vector<std::string> IndexStore::file_keys() const {
    std::vector<std::string> keys;
    if (by_ == ShardBy::None) {
        const std::string prefix(schema::kMetaFile);
        const Xapian::WritableDatabase& db = shards_.begin()->second->db;
        for (auto it = db.metadata_keys_begin(prefix); it != db.metadata_keys_end(prefix); ++it)
            keys.push_back((*it).substr(prefix.size()));
        return keys;
    }
    for (const auto& [key, value] : states_) keys.push_back(key);
    return keys;
}

bool IndexStore::has_article(const std::string& term) const {
    for (const auto& [name, shard] : shards_)
        if (shard->db.term_exists(term)) return true;
    return false;
}

long IndexStore::delete_articles(const std::string& file_term) {
    long n = 0;
    for (auto& [name, shard] : shards_) {
        Xapian::doccount c = shard->db.get_termfreq(file_term);
        if (c) {
            n += static_cast<long>(c);
            shard->db.delete_document(file_term);
        }
    }
    return n;
}

std::string IndexStore::period_name(const std::string& date) const {
    return layout::shard_name(date, by_ == ShardBy::Month ? layout::Period::Month : layout::Period::Year);
}

IndexStore::Shard& IndexStore::shard_for(const std::string& iso_date) {
    if (by_ == ShardBy::None) return *shards_.begin()->second;
    if (iso_date.size() < 10) return open_shard(std::string(layout::kUndated));
    return open_shard(period_name(iso_date));
}

std::vector<StoryFinder::Place> IndexStore::story_places(const std::string& iso_date, const Shard& own) const {
    std::vector<StoryFinder::Place> places;
    if (own.earlier_runs) places.push_back({&own.db, own.number});
    if (by_ == ShardBy::None || iso_date.size() < 10) return places;
    // The periods of the window's first and last days (a window of a few
    // days spans at most two).
    const Date day = parse_iso_date(iso_date);
    for (int edge : {-stories_.window_days(), stories_.window_days()}) {
        const std::string other = period_name(add_days(day, edge).compact());
        if (other == own.name) continue;
        auto it = shards_.find(other);
        if (it != shards_.end() && it->second->earlier_runs) places.push_back({&it->second->db, it->second->number});
    }
    return places;
}

void IndexStore::commit() {
    for (auto& [name, shard] : shards_) {
        for (const auto& [word, count] : shard->spelling) shard->db.add_spelling(word, count);
        shard->spelling.clear();
        shard->db.commit();
    }
    if (by_ != ShardBy::None && states_dirty_) {
        save_states();
        states_dirty_ = false;
    }
}

std::vector<Xapian::WritableDatabase*> IndexStore::writers() {
    std::vector<Xapian::WritableDatabase*> out;
    for (auto& [name, shard] : shards_) out.push_back(&shard->db);
    return out;
}

std::pair<long long, long long> IndexStore::compact_grown() {
    long long before = 0, after = 0;
    for (auto& [name, shard] : shards_) {
        if (shard->db.get_doccount() < 2 * shard->docs_at_open || shard->db.get_doccount() == 0) continue;
        // The writer stays open (holding the lock) until the swap is done.
        auto [b, a] = compact_in_place(shard->path);
        before += b;
        after += a;
    }
    shards_.clear();
    return {before, after};
}

namespace {

// `path` without a compaction suffix, or "" when it has none.
std::string compacted_database(const std::string& path) {
    for (std::string_view suffix : {schema::kCompactOld, schema::kCompactTmp})
        if (path.size() > suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0)
            return path.substr(0, path.size() - suffix.size());
    return "";
}

} // namespace

long long folder_bytes(const std::string& dir) {
    long long n = 0;
    std::error_code ec;
    for (auto& e : fs::recursive_directory_iterator(dir, ec))
        if (e.is_regular_file(ec)) n += static_cast<long long>(e.file_size(ec));
    return n;
}

std::vector<std::string> shard_folders(const std::string& dir) {
    std::vector<std::string> leftovers, shards;
    for (const auto& e : fs::directory_iterator(dir)) {
        std::string db = compacted_database(e.path().string());
        if (e.is_directory() && !db.empty()) leftovers.push_back(db);
    }
    for (const std::string& db : leftovers) recover_compaction(db);
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_directory() && compacted_database(e.path().string()).empty() && layout::is_database(e.path().string()))
            shards.push_back(e.path().string());
    std::sort(shards.begin(), shards.end());
    return shards;
}

void recover_compaction(const std::string& db) {
    std::error_code ec;
    const std::string old = db + std::string(schema::kCompactOld);
    fs::remove_all(db + std::string(schema::kCompactTmp), ec); // an unfinished (or unused) copy
    if (!fs::exists(old, ec)) return;
    if (!layout::is_database(db)) {
        // Killed between the two renames: the old database is the whole one.
        fs::remove_all(db, ec);
        fs::rename(old, db, ec);
        if (ec) throw Error(db + ": cannot restore " + old + ": " + ec.message());
    } else {
        fs::remove_all(old, ec); // killed after the swap, before the clean-up
    }
}

void swap_in_compacted(const std::string& db) {
    const std::string tmp = db + std::string(schema::kCompactTmp);
    std::error_code ec;
    // One atomic exchange where the file system has it: the path always
    // holds a whole database, and a kill leaves at most the old one under
    // the temporary name (recover_compaction removes it).
    if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, db.c_str(), RENAME_EXCHANGE) == 0) {
        fs::remove_all(tmp, ec);
        return;
    }
    const std::string old = db + std::string(schema::kCompactOld);
    fs::rename(db, old);
    fs::rename(tmp, db);
    fs::remove_all(old, ec);
}

std::pair<long long, long long> compact_in_place(const std::string& db) {
    recover_compaction(db); // also clears a stale copy
    const std::string tmp = db + std::string(schema::kCompactTmp);
    std::error_code ec;
    long long before = folder_bytes(db);
    try {
        Xapian::Database src(db);
        src.compact(tmp, Xapian::DBCOMPACT_NO_RENUMBER);
    } catch (const Xapian::Error& e) {
        fs::remove_all(tmp, ec);
        throw Error(db + ": compaction failed: " + e.get_description());
    }
    long long after = folder_bytes(tmp);
    if (after >= before) {
        // (A small index: the copy would not be smaller.)
        fs::remove_all(tmp, ec);
        return {before, before};
    }
    swap_in_compacted(db);
    return {before, after};
}

void IndexStore::save_states() const {
    std::string text;
    for (const auto& [key, value] : states_) text += key + "\t" + value + "\n";
    write_atomically((fs::path(path_) / kStateName).string(), text);
}

} // namespace news
