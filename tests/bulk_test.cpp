// Tests for indexer/bulk.*: a fresh build through parallel segments makes
// the index one writer makes (documents, numbers, spelling, file states),
// whatever the number of writers and wherever the segments end; the work
// before the last merge sees every database; a writer stopped early leaves
// the last merge and no segments.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <xapian.h>

#include "common/schema.h"
#include "indexer/bulk.h"
#include "indexer/store.h"
#include "tests/test_util.h"

using namespace news;
using news::test::TempDir;
namespace fs = std::filesystem;

namespace {

// Article `i` of a made-up run: a few words with positions, a value, data.
Xapian::Document article(int i) {
    Xapian::Document d;
    d.add_boolean_term(schema::id_term("a" + std::to_string(i)));
    for (int w = 0; w < 5; ++w) d.add_posting("word" + std::to_string((i * 7 + w) % 40), w + 1);
    d.add_value(schema::kDateSlot, "2026030" + std::to_string(i % 9 + 1));
    d.set_data("article " + std::to_string(i));
    return d;
}

std::vector<std::string> words_of(int i) { return {"word" + std::to_string(i % 40), "common"}; }

// Everything the tests compare, by document number.
std::string contents(const std::string& db_path) {
    Xapian::Database db(db_path);
    std::string out = "docs " + std::to_string(db.get_doccount()) + "\n";
    for (auto p = db.postlist_begin(""); p != db.postlist_end(""); ++p) {
        Xapian::Document d = db.get_document(*p);
        out += std::to_string(*p) + ":";
        for (auto t = d.termlist_begin(); t != d.termlist_end(); ++t) {
            out += " " + *t + "/" + std::to_string(t.get_wdf());
            for (auto pos = t.positionlist_begin(); pos != t.positionlist_end(); ++pos)
                out += "," + std::to_string(*pos);
        }
        for (auto v = d.values_begin(); v != d.values_end(); ++v)
            out += " v" + std::to_string(v.get_valueno()) + "=" + *v;
        out += " [" + d.get_data() + "]\n";
    }
    for (auto s = db.spellings_begin(); s != db.spellings_end(); ++s)
        out += "spell " + *s + " " + std::to_string(s.get_termfreq()) + "\n";
    for (auto m = db.metadata_keys_begin(); m != db.metadata_keys_end(); ++m)
        out += "meta " + *m + " = " + db.get_metadata(*m) + "\n";
    return out;
}

// `n` articles through one writer, as the store writes them: spelling
// counted per word, file states as metadata, one commit.
void one_writer(const std::string& db, int n, const std::map<int, std::string>& file_ends) {
    Xapian::WritableDatabase w(db, Xapian::DB_CREATE);
    std::map<std::string, Xapian::termcount> spelling;
    for (int i = 1; i <= n; ++i) {
        w.add_document(article(i));
        for (const std::string& word : words_of(i)) ++spelling[word];
        if (auto f = file_ends.find(i); f != file_ends.end())
            w.set_metadata(std::string(schema::kMetaFile) + f->second, "state of " + f->second);
    }
    for (const auto& [word, count] : spelling) w.add_spelling(word, count);
    w.commit();
}

// The same through `writers` segment writers, a segment ending every
// `segment` articles and a merge asked for (Soon, Now) at the articles in
// `merges`.
void segments(const std::string& db, int n, const std::map<int, std::string>& file_ends, unsigned writers, int segment,
              const std::map<int, BulkWriter::Durable>& merges) {
    Xapian::WritableDatabase lock(db, Xapian::DB_CREATE_OR_OPEN);
    BulkWriter bulk(db, lock, writers);
    for (int i = 1; i <= n; ++i) {
        bulk.add(article(i), words_of(i));
        CHECK(bulk.last_docid() == static_cast<Xapian::docid>(i));
        if (auto f = file_ends.find(i); f != file_ends.end()) bulk.set_file_state(f->second, "state of " + f->second);
        if (auto m = merges.find(i); m != merges.end())
            bulk.checkpoint(m->second);
        else if (i % segment == 0)
            bulk.checkpoint(BulkWriter::Durable::No);
    }
    const auto [written, index_bytes] = bulk.finish();
    CHECK(written > 0);
    CHECK(index_bytes == folder_bytes(db));
}

const std::map<int, std::string> kFiles {{40, "/in/a.sgm"}, {41, "/in/b.txt"}, {199, "/in/c.sgm"}, {250, "/in/d"}};

} // namespace

