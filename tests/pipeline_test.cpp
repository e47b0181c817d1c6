// Tests for indexer/pipeline.*: a build into a temporary database, and the
// incremental re-runs that only touch what changed on disk; and for
// indexer/document.*, the documents the pipeline writes.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <xapian.h>

#include "common/codec.h"
#include "common/entities.h"
#include "common/error.h"
#include "common/schema.h"
#include "indexer/document.h"
#include "indexer/pipeline.h"
#include "tests/test_util.h"

using namespace news;
using news::test::TempDir;
using news::test::write_file;
namespace fs = std::filesystem;

namespace {

BuildSummary build(const std::string& db, const std::vector<std::string>& roots, std::string* log = nullptr,
                   unsigned threads = 1) {
    BuildOptions opt;
    opt.db = db;
    opt.roots = roots;
    opt.threads = threads;
    opt.progress = BuildOptions::Progress::Never;
    std::ostringstream out;
    BuildSummary s = build_index(opt, out);
    if (log) *log = out.str();
    return s;
}

std::set<std::string> terms_with_prefix(const std::string& db_path, std::string_view prefix) {
    Xapian::Database db(db_path);
    std::set<std::string> out;
    const std::string p(prefix);
    for (auto it = db.allterms_begin(p); it != db.allterms_end(p); ++it) out.insert(*it);
    return out;
}

Xapian::doccount doc_count(const std::string& db_path) { return Xapian::Database(db_path).get_doccount(); }

bool has_word(const std::string& db_path, const std::string& term) {
    return Xapian::Database(db_path).term_exists(term);
}

// A small folder of articles: 1 text, 2 JSON lines, 1 TREC record.
struct MiniCorpus {
    TempDir dir;
    std::string root = dir.file("articles");
    std::string db = dir.file("index.db");
    std::string text = write_file(root + "/a.txt", " date 2026-03-04 Harbour cranes stood idle in Rotterdam.\n");
    std::string jsonl = write_file(root + "/sub/b.jsonl",
                                   R"({"id": "j1", "date": "2026-02-01", "body": "Glaciers retreat in Patagonia."})"
                                   "\n"
                                   R"({"id": "j2", "date": "2026-02-02", "body": "Snowfall buries Sapporo."})"
                                   "\n");
    std::string trec =
        write_file(root + "/c.trec", "<DOC><DOCNO>T1</DOCNO><DATE>2026-01-15</DATE><TEXT>Copper output climbs in "
                                     "Atacama.</TEXT></DOC>\n");
};

void set_mtime_forward(const std::string& path) {
    fs::last_write_time(path, fs::last_write_time(path) + std::chrono::seconds(30));
}

} // namespace

TEST_CASE("pipeline: a first build indexes every article") {
    MiniCorpus c;
    std::string log;
    BuildSummary s = build(c.db, {c.root}, &log);
    CHECK(s.files_scanned == 3);
    CHECK(s.files_indexed == 3);
    CHECK(s.indexed == 4);
    CHECK(s.updated == 0);
    CHECK(s.removed == 0);
    CHECK(s.skipped == 0);
    CHECK(log.empty());
    CHECK(doc_count(c.db) == 4);
    auto ids = terms_with_prefix(c.db, schema::kIdPrefix);
    CHECK(ids.count(schema::id_term("j1")));
    CHECK(ids.count(schema::id_term("j2")));
    CHECK(ids.count(schema::id_term("T1")));
    CHECK(ids.size() == 4);
    CHECK(has_word(c.db, "rotterdam"));
    CHECK(has_word(c.db, schema::day_term(2026, 3, 4)));
    Xapian::Database db(c.db);
    CHECK(db.get_metadata(std::string(schema::kMetaSchema)) == std::to_string(schema::kSchemaVersion));
    CHECK(s.line() == "indexed 4, updated 0, removed 0, skipped 0; 3 of 3 files read");
}

TEST_CASE("pipeline: a re-run with nothing changed indexes nothing") {
    MiniCorpus c;
    build(c.db, {c.root});
    Xapian::Database before(c.db);
    auto revision = before.get_revision();
    std::string log;
    BuildSummary s = build(c.db, {c.root}, &log);
    CHECK(s.files_scanned == 3);
    CHECK(s.files_indexed == 0);
    CHECK(s.indexed == 0);
    CHECK(s.updated == 0);
    CHECK(s.removed == 0);
    CHECK(log.empty());
    CHECK(doc_count(c.db) == 4);
    // No document was rewritten (a commit of metadata only is allowed).
    Xapian::Database after(c.db);
    CHECK(after.get_revision() <= revision + 1);
    CHECK(s.line() == "indexed 0, updated 0, removed 0, skipped 0; 0 of 3 files read");
}

