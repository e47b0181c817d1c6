// Turns one Article into the Xapian document the schema describes: stemmed
// positional text (title also under its prefix), entity terms with a posting
// at each mention, date and source terms and values, compressed document
// data. One DocumentBuilder per thread.
#pragma once

#include <string>
#include <vector>

#include <xapian.h>

#include "indexer/readers.h"
#include "indexer/stories.h"

namespace news {

class EntityTagger;

struct BuiltDocument {
    std::string id_term;
    std::string id;
    std::string date; // ISO or empty
    Xapian::Document doc;
    Shingles shingles;              // for story clustering in the writer
    std::vector<std::string> bands; // band terms, already in doc
    std::vector<std::string> words; // distinct body words for the spelling table
};

class DocumentBuilder {
public:
    // `run_term` (schema::run_term) goes on every document built; "" for none.
    explicit DocumentBuilder(const EntityTagger& tagger, std::string run_term = {});

    // `id` the article's unique id, `path` the file as shown in results,
    // `file_key` the key of the input file (for the file term).
    BuiltDocument build(const Article& article, const std::string& id, const std::string& path,
                        const std::string& file_key);

private:
    const EntityTagger& tagger_;
    std::string run_term_;
    Xapian::TermGenerator tg_;
};

} // namespace news
