// Tests for indexer/store.*: compaction in place and the swap, what a
// killed run leaves (it opens, and the next run puts it right), the run
// lock, shards and their file states.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <xapian.h>

#include "common/error.h"
#include "common/schema.h"
#include "indexer/store.h"
#include "tests/test_util.h"

using namespace news;
using news::test::TempDir;
using news::test::write_file;

TEST_CASE("store: compaction never makes an index bigger") {
    TempDir t;
    const std::string db = t.file("db");
    {
        Xapian::WritableDatabase w(db, Xapian::DB_CREATE);
        for (int i = 0; i < 2000; ++i) {
            Xapian::Document d;
            d.add_term("word" + std::to_string(i % 300));
            d.set_data(std::string(100, 'x'));
            w.add_document(d);
        }
        w.commit();
    }
    // The first compaction shrinks it; a second would not: DB stays as it is.
    const auto [b1, a1] = compact_in_place(db);
    CHECK(a1 < b1);
    const auto [b2, a2] = compact_in_place(db);
    CHECK(a2 == b2);
    CHECK(folder_bytes(db) == b2);
    CHECK_FALSE(std::filesystem::exists(db + ".compact-tmp"));
    CHECK(Xapian::Database(db).get_doccount() == 2000);
}

namespace {

namespace fs = std::filesystem;

// A database of `n` documents, each with the term "docN" and its number
// as data.
void write_docs(const std::string& db, int n, int flags = Xapian::DB_CREATE_OR_OPEN) {
    Xapian::WritableDatabase w(db, flags);
    for (int i = 0; i < n; ++i) {
        Xapian::Document d;
        d.add_term("doc" + std::to_string(i));
        d.set_data(std::to_string(i));
        w.add_document(d);
    }
    w.commit();
}

Xapian::doccount docs_in(const std::string& db) { return Xapian::Database(db).get_doccount(); }

// Stops the process as a crash or a kill would: no destructor runs, so
// nothing that was not committed reaches the disk.
[[noreturn]] void crash() {
    ::raise(SIGKILL);
    ::_exit(4);
}

// Runs `body`, which ends in crash(), in a child process.
template <class Body>
void crashed_in(Body&& body) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        try {
            body();
        } catch (...) {}
        ::_exit(3); // (body threw or did not crash)
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFSIGNALED(status));
    REQUIRE(WTERMSIG(status) == SIGKILL);
}

} // namespace

TEST_CASE("store: swap_in_compacted puts the copy in place and removes the old database") {
    TempDir t;
    const std::string db = t.file("db");
    write_docs(db, 3);
    write_docs(db + ".compact-tmp", 5);
    swap_in_compacted(db);
    CHECK(docs_in(db) == 5);
    CHECK_FALSE(fs::exists(db + ".compact-tmp"));
    CHECK_FALSE(fs::exists(db + ".compact-old"));
}

TEST_CASE("store: a compaction killed between its two renames is put back") {
    TempDir t;
    const std::string db = t.file("db");
    write_docs(db, 7);
    // DB -> DB.compact-old done, DB.compact-tmp -> DB not yet (and the copy
    // half written).
    fs::rename(db, db + ".compact-old");
    write_file(db + ".compact-tmp/half", "x");
    recover_compaction(db);
    CHECK(docs_in(db) == 7);
    CHECK_FALSE(fs::exists(db + ".compact-old"));
    CHECK_FALSE(fs::exists(db + ".compact-tmp"));
}

TEST_CASE("store: a compaction killed after the swap keeps the new database") {
    TempDir t;
    const std::string db = t.file("db");
    write_docs(db, 4);                  // the compacted copy, swapped in
    write_docs(db + ".compact-old", 9); // the old one, not yet removed
    recover_compaction(db);
    CHECK(docs_in(db) == 4);
    CHECK_FALSE(fs::exists(db + ".compact-old"));
}

TEST_CASE("store: opening puts right what a killed compaction and a killed fresh build left") {
    TempDir t;
    const std::string db = t.file("db");
    {
        IndexStore store(db, ShardBy::None);
        Xapian::Document d;
        d.add_term("kept");
        store.shard_for("").db.add_document(d);
        store.commit();
    }
    fs::rename(db, db + ".compact-old");
    write_file(db + ".compact-tmp/half", "x");
    fs::create_directories(db + ".segments");
    write_docs(db + ".segments/seg-0000000001", 2);
    {
        IndexStore store(db, ShardBy::None);
        CHECK(store.shard_for("").docs_at_open == 1);
        CHECK(store.has_article("kept"));
    }
    CHECK_FALSE(fs::exists(db + ".compact-old"));
    CHECK_FALSE(fs::exists(db + ".compact-tmp"));
    CHECK_FALSE(fs::exists(db + ".segments"));
}

TEST_CASE("store: a second run on the same database is refused while the first holds it") {
    TempDir t;
    const std::string db = t.file("db");
    IndexStore first(db, ShardBy::None);
    CHECK_THROWS_WITH_AS(IndexStore(db, ShardBy::None), doctest::Contains("an indexing run is writing to it"), Error);
}

