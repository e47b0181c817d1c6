// query_bench: in-process query latency of the search library. Opens one
// Searcher, runs every query of a file (one per line; blank lines and lines
// starting with '#' skipped) --runs times after one warm-up run, and prints
// one tab-separated line per query, then the percentiles over all samples:
//   q <n> <p50_ms> <p99_ms> <max_ms> <estimate> <query>
//   all <samples> <p50_ms> <p99_ms> <max_ms> <mean_ms>
// With --facets every search also counts the facets (exact: whole match set);
// --server keeps the facet table in memory as the FastCGI processes do.
// With --xapian the database is a plain Xapian one (omindex) and each query
// goes through what quest does: QueryParser (English stemmer, STEM_SOME,
// default operator AND, default flags plus wildcards), the top --limit of an
// MSet, and each hit's document data -- the in-process baseline for the
// search library. With --versus OMEGA_DB --versus-queries FILE (the same
// queries in QueryParser's language) the search library and that baseline
// take turns query by query (which goes first alternating), so that a
// machine whose speed drifts weighs on both alike; the baseline's lines are
// then "xq" and "xall". Used by tools/bench; a query that fails
// prints "error <n> <message>".
// --grow QUERY (a growing archive, with --server): times QUERY with facets
// on the kept table once cold and once warm, prints "ready", waits for a
// line on stdin (the caller adds articles and commits meanwhile), then
// times it again cold and warm after the commit:
//   grow <phase> <ms> <total>   phase: before, before_warm, after, after_warm
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <xapian.h>

#include "common/error.h"
#include "searcher/search.h"

namespace {

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    // Nearest rank: the smallest sample with at least p of them at or below it.
    size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
    return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

struct Options {
    std::string db, queries;
    int runs = 20;
    bool facets = false;
    bool server = false;
    bool xapian = false;
    std::string versus, versus_queries; // the baseline taking turns
    int limit = 10;
    std::string grow; // the --grow query
};

bool parse(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
        if (a == "--db")
            o.db = next();
        else if (a == "--queries")
            o.queries = next();
        else if (a == "--runs")
            o.runs = std::atoi(next().c_str());
        else if (a == "--limit")
            o.limit = std::atoi(next().c_str());
        else if (a == "--facets")
            o.facets = true;
        else if (a == "--server")
            o.server = true;
        else if (a == "--xapian")
            o.xapian = true;
        else if (a == "--versus")
            o.versus = next();
        else if (a == "--versus-queries")
            o.versus_queries = next();
        else if (a == "--grow")
            o.grow = next();
        else
            return false;
    }
    return !o.db.empty() && !o.queries.empty() && o.runs > 0 && o.limit > 0 &&
           o.versus.empty() == o.versus_queries.empty() && !(o.xapian && !o.versus.empty());
}

// The quest equivalent: parse, match, fetch the data of every hit.
class PlainXapian {
public:
    explicit PlainXapian(const std::string& path) : db_(path) {
        qp_.set_database(db_);
        qp_.set_stemmer(Xapian::Stem("english"));
        qp_.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
        qp_.set_default_op(Xapian::Query::OP_AND);
    }
    long search(const std::string& q, int limit) {
        Xapian::Enquire enq(db_);
        enq.set_query(qp_.parse_query(q, Xapian::QueryParser::FLAG_DEFAULT | Xapian::QueryParser::FLAG_WILDCARD));
        Xapian::MSet mset = enq.get_mset(0, static_cast<Xapian::doccount>(limit));
        size_t bytes = 0;
        for (auto it = mset.begin(); it != mset.end(); ++it) bytes += it.get_document().get_data().size();
        return bytes == static_cast<size_t>(-1) ? 0 : static_cast<long>(mset.get_matches_estimated());
    }

private:
    Xapian::Database db_;
    Xapian::QueryParser qp_;
};

std::vector<std::string> read_queries(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw news::Error(path + ": cannot open");
    std::vector<std::string> queries;
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line[0] != '#') queries.push_back(line);
    return queries;
}

// One query's line: tag, number, p50, p99, max (ms), total estimate, query.
void print_query(const char* tag, size_t n, const std::vector<double>& ms, long estimate, const std::string& query) {
    std::printf("%s\t%zu\t%.3f\t%.3f\t%.3f\t%ld\t%s\n", tag, n, percentile(ms, 0.5), percentile(ms, 0.99),
                *std::max_element(ms.begin(), ms.end()), estimate, query.c_str());
}

