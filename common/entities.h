// Named-entity recognition for news text: finds PERSON, ORG, PLACE and MISC
// mentions, and maps each to a canonical name (within an article a later
// "Trump" is the earlier "Donald Trump"; across the corpus "US", "U.S." and
// "United States" are one place). The model ships with the build and is
// loaded once; tagging is const and thread-safe.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace news {

struct EntityMention {
    std::string type;  // schema::kTypePerson, kTypeOrg, kTypePlace or kTypeMisc
    std::string name;  // canonical name, original case ("United States")
    uint32_t begin = 0; // byte offsets of the mention in the tagged text
    uint32_t end = 0;
};

class EntityTagger {
public:
    // The tagger built from the model shipped with the program; loaded on
    // first use, thread-safe.
    static const EntityTagger& instance();

    // Mentions in `text` (NFC UTF-8), in order of appearance.
    std::vector<EntityMention> tag(std::string_view text) const;

    // Canonical form of a name typed in a query ("US" -> "United States"
    // for PLACE). `type` may be empty for "any type".
    std::string canonical(std::string_view type, std::string_view name) const;

    // Identifies the model, stored in the index metadata.
    std::string model_version() const;
};

// Reads CoNLL columns (token first, gold tag last; blank line between
// sentences; -DOCSTART- passed through) and writes "token gold predicted"
// per token in IOB2 with CoNLL type names, for conlleval.
void write_conll_tagging(std::istream& in, std::ostream& out);

// The mentions in an article as a JSON array (type, name, text, begin, end).
std::string tag_article_json(std::string_view text);

} // namespace news
