#include "core/storage/object_key.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace lokbackup
{
namespace
{

std::time_t utc(int year, int month, int day, int hour, int minute, int second)
{
    std::tm fields{};
    fields.tm_year = year - 1900;
    fields.tm_mon = month - 1;
    fields.tm_mday = day;
    fields.tm_hour = hour;
    fields.tm_min = minute;
    fields.tm_sec = second;
    return timegm(&fields);
}

ObjectKeyParts parts(std::string database)
{
    return {std::move(database), "daily",          utc(2026, 11, 25, 3, 0, 0), 42,
            DumpFormat::plain,   Compression::zstd};
}

TEST(ObjectKey, DatabaseBackup)
{
    EXPECT_EQ(object_key(parts("sales")), "sales/2026/11/sales-daily-20261125T030000Z-42.sql.zst");
}

TEST(ObjectKey, FormatAndCompressionGiveTheExtensions)
{
    ObjectKeyParts custom = parts("sales");
    custom.format = DumpFormat::custom;
    custom.compression = Compression::gzip;
    EXPECT_EQ(object_key(custom), "sales/2026/11/sales-daily-20261125T030000Z-42.dump.gz");
    custom.compression = Compression::none;
    EXPECT_EQ(object_key(custom), "sales/2026/11/sales-daily-20261125T030000Z-42.dump");
}

TEST(ObjectKey, AnEncryptedObjectEndsInAge)
{
    ObjectKeyParts encrypted = parts("sales");
    encrypted.encrypted = true;
    std::string key = object_key(encrypted);
    EXPECT_EQ(key, "sales/2026/11/sales-daily-20261125T030000Z-42.sql.zst.age");
    EXPECT_EQ(backup_id_of_key(key), 42);
    EXPECT_EQ(backup_id_of_key(manifest_key(key)), 42);
}

TEST(ObjectKey, TimeIsUtcWhateverTheLocalZone)
{
    const char *old_zone = std::getenv("TZ");
    std::string saved = old_zone ? old_zone : "";
    setenv("TZ", "Pacific/Kiritimati", 1); // UTC+14: local time is already the next day
    tzset();
    ObjectKeyParts early = parts("db");
    early.time = utc(2027, 1, 5, 23, 59, 7);
    early.type = "manual";
    early.id = 1000000000123;
    std::string key = object_key(early);
    if (old_zone)
        setenv("TZ", saved.c_str(), 1);
    else
        unsetenv("TZ");
    tzset();
    EXPECT_EQ(key, "db/2027/01/db-manual-20270105T235907Z-1000000000123.sql.zst");
}

TEST(ObjectKey, DatabaseNameIsPercentEncoded)
{
    EXPECT_EQ(object_key(parts("a/b c")),
              "a%2Fb%20c/2026/11/a%2Fb%20c-daily-20261125T030000Z-42.sql.zst");
    EXPECT_EQ(object_key(parts("café")),
              "caf%C3%A9/2026/11/caf%C3%A9-daily-20261125T030000Z-42.sql.zst");
}

TEST(ObjectKey, RolesDumpLivesUnderTilde)
{
    ObjectKeyParts roles = parts("");
    roles.type = "manual";
    roles.id = 7;
    EXPECT_EQ(object_key(roles), "~roles/2026/11/roles-manual-20261125T030000Z-7.sql.zst");
}

TEST(ObjectKey, BaseBackupsLiveUnderTildeCluster)
{
    ObjectKeyParts base = parts("");
    base.type = "weekly";
    base.id = 8;
    base.format = DumpFormat::tar;
    std::string key = object_key(base);
    EXPECT_EQ(key, "~cluster/2026/11/cluster-weekly-20261125T030000Z-8.tar.zst");
    EXPECT_EQ(backup_id_of_key(key), 8);
}

TEST(ObjectKey, ManifestKeySitsBesideTheObject)
{
    EXPECT_EQ(manifest_key("sales/2026/11/sales-daily-20261125T030000Z-42.sql.zst"),
              "sales/2026/11/sales-daily-20261125T030000Z-42.sql.zst.manifest.json");
}

TEST(EncodeKeySegment, KeepsSafeBytes)
{
    EXPECT_EQ(encode_key_segment("Sales_2026-v1.0"), "Sales_2026-v1.0");
}

TEST(EncodeKeySegment, EncodesEverythingElseAsUpperCaseHex)
{
    EXPECT_EQ(encode_key_segment("a b/c%d~e"), "a%20b%2Fc%25d%7Ee");
    EXPECT_EQ(encode_key_segment(std::string("x\0y\xff", 4)), "x%00y%FF");
    EXPECT_EQ(encode_key_segment("~roles"), "%7Eroles");
}

TEST(EncodeKeySegment, NoNameBecomesADotSegment)
{
    EXPECT_EQ(encode_key_segment("."), "%2E");
    EXPECT_EQ(encode_key_segment(".."), "%2E.");
    EXPECT_EQ(encode_key_segment(".hidden"), "%2Ehidden");
    EXPECT_EQ(encode_key_segment("my.db"), "my.db");
}

TEST(ObjectKey, BackupIdIsReadBackFromObjectAndManifestKeys)
{
    // A database name with dashes, digits and dots of its own.
    ObjectKeyParts tricky = parts("db-2026.11-7");
    tricky.id = 123456789012345678;
    tricky.format = DumpFormat::custom;
    tricky.compression = Compression::none;
    for (const ObjectKeyParts &each : {parts("sales"), parts(""), tricky}) {
        std::string key = object_key(each);
        EXPECT_EQ(backup_id_of_key(key), each.id) << key;
        EXPECT_EQ(backup_id_of_key(manifest_key(key)), each.id) << key;
    }
}

TEST(ObjectKey, KeysNotMadeByObjectKeyHaveNoBackupId)
{
    for (const char *key :
         {"notes-2.txt", "sales/2026/11/sales-daily-20261125T030000Z-.sql",
          "sales/2026/11/sales-daily-20261125T030000Z-42", "sales/2026/11/sales-daily-2026-42.sql",
          "sales/2026/11/sales-daily-20261125X030000Z-42.sql",
          "sales/2026/11/sales-daily-20261125T030000Z-4x2.sql",
          "sales/2026/11/sales-daily-20261125T030000Z-1234567890123456789.sql", ""})
        EXPECT_EQ(backup_id_of_key(key), std::nullopt) << key;
}

} // namespace
} // namespace lokbackup
