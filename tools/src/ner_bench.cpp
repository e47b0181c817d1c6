// ner-bench: tagging speed of the shipped entity model. Tags a CoNLL file
// (pre-tokenised, default eng.testa) repeatedly for a few seconds on one
// thread and prints tokens per second; with --text FILE... also measures
// tag() on raw articles (tokenisation and canonical names included).
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/entities.h"
#include "common/ner_conll.h"
#include "common/ner_text.h"

int main(int argc, char** argv) {
    std::string conll = "../shared/data/conll2003/eng.testa";
    std::vector<std::string> texts;
    double seconds = 3.0;
    CLI::App app {"Entity tagger benchmark"};
    app.add_option("--conll", conll, "CoNLL file to tag");
    app.add_option("--text", texts, "raw article files to tag with tag()");
    app.add_option("--seconds", seconds, "minimum time per measurement");
    CLI11_PARSE(app, argc, argv);
    try {
        const news::EntityTagger& tagger = news::EntityTagger::instance();
        std::ifstream in(conll);
        if (!in) throw std::runtime_error("cannot read " + conll);
        std::vector<std::vector<std::vector<std::string>>> docs;
        size_t tokens = 0;
        for (const auto& d : news::ner::read_conll(in)) {
            docs.emplace_back();
            for (const auto& s : d.sentences) {
                docs.back().push_back(s.tokens);
                tokens += s.tokens.size();
            }
        }
        using clock = std::chrono::steady_clock;
        size_t done = 0, sink = 0;
        // CPU time as well as wall time: on a busy machine tokens per CPU
        // second is the single-core figure.
        const std::clock_t c0 = std::clock();
        const auto t0 = clock::now();
        double elapsed = 0;
        while (elapsed < seconds) {
            for (const auto& d : docs) sink += tagger.tag_tokens(d).size();
            done += tokens;
            elapsed = std::chrono::duration<double>(clock::now() - t0).count();
        }
        const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
        std::printf("model %s\ntag_tokens: %zu tokens in %.2fs = %.0f tokens/s (%.0f tokens per CPU second)\n",
                    tagger.model_version().c_str(), done, elapsed, done / elapsed, done / cpu);
        if (!texts.empty()) {
            std::vector<std::string> bodies;
            size_t words = 0;
            for (const auto& path : texts) {
                std::ifstream f(path);
                std::stringstream ss;
                ss << f.rdbuf();
                bodies.push_back(ss.str());
                words += news::ner::tokenize(bodies.back()).size();
            }
            done = 0;
            const std::clock_t c1 = std::clock();
            const auto t1 = clock::now();
            elapsed = 0;
            while (elapsed < seconds) {
                for (const auto& b : bodies) sink += tagger.tag(b).size();
                done += words;
                elapsed = std::chrono::duration<double>(clock::now() - t1).count();
            }
            const double cpu1 = static_cast<double>(std::clock() - c1) / CLOCKS_PER_SEC;
            std::printf("tag (raw text): %zu tokens in %.2fs = %.0f tokens/s (%.0f tokens per CPU second)\n", done,
                        elapsed, done / elapsed, done / cpu1);
        }
        return sink == 0 ? 1 : 0;
    } catch (const std::exception& e) {
        std::cerr << "ner-bench: " << e.what() << "\n";
        return 2;
    }
}
