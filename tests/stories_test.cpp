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
    CHECK(containment(a, b) >= 0.6);
    CHECK_FALSE(is_copy(a, b, StoryOptions {}));
    // The same template without names: the figures tell them apart.
    Shingles c = text("The board declared a quarterly dividend of 12 cts a share, payable April 15 to holders of "
                      "record March 31. It paid 11 cts a share in the prior quarter and 40 cts for the year.");
    Shingles d = text("The board declared a quarterly dividend of 30 cts a share, payable May 2 to holders of "
                      "record April 10. It paid 28 cts a share in the prior quarter and 95 cts for the year.");
    CHECK_FALSE(is_copy(c, d, StoryOptions {}));
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

namespace {

// A wire story of eight sentences, and what newspapers and the wire make of it.
const std::string kWire =
    "The European Central Bank raised its main interest rate by a quarter point on Thursday, the first increase "
    "in three years, saying inflation in the euro zone had stayed above its target for too long. "
    "ECB President Christine Lagarde told reporters in Frankfurt that the governing council had been unanimous. "
    "Markets had priced in the move after weeks of hints from policymakers, and the euro rose half a cent "
    "against the dollar. "
    "Economists at Deutsche Bank and BNP Paribas said they expected one more increase before the summer. "
    "Consumer prices rose 3.1 percent in March from a year earlier, the statistics office Eurostat said last week. "
    "Governments in Italy and Greece, which carry heavy debts, warned that higher borrowing costs would slow "
    "their recoveries. "
    "The bank also said it would stop buying new bonds under its pandemic programme from July. "
    "Its next policy meeting is in Vienna on June 8.";
const std::string kWireNames =
    "OEuropean Central Bank\nOECB\nPChristine Lagarde\nLFrankfurt\nODeutsche Bank\nOBNP Paribas\nOEurostat\n"
    "LItaly\nLGreece\nLVienna\n";

Shingles article(const std::string& title, const std::string& body, const std::string& names) {
    Shingles s = shingle(title, body);
    s.names = name_hashes(names);
    return s;
}

} // namespace

TEST_CASE("stories: a reprint with a new headline, a byline and its last paragraphs cut folds") {
    Shingles wire = article("ECB raises rates for first time in three years", kWire, kWireNames);
    std::string body = kWire.substr(0, kWire.find("Governments in Italy"));
    body.replace(body.find("told reporters"), 14, "said");
    Shingles reprint =
        article("Borrowing to cost more as Frankfurt acts", "By Anna Keller, Daily Ledger\n\nFRANKFURT - " + body,
                "OEuropean Central Bank\nOECB\nPChristine Lagarde\nLFrankfurt\nODeutsche Bank\n"
                "OBNP Paribas\nOEurostat\n");
    CHECK(is_copy(wire, reprint, StoryOptions {}));
    CHECK(is_copy(reprint, wire, StoryOptions {}));
}

TEST_CASE("stories: a correction and an update of one story fold") {
    Shingles wire = article("ECB raises rates for first time in three years", kWire, kWireNames);
    std::string corrected = kWire;
    corrected.replace(corrected.find("3.1 percent"), 11, "3.4 percent");
    Shingles correction = article("CORRECTION - ECB raises rates for first time in three years",
                                  "(Corrects inflation figure in paragraph 5)\n\n" + corrected, kWireNames);
    CHECK(correction.marked == CopyKind::Correction);
    CHECK(is_copy(wire, correction, StoryOptions {}));
    Shingles update = article("UPDATE 1-ECB raises rates, signals more to come",
                              kWire + " Shares of European banks rose 2 percent in afternoon trading in London. "
                                      "Analysts at Commerzbank said the statement left the door open to a further "
                                      "move in July, although the bank gave no commitment.",
                              kWireNames + "LLondon\nOCommerzbank\n");
    CHECK(update.marked == CopyKind::Update);
    CHECK(is_copy(wire, update, StoryOptions {}));
}

TEST_CASE("stories: another story of the same day about the same bank and people does not fold") {
    Shingles wire = article("ECB raises rates for first time in three years", kWire, kWireNames);
    Shingles other = article(
        "Lagarde defends ECB bond plan before parliament",
        "ECB President Christine Lagarde defended the bank's bond buying before the European Parliament on Thursday, "
        "saying the programme had kept borrowing costs in Italy and Greece in check during the pandemic. "
        "Lawmakers from Germany questioned whether the European Central Bank had overstepped its mandate. "
        "Lagarde said the governing council would review the programme in Vienna on June 8. "
        "Economists at Deutsche Bank said the hearing was unlikely to change policy. "
        "BNP Paribas analysts noted that the euro barely moved during the session. "
        "Eurostat is due to publish revised inflation figures next week. "
        "The parliament's economic committee will vote on a report about the bank in May.",
        kWireNames + "LGermany\nOEuropean Parliament\n");
    CHECK_FALSE(is_copy(wire, other, StoryOptions {}));
    CHECK(word_similarity(wire, other) > 0.15); // the same subject, by its words
}

TEST_CASE("stories: sentences align when reworded, not when only the subject is shared") {
    Shingles a = shingle("Storms closed the port of Rotterdam on Tuesday. Ships waited in the North Sea for days.");
    Shingles b = shingle("On Tuesday storms shut Rotterdam port. For days, ships waited out in the North Sea.");
    Shingles c = shingle("Rotterdam port reopened on Friday. Dockworkers cleared the damaged quays of debris.");
    CHECK(aligned_sentences(a, b) == doctest::Approx(1.0));
    CHECK(aligned_sentences(a, c) == doctest::Approx(0.0));
}

TEST_CASE("stories: a headline's mark says correction or update") {
    CHECK(shingle("CORRECTED-Fed holds rates", "x").marked == CopyKind::Correction);
    CHECK(shingle("Correction: Fed holds rates", "x").marked == CopyKind::Correction);
    CHECK(shingle("UPDATE 2-Fed holds rates", "x").marked == CopyKind::Update);
    CHECK(shingle("Fed holds rates, corrects forecast", "x").marked == CopyKind::Reprint);
    CHECK(std::string(copy_kind_name(CopyKind::Update)) == "update");
}
