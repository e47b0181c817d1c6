// The one exception type that crosses module edges. It carries the context a
// person needs to act on it (file, line, what was expected); Xapian, ICU and
// zstd errors are converted to it where they are caught.
#pragma once

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace news {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what) : std::runtime_error(what) {}
    Error(const std::string& file, long line, const std::string& what)
        : std::runtime_error(file + ":" + std::to_string(line) + ": " + what), file_(file), line_(line) {}

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

// The machine, not the input, is at fault (out of file descriptors): the run
// must stop, never record a good file as unreadable.
class ResourceError : public Error {
public:
    using Error::Error;
};

// Throws ResourceError for EMFILE/ENFILE/ENOMEM, else Error; `what` gets
// ": <strerror>" appended.
[[noreturn]] inline void throw_open_error(const std::string& what, int err) {
    std::string msg = what + ": " + std::strerror(err);
    if (err == EMFILE || err == ENFILE || err == ENOMEM) throw ResourceError(msg);
    throw Error(msg);
}

} // namespace news
