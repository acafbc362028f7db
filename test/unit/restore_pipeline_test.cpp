#include "core/storage/open_storage.hpp"
#include "core/pipeline/restore_pipeline.hpp"

#include "core/pipeline/sha256.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

namespace lokbackup
{
namespace
{

using test::error_message;
using test::TempDir;

const std::string key = "app/2026/11/app-manual-20261125T030000Z-42.sql";

class RestorePipelineTest : public ::testing::TestWithParam<Compression>
{
  protected:
    void SetUp() override
    {
        std::filesystem::create_directory(dir_.path() / "storage");
        storage_ = open_storage(StorageConfig{(dir_.path() / "storage").string()});
        data_ = test::mixed_data(3 * 1024 * 1024 + 12345); // several 1 MiB reads
        expected_ = store(data_);
    }

    // Writes `data` as a backup object would be written and returns what the catalog records.
    ExpectedObject store(const std::string &data)
    {
        auto writer = storage_->create(key);
        HashingSink hashed(*writer);
        auto compressor = make_compressor(GetParam(), 0, hashed);
        test::write_in_chunks(*compressor, data);
        return ExpectedObject{hashed.hex_digest(), hashed.bytes(), GetParam()};
    }

    std::filesystem::path object_path() const { return storage_->location(key); }

    void flip_one_byte()
    {
        std::string stored = test::read_file(object_path());
        stored[stored.size() / 2] ^= 0x01;
        test::write_file(object_path(), stored);
    }

    void truncate_object()
    {
        std::filesystem::resize_file(object_path(), std::filesystem::file_size(object_path()) - 1);
    }

    // The replay writes what it receives to `restored`, and touches `done` only at its end of
    // input: `done` proves the replay saw the end of its input.
    Replay replay() const
    {
        ProcessSpec spec;
        spec.argv = {"/bin/sh",           "-c",           "cat > \"$1\" && touch \"$2\"", "replay",
                     restored().string(), done().string()};
        return {spec};
    }
    std::filesystem::path restored() const { return dir_.path() / "restored"; }
    std::filesystem::path done() const { return dir_.path() / "done"; }

    std::string restore_error(const Replay &replay)
    {
        auto object = storage_->open(key);
        return error_message([&] { run_restore(*object, expected_, replay, nullptr); });
    }

    std::string verify_error()
    {
        auto object = storage_->open(key);
        return error_message([&] { verify_object(*object, expected_); });
    }

    TempDir dir_;
    std::unique_ptr<Storage> storage_;
    std::string data_;
    ExpectedObject expected_;
};

TEST_P(RestorePipelineTest, ReplayReceivesEveryByteOfAGoodObject)
{
    auto object = storage_->open(key);
    std::uint64_t last_progress = 0;
    run_restore(*object, expected_, replay(),
                [&](std::uint64_t stored_bytes) { last_progress = stored_bytes; });
    EXPECT_TRUE(std::filesystem::exists(done()));
    EXPECT_TRUE(test::read_file(restored()) == data_);
    EXPECT_EQ(last_progress, expected_.size);
}

TEST_P(RestorePipelineTest, FlippedByteIsAChecksumMismatchAndTheReplayNeverFinishes)
{
    flip_one_byte();
    std::string message = restore_error(replay());
    EXPECT_EQ(message.rfind("checksum mismatch: the object's SHA-256 is ", 0), 0u) << message;
    EXPECT_NE(
        message.find("the backup's record says " + expected_.sha256 + "; nothing was restored"),
        std::string::npos)
        << message;
    EXPECT_FALSE(std::filesystem::exists(done()));
}

TEST_P(RestorePipelineTest, TruncatedObjectIsASizeMismatchAndTheReplayNeverFinishes)
{
    truncate_object();
    EXPECT_EQ(restore_error(replay()),
              "size mismatch: the object has " + std::to_string(expected_.size - 1) +
                  " bytes, the backup's record says " + std::to_string(expected_.size) +
                  "; nothing was restored");
    EXPECT_FALSE(std::filesystem::exists(done()));
}

TEST_P(RestorePipelineTest, LargerObjectIsRefusedBeforeTheReplayStarts)
{
    test::write_file(object_path(), test::read_file(object_path()) + "\n\\! touch pwned\n");
    EXPECT_EQ(restore_error(replay()),
              "size mismatch: the object has " + std::to_string(expected_.size + 16) +
                  " bytes, the backup's record says " + std::to_string(expected_.size) +
                  "; nothing was restored");
    EXPECT_FALSE(std::filesystem::exists(restored())); // the replay never started
}

// A storage that does not tell the size before the bytes come (a chunked S3 answer).
class UntoldSize : public ObjectReader
{
  public:
    explicit UntoldSize(std::unique_ptr<ObjectReader> object) : object_(std::move(object)) {}
    std::size_t read(char *buffer, std::size_t capacity) override
    {
        return object_->read(buffer, capacity);
    }
    std::optional<std::uint64_t> size() const override { return std::nullopt; }

