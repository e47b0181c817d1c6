// CoNLL reading and scoring (see ner_conll.h).
#include "common/ner_conll.h"

#include <sstream>

namespace news::ner {

ConllLine parse_conll_line(std::string line) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream cols(line);
    ConllLine out;
    std::string first, col, last;
    if (!(cols >> first)) return out;
    last = first;
    while (cols >> col) last = col;
    out.kind = first == "-DOCSTART-" ? ConllLine::DocStart : ConllLine::Token;
    out.token = first;
    out.tag = last == first ? "O" : last;
    return out;
}

std::vector<ConllDoc> read_conll(std::istream& in) {
    std::vector<ConllDoc> docs(1);
    ConllSentence cur;
    auto flush = [&] {
        if (!cur.tokens.empty()) docs.back().sentences.push_back(std::move(cur));
        cur = ConllSentence {};
    };
    std::string line;
    while (std::getline(in, line)) {
        ConllLine l = parse_conll_line(std::move(line));
        if (l.kind == ConllLine::Blank) {
            flush();
        } else if (l.kind == ConllLine::DocStart) {
            flush();
            if (!docs.back().sentences.empty()) docs.emplace_back();
        } else {
            cur.tokens.push_back(std::move(l.token));
            cur.tags.push_back(std::move(l.tag));
        }
    }
    flush();
    if (docs.back().sentences.empty()) docs.pop_back();
    return docs;
}

std::vector<std::string> to_iob2(const std::vector<std::string>& tags) {
    std::vector<std::string> out(tags.size());
    std::string prev_type;
    for (size_t i = 0; i < tags.size(); ++i) {
        const std::string& t = tags[i];
        if (t.size() < 3 || t[1] != '-') {
            out[i] = "O";
            prev_type.clear();
            continue;
        }
        const std::string type = t.substr(2);
        const bool begin = t[0] == 'B' || t[0] == 'S' || type != prev_type;
        out[i] = (begin ? "B-" : "I-") + type;
        prev_type = (t[0] == 'E' || t[0] == 'S') ? std::string() : type;
    }
    return out;
}

std::vector<Span> iob2_spans(const std::vector<std::string>& tags) {
    std::vector<Span> spans;
    for (size_t i = 0; i < tags.size(); ++i) {
        if (tags[i].size() < 3 || tags[i][0] != 'B') continue;
        Span s;
        s.begin = i;
        s.type = tags[i].substr(2);
        size_t j = i + 1;
        while (j < tags.size() && tags[j].size() > 2 && tags[j][0] == 'I' &&
               tags[j].compare(2, std::string::npos, s.type) == 0)
            ++j;
        s.end = j;
        spans.push_back(s);
    }
    return spans;
}

void Score::add(const std::vector<std::string>& gold_iob2, const std::vector<std::string>& pred_iob2) {
    const auto g = iob2_spans(gold_iob2);
    const auto p = iob2_spans(pred_iob2);
    gold += g.size();
    predicted += p.size();
    for (const Span& s : p) {
        for (const Span& t : g) {
            if (s == t) {
                ++correct;
                break;
            }
        }
    }
}

double Score::f1() const {
    if (gold == 0 || predicted == 0) return 0.0;
    const double p = static_cast<double>(correct) / predicted;
    const double r = static_cast<double>(correct) / gold;
    return p + r > 0 ? 200.0 * p * r / (p + r) : 0.0;
}

} // namespace news::ner