TEST_CASE("pipeline: touching a file without changing its bytes re-indexes nothing") {
    MiniCorpus c;
    build(c.db, {c.root});
    set_mtime_forward(c.jsonl);
    BuildSummary s = build(c.db, {c.root});
    CHECK(s.files_indexed == 0);
    CHECK(s.indexed == 0);
    CHECK(s.updated == 0);
    CHECK(s.removed == 0);
    CHECK(doc_count(c.db) == 4);
    // The new mtime is remembered: the next run does not even hash the file.
    BuildSummary again = build(c.db, {c.root});
    CHECK(again.files_indexed == 0);
    CHECK(again.updated == 0);
    CHECK(doc_count(c.db) == 4);
}

TEST_CASE("pipeline: changing a file replaces its articles") {
    MiniCorpus c;
    build(c.db, {c.root});
    REQUIRE(has_word(c.db, "sapporo"));
    // j2 is dropped, j1 rewritten, j3 added.
    write_file(c.jsonl, R"({"id": "j1", "date": "2026-02-01", "body": "Glaciers advance near Ushuaia."})"
                        "\n"
                        R"({"id": "j3", "date": "2026-02-03", "body": "Monsoon rains reach Kerala."})"
                        "\n");
    set_mtime_forward(c.jsonl);
    BuildSummary s = build(c.db, {c.root});
    CHECK(s.files_indexed == 1);
    CHECK(s.indexed == 0);
    CHECK(s.updated == 2);
    CHECK(s.removed == 0); // two articles before, two after
    CHECK(doc_count(c.db) == 4);
    auto ids = terms_with_prefix(c.db, schema::kIdPrefix);
    CHECK(ids.count(schema::id_term("j1")));
    CHECK(ids.count(schema::id_term("j3")));
    CHECK_FALSE(ids.count(schema::id_term("j2")));
    CHECK(has_word(c.db, "ushuaia"));
    CHECK(has_word(c.db, "kerala"));
    CHECK_FALSE(has_word(c.db, "sapporo"));
    CHECK_FALSE(has_word(c.db, "patagonia"));

    // A file that shrinks reports the articles it lost.
    write_file(c.jsonl, R"({"id": "j1", "date": "2026-02-01", "body": "Glaciers advance near Ushuaia."})"
                        "\n");
    set_mtime_forward(c.jsonl);
    BuildSummary shrink = build(c.db, {c.root});
    CHECK(shrink.updated == 1);
    CHECK(shrink.removed == 1);
    CHECK(doc_count(c.db) == 3);
    CHECK_FALSE(has_word(c.db, "kerala"));
}

TEST_CASE("pipeline: deleting a file removes its articles") {
    MiniCorpus c;
    build(c.db, {c.root});
    fs::remove(c.jsonl);
    BuildSummary s = build(c.db, {c.root});
    CHECK(s.files_scanned == 2);
    CHECK(s.removed == 2);
    CHECK(s.indexed == 0);
    CHECK(doc_count(c.db) == 2);
    auto ids = terms_with_prefix(c.db, schema::kIdPrefix);
    CHECK_FALSE(ids.count(schema::id_term("j1")));
    CHECK_FALSE(ids.count(schema::id_term("j2")));
    CHECK_FALSE(has_word(c.db, "sapporo"));
    // Deleted once, reported once.
    BuildSummary again = build(c.db, {c.root});
    CHECK(again.removed == 0);
    CHECK(doc_count(c.db) == 2);
}

