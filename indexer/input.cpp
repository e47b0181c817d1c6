#include "indexer/input.h"

#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "common/error.h"
#include "common/text.h"

namespace news {

namespace {
constexpr size_t kChunk = 1 << 16;

struct FileCloser {
    void operator()(FILE* f) const { std::fclose(f); }
};
struct DStreamFree {
    void operator()(ZSTD_DStream* d) const { ZSTD_freeDStream(d); }
};
} // namespace

class Input::Source {
public:
    virtual ~Source() = default;
    // Appends up to kChunk decoded bytes to `out`; returns false at end.
    virtual bool read(std::string& out) = 0;
    virtual long long consumed() const = 0;
};

namespace {

class PlainSource : public Input::Source {
public:
    PlainSource(std::unique_ptr<FILE, FileCloser> f, const std::string& path)
        : f_(std::move(f)), path_(printable(path)) {}
    bool read(std::string& out) override {
        char tmp[kChunk];
        size_t n = std::fread(tmp, 1, sizeof tmp, f_.get());
        if (n == 0 && std::ferror(f_.get())) throw Error(path_ + ": read error: " + std::strerror(errno));
        out.append(tmp, n);
        consumed_ += static_cast<long long>(n);
        return n > 0;
    }
    long long consumed() const override { return consumed_; }

private:
    std::unique_ptr<FILE, FileCloser> f_;
    std::string path_;
    long long consumed_ = 0;
};

class GzipSource : public Input::Source {
public:
    GzipSource(const std::string& path) : raw_path_(path), path_(printable(path)) {
        gz_ = gzopen(path.c_str(), "rb");
        if (!gz_) throw_open_error(path_ + ": cannot open", errno);
        gzbuffer(gz_, kChunk);
    }
    ~GzipSource() override { gzclose(gz_); }
    GzipSource(const GzipSource&) = delete;
    GzipSource& operator=(const GzipSource&) = delete;
    bool read(std::string& out) override {
        char tmp[kChunk];
        int n = gzread(gz_, tmp, sizeof tmp);
        if (n < 0) {
            int code = 0;
            // (zlib puts the raw path in front of its message)
            std::string msg = gzerror(gz_, &code);
            if (msg.rfind(raw_path_ + ": ", 0) == 0) msg.erase(0, raw_path_.size() + 2);
            throw Error(path_ + ": gzip error: " + printable(msg));
        }
        if (n == 0) {
            // zlib reports a stream that ends mid-member as Z_BUF_ERROR and
            // returns a plain end of file; a cut-off download is not a whole file.
            int code = Z_OK;
            gzerror(gz_, &code);
            if (code == Z_BUF_ERROR) throw Error(path_ + ": gzip stream truncated");
        }
        out.append(tmp, static_cast<size_t>(n));
        return n > 0;
    }
    long long consumed() const override { return static_cast<long long>(gzoffset(gz_)); }

private:
    std::string raw_path_, path_; // (path_ as messages show it)
    gzFile gz_ = nullptr;
};

class ZstdSource : public Input::Source {
public:
    ZstdSource(std::unique_ptr<FILE, FileCloser> f, const std::string& path)
        : f_(std::move(f)), path_(printable(path)), ds_(ZSTD_createDStream()), in_buf_(ZSTD_DStreamInSize()) {
        if (!ds_) throw Error(path_ + ": cannot create zstd stream");
        ZSTD_initDStream(ds_.get());
    }
    bool read(std::string& out) override {
        std::vector<char> tmp(ZSTD_DStreamOutSize());
        for (;;) {
            if (in_.pos == in_.size) {
                size_t n = std::fread(in_buf_.data(), 1, in_buf_.size(), f_.get());
                if (n == 0) {
                    if (std::ferror(f_.get())) throw Error(path_ + ": read error: " + std::strerror(errno));
                    if (!frame_done_) throw Error(path_ + ": zstd stream truncated");
                    return false;
                }
                consumed_ += static_cast<long long>(n);
                in_ = ZSTD_inBuffer {in_buf_.data(), n, 0};
            }
            ZSTD_outBuffer o {tmp.data(), tmp.size(), 0};
            size_t r = ZSTD_decompressStream(ds_.get(), &o, &in_);
            if (ZSTD_isError(r)) throw Error(path_ + ": zstd error: " + ZSTD_getErrorName(r));
            frame_done_ = (r == 0);
            if (o.pos > 0) {
                out.append(tmp.data(), o.pos);
                return true;
            }
        }
    }
    long long consumed() const override { return consumed_; }

private:
    std::unique_ptr<FILE, FileCloser> f_;
    std::string path_;
    std::unique_ptr<ZSTD_DStream, DStreamFree> ds_;
    std::vector<char> in_buf_;
    ZSTD_inBuffer in_ {nullptr, 0, 0};
    bool frame_done_ = true;
    long long consumed_ = 0;
};

} // namespace

Input::Input(const std::string& path) {
    std::unique_ptr<FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
    if (!f) throw_open_error(printable(path) + ": cannot open", errno);
    unsigned char magic[4] = {0, 0, 0, 0};
    size_t n = std::fread(magic, 1, 4, f.get());
    std::rewind(f.get());
    if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
        f.reset();
        source_ = std::make_unique<GzipSource>(path);
    } else if (n == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd) {
        source_ = std::make_unique<ZstdSource>(std::move(f), path);
    } else {
        source_ = std::make_unique<PlainSource>(std::move(f), path);
    }
}

