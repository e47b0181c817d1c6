// indexer/no_deflate.cpp, linked into this program as into newsindex: the
// one-shot calls Xapian makes get "incompressible" at once, and anything
// else still deflates as zlib does, also on a stream whose reset skipped
// clearing the match table.
#include <doctest/doctest.h>

#include <zlib.h>

#include <string>

namespace {

// Xapian's glass stream: raw deflate, memLevel 9.
struct Stream {
    z_stream zs {};
    Stream() { REQUIRE(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) == Z_OK); }
    ~Stream() { deflateEnd(&zs); }
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;
};

// Text with long repeats, so that deflate finds matches through its table.
std::string sample(int seed) {
    std::string s;
    for (int i = 0; i < 400; ++i)
        s += "word" + std::to_string((i * 7 + seed) % 23) + " the wire story " + std::to_string(seed) + "\n";
    return s;
}

// Deflates `in` in two calls (not one-shot), so zlib does the work.
std::string deflate_in_two(z_stream& zs, const std::string& in) {
    std::string out(deflateBound(&zs, static_cast<uLong>(in.size())) + 64, '\0');
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const size_t half = in.size() / 2;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(half);
    REQUIRE(deflate(&zs, Z_NO_FLUSH) == Z_OK);
    zs.avail_in += static_cast<uInt>(in.size() - half);
    REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
    out.resize(zs.total_out);
    return out;
}

std::string inflate_raw(const std::string& in, const std::string& dictionary = {}) {
    z_stream zs {};
    REQUIRE(inflateInit2(&zs, -15) == Z_OK);
    if (!dictionary.empty())
        REQUIRE(inflateSetDictionary(&zs, reinterpret_cast<const Bytef*>(dictionary.data()),
                                     static_cast<uInt>(dictionary.size())) == Z_OK);
    std::string out(1 << 20, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    inflateEnd(&zs);
    CHECK(rc == Z_STREAM_END);
    return out;
}

} // namespace

TEST_CASE("no_deflate: a one-shot deflate is answered 'incompressible', nothing written") {
    Stream s;
    for (int round = 0; round < 3; ++round) {
        REQUIRE(deflateReset(&s.zs) == Z_OK);
        std::string in = sample(round), out(in.size() * 2, '\0');
        s.zs.next_in = reinterpret_cast<Bytef*>(in.data());
        s.zs.avail_in = static_cast<uInt>(in.size());
        s.zs.next_out = reinterpret_cast<Bytef*>(out.data());
        s.zs.avail_out = static_cast<uInt>(out.size());
        CHECK(deflate(&s.zs, Z_FINISH) == Z_BUF_ERROR);
        CHECK(s.zs.total_out == 0);
        CHECK(s.zs.avail_in == in.size());
    }
}

TEST_CASE("no_deflate: after resets that skip the table, zlib's deflate still round-trips") {
    Stream s;
    for (int round = 0; round < 4; ++round) {
        CAPTURE(round);
        REQUIRE(deflateReset(&s.zs) == Z_OK);
        const std::string in = sample(round);
        const std::string packed = deflate_in_two(s.zs, in);
        CHECK(packed.size() < in.size() / 4); // (matches were found)
        CHECK(inflate_raw(packed) == in);
    }
}

TEST_CASE("no_deflate: a dictionary set after such a reset is used as in zlib") {
    Stream s;
    const std::string dictionary = sample(9);
    for (int round = 0; round < 2; ++round) {
        CAPTURE(round);
        REQUIRE(deflateReset(&s.zs) == Z_OK);
        REQUIRE(deflateSetDictionary(&s.zs, reinterpret_cast<const Bytef*>(dictionary.data()),
                                     static_cast<uInt>(dictionary.size())) == Z_OK);
        const std::string in = sample(9) + sample(round);
        const std::string packed = deflate_in_two(s.zs, in);
        CHECK(inflate_raw(packed, dictionary) == in);
    }
}
