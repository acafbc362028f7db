#include "core/backup/manifest.hpp"

#include "test_support.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lokbackup
{
namespace
{

using test::error_message;

BackupDescription sample_manifest()
{
    BackupDescription manifest;
    manifest.id = 9007199254740993; // beyond a double's exact integers
    manifest.database = "café \"quoted\"";
    manifest.type = BackupType::weekly;
    manifest.object_key = "caf%C3%A9/2026/11/caf%C3%A9-weekly-20261125T030000Z-5.dump.gz";
    manifest.sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    manifest.size = 5000000000;
    manifest.raw_size = 18446744073709551615u;
    manifest.format = DumpFormat::custom;
    manifest.compression = Compression::gzip;
    manifest.compression_level = 9;
    manifest.started_at = "2026-11-25T03:00:00Z";
    manifest.finished_at = "2026-11-25T03:12:41Z";
    manifest.server_version = "17.2";
    return manifest;
}

// The manifest's JSON with `edit` applied to it.
template <typename Edit> std::string edited(Edit edit)
{
    nlohmann::json json = nlohmann::json::parse(manifest_to_json(sample_manifest()));
    edit(json);
    return json.dump();
}

TEST(Manifest, ABaseBackupCarriesItsWalRange)
{
    BackupDescription base = sample_manifest();
    base.database.clear();
    base.format = DumpFormat::tar;
    base.wal_range = WalRange{3, "0/2000028", "0/2000100", "000000030000000000000002"};
    std::string json = manifest_to_json(base);
    EXPECT_NE(json.find("\"contents\": \"cluster\""), std::string::npos) << json;
    BackupDescription parsed = manifest_from_json(json);
    EXPECT_TRUE(parsed.is_base_backup());
    EXPECT_FALSE(parsed.is_roles());
    ASSERT_TRUE(parsed.wal_range);
    EXPECT_EQ(parsed.wal_range->timeline, 3);
    EXPECT_EQ(parsed.wal_range->start_lsn, "0/2000028");
    EXPECT_EQ(parsed.wal_range->stop_lsn, "0/2000100");
    EXPECT_EQ(parsed.wal_range->start_wal_file, "000000030000000000000002");
    EXPECT_FALSE(manifest_from_json(manifest_to_json(sample_manifest())).wal_range);
}

TEST(Manifest, ABaseBackupOfADatabaseWasEdited)
{
    BackupDescription base = sample_manifest();
    base.format = DumpFormat::tar;
    EXPECT_EQ(error_message([&] { manifest_from_json(manifest_to_json(base)); }),
              "manifest: contents \"cluster\" does not match format tar with an empty database "
              "(a base backup)");
}

TEST(Manifest, RoundTrips)
{
    BackupDescription original = sample_manifest();
    BackupDescription parsed = manifest_from_json(manifest_to_json(original));
    EXPECT_EQ(parsed.id, original.id);
    EXPECT_EQ(parsed.database, original.database);
    EXPECT_EQ(parsed.contents(), original.contents());
    EXPECT_EQ(parsed.type, original.type);
    EXPECT_EQ(parsed.object_key, original.object_key);
    EXPECT_EQ(parsed.sha256, original.sha256);
    EXPECT_EQ(parsed.size, original.size);
    EXPECT_EQ(parsed.raw_size, original.raw_size);
    EXPECT_EQ(parsed.format, original.format);
    EXPECT_EQ(parsed.compression, original.compression);
    EXPECT_EQ(parsed.compression_level, original.compression_level);
    EXPECT_EQ(parsed.started_at, original.started_at);
    EXPECT_EQ(parsed.finished_at, original.finished_at);
    EXPECT_EQ(parsed.server_version, original.server_version);
}

TEST(Manifest, FieldsAreSnakeCaseWithEnumNames)
{
    nlohmann::json json = nlohmann::json::parse(manifest_to_json(sample_manifest()));
    EXPECT_EQ(json.at("format_version"), 1);
    EXPECT_EQ(json.at("format"), "custom");
    EXPECT_EQ(json.at("compression"), "gzip");
    EXPECT_EQ(json.at("compression_level"), 9);
    EXPECT_EQ(json.at("raw_size"), 18446744073709551615u);
    EXPECT_EQ(json.at("object_key"), sample_manifest().object_key);
}

TEST(Manifest, MissingFieldIsNamed)
{
    std::string json = edited([](nlohmann::json &json) { json.erase("sha256"); });
    EXPECT_EQ(error_message([&] { manifest_from_json(json); }),
              "manifest: field \"sha256\" is missing or not a string");
}

TEST(Manifest, MistypedFieldIsNamed)
{
    std::string json = edited([](nlohmann::json &json) { json["size"] = -1; });
    EXPECT_EQ(error_message([&] { manifest_from_json(json); }),
              "manifest: field \"size\" is missing or not a non-negative integer");
    json = edited([](nlohmann::json &json) { json["id"] = "5"; });
    EXPECT_EQ(error_message([&] { manifest_from_json(json); }),
              "manifest: field \"id\" is missing or not an integer");
    json = edited([](nlohmann::json &json) { json["compression_level"] = 4294967296; });
    EXPECT_EQ(error_message([&] { manifest_from_json(json); }),
              "manifest: field \"compression_level\" is out of range");
}

TEST(Manifest, Sha256MustBe64LowerCaseHexDigits)
{
    for (std::string bad :
         {std::string(), std::string("abc"), std::string(63, 'a'), std::string(65, 'a'),
          std::string(64, 'A'), std::string(63, 'a') + "g"}) {
        std::string json = edited([&](nlohmann::json &json) { json["sha256"] = bad; });
        EXPECT_EQ(error_message([&] { manifest_from_json(json); }),
                  "manifest: sha256 \"" + bad + "\" is not a SHA-256 (64 lower-case hex digits)");
    }
}

TEST(Manifest, UnknownEnumNameIsNamed)
{
    std::string json = edited([](nlohmann::json &json) { json["compression"] = "lz4"; });
    EXPECT_EQ(error_message([&] { manifest_from_json(json); }),
              "manifest: field \"compression\": invalid compression \"lz4\": allowed values are "
              "zstd, gzip, none");
}

TEST(Manifest, ContentsMustMatchTheDatabase)
{
    std::string json = edited([](nlohmann::json &json) { json["contents"] = "roles"; });
    EXPECT_EQ(error_message([&] { manifest_from_json(json); }),
              "manifest: contents \"roles\" does not match database \"café \"quoted\"\"");
    json = edited([](nlohmann::json &json) { json["database"] = ""; });
    EXPECT_EQ(error_message([&] { manifest_from_json(json); }),
              "manifest: contents \"database\" does not match an empty database (the roles dump)");
}

// What lokbackup 0.4.0 wrote: every later manifest must read the same, and be read by it.
TEST(Manifest, TheFieldsOfFormatVersion1)
{
    nlohmann::json json = nlohmann::json::parse(manifest_to_json(sample_manifest()));
    std::vector<std::string> names;
    for (auto &field : json.items())
        names.push_back(field.key());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{
                         "compression", "compression_level", "contents", "database", "finished_at",
                         "format", "format_version", "id", "object_key", "raw_size",
                         "server_version", "sha256", "size", "started_at", "type"}));
    EXPECT_EQ(json.at("type"), "weekly");
    EXPECT_EQ(json.at("contents"), "database");
}