void print_all(const char* tag, const std::vector<double>& all) {
    double sum = 0;
    for (double t : all) sum += t;
    std::printf("%s\t%zu\t%.3f\t%.3f\t%.3f\t%.3f\n", tag, all.size(), percentile(all, 0.5), percentile(all, 0.99),
                all.empty() ? 0.0 : *std::max_element(all.begin(), all.end()),
                all.empty() ? 0.0 : sum / static_cast<double>(all.size()));
}

// --grow: the kept facet table before and after a commit made meanwhile.
void grow(const Options& opt) {
    news::Searcher searcher(opt.db);
    searcher.keep_facet_table();
    news::SearchRequest req;
    req.query = opt.grow;
    req.facets = true;
    req.limit = opt.limit;
    auto timed = [&](const char* phase) {
        const auto t0 = std::chrono::steady_clock::now();
        const long total = searcher.search(req).total_estimate;
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        std::printf("grow\t%s\t%.3f\t%ld\n", phase, ms, total);
    };
    timed("before");
    timed("before_warm");
    std::printf("ready\n");
    std::fflush(stdout);
    std::string line;
    std::getline(std::cin, line);
    searcher.reopen();
    timed("after");
    timed("after_warm");
}

} // namespace

int main(int argc, char** argv) {
    Options opt;
    if (!parse(argc, argv, opt)) {
        std::cerr << "usage: query_bench --db DB --queries FILE [--runs N] [--limit N] [--facets] [--server] "
                     "[--xapian | --versus OMEGA_DB --versus-queries FILE]\n"
                     "       query_bench --db DB --queries FILE --grow QUERY\n";
        return 2;
    }
    try {
        if (!opt.grow.empty()) {
            grow(opt);
            return 0;
        }
        const std::vector<std::string> queries = read_queries(opt.queries);
        std::vector<std::string> versus_queries;
        if (!opt.versus.empty()) {
            versus_queries = read_queries(opt.versus_queries);
            if (versus_queries.size() != queries.size())
                throw news::Error(opt.versus_queries + ": not as many queries as " + opt.queries);
        }

        std::unique_ptr<news::Searcher> searcher;
        std::unique_ptr<PlainXapian> plain;
        if (opt.xapian)
            plain = std::make_unique<PlainXapian>(opt.db);
        else
            searcher = std::make_unique<news::Searcher>(opt.db);
        if (!opt.versus.empty()) plain = std::make_unique<PlainXapian>(opt.versus);
        if (searcher && opt.server) searcher->keep_facet_table();
        std::vector<double> all, versus_all;
        using clock = std::chrono::steady_clock;
        int failed = 0;
        for (size_t n = 0; n < queries.size(); ++n) {
            news::SearchRequest req;
            req.query = queries[n];
            req.facets = opt.facets;
            req.limit = opt.limit;
            std::vector<double> ms, versus_ms;
            long estimate = 0, versus_estimate = 0;
            try {
                // Ours, the baseline, or both taking turns (ours first for
                // odd query numbers), each with its own warm-up run: turns
                // by run would have each evict the other's working set from
                // the caches. Alone, the baseline is --xapian's.
                const std::string& plain_query = searcher && plain ? versus_queries[n] : req.query;
                std::vector<double>& plain_ms = searcher ? versus_ms : ms;
                long& plain_estimate = searcher ? versus_estimate : estimate;
                std::vector<bool> turns; // true: ours
                if (searcher) turns.push_back(true);
                if (plain) turns.push_back(false);
                if (n % 2) std::reverse(turns.begin(), turns.end());
                for (bool ours : turns) {
                    for (int r = 0; r <= opt.runs; ++r) { // run 0 warms the caches
                        const auto t0 = clock::now();
                        if (ours)
                            estimate = searcher->search(req).total_estimate;
                        else
                            plain_estimate = plain->search(plain_query, req.limit);
                        const double t = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
                        if (r > 0) (ours ? ms : plain_ms).push_back(t);
                    }
                }
            } catch (const news::Error& e) {
                std::printf("error\t%zu\t%s\n", n + 1, e.what());
                ++failed;
                continue;
            } catch (const Xapian::Error& e) {
                std::printf("error\t%zu\t%s\n", n + 1, e.get_description().c_str());
                ++failed;
                continue;
            }
            all.insert(all.end(), ms.begin(), ms.end());
            print_query("q", n + 1, ms, estimate, queries[n]);
            if (versus_ms.empty()) continue;
            versus_all.insert(versus_all.end(), versus_ms.begin(), versus_ms.end());
            print_query("xq", n + 1, versus_ms, versus_estimate, versus_queries[n]);
        }
        print_all("all", all);
        if (!opt.versus.empty()) print_all("xall", versus_all);
        return failed ? 1 : 0;
    } catch (const std::exception& e) {
        std::cerr << "query_bench: " << e.what() << "\n";
        return 2;
    }
}
