// Growing waits after repeated failures, per key (a user name, a client address): guessing a
// password gets slower with every miss, while a typo or two costs nothing. The table is bounded,
// so that a client that invents keys cannot exhaust memory: the oldest entries make room.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace lokbackup
{

class FailureBackoff
{
  public:
    using Clock = std::chrono::steady_clock;

    struct Policy {
        unsigned free_failures = 3;                 // failures in a row that cost no wait
        std::chrono::milliseconds first_wait{250};  // after the first failure beyond those
        std::chrono::milliseconds max_wait{8000};   // doubling up to this
        std::chrono::seconds forget_after{15 * 60}; // a key this long without failure starts afresh
        std::size_t max_keys = 10000;
    };

    explicit FailureBackoff(Policy policy) : policy_(policy) {}

    // How long `key` must still wait before its next attempt; zero when it may try now.
    std::chrono::milliseconds wait_left(const std::string &key, Clock::time_point now) const;
    void record_failure(const std::string &key, Clock::time_point now);
    // After a success: the key starts afresh.
    void forget(const std::string &key);
    std::size_t size() const;

  private:
    struct Entry {
        unsigned failures = 0;
        Clock::time_point last_failure;
        Clock::time_point blocked_until;
    };

    bool forgotten(const Entry &entry, Clock::time_point now) const;
    // With mutex_ held, before a new key goes in: drops forgotten keys, else the oldest.
    void make_room(Clock::time_point now);

    Policy policy_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
};

} // namespace lokbackup
