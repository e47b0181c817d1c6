// CoNLL-2003 column files for the entity tagger: reading documents
// (-DOCSTART- anywhere is a document boundary), IOB1/IOB2 tag conversion and
// span scoring in the manner of conlleval. Used by training and `newsindex tag`.
#pragma once

#include <istream>
#include <string>
#include <vector>

namespace news::ner {

struct ConllSentence {
    std::vector<std::string> tokens;
    std::vector<std::string> tags; // last column as written (IOB1 in CoNLL-2003)
};

struct ConllDoc {
    std::vector<ConllSentence> sentences;
};

// One line of a CoNLL column file: token first, gold tag last ("O" when
// the line has one column). `kind` says whether it ends a sentence (blank),
// starts a document (-DOCSTART-) or holds a token.
struct ConllLine {
    enum Kind { Blank, DocStart, Token } kind = Blank;
    std::string token, tag;
};
ConllLine parse_conll_line(std::string line);

// Reads a whole CoNLL file. Lines are "token ... tag"; blank lines end
// sentences; a -DOCSTART- line starts a new document.
std::vector<ConllDoc> read_conll(std::istream& in);

// IOB1 or IOB2 tags of one sentence to IOB2 ("I-X" after O or another
// type becomes "B-X").
std::vector<std::string> to_iob2(const std::vector<std::string>& tags);

// Entity spans [begin, end) with type names, from IOB2 tags.
struct Span {
    size_t begin = 0, end = 0;
    std::string type;
    bool operator==(const Span& o) const { return begin == o.begin && end == o.end && type == o.type; }
};
std::vector<Span> iob2_spans(const std::vector<std::string>& tags);

// Span-level precision/recall counts, accumulated over sentences.
struct Score {
    size_t gold = 0, predicted = 0, correct = 0;
    void add(const std::vector<std::string>& gold_iob2, const std::vector<std::string>& pred_iob2);
    double f1() const;
};

} // namespace news::ner
