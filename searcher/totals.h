// The total of a search whose match stopped before it saw every result:
// the articles (or stories) it can match, counted by a second, unweighted
// match, exactly when few can, else in an evenly spread sample of the
// archive, scaled up and rounded to two significant figures.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>

#include <xapian.h>

#include "searcher/results.h"

namespace news {

// Matches the documents of `windows` windows of each database's document
// numbers that together hold about `fraction` of them: a sample of a match
// spread over the whole archive, which is added to in time order. Window j
// lies somewhere in the j-th of `windows` equal stretches, where a hash of
// j puts it (a window at the start of each would sample every k-th article
// in step with anything that recurs every k articles). Each database it
// is used on adds its documents and those sampled to `tally`. (Over local
// shards Xapian searches each with a clone, in its own numbering.)
class SampleSource : public Xapian::PostingSource {
public:
    struct Tally {
        double docs = 0, sampled = 0;
    };
    SampleSource(double fraction, Xapian::docid windows, std::shared_ptr<Tally> tally)
        : fraction_(fraction), windows_(windows), tally_(std::move(tally)) {}
    Xapian::PostingSource* clone() const override { return new SampleSource(fraction_, windows_, tally_); }
    void init(const Xapian::Database& db) override {
        last_ = db.get_lastdocid();
        stride_ = std::max<Xapian::docid>(1, last_ / windows_ + (last_ % windows_ != 0));
        width_ = std::clamp<Xapian::docid>(static_cast<Xapian::docid>(std::ceil(stride_ * fraction_)), 1, stride_);
        covered_ = 0;
        for (uint64_t j = 0; j * stride_ < last_; ++j) {
            const uint64_t begin = start(j);
            if (begin <= last_)
                covered_ += static_cast<Xapian::doccount>(std::min<uint64_t>(width_, last_ - begin + 1));
        }
        cur_ = 0;
        tally_->docs += last_;
        tally_->sampled += covered_;
    }
    Xapian::doccount get_termfreq_min() const override { return 0; }
    Xapian::doccount get_termfreq_est() const override { return covered_; }
    Xapian::doccount get_termfreq_max() const override { return covered_; }
    void next(double) override { settle(cur_ + 1); }
    void skip_to(Xapian::docid did, double) override {
        if (did > cur_) settle(did);
    }
    bool at_end() const override { return cur_ > last_; }
    Xapian::docid get_docid() const override { return static_cast<Xapian::docid>(cur_); }
    std::string get_description() const override { return "SampleSource(" + std::to_string(fraction_) + ")"; }

private:
    // The first document of window j.
    uint64_t start(uint64_t j) const {
        uint64_t h = (j + 1) * 0x9E3779B97F4A7C15ULL; // (a fixed mix: the same sample every time)
        h ^= h >> 31;
        return j * stride_ + 1 + h % (stride_ - width_ + 1);
    }
    // Moves to `d`, or on to the next window's start when `d` is outside one.
    void settle(uint64_t d) {
        const uint64_t j = (d - 1) / stride_, begin = start(j);
        cur_ = d < begin ? begin : d < begin + width_ ? d : start(j + 1);
    }
    double fraction_;
    Xapian::docid windows_;
    std::shared_ptr<Tally> tally_;
    Xapian::docid last_ = 0, stride_ = 1, width_ = 1;
    uint64_t cur_ = 0; // (past last_ at the end, even when that is the largest docid)
    Xapian::doccount covered_ = 0;
};

// What a match that stopped early told of the number of articles matching
// (Xapian's bounds and estimate, before folding), the share of stories
// among the articles it looked at, and the results known to match.
struct MatchCount {
    Xapian::doccount lower = 0, upper = 0, estimated = 0;
    double story_rate = 1;
    long seen = 0;
};

// Sets resp.total_estimate and resp.total_exact for a match that stopped
// early (`c`), folded into stories when `fold`; counts only with
// `may_count` (see totals.cpp).
void settle_total(const Xapian::Database& db, const Xapian::Query& q, const MatchCount& c, bool fold, bool may_count,
                  SearchResponse& resp);

} // namespace news
