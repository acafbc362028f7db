#include "core/base/log_lines.hpp"

#include <gtest/gtest.h>

using lokbackup::LogLines;
using Lines = std::vector<std::string>;

TEST(LogLines, SplitsLinesAcrossChunks)
{
    LogLines log(100, 10);
    EXPECT_EQ(log.feed("pg_dump: error: conn", 20), Lines{});
    EXPECT_EQ(log.feed("ection failed\nsecond", 20), Lines{"pg_dump: error: connection failed"});
    EXPECT_EQ(log.finish(), Lines{"second"});
}

TEST(LogLines, EscapesControlBytesAndBackslashes)
{
    LogLines log(100, 10);
    std::string hostile("a\rb\x1b[31m\\\x7f\xff", 11);
    hostile += '\n';
    EXPECT_EQ(log.feed(hostile.data(), hostile.size()), Lines{"a\\x0db\\x1b[31m\\x5c\\x7f\xff"});
}

TEST(LogLines, CutsLongLines)
{
    LogLines log(4, 10);
    EXPECT_EQ(log.feed("abcdefgh\nxy\n", 12), (Lines{"abcd ... (4 more bytes)", "xy"}));
    EXPECT_EQ(log.finish(), Lines{});
}

TEST(LogLines, CountsTheLinesLeftOut)
{
    LogLines log(100, 2);
    EXPECT_EQ(log.feed("1\n2\n3\n4\n5", 9), (Lines{"1", "2"}));
    EXPECT_EQ(log.finish(), Lines{"(3 more lines not logged)"});
}
