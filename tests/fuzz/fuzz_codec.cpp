// libFuzzer target for the document codec (common/codec.h). The first byte
// chooses the input: odd, the rest is the stored record as is (a zstd
// frame); even, the rest is zstd-compressed first so the record parser
// behind the decompressor sees fuzzed bytes. decode must throw news::Error
// or return an article that encodes and decodes back to itself.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/codec.h"
#include "common/error.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/test_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace news;
    if (size == 0) return 0;
    std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::string record = (data[0] & 1) ? rest : test::zstd_bytes(rest);
    StoredArticle a;
    try {
        a = decode_article(record);
    } catch (const Error&) {
        return 0;
    }
    fuzz::require(decode_article(encode_article(a)) == a, "decode(encode(a)) == a");
    return 0;
}