TEST_CASE("pipeline: a moved folder's articles move with it; a vanished one's stay") {
    MiniCorpus c;
    build(c.db, {c.root});
    std::string other = write_file(c.dir.file("other/x.txt"), "Fishermen in Galway report record catches.\n");
    build(c.db, {c.dir.file("other")});
    REQUIRE(doc_count(c.db) == 5);
    // The corpus moves (its records keep their ids, the text file's id
    // comes from its path); the other folder vanishes without a twin.
    const std::string moved = c.dir.file("moved");
    fs::rename(c.root, moved);
    fs::remove_all(c.dir.file("other"));
    std::string log;
    BuildSummary s = build(c.db, {moved}, &log);
    CHECK(s.skipped == 0); // (no "already indexed" records)
    CHECK(s.indexed == 4);
    CHECK(s.removed == 4);
    CHECK(log.find("3 files moved since the last run") != std::string::npos);
    CHECK(doc_count(c.db) == 5);
    std::set<std::string> want;
    for (const char* f : {"a.txt", "sub/b.jsonl", "c.trec"})
        want.insert(schema::file_term(fs::canonical(moved + "/" + f).string()));
    want.insert(schema::file_term(fs::weakly_canonical(other).string()));
    CHECK(terms_with_prefix(c.db, schema::kFilePrefix) == want);
    CHECK(build(c.db, {moved}).files_indexed == 0);
}

TEST_CASE("pipeline: indexing a second root leaves the first root's articles alone") {
    MiniCorpus c;
    build(c.db, {c.root});
    std::string other = write_file(c.dir.file("other/x.txt"), "Fishermen in Galway report record catches.");
    BuildSummary s = build(c.db, {c.dir.file("other")});
    CHECK(s.indexed == 1);
    CHECK(s.removed == 0);
    CHECK(doc_count(c.db) == 5);
}

TEST_CASE("pipeline: bad records are counted by reason and logged as file:line: reason") {
    TempDir t;
    std::string root = t.file("in");
    write_file(root + "/good.txt", " date 2026-01-10 Ferries resume sailing to the Hebrides.");
    write_file(root + "/latin1.txt", " date 2026-01-11 Caf\xe9 owners protest in Lyon.");
    write_file(root + "/empty.txt", "");
    write_file(root + "/binary.txt", std::string("\x7f"
                                                 "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0",
                                                 16));
    write_file(root + "/mixed.jsonl", R"({"id": "m1", "date": "2026-01-12", "body": "Trams return to Zagreb."})"
                                      "\n"
                                      R"({"id": "m2", "body": )"
                                      "\n"
                                      R"({"id": "m3", "date": "2026-02-30", "body": "Impossible."})"
                                      "\n");
    write_file(root + "/broken.jsonl.zst", std::string("\x28\xb5\x2f\xfd", 4) + std::string(40, '\x01'));
    write_file(root + "/notes.md", "not an article");
    write_file(root + "/.hidden.txt", "Hidden files are not indexed.");
    std::string db = t.file("db");
    std::string log;
    BuildSummary s = build(db, {root}, &log);
    CAPTURE(log);
    CHECK(s.files_scanned == 6);
    CHECK(s.files_ignored == 1);
    CHECK(s.indexed == 3); // good.txt, latin1.txt (repaired), m1
    CHECK(s.skipped == 5);
    CHECK(s.skip_reasons == std::map<std::string, long> {{"binary file", 1},
                                                         {"empty file", 1},
                                                         {"impossible date", 1},
                                                         {"malformed JSON", 1},
                                                         {"unreadable file", 1}});
    CHECK(s.repaired == 1);
    CHECK(s.repair_reasons == std::map<std::string, long> {{"invalid UTF-8", 1}});
    CHECK(doc_count(db) == 3);
    CHECK(log.find(root + "/mixed.jsonl:2: malformed JSON") != std::string::npos);
    CHECK(log.find(root + "/mixed.jsonl:3: impossible date") != std::string::npos);
    CHECK(log.find(root + "/empty.txt:1: empty file") != std::string::npos);
    CHECK(log.find(root + "/binary.txt:1: binary file") != std::string::npos);
    CHECK(log.find(root + "/latin1.txt:1: invalid UTF-8") != std::string::npos);
    CHECK(log.find(root + "/broken.jsonl.zst: ") != std::string::npos);
    CHECK(log.find("hidden") == std::string::npos);
    CHECK(s.line() == "indexed 3, updated 0, removed 0, skipped 5 (1 binary file, 1 empty file, 1 impossible date, "
                      "1 malformed JSON, 1 unreadable file), repaired 1 (1 invalid UTF-8); 5 of 6 files read, 1 of "
                      "unknown type ignored");
    CHECK(has_word(db, "hebrides"));
    CHECK(has_word(db, "zagreb"));
    CHECK_FALSE(has_word(db, "hidden"));
}

