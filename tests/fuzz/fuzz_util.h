// Helpers shared by the libFuzzer targets: a per-process scratch file that
// each input is written to (the readers take paths), and the invariants the
// readers promise about what they return.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/text.h"

namespace news::fuzz {

// `bytes` written to a file named `name` in a scratch folder of this
// process (created on first use, reused by every input); returns its path.
inline std::string scratch_file(const std::string& name, std::string_view bytes) {
    static const std::filesystem::path dir = [] {
        auto d = std::filesystem::temp_directory_path() / ("newssearch-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d;
    }();
    std::string path = (dir / name).string();
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) std::abort();
    if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) std::abort();
    std::fclose(f);
    return path;
}

// Fails the run (libFuzzer reports the input) when `ok` is false.
inline void require(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "invariant broken: %s\n", what);
        std::abort();
    }
}

} // namespace news::fuzz
