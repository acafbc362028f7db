#include "core/backup/backup_request.hpp"

#include "test_support.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lokbackup
{
namespace
{

using test::error_message;

BackupRequest sample_request()
{
    BackupRequest request;
    request.backup.id = 77;
    request.backup.database = "";
    request.connect_database = "postgres";
    request.backup.type = BackupType::manual;
    request.backup.object_key = "~roles/2026/11/roles-manual-20261125T030000Z-77.sql";
    request.storage = "/var/backups/lokbackup";
    request.backup.format = DumpFormat::plain;
    request.backup.compression = Compression::none;
    request.backup.compression_level = 0;
    request.pg_bin_dir = "/usr/lib/postgresql/17/bin";
    request.socket_dir = "/run/postgresql";
    request.port = 5433;
    request.user = "backup \"operator\"";
    request.backup.started_at = "2026-11-25T03:00:00Z";
    request.backup.server_version = "17.2";
    request.s3.endpoint = "https://account.r2.cloudflarestorage.com";
    request.s3.region = "auto";
    request.s3.path_style = true;
    request.s3.access_key_id = "AKIDEXAMPLE";
    request.s3.secret_access_key = "secret/key+";
    request.s3.session_token = "token";
    request.s3.part_size = 64 * 1024 * 1024;
    request.s3.max_attempts = 7;
    request.s3.retry_deadline_seconds = 300;
    return request;
}

TEST(BackupRequest, RoundTrips)
{
    BackupRequest original = sample_request();
    BackupRequest parsed = backup_request_from_json(backup_request_to_json(original));
    EXPECT_EQ(parsed.backup.id, original.backup.id);
    EXPECT_EQ(parsed.backup.database, original.backup.database);
    EXPECT_EQ(parsed.connect_database, original.connect_database);
    EXPECT_EQ(parsed.backup.type, original.backup.type);
    EXPECT_EQ(parsed.backup.object_key, original.backup.object_key);
    EXPECT_EQ(parsed.storage, original.storage);
    EXPECT_EQ(parsed.backup.format, original.backup.format);
    EXPECT_EQ(parsed.backup.compression, original.backup.compression);
    EXPECT_EQ(parsed.backup.compression_level, original.backup.compression_level);
    EXPECT_EQ(parsed.pg_bin_dir, original.pg_bin_dir);
    EXPECT_EQ(parsed.socket_dir, original.socket_dir);
    EXPECT_EQ(parsed.port, original.port);
    EXPECT_EQ(parsed.user, original.user);
    EXPECT_EQ(parsed.backup.started_at, original.backup.started_at);
    EXPECT_EQ(parsed.backup.server_version, original.backup.server_version);
    EXPECT_EQ(parsed.s3.endpoint, original.s3.endpoint);
    EXPECT_EQ(parsed.s3.region, original.s3.region);
    EXPECT_EQ(parsed.s3.path_style, original.s3.path_style);
    EXPECT_EQ(parsed.s3.access_key_id, original.s3.access_key_id);
    EXPECT_EQ(parsed.s3.secret_access_key, original.s3.secret_access_key);
    EXPECT_EQ(parsed.s3.session_token, original.s3.session_token);
    EXPECT_EQ(parsed.s3.part_size, original.s3.part_size);
    EXPECT_EQ(parsed.s3.max_attempts, original.s3.max_attempts);
    EXPECT_EQ(parsed.s3.retry_deadline_seconds, original.s3.retry_deadline_seconds);
}

TEST(BackupRequest, ErrorsNameTheS3FieldButNotItsValue)
{
    nlohmann::json json = nlohmann::json::parse(backup_request_to_json(sample_request()));
    EXPECT_EQ(json.at("s3_path_style"), true);
    EXPECT_EQ(json.at("s3_part_size"), 64 * 1024 * 1024);
    json["s3_secret_access_key"] = 42;
    EXPECT_EQ(error_message([&] { backup_request_from_json(json.dump()); }),
              "backup request: field \"s3_secret_access_key\" is missing or not a string");
    json["s3_secret_access_key"] = "secret/key+";
    json["s3_path_style"] = "yes";
    EXPECT_EQ(error_message([&] { backup_request_from_json(json.dump()); }),
              "backup request: field \"s3_path_style\" is missing or not a boolean");
}

TEST(BackupRequest, StorageClassTravelsAndAnOlderWorkerLeavesItOut)
{
    BackupRequest request = sample_request();
    request.s3.storage_class = "InfrequentAccess";
    nlohmann::json json = nlohmann::json::parse(backup_request_to_json(request));
    EXPECT_EQ(backup_request_from_json(json.dump()).s3.storage_class, "InfrequentAccess");
    json.erase("s3_storage_class");
    EXPECT_EQ(backup_request_from_json(json.dump()).s3.storage_class, "");
}

TEST(BackupRequest, FieldsAreSnakeCaseWithEnumNames)
{
    nlohmann::json json = nlohmann::json::parse(backup_request_to_json(sample_request()));
    EXPECT_EQ(json.at("connect_database"), "postgres");
    EXPECT_EQ(json.at("format"), "plain");
    EXPECT_EQ(json.at("compression"), "none");
    EXPECT_EQ(json.at("port"), 5433);
}

// A worker library that a server upgraded without a restart still runs sends these, and only these
// (with the s3_ ones; the encrypt_ ones came with 0.5.0).
TEST(BackupRequest, TheFieldsOfTheWorkerBefore0_5)
{
    nlohmann::json json = nlohmann::json::parse(backup_request_to_json(sample_request()));
    std::vector<std::string> names;
    for (auto &field : json.items())
        if (field.key().rfind("s3_", 0) != 0 && field.key().rfind("encrypt_", 0) != 0 &&
            field.key() != "wal_segment_size")
            names.push_back(field.key());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{
                         "compression", "compression_level", "connect_database", "database",
                         "format", "id", "object_key", "pg_bin_dir", "port", "server_version",
                         "socket_dir", "started_at", "storage", "type", "user"}));
}

