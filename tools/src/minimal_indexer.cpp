// minimal_indexer: the floor for indexing speed. Reads every regular file
// under DIR and indexes its text with Xapian's TermGenerator (English
// stemmer, positions), one document per file -- or per line of a
// `.jsonl.zst` file (its "title" and "body" or "text", as newsindex reads
// them) --
// nothing else: no entities, no dates, no stored data, no story folding.
// Used by tools/bench.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "tools/src/zstd_lines.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: minimal_indexer DBDIR INPUTDIR\n";
        return 2;
    }
    try {
        std::vector<fs::path> files;
        for (const auto& e : fs::recursive_directory_iterator(argv[2]))
            if (e.is_regular_file()) files.push_back(e.path());
        std::sort(files.begin(), files.end());
        const auto t0 = std::chrono::steady_clock::now();
        Xapian::WritableDatabase db(argv[1], Xapian::DB_CREATE_OR_OVERWRITE);
        Xapian::TermGenerator tg;
        tg.set_stemmer(Xapian::Stem("english"));
        size_t docs = 0;
        for (const auto& path : files) {
            const std::string name = path.filename().string();
            if (name.size() > 10 && name.compare(name.size() - 10, 10, ".jsonl.zst") == 0) {
                news::tools::for_each_zstd_line(path.string(), [&](std::string_view line) {
                    const auto j = nlohmann::json::parse(line, nullptr, false);
                    if (!j.is_object()) return;
                    Xapian::Document doc;
                    tg.set_document(doc);
                    tg.index_text(j.value("title", std::string()));
                    tg.increase_termpos();
                    tg.index_text(j.value(j.contains("body") ? "body" : "text", std::string()));
                    db.add_document(doc);
                    ++docs;
                });
                continue;
            }
            std::ifstream in(path, std::ios::binary);
            std::stringstream text;
            text << in.rdbuf();
            Xapian::Document doc;
            tg.set_document(doc);
            tg.index_text(text.str());
            db.add_document(doc);
            ++docs;
        }
        db.commit();
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("indexed %zu documents from %zu files in %.2fs\n", docs, files.size(), s);
        return 0;
    } catch (const Xapian::Error& e) {
        std::cerr << "minimal_indexer: " << e.get_description() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "minimal_indexer: " << e.what() << "\n";
        return 2;
    }
}
