#include "indexer/pipeline.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include <xapian.h>

#include "common/boilerplate.h"
#include "common/entities.h"
#include "common/error.h"
#include "common/schema.h"
#include "common/text.h"
#include "indexer/bulk.h"
#include "indexer/document.h"
#include "indexer/input.h"
#include "indexer/names.h"
#include "indexer/queue.h"
#include "indexer/store.h"
#include "indexer/stories.h"

namespace fs = std::filesystem;

namespace news {
namespace {

constexpr size_t kBatchArticles = 128;
// Postings (distinct terms of the articles) between commits. Xapian buffers
// a commit's changes in maps keyed by term and by document; past a few
// hundred thousand postings their lookups miss the cache on every add, and
// indexing slows down. Measured (reuters-news 2007, 12,311 articles): 16.3 s
// at 400,000 terms per commit (~1000 articles) against 23.5 s at 10,000
// articles, with a third of the memory; Reuters-21578: 13.0 s against 15.6 s.
constexpr size_t kCommitTerms = 400000;
// A fresh build with one segment writer makes long segments: the writer
// commits each one every kSegmentFlushTerms (indexer/bulk.cpp), so that
// Xapian's maps stay small enough for the cache whatever the segment's
// length, and fewer segments make a quicker merge, which at the end of a
// run is all that runs. Reuters-21578, --threads 2 --commit-seconds 86400
// under cachegrind: the same instructions in all (78.4 G) for 25 segments
// of 150,000 terms and 4 of 1,200,000; the final merge 0.82 -> 0.62 s on
// two cores. With several writers a segment stays short enough for its
// queue (kSegmentQueue articles) to take it whole, so that the next one
// fills for another writer meanwhile.
constexpr size_t kSegmentTerms = 1200000;
constexpr size_t kSharedSegmentTerms = 150000;

// Readers and workers make what the writing threads consume, and there are
// more of them than cores: they run a few nice levels below the rest, so
// that the writer (or segment writers) and the ordering thread, which bound
// the run, never wait for a core while a worker fills a queue ahead of
// them. Reuters-21578 on two cores, --threads 2: 10.8 -> 10.1 s (median of
// three, with one segment writer; docs/benchmarks.md).
void yield_to_writers() {
    constexpr int kLevels = 5;
    const pid_t self = ::gettid();
    errno = 0;
    const int now = ::getpriority(PRIO_PROCESS, static_cast<id_t>(self));
    if (errno == 0) ::setpriority(PRIO_PROCESS, static_cast<id_t>(self), std::min(19, now + kLevels));
}

struct FileTask {
    std::string path;  // as stored in results (root joined with relative path)
    std::string shown; // the path as messages show it (escaped)
    std::string key;   // absolute path: metadata key
    std::string rel;   // root folder's name + path inside it, for stable ids
    Format format = Format::Unknown;
    bool forced = false;     // matched --include: read even if it looks like no article
    std::string source;      // for articles that name none: --source, else the folder's name
    schema::FileState state; // size and mtime now; hash filled by the reader
    bool existed = false;    // had articles in the index before
    std::string old_hash;
    long old_articles = 0;
};

// A message about file `t`: the readers' errors already start with its
// path as shown; others get it in front.
std::string about(const FileTask& t, const std::string& what) {
    return what.rfind(t.shown, 0) == 0 ? what : t.shown + ": " + what;
}

struct Batch {
    size_t file = 0;  // index in the sorted file list
    size_t chunk = 0; // the batch's place within its file
    bool first = false, last = false;
    std::vector<Article> articles;
    std::vector<ReadIssue> issues;
    std::string fatal;     // the file as a whole could not be read
    bool resource = false; // ... because the machine ran out of something: the run fails
    std::vector<BuiltDocument> docs;
    long long bytes = 0;
};

// Batches arrive from the workers out of order; the writer takes them in
// file order, and within a file in chunk order, so the index is the same
// whatever the thread count. It also bounds how far the readers run ahead
// of the writer: a reader starts file i only while i is within `window`
// files of the one being written, holds at most `per_file` batches of its
// file in flight, and all readers together at most `total` batches. The
// reader of the file being written is exempt from the total, so it is never
// held back by readers further ahead: no deadlock, and memory stays bounded.
class Sequencer {
public:
    Sequencer(size_t files, size_t window, size_t per_file, size_t total)
        : outstanding_(files, 0), window_(window), per_file_(per_file), total_(total) {}

