#include <doctest/doctest.h>

#include "common/codec.h"
#include "common/error.h"

using namespace news;

TEST_CASE("codec: an article survives encode and decode") {
    StoredArticle a;
    a.id = "r-17";
    a.title = "Kurdish groups \u201ctalk\u201d";
    a.date = "2026-03-04";
    a.source = "Reuters";
    a.path = "corpus/a.txt";
    a.url = "https://example.org/x";
    a.body = std::string(5000, 'x') + " caf\u00e9";
    a.entities = {{"PLACE", "United States", 3, 16}, {"PERSON", "Donald Trump", 40, 52}};
    CHECK(decode_article(encode_article(a)) == a);
}

TEST_CASE("codec: empty fields and no entities") {
    StoredArticle a;
    CHECK(decode_article(encode_article(a)) == a);
}

TEST_CASE("codec: corrupt data throws news::Error") {
    CHECK_THROWS_AS(decode_article("not zstd at all"), Error);
    StoredArticle a;
    a.body = "hello";
    std::string enc = encode_article(a);
    enc[enc.size() / 2] ^= 0x55;
    CHECK_THROWS_AS(decode_article(enc.substr(0, enc.size() - 3)), Error);
}