TEST_CASE("bulk: segments make the index one writer makes, whatever the writers and cuts") {
    TempDir t;
    one_writer(t.file("one"), 250, kFiles);
    const std::string want = contents(t.file("one"));
    REQUIRE(want.find("meta newssearch.file:/in/c.sgm = state of /in/c.sgm") != std::string::npos);
    struct Case {
        unsigned writers;
        int segment;
        std::map<int, BulkWriter::Durable> merges;
    };
    const Case cases[] = {
        {1, 1000, {}},
        {1, 30, {}},
        {3, 17, {}},
        {2, 25, {{60, BulkWriter::Durable::Soon}, {130, BulkWriter::Durable::Now}}},
        {3, 1, {{5, BulkWriter::Durable::Now}, {6, BulkWriter::Durable::Now}}},
    };
    int n = 0;
    for (const Case& c : cases) {
        const std::string db = t.file("seg" + std::to_string(n++));
        CAPTURE(db);
        segments(db, 250, kFiles, c.writers, c.segment, c.merges);
        CHECK(contents(db) == want);
        CHECK_FALSE(fs::exists(BulkWriter::segments_folder(db)));
    }
}

TEST_CASE("bulk: a file state set before any article reaches the index") {
    TempDir t;
    const std::string db = t.file("db");
    {
        Xapian::WritableDatabase lock(db, Xapian::DB_CREATE_OR_OPEN);
        BulkWriter bulk(db, lock, 2);
        bulk.set_file_state("/in/empty.txt", "empty"); // (a file without articles)
        bulk.add(article(1), words_of(1));
        bulk.checkpoint(BulkWriter::Durable::No);
        bulk.set_file_state("/in/after.txt", "after"); // (no segment open)
        bulk.finish();
    }
    Xapian::Database index(db);
    CHECK(index.get_doccount() == 1);
    CHECK(index.get_metadata(std::string(schema::kMetaFile) + "/in/empty.txt") == "empty");
    CHECK(index.get_metadata(std::string(schema::kMetaFile) + "/in/after.txt") == "after");
}

TEST_CASE("bulk: the work before the last merge sees the index and every segment, and is merged") {
    TempDir t;
    const std::string db = t.file("db");
    Xapian::WritableDatabase lock(db, Xapian::DB_CREATE_OR_OPEN);
    BulkWriter bulk(db, lock, 2);
    for (int i = 1; i <= 60; ++i) {
        bulk.add(article(i), words_of(i));
        if (i % 20 == 0) bulk.checkpoint(BulkWriter::Durable::No);
    }
    Xapian::doccount seen = 0;
    size_t databases = 0;
    bulk.finish([&](const std::vector<Xapian::WritableDatabase*>& all) {
        databases = all.size();
        for (Xapian::WritableDatabase* w : all) {
            seen += w->get_doccount();
            // Rewrites article 42 wherever it is, as name resolution does.
            if (w->term_exists(schema::id_term("a42"))) {
                Xapian::Document d = article(42);
                d.add_boolean_term("XTESTrewritten");
                w->replace_document(42, d);
            }
        }
    });
    CHECK(databases >= 2); // the index and at least one segment
    CHECK(seen == 60);
    Xapian::Database index(db);
    CHECK(index.get_doccount() == 60);
    Xapian::PostingIterator p = index.postlist_begin("XTESTrewritten");
    REQUIRE(p != index.postlist_end("XTESTrewritten"));
    CHECK(*p == 42);
}

TEST_CASE("bulk: a writer stopped before finish leaves its last merge and no segments") {
    TempDir t;
    const std::string db = t.file("db");
    {
        Xapian::WritableDatabase lock(db, Xapian::DB_CREATE_OR_OPEN);
        BulkWriter bulk(db, lock, 2);
        for (int i = 1; i <= 100; ++i) {
            bulk.add(article(i), words_of(i));
            if (i == 50) bulk.set_file_state("/in/half.txt", "half");
            if (i == 50) bulk.checkpoint(BulkWriter::Durable::Now);
        }
        // (destroyed without finish, as when the run fails)
    }
    CHECK_FALSE(fs::exists(BulkWriter::segments_folder(db)));
    // Whether the merge asked for came in before the stop or not, the index
    // holds a whole prefix of the run, with the states of the files it
    // completes and no others.
    Xapian::Database index(db);
    const Xapian::doccount docs = index.get_doccount();
    CHECK((docs == 0 || docs == 50));
    CHECK(index.get_lastdocid() == docs);
    CHECK(index.get_metadata(std::string(schema::kMetaFile) + "/in/half.txt") == (docs ? "half" : ""));
}

TEST_CASE("bulk: remove_leftovers removes what a killed build left") {
    TempDir t;
    const std::string db = t.file("db");
    news::test::write_file(BulkWriter::segments_folder(db) + "/seg-0000000001/x", "x");
    BulkWriter::remove_leftovers(db);
    CHECK_FALSE(fs::exists(BulkWriter::segments_folder(db)));
    BulkWriter::remove_leftovers(db); // (nothing there: no error)
}
