#include <doctest/doctest.h>

#include "common/text.h"

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
}
