#include "common/codec.h"

// ZSTD_c_literalCompressionMode is in zstd's advanced API (stable since 1.5.0).
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include <memory>

#include "common/error.h"

namespace news {
namespace {

constexpr char kFormatVersion = 1;
constexpr size_t kMaxDecoded = 256u << 20;

void put_varint(std::string& out, uint64_t v) {
    while (v >= 0x80) {
        out += static_cast<char>((v & 0x7F) | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
}

void put_string(std::string& out, std::string_view s) {
    put_varint(out, s.size());
    out.append(s.data(), s.size());
}

class Reader {
public:
    explicit Reader(std::string_view s) : s_(s) {}
    uint64_t varint() {
        uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos_ >= s_.size()) throw Error("document data truncated");
            auto b = static_cast<unsigned char>(s_[pos_++]);
            v |= static_cast<uint64_t>(b & 0x7F) << shift;
            if (!(b & 0x80)) return v;
        }
        throw Error("document data corrupt (varint)");
    }
    std::string string() {
        uint64_t n = varint();
        if (n > s_.size() - pos_) throw Error("document data truncated");
        std::string out(s_.substr(pos_, n));
        pos_ += n;
        return out;
    }
    char byte() {
        if (pos_ >= s_.size()) throw Error("document data truncated");
        return s_[pos_++];
    }

private:
    std::string_view s_;
    size_t pos_ = 0;
};

struct CCtxFree {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
    void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

} // namespace

std::string encode_article(const StoredArticle& a) {
    std::string raw;
    raw.reserve(a.body.size() + a.title.size() + 64 + a.entities.size() * 16);
    raw += kFormatVersion;
    for (const std::string* f : {&a.id, &a.title, &a.date, &a.source, &a.path, &a.url, &a.body}) put_string(raw, *f);
    put_varint(raw, a.entities.size());
    for (const auto& e : a.entities) {
        put_string(raw, e.type);
        put_string(raw, e.name);
        put_varint(raw, e.begin);
        put_varint(raw, e.end - e.begin);
    }
    // One compression context per thread: creating one per call costs more
    // than compressing a short article.
    // Literals are stored as they are, without Huffman coding: an article is
    // a few kilobytes, and decoding the Huffman-coded literals was most of
    // what reading one cost (3.4 -> 1.2 us an article on Reuters-21578; 5 %
    // of a whole newssearch run) for 19 % more bytes of document data. (So
    // that glass does not deflate these more compressible frames, newsindex
    // keeps zlib off them: indexer/no_deflate.cpp.) Any zstd frame
    // decodes, so older indexes read as before.
    thread_local std::unique_ptr<ZSTD_CCtx, CCtxFree> ctx = [] {
        std::unique_ptr<ZSTD_CCtx, CCtxFree> c(ZSTD_createCCtx());
        ZSTD_CCtx_setParameter(c.get(), ZSTD_c_compressionLevel, 3);
        ZSTD_CCtx_setParameter(c.get(), ZSTD_c_literalCompressionMode, ZSTD_ps_disable);
        return c;
    }();
    std::string out(ZSTD_compressBound(raw.size()), '\0');
    size_t n = ZSTD_compress2(ctx.get(), out.data(), out.size(), raw.data(), raw.size());
    if (ZSTD_isError(n)) throw Error(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
    out.resize(n);
    return out;
}

StoredArticle decode_article(std::string_view data) {
    unsigned long long size = ZSTD_getFrameContentSize(data.data(), data.size());
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxDecoded)
        throw Error("document data is not a newssearch record");
    thread_local std::unique_ptr<ZSTD_DCtx, DCtxFree> ctx(ZSTD_createDCtx());
    std::string raw(size, '\0');
    size_t n = ZSTD_decompressDCtx(ctx.get(), raw.data(), raw.size(), data.data(), data.size());
    if (ZSTD_isError(n) || n != size)
        throw Error(std::string("document data corrupt: ") + (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "size"));
    Reader r(raw);
    if (r.byte() != kFormatVersion) throw Error("document data from an unknown format version");
    StoredArticle a;
    for (std::string* f : {&a.id, &a.title, &a.date, &a.source, &a.path, &a.url, &a.body}) *f = r.string();
    uint64_t ne = r.varint();
    if (ne > raw.size()) throw Error("document data corrupt (entity count)");
    a.entities.reserve(ne);
    for (uint64_t i = 0; i < ne; ++i) {
        StoredEntity e;
        e.type = r.string();
        e.name = r.string();
        e.begin = static_cast<uint32_t>(r.varint());
        e.end = e.begin + static_cast<uint32_t>(r.varint());
        a.entities.push_back(std::move(e));
    }
    return a;
}

} // namespace news
