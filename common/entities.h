// Named-entity recognition for news text: finds PERSON, ORG, PLACE and MISC
// mentions, and maps each to a canonical name (within an article a later
// "Trump" is the earlier "Donald Trump"; across the corpus "US", "U.S." and
// "United States" are one place). The model ships with the build and is
// loaded once; tagging is const and thread-safe.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace news {

struct EntityMention {
    std::string type;   // schema::kTypePerson, kTypeOrg, kTypePlace or kTypeMisc
    std::string name;   // canonical name, original case ("United States")
    uint32_t begin = 0; // byte offsets of the mention in the tagged text
    uint32_t end = 0;
};

class EntityTagger {
public:
    // The tagger built from the model shipped with the program (embedded in
    // the binary; the environment variable NEWS_NER_MODEL may name another
    // model file); loaded on first use, thread-safe. Throws news::Error when
    // the model cannot be read.
    static const EntityTagger& instance();

    // A tagger over a model file's bytes (as written by tools/train-ner).
    // Throws news::Error for a corrupt model.
    explicit EntityTagger(std::string_view model_bytes);

    // Mentions in `text` (NFC UTF-8), in order of appearance.
    std::vector<EntityMention> tag(std::string_view text) const;

    // Canonical form of a name typed in a query ("US" -> "United States"
    // for PLACE). `type` may be empty for "any type".
    std::string canonical(std::string_view type, std::string_view name) const;

    // The alias table ("US" -> PLACE "United States"): what canonical()
    // applies, for storing beside an index so queries need not load the model.
    struct Alias {
        std::string alias; // as written
        std::string type;  // schema type, or "" for any type
        std::string canonical;
    };
    std::vector<Alias> aliases() const;

    // Identifies the model, stored in the index metadata.
    std::string model_version() const;

    // CoNLL evaluation: IOB2 tags ("B-PER", "I-LOC", "B-ORG", "B-MISC", "O";
    // CoNLL type names) for a pre-tokenised document, one vector of tokens
    // per sentence; one tag per token, sentences concatenated.
    std::vector<std::string> tag_tokens(const std::vector<std::vector<std::string>>& doc_sentences) const;

    // The model re-encoded in the file format (for round-trip tests).
    std::string model_bytes() const;

    struct Impl;

private:
    std::shared_ptr<const Impl> impl_;
};

// The model file embedded in the binary (zstd-compressed).
std::string_view embedded_ner_model();

// `newsindex tag --conll`: reads CoNLL columns (token first, gold tag last,
// blank lines between sentences, -DOCSTART- lines between documents) and
// writes "token gold predicted" per token with both tags in IOB2, blank
// lines between sentences and -DOCSTART- lines passed through, ready for
// conlleval. Uses EntityTagger::instance().
void write_conll_tagging(std::istream& in, std::ostream& out);

// `newsindex tag`: the mentions of an article as a JSON array of
// {"type", "name", "text", "begin", "end"} (byte offsets).
std::string tag_article_json(std::string_view text);

} // namespace news
