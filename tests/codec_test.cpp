#include <doctest/doctest.h>

#include <zstd.h>

#include <string>
#include <string_view>

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

namespace {

// A record as the first format wrote it: one zstd frame holding version
// byte 1, the fields, the body and the entity spans.
std::string format_one(const StoredArticle& a) {
    auto put = [](std::string& out, std::string_view s) {
        out += static_cast<char>(s.size()); // (short strings: one varint byte)
        out += s;
    };
    std::string raw(1, '\1');
    for (const std::string* f : {&a.id, &a.title, &a.date, &a.source, &a.path, &a.url, &a.body}) put(raw, *f);
    raw += static_cast<char>(a.entities.size());
    for (const auto& e : a.entities) {
        put(raw, e.type);
        put(raw, e.name);
        raw += static_cast<char>(e.begin);
        raw += static_cast<char>(e.end - e.begin);
    }
    std::string out(ZSTD_compressBound(raw.size()), '\0');
    out.resize(ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), 3));
    return out;
}

StoredArticle sample() {
    StoredArticle a;
    a.id = "r-17";
    a.title = "Port strike";
    a.date = "2026-03-04";
    a.source = "Reuters";
    a.path = "corpus/a.txt";
    a.url = "https://example.org/x";
    a.body = "Dockworkers in Leixoes walked out on Monday.";
    a.entities = {{"PLACE", "Leixoes", 15, 22}};
    return a;
}

} // namespace

TEST_CASE("codec: the head of a record is its listing fields, without body or spans") {
    StoredArticle a = sample();
    StoredArticle head = a;
    head.body.clear();
    head.entities.clear();
    CHECK(decode_article_head(encode_article(a)) == head);
    // The head is read without the body's frame: a record whose body frame
    // is cut off still gives its head, and only the whole decode fails.
    std::string enc = encode_article(a);
    std::string cut = enc.substr(0, enc.size() - 5);
    CHECK(decode_article_head(cut) == head);
    CHECK_THROWS_AS(decode_article(cut), Error);
    // A cut inside the head fails too.
    CHECK_THROWS_AS(decode_article_head(enc.substr(0, 12)), Error);
}

TEST_CASE("codec: a record of the first format still decodes, whole and head") {
    StoredArticle a = sample();
    const std::string old = format_one(a);
    CHECK(decode_article(old) == a);
    StoredArticle head = decode_article_head(old);
    CHECK(head.id == a.id);
    CHECK(head.path == a.path);
    CHECK(head.body.empty());
}

TEST_CASE("codec: a record is a zstd stream whose content is the body and spans") {
    // (The head is a skippable frame: zstd tools see only the rest.)
    const std::string enc = encode_article(sample());
    std::string out(4096, '\0');
    size_t n = ZSTD_decompress(out.data(), out.size(), enc.data(), enc.size());
    REQUIRE_FALSE(ZSTD_isError(n));
    out.resize(n);
    CHECK(out.find("Dockworkers in Leixoes") != std::string::npos);
    CHECK(out.find("example.org") == std::string::npos);
}

TEST_CASE("codec: varints round-trip, boundaries included") {
    const uint64_t values[] = {0,         1, 127, 128, 255, 16383, 16384, (1ULL << 32) - 1, 1ULL << 32, UINT64_MAX - 1,
                               UINT64_MAX};
    std::string all;
    for (uint64_t v : values) {
        std::string one;
        put_varint(one, v);
        size_t pos = 0;
        CHECK(get_varint(one, pos) == v);
        CHECK(pos == one.size());
        all += one;
    }
    size_t pos = 0;
    for (uint64_t v : values) CHECK(get_varint(all, pos) == v);
    CHECK(pos == all.size());
}

TEST_CASE("codec: varint sizes at the 7-bit boundaries") {
    struct Case {
        uint64_t value;
        size_t bytes;
    };
    for (const Case& c : {Case {0, 1}, Case {127, 1}, Case {128, 2}, Case {1ULL << 32, 5}, Case {UINT64_MAX, 10}}) {
        std::string out;
        put_varint(out, c.value);
        CHECK(out.size() == c.bytes);
    }
    std::string out;
    put_varint(out, 128);
    CHECK(out == std::string("\x80\x01", 2));
}

TEST_CASE("codec: a truncated or overlong varint is rejected, the position kept") {
    std::string big;
    put_varint(big, UINT64_MAX);
    for (size_t n = 0; n < big.size(); ++n) {
        size_t pos = 0;
        CHECK_FALSE(get_varint(std::string_view(big).substr(0, n), pos).has_value());
        CHECK(pos == 0);
    }
    size_t pos = 1;
    CHECK_FALSE(get_varint(std::string("\x05\x80", 2), pos).has_value()); // ends inside the second
    CHECK(pos == 1);
    pos = 0;
    CHECK_FALSE(get_varint(std::string(10, '\xff') + '\x01', pos).has_value()); // eleven bytes
    pos = 0;
    CHECK_FALSE(get_varint(std::string(9, '\xff') + '\x02', pos).has_value()); // bit 65
}
