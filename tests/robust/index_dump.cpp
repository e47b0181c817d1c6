// index_dump DB: prints what the robustness tests compare between two
// indexes, as one JSON object: the document count, the revision, every
// unique id with its docid, story value (kStorySlot), date, path, a digest
// of the whole document (terms with wdf and positions, values, data) and one
// of its content (the same without the story and fold slots and story term, which
// depend on what the index held when the article was added), and the ids
// that more than one document carries. Exit 0, or 2 with a message.
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "common/codec.h"
#include "common/error.h"
#include "common/schema.h"
#include "common/text.h"

namespace {

// `with_story` false leaves out the story and fold slots and the story term.
// The run term is always left out: which run wrote an article is no part of it.
std::string document_digest(const Xapian::Document& doc, bool with_story) {
    namespace s = news::schema;
    const std::string story_prefix(s::kStoryPrefix);
    uint64_t h = news::fnv1a64("");
    auto mix = [&](const std::string& s) {
        h = news::fnv1a64(s, h);
        h = news::fnv1a64(std::string_view("\0", 1), h); // separator: "ab","c" != "a","bc"
    };
    for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
        if (!with_story && (*t).compare(0, story_prefix.size(), story_prefix) == 0) continue;
        if ((*t).compare(0, s::kRunPrefix.size(), s::kRunPrefix) == 0) continue;
        mix(*t);
        mix(std::to_string(t.get_wdf()));
        for (auto p = t.positionlist_begin(); p != t.positionlist_end(); ++p) mix(std::to_string(*p));
    }
    for (auto v = doc.values_begin(); v != doc.values_end(); ++v) {
        if (!with_story && (v.get_valueno() == s::kStorySlot || v.get_valueno() == s::kFoldSlot)) continue;
        mix(std::to_string(v.get_valueno()));
        mix(*v);
    }
    mix(doc.get_data());
    return news::hex64(h);
}

nlohmann::json dump(const std::string& path) {
    namespace s = news::schema;
    Xapian::Database db(path);
    nlohmann::json out;
    out["documents"] = db.get_doccount();
    out["revision"] = db.get_revision();
    nlohmann::json docs = nlohmann::json::object();
    nlohmann::json dups = nlohmann::json::array();
    const std::string prefix(s::kIdPrefix);
    for (auto t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t) {
        const std::string id = (*t).substr(prefix.size());
        if (t.get_termfreq() != 1) dups.push_back(id);
        Xapian::PostingIterator p = db.postlist_begin(*t);
        Xapian::Document doc = db.get_document(*p);
        news::StoredArticle a = news::decode_article(doc.get_data());
        docs[id] = {
            {"docid", *p},    {"story", doc.get_value(s::kStorySlot)}, {"date", doc.get_value(s::kDateSlot)},
            {"path", a.path}, {"digest", document_digest(doc, true)},  {"content", document_digest(doc, false)}};
    }
    out["ids"] = std::move(docs);
    out["duplicate_ids"] = std::move(dups);
    return out;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: index_dump DB\n";
        return 2;
    }
    try {
        std::cout << dump(argv[1]).dump() << '\n';
        return 0;
    } catch (const Xapian::Error& e) {
        std::cerr << "index_dump: " << argv[1] << ": " << e.get_description() << '\n';
    } catch (const std::exception& e) {
        std::cerr << "index_dump: " << argv[1] << ": " << e.what() << '\n';
    }
    return 2;
}
