// The index format: every term prefix, value slot and metadata key that the
// indexer writes and the searcher reads is spelled here and nowhere else.
// Changing anything here that alters what is on disk bumps kSchemaVersion.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include <xapian.h>

namespace news::schema {

// Version of the on-disk layout below; stored in metadata key kMetaSchema.
inline constexpr int kSchemaVersion = 4;

// ---- Term prefixes -------------------------------------------------------
// Unique id: "Q" + the record's own id, or a stable hash of path and record.
inline constexpr std::string_view kIdPrefix = "Q";
// The longest id: Xapian's limit of 245 bytes a term, less the prefix.
inline constexpr size_t kMaxIdBytes = 245 - kIdPrefix.size();
// Title words (stemmed, positional), also indexed unprefixed with the body.
inline constexpr std::string_view kTitlePrefix = "S";
// Entities: "XE" + TYPE + ":" + canonical name in lower case, e.g.
// "XEPLACE:united states". Boolean term plus a posting at the position of
// each mention's first word.
inline constexpr std::string_view kEntityPrefix = "XE";
// Surname of a person named by more than one word: "XN" + the name's last
// word in lower case ("XNtrump" for "Donald Trump"), a posting where the
// entity term has one, so that person:Trump finds every Trump without
// reading all person terms (schema 4).
inline constexpr std::string_view kSurnamePrefix = "XN";
// Date: "Y2026", "M202603", "D20260304" (boolean).
inline constexpr std::string_view kYearPrefix = "Y";
inline constexpr std::string_view kMonthPrefix = "M";
inline constexpr std::string_view kDayPrefix = "D";
// Source, lower-cased: "XSreuters" (boolean).
inline constexpr std::string_view kSourcePrefix = "XS";
// The input file an article came from: "XF" + hash of the file's key, so a
// changed or deleted file's articles can be removed in one call.
inline constexpr std::string_view kFilePrefix = "XF";
// Locality-sensitive hash bands of the article's shingle MinHash: "XB" +
// hex; articles sharing a band are candidate copies of one story.
inline constexpr std::string_view kBandPrefix = "XB";
// Story id (as in kStorySlot) on the copies that joined a story: "XC" +
// id. The story id is its first article's id, so a story's articles are
// id_term(story) OR story_term(story).
inline constexpr std::string_view kStoryPrefix = "XC";
// How the article's date was found: "XD" + one of the kDateFrom kinds
// below ("XDnone" for an undated article), so that date:none finds the
// undated and `newsindex stats` counts each kind (a spike of articles
// dated by a default is a known trap). Articles indexed before it have none.
inline constexpr std::string_view kDateFromPrefix = "XD";
inline constexpr std::string_view kDateFromLine = "line";  // a text file's leading "date YYYY-MM-DD" line
inline constexpr std::string_view kDateFromJson = "json";  // a JSON key (date, published, pubDate, ...)
inline constexpr std::string_view kDateFromTrec = "trec";  // TREC <DATE>
inline constexpr std::string_view kDateFromSgml = "sgml";  // Reuters SGML <DATE>
inline constexpr std::string_view kDateFromNone = "none";  // no date
// The indexing run that wrote the article: "XR" + the run's start in UTC,
// "YYYYMMDDTHHMMSS" + microseconds (sorts as the runs ran). `newssearch
// watch` finds the articles added since it last ran by these. Articles
// written before runs were recorded have none (older than every run), so
// adding it changed no schema version.
inline constexpr std::string_view kRunPrefix = "XR";

// Entity types as they appear in terms and JSON.
inline constexpr std::string_view kTypePerson = "PERSON";
inline constexpr std::string_view kTypeOrg = "ORG";
inline constexpr std::string_view kTypePlace = "PLACE";
inline constexpr std::string_view kTypeMisc = "MISC";

// ---- Value slots ---------------------------------------------------------
// "YYYYMMDD", sortable as a string; empty when the article has no date.
inline constexpr Xapian::valueno kDateSlot = 0;
// Source name as written (original case).
inline constexpr Xapian::valueno kSourceSlot = 1;
// Story id shared by syndicated copies of one story: the collapse key.
inline constexpr Xapian::valueno kStorySlot = 2;
// Compact entity list for facet counting: entries "T<name>" separated by
// '\n', T one of 'P','O','L','M' (person, org, place, misc), name canonical
// (original case), each distinct entity once.
inline constexpr Xapian::valueno kEntitiesSlot = 3;
// The article's id (as in its id term): breaks ties between equal scores or
// dates, so that the order of results does not depend on document numbers,
// which differ between one database and shards holding the same articles.
inline constexpr Xapian::valueno kIdSlot = 4;
// On a copy folded into another article's story: how it was matched,
// "<kind> <similarity>" (kind reprint, correction or update; similarity the
// content-word Jaccard with the story's first article, two decimals).
inline constexpr Xapian::valueno kFoldSlot = 5;

// ---- Metadata keys -------------------------------------------------------
inline constexpr std::string_view kMetaSchema = "newssearch.schema";
inline constexpr std::string_view kMetaModel = "newssearch.model";
// The tagger's alias table, so queries resolve "US" without loading the
// model: lines "TYPE\talias in lower case\tcanonical name" (TYPE may be
// empty for any type).
inline constexpr std::string_view kMetaAliases = "newssearch.aliases";
// Per input file: key kMetaFile + absolute path, value see FileState.
inline constexpr std::string_view kMetaFile = "newssearch.file:";

// ---- Folders next to a database while it is written -------------------
// A compaction or merge writes DB + kCompactTmp, then swaps it in by two
// renames (DB -> DB + kCompactOld, DB + kCompactTmp -> DB). A fresh build
// writes its segments under DB + kSegments.
inline constexpr std::string_view kCompactTmp = ".compact-tmp";
inline constexpr std::string_view kCompactOld = ".compact-old";
inline constexpr std::string_view kSegments = ".segments";
// Beside the database, DB + kRunLock: the file every writing newsindex run
// holds an flock on (RunLock); it stays after the run.
inline constexpr std::string_view kRunLock = ".lock";
// Beside the database, DB + kWatches: the saved searches of `newssearch
// watch` (JSON, replaced whole by a rename), and DB + kWatches + kRunLock,
// held while one is changed.
inline constexpr std::string_view kWatches = ".watches";

// ---- Helpers that build terms (the only code that concatenates prefixes) --
std::string id_term(std::string_view id);
std::string entity_term(std::string_view type, std::string_view canonical_name);
std::string entity_type_prefix(std::string_view type); // "XEPLACE:"
// "XN" + the word in lower case. A person's surname term is that of the
// last word of a canonical name of more than one word (see person_surname).
std::string surname_term(std::string_view surname);
// The last word of a canonical name of more than one word, else "".
std::string_view person_surname(std::string_view canonical_name);
std::string source_term(std::string_view source);
std::string file_term(std::string_view file_key);
std::string year_term(int year);
std::string month_term(int year, int month);
std::string day_term(int year, int month, int day);
std::string band_term(std::string_view band_hex);
std::string story_term(std::string_view story_id);
// "XR" + run_stamp(t): the run term of a run started at `t`.
std::string run_term(std::chrono::system_clock::time_point t);
// "XD" + kind (one of kDateFrom...).
std::string date_from_term(std::string_view kind);

// kFoldSlot's value, and back (false when the value is not one).
std::string fold_value(std::string_view kind, double similarity);
bool parse_fold_value(std::string_view value, std::string& kind, double& similarity);

// One-letter code used in kEntitiesSlot for a type, and back.
char entity_type_code(std::string_view type);
std::string_view entity_type_from_code(char code);

// State of one input file, stored under kMetaFile + path.
struct FileState {
    long long size = 0;
    long long mtime_ns = 0;
    std::string content_hash; // hex FNV-1a of the bytes
    long long articles = 0;
    std::string encode() const;
    static FileState decode(std::string_view s);
};

} // namespace news::schema
