// A tiny database for the searcher's module tests, written directly with
// Xapian: articles with an id, a date, words, and optionally a story they
// were folded into, stored as the indexer stores them (schema.h, codec.h).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include <xapian.h>

#include "common/codec.h"
#include "common/schema.h"

namespace news::test {

struct TinyArticle {
    std::string id;
    std::string date;  // ISO, or ""
    std::string words; // body text, indexed unstemmed
    std::string story; // the story's first article's id, when a copy of it
};

// Writes `articles` in order (document numbers from 1) into a new database at `path`.
inline void write_tiny_db(const std::string& path, const std::vector<TinyArticle>& articles) {
    Xapian::WritableDatabase db(path, Xapian::DB_CREATE_OR_OVERWRITE);
    for (const TinyArticle& a : articles) {
        Xapian::Document doc;
        Xapian::TermGenerator tg;
        tg.set_document(doc);
        tg.index_text(a.words);
        doc.add_boolean_term(schema::id_term(a.id));
        doc.add_value(schema::kIdSlot, a.id);
        std::string compact = a.date;
        compact.erase(std::remove(compact.begin(), compact.end(), '-'), compact.end());
        doc.add_value(schema::kDateSlot, compact);
        if (!a.story.empty()) {
            doc.add_boolean_term(schema::story_term(a.story));
            doc.add_value(schema::kStorySlot, a.story);
            doc.add_value(schema::kFoldSlot, schema::fold_value("reprint", 0.9));
        }
        StoredArticle s;
        s.id = a.id;
        s.date = a.date;
        s.title = a.words.substr(0, a.words.find(' '));
        s.body = a.words;
        doc.set_data(encode_article(s));
        db.add_document(doc);
    }
    db.commit();
}

} // namespace news::test
