// train-ner: trains the entity tagger (averaged perceptrons, see --bags) on CoNLL-2003
// (IOB1) and a lower-cased copy of it (so that text in any letter case is
// tagged), for a fixed number of epochs, builds the gazetteers and alias
// table from Debian iso-codes and tzdata, and writes the compact model that
// the build embeds (common/model/ner.model.zst). --folds K cross-validates
// over train and dev together to choose the number of epochs without
// looking at the dev set alone. Deterministic: fixed seed, one thread.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "common/ner_conll.h"
#include "common/ner_model.h"
#include "common/ner_text.h"

using namespace news::ner;

namespace {

struct Options {
    std::string train = "../shared/data/conll2003/eng.train";
    std::string dev = "../shared/data/conll2003/eng.testa";
    std::string clusters; // word clusters file from tools/brown-clusters (optional)
    std::string iso_dir = "/usr/share/iso-codes/json";
    std::string zone_tab = "/usr/share/zoneinfo/zone1970.tab";
    std::string out = "common/model/ner.model.zst";
    std::string dev_out;       // write dev predictions in conlleval format
    int epochs = 8;            // best mean F1 (as written, upper, lower) in 5-fold cross-validation
    int folds = 0;             // > 1: cross-validate over train + dev, per epoch
    bool caseless_copy = true; // train on a lower-cased copy too
    unsigned seed = 20240501;
    int bags = 3;  // perceptrons trained on differently shuffled data, summed (chosen by --folds 5)
    int prune = 2; // drop feature rows whose quantised weights are all below this
    std::string version_tag = "conll03-ap";
};

// A training document with its storage, decoder view and gold labels.
struct TrainDoc {
    TrainDoc() = default;
    TrainDoc(TrainDoc&&) = default;
    TrainDoc& operator=(TrainDoc&&) = default;
    // A copy's tokens view its own storage, not the original's.
    TrainDoc(const TrainDoc& o) : storage(o.storage), gold(o.gold), gold_iob2(o.gold_iob2) {
        doc.sentence_begin = o.doc.sentence_begin;
        for (const std::string& t : storage) doc.tokens.emplace_back(t);
    }
    std::vector<std::string> storage;
    Doc doc;
    std::vector<uint8_t> gold;
    std::vector<std::vector<std::string>> gold_iob2; // per sentence
};

std::vector<TrainDoc> load_docs(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::vector<TrainDoc> out;
    for (ConllDoc& cd : read_conll(in)) {
        TrainDoc td;
        for (ConllSentence& s : cd.sentences) {
            td.doc.sentence_begin.push_back(static_cast<uint32_t>(td.storage.size()));
            const auto iob2 = to_iob2(s.tags);
            std::vector<uint8_t> labels(s.tokens.size(), 0);
            for (const Span& sp : iob2_spans(iob2)) {
                int type = sp.type == "PER" ? kPer : sp.type == "ORG" ? kOrg : sp.type == "LOC" ? kLoc : kMisc;
                if (sp.end - sp.begin == 1) {
                    labels[sp.begin] = static_cast<uint8_t>(make_label(type, kU));
                    continue;
                }
                for (size_t k = sp.begin; k < sp.end; ++k) {
                    const int pos = k == sp.begin ? kB : k + 1 == sp.end ? kL : kI;
                    labels[k] = static_cast<uint8_t>(make_label(type, pos));
                }
            }
            td.gold.insert(td.gold.end(), labels.begin(), labels.end());
            td.gold_iob2.push_back(iob2);
            for (std::string& t : s.tokens) td.storage.push_back(std::move(t));
        }
        for (const std::string& t : td.storage) td.doc.tokens.emplace_back(t);
        out.push_back(std::move(td));
    }
    return out;
}

// The document with every token's letters mapped by `f` (lower or upper).
TrainDoc recased(const TrainDoc& d, std::string (*f)(std::string_view)) {
    TrainDoc c;
    c.gold = d.gold;
    c.gold_iob2 = d.gold_iob2;
    c.doc.sentence_begin = d.doc.sentence_begin;
    for (const std::string& t : d.storage) c.storage.push_back(f(t));
    for (const std::string& t : c.storage) c.doc.tokens.emplace_back(t);
    return c;
}

std::string lower_case(std::string_view s) { return lower(s); }

// Headline style: words of four letters or more capitalised.
std::string title_case(std::string_view s) {
    std::string out(s);
    if (out.size() >= 4 && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 32);
    return out;
}

std::string upper_case(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    }
    return out;
}

