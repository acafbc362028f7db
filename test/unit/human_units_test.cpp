#include "core/base/human_units.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

constexpr std::uint64_t kib = 1024;
constexpr std::uint64_t mib = 1024 * kib;
constexpr std::uint64_t gib = 1024 * mib;

// The values are what PostgreSQL's pg_size_pretty() shows for the same sizes.
TEST(HumanUnits, SizesChangeUnitAtTenThousandTwoHundredForty)
{
    EXPECT_EQ(pretty_size(0), "0 bytes");
    EXPECT_EQ(pretty_size(10 * kib - 1), "10239 bytes");
    EXPECT_EQ(pretty_size(10 * kib), "10 kB");
    EXPECT_EQ(pretty_size(10 * mib - 1 * mib), "9216 kB");
    EXPECT_EQ(pretty_size(10 * mib), "10 MB");
    EXPECT_EQ(pretty_size(10 * gib), "10 GB");
    EXPECT_EQ(pretty_size(10 * 1024 * gib), "10 TB");
    EXPECT_EQ(pretty_size(10 * 1024 * 1024 * gib), "10 PB");
}

TEST(HumanUnits, SizesRoundHalfUp)
{
    EXPECT_EQ(pretty_size(10 * kib + kib / 2 - 1), "10 kB");
    EXPECT_EQ(pretty_size(10 * kib + kib / 2), "11 kB");
    // Where rounding the kB would reach 10240: pg_size_pretty() already says MB.
    EXPECT_EQ(pretty_size(10 * mib - kib / 2 - 1), "10239 kB");
    EXPECT_EQ(pretty_size(10 * mib - kib / 2), "10 MB");
    EXPECT_EQ(pretty_size(10 * gib - mib / 2), "10 GB");
    EXPECT_EQ(pretty_size(15 * mib + mib / 2), "16 MB");
}

TEST(HumanUnits, PetabytesAreTheLargestUnit)
{
    EXPECT_EQ(pretty_size(UINT64_MAX), "16384 PB");
}

TEST(HumanUnits, DurationsInSecondsMinutesAndHours)
{
    EXPECT_EQ(pretty_duration(0), "0.0 s");
    EXPECT_EQ(pretty_duration(12.5), "12.5 s");
    EXPECT_EQ(pretty_duration(59.9), "59.9 s");
    EXPECT_EQ(pretty_duration(60), "1 min 00 s");
    EXPECT_EQ(pretty_duration(3 * 60 + 4.9), "3 min 04 s");
    EXPECT_EQ(pretty_duration(3599), "59 min 59 s");
    EXPECT_EQ(pretty_duration(3600), "1 h 00 min");
    EXPECT_EQ(pretty_duration(2 * 3600 + 5 * 60 + 59), "2 h 05 min");
    EXPECT_EQ(pretty_duration(100 * 3600), "100 h 00 min");
}

} // namespace
} // namespace lokbackup
