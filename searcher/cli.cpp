#include "searcher/cli.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "searcher/export.h"
#include "searcher/format.h"
#include "searcher/timeline.h"
#include "searcher/watch.h"

namespace news {

SearchCommand::SearchCommand(CLI::App& app) {
    app.add_option("--db", db_, "Index: a database folder or a Xapian stub file")->required();
    app.add_flag("--json", json_, "One JSON object on standard output");
    app.add_option("--limit", req_.limit, "Results to show (default 10, at most 1000)")
        ->check(CLI::Range(1, SearchRequest::kMaxLimit));
    app.add_option("--offset", req_.offset, "Results to skip (offset+limit at most 10000)")
        ->check(CLI::Range(0, SearchRequest::kMaxDepth));
    app.add_option("--from", req_.from, "Earliest date: YYYY, YYYY-MM or YYYY-MM-DD");
    app.add_option("--to", req_.to, "Latest date: YYYY, YYYY-MM or YYYY-MM-DD");
    app.add_option("--entity", req_.entities, "Filter TYPE:NAME (person, org, place, misc, entity); repeatable")
        ->expected(1)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_option("--source", req_.sources, "Filter by source; repeatable (ORed)")
        ->expected(1)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_option("--sort", sort_, "relevance (default), date (newest first) or oldest");
    app.add_flag("--facets", req_.facets, "Count people, organisations, places, sources and dates over all matches");
    app.add_option("--facet-size", req_.facet_size, "Values per facet with --facets (default 10, at most 100)")
        ->check(CLI::Range(1, 100));
    app.add_flag("--no-collapse", no_collapse_, "Show every copy of a syndicated story");
    app.add_option("--like", req_.like_id, "Articles most like the article with this id");
    app.add_option("--time-limit", req_.time_limit,
                   "Seconds the whole search may take, ranking and facet counts included (default 5; 0: no limit)")
        ->check(CLI::Range(0.0, 600.0));
    app.add_option("--export", export_,
                   "Write every match (no page, no cap) as csv (RFC 4180) or jsonl (with the text), in --sort "
                   "order, one row per story with its copies unless --no-collapse")
        ->check(CLI::IsMember({"csv", "jsonl"}));
    app.add_option("--timeline", timeline_,
                   "Articles and stories per day, month or year of this entity (TYPE:NAME) within the matches; "
                   "repeatable (one series each, same periods)")
        ->expected(1)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app.add_option("--date-unit", req_.date_unit, "Periods of --timeline and the date facet: day, month or year")
        ->check(CLI::IsMember({"day", "month", "year"}));
    app.add_option("--cooccur", cooccur_,
                   "The entities most often named in the same articles as this one (TYPE:NAME) within the "
                   "matches, with counts, lift and PMI (ordered by count x PMI); --facet-size of them");
    app.add_flag("--explain", explain_, "Print the query that ran and the shards searched to stderr");
    app.add_flag("--color", color_, "Highlight with ANSI colours even when not a terminal");
    app.add_flag("--no-color", no_color_, "Never use ANSI colours");
    app.add_flag("--show-path", show_path_, "Show each result's file (JSON always has it as \"path\")");
    app.add_option("QUERY", words_,
                   "Query: words, \"phrases\", AND OR NOT, NEAR, -word, +word, word*, "
                   "title:, source:, person:, org:, place:, entity:, date:. Plain words are all required "
                   "unless together they match fewer than 10 stories: then articles with most of them "
                   "(said so); explicit syntax never relaxes. To search for the word \"show\" first, "
                   "put -- before the query: newssearch --db DB -- show")
        ->expected(0, -1);
}

bool SearchCommand::color() const { return !no_color_ && (color_ || ::isatty(1)); }

int SearchCommand::run(std::ostream& out, std::ostream& err) {
    try {
        for (size_t i = 0; i < words_.size(); ++i) req_.query += (i ? " " : "") + words_[i];
        req_.sort = parse_sort(sort_);
        req_.collapse = !no_collapse_;
        if (!timeline_.empty()) return run_timeline(out);
        if (!cooccur_.empty()) return run_cooccur(out);
        if (req_.query.empty() && req_.like_id.empty() && req_.from.empty() && req_.to.empty() &&
            req_.entities.empty() && req_.sources.empty())
            throw QueryError("nothing to search for: give a QUERY, --like, or a filter");
        if (!export_.empty()) return run_export(out, err);
        Searcher searcher(db_);
        SearchResponse r = searcher.search(req_);
        if (explain_) {
            err << "query: " << r.explanation << '\n';
            if (r.shards_total > 0) {
                err << "shards: searched " << r.shards.size() << " of " << r.shards_total << ":";
                for (const auto& s : r.shards) err << ' ' << s;
                err << '\n';
            } else {
                err << "shards: not sharded\n";
            }
        }
        if (json_) {
            out << to_json(r) << '\n';
        } else {
            TextStyle style;
            style.color = color();
            style.show_path = show_path_;
            write_text(r, out, style);
        }
        return r.results.empty() ? 1 : 0;
    } catch (const std::exception& e) {
        err << "newssearch: " << e.what() << '\n';
        return 2;
    }
}

int SearchCommand::run_export(std::ostream& out, std::ostream& err) {
    Searcher searcher(db_);
    ExportOptions options;
    options.format = parse_export_format(export_);
    const bool terminal = ::isatty(2);
    if (terminal)
        options.progress = [&err](long done, long total) {
            err << "\rexported " << done << " of " << total << (done == total ? "\n" : "") << std::flush;
        };
    const ExportSummary s = export_matches(searcher, req_, options, out);
    err << "newssearch: exported " << s.rows << (req_.collapse ? " stories" : " articles");
    if (req_.collapse) err << " (" << s.articles << " articles)";
    err << '\n';
    return s.rows > 0 ? 0 : 1;
}

int SearchCommand::run_timeline(std::ostream& out) {
    Searcher searcher(db_);
    const Timeline t = entity_timeline(searcher, req_, timeline_);
    if (json_) {
        out << to_json(t) << '\n';
    } else {
        for (const TimelineSeries& s : t.series) {
            out << s.entity << ": " << s.articles << " articles, " << s.stories << " stories (per " << t.unit << ")\n";
            for (const FacetEntry& p : s.points)
                out << "  " << p.name << "  " << p.count << " articles, " << p.stories << " stories\n";
            if (s.undated > 0) out << "  undated  " << s.undated << " articles\n";
        }
    }
    bool any = false;
    for (const TimelineSeries& s : t.series) any = any || s.articles > 0;
    return any ? 0 : 1;
}

int SearchCommand::run_cooccur(std::ostream& out) {
    Searcher searcher(db_);
    const std::vector<Cooccurrence> list = cooccurring(searcher, req_, cooccur_, req_.facet_size);
    if (json_) {
        out << to_json(cooccur_, list) << '\n';
    } else {
        out << "named with " << cooccur_ << " (articles together, lift, PMI):\n";
        char line[64];
        for (const Cooccurrence& c : list) {
            std::snprintf(line, sizeof line, "%6ld  %6.2f  %+5.2f  ", c.count, c.lift, c.pmi);
            out << line << c.name << " (" << c.type << ")\n";
        }
    }
    return list.empty() ? 1 : 0;
}

ShowCommand::ShowCommand(CLI::App& app, const SearchCommand& search) : search_(search) {
    sub_ = app.add_subcommand("show", "Print one article whole: its text, names, other versions and more like it "
                                      "(exit 0 shown, 1 no such id, 2 error)");
    sub_->fallthrough(); // (--db and the other options of newssearch may come after `show` too)
    app.footer(app.get_footer() + (app.get_footer().empty() ? "" : "\n") +
               "One article: newssearch --db DB show [--json] [-q QUERY] [--like N] ID (see show --help).\n"
               "To search for the word \"show\", put -- before the query: newssearch --db DB -- show");
    sub_->add_flag("--json", json_, "One JSON object on standard output");
    sub_->add_option("-q,--q,--query", req_.query, "Mark this query's words in the text");
    sub_->add_option("--like", req_.like, "How many articles most like it to list (default 5, 0 for none)")
        ->check(CLI::Range(0, 100));
    sub_->add_option("ID", req_.id, "The article's id (as results show it)")->required();
}

namespace {

// Whether `word` may be the subcommand of this command line: the first
// argument that is neither an option nor an option's value, or there is none.
bool names_subcommand(const CLI::App& app, int argc, const char* const* argv, const std::string& word) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--") return false;
        if (arg.size() < 2 || arg[0] != '-') return arg == word;
        const CLI::Option* opt = arg.find('=') == std::string::npos ? app.get_option_no_throw(arg) : nullptr;
        if (opt && opt->get_items_expected_max() > 0) ++i; // (its value)
    }
    return true;
}

} // namespace

