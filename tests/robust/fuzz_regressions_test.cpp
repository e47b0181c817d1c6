// Regression tests for inputs the libFuzzer targets (tests/fuzz, run by
// tools/fuzz) found to crash, hang or break an invariant. Each case is named
// after what broke and feeds the exact input through the same API the
// fuzz target calls.
#include <doctest/doctest.h>

#include <string>

#include "common/codec.h"
#include "common/error.h"

using namespace news;

TEST_CASE("codec: an empty record is rejected, not read") {
    CHECK_THROWS_AS(decode_article(std::string()), Error);
}
