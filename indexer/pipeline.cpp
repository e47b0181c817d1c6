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
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include <xapian.h>

#include "common/boilerplate.h"
#include "common/entities.h"
#include "common/error.h"
#include "common/schema.h"
#include "common/text.h"
#include "indexer/document.h"
#include "indexer/input.h"
#include "indexer/names.h"
#include "indexer/queue.h"
#include "indexer/store.h"
#include "indexer/stories.h"
#include "indexer/writer.h"

namespace fs = std::filesystem;

namespace news {
namespace {

constexpr size_t kBatchArticles = 128; // articles a reader hands a worker at a time

// Readers and workers make what the writing threads consume, and there are
// more of them than cores: they run a few nice levels below the rest, so
// that the writer (or segment writers) and the ordering thread, which bound
// the run, never wait for a core while a worker fills a queue ahead of them.
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

// How reading a file ended, told by its last batch (earlier ones are Read).
enum class ReadEnd {
    Read,      // to the end
    Unchanged, // the same bytes as recorded: only the file state is refreshed
    Failed,    // stopped by Batch::error; what came before it is indexed
    Exhausted, // the machine ran out of something (descriptors): the run fails
};

struct Batch {
    size_t file = 0;  // index in the sorted file list
    size_t chunk = 0; // the batch's place within its file
    bool first = false, last = false;
    std::vector<Article> articles;
    std::vector<ReadIssue> issues;
    ReadEnd end = ReadEnd::Read;
    std::string error; // why the file could not be read (Failed, Exhausted)
    std::vector<BuiltDocument> docs;
    long long bytes = 0;      // last batch: the file's size
    long long read_bytes = 0; // the file's bytes read by the batch's last article
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

void count_not_article(BuildSummary& sum, const fs::path& p) {
    ++sum.not_articles;
    if (sum.not_article_names.size() < 3) sum.not_article_names.push_back(shown(p.filename()));
}

// Calls add(path, rel, key) for every input file under the folder `rp`
// (key `root_key`). Linked folders are not followed. A folder that cannot
// be listed is reported and its key put in `unread`, so that its files'
// articles are kept (as for an unmounted disk); link loops and dangling
// links are reported; the walk goes on past every error.
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

// The keys (canonical paths) of the roots a run was given, for deciding
// which recorded files are gone, and of the folders that could not be read
// (whose recorded files are not gone).
struct Roots {
    std::vector<std::string> keys, unread;
};

// Every readable input file under the roots, sorted by key.
std::vector<FileTask> scan_roots(const std::vector<std::string>& roots, const FileFilter& filter,
                                 const std::string& source, BuildSummary& sum, Roots& found, std::ostream& log) {
    std::vector<std::string>& root_keys = found.keys;
    std::vector<std::string>& unread = found.unread;
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

// What a run changes: the files to read, new or changed since the last run
// (in key order), and their bytes. The articles of files gone or moved are
// removed from the store while planning, before anything is written.
struct Plan {
    std::vector<FileTask> tasks;
    long long total_bytes = 0;
};

// The files that are new, or whose size or mtime differ from the recorded
// state (an existing file's old hash and article count are kept for the
// reader). `present` gets the key of every file found.
std::vector<FileTask> changed_files(std::vector<FileTask>& files, const IndexStore& store,
                                    std::set<std::string>& present) {
    std::vector<FileTask> tasks;
    for (FileTask& f : files) {
        present.insert(f.key);
        struct stat st {};
        if (::stat(f.key.c_str(), &st) != 0) continue;
        f.state.size = st.st_size;
        f.state.mtime_ns = mtime_ns(st);
        const std::string old = store.file_state(f.key);
        if (!old.empty()) {
            const schema::FileState prev = schema::FileState::decode(old);
            if (prev.size == f.state.size && prev.mtime_ns == f.state.mtime_ns) continue;
            f.existed = true;
            f.old_hash = prev.content_hash;
            f.old_articles = prev.articles;
        }
        tasks.push_back(std::move(f));
    }
    return tasks;
}

// Removes a recorded file's articles and state; returns how many articles.
long forget_file(IndexStore& store, const std::string& key) {
    const long n = store.delete_articles(schema::file_term(key));
    store.set_file_state(key, "");
    return n;
}

// Forgets the recorded files under the roots that are gone (not those in
// folders that could not be read); returns how many articles they had.
long remove_gone(IndexStore& store, const std::vector<std::string>& recorded, const Roots& roots,
                 const std::set<std::string>& present) {
    std::vector<std::string> gone;
    for (const std::string& key : recorded)
        if (under_root(key, roots.keys) && !present.count(key) && !under_root(key, roots.unread)) gone.push_back(key);
    long removed = 0;
    for (const std::string& key : gone) removed += forget_file(store, key);
    return removed;
}

std::string name_of(const std::string& key) { return key.substr(key.rfind('/') + 1); }

// Recorded files outside the roots, no longer on disk, with the name and
// size of a file new to the index: size -> (key, content hash). Only these
// are looked for on disk (a folder moved keeps its files' names), so an
// archive of many files recorded elsewhere costs a name comparison each.
using Missing = std::map<long long, std::vector<std::pair<std::string, std::string>>>;
Missing missing_twins(const IndexStore& store, const std::vector<std::string>& recorded,
                      const std::vector<FileTask>& tasks, const Roots& roots) {
    std::set<long long> new_sizes;
    std::set<std::string> new_names;
    for (const FileTask& t : tasks)
        if (!t.existed) {
            new_sizes.insert(t.state.size);
            new_names.insert(name_of(t.key));
        }
    Missing missing;
    for (const std::string& key : recorded) {
        // (the gone ones are all under the roots)
        if (new_sizes.empty() || under_root(key, roots.keys) || !new_names.count(name_of(key))) continue;
        // (the size leads the recorded state)
        const std::string state = store.file_state(key);
        long long size = -1;
        std::from_chars(state.data(), state.data() + state.size(), size);
        struct stat st {};
        if (!new_sizes.count(size) || ::stat(key.c_str(), &st) == 0) continue;
        try {
            missing[size].emplace_back(key, schema::FileState::decode(state).content_hash);
        } catch (const Error&) {
            // (a corrupt state: not a twin of anything)
        }
    }
    return missing;
}

// Files moved since the last run: a recorded file outside these roots that
// is no longer on disk, whose name and bytes a file new to the index has.
// Left alone, its articles would keep their old path, and the new file's
// would be skipped as already indexed (records with ids of their own) or
// indexed a second time (ids from the path); so it is forgotten, and the
// new file is indexed in its place. (A recorded file that is missing with
// no such twin stays: its folder may only be unmounted.) Returns the
// articles removed; the new files' hashes are kept for their readers.
long remove_moved(IndexStore& store, const std::vector<std::string>& recorded, std::vector<FileTask>& tasks,
                  const Roots& roots, std::ostream& log) {
    Missing missing = missing_twins(store, recorded, tasks, roots);
    long removed = 0, moved = 0;
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
                removed += forget_file(store, key);
                key.clear();
                ++moved;
                break;
            }
    }
    if (moved)
        log << moved << " file" << (moved == 1 ? "" : "s") << " moved since the last run: indexed from the new place\n";
    return removed;
}

Plan plan_changes(std::vector<FileTask> files, const Roots& roots, IndexStore& store, BuildSummary& sum,
                  std::ostream& log) {
    Plan plan;
    std::set<std::string> present;
    plan.tasks = changed_files(files, store, present);
    for (const FileTask& t : plan.tasks) plan.total_bytes += t.state.size;
    const std::vector<std::string> recorded = store.file_keys();
    sum.removed += remove_gone(store, recorded, roots, present);
    sum.removed += remove_moved(store, recorded, plan.tasks, roots, log);
    return plan;
}

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

// The parallel part of a run: `threads` readers take the files in turn,
// hash them and read, decompress and parse them into batches of articles;
// as many workers tag the articles and build their documents. next() hands
// the batches out in file order, and within a file in chunk order, so the
// index is the same whatever the thread count.
class Production {
public:
    // `run_term` (schema::run_term) marks every article this run writes.
    Production(std::vector<FileTask>& tasks, const BuildOptions& opt, unsigned threads, std::string run_term)
        : tasks_(tasks), opt_(opt), forced_reader_(opt.reader), tagger_(EntityTagger::instance()),
          run_term_(std::move(run_term)), work_(threads * 4), sequencer_(tasks.size(), 1024, 8, 8 * threads + 8),
          readers_left_(threads) {
        forced_reader_.sniff = false;
        for (unsigned r = 0; r < threads; ++r) readers_.emplace_back([this] { reader_loop(); });
        for (unsigned w = 0; w < threads; ++w) workers_.emplace_back([this] { worker_loop(); });
    }
    ~Production() { stop(); }
    Production(const Production&) = delete;
    Production& operator=(const Production&) = delete;

