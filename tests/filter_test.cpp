// Tests for indexer/filter.*: which files of a folder are no articles by
// their name, and the --include / --exclude globs.
#include <doctest/doctest.h>

#include "indexer/filter.h"

using namespace news;

TEST_CASE("filter: README, LICENSE and the like are no articles, in any case and extension") {
    CHECK(not_article_name("README.txt") == "a readme file");
    CHECK(not_article_name("readme") == "a readme file");
    CHECK(not_article_name("ReadMe.TXT.gz") == "a readme file");
    CHECK(not_article_name("README_FIRST.txt") == "a readme file");
    CHECK(not_article_name("LICENCE.txt") == "a license file");
    CHECK(not_article_name("COPYING") == "a copying file");
    CHECK(not_article_name("CHANGELOG.txt") == "a changelog file");
    // News that merely begins with such a word is read.
    CHECK(not_article_name("license_fees_rise.txt").empty());
    CHECK(not_article_name("changes-at-the-top.txt").empty());
    CHECK(not_article_name("readmission.txt").empty());
    CHECK(not_article_name("000_dbe4ead79ec420c1.txt").empty());
}

TEST_CASE("filter: globs match the file name or its path inside the folder; exclude wins") {
    FileFilter f;
    f.include = {"README*"};
    f.exclude = {"drafts/*", "*.tmp.txt"};
    CHECK(f.included("README.txt", "2024/README.txt"));
    CHECK_FALSE(f.included("story.txt", "2024/story.txt"));
    CHECK(f.excluded("a.txt", "drafts/a.txt"));
    CHECK(f.excluded("x.tmp.txt", "2024/x.tmp.txt"));
    CHECK(f.excluded("a.txt", "drafts/deep/a.txt")); // (* crosses /)
    CHECK_FALSE(f.excluded("a.txt", "final/a.txt"));
    CHECK_FALSE(FileFilter {}.excluded("a.txt", "a.txt"));
}