TEST_CASE("store: a run killed before its commit leaves the last commit, which opens") {
    TempDir t;
    const std::string db = t.file("db");
    crashed_in([&] {
        IndexStore store(db, ShardBy::None);
        IndexStore::Shard& shard = store.shard_for("");
        for (int i = 0; i < 3; ++i) {
            Xapian::Document d;
            d.add_term(schema::id_term("a" + std::to_string(i)));
            shard.db.add_document(d);
        }
        store.set_file_state("/in/a.txt", "state-a");
        store.commit();
        Xapian::Document late;
        late.add_term(schema::id_term("late"));
        shard.db.add_document(late);
        store.set_file_state("/in/b.txt", "state-b");
        crash();
    });
    CHECK(docs_in(db) == 3);
    // The lock died with the run: the next one opens it and sees the commit.
    IndexStore store(db, ShardBy::None);
    CHECK(store.file_state("/in/a.txt") == "state-a");
    CHECK(store.file_state("/in/b.txt").empty());
    CHECK(store.has_article(schema::id_term("a2")));
    CHECK_FALSE(store.has_article(schema::id_term("late")));
}

TEST_CASE("store: a sharded index records file states only once every shard committed") {
    TempDir t;
    const std::string db = t.file("db");
    crashed_in([&] {
        IndexStore store(db, ShardBy::Month);
        Xapian::Document d;
        d.add_term("march");
        store.shard_for("2026-03-04").db.add_document(d);
        store.set_file_state("/in/a.txt", "state-a");
        store.commit();
        Xapian::Document late;
        late.add_term("april");
        store.shard_for("2026-04-01").db.add_document(late);
        store.set_file_state("/in/b.txt", "state-b");
        crash();
    });
    // The stub lists every shard opened, so the folder opens as one
    // database; the uncommitted month is there but empty.
    CHECK(docs_in(db) == 1);
    CHECK(fs::exists(fs::path(db) / "2026-04"));
    IndexStore store(db, ShardBy::Month);
    CHECK(store.file_state("/in/a.txt") == "state-a");
    CHECK(store.file_state("/in/b.txt").empty());
    CHECK(store.file_keys() == std::vector<std::string> {"/in/a.txt"});
    CHECK(store.has_article("march"));
    CHECK_FALSE(store.has_article("april"));
}

TEST_CASE("store: a sharded index refuses another sharding, a single one any") {
    TempDir t;
    const std::string sharded = t.file("sharded"), single = t.file("single");
    { IndexStore store(sharded, ShardBy::Month); }
    { IndexStore store(single, ShardBy::None); }
    CHECK_THROWS_WITH_AS(IndexStore(sharded, ShardBy::Year), doctest::Contains("was sharded by month"), Error);
    CHECK_THROWS_WITH_AS(IndexStore(sharded, ShardBy::None), doctest::Contains("is a sharded index"), Error);
    CHECK_THROWS_WITH_AS(IndexStore(single, ShardBy::Month), doctest::Contains("is a single database"), Error);
}

TEST_CASE("store: delete_articles removes a file's articles from every shard") {
    TempDir t;
    IndexStore store(t.file("db"), ShardBy::Year);
    const std::string file = schema::file_term("/in/a.txt");
    for (const char* date : {"2025-12-31", "2026-01-01", "2026-06-01", ""}) {
        Xapian::Document d;
        d.add_term(file);
        store.shard_for(date).db.add_document(d);
    }
    Xapian::Document other;
    other.add_term(schema::file_term("/in/b.txt"));
    store.shard_for("2026-02-02").db.add_document(other);
    CHECK(store.delete_articles(file) == 4);
    CHECK_FALSE(store.has_article(file));
    CHECK(store.has_article(schema::file_term("/in/b.txt")));
}

TEST_CASE("store: compact_grown compacts only the shards the run at least doubled") {
    TempDir t;
    const std::string db = t.file("db");
    {
        IndexStore store(db, ShardBy::Year);
        for (int i = 0; i < 200; ++i) {
            Xapian::Document d;
            d.add_term("w" + std::to_string(i % 50));
            d.set_data(std::string(200, 'x'));
            store.shard_for("2025-05-05").db.add_document(d);
        }
        store.commit();
    }
    IndexStore store(db, ShardBy::Year);
    for (int i = 0; i < 10; ++i) {
        Xapian::Document d;
        d.add_term("w" + std::to_string(i));
        store.shard_for("2025-05-06").db.add_document(d); // 200 -> 210: not doubled
    }
    store.commit();
    const std::string shard = (fs::path(db) / "2025").string();
    const long long before = folder_bytes(shard);
    CHECK(store.compact_grown() == std::pair<long long, long long> {0, 0});
    CHECK(folder_bytes(shard) == before);
    CHECK(docs_in(db) == 210);
}
