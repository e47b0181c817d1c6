// newssearch.cgi: the web front end's CGI program. Reads QUERY_STRING (and
// the index path from NEWS_DB, never from the request) and writes one HTTP
// response. Runs from a shell too: QUERY_STRING='q=iran' NEWS_DB=db ./newssearch.cgi
#include <iostream>

#include "searcher/cgi.h"

int main() {
    std::ios::sync_with_stdio(false);
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
