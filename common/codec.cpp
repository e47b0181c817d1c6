#include "common/codec.h"

// ZSTD_c_literalCompressionMode is in zstd's advanced API (stable since 1.5.0).
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include <algorithm>
#include <array>
#include <memory>

#include "common/error.h"

namespace news {
namespace {

// Format 2 (written): a zstd skippable frame holding version byte 2 and
// the fields a listing shows (id, title, date, source, path, url), then a
// zstd frame holding the body and the entity spans, so that a listing
// reads its fields without decompressing. Format 1 (still read): one zstd
// frame holding version byte 1, those fields, the body and the spans.
constexpr char kFormatVersion = 2;
constexpr char kFormatOne = 1;
constexpr size_t kMaxDecoded = 256u << 20;

void put_string(std::string& out, std::string_view s) {
    put_varint(out, s.size());
    out.append(s.data(), s.size());
}

class Reader {
public:
    explicit Reader(std::string_view s) : s_(s) {}
    uint64_t varint() {
        std::optional<uint64_t> v = get_varint(s_, pos_);
        if (v) return *v;
        // (Data that ends inside a varint was cut short; else it is too long.)
        const bool cut = std::all_of(s_.begin() + static_cast<std::ptrdiff_t>(pos_), s_.end(),
                                     [](char c) { return (static_cast<unsigned char>(c) & 0x80) != 0; });
        throw Error(cut ? "document data truncated" : "document data corrupt (varint)");
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
    bool done() const { return pos_ == s_.size(); }

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

// The fields a listing shows, in record order.
template <typename Article> // StoredArticle, const or not
auto head_fields(Article& a) {
    return std::array {&a.id, &a.title, &a.date, &a.source, &a.path, &a.url};
}

// The body and the entity spans, as encoded.
void read_body(Reader& r, size_t limit, StoredArticle& a) {
    a.body = r.string();
    uint64_t ne = r.varint();
    if (ne > limit) throw Error("document data corrupt (entity count)");
    a.entities.reserve(ne);
    for (uint64_t i = 0; i < ne; ++i) {
        StoredEntity e;
        e.type = r.string();
        e.name = r.string();
        e.begin = static_cast<uint32_t>(r.varint());
        e.end = e.begin + static_cast<uint32_t>(r.varint());
        a.entities.push_back(std::move(e));
    }
}

// The content of the zstd frame `data`.
std::string decompress(std::string_view data) {
    unsigned long long size = ZSTD_getFrameContentSize(data.data(), data.size());
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxDecoded)
        throw Error("document data is not a newssearch record");
    thread_local std::unique_ptr<ZSTD_DCtx, DCtxFree> ctx(ZSTD_createDCtx());
    std::string raw(size, '\0');
    size_t n = ZSTD_decompressDCtx(ctx.get(), raw.data(), raw.size(), data.data(), data.size());
    if (ZSTD_isError(n) || n != size)
        throw Error(std::string("document data corrupt: ") + (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "size"));
    return raw;
}

// Decodes a record; the body and spans only when `whole`.
StoredArticle decode(std::string_view data, bool whole) {
    StoredArticle a;
    if (!ZSTD_isSkippableFrame(data.data(), data.size())) {
        // Format 1: everything in one frame.
        std::string raw = decompress(data);
        Reader r(raw);
        if (r.byte() != kFormatOne) throw Error("document data from an unknown format version");
        for (std::string* f : head_fields(a)) *f = r.string();
        if (whole) read_body(r, raw.size(), a);
        return a;
    }
    const size_t head_size = ZSTD_findFrameCompressedSize(data.data(), data.size());
    if (ZSTD_isError(head_size) || head_size < 8 || head_size > data.size())
        throw Error("document data is not a newssearch record");
    Reader h(data.substr(8, head_size - 8)); // (after the magic number and the size)
    if (h.byte() != kFormatVersion) throw Error("document data from an unknown format version");
    for (std::string* f : head_fields(a)) *f = h.string();
    if (!h.done()) throw Error("document data corrupt (header)");
    if (whole) {
        std::string raw = decompress(data.substr(head_size));
        Reader r(raw);
        read_body(r, raw.size(), a);
    }
    return a;
}

} // namespace

void put_varint(std::string& out, uint64_t v) {
    while (v >= 0x80) {
        out += static_cast<char>((v & 0x7F) | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
}

std::optional<uint64_t> get_varint(std::string_view data, size_t& pos) {
    uint64_t v = 0;
    for (size_t at = pos, shift = 0; at < data.size() && shift < 64; ++at, shift += 7) {
        const auto b = static_cast<unsigned char>(data[at]);
        const uint64_t bits = b & 0x7F;
        if (shift == 63 && bits > 1) return std::nullopt; // (past 64 bits)
        v |= bits << shift;
        if (!(b & 0x80)) {
            pos = at + 1;
            return v;
        }
    }
    return std::nullopt;
}

std::string encode_article(const StoredArticle& a) {
    std::string head, rest;
    head += kFormatVersion;
    for (const std::string* f : head_fields(a)) put_string(head, *f);
    rest.reserve(a.body.size() + 16 + a.entities.size() * 16);
    put_string(rest, a.body);
    put_varint(rest, a.entities.size());
    for (const auto& e : a.entities) {
        put_string(rest, e.type);
        put_string(rest, e.name);
        put_varint(rest, e.begin);
        put_varint(rest, e.end - e.begin);
    }
    // One compression context per thread: creating one per call costs more
    // than compressing a short article.
    // Literals are stored as they are, without Huffman coding: an article is
    // a few kilobytes, and decoding the Huffman-coded literals was most of
    // what reading one cost, for a fifth more bytes of document data. (Glass
    // tries zlib on every tag it writes and keeps the result only when
    // smaller; it has no option to skip that.) Any zstd frame decodes, so
    // older indexes read as before.
    thread_local std::unique_ptr<ZSTD_CCtx, CCtxFree> ctx = [] {
        std::unique_ptr<ZSTD_CCtx, CCtxFree> c(ZSTD_createCCtx());
        ZSTD_CCtx_setParameter(c.get(), ZSTD_c_compressionLevel, 3);
        ZSTD_CCtx_setParameter(c.get(), ZSTD_c_literalCompressionMode, ZSTD_ps_disable);
        return c;
    }();
    std::string out(8 + head.size() + ZSTD_compressBound(rest.size()), '\0');
    size_t h = ZSTD_writeSkippableFrame(out.data(), out.size(), head.data(), head.size(), 0);
    if (ZSTD_isError(h)) throw Error(std::string("zstd framing failed: ") + ZSTD_getErrorName(h));
    size_t n = ZSTD_compress2(ctx.get(), out.data() + h, out.size() - h, rest.data(), rest.size());
    if (ZSTD_isError(n)) throw Error(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
    out.resize(h + n);
    return out;
}

StoredArticle decode_article(std::string_view data) { return decode(data, true); }

StoredArticle decode_article_head(std::string_view data) { return decode(data, false); }

} // namespace news
