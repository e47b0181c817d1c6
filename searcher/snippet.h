// Snippets: the best passage of an article's text for a query, HTML-escaped,
// with each matched word (stemmed forms and phrase words included) wrapped
// in <mark>…</mark>.
#pragma once

#include <string>

#include <xapian.h>

#include "common/codec.h"

namespace news {

class Snippeter {
public:
    Snippeter(const Xapian::Query& query, const Xapian::Database& db);
    std::string snippet(const Xapian::MSet& mset, const StoredArticle& article) const;

    static constexpr size_t kLength = 260; // characters of text shown

private:
    Xapian::Query query_;
    Xapian::Stem stem_{"english"};
};

} // namespace news
