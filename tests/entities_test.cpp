// Tests for the entity tagger (common/entities.*, common/ner_*): tokeniser,
// features, decoding, canonical names and aliases, the model file format,
// and the acceptance checks on the seed articles.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/entities.h"
#include "common/error.h"
#include "common/ner_conll.h"
#include "common/ner_model.h"
#include "common/ner_text.h"

#ifndef NEWS_SHARED_DIR
#define NEWS_SHARED_DIR "../shared"
#endif

namespace {

std::vector<std::string> norms(std::string_view text) {
    std::vector<std::string> out;
    for (const auto& t : news::ner::tokenize(text)) out.push_back(t.norm);
    return out;
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : "|") + s;
    return out;
}

std::string read_seed(const std::string& prefix) {
    const std::string dir = std::string(NEWS_SHARED_DIR) + "/seeds/";
    for (const char* name : {"000_dbe4ead79ec420c1.txt", "001_d377f9111801e515.txt", "002_d100f074147ca4fc.txt",
                             "003_fc77a1da018bc3ea.txt"}) {
        if (std::string(name).rfind(prefix, 0) == 0) {
            std::ifstream in(dir + name);
            std::stringstream ss;
            ss << in.rdbuf();
            return ss.str();
        }
    }
    return {};
}

bool has_mention(const std::vector<news::EntityMention>& ms, const std::string& type, const std::string& name) {
    return std::any_of(ms.begin(), ms.end(),
                       [&](const news::EntityMention& m) { return m.type == type && m.name == name; });
}

} // namespace

