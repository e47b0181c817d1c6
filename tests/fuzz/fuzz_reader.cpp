// libFuzzer target for one corpus reader (the format is fixed at compile
// time by NEWS_FUZZ_FORMAT): the input is written to a file and read with
// news::read_articles. Besides not crashing, the reader must keep its
// promises: only news::Error escapes, every article has valid UTF-8 text
// and a body, a date is ISO YYYY-MM-DD, line numbers are positive.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <utility>

#include "common/error.h"
#include "indexer/readers.h"
#include "tests/fuzz/fuzz_util.h"

#ifndef NEWS_FUZZ_FORMAT
#error "define NEWS_FUZZ_FORMAT (Text, JsonLines, Trec, ReutersSgml)"
#endif
#ifndef NEWS_FUZZ_NAME
#error "define NEWS_FUZZ_NAME (the scratch file's name, e.g. input.txt)"
#endif

namespace {

bool iso_date(std::string_view d) {
    if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
    for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (d[i] < '0' || d[i] > '9') return false;
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace news;
    std::string path = fuzz::scratch_file(NEWS_FUZZ_NAME, std::string_view(reinterpret_cast<const char*>(data), size));
    ReaderOptions options;
    options.max_record_bytes = 1 << 20;
    try {
        read_articles(
            path, Format::NEWS_FUZZ_FORMAT, options,
            [](Article&& a) {
                const std::pair<const char*, const std::string*> fields[] = {{"id", &a.id},         {"date", &a.date},
                                                                             {"title", &a.title},   {"body", &a.body},
                                                                             {"source", &a.source}, {"url", &a.url}};
                for (const auto& [name, value] : fields)
                    if (!is_valid_utf8(*value)) {
                        std::fprintf(stderr, "article %s is not valid UTF-8\n", name);
                        fuzz::require(false, "article text is valid UTF-8");
                    }
                fuzz::require(!a.body.empty() || !a.title.empty(), "an article has a body or a title");
                fuzz::require(a.date.empty() || iso_date(a.date), "article date is YYYY-MM-DD");
                fuzz::require(a.line >= 1, "article line is 1-based");
                fuzz::require(a.record >= 0, "article record number is not negative");
            },
            [](const ReadIssue& issue) {
                fuzz::require(!issue.reason.empty(), "an issue has a reason");
                fuzz::require(issue.line >= 0, "issue line is not negative");
            });
    } catch (const Error&) {
        // The file as a whole could not be read: allowed.
    }
    return 0;
}