// Phrase as the tagger tokenises it, tokens joined by single spaces.
std::string phrase_of(std::string_view name) {
    std::string out;
    for (const Token& t : tokenize(name)) {
        if (!out.empty()) out.push_back(' ');
        out += t.norm;
    }
    return out;
}

// Name variants: "Palestine, State of" -> "Palestine"; "Holy See (Vatican
// City State)" -> "Holy See".
std::vector<std::string> name_variants(const std::string& name) {
    std::vector<std::string> v {name};
    if (auto p = name.find(" ("); p != std::string::npos) v.push_back(name.substr(0, p));
    if (auto c = name.find(", "); c != std::string::npos) v.push_back(name.substr(0, c));
    return v;
}

nlohmann::json read_json(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    return nlohmann::json::parse(in);
}

struct Lexicon {
    std::unordered_map<std::string, uint32_t> count; // exact form -> corpus count
    uint32_t of(const std::string& w) const {
        auto it = count.find(w);
        return it == count.end() ? 0 : it->second;
    }
};

// Countries whose canonical name news writers spell differently from
// ISO 3166 ("Russian Federation"), and aliases iso-codes lacks.
struct HandCountry {
    const char* alpha2;
    const char* canonical; // nullptr: keep iso-codes' common name
    std::vector<const char*> aliases;
};
const std::vector<HandCountry>& hand_countries() {
    static const std::vector<HandCountry> k = {
        {"US", nullptr, {"US", "U.S.", "U.S.A.", "USA", "America", "United States of America"}},
        {"GB", nullptr, {"UK", "U.K.", "Britain", "Great Britain"}},
        {"RU", "Russia", {"Russia"}},
        {"AE", nullptr, {"UAE", "U.A.E."}},
        {"TR", "Turkey", {"Turkey", "Turkiye"}},
        {"KR", nullptr, {"S. Korea"}},
        {"KP", nullptr, {"N. Korea", "North Korea"}},
        {"CZ", nullptr, {"Czech Republic", "Czechia"}},
        {"VN", "Vietnam", {"Vietnam"}},
        {"SY", "Syria", {"Syria"}},
        {"TW", "Taiwan", {"Taiwan"}},
        {"CD", "Democratic Republic of Congo", {"Democratic Republic of Congo", "DR Congo", "DRC"}},
        {"CG", nullptr, {"Congo Republic"}},
        {"VA", "Vatican", {"Vatican"}},
        {"PS", "Palestinian Territories", {"Palestinian Territories"}},
    };
    return k;
}