bool ShowCommand::may_be_named(const CLI::App& app, int argc, const char* const* argv) {
    return names_subcommand(app, argc, argv, "show");
}

int ShowCommand::run(std::ostream& out, std::ostream& err) {
    try {
        Searcher searcher(search_.db());
        std::optional<ArticleView> a = fetch_article(searcher, req_);
        if (!a) {
            err << "newssearch: no article with id " << req_.id << " in this index\n";
            return 1;
        }
        if (json_ || search_.json()) {
            out << to_json(*a) << '\n';
        } else {
            TextStyle style;
            style.color = search_.color();
            write_text(*a, out, style);
        }
        return 0;
    } catch (const std::exception& e) {
        err << "newssearch: " << e.what() << '\n';
        return 2;
    }
}

WatchCommand::WatchCommand(CLI::App& app, const SearchCommand& search) : search_(search) {
    sub_ = app.add_subcommand("watch", "Saved searches and the stories new since they last ran: watch add NAME "
                                       "QUERY, watch list, watch remove NAME, watch run [NAME] [--json|--atom]");
    sub_->fallthrough();
    sub_->require_subcommand(1);
    app.footer(app.get_footer() + "\nSaved searches: newssearch --db DB watch add|list|remove|run (see watch --help).");
    add_ = sub_->add_subcommand("add", "Save QUERY as watch NAME; it has seen every article indexed so far");
    add_->fallthrough();
    add_->add_option("NAME", name_, "Letters, digits, '_', '-', '.' (at most 64)")->required();
    add_->add_option("QUERY", words_, "The query, as for a search")->required()->expected(1, -1);
    list_ = sub_->add_subcommand("list", "List the watches: name, query, last run, stories in its feed");
    list_->fallthrough();
    list_->add_flag("--json", json_, "One JSON object on standard output");
    remove_ = sub_->add_subcommand("remove", "Remove watch NAME (exit 1 when there is none)");
    remove_->fallthrough();
    remove_->add_option("NAME", name_)->required();
    run_ = sub_->add_subcommand("run", "Print the stories new since each watch (or NAME) last ran: new stories, "
                                       "not new copies of a story it knew; exit 0 some, 1 none");
    run_->fallthrough();
    run_->add_option("NAME", name_, "Only this watch");
    run_->add_flag("--json", json_, "A JSON object a watch, one a line");
    auto* atom = run_->add_flag("--atom", atom_, "The watch's feed (RFC 4287) of its recent new stories (needs NAME)");
    atom->excludes(run_->get_option("--json"));
}

