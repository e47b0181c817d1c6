// Saved searches and their alerts (`newssearch watch`): a watch is a name
// and a query; running it lists the stories that are new since it last ran
// (a story whose first article an indexing run added since then; a new
// copy of a story already in the archive is no new story), as text, JSON
// or an Atom feed (RFC 4287) of its recent finds. Watches live beside the
// index in one small JSON file (schema::kWatches), replaced whole by a
// rename, so a crash while writing it loses nothing.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "searcher/search.h"

namespace news {

struct WatchStory {
    std::string id;    // the article that stands for the story
    std::string story; // the story id
    std::string title, date, source, url;
    std::string found; // when the run that found it ran (RFC 3339, UTC)
    int copies = 1;    // matching articles of the story that run added
};

struct Watch {
    std::string name;               // [A-Za-z0-9_.-], 1..64 bytes
    std::string query;              // the query language of DESIGN.md
    std::string created, last_run;  // RFC 3339, UTC ("" never run)
    std::string seen_run;           // the newest run term (schema::run_term) it has seen
    std::vector<WatchStory> recent; // newest first, at most kRecent: its feed
    static constexpr size_t kRecent = 100;
    static constexpr size_t kMaxQueryBytes = SearchRequest::kMaxQueryBytes;
};

// Whether a watch may be called `name`; throws news::QueryError saying why not.
void check_watch_name(const std::string& name);

// The watches of the index at `db` (a database folder or stub file).
class WatchFile {
public:
    explicit WatchFile(const std::string& db);
    const std::string& path() const { return path_; }
    // Every watch, in the order added; none when there is no file. Throws
    // news::Error for a file that cannot be read or parsed.
    std::vector<Watch> load() const;
    // Writes a temporary file, syncs it and renames it over the old one.
    void save(const std::vector<Watch>& watches) const;

    // Held while watches are read, changed and saved (flock beside the file).
    class Lock {
    public:
        explicit Lock(const WatchFile& file);
        ~Lock();
        Lock(const Lock&) = delete;
        Lock& operator=(const Lock&) = delete;

    private:
        int fd_ = -1;
    };

private:
    std::string path_;
};

// A new watch of `query` that has seen everything the index holds now.
Watch new_watch(Searcher& searcher, const std::string& name, const std::string& query,
                std::chrono::system_clock::time_point now);

// The stories new since `watch` last ran, newest first; the watch then has
// seen them (seen_run, last_run and recent updated; the caller saves it).
std::vector<WatchStory> run_watch(Searcher& searcher, Watch& watch, std::chrono::system_clock::time_point now);

// RFC 3339 in UTC, to the second: "2026-12-07T23:40:05Z".
std::string rfc3339(std::chrono::system_clock::time_point t);

// The watch's recent finds as an Atom feed; `index_id` (the index's uuid)
// makes the feed and entry ids unique to this index; `self` the feed's own
// URL when it has one.
std::string to_atom(const Watch& watch, const std::string& index_id, const std::string& self = "");

// JSON of a run: {"watch", "query", "since", "ran", "stories": [...]}.
std::string watch_run_json(const Watch& watch, const std::string& since, const std::vector<WatchStory>& found);

} // namespace news