void build_gazetteer_and_aliases(const Options& o, const Lexicon& lex, Model& m) {
    std::map<std::string, uint32_t> gaz; // phrase -> kinds
    auto add_gaz = [&gaz](const std::string& name, int kind) {
        const std::string p = phrase_of(name);
        if (!p.empty()) gaz[p] |= 1u << kind;
    };
    std::map<std::string, AliasEntry> aliases; // lower alias -> entry
    std::set<std::string> ambiguous;
    auto add_alias = [&](const std::string& alias, int type, const std::string& canonical, bool weak) {
        const std::string key = lower(alias);
        if (ambiguous.count(key)) return;
        auto it = aliases.find(key);
        if (it != aliases.end() && it->second.canonical != canonical) {
            if (weak) return;
            aliases.erase(it);
            ambiguous.insert(key);
            return;
        }
        aliases[key] = AliasEntry {alias, type, canonical};
    };

    const auto countries = read_json(o.iso_dir + "/iso_3166-1.json")["3166-1"];
    std::map<std::string, const HandCountry*> hand;
    for (const HandCountry& h : hand_countries()) hand[h.alpha2] = &h;
    for (const auto& c : countries) {
        const std::string a2 = c.value("alpha_2", ""), a3 = c.value("alpha_3", "");
        const std::string name = c.value("name", ""), common = c.value("common_name", ""),
                          official = c.value("official_name", "");
        std::string canonical = !common.empty() ? common : name;
        if (common.empty() && name.find(", ") != std::string::npos) canonical = name.substr(0, name.find(", "));
        if (auto p = canonical.find(" ("); p != std::string::npos) canonical = canonical.substr(0, p);
        const HandCountry* h = hand.count(a2) ? hand[a2] : nullptr;
        if (h && h->canonical) canonical = h->canonical;
        std::vector<std::string> names;
        for (const std::string& n : {name, common, official}) {
            if (n.empty()) continue;
            for (const std::string& v : name_variants(n)) names.push_back(v);
        }
        names.push_back(canonical);
        if (h) {
            for (const char* a : h->aliases) names.emplace_back(a);
        }
        for (const std::string& n : names) {
            add_gaz(n, kGazCountry);
            add_alias(n, kLoc, canonical, false);
        }
        // Codes only where the corpus uses them as codes, not as words
        // ("IN", "IT", "TO" are words).
        for (const std::string& code : {a2, a3}) {
            if (code.empty()) continue;
            if (!lex.count.empty() && lex.of(code) > 4 * lex.of(lower(code)) + 20) {
                add_alias(code, kLoc, canonical, true);
            }
        }
    }
    const auto subdivisions = read_json(o.iso_dir + "/iso_3166-2.json")["3166-2"];
    for (const auto& s : subdivisions) {
        for (const std::string& v : name_variants(s.value("name", ""))) add_gaz(v, kGazSubdivision);
    }
    std::ifstream zones(o.zone_tab);
    if (!zones) throw std::runtime_error("cannot read " + o.zone_tab);
    std::string line;
    while (std::getline(zones, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream cols(line);
        std::string codes, coords, tz;
        if (!(cols >> codes >> coords >> tz)) continue;
        std::string city = tz.substr(tz.rfind('/') + 1);
        std::replace(city.begin(), city.end(), '_', ' ');
        add_gaz(city, kGazCity);
    }
    const auto languages = read_json(o.iso_dir + "/iso_639-2.json")["639-2"];
    for (const auto& l : languages) {
        for (const std::string& part : {l.value("name", ""), l.value("common_name", "")}) {
            if (part.empty()) continue;
            // "Spanish; Castilian"
            std::istringstream ss(part);
            std::string one;
            while (std::getline(ss, one, ';')) {
                const auto b = one.find_first_not_of(' ');
                if (b != std::string::npos) add_gaz(one.substr(b), kGazLanguage);
            }
        }
    }
    const auto currencies = read_json(o.iso_dir + "/iso_4217.json")["4217"];
    for (const auto& c : currencies) add_gaz(c.value("name", ""), kGazCurrency);

    m.gazetteer.clear();
    for (const auto& [p, k] : gaz) m.gazetteer.push_back(GazEntry {p, k});
    m.aliases.clear();
    for (const auto& [k, a] : aliases) m.aliases.push_back(a);
}

void load_clusters(const std::string& path, Model& m, Lexicon& lex) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream cols(line);
        WordEntry w;
        if (!(cols >> w.word >> w.count)) continue;
        for (uint16_t& c : w.cluster) {
            unsigned v = 0;
            cols >> v;
            c = static_cast<uint16_t>(v);
        }
        lex.count[w.word] = w.count;
        m.words.push_back(std::move(w));
    }
}

// Averaged perceptron over hashed feature keys.
class Perceptron {
public:
    void score(const std::vector<uint64_t>& keys, std::array<float, kLabels>& s) const {
        for (uint64_t k : keys) {
            if (const uint32_t* r = index_.find(k)) {
                const float* w = &w_[static_cast<size_t>(*r - 1) * kLabels];
                for (int l = 0; l < kLabels; ++l) s[l] += w[l];
            }
        }
    }
    void update(const std::vector<uint64_t>& keys, int gold, int pred) {
        for (uint64_t k : keys) {
            const size_t r = row(k) * kLabels;
            w_[r + gold] += 1;
            u_[r + gold] += static_cast<float>(c_);
            w_[r + pred] -= 1;
            u_[r + pred] -= static_cast<float>(c_);
        }
    }
    void tick() { ++c_; }

