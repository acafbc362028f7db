#include "core/schedule/failure_backoff.hpp"

#include <algorithm>

namespace lokbackup
{

std::chrono::milliseconds FailureBackoff::wait_left(const std::string &key,
                                                    Clock::time_point now) const
{
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end() || forgotten(it->second, now) || it->second.blocked_until <= now)
        return std::chrono::milliseconds(0);
    return std::chrono::ceil<std::chrono::milliseconds>(it->second.blocked_until - now);
}

void FailureBackoff::record_failure(const std::string &key, Clock::time_point now)
{
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
        make_room(now);
        it = entries_.emplace(key, Entry{}).first;
    } else if (forgotten(it->second, now)) {
        it->second = Entry{};
    }
    Entry &entry = it->second;
    ++entry.failures;
    entry.last_failure = now;
    if (entry.failures <= policy_.free_failures)
        return;
    // The shift is capped: past 2^20 times first_wait every wait is max_wait anyway.
    unsigned doublings = std::min(entry.failures - policy_.free_failures - 1, 20u);
    std::chrono::milliseconds wait = policy_.first_wait * (1 << doublings);
    entry.blocked_until = now + std::min(wait, policy_.max_wait);
}

void FailureBackoff::forget(const std::string &key)
{
    std::lock_guard<std::mutex> guard(mutex_);
    entries_.erase(key);
}

std::size_t FailureBackoff::size() const
{
    std::lock_guard<std::mutex> guard(mutex_);
    return entries_.size();
}

bool FailureBackoff::forgotten(const Entry &entry, Clock::time_point now) const
{
    return now - entry.last_failure >= policy_.forget_after;
}

void FailureBackoff::make_room(Clock::time_point now)
{
    if (entries_.size() < policy_.max_keys)
        return;
    for (auto it = entries_.begin(); it != entries_.end();)
        it = forgotten(it->second, now) ? entries_.erase(it) : std::next(it);
    if (entries_.size() < policy_.max_keys)
        return;
    auto oldest =
        std::min_element(entries_.begin(), entries_.end(), [](const auto &a, const auto &b) {
            return a.second.last_failure < b.second.last_failure;
        });
    entries_.erase(oldest);
}

} // namespace lokbackup
