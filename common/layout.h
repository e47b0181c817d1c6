// The on-disk layout around the databases: the stub file that lists the
// shards of a sharded folder, the file that marks a glass database, how a
// shard is named for its period and read back, and which files identify
// an index (to notice that a compaction swapped one in). The indexer writes
// this layout and the searcher reads it; nothing else spells these names.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace news::layout {

// Xapian opens a folder holding this stub file ("auto NAME" a line per
// shard) as the databases it lists.
inline constexpr std::string_view kStubName = "XAPIANDB";
// The file every glass database folder holds (its version file).
inline constexpr std::string_view kGlassMarker = "iamglass";
// The shard of the articles without a date.
inline constexpr std::string_view kUndated = "undated";

enum class Period { Month, Year };

// The shard of an ISO ("1987-02-26") or compact ("19870226") date: "1987-02"
// by month, "1987" by year; kUndated for anything shorter than 8 bytes.
std::string shard_name(std::string_view date, Period by);

// The days a shard's period spans, compact ("19870201".."19870231": a
// month ends at 31 whatever its length, which compares right).
struct ShardSpan {
    std::string first, last;
};
// The span of a shard named "1987" or "1987-02"; nullopt for kUndated and
// for any name that is no period.
std::optional<ShardSpan> shard_span(std::string_view name);

// Whether the folder `dir` holds a glass database (its marker file).
bool is_database(const std::string& dir);
// The stub an index is opened through: DIR/XAPIANDB for a folder, else the
// path itself (a stub file).
std::string stub_path(const std::string& path);

// The stub of a sharded folder listing `shards` (in order).
std::string stub_text(const std::vector<std::string>& shards);
// What a stub lists: the local shards of a sharded folder ("auto NAME",
// NAME without a slash, only when `local_folder`), whether some database
// is remote, and whether it names anything else (then the stub is searched
// as Xapian reads it, as a whole).
struct Stub {
    std::vector<std::string> shards;
    bool remote = false;
    bool other = false;
};
Stub parse_stub(std::string_view text, bool local_folder);

// Which files `path` names: device, inode and modification time of the
// database's version file, or of the stub and each of `shards`' version
// files; "" when one is missing (e.g. in the middle of a swap).
std::string identity(const std::string& path, const std::vector<std::string>& shards);

} // namespace news::layout
