#include "searcher/snippet.h"

namespace news {

Snippeter::Snippeter(const Xapian::Query& query, const Xapian::Database&) : query_(query) {}

std::string Snippeter::snippet(const Xapian::MSet& mset, const StoredArticle& a) const {
    const std::string& text = a.body.empty() ? a.title : a.body;
    return mset.snippet(text, kLength, stem_, Xapian::MSet::SNIPPET_BACKGROUND_MODEL | Xapian::MSet::SNIPPET_EXHAUSTIVE,
                        "<mark>", "</mark>", "\u2026");
}

} // namespace news
