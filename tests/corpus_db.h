// The sample corpus (corpus/) indexed once for the whole test program, as
// newsindex builds it with one thread; tests only read it.
#pragma once

#include <sstream>
#include <string>

#include "indexer/pipeline.h"
#include "tests/test_util.h"

namespace news::test {

inline const std::string& corpus_db() {
    static TempDir dir;
    static const std::string db = [] {
        BuildOptions opt;
        opt.db = dir.file("db");
        opt.roots = {corpus_dir()};
        opt.threads = 1;
        opt.progress = BuildOptions::Progress::Never;
        std::ostringstream log;
        build_index(opt, log);
        return opt.db;
    }();
    return db;
}

} // namespace news::test
