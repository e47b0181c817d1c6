// Tests for indexer/stories.*: what counts as a syndicated copy.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "indexer/stories.h"
#include "tests/test_util.h"

using namespace news;

namespace {

Shingles text(const std::string& body, const std::string& names = "") {
    Shingles s = shingle(body);
    s.names = name_hashes(names);
    return s;
}

std::string seed(const std::string& prefix) {
    for (const char* name : {"000_dbe4ead79ec420c1.txt", "001_d377f9111801e515.txt", "002_d100f074147ca4fc.txt",
                             "003_fc77a1da018bc3ea.txt"})
        if (std::string(name).rfind(prefix, 0) == 0)
            return news::test::read_file(news::test::corpus_dir() + "/" + name);
    return {};
}

const std::string kStory =
    "Storms closed the port of Rotterdam on Tuesday, stranding dozens of container ships in the North Sea, "
    "the harbour authority said. Maersk and Hapag-Lloyd said sailings to Hamburg and Antwerp would be delayed "
    "by up to three days while the Dutch coast guard inspected the damaged quay walls near Maasvlakte.";

} // namespace

TEST_CASE("stories: fractions and thousands stay one token") {
    CHECK(shingle("rate 7-3/4 pct").hashes.size() == 2);
    CHECK(shingle("sold 1,000 tonnes").hashes.size() == 2);
}

TEST_CASE("stories: an identical text is a copy, an unrelated one is not") {
    Shingles a = text(kStory, "LRotterdam\nOMaersk\nOHapag-Lloyd\n");
    CHECK(is_copy(a, a, StoryOptions {}));
    Shingles b = text("Parliament in Lisbon approved the budget after a long night of votes on pensions, schools "
                      "and rail lines, with the opposition walking out before the final count was read.",
                      "LLisbon\n");
    CHECK_FALSE(is_copy(a, b, StoryOptions {}));
}

TEST_CASE("stories: templated briefs about different companies are not copies") {
    Shingles a = text("Acme Corp said its board declared a quarterly dividend of 12 cts a share, payable April 15 to "
                      "holders of record March 31. The company paid 11 cts a share in the prior quarter.",
                      "OAcme Corp\n");
    Shingles b = text("Zenith Inc said its board declared a quarterly dividend of 12 cts a share, payable April 15 to "
                      "holders of record March 31. The company paid 11 cts a share in the prior quarter.",
                      "OZenith Inc\n");
    CHECK(containment(a, b) >= StoryOptions {}.same_text);
    CHECK_FALSE(is_copy(a, b, StoryOptions {}));
}

TEST_CASE("stories: a title-only brief is not a copy of the long story that contains it") {
    Shingles brief = text("Storms closed the port of Rotterdam on Tuesday");
    Shingles story = text(kStory);
    CHECK(containment(brief, story) > 0.9);
    CHECK_FALSE(is_copy(brief, story, StoryOptions {}));
}

TEST_CASE("stories: the seed reprint is a copy of the Reuters story; two write-ups of one report are not") {
    // Names as the tagger finds them matter for rewritten copies; here the
    // shared ones are given directly.
    const std::string names = "LIran\nLIraq\nLErbil\nOCIA\nOPentagon\nOCNN\nLUnited States\nPAli Khamenei\n";
    Shingles s000 = text(seed("000"), names), s001 = text(seed("001"), names);
    CHECK(is_copy(s000, s001, StoryOptions {}));
    Shingles s002 = text(seed("002"), names), s003 = text(seed("003"), names);
    CHECK_FALSE(is_copy(s002, s003, StoryOptions {}));
}