    // Reader side: false when the run is stopping.
    bool wait_to_start(size_t file) {
        std::unique_lock<std::mutex> lk(m_);
        readers_cv_.wait(lk, [&] { return file < writing_ + window_ || stopping_; });
        return !stopping_;
    }
    bool reserve(size_t file) {
        std::unique_lock<std::mutex> lk(m_);
        readers_cv_.wait(lk, [&] {
            return (outstanding_[file] < per_file_ && (in_flight_ < total_ || file == writing_)) || stopping_;
        });
        ++outstanding_[file];
        ++in_flight_;
        return !stopping_;
    }
    // Worker side. Wakes the writer only with the batch it waits for:
    // readers wait for what take() changes, not for this, and a file of one
    // article is a batch of its own, so waking every waiting thread at each
    // batch made a context switch or two per article.
    void put(Batch b) {
        std::lock_guard<std::mutex> lk(m_);
        const auto key = std::make_pair(b.file, b.chunk);
        ready_.emplace(key, std::move(b));
        if (key == wanted_) writer_cv_.notify_one();
    }
    // Writer side: nullopt only when the run is stopping.
    std::optional<Batch> take(size_t file, size_t chunk) {
        std::unique_lock<std::mutex> lk(m_);
        auto key = std::make_pair(file, chunk);
        wanted_ = key;
        writer_cv_.wait(lk, [&] { return ready_.count(key) || stopping_; });
        auto it = ready_.find(key);
        if (it == ready_.end()) return std::nullopt;
        Batch b = std::move(it->second);
        ready_.erase(it);
        --outstanding_[file];
        --in_flight_;
        if (b.last) writing_ = file + 1;
        readers_cv_.notify_all();
        return b;
    }
    void stop() {
        std::lock_guard<std::mutex> lk(m_);
        stopping_ = true;
        readers_cv_.notify_all();
        writer_cv_.notify_all();
    }

private:
    std::mutex m_;
    std::condition_variable readers_cv_, writer_cv_;
    std::pair<size_t, size_t> wanted_ {SIZE_MAX, SIZE_MAX}; // the batch take() waits for
    std::map<std::pair<size_t, size_t>, Batch> ready_;
    std::vector<size_t> outstanding_;
    size_t writing_ = 0, in_flight_ = 0;
    size_t window_, per_file_, total_;
    bool stopping_ = false;
};

long long mtime_ns(const struct stat& st) {
    return static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

std::string hash_file(const std::string& path) {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) throw_open_error(printable(path) + ": cannot open", errno);
    uint64_t h = 14695981039346656037ULL;
    std::vector<char> buf(1 << 16);
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0) h = fnv1a64(std::string_view(buf.data(), n), h);
    return hex64(h);
}

bool hidden(const fs::path& p) {
    std::string name = p.filename().string();
    return !name.empty() && name[0] == '.';
}

// A path as a message shows it (text.h): a newline in a file name would
// forge a line of the log.
std::string shown(const fs::path& p) { return printable(p.string()); }

// Calls add(path, rel, key) for every input file under the folder `rp`
// (key `root_key`). Linked folders are not followed. A folder that cannot
// be listed is reported and its key put in `unread`, so that its files'
// articles are kept (as for an unmounted disk); link loops and dangling
// links are reported; the walk goes on past every error.
void count_not_article(BuildSummary& sum, const fs::path& p) {
    ++sum.not_articles;
    if (sum.not_article_names.size() < 3) sum.not_article_names.push_back(shown(p.filename()));
}

template <class Add>
void walk_folder(const fs::path& rp, const std::string& root_key, const fs::path& root_name, const FileFilter& filter,
                 BuildSummary& sum, std::vector<std::string>& unread, std::ostream& log, Add&& add) {
    auto sub_of = [&](const fs::path& p) {
        std::string sub = p.native().substr(rp.native().size());
        sub.erase(0, sub.find_first_not_of('/'));
        return sub;
    };
    auto key_of = [&](const std::string& sub) {
        return sub.empty() ? root_key : root_key + (root_key.back() == '/' ? "" : "/") + sub;
    };
    std::vector<fs::path> folders {rp};
    while (!folders.empty()) {
        fs::path dir = std::move(folders.back());
        folders.pop_back();
        std::error_code ec;
        std::vector<fs::directory_entry> entries;
        fs::directory_iterator it(dir, ec);
        for (; !ec && it != fs::directory_iterator(); it.increment(ec)) entries.push_back(*it);
        if (ec) {
            log << shown(dir) << ": cannot read folder (" << ec.message() << "); its articles are kept\n";
            unread.push_back(key_of(sub_of(dir)));
            ++sum.paths_unread;
        }
        for (const fs::directory_entry& e : entries) {
            if (hidden(e.path())) continue;
            std::error_code le, se;
            const bool link = e.is_symlink(le);
            const fs::file_status st = e.status(se); // (follows a link)
            const bool dangling =
                link && (st.type() == fs::file_type::not_found || se == std::errc::no_such_file_or_directory);
            if (se || dangling) {
                log << shown(e.path()) << ": "
                    << (dangling                                         ? "dangling symbolic link"
                        : se == std::errc::too_many_symbolic_link_levels ? "symbolic link loop"
                                                                         : se.message())
                    << ", skipped\n";
                ++sum.paths_unread;
                continue;
            }
            if (fs::is_directory(st)) {
                if (!link) folders.push_back(e.path());
                continue;
            }
            if (!fs::is_regular_file(st)) continue;
            if (format_for_path(e.path().string()) == Format::Unknown) {
                ++sum.files_ignored;
                continue;
            }
            const std::string sub = sub_of(e.path()), name = e.path().filename().string();
            if (filter.excluded(name, sub)) {
                ++sum.files_excluded;
                continue;
            }
            const bool forced = filter.included(name, sub);
            if (const std::string why = forced ? "" : not_article_name(name); !why.empty()) {
                log << shown(e.path()) << ": not an article (" << why << "), skipped; --include GLOB reads it\n";
                count_not_article(sum, e.path());
                continue;
            }
            // The root's own name is part of the id, so a/x.txt and b/x.txt
            // given as two roots stay two articles.
            if (link) {
                add(e.path(), (root_name / sub).string(), std::string(), forced);
                continue;
            }
            // Not a link, and no linked folders followed: the file's
            // canonical path is the root's and its path inside the root,
            // without resolving every folder of it again.
            add(e.path(), (root_name / sub).string(), key_of(sub), forced);
        }
    }
}

// Every readable input file under the roots, sorted, with the keys of the
// roots (for deciding which recorded files are gone) and of the folders
// that could not be read (whose recorded files are not gone).
std::vector<FileTask> scan_roots(const std::vector<std::string>& roots, const FileFilter& filter,
                                 const std::string& source, BuildSummary& sum, std::vector<std::string>& root_keys,
                                 std::vector<std::string>& unread, std::ostream& log) {
    std::vector<FileTask> files;
    for (const std::string& root : roots) {
        std::error_code ec;
        fs::path rp(root);
        auto st = fs::status(rp, ec);
        if (ec || !fs::exists(st)) throw Error(shown(root) + ": no such file or directory");
        std::string root_key = fs::weakly_canonical(fs::absolute(rp)).string();
        root_keys.push_back(root_key);
        const fs::path root_name = fs::path(root_key).filename();
        auto add = [&](const fs::path& p, const std::string& rel, std::string key, bool forced) {
            FileTask t;
            t.forced = forced;
            t.source = !source.empty()           ? source
                       : fs::is_regular_file(st) ? fs::path(root_key).parent_path().filename().string()
                                                 : root_name.string();
            t.path = p.string();
            t.shown = shown(p);
            t.key = key.empty() ? fs::weakly_canonical(fs::absolute(p)).string() : std::move(key);
            t.rel = rel;
            t.format = format_for_path(t.path);
            files.push_back(std::move(t));
        };
        if (fs::is_regular_file(st)) {
            if (format_for_path(root) == Format::Unknown) {
                log << shown(root) << ": unknown format (expected .txt, .jsonl, .trec or .sgm, optionally .gz/.zst)\n";
                ++sum.files_ignored;
                continue;
            }
            // (A file named on the command line is read whatever it looks like.)
            add(rp, rp.filename().string(), std::string(), true);
            continue;
        }
        walk_folder(rp, root_key, root_name, filter, sum, unread, log, add);
    }
    std::sort(files.begin(), files.end(), [](const FileTask& a, const FileTask& b) { return a.key < b.key; });
    files.erase(
        std::unique(files.begin(), files.end(), [](const FileTask& a, const FileTask& b) { return a.key == b.key; }),
        files.end());
    sum.files_scanned = static_cast<long>(files.size());
    return files;
}

bool under_root(const std::string& key, const std::vector<std::string>& roots) {
    for (const auto& r : roots)
        if (key == r || (key.size() > r.size() && key.compare(0, r.size(), r) == 0 && key[r.size()] == '/'))
            return true;
    return false;
}

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

// Progress on standard error: on a terminal one line redrawn in place
// (cleared before a warning is printed, so the two never share a line);
// into a file or pipe a plain line every few seconds.
class Progress {
public:
    Progress(bool on, bool tty, double every, size_t files, long long bytes)
        : on_(on), tty_(tty), every_(every > 0 ? every
                                     : tty     ? 0.25
                                               : 5.0),
          files_(files), bytes_(bytes) {}
    // `committed`: the articles a kill now would keep.
    void update(size_t files_done, long articles, long committed, long long bytes_done, bool final = false) {
        if (!on_) return;
        auto now = std::chrono::steady_clock::now();
        if (!final && now - last_ < std::chrono::duration<double>(every_)) return;
        last_ = now;
        double secs = std::chrono::duration<double>(now - start_).count();
        double rate = secs > 0 ? static_cast<double>(articles) / secs : 0;
        std::string eta = "--:--";
        if (bytes_done > 0 && bytes_ > 0 && secs > 1) {
            double left = secs * static_cast<double>(bytes_ - bytes_done) / static_cast<double>(bytes_done);
            char b[32];
            std::snprintf(b, sizeof b, "%d:%02d", static_cast<int>(left) / 60, static_cast<int>(left) % 60);
            eta = b;
        }
        std::fprintf(stderr, "%sfiles %zu/%zu  articles %ld  committed %ld  %.0f articles/s  ETA %s%s",
                     tty_ ? "\r\033[K" : "", files_done, files_, articles, committed, rate, eta.c_str(),
                     final || !tty_ ? "\n" : "");
        std::fflush(stderr);
        open_ = tty_ && !final;
    }
    // Call before printing anything else on standard error.
    void clear() {
        if (!open_) return;
        std::fputs("\r\033[K", stderr);
        std::fflush(stderr);
        open_ = false;
    }

private:
    bool on_, tty_;
    double every_;
    bool open_ = false; // a progress line is on the terminal, without its newline
    size_t files_;
    long long bytes_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_ {};
};

} // namespace

