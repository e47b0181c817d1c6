// fold_report: how precise story folding is. Walks every document of an
// index, groups them by the story slot (the collapse key), and judges each
// folded pair with a criterion independent of the indexer's shingles:
// identical normalised body, word-set Jaccard >= --jaccard, or the same
// normalised title on the same date. A second, stricter verdict also wants
// the numbers of the two texts to agree (Jaccard >= 0.5 of number tokens),
// because templated briefs ("qtly div 12 cts vs 12 cts") share most words
// and differ only in names and figures.
//
// With --dump, prints only "doc<TAB>id<TAB>story<TAB>date<TAB>title<TAB>body"
// (newlines and tabs as spaces) for every document (for
// tools/fold_eval.py, which scores the folds against labelled pairs).
//
// Prints "key value" summary lines, then the --examples lowest-similarity
// folds (member vs the first article of its story) as "pair <jaccard> <numbers> <verdict> <id>|<date>|<title> <id>|..."
// and the first 300 bytes of each body, for a human to judge.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <xapian.h>

#include "common/codec.h"
#include "common/schema.h"

namespace {

struct Doc {
    std::string id, date, title, body, norm_body, norm_title;
    std::set<std::string> words, numbers;
};

std::vector<std::string> tokens(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c >= 0x80 || c == '.' || c == ',') {
            cur += static_cast<char>(std::tolower(c));
        } else if (!cur.empty()) {
            out.push_back(cur);
            cur.clear();
        }
    }
    if (!cur.empty()) out.push_back(cur);
    for (auto& t : out) { // trailing sentence punctuation is not part of a word
        while (!t.empty() && (t.back() == '.' || t.back() == ',')) t.pop_back();
    }
    out.erase(std::remove(out.begin(), out.end(), std::string()), out.end());
    return out;
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& t : v) s += t + ' ';
    return s;
}

double jaccard(const std::set<std::string>& a, const std::set<std::string>& b) {
    if (a.empty() && b.empty()) return 1.0;
    size_t both = 0;
    for (const auto& x : a) both += b.count(x);
    return static_cast<double>(both) / static_cast<double>(a.size() + b.size() - both);
}

Doc load(const Xapian::Document& d) {
    news::StoredArticle a = news::decode_article(d.get_data());
    Doc doc {a.id, a.date, a.title, a.body, {}, {}, {}, {}};
    // Judged on title and body together: title-only records have no body.
    auto bt = tokens(a.title + "\n" + a.body);
    doc.norm_body = join(bt);
    doc.norm_title = join(tokens(a.title));
    for (const auto& t : bt) {
        if (std::isdigit(static_cast<unsigned char>(t[0])))
            doc.numbers.insert(t);
        else
            doc.words.insert(t);
    }
    return doc;
}

struct Pair {
    double jac, num;
    bool dup, strict;
    const Doc *a, *b;
};

Pair judge(const Doc& a, const Doc& b, double min_jaccard) {
    Pair p {jaccard(a.words, b.words), jaccard(a.numbers, b.numbers), false, false, &a, &b};
    bool same_body = a.norm_body == b.norm_body;
    bool same_title_date = !a.norm_title.empty() && a.norm_title == b.norm_title && a.date == b.date;
    p.dup = same_body || p.jac >= min_jaccard || same_title_date;
    p.strict = same_body || (p.jac >= min_jaccard && p.num >= 0.5) || (same_title_date && p.num >= 0.5);
    return p;
}

std::string head(const std::string& s, size_t n) {
    std::string h = s.substr(0, n);
    for (char& c : h)
        if (c == '\n' || c == '\t') c = ' ';
    return h;
}

} // namespace

