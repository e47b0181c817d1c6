// Streaming input: reads a plain, gzip or zstd file in fixed-size chunks and
// hands out lines, so a multi-gigabyte compressed archive never sits in
// memory whole. Compression is recognised by magic bytes, not the name.
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

namespace news {

class Input {
public:
    // Opens `path`; throws news::Error when it cannot be opened.
    explicit Input(const std::string& path);
    ~Input();
    Input(const Input&) = delete;
    Input& operator=(const Input&) = delete;

    // Next line without its '\n' (and without a trailing '\r'); false at end.
    // A line longer than max_line() is read past, not kept: `line` is empty
    // and line_too_long() true. Throws news::Error on a read or
    // decompression error.
    bool read_line(std::string& line);
    void set_max_line(size_t bytes) { max_line_ = bytes; }
    size_t max_line() const { return max_line_; }
    bool line_too_long() const { return too_long_; }

    // The rest of the input, or nullopt when it is longer than `max_bytes`
    // (read no further). Throws news::Error on a read or decompression error.
    std::optional<std::string> read_all(size_t max_bytes);

    // 1-based number of the line last returned by read_line.
    long line_number() const { return line_no_; }

    // Bytes of (compressed) file read so far.
    long long bytes_read() const;

    class Source; // decompressor behind the line splitter

private:
    bool fill();

    std::unique_ptr<Source> source_;
    std::string buf_;
    size_t pos_ = 0;
    bool eof_ = false;
    bool too_long_ = false;
    size_t max_line_ = static_cast<size_t>(-1);
    long line_no_ = 0;
};

// True for names ending in .gz or .zst.
bool is_compressed_name(const std::string& name);

} // namespace news
