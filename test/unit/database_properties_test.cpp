#include "core/backup/backup_request.hpp"
#include "core/backup/database_properties.hpp"
#include "core/backup/manifest.hpp"
#include "core/backup/restore_names.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

using test::error_message;

DatabaseProperties sample_properties()
{
    DatabaseProperties properties;
    properties.owner = "app \"owner\"";
    properties.encoding = "UTF8";
    properties.locale_provider = "icu";
    properties.collate = "C.UTF-8";
    properties.ctype = "C.UTF-8";
    properties.locale = "und-u-ks-level2";
    properties.connection_limit = 25;
    properties.acl = std::vector<DatabaseGrant>{
        {"", "TEMPORARY", false}, {"reader", "CONNECT", true}, {"app \"owner\"", "CREATE", true}};
    properties.comment = "it's the app's \\ database";
    properties.settings = {{"", "search_path", "\"$user\", public, \"Odd, \"\"Schema\"\"\""},
                           {"", "work_mem", "64MB"},
                           {"reader", "statement_timeout", "5s"}};
    return properties;
}

TEST(DatabaseProperties, RoundTripsThroughTheManifest)
{
    BackupDescription manifest;
    manifest.sha256 = std::string(64, 'a');
    manifest.database_properties = sample_properties();
    BackupDescription parsed = manifest_from_json(manifest_to_json(manifest));
    ASSERT_TRUE(parsed.database_properties);
    EXPECT_EQ(database_properties_to_json(*parsed.database_properties),
              database_properties_to_json(sample_properties()));
}

TEST(DatabaseProperties, AManifestWithoutThemStillReads)
{
    BackupDescription manifest;
    manifest.sha256 = std::string(64, 'a');
    EXPECT_FALSE(manifest_from_json(manifest_to_json(manifest)).database_properties);
}

// The backup child reports them to the worker, which records them in the catalog.
TEST(DatabaseProperties, RoundTripsThroughTheCompletedEvent)
{
    BackupEvent event;
    event.kind = BackupEvent::Kind::completed;
    event.sha256 = std::string(64, 'a');
    EXPECT_FALSE(backup_event_from_json(backup_event_to_json(event)).database_properties);
    event.database_properties = sample_properties();
    BackupEvent parsed = backup_event_from_json(backup_event_to_json(event));
    ASSERT_TRUE(parsed.database_properties);
    EXPECT_EQ(database_properties_to_json(*parsed.database_properties),
              database_properties_to_json(sample_properties()));
}

TEST(DatabaseProperties, ReadFromTheCatalogsText)
{
    std::string text = database_properties_to_json(sample_properties()).dump();
    EXPECT_EQ(database_properties_to_json(database_properties_from_text("catalog", text)),
              database_properties_to_json(sample_properties()));
    EXPECT_EQ(error_message([] { database_properties_from_text("catalog row 5", "{\"owner\":"); }),
              "catalog row 5: not valid JSON");
    EXPECT_NE(error_message([] {
                  database_properties_from_text("catalog row 5", "[]");
              }).find("catalog row 5"),
              std::string::npos);
}

TEST(DatabaseProperties, OnlyDatabasePrivilegesAreRead)
{
    Json json = database_properties_to_json(sample_properties());
    json["acl"][0]["privilege"] = "CONNECT; DROP DATABASE x";
    EXPECT_NE(error_message([&] {
                  database_properties_from_json("manifest", json);
              }).find("is not a database privilege"),
              std::string::npos);
    json = database_properties_to_json(sample_properties());
    json["locale_provider"] = "libc ICU_LOCALE 'x'";
    EXPECT_THROW(database_properties_from_json("manifest", json), Error);
}

TEST(DatabaseProperties, CreateDatabaseFromTemplate0WithTheLocale)
{
    EXPECT_EQ(create_database_sql("new \"db\"", sample_properties()),
              "CREATE DATABASE \"new \"\"db\"\"\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE "
              "'C.UTF-8' LC_CTYPE 'C.UTF-8' LOCALE_PROVIDER icu ICU_LOCALE 'und-u-ks-level2'");
}

TEST(DatabaseProperties, StatementsForEveryProperty)
{
    std::vector<std::string> sql;
    for (const PropertyStatement &statement : property_statements("db", sample_properties()))
        sql.push_back(statement.sql);
    std::vector<std::string> expected = {
        "ALTER DATABASE \"db\" OWNER TO \"app \"\"owner\"\"\"",
        "COMMENT ON DATABASE \"db\" IS E'it''s the app''s \\\\ database'",
        "ALTER DATABASE \"db\" CONNECTION LIMIT 25", "REVOKE ALL ON DATABASE \"db\" FROM PUBLIC",
        "REVOKE ALL ON DATABASE \"db\" FROM \"app \"\"owner\"\"\"",
        "GRANT TEMPORARY ON DATABASE \"db\" TO PUBLIC",
        "GRANT CONNECT ON DATABASE \"db\" TO \"reader\" WITH GRANT OPTION",
        // The owner's grant option is implicit.
        "GRANT CREATE ON DATABASE \"db\" TO \"app \"\"owner\"\"\"",
        // A list setting: one literal an item, as pg_dump writes it.
        "ALTER DATABASE \"db\" SET \"search_path\" TO '$user', 'public', 'Odd, \"Schema\"'",
        "ALTER DATABASE \"db\" SET \"work_mem\" TO '64MB'",
        "ALTER ROLE \"reader\" IN DATABASE \"db\" SET \"statement_timeout\" TO '5s'"};
    EXPECT_EQ(sql, expected);
}

// The restore checks a setting's name before it applies one from a manifest.
TEST(DatabaseProperties, SettingStatementsNameTheirSetting)
{
    std::vector<std::string> settings;
    for (const PropertyStatement &statement : property_statements("db", sample_properties()))
        settings.push_back(statement.setting);
    std::vector<std::string> expected = {
        "", "", "", "", "", "", "", "", "search_path", "work_mem", "statement_timeout"};
    EXPECT_EQ(settings, expected);
}

TEST(DatabaseProperties, DefaultPrivilegesAreLeftAlone)
{
    DatabaseProperties properties = sample_properties();
    properties.acl.reset();
    for (const PropertyStatement &statement : property_statements("db", properties))
        EXPECT_EQ(statement.sql.find("REVOKE"), std::string::npos) << statement.sql;
}

TEST(RestoreNames, SideAndPreviousNames)
{
    EXPECT_EQ(side_database_name("app", 42), "app_restoring_42");
    EXPECT_EQ(previous_database_name("app", 42), "app_before_restore_42");
}

TEST(RestoreNames, ShortenedToALegalNameNeverInsideACharacter)
{
    std::string long_name(39, 'x');
    long_name += "ééééé"; // 10 bytes
    std::string previous = previous_database_name(long_name + "tail", 123456);
    EXPECT_LE(previous.size(), max_database_name);
    EXPECT_EQ(previous.substr(previous.size() - 22), "_before_restore_123456");
    std::string kept = previous.substr(0, previous.size() - 22);
    // 63 - 22 = 41 bytes are left: the first é fits, half of the second does not.
    EXPECT_EQ(kept, std::string(39, 'x') + "é");
}

} // namespace
} // namespace lokbackup