int main(int argc, char** argv) {
    std::string db_path;
    double min_jaccard = 0.5;
    size_t examples = 15, max_pairs_per_group = 2000;
    bool dump = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--jaccard" && i + 1 < argc)
            min_jaccard = std::atof(argv[++i]);
        else if (a == "--examples" && i + 1 < argc)
            examples = std::strtoul(argv[++i], nullptr, 10);
        else if (a == "--dump")
            dump = true;
        else if (a[0] != '-' && db_path.empty())
            db_path = a;
        else {
            std::cerr << "usage: fold_report [--jaccard X] [--examples N] [--dump] DB\n";
            return 2;
        }
    }
    if (db_path.empty()) {
        std::cerr << "usage: fold_report [--jaccard X] [--examples N] [--dump] DB\n";
        return 2;
    }
    try {
        Xapian::Database db(db_path);
        if (dump) {
            for (auto it = db.valuestream_begin(news::schema::kStorySlot);
                 it != db.valuestream_end(news::schema::kStorySlot); ++it) {
                news::StoredArticle a = news::decode_article(db.get_document(it.get_docid()).get_data());
                std::printf("doc\t%s\t%s\t%s\t%s\t%s\n", a.id.c_str(), (*it).c_str(), a.date.c_str(),
                            head(a.title, 200).c_str(), head(a.body, 1 << 20).c_str());
            }
            return 0;
        }
        std::map<std::string, std::vector<Xapian::docid>> groups;
        for (auto it = db.valuestream_begin(news::schema::kStorySlot);
             it != db.valuestream_end(news::schema::kStorySlot); ++it)
            groups[*it].push_back(it.get_docid());

        size_t multi = 0, folded_docs = 0, largest = 0;
        std::vector<Pair> pairs, rep_pairs;
        std::vector<std::pair<size_t, std::string>> big; // size, "date title" of groups >= 10
        std::vector<std::vector<Doc>> keep;              // owns the documents the pairs point to
        keep.reserve(groups.size());
        for (auto& [key, ids] : groups) {
            if (ids.size() < 2) continue;
            ++multi;
            folded_docs += ids.size();
            largest = std::max(largest, ids.size());
            keep.emplace_back();
            auto& docs = keep.back();
            for (Xapian::docid id : ids) docs.push_back(load(db.get_document(id)));
            // Each member against the group's first article (the one whose id
            // became the story id, or the first in docid order): the fold
            // the indexer actually made.
            size_t rep = 0;
            for (size_t i = 0; i < docs.size(); ++i)
                if (docs[i].id == key) rep = i;
            for (size_t i = 0; i < docs.size(); ++i)
                if (i != rep) rep_pairs.push_back(judge(docs[rep], docs[i], min_jaccard));
            size_t n = 0;
            for (size_t i = 0; i < docs.size() && n < max_pairs_per_group; ++i)
                for (size_t j = i + 1; j < docs.size() && n < max_pairs_per_group; ++j, ++n)
                    pairs.push_back(judge(docs[i], docs[j], min_jaccard));
            if (ids.size() >= 10) big.push_back({ids.size(), docs[rep].date + " " + head(docs[rep].title, 70)});
        }
        auto count = [](const std::vector<Pair>& v, bool strict) {
            size_t n = 0;
            for (const auto& p : v) n += strict ? p.strict : p.dup;
            return n;
        };
        auto ratio = [](size_t a, size_t b) { return b ? static_cast<double>(a) / static_cast<double>(b) : 1.0; };
        const size_t dup = count(pairs, false), strict = count(pairs, true);
        const size_t rdup = count(rep_pairs, false), rstrict = count(rep_pairs, true);
        std::printf("documents %u\n", db.get_doccount());
        std::printf("groups %zu\n", multi);
        std::printf("folded_articles %zu\n", folded_docs);
        std::printf("largest_group %zu\n", largest);
        std::printf("pairs %zu\n", pairs.size());
        std::printf("pairs_duplicate %zu\n", dup);
        std::printf("pairs_strict %zu\n", strict);
        std::printf("precision %.4f\n", ratio(dup, pairs.size()));
        std::printf("precision_strict %.4f\n", ratio(strict, pairs.size()));
        std::printf("rep_pairs %zu\n", rep_pairs.size());
        std::printf("rep_precision %.4f\n", ratio(rdup, rep_pairs.size()));
        std::printf("rep_precision_strict %.4f\n", ratio(rstrict, rep_pairs.size()));
        std::sort(big.rbegin(), big.rend());
        for (size_t i = 0; i < std::min<size_t>(8, big.size()); ++i)
            std::printf("big_group\t%zu\t%s\n", big[i].first, big[i].second.c_str());
        // Examples from the folds the indexer made (member vs its story's
        // first article), least similar first.
        std::sort(rep_pairs.begin(), rep_pairs.end(),
                  [](const Pair& x, const Pair& y) { return x.jac != y.jac ? x.jac < y.jac : x.num < y.num; });
        for (size_t i = 0; i < std::min(examples, rep_pairs.size()); ++i) {
            const Pair& p = rep_pairs[i];
            std::printf("pair\t%.3f\t%.3f\t%s\t%s|%s|%s\t%s|%s|%s\n", p.jac, p.num,
                        p.strict ? "duplicate"
                        : p.dup  ? "loose-duplicate"
                                 : "NOT-duplicate",
                        p.a->id.c_str(), p.a->date.c_str(), head(p.a->title, 80).c_str(), p.b->id.c_str(),
                        p.b->date.c_str(), head(p.b->title, 80).c_str());
            std::printf("  a: %s\n  b: %s\n", head(p.a->body, 300).c_str(), head(p.b->body, 300).c_str());
        }
        return 0;
    } catch (const Xapian::Error& e) {
        std::cerr << "fold_report: " << e.get_description() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "fold_report: " << e.what() << "\n";
        return 2;
    }
}
