// Corpus readers: turn one input file (seed text, JSON lines, TREC,
// Reuters-21578 SGML; plain, .gz or .zst) into Articles. A record that
// cannot be read is reported as an Issue with its line and skipped; the
// reader goes on with the next record. Text comes out valid, NFC UTF-8.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace news {

enum class Format { Text, JsonLines, Trec, ReutersSgml, Unknown };

// Format from the file name, ignoring a .gz/.zst suffix.
Format format_for_path(const std::string& path);
const char* format_name(Format f);

struct Article {
    std::string id;   // the record's own id, empty when the format has none
    std::string date; // validated ISO "YYYY-MM-DD", or empty
    // Where the date came from: one of schema::kDateFrom... ("none" when
    // there is no date).
    std::string_view date_from = "none";
    std::string title;
    bool title_from_body = false; // the title is the lead's first sentence
    std::string body;
    std::string source;
    std::string url;
    long line = 0;   // line of the file where the record starts
    long record = 0; // 0-based record number within the file
    // Bytes of the file (compressed, as on disk) read when the record was:
    // how far through a large file the run is (0: not known).
    long long read_bytes = 0;
};

struct ReadIssue {
    long line = 0;
    std::string reason;  // short, stable phrase: "malformed JSON", "impossible date", ...
    std::string detail;  // specifics for the message
    bool skipped = true; // false when the record was repaired and kept
    // The file as a whole does not look like articles of its format (a
    // word list named .txt, an .sgm without a <REUTERS> record): it is
    // listed as "not articles", not counted as a skipped record.
    bool not_article = false;
};

struct ReaderOptions {
    // JSON key mapping: canonical field ("id", "date", "title", "body",
    // "source", "url") -> key in the input. Unmapped fields try the usual
    // names (date: date, published_iso, published, pubDate, dir_date; body:
    // body, text, content; ...). Default: empty.
    std::map<std::string, std::string> json_fields;
    // Largest record of any format (a text file, a JSON line, a <DOC> or
    // <REUTERS> block); a larger one is reported "record too large" and
    // skipped, and memory stays bounded by it. Default 16 MiB.
    size_t max_record_bytes = 16u << 20;
    // Whether to report files that do not look like articles of their
    // format (ReadIssue::not_article) instead of reading them. Default on;
    // off for files the user asked for (newsindex build --include).
    bool sniff = true;
};

using ArticleFn = std::function<void(Article&&)>;
using IssueFn = std::function<void(const ReadIssue&)>;

// Reads every record of `path`. Throws news::Error only when the file as a
// whole cannot be read (cannot open, corrupt compression); record-level
// problems go to `on_issue`.
void read_articles(const std::string& path, Format format, const ReaderOptions& options, const ArticleFn& on_article,
                   const IssueFn& on_issue);

// Derives a title from the lead: its first sentence, cut at a word boundary.
std::string title_from_lead(const std::string& body);

// Decodes SGML/HTML character references (&lt; &amp; &#3; &#x41;).
std::string decode_entities(const std::string& s);

} // namespace news
