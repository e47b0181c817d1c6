// Which files under a folder are read as articles: not the ones a user
// excludes, and not a folder's README or LICENSE unless included.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace news {

struct FileFilter {
    // Globs (fnmatch(3), `*` also crossing `/`) matched against a file's
    // name and its path inside the folder given to the build.
    std::vector<std::string> include; // read even when it looks like no article
    std::vector<std::string> exclude; // never read; wins over include

    bool excluded(std::string_view name, std::string_view rel) const;
    bool included(std::string_view name, std::string_view rel) const;
};

// Why a file of this name is no article ("a README"), or "" when it may be
// one: README, LICENSE/LICENCE, COPYING, CHANGELOG/CHANGES, NOTICE, AUTHORS
// in any letter case, with or without an extension (and README_*).
std::string not_article_name(std::string_view name);

} // namespace news