TEST(BackupRequest, TheWalSegmentSizeTravelsAndAnOlderWorkersRequestHasNone)
{
    BackupRequest request = sample_request();
    request.wal_segment_size = 16 * 1024 * 1024;
    nlohmann::json json = nlohmann::json::parse(backup_request_to_json(request));
    EXPECT_EQ(backup_request_from_json(json.dump()).wal_segment_size, 16u * 1024 * 1024);
    json.erase("wal_segment_size");
    EXPECT_EQ(backup_request_from_json(json.dump()).wal_segment_size, 0u);
}

TEST(BackupRequest, EncryptionTravelsAndAnOlderWorkersRequestHasNone)
{
    BackupRequest request = sample_request();
    request.backup.encrypted_to = {"0123456789abcdef"};
    request.encryption.recipients = "age1example";
    request.encryption.passphrase_file = "/etc/lokbackup/passphrase";
    nlohmann::json json = nlohmann::json::parse(backup_request_to_json(request));
    BackupRequest read = backup_request_from_json(json.dump());
    EXPECT_EQ(read.backup.encrypted_to, request.backup.encrypted_to);
    EXPECT_EQ(read.encryption.recipients, "age1example");
    EXPECT_EQ(read.encryption.passphrase_file, "/etc/lokbackup/passphrase");
    for (const char *field : {"encrypted_to", "encrypt_to", "encrypt_passphrase_file"})
        json.erase(field);
    read = backup_request_from_json(json.dump());
    EXPECT_FALSE(read.backup.is_encrypted());
    EXPECT_FALSE(read.encryption.enabled());
}

