#include "common/schema.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <sstream>

#include "common/dates.h"
#include "common/error.h"
#include "common/text.h"

namespace news::schema {

std::string run_term(std::chrono::system_clock::time_point t) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(us / 1000000);
    std::tm tm {};
    ::gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02d%06lld", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>((us % 1000000 + 1000000) % 1000000));
    return std::string(kRunPrefix) + buf;
}

std::string date_from_term(std::string_view kind) { return std::string(kDateFromPrefix) + std::string(kind); }

std::string id_term(std::string_view id) { return std::string(kIdPrefix) + std::string(id); }

std::string entity_type_prefix(std::string_view type) { return std::string(kEntityPrefix) + std::string(type) + ":"; }

std::string entity_term(std::string_view type, std::string_view canonical_name) {
    std::string t = entity_type_prefix(type) + to_lower(canonical_name);
    if (t.size() > 240) t.resize(240); // Xapian's term length limit is 245 bytes
    return t;
}

std::string surname_term(std::string_view surname) {
    std::string t = std::string(kSurnamePrefix) + to_lower(surname);
    if (t.size() > 240) t.resize(240);
    return t;
}

std::string_view person_surname(std::string_view canonical_name) {
    std::string_view name = trim(canonical_name);
    size_t space = name.find_last_of(' ');
    if (space == std::string_view::npos) return {};
    return name.substr(space + 1);
}

std::string source_term(std::string_view source) {
    std::string t = std::string(kSourcePrefix) + to_lower(trim(source));
    if (t.size() > 240) t.resize(240);
    return t;
}

std::string file_term(std::string_view file_key) { return std::string(kFilePrefix) + hex64(fnv1a64(file_key)); }

// Formatted as dates are (a date-range query makes a term for every day
// it spans).
std::string year_term(int year) {
    const std::string c = Date {year, 1, 1}.compact(); // YYYY0101
    return std::string(kYearPrefix) + c.substr(0, c.size() - 4);
}

std::string month_term(int year, int month) {
    const std::string c = Date {year, month, 1}.compact(); // YYYYMM01
    return std::string(kMonthPrefix) + c.substr(0, c.size() - 2);
}

std::string day_term(int year, int month, int day) {
    return std::string(kDayPrefix) + Date {year, month, day}.compact();
}

std::string band_term(std::string_view band_hex) { return std::string(kBandPrefix) + std::string(band_hex); }

std::string story_term(std::string_view story_id) {
    std::string t = std::string(kStoryPrefix) + std::string(story_id);
    if (t.size() > 240) t.resize(240);
    return t;
}

std::string fold_value(std::string_view kind, double similarity) {
    char buf[16];
    std::snprintf(buf, sizeof buf, " %.2f", std::clamp(similarity, 0.0, 1.0));
    return std::string(kind) + buf;
}

bool parse_fold_value(std::string_view value, std::string& kind, double& similarity) {
    size_t sp = value.find(' ');
    if (sp == std::string_view::npos || sp == 0 || value.size() - sp > 5) return false;
    std::string num(value.substr(sp + 1));
    char* end = nullptr;
    similarity = std::strtod(num.c_str(), &end);
    if (end == num.c_str() || *end != '\0') return false;
    kind = std::string(value.substr(0, sp));
    return true;
}

char entity_type_code(std::string_view type) {
    if (type == kTypePerson) return 'P';
    if (type == kTypeOrg) return 'O';
    if (type == kTypePlace) return 'L';
    return 'M';
}

std::string_view entity_type_from_code(char code) {
    switch (code) {
    case 'P': return kTypePerson;
    case 'O': return kTypeOrg;
    case 'L': return kTypePlace;
    default: return kTypeMisc;
    }
}

std::string FileState::encode() const {
    std::ostringstream o;
    o << size << ' ' << mtime_ns << ' ' << content_hash << ' ' << articles;
    return o.str();
}

FileState FileState::decode(std::string_view s) {
    FileState f;
    std::istringstream in {std::string(s)};
    if (!(in >> f.size >> f.mtime_ns >> f.content_hash >> f.articles))
        throw Error("corrupt file state in index metadata: '" + std::string(s) + "'");
    return f;
}

} // namespace news::schema
