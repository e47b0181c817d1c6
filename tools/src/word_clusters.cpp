// word-clusters: groups words that occur in similar contexts, from
// unlabelled news text, for the entity tagger's cluster features (the role
// Brown clusters play in Ratinov & Roth 2009). Uses the predictive
// class-bigram exchange algorithm (Uszkoreit & Brants 2008) at three
// granularities. Reads Reuters JSONL (.jsonl.zst, keys text and title),
// Reuters-21578 SGML (.sgm) and folders of .txt files (BBC); writes
// "word count c1 c2 c3" lines, most frequent first. Deterministic.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <zstd.h>

#include "common/ner_text.h"
#include "tools/src/zstd_lines.h"

namespace fs = std::filesystem;
using news::ner::tokenize;
using news::tools::for_each_zstd_line;

namespace {

// Bytes that are not valid UTF-8 read as Latin-1.
std::string latin1_repair(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        size_t n = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
        bool ok = n > 0 && i + n <= s.size();
        for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
        if (ok) {
            out.append(s.substr(i, n));
            i += n;
        } else {
            out.push_back(static_cast<char>(0xC0 | (b >> 6)));
            out.push_back(static_cast<char>(0x80 | (b & 0x3F)));
            ++i;
        }
    }
    return out;
}

std::string sgml_decode(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '&') {
            const size_t semi = s.find(';', i);
            if (semi != std::string_view::npos && semi - i < 8) {
                const std::string_view ent = s.substr(i + 1, semi - i - 1);
                if (ent == "lt")
                    out.push_back('<');
                else if (ent == "gt")
                    out.push_back('>');
                else if (ent == "amp")
                    out.push_back('&');
                else if (ent == "quot")
                    out.push_back('"');
                i = semi;
                continue;
            }
        }
        if (static_cast<unsigned char>(s[i]) >= 0x20 || s[i] == '\n') out.push_back(s[i]);
    }
    return out;
}

class Corpus {
public:
    static constexpr uint32_t kBoundary = 0;

    Corpus() {
        ids_.emplace("", 0);
        words_.emplace_back("");
        counts_.push_back(0);
    }
    void add_text(std::string_view text) {
        seq_.push_back(kBoundary);
        for (const auto& t : tokenize(text)) {
            if (t.sentence_start) seq_.push_back(kBoundary);
            auto [it, fresh] = ids_.emplace(t.norm, static_cast<uint32_t>(words_.size()));
            if (fresh) {
                words_.push_back(t.norm);
                counts_.push_back(0);
            }
            ++counts_[it->second];
            seq_.push_back(it->second);
        }
        ++docs_;
    }
    std::vector<uint32_t>& seq() { return seq_; }
    const std::vector<std::string>& words() const { return words_; }
    const std::vector<uint64_t>& counts() const { return counts_; }
    size_t docs() const { return docs_; }

private:
    std::unordered_map<std::string, uint32_t> ids_;
    std::vector<std::string> words_;
    std::vector<uint64_t> counts_;
    std::vector<uint32_t> seq_;
    size_t docs_ = 0;
};

void read_inputs(const std::vector<std::string>& inputs, Corpus& corpus) {
    for (const std::string& in : inputs) {
        const auto t0 = std::chrono::steady_clock::now();
        const size_t before = corpus.docs();
        if (fs::is_directory(in)) {
            std::vector<fs::path> files;
            for (const auto& e : fs::recursive_directory_iterator(in)) {
                if (e.is_regular_file() && e.path().extension() == ".txt") files.push_back(e.path());
            }
            std::sort(files.begin(), files.end());
            for (const auto& f : files) {
                std::ifstream fin(f, std::ios::binary);
                std::stringstream ss;
                ss << fin.rdbuf();
                corpus.add_text(latin1_repair(ss.str()));
            }
        } else if (in.size() > 4 && in.substr(in.size() - 4) == ".zst") {
            for_each_zstd_line(in, [&](std::string_view line) {
                if (line.empty()) return;
                const auto j = nlohmann::json::parse(line, nullptr, false);
                if (j.is_discarded() || !j.is_object()) return;
                std::string text;
                if (j.contains("title") && j["title"].is_string()) text = j["title"].get<std::string>() + "\n\n";
                if (j.contains("text") && j["text"].is_string()) text += j["text"].get<std::string>();
                if (!text.empty()) corpus.add_text(text);
            });
        } else {
            std::ifstream fin(in, std::ios::binary);
            if (!fin) throw std::runtime_error("cannot read " + in);
            std::stringstream ss;
            ss << fin.rdbuf();
            const std::string s = latin1_repair(ss.str());
            size_t pos = 0;
            while ((pos = s.find("<REUTERS", pos)) != std::string::npos) {
                const size_t end = s.find("</REUTERS>", pos);
                const std::string_view rec = std::string_view(s).substr(pos, end - pos);
                std::string text;
                for (const char* tag : {"TITLE", "BODY"}) {
                    const std::string open = std::string("<") + tag + ">", close = std::string("</") + tag + ">";
                    const size_t b = rec.find(open), e = rec.find(close);
                    if (b != std::string_view::npos && e != std::string_view::npos && e > b) {
                        text += sgml_decode(rec.substr(b + open.size(), e - b - open.size()));
                        text += "\n\n";
                    }
                }
                if (!text.empty()) corpus.add_text(text);
                pos = end == std::string::npos ? s.size() : end;
            }
        }
        std::fprintf(stderr, "%s: %zu documents, %.1fs, %zu tokens so far\n", in.c_str(), corpus.docs() - before,
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), corpus.seq().size());
    }
}

