// Document data: what a result shows (title, date, source, path, body text,
// entity spans), serialised compactly and zstd-compressed. decode(encode(x))
// == x; a record from a newer or corrupt encoder throws news::Error. The
// fields a listing shows come first, uncompressed in a zstd skippable
// frame, so that decode_article_head() reads them without decompressing
// the body (older records hold everything in one frame, and still decode).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace news {

struct StoredEntity {
    std::string type;   // schema::kTypePerson etc.
    std::string name;   // canonical name, original case
    uint32_t begin = 0; // byte offsets of the mention in the body
    uint32_t end = 0;
    bool operator==(const StoredEntity& o) const {
        return type == o.type && name == o.name && begin == o.begin && end == o.end;
    }
};

struct StoredArticle {
    std::string id;
    std::string title;
    std::string date; // ISO "YYYY-MM-DD" or empty
    std::string source;
    std::string path; // file the article came from, as given to the indexer
    std::string url;
    std::string body;
    std::vector<StoredEntity> entities;
    bool operator==(const StoredArticle& o) const {
        return id == o.id && title == o.title && date == o.date && source == o.source && path == o.path &&
               url == o.url && body == o.body && entities == o.entities;
    }
};

std::string encode_article(const StoredArticle& a);
StoredArticle decode_article(std::string_view data);
// The article without its body and entity spans.
StoredArticle decode_article_head(std::string_view data);

// Unsigned LEB128 varints, shared by the document data and the entity
// model file: 7 bits a byte, lowest first, the high bit set on every byte
// but the last; 1 to 10 bytes.
void put_varint(std::string& out, uint64_t v);
// The varint at `pos` in `data`, `pos` moved past it; nullopt (`pos` left
// as it was) when the data ends inside it or it does not fit 64 bits.
std::optional<uint64_t> get_varint(std::string_view data, size_t& pos);

} // namespace news
