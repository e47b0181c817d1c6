// Streams the lines of a zstd-compressed file (the JSON-lines corpora in
// ../shared/data and tools/make-scale-corpus output): shared by the tools
// that read them.
#pragma once

#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <zstd.h>

namespace news::tools {

struct DctxDeleter {
    void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

// Calls `line` for every line of a zstd-compressed file.
template <class F>
void for_each_zstd_line(const std::string& path, F&& line) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::unique_ptr<ZSTD_DCtx, DctxDeleter> dctx(ZSTD_createDCtx());
    std::vector<char> ibuf(ZSTD_DStreamInSize()), obuf(ZSTD_DStreamOutSize());
    std::string pending;
    while (in) {
        in.read(ibuf.data(), static_cast<std::streamsize>(ibuf.size()));
        ZSTD_inBuffer input {ibuf.data(), static_cast<size_t>(in.gcount()), 0};
        while (input.pos < input.size) {
            ZSTD_outBuffer output {obuf.data(), obuf.size(), 0};
            const size_t r = ZSTD_decompressStream(dctx.get(), &output, &input);
            if (ZSTD_isError(r)) throw std::runtime_error(path + ": " + ZSTD_getErrorName(r));
            pending.append(obuf.data(), output.pos);
            size_t start = 0, nl;
            while ((nl = pending.find('\n', start)) != std::string::npos) {
                line(std::string_view(pending).substr(start, nl - start));
                start = nl + 1;
            }
            pending.erase(0, start);
        }
    }
    if (!pending.empty()) line(pending);
}

} // namespace news::tools
