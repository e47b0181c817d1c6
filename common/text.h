// Text normalisation shared by indexer and searcher: UTF-8 validation and
// repair, NFC normalisation (ICU), escaping for HTML and JSON, and small
// string helpers. Functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace news {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view s);

// Returns `s` with every byte that is not part of a well-formed UTF-8
// sequence decoded as Windows-1252/Latin-1 (the usual cause of bad bytes in
// news archives). `repaired` is set when anything was changed.
std::string repair_utf8(std::string_view s, bool* repaired = nullptr);

// NFC-normalises valid UTF-8 text (ICU; in nfc.cpp). Throws news::Error if
// ICU fails.
std::string nfc(std::string_view s);

// True when the bytes look like a binary file rather than text (NUL bytes or
// many control characters).
bool looks_binary(std::string_view s);

// Drops C0 control characters other than tab, newline and carriage return.
std::string strip_controls(std::string_view s);

// `s` as a message on a terminal or in a log may show it (file names,
// record details): C-style escapes (\n, \t, \r, \\, \x1b) for control
// characters, backslashes and bytes that are not UTF-8, and \uXXXX for the
// controls that break or reorder a line (C1, U+2028/9, bidi overrides), so
// that a name can neither forge a line nor hide what follows it.
std::string printable(std::string_view s);

std::string html_escape(std::string_view s);
void append_html_escaped(std::string& out, std::string_view s); // html_escape(s) appended to out

// Lower-cases as Unicode's default full case mapping does (ICU's root
// locale): Xapian's simple case tables plus U+0130 and final sigma.
std::string to_lower(std::string_view s);

std::string_view trim(std::string_view s);

// Collapses runs of white space into one space and trims.
std::string collapse_space(std::string_view s);

// Cuts `s` to at most `max_bytes`, at a word boundary when one is near,
// never inside a UTF-8 sequence; appends "…" when it cut.
std::string cut_at_word(std::string_view s, size_t max_bytes);

// 64-bit FNV-1a, stable across platforms and runs (used for ids and hashes).
uint64_t fnv1a64(std::string_view s, uint64_t seed = 14695981039346656037ULL);
std::string hex64(uint64_t v);

} // namespace news