bool WatchCommand::may_be_named(const CLI::App& app, int argc, const char* const* argv) {
    return names_subcommand(app, argc, argv, "watch");
}

int WatchCommand::run(std::ostream& out, std::ostream& err) {
    try {
        if (add_->parsed()) return add(out);
        if (list_->parsed()) return list(out);
        if (remove_->parsed()) return remove(out, err);
        return run_watches(out, err);
    } catch (const std::exception& e) {
        err << "newssearch: " << e.what() << '\n';
        return 2;
    }
}

int WatchCommand::add(std::ostream& out) {
    std::string query;
    for (size_t i = 0; i < words_.size(); ++i) query += (i ? " " : "") + words_[i];
    Searcher searcher(search_.db());
    WatchFile file(search_.db());
    WatchFile::Lock lock(file);
    std::vector<Watch> watches = file.load();
    for (const Watch& w : watches)
        if (w.name == name_) throw QueryError("there is already a watch named " + name_);
    watches.push_back(new_watch(searcher, name_, query, std::chrono::system_clock::now()));
    file.save(watches);
    out << "watch " << name_ << " added: " << query << '\n';
    return 0;
}

int WatchCommand::list(std::ostream& out) const {
    const std::vector<Watch> watches = WatchFile(search_.db()).load();
    if (json_ || search_.json()) {
        nlohmann::ordered_json a = nlohmann::ordered_json::array();
        for (const Watch& w : watches)
            a.push_back(nlohmann::ordered_json {
                {"name", w.name},
                {"query", w.query},
                {"created", w.created},
                {"last_run", w.last_run.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(w.last_run)},
                {"recent", w.recent.size()}});
        out << a.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
        return 0;
    }
    for (const Watch& w : watches)
        out << w.name << "\t" << w.query << "\tlast run " << (w.last_run.empty() ? "never" : w.last_run) << "\t"
            << w.recent.size() << " in its feed\n";
    if (watches.empty()) out << "no watches (add one: newssearch --db DB watch add NAME QUERY)\n";
    return 0;
}

