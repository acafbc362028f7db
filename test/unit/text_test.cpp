#include "core/base/text.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

TEST(Text, ToLowerChangesOnlyAsciiLetters)
{
    EXPECT_EQ(to_lower("X-Amz-Content-SHA256"), "x-amz-content-sha256");
    // UTF-8 bytes and digits are kept as they are, whatever the locale.
    EXPECT_EQ(to_lower("\xc3\x84RGER 42"), "\xc3\x84rger 42");
    EXPECT_EQ(to_lower(""), "");
}

TEST(Text, TrimRemovesBlanksAtBothEndsOnly)
{
    EXPECT_EQ(trim(" \t value with  spaces\r\n"), "value with  spaces");
    EXPECT_EQ(trim("\r\n\t "), "");
    EXPECT_EQ(trim(""), "");
    EXPECT_EQ(trim("x"), "x");
}

TEST(Text, PrintableEscapesControlBytesAndBackslashes)
{
    // A forged log line, a terminal escape sequence, DEL and a backslash: each one \xNN.
    std::string hostile = "ok\nLOG:  fake\x1b[2J\x7f\\";
    EXPECT_EQ(printable(hostile), "ok\\x0aLOG:  fake\\x1b[2J\\x7f\\x5c");
    EXPECT_EQ(printable(std::string("\0", 1)), "\\x00");
    // Bytes from 0x80 on (UTF-8) are printable.
    EXPECT_EQ(printable("caf\xc3\xa9 ~"), "caf\xc3\xa9 ~");
}

TEST(Text, EndsWith)
{
    EXPECT_TRUE(ends_with("backup.sql.zst", ".zst"));
    EXPECT_TRUE(ends_with("x", ""));
    EXPECT_TRUE(ends_with(".zst", ".zst"));
    EXPECT_FALSE(ends_with("zst", ".zst"));
    EXPECT_FALSE(ends_with("backup.zst.partial", ".zst"));
}

} // namespace
} // namespace lokbackup