std::string BuildSummary::line() const {
    std::ostringstream o;
    o << "indexed " << indexed << ", updated " << updated << ", removed " << removed << ", skipped " << skipped;
    auto reasons = [&](const std::map<std::string, long>& m) {
        o << " (";
        bool first = true;
        for (const auto& [r, n] : m) {
            o << (first ? "" : ", ") << n << ' ' << r;
            first = false;
        }
        o << ")";
    };
    if (!skip_reasons.empty()) reasons(skip_reasons);
    if (repaired) {
        o << ", repaired " << repaired;
        reasons(repair_reasons);
    }
    o << "; " << files_indexed << " of " << files_scanned << " files read";
    if (files_ignored) o << ", " << files_ignored << " of unknown type ignored";
    if (files_excluded) o << ", " << files_excluded << " excluded";
    if (paths_unread) o << ", " << paths_unread << (paths_unread == 1 ? " path" : " paths") << " could not be read";
    if (not_articles) {
        o << ", " << not_articles << (not_articles == 1 ? " not an article (" : " not articles (");
        for (size_t i = 0; i < not_article_names.size(); ++i) o << (i ? ", " : "") << not_article_names[i];
        if (not_articles > static_cast<long>(not_article_names.size()))
            o << ", " << not_articles - static_cast<long>(not_article_names.size()) << " more";
        o << ")";
    }
    if (names_articles)
        o << "; " << names_resolved << (names_resolved == 1 ? " partial name" : " partial names") << " resolved in "
          << names_articles << (names_articles == 1 ? " article" : " articles");
    return o.str();
}

