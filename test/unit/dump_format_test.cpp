#include "core/backup/dump_format.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

TEST(DumpFormat, NamesRoundTrip)
{
    for (DumpFormat format : {DumpFormat::plain, DumpFormat::custom})
        EXPECT_EQ(parse_dump_format(dump_format_name(format)), format);
    EXPECT_EQ(parse_dump_format("plain"), DumpFormat::plain);
    EXPECT_EQ(parse_dump_format("custom"), DumpFormat::custom);
}

TEST(DumpFormat, ExtensionsTellTheFormatsApart)
{
    EXPECT_EQ(dump_format_extension(DumpFormat::plain), ".sql");
    EXPECT_EQ(dump_format_extension(DumpFormat::custom), ".dump");
}

TEST(DumpFormat, UnknownNamesListTheAllowedOnes)
{
    for (std::string name : {"directory", "tar", "Plain", ""}) {
        EXPECT_THROW(parse_dump_format(name), InvalidValue) << name;
        EXPECT_EQ(test::error_message([&] { parse_dump_format(name); }),
                  "invalid dump format \"" + name + "\": allowed values are plain, custom");
    }
}

} // namespace
} // namespace lokbackup