  private:
    std::unique_ptr<ObjectReader> object_;
};

TEST_P(RestorePipelineTest, NoBytePastTheRecordedSizeReachesTheReplay)
{
    test::write_file(object_path(), test::read_file(object_path()) + std::string(5000000, 'x'));
    UntoldSize object(storage_->open(key));
    std::string message = error_message([&] { run_restore(object, expected_, replay(), nullptr); });
    EXPECT_EQ(message, "size mismatch: the object is larger than the " +
                           std::to_string(expected_.size) +
                           " bytes of the backup's record; nothing was restored");
    EXPECT_FALSE(std::filesystem::exists(done()));
    EXPECT_LT(std::filesystem::file_size(restored()), data_.size());
}

TEST_P(RestorePipelineTest, AScriptReplayReadsTheObjectRestricted)
{
    std::string script = "BEGIN;\n\\restrict dumpkey1\nSELECT 1;\n\\! touch pwned\n"
                         "\\unrestrict dumpkey1\nCOMMIT;\n";
    expected_ = store(script);
    Replay restricted = replay();
    restricted.psql_script = true;
    auto object = storage_->open(key);
    run_restore(*object, expected_, restricted, nullptr);
    std::string received = test::read_file(restored());
    ASSERT_EQ(received.rfind("\\restrict ", 0), 0u) << received;
    std::string own_key = received.substr(10, received.find('\n') - 10);
    EXPECT_GE(own_key.size(), 32u);
    EXPECT_EQ(received.substr(received.find('\n') + 1),
              "BEGIN;\nSELECT 1;\n\\! touch pwned\nCOMMIT;\n");
}

TEST_P(RestorePipelineTest, ReplayFailureQuotesItsStderr)
{
    ProcessSpec failing;
    failing.argv = {"/bin/sh", "-c", "head -c 1000 >/dev/null; echo 'ERROR: boom' >&2; exit 3"};
    EXPECT_EQ(restore_error({failing}),
              "sh failed (exited with code 3): ERROR: boom; nothing was restored");
}

TEST_P(RestorePipelineTest, ReplayFailingAtTheEndIsReported)
{
    ProcessSpec failing;
    failing.argv = {"/bin/sh", "-c", "cat >/dev/null; echo 'ERROR: commit failed' >&2; exit 1"};
    EXPECT_EQ(restore_error({failing}),
              "sh failed (exited with code 1): ERROR: commit failed; nothing was restored");
}

// The program exits 3 for a damaged backup and 1 for any other failure: the kinds must differ.
TEST_P(RestorePipelineTest, DamageIsBackupDamagedAndAFailingReplayIsNot)
{
    ProcessSpec failing;
    failing.argv = {"/bin/sh", "-c", "cat >/dev/null; exit 1"};
    auto intact = storage_->open(key);
    try {
        run_restore(*intact, expected_, {failing}, nullptr);
        ADD_FAILURE() << "a failing replay was not reported";
    } catch (const BackupDamaged &error) {
        ADD_FAILURE() << "a failing replay was reported as damage: " << error.what();
    } catch (const Error &) {
    }
    truncate_object();
    auto truncated = storage_->open(key);
    EXPECT_THROW(run_restore(*truncated, expected_, replay(), nullptr), BackupDamaged);
    flip_one_byte();
    auto flipped = storage_->open(key);
    ExpectedObject shorter = expected_;
    shorter.size -= 1;
    EXPECT_THROW(run_restore(*flipped, shorter, replay(), nullptr), BackupDamaged);
}

TEST_P(RestorePipelineTest, VerifyAcceptsAGoodObject)
{
    EXPECT_EQ(verify_error(), "(no error)");
}

// A restore verifies the object before its replay: its progress shows that read, and an
// interrupted program stops it.
TEST_P(RestorePipelineTest, VerifyReportsEveryReadAndStopsWhenProgressThrows)
{
    auto object = storage_->open(key);
    std::vector<std::uint64_t> reported;
    verify_object(*object, expected_,
                  [&](std::uint64_t stored_bytes) { reported.push_back(stored_bytes); });
    ASSERT_FALSE(reported.empty());
    EXPECT_EQ(reported.back(), expected_.size);

    auto again = storage_->open(key);
    std::uint64_t reads = 0;
    EXPECT_EQ(error_message([&] {
                  verify_object(*again, expected_, [&](std::uint64_t) {
                      ++reads;
                      throw Error("interrupted by SIGINT");
                  });
              }),
              "interrupted by SIGINT");
    EXPECT_EQ(reads, 1u);
}

TEST_P(RestorePipelineTest, VerifyDetectsAFlippedByte)
{
    flip_one_byte();
    std::string message = verify_error();
    EXPECT_EQ(message.rfind("checksum mismatch: ", 0), 0u) << message;
    EXPECT_EQ(message.find("nothing was restored"), std::string::npos) << message;
}

TEST_P(RestorePipelineTest, VerifyDetectsALargerObject)
{
    test::write_file(object_path(), test::read_file(object_path()) + "more");
    EXPECT_EQ(verify_error().rfind("size mismatch: the object has ", 0), 0u);
}

TEST_P(RestorePipelineTest, VerifyDetectsATruncatedObject)
{
    truncate_object();
    EXPECT_EQ(verify_error().rfind("size mismatch: ", 0), 0u);
}

INSTANTIATE_TEST_SUITE_P(Codecs, RestorePipelineTest,
                         ::testing::Values(Compression::none, Compression::gzip, Compression::zstd),
                         [](const auto &info) {
                             return std::string(compression_name(info.param));
                         });

// A damaged stream whose checksum the catalog nevertheless recorded: the codec's own check is the
// last line of defence.
class CorruptStreamTest : public RestorePipelineTest
{
  protected:
    void SetUp() override
    {
        RestorePipelineTest::SetUp();
        flip_one_byte();
        std::string stored = test::read_file(object_path());
        Sha256 hash;
        hash.update(stored.data(), stored.size());
        expected_.sha256 = hash.hex_digest();
    }
};

TEST_P(CorruptStreamTest, RestoreRefusesAndTheReplayNeverFinishes)
{
    std::string message = restore_error(replay());
    EXPECT_EQ(message.rfind("the backup object is corrupt: ", 0), 0u) << message;
    EXPECT_EQ(message.substr(message.size() - 22), "; nothing was restored");
    EXPECT_FALSE(std::filesystem::exists(done()));
}

TEST_P(CorruptStreamTest, VerifyRefuses)
{
    EXPECT_EQ(verify_error().rfind("the backup object is corrupt: ", 0), 0u);
}

INSTANTIATE_TEST_SUITE_P(CompressedCodecs, CorruptStreamTest,
                         ::testing::Values(Compression::gzip, Compression::zstd),
                         [](const auto &info) {
                             return std::string(compression_name(info.param));
                         });

} // namespace
} // namespace lokbackup
