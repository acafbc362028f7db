#include "core/schedule/failure_backoff.hpp"

#include <gtest/gtest.h>

using namespace lokbackup;
using namespace std::chrono_literals;

namespace
{

FailureBackoff::Policy policy()
{
    FailureBackoff::Policy policy;
    policy.free_failures = 2;
    policy.first_wait = 250ms;
    policy.max_wait = 2s;
    policy.forget_after = 60s;
    policy.max_keys = 3;
    return policy;
}

const FailureBackoff::Clock::time_point start{};

} // namespace

class FailureBackoffTest : public ::testing::Test
{
  protected:
    void fail(const std::string &key, int times)
    {
        for (int i = 0; i < times; ++i)
            backoff.record_failure(key, start);
    }

    FailureBackoff backoff{policy()};
};

TEST_F(FailureBackoffTest, FreeFailuresCostNoWait)
{
    fail("alice", 2);
    EXPECT_EQ(backoff.wait_left("alice", start), 0ms);
}

TEST_F(FailureBackoffTest, WaitsDoubleUpToTheCap)
{
    std::vector<std::chrono::milliseconds> waits;
    for (int i = 0; i < 8; ++i) {
        backoff.record_failure("alice", start);
        waits.push_back(backoff.wait_left("alice", start));
    }
    std::vector<std::chrono::milliseconds> expected = {0ms,    0ms,    250ms,  500ms,
                                                       1000ms, 2000ms, 2000ms, 2000ms};
    EXPECT_EQ(waits, expected);
}

TEST_F(FailureBackoffTest, TheWaitPasses)
{
    fail("alice", 3);
    EXPECT_EQ(backoff.wait_left("alice", start + 100ms), 150ms);
    EXPECT_EQ(backoff.wait_left("alice", start + 250ms), 0ms);
}

TEST_F(FailureBackoffTest, KeysAreApart)
{
    fail("alice", 3);
    EXPECT_EQ(backoff.wait_left("bob", start), 0ms);
}

TEST_F(FailureBackoffTest, ForgetStartsAfresh)
{
    fail("alice", 5);
    backoff.forget("alice");
    EXPECT_EQ(backoff.wait_left("alice", start), 0ms);
    backoff.record_failure("alice", start);
    EXPECT_EQ(backoff.wait_left("alice", start), 0ms);
}

TEST_F(FailureBackoffTest, AKeyLongWithoutFailureStartsAfresh)
{
    fail("alice", 5);
    backoff.record_failure("alice", start + 61s);
    EXPECT_EQ(backoff.wait_left("alice", start + 61s), 0ms);
}

TEST_F(FailureBackoffTest, TheTableIsBoundedAndTheOldestMakesRoom)
{
    fail("old", 3);
    for (int key = 0; key < 100; ++key)
        backoff.record_failure("key" + std::to_string(key), start + 1s);
    EXPECT_EQ(backoff.size(), 3u);
    EXPECT_EQ(backoff.wait_left("old", start), 0ms);
}