Input::~Input() = default;

bool Input::fill() {
    if (eof_) return false;
    if (pos_ > 0) {
        buf_.erase(0, pos_);
        pos_ = 0;
    }
    try {
        if (!source_->read(buf_)) eof_ = true;
    } catch (const ResourceError&) {
        throw;
    } catch (const Error& e) {
        // Where it broke, for the message that says what was kept.
        throw Error(std::string(e.what()) + " at byte " + std::to_string(bytes_read()) + " of the file" +
                    (line_no_ ? ", after line " + std::to_string(line_no_) : std::string()));
    }
    return !eof_;
}

bool Input::read_line(std::string& line) {
    // The search for '\n' resumes where the last one stopped (`from`, past
    // pos_), so a long line costs its length once, not once per refill.
    size_t from = 0;
    too_long_ = false;
    for (;;) {
        size_t nl = buf_.find('\n', pos_ + from);
        if (nl != std::string::npos) {
            if (!too_long_) line.assign(buf_, pos_, nl - pos_);
            pos_ = nl + 1;
            break;
        }
        from = buf_.size() - pos_;
        if (from > max_line_) { // keep none of it: memory stays bounded
            too_long_ = true;
            buf_.resize(pos_);
            from = 0;
        }
        if (!fill()) {
            if (pos_ >= buf_.size() && !too_long_) return false;
            if (!too_long_) line.assign(buf_, pos_, std::string::npos);
            pos_ = buf_.size();
            break;
        }
    }
    if (too_long_) line.clear();
    if (!line.empty() && line.back() == '\r') line.pop_back();
    ++line_no_;
    return true;
}

std::optional<std::string> Input::read_all(size_t max_bytes) {
    // (Through fill(), so that a broken stream says where it broke.)
    while (buf_.size() - pos_ <= max_bytes && fill()) {}
    if (buf_.size() - pos_ > max_bytes) return std::nullopt;
    std::string out = buf_.substr(pos_);
    buf_.clear();
    pos_ = 0;
    return out;
}

long long Input::bytes_read() const { return source_->consumed(); }

bool is_compressed_name(const std::string& name) {
    auto ends = [&](const char* s) {
        size_t n = std::strlen(s);
        return name.size() >= n && name.compare(name.size() - n, n, s) == 0;
    };
    return ends(".gz") || ends(".zst");
}

} // namespace news
