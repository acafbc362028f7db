#include "core/base/error.hpp"
#include "core/wal/wal_archive_key.hpp"

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace lokbackup
{
namespace
{

const std::string sha(64, 'a');

TEST(WalArchiveKey, NamesEveryKindOfFileTheArchiverHandsOver)
{
    EXPECT_EQ(wal_file_name("000000010000000A000000FE").kind, WalFileKind::segment);
    EXPECT_EQ(wal_file_name("000000010000000A000000FE").position, "0000000A000000FE");
    EXPECT_EQ(wal_file_name("000000020000000000000003.partial").kind, WalFileKind::partial_segment);
    EXPECT_EQ(wal_file_name("0000000A.history").kind, WalFileKind::timeline_history);
    EXPECT_EQ(wal_file_name("0000000A.history").timeline, 10u);
    EXPECT_EQ(wal_file_name("000000010000000000000002.00000028.backup").kind,
              WalFileKind::backup_history);
}

TEST(WalArchiveKey, RefusesNamesThatAreNoWalFileAndSaysWhatIs)
{
    for (const char *name : {"", "../../etc/passwd", "000000010000000000000003x",
                             "00000001000000000000000g", "0000000100000000000000030",
                             "000000010000000000000003.history", "00000001.history.zst"}) {
        EXPECT_FALSE(parse_wal_file_name(name)) << name;
        try {
            wal_file_name(name);
            ADD_FAILURE() << name;
        } catch (const InvalidValue &error) {
            EXPECT_NE(std::string(error.what()).find("allowed are a segment"), std::string::npos);
        }
    }
}

TEST(WalArchiveKey, KeysGroupATimelineUnderOnePrefixAndReadBack)
{
    WalFileName file = wal_file_name("000000030000000100000002");
    std::string key = wal_object_key(file, sha, Compression::zstd, true);
    EXPECT_EQ(key, "~wal/00000003/000000030000000100000002-" + sha + ".zst.age");
    EXPECT_EQ(key.rfind(wal_object_prefix(file), 0), 0u);
    auto parsed = parse_wal_object_key(key);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->file.name, file.name);
    EXPECT_EQ(parsed->sha256, sha);
    EXPECT_EQ(parsed->compression, Compression::zstd);
    EXPECT_TRUE(parsed->encrypted);
    auto plain = parse_wal_object_key(wal_object_key(file, sha, Compression::none, false));
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->compression, Compression::none);
    EXPECT_FALSE(plain->encrypted);
}

TEST(WalArchiveKey, IgnoresKeysItDidNotMake)
{
    for (const std::string &key : std::vector<std::string>{
             "~wal/00000001/000000010000000000000002.zst",
             "~wal/00000002/000000010000000000000002-" + sha + ".zst",
             "~wal/00000001/000000010000000000000002-" + sha.substr(1) + ".zst",
             "app/2026/11/app-daily-20261125T030000Z-7.sql.zst",
             "~wal/0000001/000000010000000000000002-" + sha})
        EXPECT_FALSE(parse_wal_object_key(key)) << key;
}

TEST(WalArchiveKey, LsnsAndSegmentNamesAsPostgresWritesThem)
{
    EXPECT_EQ(parse_lsn("16/B374D848"), 0x16B374D848ull);
    EXPECT_EQ(format_lsn(0x16B374D848ull), "16/B374D848");
    EXPECT_EQ(parse_lsn("0/0"), 0u);
    EXPECT_THROW(parse_lsn("16B374D848"), InvalidValue);
    EXPECT_THROW(parse_lsn("1/123456789"), InvalidValue);
    EXPECT_THROW(parse_lsn("x/1"), InvalidValue);
    std::uint64_t sixteen_mib = 16u << 20;
    EXPECT_EQ(wal_segment_name(1, 0x16B374D848ull, sixteen_mib), "0000000100000016000000B3");
    EXPECT_EQ(wal_segment_name(2, 0x3000028ull, sixteen_mib), "000000020000000000000003");
    EXPECT_EQ(wal_segment_name(1, 0x16B374D848ull, 1u << 30), "000000010000001600000002");
}

} // namespace
} // namespace lokbackup
