// minimal_indexer: the floor for indexing speed. Reads every regular file
// under DIR and indexes its text with Xapian's TermGenerator (English
// stemmer, positions), one document per file, nothing else: no entities,
// no dates, no stored data, no story folding. Used by tools/bench.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <xapian.h>

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
        for (const auto& path : files) {
            std::ifstream in(path, std::ios::binary);
            std::stringstream text;
            text << in.rdbuf();
            Xapian::Document doc;
            tg.set_document(doc);
            tg.index_text(text.str());
            db.add_document(doc);
        }
        db.commit();
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("indexed %zu files in %.2fs\n", files.size(), s);
        return 0;
    } catch (const Xapian::Error& e) {
        std::cerr << "minimal_indexer: " << e.get_description() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "minimal_indexer: " << e.what() << "\n";
        return 2;
    }
}
