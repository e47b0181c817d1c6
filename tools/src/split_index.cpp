// split_index: deals the documents of one Xapian database out into N new
// databases (tools/shard-latency --split), so that query latency can be
// measured against 1, 4, 16, 64 shards holding exactly the same articles
// without indexing them again.
//
//   split_index SRC N OUT [--threads T] [--batch B]
//
// Document d goes to OUT/sNNN with NNN = crc32(decimal docid) % N; terms,
// positions, values and data are copied unchanged (a document from an index
// older than schema 3 gets the id slot from its id term). Metadata is copied to every
// part except the per-file records (newssearch.file:*), which belong to the
// indexer's bookkeeping, not to search. Each spelling word goes to one part
// (crc32 of the word), so a search over all parts sums to the original
// spelling table. T threads (default 2) each own the parts i % T == t and read
// the source through their own Database handle; each part commits every B
// (default 2000) of its documents, which bounds the memory of N writers.
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <xapian.h>

#include "common/schema.h"

namespace {

unsigned part_of(const std::string& key, unsigned n) {
    auto crc = crc32(0L, reinterpret_cast<const Bytef*>(key.data()), static_cast<uInt>(key.size()));
    return static_cast<unsigned>(crc % n);
}

std::string part_path(const std::string& out, unsigned i) {
    char name[16];
    std::snprintf(name, sizeof name, "/s%03u", i);
    return out + name;
}

void copy_part_set(const std::string& src, const std::string& out, unsigned n, unsigned threads, unsigned t,
                   unsigned batch) {
    Xapian::Database db(src);
    std::vector<Xapian::WritableDatabase> parts(n);
    std::vector<unsigned> pending(n, 0);
    for (unsigned i = t; i < n; i += threads) {
        parts[i] = Xapian::WritableDatabase(part_path(out, i), Xapian::DB_CREATE_OR_OVERWRITE);
        for (auto k = db.metadata_keys_begin(); k != db.metadata_keys_end(); ++k)
            if ((*k).rfind("newssearch.file:", 0) != 0) parts[i].set_metadata(*k, db.get_metadata(*k));
    }
    for (auto w = db.spellings_begin(); w != db.spellings_end(); ++w) {
        unsigned i = part_of(*w, n);
        if (i % threads == t) parts[i].add_spelling(*w, w.get_termfreq());
    }
    for (auto p = db.postlist_begin(""); p != db.postlist_end(""); ++p) {
        unsigned i = part_of(std::to_string(*p), n);
        if (i % threads != t) continue;
        Xapian::Document doc = db.get_document(*p);
        // Indexes written before schema 3 lack the id slot results break
        // ties on; it is the id term without its prefix.
        if (doc.get_value(news::schema::kIdSlot).empty()) {
            auto t = doc.termlist_begin();
            t.skip_to(std::string(news::schema::kIdPrefix));
            if (t != doc.termlist_end() && (*t).rfind(news::schema::kIdPrefix, 0) == 0)
                doc.add_value(news::schema::kIdSlot, (*t).substr(news::schema::kIdPrefix.size()));
        }
        parts[i].add_document(doc);
        if (++pending[i] >= batch) {
            parts[i].commit();
            pending[i] = 0;
        }
    }
    for (unsigned i = t; i < n; i += threads) parts[i].commit();
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::cerr << "usage: split_index SRC N OUT [--threads T] [--batch B]\n";
        return 2;
    }
    std::string src = argv[1], out = argv[3];
    unsigned n = static_cast<unsigned>(std::strtoul(argv[2], nullptr, 10));
    unsigned threads = 2, batch = 2000;
    for (int i = 4; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        unsigned v = static_cast<unsigned>(std::strtoul(argv[i + 1], nullptr, 10));
        if (a == "--threads")
            threads = v;
        else if (a == "--batch")
            batch = v;
        else {
            std::cerr << "split_index: unknown option " << a << "\n";
            return 2;
        }
    }
    if (n == 0 || threads == 0 || batch == 0) {
        std::cerr << "split_index: N, --threads and --batch must be positive\n";
        return 2;
    }
    if (threads > n) threads = n;
    std::vector<std::exception_ptr> errors(threads);
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            try {
                copy_part_set(src, out, n, threads, t, batch);
            } catch (const Xapian::Error& e) {
                std::cerr << "split_index: " << e.get_description() << "\n";
                errors[t] = std::current_exception();
            } catch (const std::exception& e) {
                std::cerr << "split_index: " << e.what() << "\n";
                errors[t] = std::current_exception();
            }
        });
    for (auto& th : pool) th.join();
    for (auto& e : errors)
        if (e) return 1;
    return 0;
}
