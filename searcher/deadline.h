// A search's time limit, kept by every step that matches: each gets what
// the steps before it left. Optional steps (ranking feedback, the facet
// count) stop through DeadlineSpy, which throws out of the match, rather
// than through Xapian's Enquire::set_time_limit: that timer's callback runs
// on a thread of its own and can write into the matcher's stack after a
// match that ended just past the limit has returned (a crash, seen with
// limits of a few milliseconds on a loaded machine).
#pragma once

#include <chrono>

#include <xapian.h>

namespace news {

class Deadline {
public:
    // `seconds` from `start`; 0 for no limit.
    Deadline(std::chrono::steady_clock::time_point start, double seconds) : start_(start), seconds_(seconds) {}
    bool limited() const { return seconds_ > 0; }
    double left() const {
        return seconds_ - std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }
    bool passed() const { return limited() && left() <= 0; }

private:
    std::chrono::steady_clock::time_point start_;
    double seconds_;
};

// What DeadlineSpy throws out of a match.
struct OutOfTime {};

// Added to an Enquire whose match may be abandoned: throws OutOfTime from
// inside it once the deadline has passed (checked every 64 documents).
class DeadlineSpy : public Xapian::MatchSpy {
public:
    explicit DeadlineSpy(const Deadline& deadline) : deadline_(deadline) {}
    void operator()(const Xapian::Document&, double) override {
        if ((seen_++ & 63) == 0 && deadline_.passed()) throw OutOfTime {};
    }

private:
    const Deadline& deadline_;
    unsigned seen_ = 0;
};

} // namespace news
