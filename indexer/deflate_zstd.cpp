// Spares zlib the document data. Xapian's glass backend deflates every
// document-data tag it writes and keeps the result only when it came out
// smaller; ours is a zstd frame (common/codec.h), which deflate never
// shrinks, so glass stores it as it is after deflate has hashed and searched
// every byte of it in vain: 8.7% of the instructions of a build (callgrind,
// 2,000 Reuters-21578 articles).
//
// This definition of zlib's deflate() is part of the newsindex program only
// (not of a library, so the linker always takes it), and the dynamic linker
// binds libxapian's calls to it instead of zlib's own. For one-shot input
// that starts with a zstd frame's magic number it answers at once that it
// could not finish (Z_BUF_ERROR, nothing written), which glass takes for
// "incompressible": it stores the tag uncompressed, the same bytes as
// before. Every other call goes to zlib's deflate(). Nothing else in the
// program deflates; a termlist or spelling tag that happened to start with
// those four bytes would only be stored uncompressed, still readable.
#include <dlfcn.h>
#include <zlib.h>

namespace {

using DeflateFn = int (*)(z_streamp, int);

DeflateFn zlib_deflate() {
    static const auto fn = reinterpret_cast<DeflateFn>(dlsym(RTLD_NEXT, "deflate"));
    return fn;
}

bool starts_with_zstd_frame(const z_stream& s) {
    // ZSTD_MAGICNUMBER 0xFD2FB528, little-endian.
    return s.avail_in >= 4 && s.next_in[0] == 0x28 && s.next_in[1] == 0xB5 && s.next_in[2] == 0x2F &&
           s.next_in[3] == 0xFD;
}

} // namespace

extern "C" int deflate(z_streamp strm, int flush) {
    if (strm && flush == Z_FINISH && strm->total_in == 0 && starts_with_zstd_frame(*strm)) return Z_BUF_ERROR;
    DeflateFn fn = zlib_deflate();
    return fn ? fn(strm, flush) : Z_STREAM_ERROR;
}