    // Adds this perceptron's averaged weights to `sum` (key -> row + 1 of
    // `rows`, kLabels floats a row).
    void add_averaged(FlatMap<uint32_t>& sum, std::vector<float>& rows) const {
        index_.for_each([&](uint64_t k, uint32_t r) {
            uint32_t& out = sum.get(k);
            if (out == 0) {
                out = static_cast<uint32_t>(rows.size() / kLabels) + 1;
                rows.resize(rows.size() + kLabels, 0.0f);
            }
            for (int l = 0; l < kLabels; ++l) {
                const size_t i = static_cast<size_t>(r - 1) * kLabels + l;
                rows[static_cast<size_t>(out - 1) * kLabels + l] += w_[i] - u_[i] / static_cast<float>(c_);
            }
        });
    }
    size_t size() const { return index_.size(); }

private:
    size_t row(uint64_t k) {
        uint32_t& r = index_.get(k);
        if (r == 0) {
            r = static_cast<uint32_t>(w_.size() / kLabels) + 1;
            w_.resize(w_.size() + kLabels, 0.0f);
            u_.resize(u_.size() + kLabels, 0.0f);
        }
        return r - 1;
    }
    FlatMap<uint32_t> index_; // key -> row + 1
    std::vector<float> w_, u_;
    uint64_t c_ = 1;
};

// The sum of the perceptrons' averaged weights, quantised and pruned, into
// `m` (several perceptrons trained on differently shuffled data: a bagged
// model of the size and speed of one).
void export_bagged(const std::vector<Perceptron>& ps, Model& m, int prune) {
    FlatMap<uint32_t> index;
    std::vector<float> sum;
    for (const Perceptron& p : ps) p.add_averaged(index, sum);
    float maxabs = 0;
    for (float v : sum) maxabs = std::max(maxabs, std::fabs(v));
    const float scale = maxabs > 0 ? maxabs / 32000.0f : 1.0f;
    // (Keys in ascending order: the same weights give the same model bytes.)
    std::vector<std::pair<uint64_t, uint32_t>> order;
    index.for_each([&](uint64_t k, uint32_t r) { order.emplace_back(k, r); });
    std::sort(order.begin(), order.end());
    std::vector<uint64_t> keys;
    std::vector<int16_t> rows;
    for (const auto& [k, r] : order) {
        std::array<int16_t, kLabels> q {};
        bool keep = false;
        for (int l = 0; l < kLabels; ++l) {
            const long v = std::lround(sum[static_cast<size_t>(r - 1) * kLabels + l] / scale);
            q[l] = static_cast<int16_t>(std::clamp(v, -32767L, 32767L));
            if (std::abs(q[l]) >= prune) keep = true;
        }
        if (!keep) continue;
        keys.push_back(k);
        rows.insert(rows.end(), q.begin(), q.end());
    }
    m.set_weights(keys, rows, scale);
}

double evaluate(const Model& m, std::vector<TrainDoc>& docs, std::ostream* conll) {
    FeatureExtractor fx(m);
    Score sc;
    std::vector<uint8_t> labels;
    for (TrainDoc& d : docs) {
        tag_doc(m, fx, d.doc, labels);
        for (size_t s = 0; s < d.doc.sentence_begin.size(); ++s) {
            const size_t b = d.doc.sentence_begin[s];
            const size_t e = s + 1 < d.doc.sentence_begin.size() ? d.doc.sentence_begin[s + 1] : d.doc.tokens.size();
            std::vector<std::string> pred;
            for (size_t i = b; i < e; ++i) pred.push_back(iob2_tag(labels[i]));
            sc.add(d.gold_iob2[s], pred);
            if (conll) {
                for (size_t i = b; i < e; ++i) {
                    *conll << d.doc.tokens[i] << ' ' << d.gold_iob2[s][i - b] << ' ' << pred[i - b] << '\n';
                }
                *conll << '\n';
            }
        }
    }
    return sc.f1();
}

