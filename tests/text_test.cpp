#include <doctest/doctest.h>

#include "common/text.h"

#include <unicode/locid.h>
#include <unicode/unistr.h>
#include <xapian.h>

using namespace news;

TEST_CASE("text: UTF-8 validation") {
    CHECK(is_valid_utf8("plain"));
    CHECK(is_valid_utf8("caf\xc3\xa9 \xe2\x80\x9cquoted\xe2\x80\x9d"));
    CHECK_FALSE(is_valid_utf8("caf\xe9"));
    CHECK_FALSE(is_valid_utf8("\xc0\xaf"));     // overlong
    CHECK_FALSE(is_valid_utf8("\xed\xa0\x80")); // surrogate
    CHECK_FALSE(is_valid_utf8("\xe2\x80"));     // truncated
}

TEST_CASE("text: bad bytes are repaired as Windows-1252") {
    bool repaired = false;
    CHECK(repair_utf8("caf\xe9", &repaired) == "caf\xc3\xa9");
    CHECK(repaired);
    CHECK(repair_utf8("\x93quote\x94") == "\xe2\x80\x9cquote\xe2\x80\x9d");
    CHECK(repair_utf8("fine", &repaired) == "fine");
    CHECK_FALSE(repaired);
    CHECK(is_valid_utf8(repair_utf8("\xff\xfe\x80\x81")));
}

TEST_CASE("text: NFC normalisation") {
    CHECK(nfc("cafe\xcc\x81") == "caf\xc3\xa9"); // e + combining acute -> é
    CHECK(nfc("ascii") == "ascii");
}

TEST_CASE("text: HTML escaping covers every special character") {
    CHECK(html_escape("<script>alert('x') & \"y\"</script>") ==
          "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
    CHECK(html_escape("AT&T's \xC3\xA9t\xC3\xA9") == "AT&amp;T&#39;s \xC3\xA9t\xC3\xA9");
    CHECK(html_escape("plain words") == "plain words");
    CHECK(html_escape("") == "");
    std::string out = "<b>";
    append_html_escaped(out, "1 < 2");
    CHECK(out == "<b>1 &lt; 2");
}

TEST_CASE("text: binary detection and control characters") {
    CHECK(looks_binary(std::string("abc\0def", 7)));
    CHECK_FALSE(looks_binary("Just a line of news.\n"));
    CHECK(strip_controls("a\x03"
                         "b\x01\tc\n") == "ab\tc\n");
}

TEST_CASE("text: cutting at a word boundary") {
    CHECK(cut_at_word("short", 10) == "short");
    std::string cut = cut_at_word("the quick brown fox jumps", 12);
    CHECK(cut == "the quick\u2026");
    CHECK(is_valid_utf8(cut_at_word("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 5)));
}

TEST_CASE("text: lower-casing beyond ASCII") {
    CHECK(to_lower("United States") == "united states");
    CHECK(to_lower("\xc3\x89TAT") == "\xc3\xa9tat");
    CHECK(to_lower("\xc4\xb0STANBUL") == "i\xcc\x87stanbul");                                  // U+0130 -> i + U+0307
    CHECK(to_lower("\xce\x9f\xce\x94\xce\x9f\xce\xa3") == "\xce\xbf\xce\xb4\xce\xbf\xcf\x82"); // final sigma
    CHECK(to_lower("\xce\xa3\xce\x91") == "\xcf\x83\xce\xb1");                                 // not final
}

namespace {
std::string icu_lower(const std::string& s) {
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), s.size()));
    u.toLower(icu::Locale::getRoot());
    std::string out;
    u.toUTF8String(out);
    return out;
}
} // namespace

// The indexer lower-cased entity names through ICU before; indexes built then
// must still be found, so to_lower agrees with ICU's root locale.
TEST_CASE("text: to_lower agrees with ICU's root-locale lower case") {
    long differ = 0;
    std::string first;
    for (unsigned c = 0x80; c < 0x30000; ++c) {
        if (c >= 0xD800 && c <= 0xDFFF) continue;
        // Characters assigned after the older of the two Unicode versions
        // can differ; the test is about every character both know.
        if (Xapian::Unicode::get_category(c) == Xapian::Unicode::UNASSIGNED) continue;
        std::string s;
        Xapian::Unicode::append_utf8(s, c);
        s = "A" + s + "b"; // inside a word, as names are
        if (to_lower(s) != icu_lower(s)) {
            if (first.empty()) first = s;
            ++differ;
        }
    }
    CHECK_MESSAGE(differ == 0, "first differing: ", first);
    for (const char* w : {"\xce\x9f\xce\x94\xce\x9f\xce\xa3 \xce\xa3\xce\x91", "\xce\xa3", "A\xce\xa3'",
                          "\xce\x91\xce\xa3.\xce\x92", "X\xce\xa3\xcc\x81 y"})
        CHECK(to_lower(w) == icu_lower(w));
}

// A newline in a file name once forged a line of newsindex's log.
TEST_CASE("text: printable escapes what could forge or hide a line") {
    CHECK(printable("plain caf\xc3\xa9.txt") == "plain caf\xc3\xa9.txt");
    CHECK(printable("x\nindexed 999.txt") == "x\\nindexed 999.txt");
    CHECK(printable("tab\there\r") == "tab\\there\\r");
    CHECK(printable("back\\slash") == "back\\\\slash");
    CHECK(printable("\x1b[31mred") == "\\x1b[31mred");
    CHECK(printable(std::string("nul\0", 4)) == "nul\\x00");
    CHECK(printable("bad \xff byte") == "bad \\xff byte");
    CHECK(printable("c1 \xc2\x9b csi") == "c1 \\u009b csi");
    CHECK(printable("rtl \xe2\x80\xae txt.exe") == "rtl \\u202e txt.exe");
    CHECK(printable("line\xe2\x80\xa8sep") == "line\\u2028sep");
}