TEST_CASE("pipeline: a missing root or an unwritable database throws news::Error") {
    TempDir t;
    CHECK_THROWS_AS(build(t.file("db"), {t.file("no-such-folder")}), Error);
    std::string file = write_file(t.file("plain-file"), "x");
    write_file(t.file("in/a.txt"), "Some text.");
    CHECK_THROWS_AS(build(file + "/db", {t.file("in")}), Error);
}

TEST_CASE("pipeline: the same index whatever the thread count") {
    TempDir t;
    std::string one = t.file("one.db"), two = t.file("two.db");
    BuildSummary s1 = build(one, {news::test::corpus_dir()}, nullptr, 1);
    BuildSummary s2 = build(two, {news::test::corpus_dir()}, nullptr, 2);
    CHECK(s1.skipped == 0);
    CHECK(s1.indexed == s2.indexed);
    CHECK(s1.files_indexed == s2.files_indexed);
    CHECK(doc_count(one) == doc_count(two));
    CHECK(doc_count(one) == static_cast<Xapian::doccount>(s1.indexed));
    auto q1 = terms_with_prefix(one, schema::kIdPrefix);
    CHECK(q1 == terms_with_prefix(two, schema::kIdPrefix));
    CHECK(q1.size() == doc_count(one));
    // Story ids (the collapse key) agree too: clustering must not depend on
    // which worker finished first.
    Xapian::Database d1(one), d2(two);
    for (const std::string& q : q1) {
        CAPTURE(q);
        Xapian::PostingIterator p1 = d1.postlist_begin(q), p2 = d2.postlist_begin(q);
        REQUIRE(p1 != d1.postlist_end(q));
        REQUIRE(p2 != d2.postlist_end(q));
        CHECK(d1.get_document(*p1).get_value(schema::kStorySlot) == d2.get_document(*p2).get_value(schema::kStorySlot));
    }
}

// Regression: the id of an article without its own id once hashed only the
// path relative to its root, so two roots holding a file of the same
// relative name gave their articles one Q term and the second replaced the
// first.
TEST_CASE("pipeline: files of the same name under two roots keep both articles") {
    TempDir t;
    write_file(t.file("a/x.txt"), " date 2026-01-01 Trams return to Lisbon.");
    write_file(t.file("b/x.txt"), " date 2026-01-02 Bridges close in Porto.");
    BuildSummary s = build(t.file("db"), {t.file("a"), t.file("b")});
    CHECK(s.indexed == 2);
    CHECK(doc_count(t.file("db")) == 2);
    CHECK(has_word(t.file("db"), "lisbon"));
    CHECK(has_word(t.file("db"), "porto"));
}

// A file's key is its canonical path, however the root is written: a
// re-run through another spelling of the root (trailing slash, "..", a
// linked folder) reads nothing again. A linked file is keyed by its target.
TEST_CASE("pipeline: file keys are canonical paths whatever the root's spelling") {
    TempDir t;
    const std::string root = t.file("articles");
    write_file(root + "/x.txt", " date 2026-01-01 Trams return to Lisbon.");
    write_file(root + "/sub/y.txt", " date 2026-01-02 Bridges close in Porto.");
    const std::string target = write_file(t.file("elsewhere/z.txt"), " date 2026-01-03 Ferries resume in Faro.");
    fs::create_symlink("../elsewhere/z.txt", root + "/link.txt");
    fs::create_directory_symlink(root, t.file("alias"));
    const std::string db = t.file("db");
    BuildSummary s = build(db, {root});
    CHECK(s.indexed == 3);

    const std::string canonical_root = fs::canonical(root).string();
    std::set<std::string> keys;
    {
        Xapian::Database x(db);
        const std::string prefix(schema::kMetaFile);
        for (auto k = x.metadata_keys_begin(prefix); k != x.metadata_keys_end(prefix); ++k)
            keys.insert((*k).substr(prefix.size()));
    }
    CHECK(keys == std::set<std::string> {canonical_root + "/x.txt", canonical_root + "/sub/y.txt",
                                         fs::canonical(target).string()});

    for (const std::string& spelling : {root + "/", root + "/../articles", t.file("alias"), t.file("alias/")}) {
        CAPTURE(spelling);
        BuildSummary again = build(db, {spelling});
        CHECK(again.files_scanned == 3);
        CHECK(again.files_indexed == 0);
        CHECK(again.removed == 0);
        CHECK(again.indexed == 0);
    }
    CHECK(doc_count(db) == 3);
}

