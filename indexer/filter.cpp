#include "indexer/filter.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>

namespace news {

namespace {

bool any_match(const std::vector<std::string>& globs, std::string_view name, std::string_view rel) {
    const std::string n(name), r(rel);
    return std::any_of(globs.begin(), globs.end(), [&](const std::string& g) {
        return ::fnmatch(g.c_str(), n.c_str(), 0) == 0 || ::fnmatch(g.c_str(), r.c_str(), 0) == 0;
    });
}

} // namespace

bool FileFilter::excluded(std::string_view name, std::string_view rel) const { return any_match(exclude, name, rel); }

bool FileFilter::included(std::string_view name, std::string_view rel) const { return any_match(include, name, rel); }

std::string not_article_name(std::string_view name) {
    static const char* const kNames[] = {"readme",    "license", "licence", "copying",
                                         "changelog", "changes", "notice",  "authors"};
    std::string stem(name.substr(0, name.find('.')));
    std::transform(stem.begin(), stem.end(), stem.begin(), [](unsigned char c) { return std::tolower(c); });
    // (README_FIRST too; but not license_fees_rise.txt, which may be news.)
    const bool readme = stem.compare(0, 7, "readme_") == 0 || stem.compare(0, 7, "readme-") == 0;
    for (const char* k : kNames)
        if (stem == k || (readme && k == kNames[0]))
            return std::string("a ") + (stem == "licence" ? "license" : k) + " file";
    return "";
}

} // namespace news