    // The next batch in order, nullopt after the last one. Throws
    // news::Error when a worker failed.
    std::optional<Batch> next() {
        if (file_ >= tasks_.size()) return std::nullopt;
        std::optional<Batch> b = sequencer_.take(file_, chunk_);
        if (!b) return std::nullopt; // (stopping)
        if (b->last) {
            ++file_;
            chunk_ = 0;
        } else {
            ++chunk_;
        }
        if (worker_failed_) {
            std::lock_guard<std::mutex> lk(worker_error_m_);
            throw Error(worker_error_);
        }
        return b;
    }

    // Waits for the threads, once next() has handed out the last batch.
    void join() {
        for (auto& r : readers_) r.join();
        for (auto& w : workers_) w.join();
        readers_.clear();
        workers_.clear();
    }

    // Stops the threads before the end (the run failed) and waits for them.
    void stop() {
        if (readers_.empty() && workers_.empty()) return;
        stop_ = true;
        sequencer_.stop();
        // Drain so the readers and workers can finish.
        std::thread drain([this] {
            while (work_.pop()) {}
        });
        join();
        drain.join();
    }

private:
    void reader_loop() {
        pthread_setname_np(pthread_self(), "news-reader");
        yield_to_writers();
        for (size_t i; (i = next_file_++) < tasks_.size() && !stop_;)
            if (!sequencer_.wait_to_start(i) || !read_file(i)) break;
        if (--readers_left_ == 0) work_.close();
    }