// Trains o.bags perceptrons for o.epochs epochs over `docs` (each shuffled
// with its own seed from o.seed on), calling `after(epoch, model)` with the
// bagged, quantised model of each epoch.
template <class After>
void train_epochs(const Options& o, const Model& base, std::vector<TrainDoc>& docs, After&& after) {
    std::vector<Perceptron> ps(static_cast<size_t>(o.bags));
    std::vector<std::mt19937> rngs;
    std::vector<std::vector<size_t>> orders;
    for (int k = 0; k < o.bags; ++k) {
        rngs.emplace_back(o.seed + static_cast<unsigned>(k));
        orders.emplace_back(docs.size());
        for (size_t i = 0; i < docs.size(); ++i) orders.back()[i] = i;
    }
    FeatureExtractor fx(base);
    std::vector<uint8_t> labels;
    for (int epoch = 1; epoch <= o.epochs; ++epoch) {
        for (size_t k = 0; k < ps.size(); ++k) {
            Perceptron& p = ps[k];
            std::shuffle(orders[k].begin(), orders[k].end(), rngs[k]);
            for (size_t di : orders[k]) {
                TrainDoc& d = docs[di];
                fx.prepare(d.doc);
                decode(
                    fx, [&p](const std::vector<uint64_t>& keys, std::array<float, kLabels>& s) { p.score(keys, s); },
                    [&](size_t i, const std::vector<uint64_t>& keys, const std::array<float, kLabels>&,
                        int best_label) {
                        const int g = d.gold[i];
                        if (best_label != g) p.update(keys, g, best_label);
                        p.tick();
                        return -1;
                    },
                    labels);
            }
        }
        Model cur = base;
        export_bagged(ps, cur, o.prune);
        after(epoch, cur);
    }
}