BuildSummary build_index(const BuildOptions& opt, std::ostream& log) {
    namespace s = schema;
    auto t0 = std::chrono::steady_clock::now();
    // Every article this run writes carries it (what `newssearch watch` reads).
    const std::string run_term = s::run_term(std::chrono::system_clock::now());
    BuildSummary sum;
    std::vector<std::string> root_keys, unread;
    std::vector<FileTask> files = scan_roots(opt.roots, opt.filter, opt.source, sum, root_keys, unread, log);

    IndexStore store(opt.db, opt.shard_by);

    // Which files changed since the last run.
    std::set<std::string> present;
    std::vector<FileTask> tasks;
    long long total_bytes = 0;
    for (FileTask& f : files) {
        present.insert(f.key);
        struct stat st {};
        if (::stat(f.key.c_str(), &st) != 0) continue;
        f.state.size = st.st_size;
        f.state.mtime_ns = mtime_ns(st);
        std::string old = store.file_state(f.key);
        if (!old.empty()) {
            s::FileState prev = s::FileState::decode(old);
            if (prev.size == f.state.size && prev.mtime_ns == f.state.mtime_ns) continue;
            f.existed = true;
            f.old_hash = prev.content_hash;
            f.old_articles = prev.articles;
        }
        total_bytes += f.state.size;
        tasks.push_back(std::move(f));
    }
    // Files recorded under these roots that are gone.
    const std::vector<std::string> recorded = store.file_keys();
    std::vector<std::string> gone;
    for (const std::string& key : recorded)
        if (under_root(key, root_keys) && !present.count(key) && !under_root(key, unread)) gone.push_back(key);
    for (const std::string& key : gone) {
        sum.removed += store.delete_articles(s::file_term(key));
        store.set_file_state(key, "");
    }
    // Files moved since the last run: a recorded file outside these roots
    // that is no longer on disk, whose name and bytes a file new to the
    // index has. Left alone, its articles would keep their old path, and the
    // new file's would be skipped as already indexed (records with ids of
    // their own) or indexed a second time (ids from the path); so it is gone
    // too, and the new file is indexed in its place. (A recorded file that
    // is missing with no such twin stays: its folder may only be unmounted.)
    // Only recorded files of a new file's name and size are looked for on
    // disk (a folder moved keeps its files' names): an archive of many
    // files recorded elsewhere costs a name comparison each.
    std::set<long long> new_sizes;
    std::set<std::string> new_names;
    auto name_of = [](const std::string& key) { return key.substr(key.rfind('/') + 1); };
    for (const FileTask& t : tasks)
        if (!t.existed) {
            new_sizes.insert(t.state.size);
            new_names.insert(name_of(t.key));
        }
    std::map<long long, std::vector<std::pair<std::string, std::string>>> missing; // size -> (key, hash)
    for (const std::string& key : recorded) {
        // (the gone ones above are all under the roots)
        if (new_sizes.empty() || under_root(key, root_keys) || !new_names.count(name_of(key))) continue;
        // (the size leads the recorded state)
        const std::string state = store.file_state(key);
        long long size = -1;
        std::from_chars(state.data(), state.data() + state.size(), size);
        struct stat st {};
        if (!new_sizes.count(size) || ::stat(key.c_str(), &st) == 0) continue;
        try {
            missing[size].emplace_back(key, s::FileState::decode(state).content_hash);
        } catch (const Error&) {
            // (a corrupt state: not a twin of anything)
        }
    }
    long moved = 0;
    for (FileTask& t : tasks) {
        auto same_size = missing.find(t.state.size);
        if (t.existed || same_size == missing.end()) continue;
        try {
            t.state.content_hash = hash_file(t.key);
        } catch (const std::exception&) {
            continue; // (the reader reports it)
        }
        for (auto& [key, hash] : same_size->second)
            if (!key.empty() && hash == t.state.content_hash) {
                sum.removed += store.delete_articles(s::file_term(key));
                store.set_file_state(key, "");
                key.clear();
                ++moved;
                break;
            }
    }
    if (moved)
        log << moved << " file" << (moved == 1 ? "" : "s") << " moved since the last run: indexed from the new place\n";

    // A fresh build writes through parallel segments (indexer/bulk.h); it
    // ends in a compaction, so not with --no-compact, and not for a few
    // megabytes, where one writer is as fast and the merged segments would
    // be bigger than the database it writes (seeds: 193 -> 217 KiB).
    // Otherwise one writer is the busiest thread, and by default gets a
    // core of its own.
    IndexStore::Shard* single = opt.shard_by == ShardBy::None ? &store.shard_for("") : nullptr;
    bool fresh = single && opt.compact && single->docs_at_open == 0 && total_bytes >= opt.bulk_min_bytes;
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    unsigned nthreads = opt.threads ? opt.threads : fresh ? cores : std::max(1u, cores - 1);
    std::unique_ptr<BulkWriter> bulk;
    // A segment writer costs about one and a half times what a worker does
    // per article, and the workers run below it (yield_to_writers): half as
    // many writers as workers keep the cores busy without a second writer's
    // maps contending for the cache (two cores: one writer 10.1 s, two 10.4).
    const unsigned segment_writers = std::max(1u, nthreads / 2);
    if (fresh) bulk = std::make_unique<BulkWriter>(single->path, single->db, segment_writers);
    const size_t segment_terms = segment_writers == 1 ? kSegmentTerms : kSharedSegmentTerms;
    std::unordered_set<std::string> ids; // this run's, when writing segments
    const EntityTagger& tagger = EntityTagger::instance();
    BoundedQueue<Batch> work(nthreads * 4);
    Sequencer sequencer(tasks.size(), 1024, 8, 8 * nthreads + 8);
    std::atomic<bool> stop {false};
    std::atomic<size_t> next_file {0};
    std::atomic<unsigned> readers_left {nthreads};

    // Readers: each takes the next file, hashes it, reads, decompresses and
    // parses it into batches of articles for the workers.
    ReaderOptions forced_reader = opt.reader;
    forced_reader.sniff = false;
    std::vector<std::thread> readers;
    for (unsigned r = 0; r < nthreads; ++r) {
        readers.emplace_back([&] {
            pthread_setname_np(pthread_self(), "news-reader");
            yield_to_writers();
            for (size_t i; (i = next_file++) < tasks.size() && !stop;) {
                if (!sequencer.wait_to_start(i)) break;
                FileTask& t = tasks[i];
                size_t chunk = 0;
                auto emit = [&](Batch& b) {
                    if (!sequencer.reserve(i)) throw std::runtime_error("stopping");
                    b.file = i;
                    b.chunk = chunk++;
                    work.push(std::move(b));
                };
                Batch b;
                b.first = true;
                try {
                    if (t.state.content_hash.empty()) t.state.content_hash = hash_file(t.key);
                    if (t.existed && t.state.content_hash == t.old_hash) {
                        b.fatal = "="; // unchanged content: only the file state is refreshed
                    } else {
                        read_articles(
                            t.path, t.format, t.forced ? forced_reader : opt.reader,
                            [&](Article&& a) {
                                b.articles.push_back(std::move(a));
                                if (b.articles.size() >= kBatchArticles) {
                                    emit(b);
                                    b = Batch {};
                                }
                            },
                            [&](const ReadIssue& issue) { b.issues.push_back(issue); });
                    }
                } catch (const ResourceError& e) {
                    // Out of descriptors is the machine's fault, not the
                    // file's: the run fails rather than skip a good file.
                    b.fatal = e.what();
                    b.resource = true;
                } catch (const std::exception& e) {
                    if (stop) break;
                    b.fatal = e.what();
                }
                b.last = true;
                b.bytes = t.state.size;
                try {
                    emit(b);
                } catch (const std::exception&) {
                    break; // stopping
                }
            }
            if (--readers_left == 0) work.close();
        });
    }

    std::vector<std::thread> workers;
    std::atomic<bool> worker_failed {false};
    std::string worker_error;
    std::mutex worker_error_m;
    for (unsigned w = 0; w < nthreads; ++w) {
        workers.emplace_back([&] {
            pthread_setname_np(pthread_self(), "news-worker");
            yield_to_writers();
            DocumentBuilder builder(tagger, run_term);
            while (auto b = work.pop()) {
                try {
                    const FileTask& t = tasks[b->file];
                    for (Article& a : b->articles) {
                        // The record's own source, else the outlet its byline
                        // or dateline names, else the folder's.
                        if (a.source.empty()) a.source = read_opening(a.body).source;
                        if (a.source.empty()) a.source = t.source;
                        std::string id = a.id.empty() ? hex64(fnv1a64(t.rel + "#" + std::to_string(a.record))) : a.id;
                        b->docs.push_back(builder.build(a, id, t.path, t.key));
                    }
                    b->articles.clear();
                } catch (const std::exception& e) {
                    std::lock_guard<std::mutex> lk(worker_error_m);
                    worker_error = e.what();
                    worker_failed = true;
                }
                sequencer.put(std::move(*b));
            }
        });
    }

    bool tty = ::isatty(2);
    Progress progress(opt.progress == BuildOptions::Progress::Always ||
                          (opt.progress == BuildOptions::Progress::Auto && tty),
                      tty, opt.progress_every, tasks.size(), total_bytes);
    long since_commit = 0;
    long committed = 0; // articles of this run a kill would keep
    size_t terms_since_commit = 0;
    auto last_commit = std::chrono::steady_clock::now();
    MergeClock merges(opt.checkpoint_seconds);
    size_t files_done = 0;
    long long bytes_done = 0;
    std::string failure;
    std::vector<long> per_file(tasks.size(), 0);
    try {
        for (size_t file = 0, chunk = 0; file < tasks.size();) {
            auto b = sequencer.take(file, chunk);
            if (!b) break;
            if (b->last) {
                ++file;
                chunk = 0;
            } else {
                ++chunk;
            }
            if (worker_failed) throw Error(worker_error);
            FileTask& t = tasks[b->file];
            if (!b->issues.empty() || !b->fatal.empty()) progress.clear();
            for (const ReadIssue& is : b->issues) {
                if (is.not_article) {
                    log << t.shown << ": not an article (" << printable(is.detail)
                        << "), skipped; --include GLOB reads it\n";
                    count_not_article(sum, t.path);
                    continue;
                }
                log << t.shown << ':' << is.line << ": " << is.reason;
                if (!is.detail.empty()) log << " (" << printable(is.detail) << ")";
                log << (is.skipped ? ", skipped" : "") << '\n';
                if (is.skipped) {
                    ++sum.skipped;
                    ++sum.skip_reasons[is.reason];
                } else {
                    ++sum.repaired;
                    ++sum.repair_reasons[is.reason];
                }
            }
            if (b->fatal == "=") {
                // Same bytes, new mtime: nothing to re-index.
            } else if (b->resource) {
                throw Error(b->fatal);
            } else if (!b->fatal.empty() && b->first && b->docs.empty()) {
                // Errors from the readers already start with the path.
                log << about(t, b->fatal) << ", skipped\n";
                ++sum.skipped;
                ++sum.skip_reasons["unreadable file"];
            } else {
                if (b->first) {
                    ++sum.files_indexed;
                    // Also clears what a killed run committed of a file whose
                    // state it never recorded, so every article lands once.
                    if (!bulk) store.delete_articles(s::file_term(t.key));
                }
                for (BuiltDocument& d : b->docs) {
                    IndexStore::Shard& shard = store.shard_for(d.date);
                    if (bulk ? !ids.insert(d.id_term).second : store.has_article(d.id_term)) {
                        // Another record (another file, or earlier in this one)
                        // has this id: keep the first, report this one.
                        progress.clear();
                        log << t.shown << ": article id '" << printable(d.id)
                            << "' is already indexed from another record, skipped\n";
                        ++sum.skipped;
                        ++sum.skip_reasons["duplicate id"];
                        continue;
                    }
                    StoryMatch match =
                        store.stories().find(store.story_places(d.date, shard), d.shingles, d.bands, d.date, d.id);
                    const std::string& story = match.story;
                    d.doc.add_value(s::kStorySlot, story);
                    // A story's first article is found by its id term; only the
                    // copies that join it carry the story term.
                    if (story != d.id) {
                        d.doc.add_boolean_term(s::story_term(story));
                        d.doc.add_value(s::kFoldSlot, s::fold_value(copy_kind_name(match.kind), match.similarity));
                    }
                    terms_since_commit += d.doc.termlist_count();
                    Xapian::docid docid;
                    if (bulk) {
                        bulk->add(std::move(d.doc), std::move(d.words));
                        docid = bulk->last_docid();
                    } else {
                        // Spelling data is gathered until the commit: one
                        // add_spelling per distinct word is far cheaper than
                        // one per occurrence.
                        for (std::string& w : d.words) ++shard.spelling[std::move(w)];
                        // No article has this id (checked above): a plain add
                        // spares replace_document's second lookup of the id term.
                        docid = shard.db.add_document(d.doc);
                    }
                    store.stories().added(shard.number, docid, std::move(d.shingles), d.date, story, story == d.id);
                    ++per_file[b->file];
                    ++(t.existed ? sum.updated : sum.indexed);
                    ++since_commit;
                }
                if (!b->fatal.empty()) {
                    // A file that broke part-way (a truncated archive): what
                    // was read before the break is indexed; its state is not
                    // recorded, so the next run reads it again.
                    log << about(t, b->fatal) << "; " << per_file[b->file]
                        << " articles before it are indexed, the rest of the file is lost\n";
                    ++sum.skipped;
                    ++sum.skip_reasons["broken file"];
                }
            }
            if (b->last) {
                // (a file that could not be read keeps its articles)
                if (t.existed && b->fatal.empty()) sum.removed += std::max(0L, t.old_articles - per_file[b->file]);
                t.state.articles = b->fatal == "=" ? t.old_articles : per_file[b->file];
                if (b->fatal.empty() || b->fatal == "=") {
                    if (bulk)
                        bulk->set_file_state(t.key, t.state.encode());
                    else
                        store.set_file_state(t.key, t.state.encode());
                }
                ++files_done;
                bytes_done += b->bytes;
            }
            // Also inside a long file: a killed run re-reads a file whose
            // state it never recorded, deleting what it committed of it first.
            const bool asked = since_commit >= opt.commit_every ||
                               (since_commit > 0 && std::chrono::steady_clock::now() - last_commit >
                                                        std::chrono::duration<double>(opt.commit_seconds));
            // A fresh build's commit is a merge that rewrites the whole index,
            // and the end of the run merges everything again. Once less than
            // an eighth of the input is left to read, that end is near: the
            // commit is left to it. The articles read so far become durable
            // a little later, the whole run sooner (Reuters-21578, two cores:
            // the default commit at 20,000 of 20,841 articles came 0.5 s
            // before the end of the input, and its merge held the final one
            // back by 0.5-0.7 s).
            // (Unless the last merge is --checkpoint-seconds old: see MergeClock.)
            const BulkWriter::Durable wish = bulk && asked
                                                 ? merges.at_commit(*bulk, (total_bytes - bytes_done) * 8 < bytes_done)
                                                 : BulkWriter::Durable::No;
            const bool durable = bulk ? wish != BulkWriter::Durable::No : asked;
            if (durable || terms_since_commit >= (bulk ? segment_terms : kCommitTerms)) {
                // A segment ends every segment_terms postings, for speed; the
                // index takes them in at the commits asked for.
                if (bulk)
                    bulk->checkpoint(wish);
                else
                    store.commit();
                terms_since_commit = 0;
                if (durable || !bulk) {
                    ++sum.commits;
                    since_commit = 0;
                    last_commit = std::chrono::steady_clock::now();
                    if (!bulk) committed = sum.indexed + sum.updated;
                }
            }
            progress.update(files_done, sum.indexed + sum.updated, bulk ? bulk->merged_articles() : committed,
                            bytes_done);
        }
    } catch (const Xapian::Error& e) {
        failure = "Xapian: " + e.get_description();
    } catch (const std::exception& e) {
        failure = e.what();
    }
    if (!failure.empty()) {
        stop = true;
        sequencer.stop();
        // Drain so the readers and workers can finish.
        std::thread drain([&] {
            while (work.pop()) {}
        });
        for (auto& r : readers) r.join();
        for (auto& w : workers) w.join();
        drain.join();
        throw Error(failure);
    }
    for (auto& r : readers) r.join();
    for (auto& w : workers) w.join();
    // Partial names are resolved on every run, so that what a killed run
    // left unresolved is done by the next one; in a bulk load before the
    // last merge, which compacts what they changed.
    auto resolve = [&sum](const std::vector<Xapian::WritableDatabase*>& dbs) {
        const NameResolution names = resolve_partial_names(dbs);
        sum.names_resolved = names.names;
        sum.names_articles = names.articles;
    };
    if (bulk) {
        std::tie(sum.compacted_from, sum.compacted_to) = bulk->finish(resolve);
        if (sum.compacted_from == 0) sum.compacted_to = 0; // nothing was written
    } else {
        try {
            resolve(store.writers()); // (a writer reads what it has not committed)
            store.commit();
        } catch (const Xapian::Error& e) {
            throw Error("Xapian commit failed: " + e.get_description());
        }
    }
    progress.update(files_done, sum.indexed + sum.updated, sum.indexed + sum.updated, bytes_done, true);
    if (opt.compact && !bulk) {
        try {
            std::tie(sum.compacted_from, sum.compacted_to) = store.compact_grown();
        } catch (const Xapian::Error& e) {
            throw Error("compaction failed (the index is complete, only not compacted): " + e.get_description());
        }
    }
    sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return sum;
}

} // namespace news
