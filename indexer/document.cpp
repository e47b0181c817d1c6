#include "indexer/document.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string_view>

#include "common/codec.h"
#include "common/dates.h"
#include "common/entities.h"
#include "common/schema.h"

namespace news {
namespace {

// The English stemmer with a memory: news text repeats its words, and
// looking a word up costs a fraction of stemming it again. Same stems as
// Xapian::Stem("english"). One per DocumentBuilder (not thread-safe).
// An open-addressing table of hashes over one buffer of words and stems:
// a lookup reads a slot and the word beside its stem, where a node-based
// map read a bucket, a node and the strings, each a wait for memory.
class CachedStemmer : public Xapian::StemImplementation {
public:
    std::string operator()(const std::string& word) override {
        const uint64_t h = std::hash<std::string_view>()(word) | 1; // (0 marks an empty slot)
        const size_t mask = slots_.size() - 1;
        for (size_t i = h & mask; slots_[i].hash != 0; i = (i + 1) & mask) {
            const Slot& s = slots_[i];
            if (s.hash == h && s.word_size == word.size() &&
                word.compare(0, word.size(), &text_[s.at], s.word_size) == 0)
                return std::string(&text_[s.at + s.word_size], s.stem_size);
        }
        std::string stem = stem_(word);
        if (word.size() > UINT16_MAX || stem.size() > UINT16_MAX) return stem;
        if (words_ >= kMaxWords)
            clear(); // bounded: a new corpus's words take over
        else if ((words_ + 1) * 2 > slots_.size())
            grow();
        insert(h, word, stem);
        return stem;
    }
    std::string get_description() const override { return "cached " + stem_.get_description(); }

private:
    struct Slot {
        uint64_t hash = 0;
        uint32_t at = 0; // the word in text_, its stem right after it
        uint16_t word_size = 0, stem_size = 0;
    };
    static constexpr size_t kMaxWords = 200000;

    void insert(uint64_t h, const std::string& word, const std::string& stem) {
        const size_t mask = slots_.size() - 1;
        size_t i = h & mask;
        while (slots_[i].hash != 0) i = (i + 1) & mask;
        slots_[i] = {h, static_cast<uint32_t>(text_.size()), static_cast<uint16_t>(word.size()),
                     static_cast<uint16_t>(stem.size())};
        text_ += word;
        text_ += stem;
        ++words_;
    }
    void grow() {
        std::vector<Slot> old(slots_.size() * 2);
        old.swap(slots_);
        const size_t mask = slots_.size() - 1;
        for (const Slot& s : old) {
            if (s.hash == 0) continue;
            size_t i = s.hash & mask;
            while (slots_[i].hash != 0) i = (i + 1) & mask;
            slots_[i] = s;
        }
    }
    void clear() {
        slots_.assign(kInitialSlots, Slot {});
        text_.clear();
        words_ = 0;
    }

