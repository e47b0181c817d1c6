// NFC normalisation through ICU, in a file of its own: only what calls
// nfc() (the indexer's readers) links ICU.
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include "common/error.h"
#include "common/text.h"

namespace news {
namespace {

// ICU's NFC instance, fetched before main: its one-time set-up then happens
// before the indexer's reader threads exist, and they only read it.
struct Nfc {
    UErrorCode err = U_ZERO_ERROR;
    const icu::Normalizer2* norm = icu::Normalizer2::getNFCInstance(err);
};
const Nfc kNfc;

} // namespace

std::string nfc(std::string_view s) {
    bool ascii = true;
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) {
            ascii = false;
            break;
        }
    if (ascii) return std::string(s);
    if (U_FAILURE(kNfc.err)) throw Error(std::string("ICU NFC unavailable: ") + u_errorName(kNfc.err));
    const icu::Normalizer2* norm = kNfc.norm;
    UErrorCode err = U_ZERO_ERROR;
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), s.size()));
    if (norm->isNormalized(u, err) && U_SUCCESS(err)) return std::string(s);
    err = U_ZERO_ERROR;
    icu::UnicodeString n = norm->normalize(u, err);
    if (U_FAILURE(err)) throw Error(std::string("NFC normalisation failed: ") + u_errorName(err));
    std::string out;
    n.toUTF8String(out);
    return out;
}

} // namespace news