TEST(BackupRequest, ASecondDestinationTravelsWithItsOwnS3SettingsAndNoneIsAbsent)
{
    BackupRequest request = sample_request();
    EXPECT_FALSE(backup_request_from_json(backup_request_to_json(request)).copy);
    EXPECT_EQ(nlohmann::json::parse(backup_request_to_json(request)).count("copy"), 0u);

    StorageCopyRequest copy;
    copy.storage = "s3://offsite/lokbackup";
    copy.s3 = request.s3;
    copy.s3.endpoint = "https://s3.eu-central-1.example";
    copy.s3.region = "eu-central-1";
    copy.s3.path_style = false;
    copy.s3.access_key_id = "AKIDCOPY";
    copy.s3.secret_access_key = "copy/secret";
    copy.required = false;
    request.copy = copy;
    nlohmann::json json = nlohmann::json::parse(backup_request_to_json(request));
    EXPECT_EQ(json.at("copy").at("storage"), "s3://offsite/lokbackup");
    EXPECT_EQ(json.at("copy").at("required"), false);
    EXPECT_EQ(json.at("copy").at("s3").at("s3_region"), "eu-central-1");
    // The primary's settings stay the primary's.
    EXPECT_EQ(json.at("s3_region"), "auto");

    BackupRequest parsed = backup_request_from_json(json.dump());
    ASSERT_TRUE(parsed.copy);
    EXPECT_EQ(parsed.copy->storage, copy.storage);
    EXPECT_FALSE(parsed.copy->required);
    EXPECT_EQ(parsed.copy->s3.endpoint, copy.s3.endpoint);
    EXPECT_EQ(parsed.copy->s3.region, copy.s3.region);
    EXPECT_FALSE(parsed.copy->s3.path_style);
    EXPECT_EQ(parsed.copy->s3.access_key_id, "AKIDCOPY");
    EXPECT_EQ(parsed.copy->s3.secret_access_key, "copy/secret");
    EXPECT_EQ(parsed.copy->s3.part_size, copy.s3.part_size);
    EXPECT_EQ(parsed.s3.access_key_id, "AKIDEXAMPLE");
}

TEST(BackupRequest, AMalformedSecondDestinationIsNamed)
{
    BackupRequest request = sample_request();
    request.copy = StorageCopyRequest{"/srv/offsite", request.s3, true};
    nlohmann::json json = nlohmann::json::parse(backup_request_to_json(request));
    json["copy"].erase("s3");
    EXPECT_EQ(error_message([&] { backup_request_from_json(json.dump()); }),
              "backup request: copy: field \"s3\" is missing or not an object");
    json["copy"]["s3"] = nlohmann::json::object();
    EXPECT_EQ(error_message([&] { backup_request_from_json(json.dump()); }),
              "backup request: copy: s3: field \"s3_endpoint\" is missing or not a string");
    json["copy"].erase("required");
    EXPECT_EQ(error_message([&] { backup_request_from_json(json.dump()); }),
              "backup request: copy: field \"required\" is missing or not a boolean");
}

TEST(BackupRequest, MissingFieldIsNamed)
{
    nlohmann::json json = nlohmann::json::parse(backup_request_to_json(sample_request()));
    json.erase("port");
    EXPECT_EQ(error_message([&] { backup_request_from_json(json.dump()); }),
              "backup request: field \"port\" is missing or not an integer");
}

TEST(BackupRequest, UnknownFormatIsNamed)
{
    nlohmann::json json = nlohmann::json::parse(backup_request_to_json(sample_request()));
    json["format"] = "directory";
    EXPECT_EQ(error_message([&] { backup_request_from_json(json.dump()); }),
              "backup request: field \"format\": invalid backup format \"directory\": allowed "
              "values are plain, custom, tar");
}