// Regression: two records with the same own id in different files once
// shared one Q term silently, both counted as indexed. DESIGN.md: nothing
// is silently dropped.
TEST_CASE("pipeline: a record id used twice is not silently dropped") {
    TempDir t;
    write_file(t.file("in/one.jsonl"), R"({"id": "dup", "body": "Storks nest in Evora."})"
                                       "\n");
    write_file(t.file("in/two.jsonl"), R"({"id": "dup", "body": "Students return to Coimbra."})"
                                       "\n");
    std::string log;
    BuildSummary s = build(t.file("db"), {t.file("in")}, &log);
    bool both_kept = doc_count(t.file("db")) == 2;
    bool reported = s.skipped == 1 && log.find("dup") != std::string::npos;
    CHECK((both_kept || reported));
    CHECK(s.indexed == static_cast<long>(doc_count(t.file("db"))));
}

namespace {

// Everything a document holds, in a form two databases can be compared by
// (but the run that wrote it).
std::string describe(const Xapian::Document& doc) {
    std::ostringstream o;
    for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
        if ((*t).rfind(news::schema::kRunPrefix, 0) == 0) continue;
        o << *t << ':' << t.get_wdf() << '[';
        for (auto p = t.positionlist_begin(); p != t.positionlist_end(); ++p) o << *p << ',';
        o << "] ";
    }
    for (auto v = doc.values_begin(); v != doc.values_end(); ++v) o << v.get_valueno() << '=' << *v << ' ';
    o << doc.get_data();
    return o.str();
}

} // namespace

// A fresh build writes through parallel segments merged by compaction
// (indexer/bulk.h); a --no-compact build through the single writer. With a
// commit every 2 articles there are many segments and several merges.
TEST_CASE("pipeline: a fresh build through segments is the index one writer builds") {
    TempDir t;
    std::string seg = t.file("segments.db"), one = t.file("one.db");
    BuildOptions opt;
    opt.roots = {news::test::corpus_dir()};
    opt.progress = BuildOptions::Progress::Never;
    opt.commit_every = 2;
    opt.bulk_min_bytes = 0; // (the corpus is a few kilobytes)
    std::ostringstream log;
    opt.db = seg;
    opt.threads = 2;
    BuildSummary s = build_index(opt, log);
    opt.db = one;
    opt.threads = 1;
    opt.compact = false;
    BuildSummary s1 = build_index(opt, log);
    REQUIRE(s.indexed > 10);
    CHECK(s.indexed == s1.indexed);
    CHECK(s.compacted_to > 0); // merged, and said so
    CHECK_FALSE(fs::exists(seg + ".segments"));
    CHECK_FALSE(fs::exists(seg + ".compact-tmp"));
    Xapian::Database a(seg), b(one);
    REQUIRE(a.get_doccount() == b.get_doccount());
    CHECK(a.get_lastdocid() == b.get_lastdocid());
    for (Xapian::docid d = 1; d <= b.get_lastdocid(); ++d) {
        CAPTURE(d);
        CHECK(describe(a.get_document(d)) == describe(b.get_document(d)));
    }
    // The spelling table and every file's state came through the merges.
    std::map<std::string, Xapian::doccount> sa, sb;
    for (auto w = a.spellings_begin(); w != a.spellings_end(); ++w) sa[*w] = w.get_termfreq();
    for (auto w = b.spellings_begin(); w != b.spellings_end(); ++w) sb[*w] = w.get_termfreq();
    CHECK(sa.size() > 100);
    CHECK(sa == sb);
    const std::string files(schema::kMetaFile);
    std::vector<std::string> ka, kb;
    for (auto k = a.metadata_keys_begin(files); k != a.metadata_keys_end(files); ++k)
        ka.push_back(*k + a.get_metadata(*k));
    for (auto k = b.metadata_keys_begin(files); k != b.metadata_keys_end(files); ++k)
        kb.push_back(*k + b.get_metadata(*k));
    CHECK(ka.size() == static_cast<size_t>(s.files_indexed));
    CHECK(ka == kb);
    CHECK(a.get_metadata(std::string(schema::kMetaSchema)) == std::to_string(schema::kSchemaVersion));
    // And a re-run finds nothing to do.
    opt.db = seg;
    opt.compact = true;
    BuildSummary again = build_index(opt, log);
    CHECK(again.indexed + again.updated + again.files_indexed == 0);
}

