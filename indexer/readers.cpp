#include "indexer/readers.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <optional>

#include "common/boilerplate.h"
#include "common/dates.h"
#include "common/error.h"
#include "common/schema.h"
#include "common/text.h"
#include "indexer/input.h"

namespace news {
namespace {

bool ends_with(const std::string& s, const char* suffix) {
    size_t n = std::strlen(suffix);
    return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// Valid NFC UTF-8 without control characters; reports a repair once.
std::string clean_text(const std::string& raw, long line, const IssueFn& on_issue, bool& reported) {
    std::string s = raw;
    if (!is_valid_utf8(s)) {
        s = repair_utf8(s);
        if (!reported) {
            on_issue({line, "invalid UTF-8", "repaired (bytes read as Windows-1252)", false});
            reported = true;
        }
    }
    return nfc(strip_controls(s));
}

// Xapian (glass) refuses terms longer than 245 bytes, and the id becomes the
// term kIdPrefix + id: a longer id would fail the whole run at its write, so
// its record is reported and skipped here.
constexpr size_t kMaxIdBytes = 245 - schema::kIdPrefix.size();
bool id_fits(const std::string& id, long line, const IssueFn& on_issue) {
    if (id.size() <= kMaxIdBytes) return true;
    on_issue({line, "id too long", std::to_string(id.size()) + " bytes, at most " + std::to_string(kMaxIdBytes), true});
    return false;
}

// Validated ISO date from free text; nullopt + issue when impossible.
struct DateResult {
    bool ok = true;
    std::string iso;
};
DateResult check_date(const std::string& text, long line, const IssueFn& on_issue) {
    std::string_view t = trim(text);
    if (t.empty()) return {};
    try {
        if (auto d = parse_any_date(t)) return {true, d->iso()};
        on_issue({line, "unrecognised date", "'" + std::string(t.substr(0, 40)) + "' ignored", false});
        return {};
    } catch (const Error& e) {
        on_issue({line, "impossible date", e.what(), true});
        return {false, {}};
    }
}

std::string tag_content(const std::string& rec, const char* open, const char* close, bool* found = nullptr) {
    size_t a = rec.find(open);
    if (found) *found = a != std::string::npos;
    if (a == std::string::npos) return {};
    a = rec.find('>', a);
    if (a == std::string::npos) return {};
    ++a;
    size_t b = rec.find(close, a);
    if (b == std::string::npos) b = rec.size();
    return rec.substr(a, b - a);
}

std::string attribute(const std::string& rec, const char* name) {
    std::string key = std::string(name) + "=\"";
    size_t a = rec.find(key);
    if (a == std::string::npos) return {};
    a += key.size();
    size_t b = rec.find('"', a);
    return b == std::string::npos ? std::string() : rec.substr(a, b - a);
}

// Removes markup tags (<P>, </P>) from TREC text.
std::string strip_tags(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    bool in_tag = false;
    for (char c : s) {
        if (c == '<')
            in_tag = true;
        else if (c == '>' && in_tag)
            in_tag = false;
        else if (!in_tag)
            out += c;
    }
    return out;
}

// ---- Text ----------------------------------------------------------------

// CRLF and lone CR line ends as '\n', so paragraphs ("\n\n") are found and
// no '\r' reaches titles and snippets.
std::string unix_newlines(const std::string& s) {
    if (s.find('\r') == std::string::npos) return s;
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\r')
            out += s[i];
        else if (i + 1 >= s.size() || s[i + 1] != '\n')
            out += '\n';
    }
    return out;
}

// A word list saved as .txt (Reuters-21578's all-people-strings.lc.txt): at
// least 10 lines, 8 in 10 of them one or two words without a digit. A table
// of figures has digits on its short lines ("Wheat 73,684"), so none of
// Reuters-21578's or BBC's articles is taken for a list.
bool looks_like_word_list(std::string_view text) {
    long lines = 0, short_lines = 0;
    size_t i = 0;
    while (i < text.size()) {
        size_t nl = text.find('\n', i);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view line = trim(text.substr(i, nl - i));
        i = nl + 1;
        if (line.empty()) continue;
        int words = 0;
        bool digit = false;
        for (size_t j = 0; j < line.size() && words < 3 && !digit; ++j) {
            digit = line[j] >= '0' && line[j] <= '9';
            if (line[j] != ' ' && line[j] != '\t' && (j == 0 || line[j - 1] == ' ' || line[j - 1] == '\t')) ++words;
        }
        ++lines;
        short_lines += words <= 2 && !digit;
    }
    return lines >= 10 && short_lines * 10 >= lines * 8;
}

void read_text(const std::string& path, const ReaderOptions& opt, const ArticleFn& on_article,
               const IssueFn& on_issue) {
    Input in(path);
    std::optional<std::string> all = in.read_all(opt.max_record_bytes);
    if (!all) {
        on_issue({1, "record too large", "over " + std::to_string(opt.max_record_bytes >> 20) + " MiB", true});
        return;
    }
    std::string raw = std::move(*all);
    // Editors on Windows start files with a byte order mark; it would hide
    // the date line and end up in the title.
    if (raw.compare(0, 3, "\xEF\xBB\xBF") == 0) raw.erase(0, 3);
    raw = unix_newlines(raw);
    if (trim(raw).empty()) {
        on_issue({1, "empty file", "no text", true});
        return;
    }
    if (looks_binary(raw)) {
        on_issue({1, "binary file", "not text", true});
        return;
    }
    if (opt.sniff && looks_like_word_list(raw)) {
        on_issue({1, "not an article", "a list of one or two words a line", true, true});
        return;
    }
    bool reported = false;
    std::string text = clean_text(raw, 1, on_issue, reported);
    Article a;
    a.line = 1;
    // Optional leading " date YYYY-MM-DD ".
    std::string_view rest = text;
    std::string_view lead = rest;
    while (!lead.empty() && (lead.front() == ' ' || lead.front() == '\t')) lead.remove_prefix(1);
    if (lead.substr(0, 5) == "date " || lead.substr(0, 5) == "date\t") {
        std::string_view d = lead.substr(5);
        while (!d.empty() && d.front() == ' ') d.remove_prefix(1);
        size_t end = d.find_first_of(" \t\r\n");
        std::string token(d.substr(0, end));
        auto dr = check_date(token, 1, on_issue);
        if (!dr.ok) return;
        if (dr.iso.empty()) {
            // Not a date after all: keep the text as body.
        } else {
            a.date = dr.iso;
            a.date_from = schema::kDateFromLine;
            rest = end == std::string_view::npos ? std::string_view() : d.substr(end);
        }
    }
    a.body = std::string(trim(rest));
    if (a.body.empty()) {
        on_issue({1, "no body", "only a date line", true});
        return;
    }
    a.title = title_from_lead(a.body);
    a.title_from_body = true;
    on_article(std::move(a));
}

// ---- JSON lines ------------------------------------------------------------

std::optional<std::string> json_string(const nlohmann::json& o, const ReaderOptions& opt, const char* field,
                                       std::initializer_list<const char*> defaults) {
    auto take = [](const nlohmann::json& v) -> std::optional<std::string> {
        if (v.is_string()) return v.get<std::string>();
        if (v.is_number_integer()) return std::to_string(v.get<long long>());
        if (v.is_number_unsigned()) return std::to_string(v.get<unsigned long long>());
        if (v.is_number()) return v.dump();
        return std::nullopt;
    };
    auto it = opt.json_fields.find(field);
    if (it != opt.json_fields.end()) {
        auto v = o.find(it->second);
        if (v != o.end()) return take(*v);
        return std::nullopt;
    }
    for (const char* key : defaults) {
        auto v = o.find(key);
        if (v != o.end() && !v->is_null()) {
            auto s = take(*v);
            if (s && !trim(*s).empty()) return s;
        }
    }
    return std::nullopt;
}

// False (reported "no body") for a record with neither title nor body;
// else a record without a title takes its lead's first sentence.
bool titled(Article& a, long ln, const char* missing, const IssueFn& on_issue) {
    if (a.body.empty() && a.title.empty()) {
        on_issue({ln, "no body", missing, true});
        return false;
    }
    if (a.title.empty()) {
        a.title = title_from_lead(a.body);
        a.title_from_body = true;
    }
    return true;
}

void read_jsonl(const std::string& path, const ReaderOptions& opt, const ArticleFn& on_article,
                const IssueFn& on_issue) {
    Input in(path);
    in.set_max_line(opt.max_record_bytes);
    std::string line;
    long record = 0;
    while (in.read_line(line)) {
        long ln = in.line_number();
        if (in.line_too_long()) {
            on_issue({ln, "record too large", "a line over " + std::to_string(in.max_line() >> 20) + " MiB", true});
            continue;
        }
        if (trim(line).empty()) continue;
        if (!is_valid_utf8(line)) {
            bool dummy = false;
            line = clean_text(line, ln, on_issue, dummy);
        }
        nlohmann::json o;
        try {
            o = nlohmann::json::parse(line);
        } catch (const nlohmann::json::parse_error& e) {
            std::string why = e.what();
            size_t p = why.find("parse error");
            on_issue({ln, "malformed JSON", p == std::string::npos ? why : why.substr(p), true});
            continue;
        }
        if (!o.is_object()) {
            on_issue({ln, "malformed JSON", "a line is not a JSON object", true});
            continue;
        }
        Article a;
        a.line = ln;
        a.record = record++;
        bool reported = false;
        auto field = [&](const char* name, std::initializer_list<const char*> keys) {
            auto v = json_string(o, opt, name, keys);
            return v ? clean_text(*v, ln, on_issue, reported) : std::string();
        };
        a.id = std::string(trim(field("id", {"id", "docid", "guid", "uuid"})));
        if (!id_fits(a.id, ln, on_issue)) continue;
        std::string date = field(
            "date", {"date", "published_iso", "published", "pubDate", "pub_date", "dir_date", "datetime", "timestamp"});
        auto dr = check_date(date, ln, on_issue);
        if (!dr.ok) continue;
        a.date = dr.iso;
        if (!a.date.empty()) a.date_from = schema::kDateFromJson;
        a.title = collapse_space(field("title", {"title", "headline"}));
        a.body = std::string(trim(field("body", {"body", "text", "content", "article", "description"})));
        a.source = collapse_space(field("source", {"source", "publisher", "site"}));
        a.url = std::string(trim(field("url", {"url", "link"})));
        if (!titled(a, ln, "record has neither body nor title", on_issue)) continue;
        a.read_bytes = in.bytes_read();
        on_article(std::move(a));
    }
}

// ---- Record-based formats (TREC, Reuters SGML) -----------------------------

// Calls `on_record(text, first_line, bytes_read)` for each `open`...`close` block. A
// block that meets the next `open` before its `close` is reported unclosed
// and the new one starts there; a block over max_bytes is reported and
// read past (none of it kept). The last block, if unclosed, goes to
// on_record as it is (the handler reports it).
// Returns the number of records that began.
template <typename Fn>
long for_each_record(const std::string& path, const std::string& open, const std::string& close, size_t max_bytes,
                     const IssueFn& on_issue, Fn on_record) {
    Input in(path);
    in.set_max_line(max_bytes);
    std::string line, rec;
    long start = 0, records = 0;
    bool inside = false, too_large = false;
    auto too_large_issue = [&] {
        on_issue({start, "record too large", "over " + std::to_string(max_bytes >> 20) + " MiB", true});
    };
    while (in.read_line(line)) {
        const size_t p = line.find(open);
        const size_t c = line.find(close);
        if (inside && p != std::string::npos && c == std::string::npos) {
            on_issue({start, "unclosed " + open + (open.back() == '>' ? "" : ">"),
                      "no " + close + " before the next record at line " + std::to_string(in.line_number()), true});
            inside = false;
        }
        if (!inside) {
            if (p == std::string::npos) continue;
            inside = true;
            ++records;
            start = in.line_number();
            too_large = in.line_too_long();
            rec.assign(line, p, std::string::npos);
        } else if (!too_large) {
            too_large = in.line_too_long() || rec.size() + line.size() + 1 > max_bytes;
            if (too_large) {
                std::string().swap(rec);
            } else {
                rec += '\n';
                rec += line;
            }
        }
        if (c != std::string::npos && (p == std::string::npos || c > p || start != in.line_number())) {
            if (too_large)
                too_large_issue();
            else
                on_record(rec, start, in.bytes_read());
            inside = false;
            rec.clear();
        }
    }
    if (inside && too_large) too_large_issue();
    if (inside && !too_large) on_record(rec, start, in.bytes_read()); // truncated last record: the handler reports it
    return records;
}

// A file of the format's name with not one record in it.
void no_records(long records, const std::string& tag, const ReaderOptions& opt, const IssueFn& on_issue) {
    if (records == 0 && opt.sniff) on_issue({1, "not an article", "no " + tag + " record", true, true});
}

void read_trec(const std::string& path, const ReaderOptions& opt, const ArticleFn& on_article,
               const IssueFn& on_issue) {
    long record = 0;
    const long records = for_each_record(
        path, "<DOC>", "</DOC>", opt.max_record_bytes, on_issue, [&](const std::string& rec, long ln, long long read) {
            if (rec.find("</DOC>") == std::string::npos) {
                on_issue({ln, "truncated record", "no </DOC>", true});
                return;
            }
            bool reported = false;
            Article a;
            a.line = ln;
            a.record = record++;
            a.id = std::string(trim(clean_text(tag_content(rec, "<DOCNO>", "</DOCNO>"), ln, on_issue, reported)));
            if (!id_fits(a.id, ln, on_issue)) return;
            auto dr = check_date(strip_tags(tag_content(rec, "<DATE>", "</DATE>")), ln, on_issue);
            if (!dr.ok) return;
            a.date = dr.iso;
            if (!a.date.empty()) a.date_from = schema::kDateFromTrec;
            a.title = collapse_space(clean_text(
                decode_entities(strip_tags(tag_content(rec, "<HEADLINE>", "</HEADLINE>"))), ln, on_issue, reported));
            a.body = std::string(trim(clean_text(decode_entities(strip_tags(tag_content(rec, "<TEXT>", "</TEXT>"))), ln,
                                                 on_issue, reported)));
            size_t letters = 0;
            while (letters < a.id.size() && std::isalpha(static_cast<unsigned char>(a.id[letters]))) ++letters;
            a.source = a.id.substr(0, letters);
            if (!titled(a, ln, "record has neither <TEXT> nor <HEADLINE>", on_issue)) return;
            a.read_bytes = read;
            on_article(std::move(a));
        });
    no_records(records, "<DOC>", opt, on_issue);
}

void read_sgml(const std::string& path, const ReaderOptions& opt, const ArticleFn& on_article,
               const IssueFn& on_issue) {
    long record = 0;
    const long records = for_each_record(
        path, "<REUTERS", "</REUTERS>", opt.max_record_bytes, on_issue,
        [&](const std::string& rec, long ln, long long read) {
            if (rec.find("</REUTERS>") == std::string::npos) {
                on_issue({ln, "truncated record", "no </REUTERS>", true});
                return;
            }
            bool reported = false;
            Article a;
            a.line = ln;
            a.record = record++;
            a.id = std::string(trim(clean_text(attribute(rec, "NEWID"), ln, on_issue, reported)));
            if (!id_fits(a.id, ln, on_issue)) return;
            a.source = "Reuters";
            auto dr = check_date(tag_content(rec, "<DATE>", "</DATE>"), ln, on_issue);
            if (!dr.ok) return;
            a.date = dr.iso;
            if (!a.date.empty()) a.date_from = schema::kDateFromSgml;
            auto text = [&](const std::string& s) { return clean_text(decode_entities(s), ln, on_issue, reported); };
            bool has_title = false, has_body = false;
            a.title = collapse_space(text(tag_content(rec, "<TITLE>", "</TITLE>", &has_title)));
            a.body = std::string(trim(text(tag_content(rec, "<BODY>", "</BODY>", &has_body))));
            if (!has_title && !has_body) {
                // <TEXT TYPE="UNPROC">: the raw text is the body.
                a.body = std::string(trim(text(tag_content(rec, "<TEXT", "</TEXT>"))));
            }
            if (!titled(a, ln, "record has no title, body or text", on_issue)) return;
            a.read_bytes = read;
            on_article(std::move(a));
        });
    no_records(records, "<REUTERS>", opt, on_issue);
}

} // namespace

Format format_for_path(const std::string& path) {
    std::string p = path;
    if (ends_with(p, ".gz"))
        p.resize(p.size() - 3);
    else if (ends_with(p, ".zst"))
        p.resize(p.size() - 4);
    if (ends_with(p, ".txt")) return Format::Text;
    if (ends_with(p, ".jsonl") || ends_with(p, ".ndjson")) return Format::JsonLines;
    if (ends_with(p, ".trec")) return Format::Trec;
    if (ends_with(p, ".sgm") || ends_with(p, ".sgml")) return Format::ReutersSgml;
    return Format::Unknown;
}

const char* format_name(Format f) {
    switch (f) {
    case Format::Text: return "text";
    case Format::JsonLines: return "jsonl";
    case Format::Trec: return "trec";
    case Format::ReutersSgml: return "sgml";
    default: return "unknown";
    }
}

void read_articles(const std::string& path, Format format, const ReaderOptions& options, const ArticleFn& on_article,
                   const IssueFn& on_issue) {
    switch (format) {
    case Format::Text: read_text(path, options, on_article, on_issue); break;
    case Format::JsonLines: read_jsonl(path, options, on_article, on_issue); break;
    case Format::Trec: read_trec(path, options, on_article, on_issue); break;
    case Format::ReutersSgml: read_sgml(path, options, on_article, on_issue); break;
    case Format::Unknown: throw Error(printable(path) + ": unknown format");
    }
}

std::string title_from_lead(const std::string& body) {
    std::string_view s = trim(body);
    // Not the byline or dateline: "(Dave DeCamp, Antiwar.com) President
    // Trump is open to..." is titled "President Trump is open to...".
    if (const size_t start = read_opening(s).end; start > 0 && start < s.size()) s.remove_prefix(start);
    // The lead is the first paragraph; drop bullet marks in front of it.
    size_t para = s.find("\n\n");
    std::string_view lead = s.substr(0, para);
    for (std::string_view bullet : {"\u2022", "-", "*", "\u25cf"})
        if (lead.substr(0, bullet.size()) == bullet) lead.remove_prefix(bullet.size());
    std::string text = collapse_space(lead);
    // First sentence: a full stop, ! or ? followed by a space and a capital or
    // quote, not after a one-letter abbreviation ("U.S.").
    size_t end = std::string::npos;
    for (size_t i = 1; i + 2 < text.size(); ++i) {
        char c = text[i];
        if ((c == '.' || c == '!' || c == '?') && text[i + 1] == ' ') {
            char next = text[i + 2];
            bool capital = (next >= 'A' && next <= 'Z') || next == '"' || static_cast<unsigned char>(next) >= 0x80;
            bool abbrev = c == '.' && i >= 2 && text[i - 2] == '.';
            bool initial = c == '.' && (i < 2 || text[i - 2] == ' ') && text[i - 1] >= 'A' && text[i - 1] <= 'Z';
            if (capital && !abbrev && !initial) {
                end = i + 1;
                break;
            }
        }
    }
    std::string sentence = end == std::string::npos ? text : text.substr(0, end);
    return cut_at_word(sentence, 150);
}

std::string decode_entities(const std::string& s) {
    if (s.find('&') == std::string::npos) return s;
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '&') {
            out += s[i];
            continue;
        }
        size_t semi = s.find(';', i);
        if (semi == std::string::npos || semi - i > 10) {
            out += s[i];
            continue;
        }
        std::string name = s.substr(i + 1, semi - i - 1);
        long cp = -1;
        if (name == "lt")
            cp = '<';
        else if (name == "gt")
            cp = '>';
        else if (name == "amp")
            cp = '&';
        else if (name == "quot")
            cp = '"';
        else if (name == "apos")
            cp = '\'';
        else if (name == "nbsp")
            cp = 0xA0;
        else if (name.size() > 1 && name[0] == '#') {
            try {
                cp = (name[1] == 'x' || name[1] == 'X') ? std::stol(name.substr(2), nullptr, 16)
                                                        : std::stol(name.substr(1));
            } catch (...) {
                cp = -1;
            }
        }
        if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            out += s[i];
            continue;
        }
        auto u = static_cast<uint32_t>(cp);
        if (u < 0x80) {
            out += static_cast<char>(u);
        } else if (u < 0x800) {
            out += static_cast<char>(0xC0 | (u >> 6));
            out += static_cast<char>(0x80 | (u & 0x3F));
        } else if (u < 0x10000) {
            out += static_cast<char>(0xE0 | (u >> 12));
            out += static_cast<char>(0x80 | ((u >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (u & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (u >> 18));
            out += static_cast<char>(0x80 | ((u >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((u >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (u & 0x3F));
        }
        i = semi;
    }
    return out;
}

} // namespace news