TEST(BackupEvent, ProgressIsOneLine)
{
    BackupEvent event;
    event.kind = BackupEvent::Kind::progress;
    event.raw_bytes = 1000;
    event.stored_bytes = 250;
    event.uploaded_bytes = 200;
    event.waiting_since_ms = 1796256000123;
    event.storage_problem = "PUT s3://b/k: the S3 endpoint http://s3:9000 stalled";
    EXPECT_EQ(backup_event_to_json(event),
              R"({"event":"progress","raw_bytes":1000,"stored_bytes":250,"uploaded_bytes":200,)"
              R"("waiting_since_ms":1796256000123,)"
              R"("storage_problem":"PUT s3://b/k: the S3 endpoint http://s3:9000 stalled"})");
    BackupEvent parsed = backup_event_from_json(backup_event_to_json(event));
    EXPECT_EQ(parsed.kind, BackupEvent::Kind::progress);
    EXPECT_EQ(parsed.raw_bytes, 1000u);
    EXPECT_EQ(parsed.stored_bytes, 250u);
    EXPECT_EQ(parsed.uploaded_bytes, 200u);
    EXPECT_EQ(parsed.waiting_since_ms, event.waiting_since_ms);
    EXPECT_EQ(parsed.storage_problem, event.storage_problem);
}

TEST(BackupEvent, CompletedCarriesTheChecksum)
{
    BackupEvent event;
    event.kind = BackupEvent::Kind::completed;
    event.raw_bytes = 18446744073709551615u;
    event.stored_bytes = 3;
    event.sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    EXPECT_EQ(backup_event_to_json(event),
              R"({"event":"completed","raw_bytes":18446744073709551615,"stored_bytes":3,)"
              R"("sha256":"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"})");
    BackupEvent parsed = backup_event_from_json(backup_event_to_json(event));
    EXPECT_EQ(parsed.kind, BackupEvent::Kind::completed);
    EXPECT_EQ(parsed.raw_bytes, event.raw_bytes);
    EXPECT_EQ(parsed.stored_bytes, 3u);
    EXPECT_EQ(parsed.sha256, event.sha256);
}

TEST(BackupEvent, CompletedSaysWhatBecameOfTheCopy)
{
    BackupEvent event;
    event.kind = BackupEvent::Kind::completed;
    event.sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    EXPECT_FALSE(backup_event_from_json(backup_event_to_json(event)).copy);

    event.copy = CopyOutcome{true, ""};
    std::string line = backup_event_to_json(event);
    EXPECT_NE(line.find(R"("copy":{"stored":true,"error":""})"), std::string::npos) << line;
    BackupEvent parsed = backup_event_from_json(line);
    ASSERT_TRUE(parsed.copy);
    EXPECT_TRUE(parsed.copy->stored);

    event.copy = CopyOutcome{false, "copy to s3://offsite: Access Denied"};
    parsed = backup_event_from_json(backup_event_to_json(event));
    ASSERT_TRUE(parsed.copy);
    EXPECT_FALSE(parsed.copy->stored);
    EXPECT_EQ(parsed.copy->error, "copy to s3://offsite: Access Denied");

    EXPECT_EQ(error_message([] {
                  backup_event_from_json(R"({"event":"completed","raw_bytes":1,"stored_bytes":1,)"
                                         R"("sha256":"x","copy":{"stored":1}})");
              }),
              "backup event: copy: field \"stored\" is missing or not a boolean");
}

TEST(BackupEvent, FailedKeepsAMultiLineErrorOnOneLine)
{
    BackupEvent event;
    event.kind = BackupEvent::Kind::failed;
    event.error = "pg_dump: error: connection failed\nFATAL: role \"x\" does not exist";
    std::string line = backup_event_to_json(event);
    EXPECT_EQ(line.find('\n'), std::string::npos);
    BackupEvent parsed = backup_event_from_json(line);
    EXPECT_EQ(parsed.kind, BackupEvent::Kind::failed);
    EXPECT_EQ(parsed.error, event.error);
}

TEST(BackupEvent, ErrorTextThatIsNotUtf8IsStillReported)
{
    BackupEvent event;
    event.kind = BackupEvent::Kind::failed;
    event.error = "relation \xe9t\xe9 does not exist";
    BackupEvent parsed = backup_event_from_json(backup_event_to_json(event));
    EXPECT_EQ(parsed.error, "relation \xef\xbf\xbdt\xef\xbf\xbd does not exist");
}

TEST(BackupEvent, MalformedEventsAreErrors)
{
    EXPECT_EQ(error_message([] { backup_event_from_json(R"({"event":"paused"})"); }),
              "backup event: unknown event \"paused\"");
    EXPECT_EQ(
        error_message([] { backup_event_from_json(R"({"event":"progress","raw_bytes":1})"); }),
        "backup event: field \"stored_bytes\" is missing or not a non-negative integer");
    EXPECT_EQ(error_message([] {
                  backup_event_from_json(R"({"event":"completed","raw_bytes":1,"stored_bytes":1})");
              }),
              "backup event: field \"sha256\" is missing or not a string");
    EXPECT_EQ(error_message([] { backup_event_from_json(R"({"event":"failed"})"); }),
              "backup event: field \"error\" is missing or not a string");
}

} // namespace
} // namespace lokbackup
