// A bounded multi-producer, multi-consumer queue: the hand-over between the
// indexing pipeline's threads, so memory stays bounded however far one stage
// runs ahead of the next.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>

namespace news {

template <typename T>
class BoundedQueue {
public:
    explicit BoundedQueue(size_t cap) : cap_(cap) {}
    // Waits for room; false (and `v` dropped) once the queue is closed.
    bool push(T v) {
        std::unique_lock<std::mutex> lk(m_);
        not_full_.wait(lk, [&] { return q_.size() < cap_ || closed_; });
        if (closed_) return false;
        q_.push_back(std::move(v));
        not_empty_.notify_one();
        return true;
    }
    // Waits for an item; nullopt once the queue is closed and empty.
    std::optional<T> pop() {
        std::unique_lock<std::mutex> lk(m_);
        not_empty_.wait(lk, [&] { return !q_.empty() || closed_; });
        if (q_.empty()) return std::nullopt;
        T v = std::move(q_.front());
        q_.pop_front();
        not_full_.notify_one();
        return v;
    }
    // No more pushes; what is queued can still be popped.
    void close() {
        std::lock_guard<std::mutex> lk(m_);
        closed_ = true;
        not_empty_.notify_all();
        not_full_.notify_all();
    }

private:
    size_t cap_;
    std::mutex m_;
    std::condition_variable not_full_, not_empty_;
    std::deque<T> q_;
    bool closed_ = false;
};

} // namespace news
