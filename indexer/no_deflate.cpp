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
#include <dlfcn.h>
#include <zlib.h>

namespace {

using DeflateFn = int (*)(z_streamp, int);

DeflateFn zlib_deflate() {
    static const auto fn = reinterpret_cast<DeflateFn>(dlsym(RTLD_NEXT, "deflate"));
    return fn;
}

} // namespace

extern "C" int deflate(z_streamp strm, int flush) {
    if (strm && flush == Z_FINISH && strm->total_in == 0) return Z_BUF_ERROR;
    DeflateFn fn = zlib_deflate();
    return fn ? fn(strm, flush) : Z_STREAM_ERROR;
}
