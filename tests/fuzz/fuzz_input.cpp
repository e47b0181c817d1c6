// libFuzzer target for the streaming Input (plain, gzip and zstd by magic
// bytes, then line splitting). The first byte chooses what the rest is:
// 0 the file as is (mutated compressed seeds reach the decompressors'
// error paths), 1 the rest gzip-compressed, 2 zstd-compressed (valid
// streams of fuzzed text), 3 gzip with its last byte cut. Decompressed
// lines must match the uncompressed text line for line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "indexer/input.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/test_util.h"

namespace {

// Lines as Input promises them: split on '\n', one trailing '\r' dropped.
std::vector<std::string> expected_lines(const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        size_t end = nl == std::string::npos ? text.size() : nl;
        std::string line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        out.push_back(std::move(line));
        if (nl == std::string::npos) break;
        start = nl + 1;
    }
    return out;
}

bool starts_compressed(const std::string& s) {
    return (s.size() >= 2 && static_cast<unsigned char>(s[0]) == 0x1f && static_cast<unsigned char>(s[1]) == 0x8b) ||
           (s.size() >= 4 && s.compare(0, 4, "\x28\xb5\x2f\xfd") == 0);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace news;
    if (size == 0) return 0;
    const int mode = data[0] % 4;
    const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::string file;
    switch (mode) {
    case 0: file = text; break;
    case 1: file = test::gzip_bytes(text); break;
    case 2: file = test::zstd_bytes(text); break;
    case 3:
        file = test::gzip_bytes(text);
        file.pop_back();
        break;
    }
    std::string path = fuzz::scratch_file("input.bin", file);
    std::vector<std::string> lines;
    bool failed = false;
    try {
        Input in(path);
        std::string line;
        long n = 0;
        while (in.read_line(line)) {
            lines.push_back(line);
            fuzz::require(in.line_number() == ++n, "line numbers count lines");
        }
        fuzz::require(in.bytes_read() <= static_cast<long long>(file.size()), "bytes_read within the file");
    } catch (const Error&) {
        failed = true;
    }
    if (mode == 1 || mode == 2) {
        fuzz::require(!failed, "a valid compressed stream reads without error");
        fuzz::require(lines == expected_lines(text), "decompressed lines equal the original text's lines");
    } else if (mode == 3) {
        fuzz::require(failed, "a truncated gzip stream is reported, not ended silently");
    } else if (!starts_compressed(text)) {
        fuzz::require(!failed, "plain text reads without error");
        fuzz::require(lines == expected_lines(text), "plain lines are the file's lines");
    }
    return 0;
}
