#include "searcher/watch.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "common/codec.h"
#include "common/error.h"
#include "common/files.h"
#include "common/schema.h"
#include "common/text.h"
#include "searcher/export.h"

namespace news {

namespace {

using Json = nlohmann::ordered_json;
constexpr int kFileVersion = 1;

std::string os_error(const std::string& what, const std::string& path) {
    return what + " " + printable(path) + ": " + std::strerror(errno);
}

Json to_json(const WatchStory& s) {
    return Json {{"id", s.id},         {"story", s.story}, {"title", s.title}, {"date", s.date},
                 {"source", s.source}, {"url", s.url},     {"found", s.found}, {"copies", s.copies}};
}

WatchStory story_from(const Json& j) {
    WatchStory s;
    s.id = j.value("id", "");
    s.story = j.value("story", "");
    s.title = j.value("title", "");
    s.date = j.value("date", "");
    s.source = j.value("source", "");
    s.url = j.value("url", "");
    s.found = j.value("found", "");
    s.copies = j.value("copies", 1);
    return s;
}

// The newest run term of the index ("" when no run recorded one).
std::string latest_run(const Xapian::Database& db) {
    std::string last;
    const std::string prefix(schema::kRunPrefix);
    for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t) last = *t;
    return last;
}

// Whether document `did` of `db` was written by one of `runs`.
bool written_by(const Xapian::Database& db, Xapian::docid did, const std::vector<std::string>& runs) {
    for (const std::string& r : runs) {
        Xapian::PostingIterator p = db.postlist_begin(r);
        p.skip_to(did);
        if (p != db.postlist_end(r) && *p == did) return true;
    }
    return false;
}

// A 128-bit name-based id written as a UUID (urn:uuid: in the feed).
std::string uuid_of(const std::string& s) {
    const std::string h = hex64(fnv1a64(s)) + hex64(fnv1a64(s, 0x84222325cbf29ce4ULL));
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-8" + h.substr(13, 3) + "-" + h.substr(16, 4) + "-" +
           h.substr(20, 12);
}

// Text for XML: escaped, without the control characters XML 1.0 forbids.
std::string xml_text(const std::string& s) {
    std::string clean;
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') clean += c;
    return html_escape(clean);
}

bool web_url(const std::string& u) { return u.rfind("http://", 0) == 0 || u.rfind("https://", 0) == 0; }

} // namespace

void check_watch_name(const std::string& name) {
    const bool ok = !name.empty() && name.size() <= 64 && name[0] != '.' && name[0] != '-' &&
                    std::all_of(name.begin(), name.end(), [](char c) {
                        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                               c == '-' || c == '.';
                    });
    if (!ok) throw QueryError("a watch name is 1 to 64 letters, digits, '_', '-' or '.' (not first)");
}

WatchFile::WatchFile(const std::string& db) {
    std::string base = db;
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    path_ = base + std::string(schema::kWatches);
}

std::vector<Watch> WatchFile::load() const {
    std::ifstream in(path_, std::ios::binary);
    if (!in) {
        if (errno == ENOENT) return {};
        throw Error(os_error("cannot read", path_));
    }
    std::vector<Watch> out;
    try {
        const Json j = Json::parse(in);
        if (j.value("version", 0) != kFileVersion) throw Error(printable(path_) + ": not a watch file of this version");
        for (const Json& w : j.at("watches")) {
            Watch x;
            x.name = w.at("name").get<std::string>();
            x.query = w.at("query").get<std::string>();
            x.created = w.value("created", "");
            x.last_run = w.value("last_run", "");
            x.seen_run = w.value("seen_run", "");
            for (const Json& s : w.value("recent", Json::array())) x.recent.push_back(story_from(s));
            out.push_back(std::move(x));
        }
    } catch (const Json::exception& e) {
        throw Error(printable(path_) + ": not a watch file (" + e.what() + ")");
    }
    return out;
}

void WatchFile::save(const std::vector<Watch>& watches) const {
    Json list = Json::array();
    for (const Watch& w : watches) {
        Json recent = Json::array();
        for (const WatchStory& s : w.recent) recent.push_back(to_json(s));
        list.push_back(Json {{"name", w.name},
                             {"query", w.query},
                             {"created", w.created},
                             {"last_run", w.last_run},
                             {"seen_run", w.seen_run},
                             {"recent", recent}});
    }
    const std::string text =
        Json {{"version", kFileVersion}, {"watches", list}}.dump(1, '\t', false, Json::error_handler_t::replace) + "\n";
    write_atomically(path_, text);
}

WatchFile::Lock::Lock(const WatchFile& file) {
    const std::string path = file.path() + std::string(schema::kRunLock);
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw Error(os_error("cannot open", path));
    while (::flock(fd_, LOCK_EX) != 0)
        if (errno != EINTR) throw Error(os_error("cannot lock", path));
}

WatchFile::Lock::~Lock() { ::close(fd_); }

