#include "core/backup/dump_format.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

TEST(DumpFormat, NamesRoundTrip)
{
    for (DumpFormat format : {DumpFormat::plain, DumpFormat::custom, DumpFormat::tar})
        EXPECT_EQ(parse_dump_format(dump_format_name(format)), format);
    EXPECT_EQ(parse_dump_format("plain"), DumpFormat::plain);
    EXPECT_EQ(parse_dump_format("custom"), DumpFormat::custom);
}

TEST(DumpFormat, ExtensionsTellTheFormatsApart)
{
    EXPECT_EQ(dump_format_extension(DumpFormat::plain), ".sql");
    EXPECT_EQ(dump_format_extension(DumpFormat::custom), ".dump");
    EXPECT_EQ(dump_format_extension(DumpFormat::tar), ".tar");
}

TEST(DumpFormat, UnknownNamesListTheAllowedOnes)
{
    for (std::string name : {"directory", "Plain", ""}) {
        EXPECT_THROW(parse_dump_format(name), InvalidValue) << name;
        EXPECT_EQ(test::error_message([&] { parse_dump_format(name); }),
                  "invalid backup format \"" + name + "\": allowed values are plain, custom, tar");
    }
}

TEST(DumpFormat, TheFormatSettingOffersTheDumpFormatsOnly)
{
    EXPECT_EQ(logical_dump_format_vocabulary().parse("custom"), DumpFormat::custom);
    EXPECT_EQ(test::error_message([] { logical_dump_format_vocabulary().parse("tar"); }),
              "invalid dump format \"tar\": allowed values are plain, custom");
}

} // namespace
} // namespace lokbackup