    static constexpr size_t kInitialSlots = 4096;
    Xapian::Stem stem_ {"english"};
    std::vector<Slot> slots_ = std::vector<Slot>(kInitialSlots);
    std::string text_; // words and stems, one after another
    size_t words_ = 0;
};

} // namespace

DocumentBuilder::DocumentBuilder(const EntityTagger& tagger, std::string run_term)
    : tagger_(tagger), run_term_(std::move(run_term)) {
    // Xapian::Stem takes ownership of the implementation.
    tg_.set_stemmer(Xapian::Stem(std::make_unique<CachedStemmer>().release()));
    tg_.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
}

BuiltDocument DocumentBuilder::build(const Article& a, const std::string& id, const std::string& path,
                                     const std::string& file_key) {
    namespace s = schema;
    BuiltDocument out;
    Xapian::Document& doc = out.doc;
    tg_.set_document(doc);
    tg_.set_termpos(0);

    StoredArticle stored;
    stored.id = id;
    stored.title = a.title;
    stored.date = a.date;
    stored.source = a.source;
    stored.path = path;
    stored.url = a.url;
    stored.body = a.body;

    // Title: under its prefix, and with the body words so free text finds it
    // (unless it is the lead's first sentence, which the body holds anyway).
    tg_.index_text(a.title, 1, std::string(s::kTitlePrefix));
    tg_.increase_termpos(10);
    if (!a.title_from_body) {
        tg_.index_text(a.title);
        tg_.increase_termpos(10);
    }

    // Body, cut at each entity mention so the mention's term gets a posting
    // at the position of its first word.
    const std::string& tagged = a.body.empty() ? a.title : a.body;
    std::vector<EntityMention> mentions = tagger_.tag(tagged);
    std::map<std::pair<std::string, std::string>, int> distinct;
    size_t pos = 0;
    for (const auto& m : mentions) {
        if (m.begin < pos || m.end > tagged.size() || m.begin >= m.end) continue;
        if (!a.body.empty()) tg_.index_text(Xapian::Utf8Iterator(tagged.data() + pos, m.begin - pos));
        if (!a.body.empty()) pos = m.begin;
        doc.add_posting(s::entity_term(m.type, m.name), tg_.get_termpos() + 1);
        if (std::string_view surname = s::person_surname(m.name); m.type == s::kTypePerson && !surname.empty())
            doc.add_posting(s::surname_term(surname), tg_.get_termpos() + 1);
        if (!a.body.empty()) stored.entities.push_back({m.type, m.name, m.begin, m.end});
        ++distinct[{m.type, m.name}];
    }
    if (!a.body.empty()) tg_.index_text(Xapian::Utf8Iterator(tagged.data() + pos, tagged.size() - pos));

    std::string entity_list;
    for (const auto& [key, count] : distinct) {
        entity_list += s::entity_type_code(key.first);
        entity_list += key.second;
        entity_list += '\n';
    }
    if (!entity_list.empty()) doc.add_value(s::kEntitiesSlot, entity_list);

    if (!a.date.empty()) {
        Date d = parse_iso_date(a.date);
        doc.add_value(s::kDateSlot, d.compact());
        doc.add_boolean_term(s::year_term(d.year));
        doc.add_boolean_term(s::month_term(d.year, d.month));
        doc.add_boolean_term(s::day_term(d.year, d.month, d.day));
    }
    if (!a.source.empty()) {
        doc.add_value(s::kSourceSlot, a.source);
        doc.add_boolean_term(s::source_term(a.source));
    }
    out.id_term = s::id_term(id);
    doc.add_boolean_term(out.id_term);
    doc.add_boolean_term(s::file_term(file_key));
    if (!run_term_.empty()) doc.add_boolean_term(run_term_);
    doc.add_boolean_term(s::date_from_term(a.date.empty() ? s::kDateFromNone : a.date_from));
    doc.add_value(s::kStorySlot, id);
    doc.add_value(s::kIdSlot, id);
    out.id = id;
    out.date = a.date;
    out.shingles = shingle(a.title, a.body);
    out.shingles.names = name_hashes(entity_list);
    out.bands = band_terms(out.shingles);
    for (const std::string& b : out.bands) doc.add_boolean_term(b);
    // Body words for spelling suggestions: unprefixed, unstemmed terms.
    for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
        const std::string& term = *t;
        if (term.size() >= 3 && term.size() <= 30 && term[0] >= 'a' && term[0] <= 'z' &&
            term.find_first_of("0123456789") == std::string::npos)
            out.words.push_back(term);
    }
    doc.set_data(encode_article(stored));
    // The term generator holds a handle on the document until its next
    // set_document. Xapian counts handles without atomics, and the writer
    // thread copies and drops this document while the worker builds the next
    // one: let go of it here, so only the writer ever touches its count.
    tg_.set_document(Xapian::Document());
    return out;
}

} // namespace news
