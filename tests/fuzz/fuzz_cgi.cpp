// libFuzzer target for newssearch.cgi's request layer (searcher/cgi.h):
// the input is a QUERY_STRING. Parsing must throw RequestError (a 4xx) or
// give a request whose canonical query string parses back to the same
// request; handle() over a small index of corpus/ (built once at start-up)
// must never throw and must answer with a status and Content-Type.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>

#include "common/error.h"
#include "indexer/pipeline.h"
#include "searcher/cgi.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

std::string g_db;

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    namespace fs = std::filesystem;
    g_db = (fs::temp_directory_path() / ("newssearch-fuzz-cgi-" + std::to_string(::getpid()) + ".db")).string();
    news::BuildOptions opt;
    opt.db = g_db;
    opt.roots = {std::string(NEWS_SOURCE_DIR) + "/corpus"};
    opt.threads = 1;
    opt.progress = news::BuildOptions::Progress::Never;
    std::ostringstream log;
    news::build_index(opt, log);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace news;
    const std::string_view qs(reinterpret_cast<const char*>(data), size);

    try {
        std::string decoded = cgi::percent_decode(qs);
        fuzz::require(cgi::percent_decode(cgi::percent_encode(decoded)) == decoded, "decode(encode(x)) == x");
    } catch (const cgi::RequestError& e) {
        fuzz::require(e.status() >= 400 && e.status() < 500, "a bad escape is a 4xx");
    }
    try {
        cgi::parse_query_string(qs);
    } catch (const cgi::RequestError& e) {
        fuzz::require(e.status() >= 400 && e.status() < 500, "a bad query string is a 4xx");
    }
    cgi::requested_format(qs);
    try {
        cgi::WebRequest r = cgi::parse_request(qs);
        std::string canonical = cgi::to_query_string(r);
        cgi::WebRequest again = cgi::parse_request(canonical);
        fuzz::require(cgi::to_query_string(again) == canonical, "the canonical query string is stable");
    } catch (const cgi::RequestError& e) {
        fuzz::require(e.status() >= 400 && e.status() < 500, "a bad request is a 4xx");
    }

    cgi::Environment env;
    env.db = g_db;
    env.query_string = std::string(qs);
    std::ostringstream log;
    cgi::Response resp = cgi::handle(env, log);
    fuzz::require(resp.status >= 200 && resp.status < 600, "a response has an HTTP status");
    fuzz::require(resp.header("Content-Type") != nullptr, "a response has a Content-Type");
    return 0;
}
