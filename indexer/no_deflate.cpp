// Keeps zlib out of newsindex's writing. Xapian's glass backend deflates
// every document-data, termlist and spelling tag it writes (one deflate()
// call with Z_FINISH) and keeps the result only when it came out smaller.
// - Document data is a zstd frame (common/codec.h) with its literals left
//   uncoded so that articles decode fast; deflate would shrink those frames
//   and make every read inflate them, and deflating them cost 8.7% of the
//   instructions of a build (callgrind, 2,000 Reuters-21578 articles).
// - Termlists and the spelling table shrink, but deflating them was 5-10%
//   of a build's CPU time on Reuters-21578 (two cores; the writer thread,
//   which limits the run, does it) for 9% more index (0.83x -> 0.91x
//   omindex's size). Searches do not read termlists; more-like-this reads
//   one, uncompressed now.
//
// This definition of zlib's deflate() is part of the newsindex program only
// (not of a library, so the linker always takes it), and the dynamic linker
// binds libxapian's calls to it instead of zlib's own. A one-shot call (all
// input at once, Z_FINISH from the start) is answered at once with
// Z_BUF_ERROR, nothing written: glass takes that for "incompressible" and
// stores the tag as it is, which every reader reads (a tag is inflated only
// when it is marked compressed). Any other call goes to zlib's deflate();
// nothing in newsindex makes one today.
//
// Glass resets its stream before every tag, and zlib's deflateReset()
// clears the 128 KiB match table of Xapian's memLevel 9 each time: two
// resets an article in the segment writer, the thread that limits a
// two-core build, and one a spelling entry in the merge (callgrind over
// 3,000 Reuters-21578 articles: 40,482 resets, 5.3 GB cleared). The
// one-shot calls above never use the table, so deflateReset() here resets
// the stream only (zlib's deflateResetKeep(), what deflateReset() does
// before clearing the table) and marks it in `reserved`, a field zlib
// leaves to its callers; the first call that lets zlib work on a marked
// stream does the full reset before it.
#include <dlfcn.h>
#include <zlib.h>

namespace {

// Marks a stream whose match table deflateReset() left as it was.
constexpr uLong kTableNotCleared = 0x6e6f6e65;

template <class Fn>
Fn zlib(const char* name) {
    return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

using ResetFn = int (*)(z_streamp);

// zlib's own full reset of a marked stream (table cleared); Z_OK otherwise.
int full_reset_if_marked(z_streamp strm) {
    if (!strm || strm->reserved != kTableNotCleared) return Z_OK;
    static const auto reset = zlib<ResetFn>("deflateReset");
    strm->reserved = 0;
    return reset ? reset(strm) : Z_STREAM_ERROR;
}

// zlib's `fn` on `strm`, after the full reset its mark asks for.
template <class... Params, class... Args>
int after_full_reset(int (*fn)(z_streamp, Params...), z_streamp strm, Args... args) {
    if (int rc = full_reset_if_marked(strm); rc != Z_OK) return rc;
    return fn ? fn(strm, args...) : Z_STREAM_ERROR;
}

} // namespace

extern "C" int deflateReset(z_streamp strm) {
    static const auto keep = zlib<ResetFn>("deflateResetKeep");
    if (!keep) {
        static const auto reset = zlib<ResetFn>("deflateReset");
        return reset ? reset(strm) : Z_STREAM_ERROR;
    }
    const int rc = keep(strm);
    if (rc == Z_OK) strm->reserved = kTableNotCleared;
    return rc;
}

extern "C" int deflate(z_streamp strm, int flush) {
    if (strm && flush == Z_FINISH && strm->total_in == 0) return Z_BUF_ERROR;
    static const auto fn = zlib<int (*)(z_streamp, int)>("deflate");
    return after_full_reset(fn, strm, flush);
}

// The other calls that read or set up the match state between a reset and
// the first deflate(): the full reset first, so they work as in zlib.
extern "C" int deflateSetDictionary(z_streamp strm, const Bytef* dictionary, uInt length) {
    static const auto fn = zlib<int (*)(z_streamp, const Bytef*, uInt)>("deflateSetDictionary");
    return after_full_reset(fn, strm, dictionary, length);
}

extern "C" int deflateGetDictionary(z_streamp strm, Bytef* dictionary, uInt* length) {
    static const auto fn = zlib<int (*)(z_streamp, Bytef*, uInt*)>("deflateGetDictionary");
    return after_full_reset(fn, strm, dictionary, length);
}

extern "C" int deflateParams(z_streamp strm, int level, int strategy) {
    static const auto fn = zlib<int (*)(z_streamp, int, int)>("deflateParams");
    return after_full_reset(fn, strm, level, strategy);
}

extern "C" int deflateTune(z_streamp strm, int good_length, int max_lazy, int nice_length, int max_chain) {
    static const auto fn = zlib<int (*)(z_streamp, int, int, int, int)>("deflateTune");
    return after_full_reset(fn, strm, good_length, max_lazy, nice_length, max_chain);
}

extern "C" int deflatePrime(z_streamp strm, int bits, int value) {
    static const auto fn = zlib<int (*)(z_streamp, int, int)>("deflatePrime");
    return after_full_reset(fn, strm, bits, value);
}

extern "C" int deflateSetHeader(z_streamp strm, gz_headerp head) {
    static const auto fn = zlib<int (*)(z_streamp, gz_headerp)>("deflateSetHeader");
    return after_full_reset(fn, strm, head);
}

extern "C" int deflateCopy(z_streamp dest, z_streamp source) {
    static const auto fn = zlib<int (*)(z_streamp, z_streamp)>("deflateCopy");
    if (int rc = full_reset_if_marked(source); rc != Z_OK) return rc;
    return fn ? fn(dest, source) : Z_STREAM_ERROR;
}