int WatchCommand::remove(std::ostream& out, std::ostream& err) {
    WatchFile file(search_.db());
    WatchFile::Lock lock(file);
    std::vector<Watch> watches = file.load();
    const auto it = std::find_if(watches.begin(), watches.end(), [&](const Watch& w) { return w.name == name_; });
    if (it == watches.end()) {
        err << "newssearch: no watch named " << name_ << '\n';
        return 1;
    }
    watches.erase(it);
    file.save(watches);
    out << "watch " << name_ << " removed\n";
    return 0;
}

int WatchCommand::run_watches(std::ostream& out, std::ostream& err) {
    if (atom_ && name_.empty()) throw QueryError("--atom prints one watch's feed: name it (watch run NAME --atom)");
    Searcher searcher(search_.db());
    WatchFile file(search_.db());
    WatchFile::Lock lock(file);
    std::vector<Watch> watches = file.load();
    const auto now = std::chrono::system_clock::now();
    bool any = false, named = false;
    std::ostringstream text;
    for (Watch& w : watches) {
        if (!name_.empty() && w.name != name_) continue;
        named = true;
        const std::string since = w.last_run.empty() ? w.created : w.last_run;
        const std::vector<WatchStory> found = run_watch(searcher, w, now);
        any = any || !found.empty();
        if (atom_) {
            text << to_atom(w, searcher.database().get_uuid());
        } else if (json_ || search_.json()) {
            text << watch_run_json(w, since, found) << '\n';
        } else {
            text << w.name << ": " << found.size() << (found.size() == 1 ? " new story" : " new stories") << " since "
                 << since << " (" << w.query << ")\n";
            for (const WatchStory& s : found)
                text << "  " << (s.date.empty() ? "undated" : s.date) << " · " << (s.source.empty() ? "-" : s.source)
                     << " · id " << s.id << (s.copies > 1 ? " · " + std::to_string(s.copies) + " copies" : "")
                     << "\n    " << s.title << '\n';
        }
    }
    if (!named) {
        err << "newssearch: " << (name_.empty() ? "no watches to run" : "no watch named " + name_) << '\n';
        return name_.empty() ? 1 : 2;
    }
    file.save(watches); // (only once every watch ran: a failure leaves them all as they were)
    out << text.str();
    return any ? 0 : 1;
}

} // namespace news