    // Reads file `i` into batches; false when the run is stopping.
    bool read_file(size_t i) {
        FileTask& t = tasks_[i];
        size_t chunk = 0;
        auto emit = [&](Batch& b) {
            if (!sequencer_.reserve(i)) throw std::runtime_error("stopping");
            b.file = i;
            b.chunk = chunk++;
            if (!b.articles.empty()) b.read_bytes = b.articles.back().read_bytes;
            work_.push(std::move(b));
        };
        Batch b;
        b.first = true;
        try {
            if (t.state.content_hash.empty()) t.state.content_hash = hash_file(t.key);
            if (t.existed && t.state.content_hash == t.old_hash) {
                b.end = ReadEnd::Unchanged;
            } else {
                read_articles(
                    t.path, t.format, t.forced ? forced_reader_ : opt_.reader,
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
            // Out of descriptors is the machine's fault, not the file's:
            // the run fails rather than skip a good file.
            b.end = ReadEnd::Exhausted;
            b.error = e.what();
        } catch (const std::exception& e) {
            if (stop_) return false;
            b.end = ReadEnd::Failed;
            b.error = e.what();
        }
        b.last = true;
        b.bytes = t.state.size;
        try {
            emit(b);
        } catch (const std::exception&) {
            return false; // stopping
        }
        return true;
    }

    void worker_loop() {
        pthread_setname_np(pthread_self(), "news-worker");
        yield_to_writers();
        DocumentBuilder builder(tagger_, run_term_);
        while (auto b = work_.pop()) {
            try {
                build_documents(builder, *b);
            } catch (const std::exception& e) {
                std::lock_guard<std::mutex> lk(worker_error_m_);
                worker_error_ = e.what();
                worker_failed_ = true;
            }
            sequencer_.put(std::move(*b));
        }
    }

    void build_documents(DocumentBuilder& builder, Batch& b) const {
        const FileTask& t = tasks_[b.file];
        for (Article& a : b.articles) {
            // The record's own source, else the outlet its byline or
            // dateline names, else the folder's.
            if (a.source.empty()) a.source = read_opening(a.body).source;
            if (a.source.empty()) a.source = t.source;
            std::string id = a.id.empty() ? hex64(fnv1a64(t.rel + "#" + std::to_string(a.record))) : a.id;
            b.docs.push_back(builder.build(a, id, t.path, t.key));
        }
        b.articles.clear();
    }

    std::vector<FileTask>& tasks_;
    const BuildOptions& opt_;
    ReaderOptions forced_reader_; // for files matching --include: no sniffing
    const EntityTagger& tagger_;
    const std::string run_term_;
    BoundedQueue<Batch> work_;
    Sequencer sequencer_;
    std::atomic<bool> stop_ {false};
    std::atomic<size_t> next_file_ {0};
    std::atomic<unsigned> readers_left_;
    std::atomic<bool> worker_failed_ {false};
    std::mutex worker_error_m_;
    std::string worker_error_;
    size_t file_ = 0, chunk_ = 0; // the batch next() hands out next
    std::vector<std::thread> readers_, workers_;
};

// The writing side of a run: takes the batches in order and writes them
// through one Writer, reporting each file's problems, giving each article
// its story, recording each file's state once its articles are in, and
// committing as the options ask.
class OrderedWrite {
public:
    OrderedWrite(const BuildOptions& opt, Plan& plan, IndexStore& store, Writer& writer, BuildSummary& sum,
                 std::ostream& log)
        : opt_(opt), tasks_(plan.tasks), total_bytes_(plan.total_bytes), store_(store), writer_(writer), sum_(sum),
          log_(log), per_file_(plan.tasks.size(), 0),
          progress_(opt.progress == BuildOptions::Progress::Always ||
                        (opt.progress == BuildOptions::Progress::Auto && ::isatty(2)),
                    ::isatty(2), opt.progress_every, plan.tasks.size(), plan.total_bytes) {}

    void write(Batch& b) {
        FileTask& t = tasks_[b.file];
        if (!b.issues.empty() || b.end != ReadEnd::Read) progress_.clear();
        report_issues(t, b);
        if (b.end == ReadEnd::Exhausted) throw Error(b.error);
        if (b.end == ReadEnd::Failed && b.first && b.docs.empty()) {
            // Errors from the readers already start with the path.
            log_ << about(t, b.error) << ", skipped\n";
            ++sum_.skipped;
            ++sum_.skip_reasons["unreadable file"];
        } else if (b.end != ReadEnd::Unchanged) {
            add_articles(t, b);
        }
        // (Within a large file, its bytes read so far: the ETA follows the
        // articles, not only the files finished.)
        in_file_bytes_ = b.last ? 0 : std::max(in_file_bytes_, std::min(b.read_bytes, t.state.size));
        if (b.last) end_file(t, b);
        commit_if_due();
        progress_.update(files_done_, sum_.indexed + sum_.updated, writer_.committed_articles(),
                         bytes_done_ + in_file_bytes_);
    }

    // The last progress line, once everything is committed.
    void done() {
        progress_.update(files_done_, sum_.indexed + sum_.updated, sum_.indexed + sum_.updated, bytes_done_, true);
    }

private:
    void report_issues(const FileTask& t, const Batch& b) {
        for (const ReadIssue& is : b.issues) {
            if (is.not_article) {
                log_ << t.shown << ": not an article (" << printable(is.detail)
                     << "), skipped; --include GLOB reads it\n";
                count_not_article(sum_, t.path);
                continue;
            }
            log_ << t.shown << ':' << is.line << ": " << is.reason;
            if (!is.detail.empty()) log_ << " (" << printable(is.detail) << ")";
            log_ << (is.skipped ? ", skipped" : "") << '\n';
            if (is.skipped) {
                ++sum_.skipped;
                ++sum_.skip_reasons[is.reason];
            } else {
                ++sum_.repaired;
                ++sum_.repair_reasons[is.reason];
            }
        }
    }

    void add_articles(FileTask& t, Batch& b) {
        if (b.first) {
            ++sum_.files_indexed;
            writer_.clear_file(t.key);
        }
        for (BuiltDocument& d : b.docs) add_article(t, b.file, d);
        if (b.end == ReadEnd::Failed) {
            // A file that broke part-way (a truncated archive): what was
            // read before the break is indexed; its state is not recorded,
            // so the next run reads it again.
            log_ << about(t, b.error) << "; " << per_file_[b.file]
                 << " articles before it are indexed, the rest of the file is lost\n";
            ++sum_.skipped;
            ++sum_.skip_reasons["broken file"];
        }
    }

    void add_article(const FileTask& t, size_t file, BuiltDocument& d) {
        IndexStore::Shard& shard = store_.shard_for(d.date);
        if (!writer_.claim_id(d.id_term)) {
            // Another record (another file, or earlier in this one) has
            // this id: keep the first, report this one.
            progress_.clear();
            log_ << t.shown << ": article id '" << printable(d.id)
                 << "' is already indexed from another record, skipped\n";
            ++sum_.skipped;
            ++sum_.skip_reasons["duplicate id"];
            return;
        }
        const StoryMatch match =
            store_.stories().find(store_.story_places(d.date, shard), d.shingles, d.bands, d.date, d.id);
        const std::string& story = match.story;
        d.doc.add_value(schema::kStorySlot, story);
        // A story's first article is found by its id term; only the copies
        // that join it carry the story term.
        if (story != d.id) {
            d.doc.add_boolean_term(schema::story_term(story));
            d.doc.add_value(schema::kFoldSlot, schema::fold_value(copy_kind_name(match.kind), match.similarity));
        }
        const Xapian::docid docid = writer_.add(shard, std::move(d.doc), std::move(d.words));
        store_.stories().added(shard.number, docid, std::move(d.shingles), d.date, story, story == d.id);
        ++per_file_[file];
        ++(t.existed ? sum_.updated : sum_.indexed);
        ++since_commit_;
    }

    void end_file(FileTask& t, const Batch& b) {
        const long articles = per_file_[b.file];
        // (a file that could not be read keeps its articles)
        if (t.existed && b.end == ReadEnd::Read) sum_.removed += std::max(0L, t.old_articles - articles);
        t.state.articles = b.end == ReadEnd::Unchanged ? t.old_articles : articles;
        if (b.end == ReadEnd::Read || b.end == ReadEnd::Unchanged) writer_.set_file_state(t.key, t.state.encode());
        ++files_done_;
        bytes_done_ += b.bytes;
    }

    void commit_if_due() {
        const bool asked = since_commit_ >= opt_.commit_every ||
                           (since_commit_ > 0 && std::chrono::steady_clock::now() - last_commit_ >
                                                     std::chrono::duration<double>(opt_.commit_seconds));
        const bool near_end = (total_bytes_ - bytes_done_) * 8 < bytes_done_;
        if (!writer_.checkpoint(asked, near_end)) return;
        ++sum_.commits;
        since_commit_ = 0;
        last_commit_ = std::chrono::steady_clock::now();
    }

    const BuildOptions& opt_;
    std::vector<FileTask>& tasks_;
    const long long total_bytes_;
    IndexStore& store_;
    Writer& writer_;
    BuildSummary& sum_;
    std::ostream& log_;
    std::vector<long> per_file_; // articles written of each file
    Progress progress_;
    long since_commit_ = 0; // articles since the last commit
    std::chrono::steady_clock::time_point last_commit_ = std::chrono::steady_clock::now();
    size_t files_done_ = 0;
    long long bytes_done_ = 0;
    long long in_file_bytes_ = 0; // of the file being written
};

// Writes every batch `production` makes; when anything fails, stops it and
// throws news::Error.
void write_in_order(Production& production, OrderedWrite& out) {
    std::string failure;
    try {
        while (std::optional<Batch> b = production.next()) out.write(*b);
    } catch (const Xapian::Error& e) {
        failure = "Xapian: " + e.get_description();
    } catch (const std::exception& e) {
        failure = e.what();
    }
    if (failure.empty()) return;
    production.stop();
    throw Error(failure);
}

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
    const auto t0 = std::chrono::steady_clock::now();
    BuildSummary sum;
    Roots roots;
    std::vector<FileTask> files = scan_roots(opt.roots, opt.filter, opt.source, sum, roots, log);
    IndexStore store(opt.db, opt.shard_by);
    Plan plan = plan_changes(std::move(files), roots, store, sum, log);

    const WriterPlan how =
        plan_writer(store, opt.shard_by, opt.compact, opt.threads, plan.total_bytes, opt.bulk_min_bytes);
    std::unique_ptr<Writer> writer = make_writer(how, store, {opt.compact, opt.checkpoint_seconds});
    // Every article this run writes carries it (what `newssearch watch` reads).
    Production production(plan.tasks, opt, how.threads, schema::run_term(std::chrono::system_clock::now()));
    OrderedWrite out(opt, plan, store, *writer, sum, log);
    write_in_order(production, out);
    production.join();

    // Partial names are resolved on every run, so that what a killed run
    // left unresolved is done by the next one; with segments before the
    // last merge, which compacts what they changed.
    writer->finish([&sum](const std::vector<Xapian::WritableDatabase*>& dbs) {
        const NameResolution names = resolve_partial_names(dbs);
        sum.names_resolved = names.names;
        sum.names_articles = names.articles;
    });
    out.done();
    std::tie(sum.compacted_from, sum.compacted_to) = writer->compact();
    sum.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return sum;
}

} // namespace news