// A fresh build's commits are merges that rewrite the index; none is asked
// for in the last eighth of the input, where the final merge is near. The
// single writer (--no-compact) commits as asked.
TEST_CASE("pipeline: a fresh build asks for no commit in the last eighth of its input") {
    TempDir t;
    for (int i = 1; i <= 16; ++i) {
        char text[80];
        std::snprintf(text, sizeof text, " date 2026-01-%02d Ferry number %02d docks in Bergen.\n", i, i);
        write_file(t.file("in/" + std::to_string(100 + i) + ".txt"), text);
    }
    auto commits = [&](const std::string& db, long every, bool compact) {
        BuildOptions opt;
        opt.db = t.file(db);
        opt.roots = {t.file("in")};
        opt.threads = 2;
        opt.commit_every = every;
        opt.compact = compact;
        opt.bulk_min_bytes = 0;
        opt.progress = BuildOptions::Progress::Never;
        std::ostringstream log;
        BuildSummary s = build_index(opt, log);
        CHECK(s.indexed == 16);
        CHECK(Xapian::Database(opt.db).get_doccount() == 16);
        return s.commits;
    };
    CHECK(commits("a.db", 4, true) == 3);   // after 4, 8 and 12 articles; at 16 the run ends
    CHECK(commits("b.db", 15, true) == 0);  // 15 of 16 read: left to the end
    CHECK(commits("c.db", 15, false) == 1); // one writer: as asked
}

// DocumentBuilder keeps a table of the stems it has computed (indexer/
// document.cpp), which grows, and starts again after 200,000 words: the
// stems are Xapian's English stems throughout.
TEST_CASE("document: body stems are Xapian's English stems, past the stem table's growth and reset") {
    DocumentBuilder builder(EntityTagger::instance());
    Xapian::Stem english("english");
    const char* suffixes[] = {"ing", "ed", "ions", "ly", "y", "ness", "ational", ""}; // ('y': "...ly" -> "...li")
    long next = 0, checked = 0;
    for (int d = 0; d < 52; ++d) {
        Article a;
        a.title = "reports";
        std::set<std::string> expected {"Z" + english("reports")};
        for (int w = 0; w < 5000; ++w, ++next) {
            std::string word;
            for (long n = next + 1; n > 0; n /= 26) word += static_cast<char>('a' + n % 26);
            // (Words repeat across documents too, so lookups find them.)
            word += suffixes[next % 8];
            a.body += word + " ";
            expected.insert("Z" + english(word));
            if (w % 2 == 0) {
                const std::string often = std::string("walking") + suffixes[w % 8];
                a.body += often + " ";
                expected.insert("Z" + english(often));
            }
        }
        BuiltDocument b = builder.build(a, "id" + std::to_string(d), "p", "k");
        std::set<std::string> stems;
        for (auto t = b.doc.termlist_begin(); t != b.doc.termlist_end(); ++t)
            if ((*t).size() > 1 && (*t)[0] == 'Z' && (*t)[1] >= 'a' && (*t)[1] <= 'z') stems.insert(*t);
        CAPTURE(d);
        std::string diff;
        for (const auto& t : stems)
            if (!expected.count(t)) diff += " +" + t;
        for (const auto& t : expected)
            if (!stems.count(t)) diff += " -" + t;
        CAPTURE(diff.substr(0, 300));
        CHECK(stems == expected);
        checked += static_cast<long>(stems.size());
    }
    CHECK(next > 250000); // (past the 200,000 words after which the table starts again)
    CHECK(checked > 250000);
}

