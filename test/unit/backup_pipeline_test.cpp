#include "core/storage/open_storage.hpp"
#include "core/pipeline/backup_pipeline.hpp"

#include "core/backup/manifest.hpp"
#include "core/crypto/age_decryptor.hpp"
#include "core/crypto/backup_encryption.hpp"
#include "core/storage/object_key.hpp"
#include "core/s3/s3_error.hpp"
#include "core/storage/storage.hpp"

#include "fake_s3_server.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace lokbackup
{
namespace
{

using test::error_message;
using test::TempDir;

// Stands in for pg_dump, pg_dumpall and pg_restore: records its arguments and PG* environment
// (in <name>.argv and <name>.environment), then runs `body`.
void write_fake_program(const std::filesystem::path &path, const std::string &body)
{
    test::write_file(path, "#!/bin/sh\n"
                           "record=\"$0\"\n"
                           "printf '%s\\n' \"$@\" > \"$record.argv\"\n"
                           "env | grep '^PG' | sort > \"$record.environment\"\n" +
                               body + "\n");
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
}

class BackupPipelineTest : public ::testing::Test
{
  protected:
    BackupPipelineTest()
    {
        std::filesystem::create_directory(bin());
        // Renders the plain script from pg_dump's custom format; here it passes bytes through.
        write_fake_program(bin() / "pg_restore", "cat");
        request_.backup.id = 42;
        request_.backup.database = "app";
        request_.connect_database = "postgres";
        request_.backup.type = BackupType::manual;
        request_.backup.object_key = "app/2026/11/app-manual-20261125T030000Z-42.sql.zst";
        request_.storage = (dir_.path() / "storage").string();
        std::filesystem::create_directory(request_.storage);
        request_.pg_bin_dir = bin().string();
        request_.socket_dir = "/run/postgresql";
        request_.port = 5433;
        request_.user = "postgres";
        request_.backup.started_at = "2026-11-25T03:00:00Z";
        request_.backup.server_version = "15.20";
    }

    std::filesystem::path bin() const { return dir_.path() / "bin"; }
    std::string recorded(const std::string &program, const char *what) const
    {
        return test::read_file(bin() / (program + "." + what));
    }
    std::unique_ptr<Storage> storage() const
    {
        return open_storage(StorageConfig{request_.storage});
    }

    std::string stored_dump()
    {
        auto object = storage()->open(request_.backup.object_key);
        test::StringSink dump;
        auto decompressor = make_decompressor(request_.backup.compression, dump);
        char buffer[65536];
        while (std::size_t got = object->read(buffer, sizeof buffer))
            decompressor->write(buffer, got);
        decompressor->finish();
        return dump.text;
    }

    BackupDescription stored_manifest()
    {
        auto reader = storage()->open(manifest_key(request_.backup.object_key));
        std::string json;
        char buffer[4096];
        while (std::size_t got = reader->read(buffer, sizeof buffer))
            json.append(buffer, got);
        return manifest_from_json(json);
    }

    TempDir dir_;
    BackupRequest request_;
};

TEST_F(BackupPipelineTest, StoresTheDumpAndItsManifest)
{
    // More than one 1 MiB read, and compressible, as dumps are.
    write_fake_program(bin() / "pg_dump", "yes 'INSERT INTO t VALUES (1);' | head -c 3000000");
    BackupResult result = run_backup(request_, nullptr);

    EXPECT_EQ(result.raw_size, 3000000u);
    EXPECT_LT(result.size, result.raw_size);
    std::string dump = stored_dump();
    EXPECT_EQ(dump.size(), 3000000u);
    EXPECT_EQ(dump.substr(0, 27), "INSERT INTO t VALUES (1);\nI");

    BackupDescription manifest = stored_manifest();
    EXPECT_EQ(manifest.id, 42);
    EXPECT_EQ(manifest.database, "app");
    EXPECT_EQ(manifest.contents(), "database");
    EXPECT_EQ(manifest.sha256, result.sha256);
    EXPECT_EQ(manifest.size, result.size);
    EXPECT_EQ(manifest.raw_size, result.raw_size);
    EXPECT_EQ(manifest.started_at, "2026-11-25T03:00:00Z");
    EXPECT_EQ(manifest.finished_at.size(), 20u);
}

TEST_F(BackupPipelineTest, ConnectsThroughTheEnvironmentOnly)
{
    request_.backup.database = "host=evil dbname=app";
    write_fake_program(bin() / "pg_dump", "echo dump");
    run_backup(request_, nullptr);
    EXPECT_EQ(recorded("pg_dump", "argv"), "-w\n-Fc\n-Z0\n");
    std::string environment = recorded("pg_dump", "environment");
    EXPECT_NE(environment.find("PGDATABASE=host=evil dbname=app\n"), std::string::npos);
    EXPECT_NE(environment.find("PGHOST=/run/postgresql\n"), std::string::npos);
    EXPECT_NE(environment.find("PGPORT=5433\n"), std::string::npos);
    EXPECT_NE(environment.find("PGUSER=postgres\n"), std::string::npos);
    // The worker ends the sessions of a backup it ends by this name.
    EXPECT_NE(environment.find("PGAPPNAME=lokbackup backup 42\n"), std::string::npos);
}

TEST_F(BackupPipelineTest, PlainScriptIsRenderedInOneTransactionByPgRestore)
{
    write_fake_program(bin() / "pg_dump", "echo dump");
    run_backup(request_, nullptr);
    EXPECT_EQ(recorded("pg_restore", "argv"), "--single-transaction\n-f\n-\n");
    EXPECT_EQ(stored_dump(), "dump\n");
}

TEST_F(BackupPipelineTest, WithoutLargeObjectsPgDumpWritesThePlainScriptInOurTransaction)
{
    write_fake_program(bin() / "pg_dump", "echo dump");
    std::filesystem::remove(bin() / "pg_restore");
    BackupResult result =
        run_backup(request_, nullptr, {}, DumpSnapshot{"00000003-0000001B-1", false});
    EXPECT_EQ(recorded("pg_dump", "argv"), "-w\n-Fp\n--snapshot=00000003-0000001B-1\n");
    EXPECT_EQ(stored_dump(), "BEGIN;\ndump\nCOMMIT;\n");
    EXPECT_EQ(result.raw_size, stored_dump().size());
}

// pg_dump 16 and later writes zstd itself; the statements around its stream are frames of their
// own, and one decompression reads the whole object.
TEST_F(BackupPipelineTest, PgDump16CompressesTheScriptItself)
{
    request_.backup.server_version = "16.4";
    write_fake_program(bin() / "pg_dump",
                       "yes 'INSERT INTO t VALUES (1);' | head -c 3000000 | zstd -q -3 -c");
    BackupResult result =
        run_backup(request_, nullptr, {}, DumpSnapshot{"00000003-0000001B-1", false});
    EXPECT_EQ(recorded("pg_dump", "argv"),
              "-w\n-Fp\n--snapshot=00000003-0000001B-1\n--compress=zstd:3\n");
    std::string dump = stored_dump();
    EXPECT_EQ(dump.size(), 3000000u + 15);
    EXPECT_EQ(dump.substr(0, 12), "BEGIN;\nINSER");
    EXPECT_EQ(dump.substr(dump.size() - 24), "INSERT INTO t VACOMMIT;\n");
    EXPECT_EQ(result.raw_size, dump.size());
    EXPECT_LT(result.size, 3000000u / 10);
}

// pg_dump's own zstd stream and the statements around it, encrypted as one age file after them.
TEST_F(BackupPipelineTest, AnEncryptedBackupIsAgeOverTheCompressedDump)
{
    AgeIdentity identity = AgeIdentity::generate();
    request_.backup.server_version = "16.4";
    request_.encryption.recipients = identity.recipient().encoded();
    request_.backup.encrypted_to = {age_recipient_fingerprint(identity.recipient())};
    write_fake_program(bin() / "pg_dump",
                       "yes 'INSERT INTO t VALUES (1);' | head -c 300000 | zstd -q -3 -c");
    BackupResult result =
        run_backup(request_, nullptr, {}, DumpSnapshot{"00000003-0000001B-1", false});
    auto object = storage()->open(request_.backup.object_key);
    test::StringSink dump;
    auto decompressor = make_decompressor(Compression::zstd, dump);
    AgeDecryptionKeys keys;
    keys.identities = {identity};
    auto decryptor = make_age_decryptor(keys, *decompressor);
    char buffer[65536];
    while (std::size_t got = object->read(buffer, sizeof buffer))
        decryptor->write(buffer, got);
    decryptor->finish();
    EXPECT_EQ(dump.text.substr(0, 12), "BEGIN;\nINSER");
    EXPECT_EQ(dump.text.size(), result.raw_size);
    EXPECT_EQ(manifest_from_json(
                  test::read_file(storage()->location(manifest_key(request_.backup.object_key))))
                  .encrypted_to,
              request_.backup.encrypted_to);
}

// The catalog and the manifest must name the keys that were used: a request whose keys are not
// the ones its description names makes no backup, and pg_dump never starts.
TEST_F(BackupPipelineTest, KeysThatAreNotTheDescribedOnesFailBeforePgDumpStarts)
{
    write_fake_program(bin() / "pg_dump", "echo started > \"$0.started\"");
    request_.encryption.recipients = AgeIdentity::generate().recipient().encoded();
    request_.backup.encrypted_to = {"0000000000000000"};
    std::string message = error_message([&] { run_backup(request_, nullptr); });
    EXPECT_EQ(message.rfind("the encryption settings changed after this backup's run began: its "
                            "catalog row says encrypted to [0000000000000000], "
                            "lokbackup.encrypt_to and lokbackup.encrypt_passphrase_file now to [",
                            0),
              0u)
        << message;
    EXPECT_FALSE(std::filesystem::exists(bin() / "pg_dump.started"));
    request_.backup.encrypted_to.clear();
    EXPECT_NE(error_message([&] { run_backup(request_, nullptr); }), "");
    EXPECT_FALSE(std::filesystem::exists(bin() / "pg_dump.started"));
}

TEST_F(BackupPipelineTest, APgDumpStreamThatIsNotZstdFailsTheBackup)
{
    request_.backup.server_version = "16.4";
    write_fake_program(bin() / "pg_dump", "echo 'not zstd at all'");
    EXPECT_THROW(run_backup(request_, nullptr, {}, DumpSnapshot{"00000003-0000001B-1", false}),
                 Error);
}

TEST_F(BackupPipelineTest, WithLargeObjectsPgRestoreRendersTheSnapshotsDump)
{
    write_fake_program(bin() / "pg_dump", "echo dump");
    run_backup(request_, nullptr, {}, DumpSnapshot{"00000003-0000001B-1", true});
    EXPECT_EQ(recorded("pg_dump", "argv"), "-w\n-Fc\n-Z0\n--snapshot=00000003-0000001B-1\n");
    EXPECT_EQ(recorded("pg_restore", "argv"), "--single-transaction\n-f\n-\n");
    EXPECT_EQ(stored_dump(), "dump\n");
}

// A plain script's rows and sequence values join the snapshot's schema inventory, whichever way
// the script came: pg_dump -Fp (here in each test's `pg_dump`), pg_dump's own zstd, pg_restore.
class BackupInventoryTest : public BackupPipelineTest
{
  protected:
    static constexpr const char *script =
        "printf 'COPY public.t (a) FROM stdin;\\n1\\n2\\n\\\\.\\n"
        "SELECT pg_catalog.setval('\\''public.s'\\'', 42, true);\\n'";

    DumpSnapshot snapshot(bool large_objects)
    {
        DumpSnapshot snapshot{"00000003-0000001B-1", large_objects};
        snapshot.read_schema_inventory = [] {
            DumpInventory schema;
            schema.tables = {"public.t"};
            schema.large_objects = 7;
            return schema;
        };
        return snapshot;
    }

    void expect_counted(const BackupResult &result)
    {
        ASSERT_TRUE(result.inventory);
        EXPECT_TRUE(result.inventory->rows_counted);
        EXPECT_EQ(result.inventory->table_rows,
                  (std::map<std::string, std::uint64_t>{{"public.t", 2}}));
        EXPECT_EQ(result.inventory->sequence_values,
                  (std::map<std::string, std::string>{{"public.s", "42,true"}}));
        EXPECT_EQ(result.inventory->tables, std::vector<std::string>{"public.t"});
        EXPECT_EQ(result.inventory->large_objects, 7u);
    }
};

TEST_F(BackupInventoryTest, CountedFromPgDumpsPlainScript)
{
    write_fake_program(bin() / "pg_dump", script);
    BackupResult result = run_backup(request_, nullptr, {}, snapshot(false));
    expect_counted(result);
    // The manifest has it too.
    BackupDescription manifest = stored_manifest();
    ASSERT_TRUE(manifest.inventory);
    EXPECT_EQ(manifest.inventory->table_rows, result.inventory->table_rows);
}

TEST_F(BackupInventoryTest, AnInventoryTooBigForAManifestStaysOutOfIt)
{
    write_fake_program(bin() / "pg_dump", script);
    DumpSnapshot huge = snapshot(false);
    huge.read_schema_inventory = [] {
        DumpInventory schema;
        for (int i = 0; i < 20000; ++i)
            schema.tables.push_back("tenant_" + std::to_string(i) + ".orders");
        return schema;
    };
    BackupResult result = run_backup(request_, nullptr, {}, huge);
    ASSERT_TRUE(result.inventory);
    EXPECT_EQ(result.inventory->tables.size(), 20000u);
    // The manifest stays readable (under 1 MiB), without it.
    EXPECT_FALSE(stored_manifest().inventory);
}

TEST_F(BackupInventoryTest, CountedFromPgDumpsOwnZstd)
{
    request_.backup.server_version = "16.4";
    write_fake_program(bin() / "pg_dump", std::string(script) + " | zstd -q -c");
    expect_counted(run_backup(request_, nullptr, {}, snapshot(false)));
}

TEST_F(BackupInventoryTest, CountedFromPgRestoresRendering)
{
    write_fake_program(bin() / "pg_dump", script);
    expect_counted(run_backup(request_, nullptr, {}, snapshot(true)));
    EXPECT_EQ(recorded("pg_restore", "argv"), "--single-transaction\n-f\n-\n");
}

TEST_F(BackupInventoryTest, ACustomFormatDumpHasTheSchemaInventoryOnly)
{
    request_.backup.format = DumpFormat::custom;
    write_fake_program(bin() / "pg_dump", script);
    BackupResult result = run_backup(request_, nullptr, {}, snapshot(false));
    ASSERT_TRUE(result.inventory);
    EXPECT_FALSE(result.inventory->rows_counted);
    EXPECT_TRUE(result.inventory->table_rows.empty());
    EXPECT_EQ(result.inventory->large_objects, 7u);
}

TEST_F(BackupInventoryTest, AScriptCutOffInAQuoteCountsNoRows)
{
    write_fake_program(bin() / "pg_dump", std::string(script) + "; echo \"COMMENT ON t IS 'x\"");
    BackupResult result = run_backup(request_, nullptr, {}, snapshot(false));
    ASSERT_TRUE(result.inventory);
    EXPECT_FALSE(result.inventory->rows_counted);
    EXPECT_TRUE(result.inventory->table_rows.empty());
}

TEST_F(BackupPipelineTest, FailedDumpCommitsNothingItWrote)
{
    write_fake_program(bin() / "pg_dump", "echo dump\nexit 1");
    EXPECT_EQ(error_message([&] {
                  run_backup(request_, nullptr, {}, DumpSnapshot{"00000003-0000001B-1", false});
              }),
              "pg_dump failed (exited with code 1)");
    EXPECT_TRUE(storage()->list("").empty());
}

TEST_F(BackupPipelineTest, CustomFormatIsLeftUncompressedForUs)
{
    request_.backup.format = DumpFormat::custom;
    write_fake_program(bin() / "pg_dump", "echo dump");
    std::filesystem::remove(bin() / "pg_restore");
    run_backup(request_, nullptr, {}, DumpSnapshot{"00000003-0000001B-1", false});
    EXPECT_EQ(recorded("pg_dump", "argv"), "-w\n-Fc\n-Z0\n--snapshot=00000003-0000001B-1\n");
    EXPECT_EQ(stored_dump(), "dump\n");
}

TEST_F(BackupPipelineTest, RolesComeFromPgDumpallWithAQuotedDatabase)
{
    request_.backup.database = "";
    request_.connect_database = "it's";
    write_fake_program(bin() / "pg_dumpall", "echo roles");
    run_backup(request_, nullptr);
    EXPECT_EQ(recorded("pg_dumpall", "argv"), "--globals-only\n-w\n-l\ndbname='it\\'s'\n");
    EXPECT_EQ(recorded("pg_dumpall", "environment").find("PGDATABASE"), std::string::npos);
}

TEST_F(BackupPipelineTest, FailedDumpLeavesNothingAndQuotesStderr)
{
    write_fake_program(bin() / "pg_dump",
                       "yes data | head -c 2000000\n"
                       "echo 'pg_dump: error: query failed: permission denied' >&2\n"
                       "exit 1");
    EXPECT_EQ(error_message([&] { run_backup(request_, nullptr); }),
              "pg_dump failed (exited with code 1): pg_dump: error: query failed: permission "
              "denied");
    EXPECT_TRUE(storage()->list("").empty());
}

TEST_F(BackupPipelineTest, FailedRenderIsReportedRatherThanTheDumpItStopped)
{
    write_fake_program(bin() / "pg_dump", "yes data");
    write_fake_program(bin() / "pg_restore", "echo 'pg_restore: error: out of memory' >&2\n"
                                             "exit 1");
    EXPECT_EQ(error_message([&] { run_backup(request_, nullptr); }),
              "pg_restore failed (exited with code 1): pg_restore: error: out of memory");
    EXPECT_TRUE(storage()->list("").empty());
}

// The object and its manifest are sent at the same time: whichever of them is refused, neither
// is left in the bucket.
TEST_F(BackupPipelineTest, RefusedObjectOrManifestLeavesNeither)
{
    write_fake_program(bin() / "pg_dump", "echo dump");
    test::FakeS3 s3;
    request_.storage = "s3://test";
    request_.s3.endpoint = s3.endpoint();
    request_.s3.path_style = true;
    request_.s3.access_key_id = "AKIDEXAMPLE";
    request_.s3.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    for (const std::string &refused :
         {request_.backup.object_key, manifest_key(request_.backup.object_key)}) {
        s3.set_fault([&](const test::FakeRequest &request) -> std::optional<test::FakeResponse> {
            if (request.method == "PUT" && request.path == refused)
                return test::fake_error(403, "AccessDenied", "Access Denied");
            return std::nullopt;
        });
        EXPECT_THROW(run_backup(request_, nullptr), S3Error) << refused;
        EXPECT_TRUE(s3.objects().empty()) << refused;
    }
}

// A backup with a second destination (lokbackup.storage_copy).
class BackupCopyTest : public BackupPipelineTest
{
  protected:
    BackupCopyTest()
    {
        write_fake_program(bin() / "pg_dump", "yes 'INSERT INTO t VALUES (1);' | head -c 3000000");
        std::filesystem::create_directory(copy_dir());
    }
    std::filesystem::path copy_dir() const { return dir_.path() / "copy"; }
    void copy_to_fake_s3(bool required)
    {
        StorageCopyRequest copy{"s3://test", {}, required};
        copy.s3.endpoint = s3_.endpoint();
        copy.s3.path_style = true;
        copy.s3.access_key_id = "AKIDEXAMPLE";
        copy.s3.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        request_.copy = copy;
    }
    void refuse_in_fake_s3(const std::string &key)
    {
        s3_.set_fault([key](const test::FakeRequest &request) -> std::optional<test::FakeResponse> {
            if (request.method == "PUT" && request.path == key)
                return test::fake_error(403, "AccessDenied", "Access Denied");
            return std::nullopt;
        });
    }
    std::vector<std::string> backup_keys() const
    {
        return {request_.backup.object_key, manifest_key(request_.backup.object_key)};
    }

    test::FakeS3 s3_;
};

TEST_F(BackupCopyTest, TheCopyHoldsTheSameObjectAndManifest)
{
    request_.copy = StorageCopyRequest{copy_dir().string(), {}, true};
    BackupResult result = run_backup(request_, nullptr);

    ASSERT_TRUE(result.copy);
    EXPECT_TRUE(result.copy->stored);
    EXPECT_EQ(result.copy->error, "");
    for (const std::string &key : backup_keys())
        EXPECT_EQ(test::read_file(copy_dir() / key),
                  test::read_file(std::filesystem::path(request_.storage) / key))
            << key;
    EXPECT_EQ(stored_manifest().sha256, result.sha256);
}

TEST_F(BackupPipelineTest, WithoutASecondDestinationThereIsNoCopyOutcome)
{
    write_fake_program(bin() / "pg_dump", "echo dump");
    EXPECT_FALSE(run_backup(request_, nullptr).copy);
}

TEST_F(BackupCopyTest, AnOptionalCopyThatIsRefusedLeavesThePrimaryAlone)
{
    copy_to_fake_s3(false);
    for (const std::string &refused : backup_keys()) {
        refuse_in_fake_s3(refused);
        BackupResult result = run_backup(request_, nullptr);
        ASSERT_TRUE(result.copy) << refused;
        EXPECT_FALSE(result.copy->stored) << refused;
        EXPECT_EQ(result.copy->error.rfind("copy to s3://test: ", 0), 0u) << result.copy->error;
        EXPECT_NE(result.copy->error.find("Access Denied"), std::string::npos)
            << result.copy->error;
        EXPECT_TRUE(s3_.objects().empty()) << refused;
        EXPECT_EQ(stored_dump().size(), 3000000u) << refused;
        EXPECT_EQ(stored_manifest().sha256, result.sha256) << refused;
    }
}

TEST_F(BackupCopyTest, AnOptionalCopyThatCannotBeOpenedLeavesThePrimaryAlone)
{
    request_.copy = StorageCopyRequest{"offsite", {}, false};
    BackupResult result = run_backup(request_, nullptr);
    ASSERT_TRUE(result.copy);
    EXPECT_FALSE(result.copy->stored);
    EXPECT_EQ(result.copy->error.rfind("copy to offsite: invalid storage \"offsite\"", 0), 0u)
        << result.copy->error;
    EXPECT_EQ(stored_dump().size(), 3000000u);
}

TEST_F(BackupCopyTest, ARequiredCopyThatIsRefusedFailsTheBackupAndLeavesNothing)
{
    copy_to_fake_s3(true);
    for (const std::string &refused : backup_keys()) {
        refuse_in_fake_s3(refused);
        std::string error = error_message([&] { run_backup(request_, nullptr); });
        EXPECT_EQ(error.rfind("copy to s3://test: ", 0), 0u) << error;
        EXPECT_TRUE(s3_.objects().empty()) << refused;
        EXPECT_TRUE(storage()->list("").empty()) << refused;
    }
}

TEST_F(BackupCopyTest, APrimaryThatIsRefusedLeavesNothingInTheCopy)
{
    request_.copy = StorageCopyRequest{copy_dir().string(), {}, false};
    request_.storage = "s3://test";
    request_.s3.endpoint = s3_.endpoint();
    request_.s3.path_style = true;
    request_.s3.access_key_id = "AKIDEXAMPLE";
    request_.s3.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    for (const std::string &refused : backup_keys()) {
        refuse_in_fake_s3(refused);
        EXPECT_THROW(run_backup(request_, nullptr), S3Error) << refused;
        EXPECT_TRUE(s3_.objects().empty()) << refused;
        EXPECT_TRUE(open_storage(StorageConfig{copy_dir().string()})->list("").empty()) << refused;
    }
}

TEST_F(BackupPipelineTest, MissingProgramIsNamed)
{
    EXPECT_EQ(error_message([&] { run_backup(request_, nullptr); }),
              "could not start \"" + (bin() / "pg_dump").string() +
                  "\": No such file or directory");
}

} // namespace
} // namespace lokbackup
