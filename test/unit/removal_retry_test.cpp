#include "core/storage/removal_retry.hpp"

#include <gtest/gtest.h>

using namespace lokbackup;
using std::chrono::seconds;

TEST(RemovalRetryDelay, StartsAtTenSecondsAndDoubles)
{
    EXPECT_EQ(removal_retry_delay(1), seconds(10));
    EXPECT_EQ(removal_retry_delay(2), seconds(20));
    EXPECT_EQ(removal_retry_delay(3), seconds(40));
    EXPECT_EQ(removal_retry_delay(9), seconds(2560));
}

TEST(RemovalRetryDelay, NeverWaitsMoreThanAnHour)
{
    EXPECT_EQ(removal_retry_delay(10), seconds(3600));
    EXPECT_EQ(removal_retry_delay(1000000), seconds(3600));
}

TEST(RemovalRetryDelay, TreatsNoFailureYetAsTheFirst)
{
    EXPECT_EQ(removal_retry_delay(0), seconds(10));
    EXPECT_EQ(removal_retry_delay(-3), seconds(10));
}