// K-fold cross-validation over train and dev documents together (every
// K-th document is held out): mean F1 per epoch on the held-out folds as
// written, upper-cased and lower-cased.
void cross_validate(const Options& o, const Model& base, const std::vector<TrainDoc>& train,
                    const std::vector<TrainDoc>& dev) {
    std::vector<const TrainDoc*> all;
    for (const TrainDoc& d : train) all.push_back(&d);
    for (const TrainDoc& d : dev) all.push_back(&d);
    std::vector<std::array<double, 3>> sum(static_cast<size_t>(o.epochs), {0, 0, 0});
    for (int k = 0; k < o.folds; ++k) {
        std::vector<TrainDoc> fit, held, held_upper, held_lower;
        for (size_t i = 0; i < all.size(); ++i) {
            if (static_cast<int>(i % static_cast<size_t>(o.folds)) == k) {
                held.push_back(*all[i]);
                held_upper.push_back(recased(*all[i], upper_case));
                held_lower.push_back(recased(*all[i], lower_case));
            } else {
                fit.push_back(*all[i]);
                if (o.caseless_copy) fit.push_back(recased(*all[i], lower_case));
            }
        }
        train_epochs(o, base, fit, [&](int epoch, const Model& cur) {
            const std::array<double, 3> f = {evaluate(cur, held, nullptr), evaluate(cur, held_upper, nullptr),
                                             evaluate(cur, held_lower, nullptr)};
            std::fprintf(stderr, "fold %d epoch %2d  F1 %.2f  upper %.2f  lower %.2f\n", k + 1, epoch, f[0], f[1],
                         f[2]);
            for (int c = 0; c < 3; ++c) sum[static_cast<size_t>(epoch - 1)][c] += f[c];
        });
    }
    for (int e = 0; e < o.epochs; ++e) {
        const auto& s = sum[static_cast<size_t>(e)];
        std::printf("cv %d-fold epoch %2d  F1 %.2f  upper %.2f  lower %.2f\n", o.folds, e + 1, s[0] / o.folds,
                    s[1] / o.folds, s[2] / o.folds);
    }
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    CLI::App app {"Train the newssearch entity tagger"};
    app.add_option("--train", o.train, "CoNLL-2003 training file (IOB1)");
    app.add_option("--dev", o.dev, "CoNLL-2003 dev file (reported as written, upper- and lower-cased)");
    app.add_option("--clusters", o.clusters, "word clusters from tools/brown-clusters");
    app.add_option("--iso-dir", o.iso_dir, "iso-codes JSON directory");
    app.add_option("--zone-tab", o.zone_tab, "tzdata zone1970.tab");
    app.add_option("--out", o.out, "model file to write");
    app.add_option("--dev-out", o.dev_out, "write dev predictions (token gold predicted)");
    app.add_option("--epochs", o.epochs, "number of epochs");
    app.add_option("--folds", o.folds, "cross-validate over train + dev in this many folds (no model written)");
    app.add_option("--caseless-copy", o.caseless_copy, "also train on a lower-cased copy of the data (default 1)");
    app.add_option("--seed", o.seed, "shuffle seed");
    app.add_option("--bags", o.bags, "perceptrons trained on differently shuffled data, summed into one model")
        ->check(CLI::Range(1, 16));
    app.add_option("--prune", o.prune, "minimum quantised weight a feature needs to be kept");
    CLI11_PARSE(app, argc, argv);
    try {
        const auto t0 = std::chrono::steady_clock::now();
        Model m;
        Lexicon lex;
        if (!o.clusters.empty()) load_clusters(o.clusters, m, lex);
        build_gazetteer_and_aliases(o, lex, m);
        m.build_tables();
        std::cerr << "words " << m.words.size() << ", gazetteer " << m.gazetteer.size() << ", aliases "
                  << m.aliases.size() << "\n";
        std::vector<TrainDoc> train = load_docs(o.train);
        std::vector<TrainDoc> dev = load_docs(o.dev);
        std::cerr << "train docs " << train.size() << ", dev docs " << dev.size() << "\n";

        if (o.folds > 1) {
            cross_validate(o, m, train, dev);
            return 0;
        }
        std::vector<TrainDoc> train_set;
        for (const TrainDoc& d : train) train_set.push_back(d);
        if (o.caseless_copy) {
            for (const TrainDoc& d : train) train_set.push_back(recased(d, lower_case));
        }
        std::vector<TrainDoc> dev_lower, dev_upper, dev_title;
        for (const TrainDoc& d : dev) dev_lower.push_back(recased(d, lower_case));
        for (const TrainDoc& d : dev) dev_upper.push_back(recased(d, upper_case));
        for (const TrainDoc& d : dev) dev_title.push_back(recased(d, title_case));
        Model best = m;
        train_epochs(o, m, train_set, [&](int epoch, const Model& cur) {
            const double f1 = evaluate(cur, dev, nullptr);
            const double f1u = evaluate(cur, dev_upper, nullptr);
            const double f1l = evaluate(cur, dev_lower, nullptr);
            const double f1t = evaluate(cur, dev_title, nullptr);
            const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::fprintf(stderr, "epoch %2d  features %zu  dev F1 %.2f  upper %.2f  lower %.2f  title %.2f  [%.0fs]\n",
                         epoch, cur.feature_count(), f1, f1u, f1l, f1t, secs);
            if (epoch == o.epochs) best = cur;
        });
        const int best_epoch = o.epochs;
        // Version: tag, epoch and a hash of the weights, so the index can
        // tell which model tagged it.
        best.version = o.version_tag + "-e" + std::to_string(best_epoch);
        std::string bytes = best.serialize();
        best.version += "-" + std::to_string(hash_bytes(bytes) % 1000000007ULL);
        bytes = best.serialize();
        std::ofstream out(o.out, std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out) throw std::runtime_error("cannot write " + o.out);
        std::fprintf(stderr, "epochs %d; wrote %s (%zu bytes, %zu features)\n", best_epoch, o.out.c_str(), bytes.size(),
                     best.feature_count());
        if (!o.dev_out.empty()) {
            Model check = Model::parse(bytes);
            std::ofstream dout(o.dev_out);
            std::fprintf(stderr, "reloaded model dev F1 %.2f\n", evaluate(check, dev, &dout));
        }
    } catch (const std::exception& e) {
        std::cerr << "train-ner: " << e.what() << "\n";
        return 2;
    }
    return 0;
}
