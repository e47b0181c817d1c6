// The one exception type that crosses module edges. It carries the context a
// person needs to act on it (file, line, what was expected); Xapian, ICU and
// zstd errors are converted to it where they are caught.
#pragma once

#include <stdexcept>
#include <string>

namespace news {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what) : std::runtime_error(what) {}
    Error(const std::string& file, long line, const std::string& what)
        : std::runtime_error(file + ":" + std::to_string(line) + ": " + what), file_(file),
          line_(line) {}

    const std::string& file() const { return file_; }
    long line() const { return line_; }

private:
    std::string file_;
    long line_ = 0;
};

// A query the user typed that cannot be understood; reported verbatim, exit 2.
class QueryError : public Error {
public:
    using Error::Error;
};

} // namespace news