TEST_CASE("tokeniser splits like CoNLL-2003") {
    struct Case {
        const char* text;
        const char* tokens;
    };
    const Case cases[] = {
        {"Iran's security forces", "Iran|'s|security|forces"},
        {"Iran\xE2\x80\x99"
         "s army",
         "Iran|'s|army"},
        {"the U.S. military", "the|U.S.|military"},
        {"Mr. Smith said.", "Mr.|Smith|said|."},
        {"\xE2\x80\x9C"
         "create space\xE2\x80\x9D for",
         "\"|create|space|\"|for"},
        {"costs $3.5 billion, or 1,000 units", "costs|$|3.5|billion|,|or|1,000|units"},
        {"they don't know", "they|do|n't|know"},
        {"Kurdistan Workers' Party (PKK)", "Kurdistan|Workers|'|Party|(|PKK|)"},
        {"war\xE2\x80\x94"
         "and peace",
         "war|--|and|peace"},
        {"EU-wide rules", "EU-wide|rules"},
        {"AT&T and O'Brien", "AT&T|and|O'Brien"},
        {"1996-08-22", "1996-08-22"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        CHECK(join(norms(c.text)) == c.tokens);
    }
}

TEST_CASE("tokeniser keeps byte offsets and sentence starts") {
    const std::string text = "Iran\xE2\x80\x99"
                             "s forces. Erbil\n\nNext";
    const auto toks = news::ner::tokenize(text);
    REQUIRE(toks.size() == 6);
    CHECK(text.substr(toks[0].begin, toks[0].end - toks[0].begin) == "Iran");
    CHECK(text.substr(toks[1].begin, toks[1].end - toks[1].begin) == "\xE2\x80\x99"
                                                                     "s");
    CHECK(toks[0].sentence_start);
    CHECK_FALSE(toks[1].sentence_start);
    CHECK(toks[4].sentence_start); // after "."
    CHECK(toks[5].sentence_start); // after a blank line
}

TEST_CASE("hyphen split asks the caller") {
    auto split = [](std::string_view l, std::string_view r) { return l == "Iran" || r == "Iran"; };
    std::vector<std::string> out;
    for (const auto& t : news::ner::tokenize("the Iran-Iraq border and Coca-Cola", split)) out.push_back(t.norm);
    CHECK(join(out) == "the|Iran|-|Iraq|border|and|Coca-Cola");
}

TEST_CASE("word shapes and case helpers") {
    struct Case {
        const char* word;
        const char* shape;
        const char* short_shape;
    };
    const Case cases[] = {
        {"London", "Xxxxx", "Xx"}, {"1996-08-22", "dddd-dd-dd", "d-d-d"}, {"U.S.", "X.X.", "X.X."}, {"CIA", "XXX", "X"},
        {"Erbil", "Xxxxx", "Xx"},  {"\xC3\x89tienne", "Xxxxx", "Xx"},
    };
    std::string s;
    for (const Case& c : cases) {
        CAPTURE(c.word);
        news::ner::shape_into(c.word, s, false);
        CHECK(s == c.shape);
        news::ner::shape_into(c.word, s, true);
        CHECK(s == c.short_shape);
    }
    CHECK(news::ner::lower("\xC3\x89tienne DUPONT") == "\xC3\xA9tienne dupont");
    CHECK(news::ner::all_upper("U.S."));
    CHECK_FALSE(news::ner::all_upper("Iran"));
    CHECK(news::ner::starts_upper("Iran"));
}

TEST_CASE("features are deterministic and depend on the previous tag") {
    news::ner::Model m;
    m.build_tables();
    news::ner::Doc doc;
    doc.tokens = {"Donald", "Trump", "said"};
    doc.sentence_begin = {0};
    news::ner::FeatureExtractor fx(m);
    fx.prepare(doc);
    std::vector<uint64_t> a, b, c;
    fx.features(1, 1, -1, a);
    fx.features(1, 1, -1, b);
    fx.features(1, 0, -1, c);
    CHECK(a == b);
    CHECK(a != c);
    CHECK(a.size() > 20);
}

TEST_CASE("BILOU transitions and IOB conversions") {
    using namespace news::ner;
    const int b_per = make_label(kPer, kB), i_per = make_label(kPer, kI), l_per = make_label(kPer, kL),
              u_loc = make_label(kLoc, kU), l_org = make_label(kOrg, kL);
    struct Case {
        int prev, cur;
        bool last, ok;
    };
    const Case cases[] = {
        {-1, b_per, false, true},    {-1, i_per, false, false},    {b_per, i_per, false, true},
        {b_per, l_per, true, true},  {b_per, l_org, false, false}, {b_per, 0, false, false},
        {l_per, u_loc, false, true}, {-1, b_per, true, false},     {i_per, i_per, true, false},
        {0, 0, false, true},
    };
    for (const Case& c : cases) {
        CAPTURE(c.prev);
        CAPTURE(c.cur);
        CHECK(valid_transition(c.prev, c.cur, c.last) == c.ok);
    }
    CHECK(iob2_tag(b_per) == "B-PER");
    CHECK(iob2_tag(l_per) == "I-PER");
    CHECK(iob2_tag(u_loc) == "B-LOC");
    CHECK(iob2_tag(0) == "O");
    CHECK(to_iob2({"I-PER", "I-PER", "B-PER", "O", "I-LOC", "I-ORG"}) ==
          std::vector<std::string> {"B-PER", "I-PER", "B-PER", "O", "B-LOC", "B-ORG"});
}

TEST_CASE("CoNLL reader treats -DOCSTART- anywhere as a boundary") {
    std::istringstream in("EU NNP I-NP I-ORG\nrejects VBZ I-VP O\n\n-DOCSTART- -X- O O\n\nPeter NNP I-NP I-PER\n\n"
                          "-DOCSTART- -X- O O");
    const auto docs = news::ner::read_conll(in);
    REQUIRE(docs.size() == 2);
    CHECK(docs[0].sentences[0].tokens == std::vector<std::string> {"EU", "rejects"});
    CHECK(docs[0].sentences[0].tags == std::vector<std::string> {"I-ORG", "O"});
    CHECK(docs[1].sentences[0].tokens == std::vector<std::string> {"Peter"});
}

TEST_CASE("pre-tokenised tagging returns IOB2 CoNLL tags") {
    const auto& t = news::EntityTagger::instance();
    const auto tags = t.tag_tokens(
        {{"EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."}, {"Peter", "Blackburn"}});
    CHECK(tags ==
          std::vector<std::string> {"B-ORG", "O", "B-MISC", "O", "O", "O", "B-MISC", "O", "O", "B-PER", "I-PER"});
}

TEST_CASE("write_conll_tagging prints token gold predicted") {
    std::istringstream in("Peter NNP I-NP I-PER\nBlackburn NNP I-NP I-PER\n\n-DOCSTART- -X- O O\n");
    std::ostringstream out;
    news::write_conll_tagging(in, out);
    CHECK(out.str() == "Peter B-PER B-PER\nBlackburn I-PER I-PER\n\n-DOCSTART- O O\n\n");
}

TEST_CASE("canonical names and aliases") {
    const auto& t = news::EntityTagger::instance();
    struct Case {
        const char* type;
        const char* name;
        const char* canonical;
    };
    const Case cases[] = {
        {"PLACE", "US", "United States"},
        {"PLACE", "U.S.", "United States"},
        {"", "United States of America", "United States"},
        {"place", "america", "United States"},
        {"PLACE", "USA", "United States"},
        {"PLACE", "UK", "United Kingdom"},
        {"PLACE", "Britain", "United Kingdom"},
        {"PLACE", "Iran, Islamic Republic of", "Iran"},
        {"PLACE", "Islamic Republic of Iran", "Iran"},
        {"PLACE", "Russian Federation", "Russia"},
        {"ORG", "The Wall Street Journal", "Wall Street Journal"},
        {"PERSON", "Donald Trump", "Donald Trump"},
        {"ORG", "cia", "CIA"},
        {"PERSON", "donald trump", "Donald Trump"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.type);
        CAPTURE(c.name);
        CHECK(t.canonical(c.type, c.name) == c.canonical);
    }
}

TEST_CASE("mentions: possessives, offsets, acronyms, surnames") {
    const auto& t = news::EntityTagger::instance();
    const std::string text =
        "Iran\xE2\x80\x99"
        "s army clashed with the Kurdistan Democratic Party (KDP) on Monday, officials in "
        "Washington said. President Donald Trump spoke with KDP leaders. Trump said the U.S. would help.";
    const auto ms = t.tag(text);
    REQUIRE(!ms.empty());
    CHECK(text.substr(ms[0].begin, ms[0].end - ms[0].begin) == "Iran");
    CHECK(ms[0].name == "Iran");
    CHECK(ms[0].type == "PLACE");
    int kdp = 0, trump = 0;
    for (const auto& m : ms) {
        const std::string surface = text.substr(m.begin, m.end - m.begin);
        if (surface == "KDP") {
            ++kdp;
            CHECK(m.name == "Kurdistan Democratic Party");
        }
        if (surface == "Trump") {
            ++trump;
            CHECK(m.type == "PERSON");
            CHECK(m.name == "Donald Trump");
        }
        if (surface == "U.S.") CHECK(m.name == "United States");
    }
    CHECK(kdp == 2);
    CHECK(trump == 1);
    CHECK(has_mention(ms, "PLACE", "United States"));
    for (size_t i = 1; i < ms.size(); ++i) CHECK(ms[i - 1].end <= ms[i].begin);
}

TEST_CASE("tag_article_json gives type, name, text and offsets") {
    const auto j = nlohmann::json::parse(news::tag_article_json("Talks in Erbil ended."));
    REQUIRE(j.is_array());
    REQUIRE(j.size() == 1);
    CHECK(j[0]["type"] == "PLACE");
    CHECK(j[0]["name"] == "Erbil");
    CHECK(j[0]["text"] == "Erbil");
    CHECK(j[0]["begin"] == 9);
    CHECK(j[0]["end"] == 14);
}

TEST_CASE("model round trip: save, load, same output") {
    const std::string_view embedded = news::embedded_ner_model();
    REQUIRE(embedded.size() > 1000);
    const news::EntityTagger a(embedded);
    const news::EntityTagger b(a.model_bytes());
    CHECK(a.model_version() == b.model_version());
    CHECK(a.model_version() == news::EntityTagger::instance().model_version());
    const std::string text = read_seed("000");
    REQUIRE(!text.empty());
    const auto ma = a.tag(text), mb = b.tag(text);
    REQUIRE(ma.size() == mb.size());
    for (size_t i = 0; i < ma.size(); ++i) {
        CHECK(ma[i].name == mb[i].name);
        CHECK(ma[i].type == mb[i].type);
        CHECK(ma[i].begin == mb[i].begin);
    }
}

TEST_CASE("a corrupt model is reported, not crashed on") {
    CHECK_THROWS_AS(news::EntityTagger {"not a model"}, news::Error);
    std::string half(news::embedded_ner_model());
    half.resize(half.size() / 2);
    CHECK_THROWS_AS(news::EntityTagger {half}, news::Error);
}

TEST_CASE("seed articles: the product's acceptance checks") {
    const auto& t = news::EntityTagger::instance();
    const auto s0 = t.tag(read_seed("000")), s1 = t.tag(read_seed("001")), s2 = t.tag(read_seed("002")),
               s3 = t.tag(read_seed("003"));
    CHECK(has_mention(s0, "PERSON", "Donald Trump"));
    CHECK(has_mention(s3, "PERSON", "Donald Trump"));
    CHECK(has_mention(s0, "PLACE", "Erbil"));
    CHECK(has_mention(s1, "PLACE", "Erbil"));
    CHECK(has_mention(s0, "ORG", "CIA"));
    CHECK(has_mention(s1, "ORG", "CIA"));
    CHECK(has_mention(s2, "ORG", "CIA"));
    CHECK(has_mention(s2, "ORG", "Wall Street Journal"));
    CHECK(has_mention(s3, "ORG", "Wall Street Journal"));
    for (const auto* s : {&s0, &s1, &s2, &s3}) {
        CHECK(has_mention(*s, "PLACE", "United States"));
        for (const auto& m : *s) {
            CHECK(m.name != "US");
            CHECK(m.name != "U.S.");
        }
    }
}

TEST_CASE("any letter case: upper-, lower- and title-case text keeps its entities") {
    // Telex-era wires, old magazines and headlines are written in one case;
    // the tagger reads such sentences without case (common/ner_model.cpp).
    struct Case {
        const char* text;
        std::vector<std::pair<std::string, std::string>> expected; // type, canonical name
    };
    const std::vector<Case> cases = {
        {"PRESIDENT REAGAN MET PRIME MINISTER MARGARET THATCHER IN LONDON ON TUESDAY.",
         {{"PERSON", "Reagan"}, {"PERSON", "Margaret Thatcher"}, {"PLACE", "London"}}},
        {"OPEC OIL MINISTERS WILL MEET IN VIENNA NEXT WEEK, SAUDI ARABIA SAID.",
         {{"ORG", "OPEC"}, {"PLACE", "Vienna"}, {"PLACE", "Saudi Arabia"}}},
        {"THE BANK OF ENGLAND LEFT INTEREST RATES UNCHANGED.", {{"ORG", "Bank of England"}}},
        {"president reagan met prime minister margaret thatcher in london on tuesday.",
         {{"PERSON", "Reagan"}, {"PERSON", "Margaret Thatcher"}, {"PLACE", "London"}}},
        {"opec oil ministers will meet in vienna next week, saudi arabia said.",
         {{"ORG", "OPEC"}, {"PLACE", "Vienna"}, {"PLACE", "Saudi Arabia"}}},
        {"german chancellor angela merkel said on monday that greece must stay in the euro zone.",
         {{"PERSON", "Angela Merkel"}, {"PLACE", "Greece"}, {"MISC", "German"}}},
        {"Merkel Says Greece Must Stay In Euro Zone", {{"PERSON", "Merkel"}, {"PLACE", "Greece"}}},
        {"Reagan Meets Thatcher In London", {{"PERSON", "Reagan"}, {"PLACE", "London"}}},
        {"General Motors Profit Rises In First Quarter", {{"ORG", "General Motors"}}},
    };
    const auto& t = news::EntityTagger::instance();
    for (const Case& c : cases) {
        CAPTURE(c.text);
        const auto ms = t.tag(c.text);
        for (const auto& [type, name] : c.expected) {
            CAPTURE(name);
            CHECK(has_mention(ms, type, name));
        }
        // No mention is a common word ("Says", "Profit", "MINISTERS").
        for (const auto& m : ms) {
            CAPTURE(m.name);
            CHECK(m.name.find("Says") == std::string::npos);
            CHECK(m.name.find("Profit") == std::string::npos);
            CHECK(m.name.find("Ministers") == std::string::npos);
        }
    }
}

TEST_CASE("canonical case: names written in capitals or lower case read as news writes them") {
    const auto& t = news::EntityTagger::instance();
    CHECK(has_mention(t.tag("RIOTS SPREAD FROM KARACHI TO LAHORE ON FRIDAY."), "PLACE", "Karachi"));
    CHECK(has_mention(t.tag("riots spread from karachi to lahore on friday."), "PLACE", "Karachi"));
    CHECK(has_mention(t.tag("Riots spread from Karachi to Lahore on Friday."), "PLACE", "Karachi"));
    // Acronyms keep their capitals in lower-case text.
    CHECK(has_mention(t.tag("opec oil ministers will meet in vienna next week."), "ORG", "OPEC"));
}

TEST_CASE("company suffixes decide ORG and end the company's name") {
    const auto& t = news::EntityTagger::instance();
    const auto ms = t.tag("Rand Mines Properties Ltd said it sold its stake to Mill City Gold Inc of Toronto.");
    CHECK(has_mention(ms, "ORG", "Rand Mines Properties Ltd"));
    CHECK(has_mention(ms, "ORG", "Mill City Gold Inc"));
    CHECK(has_mention(ms, "PLACE", "Toronto"));
    CHECK(has_mention(t.tag("GENERAL MOTORS CORP SAID ITS PROFIT ROSE IN THE FIRST QUARTER."), "ORG",
                      "General Motors Corp"));
}

TEST_CASE("a firm named after people is ORG where its context says so, in the whole article") {
    const auto& t = news::EntityTagger::instance();
    const auto ms = t.tag("Shares of mortgage finance giants Fannie Mae and Freddie Mac fell on Monday. \"The market "
                          "is nervous,\" said Matt Arnold, an analyst at Edward Jones in St. Louis. Fannie Mae said "
                          "it would raise capital. Warren Buffett said he was buying.");
    CHECK(has_mention(ms, "ORG", "Fannie Mae"));
    CHECK_FALSE(has_mention(ms, "PERSON", "Fannie Mae")); // also where it only "said"
    CHECK(has_mention(ms, "ORG", "Freddie Mac"));         // its partner in the list
    CHECK(has_mention(ms, "ORG", "Edward Jones"));
    CHECK(has_mention(ms, "PERSON", "Matt Arnold"));
    CHECK(has_mention(ms, "PERSON", "Warren Buffett"));
    CHECK(has_mention(t.tag("Edward Jones analyst Tom Smith agreed with the forecast."), "ORG", "Edward Jones"));
}

TEST_CASE("a firm whose name holds \"and\" is one organisation; two firms stay two") {
    const auto& t = news::EntityTagger::instance();
    const auto ms = t.tag("Brian Waterhouse, an analyst at James Capel and Co., said American Telephone and "
                          "Telegraph Co agreed to buy the unit. Standard and Poor's Corp cut its rating. Procter "
                          "and Gamble Co said. Exxon and Mobil Corp said. Cheung Kong and Hutchison Whampoa Ltd rose.");
    CHECK(has_mention(ms, "ORG", "James Capel and Co."));
    CHECK_FALSE(has_mention(ms, "PERSON", "James Capel"));
    CHECK(has_mention(ms, "ORG", "American Telephone and Telegraph Co"));
    CHECK_FALSE(has_mention(ms, "ORG", "Telegraph Co"));
    CHECK(has_mention(ms, "ORG", "Standard and Poor's Corp"));
    CHECK(has_mention(ms, "ORG", "Procter and Gamble Co"));
    CHECK(has_mention(ms, "ORG", "Mobil Corp")); // "Mobil" is no lower-case word: two firms
    CHECK(has_mention(ms, "ORG", "Exxon"));
    CHECK(has_mention(ms, "ORG", "Hutchison Whampoa Ltd"));
    const auto two = t.tag("Fed Chairman Ben Bernanke and Federal Deposit Insurance Corp Chairman Sheila Bair met.");
    CHECK(has_mention(two, "PERSON", "Ben Bernanke"));
    CHECK_FALSE(has_mention(two, "ORG", "Ben Bernanke and Federal Deposit Insurance Corp"));
    CHECK(has_mention(t.tag("Cheung Kong and Hutchison rose. The Cheung Kong group has bought a stake."), "ORG",
                      "Cheung Kong"));
    const auto gatt = t.tag("Talks of the General Agreement on Tariffs and Trade (GATT) resume. The Bank on "
                            "Monday said the Ministry of Defence had called.");
    CHECK(has_mention(gatt, "ORG", "General Agreement on Tariffs and Trade"));
    CHECK_FALSE(has_mention(gatt, "ORG", "General Agreement"));
    CHECK_FALSE(has_mention(gatt, "ORG", "Bank on Monday"));
}

TEST_CASE("crude grades are products; water and land forms are places; a bare head word is no name") {
    const auto& t = news::EntityTagger::instance();
    const auto ms = t.tag("West Texas Intermediate crude rose while Brent crude fell. Brent later recovered. "
                          "Sun raised its posting for Light Louisiana Sweet. Iraq crude exports rose. Tankers "
                          "crossed the Strait of Hormuz. The Bank said the Commission would meet.");
    for (std::string grade : {"West Texas Intermediate", "Brent", "Louisiana Sweet"}) {
        CAPTURE(grade);
        CHECK(has_mention(ms, "MISC", grade));
        for (const char* type : {"ORG", "PERSON", "PLACE"}) CHECK_FALSE(has_mention(ms, type, grade));
    }
    CHECK(has_mention(ms, "PLACE", "Iraq")); // a country keeps its type before "crude"
    CHECK(has_mention(ms, "PLACE", "Strait of Hormuz"));
    CHECK_FALSE(has_mention(ms, "ORG", "Bank"));
    CHECK_FALSE(has_mention(ms, "ORG", "Commission"));
    const auto wti = t.tag("The increase brings West Texas Intermediate, the U.S. benchmark grade, to 19.00 dlrs. "
                           "The posted price for Alaska North Slope rose. Prices for Exxon Corp shares fell.");
    CHECK_FALSE(has_mention(wti, "ORG", "West Texas Intermediate"));
    CHECK_FALSE(has_mention(wti, "PLACE", "West Texas Intermediate"));
    CHECK_FALSE(has_mention(wti, "PLACE", "Alaska North Slope"));
    CHECK(has_mention(wti, "ORG", "Exxon Corp"));
}

TEST_CASE("a country code the tagger reads as a company is no country") {
    const auto& t = news::EntityTagger::instance();
    const auto ms = t.tag("GM has been struggling with weak sales, and GM lost $10.6 billion in Detroit.");
    CHECK_FALSE(has_mention(ms, "PLACE", "Gambia"));
    CHECK(has_mention(t.tag("Exports to the U.S. rose in March, officials in Washington said."), "PLACE",
                      "United States"));
}

TEST_CASE("boilerplate is not tagged: datelines, bylines, credits, sign-offs") {
    const auto& t = news::EntityTagger::instance();
    const auto wire = t.tag("TOKYO  (Reuters) - Japan Airlines Corp cut routes, the Yomiuri Shimbun said. "
                            "(Reporting by David Dolan; Editing by Kim Coghill)");
    CHECK(has_mention(wire, "ORG", "Japan Airlines Corp"));
    CHECK(!has_mention(wire, "PLACE", "Tokyo"));
    CHECK(!has_mention(wire, "ORG", "Reuters"));
    CHECK(!has_mention(wire, "PERSON", "David Dolan"));
    CHECK(!has_mention(wire, "PERSON", "Kim Coghill"));
    const auto signed_off = t.tag("Oil prices rose in Houston on Monday, traders said.\n Reuter\n");
    for (const auto& m : signed_off) CHECK(m.name != "Reuter");
    const auto byline = t.tag("(Dave DeCamp, Antiwar.com) President Trump is open to backing militant groups.");
    CHECK(has_mention(byline, "PERSON", "Trump"));
    CHECK(!has_mention(byline, "PERSON", "Dave DeCamp"));
    for (const auto& m : byline) CHECK(m.name != "Antiwar.com");
}

TEST_CASE("fragments: no mention ends in a function word or is bare punctuation") {
    const auto& t = news::EntityTagger::instance();
    for (const char* text : {"U.S. OFFICIALS WHEN ASKED SAID THE GOVERNMENT TO ACT.",
                             "Government to sell stake in Air France & KLM, officials said."}) {
        CAPTURE(text);
        for (const auto& m : t.tag(text)) {
            CAPTURE(m.name);
            CHECK(m.name != "&");
            CHECK(m.name.find(" to") == std::string::npos);
            CHECK(m.name.find(" when") == std::string::npos);
            CHECK(m.name != "Government");
        }
    }
}
