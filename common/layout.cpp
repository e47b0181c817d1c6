#include "common/layout.h"

#include <cctype>
#include <filesystem>
#include <sstream>

#include <sys/stat.h>

namespace fs = std::filesystem;

namespace news::layout {

std::string shard_name(std::string_view date, Period by) {
    if (date.size() < 8) return std::string(kUndated);
    // (ISO "YYYY-MM-DD" or compact "YYYYMMDD")
    const std::string_view month = date[4] == '-' ? date.substr(5, 2) : date.substr(4, 2);
    std::string year(date.substr(0, 4));
    return by == Period::Month ? year + "-" + std::string(month) : year;
}

std::optional<ShardSpan> shard_span(std::string_view name) {
    auto digits = [&name](size_t at, size_t n) {
        for (size_t i = at; i < at + n; ++i)
            if (!std::isdigit(static_cast<unsigned char>(name[i]))) return false;
        return true;
    };
    const bool year = name.size() == 4 && digits(0, 4);
    const bool month = name.size() == 7 && digits(0, 4) && name[4] == '-' && digits(5, 2);
    if (!year && !month) return std::nullopt;
    const std::string y(name.substr(0, 4));
    if (year) return ShardSpan {y + "0101", y + "1231"};
    const std::string m(name.substr(5, 2));
    return ShardSpan {y + m + "01", y + m + "31"};
}

bool is_database(const std::string& dir) {
    std::error_code ec;
    return fs::exists(fs::path(dir) / kGlassMarker, ec);
}

std::string stub_path(const std::string& path) {
    std::error_code ec;
    return fs::is_directory(path, ec) ? (fs::path(path) / kStubName).string() : path;
}

std::string stub_text(const std::vector<std::string>& shards) {
    std::string text;
    for (const std::string& name : shards) text += "auto " + name + "\n";
    return text;
}

Stub parse_stub(std::string_view text, bool local_folder) {
    Stub stub;
    std::istringstream in {std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string kind, where;
        words >> kind >> where;
        if (kind == "remote") stub.remote = true;
        if (local_folder && kind == "auto" && !where.empty() && where.find('/') == std::string::npos)
            stub.shards.push_back(where);
        else if (!kind.empty() && kind[0] != '#')
            stub.other = true;
    }
    return stub;
}

std::string identity(const std::string& path, const std::vector<std::string>& shards) {
    std::string id;
    auto add = [&id](const fs::path& p) {
        struct stat st {};
        if (::stat(p.c_str(), &st) != 0) return false;
        id += std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_mtim.tv_sec) +
              "." + std::to_string(st.st_mtim.tv_nsec) + " ";
        return true;
    };
    if (is_database(path)) return add(fs::path(path) / kGlassMarker) ? id : "";
    if (!add(stub_path(path))) return "";
    for (const std::string& name : shards)
        if (!add(fs::path(path) / name / kGlassMarker)) return "";
    return id;
}

} // namespace news::layout
