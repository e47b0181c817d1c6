// Text helpers for the entity tagger: a CoNLL-2003 style tokeniser that keeps
// byte offsets into the original text, token normalisation (curly quotes,
// dashes), word shapes, case tests and the stable 64-bit hashes the feature
// templates use. Self-contained (no ICU) so the training tool can share it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace news::ner {

// One token of an article: bytes [begin, end) of the original text and the
// normalised form the model sees ("’s" -> "'s", "—" -> "--").
struct Token {
    uint32_t begin = 0;
    uint32_t end = 0;
    std::string norm;
    bool sentence_start = false; // first token of a sentence or paragraph
};

// Splits text the way CoNLL-2003 was split: punctuation apart, "U.S.",
// "Mr." and numbers like "3.5" or "1,000" whole, possessive "'s" and "n't"
// apart. `split_hyphen(left, right)` may ask for "Iran-Iraq" to be split
// into three tokens (the tagger splits when a side is a known place).
using HyphenSplit = std::function<bool(std::string_view left, std::string_view right)>;
std::vector<Token> tokenize(std::string_view text, const HyphenSplit& split_hyphen = {});

// The normalised form of one raw token (quotes and dashes to ASCII).
std::string normalize_token(std::string_view raw);

// ASCII and Latin-1/Latin Extended-A lower case; other bytes unchanged.
std::string lower(std::string_view s);
void lower_into(std::string_view s, std::string& out);

// Word shapes: "Xxxxx" (runs capped at 4: "Xxxxx" for "London", "dd-dd"),
// and the short shape with runs collapsed ("Xx", "d-d").
void shape_into(std::string_view s, std::string& out, bool collapse);

bool starts_upper(std::string_view s);
bool has_letter(std::string_view s);
bool all_upper(std::string_view s); // every letter upper case, at least one letter

// Stable 64-bit hashes (FNV-1a over bytes, then a 64-bit finaliser).
uint64_t hash_bytes(std::string_view s, uint64_t seed = 0);
inline uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}
inline uint64_t hash_combine(uint64_t a, uint64_t b) {
    return mix64(a * 0x9e3779b97f4a7c15ULL + b + 0x632be59bd9b4e019ULL);
}

} // namespace news::ner
