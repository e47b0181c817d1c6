// Formatters over a SearchResponse and an ArticleView: JSON in the shape
// DESIGN.md fixes, and text for people (marks shown in bold on a terminal).
#pragma once

#include <iosfwd>
#include <string>

#include "searcher/article.h"
#include "searcher/results.h"

namespace news {

std::string to_json(const SearchResponse& r, int indent = -1);

struct TextStyle {
    bool color = false;     // ANSI bold for matches and titles
    bool show_path = false; // each result's file (newssearch --show-path)
};
void write_text(const SearchResponse& r, std::ostream& out, const TextStyle& style);

// One article (`newssearch show`, the article page's format=json): id,
// title, date, source, url, path, match, first_published, paragraphs,
// paragraphs_html, entities, versions, versions_total, like.
std::string to_json(const ArticleView& a, int indent = -1);
// The article for reading: heading, paragraphs wrapped to `width`
// columns, its names by type, its other versions and more like it.
void write_text(const ArticleView& a, std::ostream& out, const TextStyle& style, size_t width = 78);

// How a copy was folded, as words ("reprint, 0.83 similar"); empty for a
// story's first article (its schema::kFoldSlot value is empty).
std::string fold_description(const std::string& fold);

// The line that says a search was relaxed (plain text; empty when it was
// not): "No article has all of: a, b, c; showing articles with most of them".
std::string relaxation_message(const SearchResponse& r);

// Undoes html_escape and drops <mark> tags (or turns them into ANSI bold).
std::string snippet_to_text(const std::string& snippet, bool color);

} // namespace news
