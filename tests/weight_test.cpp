// Tests for searcher/weight.*: BM25 over some shards with the whole
// archive's statistics.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <xapian.h>

#include "searcher/ranking.h"
#include "searcher/weight.h"

using news::archive_stats;
using news::ArchiveBM25Weight;
using news::ArchiveStats;

namespace {

// Two in-memory shards of short texts with different term statistics.
struct Shards {
    Xapian::WritableDatabase a {std::string(), Xapian::DB_BACKEND_INMEMORY};
    Xapian::WritableDatabase b {std::string(), Xapian::DB_BACKEND_INMEMORY};
    Shards() {
        const std::vector<std::string> first = {"oil prices rise", "oil oil output", "bank rate cut on oil prices",
                                                "gold and silver", "oil"};
        const std::vector<std::string> second = {"bank lending", "prices of bank shares", "bank bank rate",
                                                 "wheat exports rise sharply again", "silver prices"};
        add(a, first);
        add(b, second);
    }
    static void add(Xapian::WritableDatabase& db, const std::vector<std::string>& texts) {
        Xapian::TermGenerator tg;
        for (const std::string& t : texts) {
            Xapian::Document doc;
            tg.set_document(doc);
            tg.index_text(t);
            db.add_document(doc);
        }
    }
    Xapian::Database both() const {
        Xapian::Database d(a);
        d.add_database(b);
        return d;
    }
};

std::vector<double> weights(const Xapian::Database& db, const Xapian::Query& q, const Xapian::Weight* w) {
    Xapian::Enquire enq(db);
    enq.set_query(q);
    if (w) enq.set_weighting_scheme(*w);
    std::vector<double> out;
    Xapian::MSet m = enq.get_mset(0, 100);
    for (auto it = m.begin(); it != m.end(); ++it) out.push_back(it.get_weight());
    return out;
}

Xapian::Query words(std::initializer_list<const char*> ws, Xapian::Query::op op = Xapian::Query::OP_OR) {
    std::vector<Xapian::Query> q;
    for (const char* w : ws) q.emplace_back(w);
    return Xapian::Query(op, q.begin(), q.end());
}

} // namespace

TEST_CASE("weight: with a database's own statistics it equals Xapian's BM25 (the search's parameters) bit for bit") {
    Shards s;
    Xapian::Database db = s.both();
    for (const Xapian::Query& q : {words({"oil", "prices"}), words({"bank", "rate"}, Xapian::Query::OP_AND),
                                   words({"silver", "gold", "wheat"})}) {
        auto stats = archive_stats(db, db, q);
        REQUIRE(stats);
        ArchiveBM25Weight mine(std::make_shared<const ArchiveStats>(*stats));
        std::unique_ptr<Xapian::Weight> xapians = news::bm25_weight();
        std::vector<double> want = weights(db, q, xapians.get()), got = weights(db, q, &mine);
        REQUIRE(!want.empty());
        CHECK(got == want); // exact: same formula, same order of operations
    }
}

TEST_CASE("weight: one shard searched with the archive's statistics scores as the whole archive") {
    Shards s;
    Xapian::Database db = s.both(), first(s.a);
    Xapian::Query q = words({"oil", "prices", "bank"});
    // The documents of the first shard, as the whole archive scores them.
    std::vector<double> want;
    {
        Xapian::Enquire enq(db);
        enq.set_weighting_scheme(*news::bm25_weight());
        enq.set_query(q);
        Xapian::MSet m = enq.get_mset(0, 100);
        for (auto it = m.begin(); it != m.end(); ++it)
            if ((*it - 1) % 2 == 0) want.push_back(it.get_weight()); // shard a holds the odd docids
    }
    auto stats = archive_stats(db, first, q);
    REQUIRE(stats);
    ArchiveBM25Weight mine(std::make_shared<const ArchiveStats>(*stats));
    CHECK(weights(first, q, &mine) == want);
    // The shard's own statistics would score them differently.
    CHECK(weights(first, q, nullptr) != want);
}

TEST_CASE("weight: no archive statistics for wildcards, synonyms, or terms the shard cannot tell apart") {
    Shards s;
    Xapian::Database db = s.both(), first(s.a);
    CHECK_FALSE(archive_stats(db, first, Xapian::Query(Xapian::Query::OP_WILDCARD, "pri")));
    CHECK_FALSE(archive_stats(db, first, words({"oil", "bank"}, Xapian::Query::OP_SYNONYM)));
    // "gold" and "silver" occur once each in shard a (same termfreq and
    // collection frequency there) but silver occurs twice in the archive.
    CHECK_FALSE(archive_stats(db, first, words({"gold", "silver"})));
    // Terms that differ in the shard are fine.
    CHECK(archive_stats(db, first, words({"oil", "bank"})));
}
