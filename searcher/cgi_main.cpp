// newssearch.cgi: the web front end's CGI program. Reads QUERY_STRING (and
// the index path from NEWS_DB, never from the request) and writes one HTTP
// response. Runs from a shell too: QUERY_STRING='q=iran' NEWS_DB=db ./newssearch.cgi
//
// Started by a FastCGI server (lighttpd's mod_fastcgi, which hands it a
// listening socket as standard input), the same program serves request after
// request with the index kept open: no process start, no index open per
// request. NEWS_DB and the other settings then come from the process's own
// environment (lighttpd's bin-environment), never from a request's
// parameters; a request contributes only its method and query string.
#include <fcgiapp.h>

#include <iostream>
#include <sstream>
#include <string>

#include "searcher/cgi.h"

namespace {

int serve_one_request() {
    news::cgi::Environment env = news::cgi::Environment::from_process();
    try {
        news::cgi::Response response = news::cgi::handle(env, std::cerr);
        news::cgi::write_response(response, std::cout, env.method == "HEAD");
    } catch (const std::exception& e) {
        // handle() answers every request itself; this is only for a failure
        // to write (e.g. out of memory), where a bare 500 is all we can do.
        std::cerr << "newssearch.cgi: " << e.what() << '\n';
        std::cout << "Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nInternal error\n";
        return 1;
    }
    return std::cout ? 0 : 1;
}

// One FastCGI request at a time (the server starts as many processes as it
// wants in parallel).
class FastCgiRequest {
public:
    FastCgiRequest() { FCGX_InitRequest(&req_, 0, 0); }
    ~FastCgiRequest() { FCGX_Free(&req_, 1); }
    FastCgiRequest(const FastCgiRequest&) = delete;
    FastCgiRequest& operator=(const FastCgiRequest&) = delete;

    bool accept() { return FCGX_Accept_r(&req_) >= 0; }
    std::string param(const char* name) const {
        const char* v = FCGX_GetParam(name, req_.envp);
        return v ? v : "";
    }
    void write(const std::string& s) { FCGX_PutStr(s.data(), static_cast<int>(s.size()), req_.out); }
    void log(const std::string& s) { FCGX_PutStr(s.data(), static_cast<int>(s.size()), req_.err); }
    void finish() { FCGX_Finish_r(&req_); }

private:
    FCGX_Request req_ {};
};

int serve_fastcgi() {
    const news::cgi::Environment base = news::cgi::Environment::from_process();
    news::cgi::OpenIndex index;
    FastCgiRequest req;
    while (req.accept()) {
        news::cgi::Environment env = base;
        env.method = req.param("REQUEST_METHOD");
        if (env.method.empty()) env.method = "GET";
        env.query_string = req.param("QUERY_STRING");
        std::ostringstream log, out;
        try {
            news::cgi::Response response = news::cgi::handle(env, log, {}, &index);
            news::cgi::write_response(response, out, env.method == "HEAD");
        } catch (const std::exception& e) {
            log << "newssearch.cgi: " << e.what() << '\n';
            out.str("Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nInternal error\n");
            index.forget();
        }
        req.write(out.str());
        if (!log.str().empty()) req.log(log.str());
        req.finish();
    }
    return 0;
}

} // namespace

const char kUsage[] =
    "newssearch.cgi: the web front end of newssearch, run by a web server (CGI or FastCGI).\n"
    "\n"
    "Behind lighttpd: tools/run serves it (see tools/lighttpd-conf.sh). From a shell, one request:\n"
    "  QUERY_STRING='q=iran&from=2026-03' NEWS_DB=DIR ./newssearch.cgi\n"
    "\n"
    "Environment (from the server, never from a request):\n"
    "  NEWS_DB           the index (a database folder or stub), required\n"
    "  QUERY_STRING      q, from, to, entity (repeatable), source, sort, page, format=json;\n"
    "                    id=ID for the page of one article (q marks its words, links go back)\n"
    "  REQUEST_METHOD    GET or HEAD\n"
    "  NEWS_SEARCH_PATH, NEWS_STATIC_PATH  URL paths of the search page and its static files\n"
    "  NEWS_CACHE        a folder for cached answers (optional)\n"
    "Query syntax as for newssearch --help. Exit status 0, or 1 when the response could not be written.\n";

int main(int argc, char** argv) {
    std::ios::sync_with_stdio(false);
    // From a terminal, --help (or -h) is a person asking, not a request.
    if (argc > 1 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
        std::cout << kUsage;
        return 0;
    }
    if (FCGX_Init() != 0) return serve_one_request();
    return FCGX_IsCGI() ? serve_one_request() : serve_fastcgi();
}
