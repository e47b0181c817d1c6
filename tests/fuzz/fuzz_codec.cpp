// libFuzzer target for the document codec (common/codec.h). The first byte
// chooses the input: 1 mod 3, the rest is the stored record as is; 0 mod 3,
// the rest is zstd-compressed first (a record of the first format: the
// record parser behind the decompressor sees fuzzed bytes); 2 mod 3, the
// rest's first half becomes a skippable head frame and its second half is
// zstd-compressed behind it (the current format's two parsers see fuzzed
// bytes). decode must throw news::Error or return an article that encodes
// and decodes back to itself, and whose head decode_article_head agrees on.
#include <cstddef>
#include <cstdint>
#include <string>

#define ZSTD_STATIC_LINKING_ONLY // (ZSTD_writeSkippableFrame)
#include <zstd.h>

#include "common/codec.h"
#include "common/error.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/test_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace news;
    if (size == 0) return 0;
    std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::string record;
    switch (data[0] % 3) {
    case 0: record = test::zstd_bytes(rest); break;
    case 1: record = rest; break;
    default: {
        const std::string head = rest.substr(0, rest.size() / 2);
        record.resize(8 + head.size());
        ZSTD_writeSkippableFrame(record.data(), record.size(), head.data(), head.size(), 0);
        record += test::zstd_bytes(rest.substr(head.size()));
    }
    }
    StoredArticle head;
    try {
        head = decode_article_head(record);
    } catch (const Error&) {
        head.id = "(no head)";
    }
    StoredArticle a;
    try {
        a = decode_article(record);
    } catch (const Error&) {
        return 0;
    }
    fuzz::require(head.id == a.id && head.title == a.title && head.date == a.date && head.source == a.source &&
                      head.path == a.path && head.url == a.url && head.body.empty() && head.entities.empty(),
                  "a decodable record's head is its listing fields");
    fuzz::require(decode_article(encode_article(a)) == a, "decode(encode(a)) == a");
    return 0;
}
