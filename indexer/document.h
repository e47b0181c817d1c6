// Turns one Article into the Xapian document the schema describes: stemmed
// positional text (title also under its prefix), entity terms with a posting
// at each mention, date and source terms and values, compressed document
// data. One DocumentBuilder per thread.
#pragma once

#include <string>

#include <xapian.h>

#include "indexer/readers.h"

namespace news {

class EntityTagger;

struct BuiltDocument {
    std::string id_term;
    Xapian::Document doc;
};

class DocumentBuilder {
public:
    explicit DocumentBuilder(const EntityTagger& tagger);

    // `id` the article's unique id, `path` the file as shown in results,
    // `file_key` the key of the input file (for the file term).
    BuiltDocument build(const Article& article, const std::string& id, const std::string& path,
                        const std::string& file_key);

private:
    const EntityTagger& tagger_;
    Xapian::TermGenerator tg_;
};

} // namespace news
