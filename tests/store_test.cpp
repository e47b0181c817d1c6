// Tests for indexer/store.*: compaction in place.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include <xapian.h>

#include "indexer/store.h"
#include "tests/test_util.h"

using namespace news;
using news::test::TempDir;

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