// x log x, tabulated for small x.
class XLogX {
public:
    XLogX() : table_(1 << 21) {
        for (size_t i = 1; i < table_.size(); ++i)
            table_[i] = static_cast<double>(i) * std::log(static_cast<double>(i));
    }
    double operator()(int64_t x) const {
        if (x < static_cast<int64_t>(table_.size())) return table_[static_cast<size_t>(x)];
        return static_cast<double>(x) * std::log(static_cast<double>(x));
    }

private:
    std::vector<double> table_;
};

// Predictive exchange clustering of words 1..V-1 (0 is the boundary, a
// context only) into K classes, given predecessor lists.
struct Bigrams {
    std::vector<uint64_t> offset;                    // CSR per word
    std::vector<std::pair<uint32_t, uint32_t>> pred; // (predecessor, count), most frequent first
};

std::vector<uint16_t> exchange(const Bigrams& bg, const std::vector<uint64_t>& count, int K, int iterations,
                               size_t top_preds, const XLogX& f) {
    const size_t V = count.size();
    std::vector<uint16_t> cls(V, 0);
    for (size_t w = 1; w < V; ++w) cls[w] = static_cast<uint16_t>((w - 1) % K);
    std::vector<int32_t> N(V * K, 0);
    std::vector<int64_t> Nc(K, 0);
    for (size_t w = 1; w < V; ++w) {
        Nc[cls[w]] += static_cast<int64_t>(count[w]);
        for (uint64_t k = bg.offset[w]; k < bg.offset[w + 1]; ++k) {
            N[static_cast<size_t>(bg.pred[k].first) * K + cls[w]] += static_cast<int32_t>(bg.pred[k].second);
        }
    }
    std::vector<double> delta(K);
    for (int it = 1; it <= iterations; ++it) {
        const auto t0 = std::chrono::steady_clock::now();
        size_t moved = 0;
        for (size_t w = 1; w < V; ++w) {
            const uint16_t a = cls[w];
            const auto cw = static_cast<int64_t>(count[w]);
            Nc[a] -= cw;
            for (uint64_t k = bg.offset[w]; k < bg.offset[w + 1]; ++k) {
                N[static_cast<size_t>(bg.pred[k].first) * K + a] -= static_cast<int32_t>(bg.pred[k].second);
            }
            for (int c = 0; c < K; ++c) delta[c] = -(f(Nc[c] + cw) - f(Nc[c]));
            const uint64_t end = std::min<uint64_t>(bg.offset[w + 1], bg.offset[w] + top_preds);
            for (uint64_t k = bg.offset[w]; k < end; ++k) {
                const int32_t* row = &N[static_cast<size_t>(bg.pred[k].first) * K];
                const int32_t n = static_cast<int32_t>(bg.pred[k].second);
                for (int c = 0; c < K; ++c) delta[c] += f(row[c] + n) - f(row[c]);
            }
            int best = a;
            for (int c = 0; c < K; ++c) {
                if (delta[c] > delta[best] + 1e-9) best = c;
            }
            if (best != a) ++moved;
            cls[w] = static_cast<uint16_t>(best);
            Nc[best] += cw;
            for (uint64_t k = bg.offset[w]; k < bg.offset[w + 1]; ++k) {
                N[static_cast<size_t>(bg.pred[k].first) * K + best] += static_cast<int32_t>(bg.pred[k].second);
            }
        }
        std::fprintf(stderr, "  K=%d iteration %d: %zu words moved (%.1fs)\n", K, it, moved,
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        if (moved < V / 500) break;
    }
    return cls;
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> inputs;
    std::string out_path;
    size_t max_words = 200000;
    uint64_t min_count = 5;
    std::vector<int> levels {100, 400, 1600};
    int iterations = 8;
    size_t top_preds = 80;
    CLI::App app {"Word clusters from unlabelled news text"};
    app.add_option("inputs", inputs, "files (.jsonl.zst, .sgm) and folders of .txt")->required();
    app.add_option("--out", out_path, "output file")->required();
    app.add_option("--max-words", max_words, "vocabulary size");
    app.add_option("--min-count", min_count, "minimum word count");
    app.add_option("--levels", levels, "numbers of clusters (three)")->expected(3);
    app.add_option("--iterations", iterations, "maximum exchange iterations per level");
    app.add_option("--top-preds", top_preds, "predecessors used when scoring a move");
    CLI11_PARSE(app, argc, argv);
    try {
        Corpus corpus;
        read_inputs(inputs, corpus);
        // Vocabulary: most frequent words (ties by spelling); the rest share
        // one "rare" word id.
        const auto& counts = corpus.counts();
        std::vector<uint32_t> order;
        for (uint32_t i = 1; i < counts.size(); ++i) {
            if (counts[i] >= min_count) order.push_back(i);
        }
        std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
            return counts[a] != counts[b] ? counts[a] > counts[b] : corpus.words()[a] < corpus.words()[b];
        });
        if (order.size() > max_words) order.resize(max_words);
        const uint32_t V = static_cast<uint32_t>(order.size()) + 2; // 0 boundary, V-1 rare
        std::vector<uint32_t> remap(counts.size(), V - 1);
        remap[0] = 0;
        std::vector<uint64_t> vcount(V, 0);
        for (uint32_t i = 0; i < order.size(); ++i) remap[order[i]] = i + 1;
        std::vector<uint32_t>& seq = corpus.seq();
        std::vector<uint64_t> pairs;
        pairs.reserve(seq.size());
        uint32_t prev = 0;
        for (uint32_t id : seq) {
            const uint32_t cur = remap[id];
            if (cur != 0) {
                ++vcount[cur];
                pairs.push_back(static_cast<uint64_t>(cur) << 32 | prev);
            }
            prev = cur;
        }
        std::vector<uint32_t>().swap(seq);
        std::sort(pairs.begin(), pairs.end());
        Bigrams bg;
        bg.offset.assign(V + 1, 0);
        for (size_t i = 0; i < pairs.size();) {
            size_t j = i;
            while (j < pairs.size() && pairs[j] == pairs[i]) ++j;
            const auto w = static_cast<uint32_t>(pairs[i] >> 32);
            bg.pred.emplace_back(static_cast<uint32_t>(pairs[i] & 0xffffffffu), static_cast<uint32_t>(j - i));
            ++bg.offset[w + 1];
            i = j;
        }
        std::vector<uint64_t>().swap(pairs);
        for (uint32_t w = 0; w < V; ++w) bg.offset[w + 1] += bg.offset[w];
        for (uint32_t w = 0; w < V; ++w) {
            std::sort(bg.pred.begin() + static_cast<long>(bg.offset[w]),
                      bg.pred.begin() + static_cast<long>(bg.offset[w + 1]), [](const auto& a, const auto& b) {
                          return a.second != b.second ? a.second > b.second : a.first < b.first;
                      });
        }
        std::fprintf(stderr, "vocabulary %u, bigram types %zu\n", V, bg.pred.size());
        const XLogX f;
        std::vector<std::vector<uint16_t>> classes;
        for (int K : levels) classes.push_back(exchange(bg, vcount, K, iterations, top_preds, f));
        std::ofstream out(out_path);
        if (!out) throw std::runtime_error("cannot write " + out_path);
        for (uint32_t i = 0; i < order.size(); ++i) {
            const std::string& w = corpus.words()[order[i]];
            if (w.find_first_of(" \t\n") != std::string::npos) continue;
            out << w << '\t' << counts[order[i]];
            for (const auto& c : classes) out << '\t' << c[i + 1] + 1;
            out << '\n';
        }
        if (!out) throw std::runtime_error("cannot write " + out_path);
    } catch (const std::exception& e) {
        std::cerr << "word-clusters: " << e.what() << "\n";
        return 2;
    }
    return 0;
}
