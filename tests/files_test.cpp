// Tests for common/files.*: a file written atomically replaces the old one
// whole, leaves no temporary file, and says why when it cannot be written.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "common/files.h"
#include "tests/test_util.h"

TEST_CASE("files: write_atomically replaces the file whole") {
    news::test::TempDir dir;
    const std::string path = dir.file("state");
    news::write_atomically(path, "first\n");
    news::write_atomically(path, "second\n");
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    CHECK(text.str() == "second\n");
    for (const auto& e : std::filesystem::directory_iterator(dir.path()))
        CHECK(e.path().filename().string() == "state");
    CHECK_THROWS_AS(news::write_atomically(dir.file("no/such/folder/state"), "x"), news::Error);
}