std::string rfc3339(std::chrono::system_clock::time_point t) {
    const std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm {};
    ::gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

Watch new_watch(Searcher& searcher, const std::string& name, const std::string& query,
                std::chrono::system_clock::time_point now) {
    check_watch_name(name);
    if (query.empty()) throw QueryError("a watch needs a query");
    if (query.size() > Watch::kMaxQueryBytes) throw QueryError("the query of a watch is too long");
    SearchRequest req;
    req.query = query;
    searcher.match_set(req, false); // (throws for a query that cannot be parsed)
    Watch w;
    w.name = name;
    w.query = query;
    w.created = rfc3339(now);
    w.seen_run = latest_run(searcher.database());
    return w;
}

std::vector<WatchStory> run_watch(Searcher& searcher, Watch& watch, std::chrono::system_clock::time_point now) {
    const Xapian::Database& all = searcher.database();
    std::vector<std::string> runs; // the runs since the watch last ran
    const std::string prefix(schema::kRunPrefix);
    for (auto t = all.allterms_begin(prefix); t != all.allterms_end(prefix); ++t)
        if (*t > watch.seen_run) runs.push_back(*t);
    std::vector<WatchStory> found;
    std::map<std::string, size_t> by_story;
    if (!runs.empty()) {
        SearchRequest req;
        req.query = watch.query;
        MatchSet m = searcher.match_set(req, false);
        const Xapian::Query added(Xapian::Query::OP_OR, runs.begin(), runs.end());
        for (const Xapian::Database& part : m.parts) {
            Xapian::Enquire enq(part);
            enq.set_query(Xapian::Query(Xapian::Query::OP_FILTER, m.query, added));
            enq.set_weighting_scheme(Xapian::BoolWeight());
            const Xapian::MSet ms = enq.get_mset(0, part.get_doccount());
            for (auto it = ms.begin(); it != ms.end(); ++it) {
                const Xapian::Document doc = it.get_document();
                const std::string id = doc.get_value(schema::kIdSlot);
                std::string story = doc.get_value(schema::kStorySlot);
                if (story.empty()) story = id;
                if (story != id) {
                    // A copy is a new story only when its story's first
                    // article is new too (else it is a reprint of one known).
                    const std::string first = schema::id_term(story);
                    Xapian::PostingIterator p = all.postlist_begin(first);
                    if (p != all.postlist_end(first) && !written_by(all, *p, runs)) continue;
                }
                auto [at, fresh] = by_story.emplace(story, found.size());
                if (!fresh) {
                    WatchStory& s = found[at->second];
                    ++s.copies;
                    if (id != story) continue; // (the story's first article stands for it)
                }
                const StoredArticle a = decode_article_head(doc.get_data());
                WatchStory s;
                s.id = a.id;
                s.story = story;
                s.title = a.title;
                s.date = a.date;
                s.source = a.source;
                s.url = a.url;
                s.copies = fresh ? 1 : found[at->second].copies;
                if (fresh)
                    found.push_back(std::move(s));
                else
                    found[at->second] = std::move(s);
            }
        }
        watch.seen_run = runs.back();
    }
    std::sort(found.begin(), found.end(), [](const WatchStory& a, const WatchStory& b) {
        return a.date != b.date ? a.date > b.date : a.id < b.id;
    });
    watch.last_run = rfc3339(now);
    for (WatchStory& s : found) s.found = watch.last_run;
    std::vector<WatchStory> recent = found;
    for (WatchStory& s : watch.recent)
        if (recent.size() < Watch::kRecent) recent.push_back(std::move(s));
    watch.recent = std::move(recent);
    return found;
}

std::string to_atom(const Watch& w, const std::string& index_id, const std::string& self) {
    std::ostringstream o;
    o << "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n";
    o << "  <id>urn:uuid:" << uuid_of(index_id + "\n" + w.name) << "</id>\n";
    o << "  <title>" << xml_text("newssearch: " + w.name) << "</title>\n";
    o << "  <subtitle>" << xml_text("New stories for " + w.query) << "</subtitle>\n";
    o << "  <updated>" << (w.last_run.empty() ? w.created : w.last_run) << "</updated>\n";
    o << "  <author><name>newssearch</name></author>\n  <generator>newssearch</generator>\n";
    if (!self.empty()) o << "  <link rel=\"self\" type=\"application/atom+xml\" href=\"" << xml_text(self) << "\"/>\n";
    for (const WatchStory& s : w.recent) {
        o << "  <entry>\n    <id>urn:uuid:" << uuid_of(index_id + "\n" + w.name + "\n" + s.story) << "</id>\n";
        o << "    <title>" << xml_text(s.title.empty() ? "(untitled)" : s.title) << "</title>\n";
        o << "    <updated>" << s.found << "</updated>\n";
        if (s.date.size() == 10) o << "    <published>" << s.date << "T00:00:00Z</published>\n";
        if (web_url(s.url)) o << "    <link rel=\"alternate\" href=\"" << xml_text(s.url) << "\"/>\n";
        std::string about =
            (s.date.empty() ? "undated" : s.date) + " · " + (s.source.empty() ? "-" : s.source) + " · id " + s.id;
        if (s.copies > 1) about += " · " + std::to_string(s.copies) + " copies";
        o << "    <content type=\"text\">" << xml_text(about) << "</content>\n  </entry>\n";
    }
    o << "</feed>\n";
    return o.str();
}

std::string watch_run_json(const Watch& w, const std::string& since, const std::vector<WatchStory>& found) {
    Json stories = Json::array();
    for (const WatchStory& s : found) stories.push_back(to_json(s));
    Json j {{"watch", w.name},
            {"query", w.query},
            {"since", since.empty() ? Json(w.created) : Json(since)},
            {"ran", w.last_run},
            {"stories", stories}};
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

} // namespace news