TEST_CASE("pipeline: a folder's README, LICENSE and word lists are listed as not articles") {
    TempDir t;
    const std::string root = t.file("in"), db = t.file("db");
    write_file(root + "/a.txt", " date 2026-03-04 Harbour cranes stood idle in Rotterdam on Monday.\n");
    write_file(root + "/README.txt", "This folder holds the articles of the harbour desk, one file each.\n");
    write_file(root + "/LICENSE", "Licensed to the newsroom.\n"); // (no known extension: ignored anyway)
    std::string list;
    for (const char* w : {"amex", "ase", "asx", "biffex", "bse", "cboe", "cbt", "cme", "comex", "cse", "fox"})
        list += std::string(w) + "\n";
    write_file(root + "/exchanges.lc.txt", list);
    write_file(root + "/none.sgm", "<html>no records here</html>\n");
    write_file(root + "/.hidden.txt", " date 2026-03-05 A hidden draft about the harbour strike.\n");
    std::string log;
    BuildSummary s = build(db, {root}, &log);
    CHECK(s.indexed == 1);
    CHECK(s.skipped == 0);
    CHECK(s.not_articles == 3);
    CHECK(doc_count(db) == 1);
    CHECK(log.find("README.txt: not an article (a readme file), skipped; --include GLOB reads it\n") !=
          std::string::npos);
    CHECK(log.find("exchanges.lc.txt: not an article (a list of one or two words a line)") != std::string::npos);
    CHECK(log.find("none.sgm: not an article (no <REUTERS> record)") != std::string::npos);
    CHECK(s.line().find("3 not articles (README.txt, ") != std::string::npos);

    // --include reads them anyway; --exclude keeps a file out whatever it is.
    BuildOptions opt;
    opt.db = t.file("db2");
    opt.roots = {root};
    opt.threads = 1;
    opt.progress = BuildOptions::Progress::Never;
    opt.filter.include = {"README*", "*.lc.txt"};
    opt.filter.exclude = {"a.txt"};
    std::ostringstream out;
    BuildSummary forced = build_index(opt, out);
    CHECK(forced.indexed == 2);
    CHECK(forced.files_excluded == 1);
    CHECK(forced.not_articles == 1);    // none.sgm
    CHECK(has_word(opt.db, "harbour")); // from README.txt
    CHECK_FALSE(has_word(opt.db, "rotterdam"));
}

TEST_CASE("pipeline: a file named on the command line is read whatever its name") {
    TempDir t;
    const std::string f = write_file(t.file("README.txt"), "The harbour desk reports on shipping in Rotterdam.\n");
    BuildSummary s = build(t.file("db"), {f});
    CHECK(s.indexed == 1);
    CHECK(s.not_articles == 0);
}

TEST_CASE("pipeline: an article's source is its own, else its byline's outlet, else the folder's") {
    TempDir t;
    const std::string root = t.file("harbour-desk");
    write_file(root + "/a.txt", " date 2026-03-04 (Dave DeCamp, Antiwar.com) President Trump is open to backing "
                                "militant groups, the Wall Street Journal reported.\n");
    write_file(root + "/b.txt", " date 2026-03-04 TOKYO (Reuters) - Japan's exports rose in March.\n");
    write_file(root + "/c.txt", " date 2026-03-04 Harbour cranes stood idle in Rotterdam on Monday.\n");
    write_file(root + "/d.jsonl", R"({"id": "j1", "source": "Lloyd's List", "body": "Cranes idle."})"
                                  "\n");
    const std::string db = t.file("db");
    build(db, {root});
    Xapian::Database x(db);
    CHECK(x.get_termfreq(schema::source_term("Antiwar.com")) == 1);
    CHECK(x.get_termfreq(schema::source_term("Reuters")) == 1);
    CHECK(x.get_termfreq(schema::source_term("harbour-desk")) == 1);
    CHECK(x.get_termfreq(schema::source_term("Lloyd's List")) == 1);
    // The byline is not the title.
    Xapian::PostingIterator p = x.postlist_begin("militant");
    REQUIRE(p != x.postlist_end("militant"));
    CHECK(decode_article(x.get_document(*p).get_data()).title.rfind("President Trump is open", 0) == 0);
}

TEST_CASE("pipeline: compacting a fresh build of a few articles never grows it") {
    // (Merged segments of a tiny input were bigger than what one writer
    // writes: 57 -> 97 KiB reported. A few megabytes go through one writer,
    // and compaction keeps a database it would not shrink.)
    MiniCorpus c;
    BuildOptions opt;
    opt.db = c.db;
    opt.roots = {c.root};
    opt.threads = 2;
    opt.progress = BuildOptions::Progress::Never;
    std::ostringstream log;
    const BuildSummary s = build_index(opt, log);
    CHECK(s.indexed == 4);
    CHECK(s.compacted_to <= s.compacted_from);
    CHECK(doc_count(c.db) == 4);
}
