#include "searcher/versions.h"

#include <algorithm>
#include <map>
#include <optional>

#include "common/codec.h"
#include "common/error.h"
#include "common/schema.h"
#include "searcher/page.h"

namespace news {

void DocidListSource::init(const Xapian::Database& db) {
    started_ = false, pos_ = 0;
    local_.clear();
    const size_t n = shards_.size();
    if (n <= 1) {
        local_ = docids_;
        return;
    }
    const size_t k = static_cast<size_t>(std::find(shards_.begin(), shards_.end(), db.get_uuid()) - shards_.begin());
    if (k == n) throw Error("other versions: a shard that is not among the database's");
    for (Xapian::docid d : docids_)
        if ((d - 1) % n == k) local_.push_back(static_cast<Xapian::docid>((d - 1) / n + 1));
}

void DocidListSource::skip_to(Xapian::docid did, double) {
    started_ = true;
    pos_ = static_cast<size_t>(std::lower_bound(local_.begin() + pos_, local_.end(), did) - local_.begin());
}

std::vector<std::string> shard_uuids(const Xapian::Database& db, bool remote) {
    if (remote) return {};
    std::vector<std::string> out;
    const std::string all = db.get_uuid();
    for (size_t at = 0; at <= all.size();) {
        size_t end = all.find(':', at);
        if (end == std::string::npos) end = all.size();
        out.push_back(all.substr(at, end - at));
        at = end + 1;
    }
    std::vector<std::string> sorted = out;
    std::sort(sorted.begin(), sorted.end());
    if (out.size() != db.size() || std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end() ||
        std::find(out.begin(), out.end(), "") != out.end())
        return {};
    return out;
}

// Lists each result's other versions: the articles of its story (the story
// term's articles and the story's first article) that match the query too,
// oldest first (equal dates by article id), the kMaxVersions oldest when a
// story has more. `shown` has each result's story (collapse key, "" when
// not folded) and document. A story has copies when its story term has
// articles (the matcher's collapse count is only a lower bound, which
// depends on how the match ran, e.g. on how many shards). One match finds
// the versions of every result at once.
//
// With `weighting` (the main match's scheme) the versions are scored as the
// main match scored them, and a story whose result has a version of equal
// score and smaller article id gets that version as its result instead: the
// main match, in plain relevance order, kept the copy with the lower
// document number, and the order of results must not depend on those.
// Returns, per result, the document that replaces it (0: none); its entry
// in `duplicates` is already the replaced result.
std::vector<Xapian::docid> add_other_versions(const Xapian::Database& db, bool remote, const Xapian::Query& full_query,
                                              const std::vector<std::pair<std::string, Xapian::docid>>& shown,
                                              std::vector<Result>& results, const Xapian::Weight* weighting) {
    std::vector<Xapian::docid> better(shown.size(), 0);
    std::map<std::string, size_t> result_of; // story -> index in results
    std::vector<double> score(shown.size());
    for (size_t i = 0; i < shown.size(); ++i) score[i] = results[i].score;
    struct Version {
        Xapian::docid did;
        double score;
    };
    std::vector<std::vector<Version>> versions(shown.size());
    // A document the match found for result i: the result itself (its score
    // as this match gives it) or one of its versions.
    auto take = [&](size_t i, const Xapian::MSetIterator& d) {
        if (*d == shown[i].second)
            score[i] = weight_of(d);
        else
            versions[i].push_back({*d, weight_of(d)});
    };

    Xapian::Enquire dup(db);
    Xapian::BoolWeight unweighted;
    dup.set_weighting_scheme(weighting ? *weighting : unweighted);
    std::vector<std::string> shards = shard_uuids(db, remote);
    if (!shards.empty()) {
        // The story's documents come from its posting lists, and only they
        // are matched.
        std::vector<std::pair<Xapian::docid, size_t>> docs; // document, result
        for (size_t i = 0; i < shown.size(); ++i) {
            const std::string& story = shown[i].first;
            if (story.empty() || result_of.count(story)) continue;
            // (The frequency first: it reads through the database's own
            // cursor, which keeps its blocks, where a posting list starts
            // a new one. Most stories have no copies.)
            const std::string copies = schema::story_term(story);
            if (db.get_termfreq(copies) == 0) continue; // (and the result is the story's first article)
            for (auto p = db.postlist_begin(copies); p != db.postlist_end(copies); ++p) docs.emplace_back(*p, i);
            if (results[i].id != story) { // a copy is shown: its story's first article is a version
                const std::string first = schema::id_term(story);
                auto p = db.postlist_begin(first);
                if (p != db.postlist_end(first)) docs.emplace_back(*p, i);
            }
            docs.emplace_back(shown[i].second, i);
            result_of.emplace(story, i);
        }
        if (docs.empty()) return better;
        std::sort(docs.begin(), docs.end());
        docs.erase(std::unique(docs.begin(), docs.end()), docs.end());
        std::vector<Xapian::docid> dids(docs.size());
        for (size_t k = 0; k < docs.size(); ++k) dids[k] = docs[k].first;
        auto* source = new DocidListSource(dids, std::move(shards));
        dup.set_query(Xapian::Query(Xapian::Query::OP_FILTER, full_query, Xapian::Query(source->release())));
        Xapian::MSet ds = dup.get_mset(0, static_cast<Xapian::doccount>(dids.size()));
        for (auto d = ds.begin(); d != ds.end(); ++d) {
            take(std::lower_bound(docs.begin(), docs.end(), std::make_pair(*d, size_t {0}))->second, d);
        }
    } else {
        // Remote shards (or shards that cannot be told apart): the stories'
        // terms, and the story of each document found.
        std::vector<Xapian::Query> members;
        Xapian::doccount bound = 0;
        for (size_t i = 0; i < shown.size(); ++i) {
            const std::string& story = shown[i].first;
            if (story.empty() || result_of.count(story)) continue;
            Xapian::doccount copies = db.get_termfreq(schema::story_term(story));
            if (copies == 0) continue;
            result_of.emplace(story, i);
            members.emplace_back(schema::id_term(story));
            members.emplace_back(schema::story_term(story));
            bound += copies + 1;
        }
        if (members.empty()) return better;
        Xapian::Query story_docs(Xapian::Query::OP_OR, members.begin(), members.end());
        dup.set_query(Xapian::Query(Xapian::Query::OP_FILTER, full_query, story_docs));
        Xapian::MSet ds = dup.get_mset(0, bound);
        for (auto d = ds.begin(); d != ds.end(); ++d) {
            auto found = result_of.find(d.get_document().get_value(schema::kStorySlot));
            if (found == result_of.end()) continue;
            take(found->second, d);
        }
    }

    for (size_t i = 0; i < shown.size(); ++i) {
        std::vector<Version>& v = versions[i];
        if (v.empty()) continue;
        // Each version's date and article id: from its record when it may
        // be listed, else from its values (a story of many versions).
        struct Key {
            std::string date, id;
            std::optional<DocRef> ref;
        };
        std::vector<Key> keys(v.size());
        const bool few = v.size() <= kMaxVersions;
        for (size_t k = 0; k < v.size(); ++k) {
            Xapian::Document doc = db.get_document(v[k].did, Xapian::DOC_ASSUME_VALID);
            if (few) {
                StoredArticle c = decode_article_head(doc.get_data());
                keys[k] = {c.date, c.id,
                           DocRef {c.id, c.source, c.date, c.title, c.path, doc.get_value(schema::kFoldSlot)}};
            } else {
                keys[k] = {doc.get_value(schema::kDateSlot), doc.get_value(schema::kIdSlot), std::nullopt};
            }
        }
        // The result shown for the story: the version of smallest article id
        // among those scoring as high as the result.
        constexpr size_t kNone = static_cast<size_t>(-1);
        size_t pick = kNone;
        for (size_t k = 0; weighting && k < v.size(); ++k) {
            const std::string& best = pick == kNone ? results[i].id : keys[pick].id;
            if (v[k].score >= score[i] && keys[k].id < best) pick = k;
        }
        if (pick != kNone) {
            better[i] = v[pick].did;
            const Result& r = results[i];
            std::string date = few ? r.date : db.get_document(shown[i].second).get_value(schema::kDateSlot);
            keys[pick] = {date, r.id, DocRef {r.id, r.source, r.date, r.title, r.path, r.fold}};
        }
        std::vector<size_t> order(v.size());
        for (size_t k = 0; k < order.size(); ++k) order[k] = k;
        std::sort(order.begin(), order.end(), [&keys](size_t x, size_t y) {
            return keys[x].date != keys[y].date ? keys[x].date < keys[y].date : keys[x].id < keys[y].id;
        });
        if (order.size() > kMaxVersions) order.resize(kMaxVersions);
        for (size_t k : order) {
            if (!keys[k].ref) {
                Xapian::Document doc = db.get_document(v[k].did, Xapian::DOC_ASSUME_VALID);
                StoredArticle c = decode_article_head(doc.get_data());
                keys[k].ref = DocRef {c.id, c.source, c.date, c.title, c.path, doc.get_value(schema::kFoldSlot)};
            }
            results[i].duplicates.push_back(std::move(*keys[k].ref));
        }
    }
    return better;
}

} // namespace news