TEST(Manifest, OtherFormatVersionIsRefused)
{
    for (int version : {0, 3}) {
        std::string json = edited([&](nlohmann::json &json) { json["format_version"] = version; });
        EXPECT_EQ(error_message([&] { manifest_from_json(json); }),
                  "manifest: format_version " + std::to_string(version) +
                      " is not supported (this version of lokbackup reads 1 to 2)");
    }
}

// An encrypted object's manifest is format_version 2, which lokbackup before 0.5.0 refuses rather
// than take the object for a corrupt one; it names the recipients' fingerprints, never a key.
TEST(Manifest, EncryptedObjectsHaveVersion2AndTheirRecipients)
{
    BackupDescription encrypted = sample_manifest();
    encrypted.encrypted_to = {"8f2a0c1d9e3b4a5f", "passphrase"};
    nlohmann::json json = nlohmann::json::parse(manifest_to_json(encrypted));
    EXPECT_EQ(json.at("format_version"), 2);
    EXPECT_EQ(json.at("encrypted_to"), nlohmann::json({"8f2a0c1d9e3b4a5f", "passphrase"}));
    EXPECT_EQ(manifest_from_json(json.dump()).encrypted_to, encrypted.encrypted_to);
    EXPECT_FALSE(manifest_from_json(manifest_to_json(sample_manifest())).is_encrypted());
    json["encrypted_to"] = "8f2a0c1d9e3b4a5f";
    EXPECT_EQ(error_message([&] { manifest_from_json(json.dump()); }),
              "manifest: field \"encrypted_to\" is missing or not an array of strings");
}

TEST(Manifest, InvalidJsonIsAnError)
{
    std::string message = error_message([] { manifest_from_json("{\"id\": "); });
    EXPECT_EQ(message.rfind("manifest: invalid JSON: ", 0), 0u) << message;
    EXPECT_EQ(error_message([] { manifest_from_json("[1, 2]"); }), "manifest: not a JSON object");
}

TEST(Manifest, DatabaseNameThatIsNotUtf8IsAnError)
{
    BackupDescription manifest = sample_manifest();
    manifest.database = "latin1 \xe9";
    std::string message = error_message([&] { manifest_to_json(manifest); });
    EXPECT_EQ(message.rfind("manifest: ", 0), 0u) << message;
}

} // namespace
} // namespace lokbackup
