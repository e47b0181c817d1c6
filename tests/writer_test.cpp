// Tests for indexer/writer.*: which writer a run gets, and what each kind
// promises the pipeline (ids claimed once, document numbers, when a commit
// is one, what finish and compact leave).
#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include <xapian.h>

#include "common/schema.h"
#include "indexer/writer.h"
#include "tests/test_util.h"

using namespace news;
using news::test::TempDir;

namespace {

Xapian::Document article(const std::string& id, const std::string& file) {
    Xapian::Document d;
    d.add_boolean_term(schema::id_term(id));
    d.add_boolean_term(schema::file_term(file));
    d.add_posting("harbour", 1);
    d.set_data(id);
    return d;
}

// The spelling table's frequency of `word` (0 when it has none).
Xapian::doccount spelling_frequency(const std::string& db, const std::string& word) {
    Xapian::Database d(db);
    for (auto s = d.spellings_begin(); s != d.spellings_end(); ++s)
        if (*s == word) return s.get_termfreq();
    return 0;
}

const auto kNoWork = [](const std::vector<Xapian::WritableDatabase*>&) {};

} // namespace

TEST_CASE("writer: a fresh build of enough input goes through segments, anything else through the store") {
    TempDir t;
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    {
        IndexStore empty(t.file("empty"), ShardBy::None);
        const WriterPlan fresh = plan_writer(empty, ShardBy::None, true, 0, 100, 100);
        CHECK(fresh.segments);
        CHECK(fresh.threads == cores);
        CHECK(fresh.segment_writers == std::max(1u, cores / 2));
        CHECK(plan_writer(empty, ShardBy::None, true, 6, 100, 100).segment_writers == 3);
        CHECK(plan_writer(empty, ShardBy::None, true, 1, 100, 100).segment_writers == 1);
        CHECK_FALSE(plan_writer(empty, ShardBy::None, true, 0, 99, 100).segments);   // too small
        CHECK_FALSE(plan_writer(empty, ShardBy::None, false, 0, 100, 100).segments); // --no-compact
        const WriterPlan small = plan_writer(empty, ShardBy::None, true, 0, 99, 100);
        CHECK(small.threads == std::max(1u, cores - 1)); // (the writer has a core of its own)
        CHECK(plan_writer(empty, ShardBy::None, true, 5, 99, 100).threads == 5);
    }
    {
        IndexStore sharded(t.file("sharded"), ShardBy::Month);
        CHECK_FALSE(plan_writer(sharded, ShardBy::Month, true, 0, 100, 100).segments);
    }
    {
        IndexStore update(t.file("update"), ShardBy::None);
        update.shard_for("").db.add_document(article("x", "/in/x.txt"));
        update.commit();
    }
    IndexStore update(t.file("update"), ShardBy::None);
    CHECK_FALSE(plan_writer(update, ShardBy::None, true, 0, 100, 100).segments);
}

TEST_CASE("writer: the store's writer commits when asked or when its buffer is full") {
    TempDir t;
    const std::string db = t.file("db");
    IndexStore store(db, ShardBy::None);
    std::unique_ptr<Writer> w = make_writer(WriterPlan {}, store, {});
    IndexStore::Shard& shard = store.shard_for("");
    REQUIRE(w->claim_id(schema::id_term("a")));
    CHECK(w->add(shard, article("a", "/in/a.txt"), {"harbour"}) == 1);
    CHECK(w->add(shard, article("b", "/in/a.txt"), {"harbour"}) == 2);
    CHECK_FALSE(w->claim_id(schema::id_term("a"))); // (in the index, uncommitted)
    w->set_file_state("/in/a.txt", "state");
    CHECK_FALSE(w->checkpoint(false, false));
    CHECK(w->committed_articles() == 0);
    CHECK(Xapian::Database(db).get_doccount() == 0);
    CHECK(w->checkpoint(true, false));
    CHECK(w->committed_articles() == 2);
    Xapian::Database committed(db);
    CHECK(committed.get_doccount() == 2);
    CHECK(committed.get_metadata(std::string(schema::kMetaFile) + "/in/a.txt") == "state");
    // A file read again starts clean: what a killed run left of it goes.
    w->clear_file("/in/a.txt");
    CHECK(w->claim_id(schema::id_term("a")));
    w->finish(kNoWork);
    CHECK(Xapian::Database(db).get_doccount() == 0);
    CHECK(spelling_frequency(db, "harbour") == 2);
}

TEST_CASE("writer: the store's writer compacts a database the run at least doubled, unless told not to") {
    for (const bool compact : {true, false}) {
        CAPTURE(compact);
        TempDir t;
        const std::string db = t.file("db");
        IndexStore store(db, ShardBy::None);
        std::unique_ptr<Writer> w = make_writer(WriterPlan {}, store, {compact, 300});
        for (int i = 0; i < 2000; ++i) {
            Xapian::Document d = article("a" + std::to_string(i), "/in/a.txt");
            d.add_term("word" + std::to_string(i % 300));
            d.set_data(std::string(100, 'x'));
            w->add(store.shard_for(""), std::move(d), {});
        }
        w->finish(kNoWork);
        const auto [before, after] = w->compact();
        if (compact) {
            CHECK(before > 0);
            CHECK(after < before);
        } else {
            CHECK(before == 0);
            CHECK(after == 0);
        }
        CHECK(Xapian::Database(db).get_doccount() == 2000);
    }
}

TEST_CASE("writer: segments claim each id once, number documents from 1 and merge at finish") {
    TempDir t;
    const std::string db = t.file("db");
    IndexStore store(db, ShardBy::None);
    WriterPlan plan;
    plan.segments = true;
    plan.segment_writers = 2;
    std::unique_ptr<Writer> w = make_writer(plan, store, {});
    IndexStore::Shard& shard = store.shard_for("");
    for (int i = 1; i <= 20; ++i) {
        const std::string id = "a" + std::to_string(i);
        REQUIRE(w->claim_id(schema::id_term(id)));
        CHECK_FALSE(w->claim_id(schema::id_term(id)));
        CHECK(w->add(shard, article(id, "/in/a.txt"), {"harbour"}) == static_cast<Xapian::docid>(i));
        // (no commit asked for: a segment ends only at its size)
        CHECK_FALSE(w->checkpoint(false, false));
    }
    w->set_file_state("/in/a.txt", "state");
    // Near the end a commit asked for is left to the end of the run.
    CHECK_FALSE(w->checkpoint(true, true));
    CHECK(w->checkpoint(true, false));
    Xapian::doccount seen = 0;
    w->finish([&](const std::vector<Xapian::WritableDatabase*>& all) {
        for (Xapian::WritableDatabase* d : all) seen += d->get_doccount();
    });
    CHECK(seen == 20);
    const auto [written, after] = w->compact();
    CHECK(written > 0);
    CHECK(after > 0);
    Xapian::Database index(db);
    CHECK(index.get_doccount() == 20);
    CHECK(index.get_lastdocid() == 20);
    CHECK(index.get_metadata(std::string(schema::kMetaFile) + "/in/a.txt") == "state");
    CHECK(spelling_frequency(db, "harbour") == 20);
}
