// The sample corpus (corpus/) indexed once for the whole test program, as
// newsindex builds it with one thread; tests only read it.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "indexer/pipeline.h"
#include "tests/test_util.h"

namespace news::test {

// Indexes `roots` into `db` as newsindex build does with one thread, no
// progress line; returns `db`.
inline std::string build_db(const std::string& db, const std::vector<std::string>& roots,
                            ShardBy shard_by = ShardBy::None) {
    BuildOptions opt;
    opt.db = db;
    opt.roots = roots;
    opt.shard_by = shard_by;
    opt.threads = 1;
    opt.progress = BuildOptions::Progress::Never;
    std::ostringstream log;
    build_index(opt, log);
    return opt.db;
}

inline const std::string& corpus_db() {
    static TempDir dir;
    static const std::string db = build_db(dir.file("db"), {corpus_dir()});
    return db;
}

} // namespace news::test
