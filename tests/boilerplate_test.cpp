// Tests for common/boilerplate.*: datelines, bylines, sign-offs and credit
// lines are blanked with the text's byte offsets kept; story text is not.
#include <doctest/doctest.h>

#include <string>

#include "common/boilerplate.h"

using news::mask_boilerplate;
using news::Opening;
using news::read_opening;

namespace {

// What is left of `text` once masked, spaces collapsed.
std::string left(const std::string& text) {
    const std::string m = mask_boilerplate(text);
    REQUIRE(m.size() == text.size());
    std::string out;
    for (char c : m) {
        const bool space = static_cast<unsigned char>(c) <= ' ';
        if (space && (out.empty() || out.back() == ' ')) continue;
        out.push_back(space ? ' ' : c);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

} // namespace

TEST_CASE("boilerplate: datelines") {
    CHECK(left("TOKYO  (Reuters) - Japanese airline All Nippon Airways said.") ==
          "Japanese airline All Nippon Airways said.");
    CHECK(left("HOUSTON, Feb 26 - Texas Commerce Bancshares Inc said.") == "Texas Commerce Bancshares Inc said.");
    CHECK(left("NEW YORK, March 3, 2010 -- Stocks fell.") == "Stocks fell.");
    CHECK(left("Paris (AFP) \xE2\x80\x94 Strikes closed the metro.") == "Strikes closed the metro.");
    // Not datelines: a sentence, a mixed-case name without an agency.
    CHECK(left("Trump said - and meant - it.") == "Trump said - and meant - it.");
    CHECK(left("Oil rose 3 percent - a record.") == "Oil rose 3 percent - a record.");
}

TEST_CASE("boilerplate: bylines") {
    CHECK(left("(Dave DeCamp, Antiwar.com) President Trump is open to it.") == "President Trump is open to it.");
    CHECK(left("By Jane Doe and John Roe\nLONDON (Reuters) - Gold rose.") == "Gold rose.");
    // "By" opening a sentence is text.
    CHECK(left("By the end of the year prices had doubled.") == "By the end of the year prices had doubled.");
}

TEST_CASE("boilerplate: sign-offs and credit lines") {
    CHECK(left("The bank said the network would link 31 banks.\n Reuter\n\x03") ==
          "The bank said the network would link 31 banks.");
    CHECK(left("Gold rose. (Reporting by Jim Wolf; Editing by  David Gregorio )") == "Gold rose.");
    CHECK(left("Growth was 8.9 percent. (Additional reporting by Aileen Wang in Beijing; Writing by Kevin "
               "Plumberg; Editing by Kim Coghill)") == "Growth was 8.9 percent.");
    // A closing parenthesis that is not a credit, a last line that is a sentence.
    CHECK(left("Prices rose (by 3 percent).") == "Prices rose (by 3 percent).");
    CHECK(left("Prices rose.\nThey fell later.") == "Prices rose. They fell later.");
    CHECK(left("Prices fell.\n Reuter...\n") == "Prices fell.");
    CHECK(left("Note - Fin div pay May 27, record May 23. REUTER\n") == "Note - Fin div pay May 27, record May 23.");
    CHECK(left("Prices fell on Monday. Analysts agreed.") == "Prices fell on Monday. Analysts agreed.");
    CHECK(left("Reuter") == "Reuter"); // the whole text is never a sign-off
    // Signed off twice; but only one word more.
    CHECK(left("Note: period ended February 28. REUTER\nReuter\n") == "Note: period ended February 28.");
    CHECK(left("Sales rose.\nBoard Chairman Smith\nReuter\n") == "Sales rose. Board Chairman Smith");
}

TEST_CASE("boilerplate: ticker and index codes") {
    CHECK(left("Exxon Corp <XON> said profits rose.") == "Exxon Corp said profits rose.");
    CHECK(left("Ericsson ( ERIC.ST ) and Nokia (NOK1V.HE) fell.") == "Ericsson and Nokia fell.");
    CHECK(left("The Dow Jones industrial average .DJI rose, the S&P 500 .SPX too.") ==
          "The Dow Jones industrial average rose, the S&P 500 too.");
    // Acronyms and sentences stay.
    CHECK(left("The International Coffee Organization (ICO) met.") ==
          "The International Coffee Organization (ICO) met.");
    CHECK(left("Prices rose. Then they fell.") == "Prices rose. Then they fell.");
    CHECK(left("Rates fell to 3.5 pct from 4 pct.") == "Rates fell to 3.5 pct from 4 pct.");
}

TEST_CASE("boilerplate: the opening names the outlet and ends where the story starts") {
    const std::string byline = "(Dave DeCamp, Antiwar.com) President Trump is open to backing militant groups.";
    Opening o = read_opening(byline);
    CHECK(o.source == "Antiwar.com");
    CHECK(byline.substr(o.end).rfind("President Trump", 0) == 0);
    const std::string wire = "TOKYO (Reuters) - Japan's exports rose in March.";
    o = read_opening(wire);
    CHECK(o.source == "Reuters");
    CHECK(wire.substr(o.end).rfind("Japan's", 0) == 0);
    const std::string dated = "HOUSTON, Feb 26 - Oil prices fell.";
    o = read_opening(dated);
    CHECK(o.source.empty());
    CHECK(dated.substr(o.end) == "Oil prices fell.");
    // A Reuters update's note is no byline: no outlet in it.
    CHECK(read_opening("(Adds detail on fourth-quarter charge, analyst comment) DETROIT, Jan 11 (Reuters) - "
                       "American Axle said...")
              .source == "Reuters");
    CHECK(read_opening("(Adds details and background, updates prices) Oil fell.").source.empty());
    o = read_opening("President Trump said on Tuesday he would veto the bill.");
    CHECK(o.end == 0);
    CHECK(o.source.empty());
}
