#include "core/storage/copying_writer.hpp"
#include "core/storage/open_storage.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

using test::error_message;

const std::string key = "app/2026/11/app-manual-20261125T030000Z-42.sql.zst";

// A destination that takes `allowed` bytes, then refuses; or refuses to finish.
class RefusingWriter : public ObjectWriter
{
  public:
    explicit RefusingWriter(std::size_t allowed, bool refuse_finish = false)
        : allowed_(allowed), refuse_finish_(refuse_finish)
    {
    }
    void write(const char *, std::size_t size) override
    {
        if (size > allowed_)
            throw Error("No space left on device");
        allowed_ -= size;
    }
    void finish() override
    {
        if (refuse_finish_)
            throw Error("could not rename the object");
        finished = true;
    }
    void abort() noexcept override { aborted = true; }
    bool finished = false;
    bool aborted = false;

  private:
    std::size_t allowed_;
    bool refuse_finish_;
};

std::string read_object(Storage &storage)
{
    auto reader = storage.open(key);
    std::string data;
    char buffer[4096];
    while (std::size_t got = reader->read(buffer, sizeof buffer))
        data.append(buffer, got);
    return data;
}

std::string sample_bytes()
{
    std::string data;
    for (int i = 0; data.size() < 3'000'000; ++i)
        data += std::to_string(i * 7919) + ",";
    return data;
}

// The primary is a local directory.
class CopyingWriterTest : public ::testing::Test
{
  protected:
    test::TempDir primary_dir;
    std::unique_ptr<Storage> primary = open_storage(StorageConfig{primary_dir.path().string()});
    std::unique_ptr<ObjectWriter> primary_writer = primary->create(key);
};

TEST_F(CopyingWriterTest, BothDestinationsGetTheSameBytes)
{
    test::TempDir copy_dir;
    auto copy = open_storage(StorageConfig{copy_dir.path().string()});
    auto copy_writer = copy->create(key);
    CopyGuard guard("copy to " + copy_dir.path().string(), true);
    CopyingWriter both(*primary_writer, *copy_writer, guard);
    std::string data = sample_bytes();
    test::write_in_chunks(both, data);

    EXPECT_EQ(read_object(*primary), data);
    EXPECT_EQ(read_object(*copy), data);
    EXPECT_FALSE(guard.failed());
    EXPECT_EQ(guard.error(), "");
}

TEST_F(CopyingWriterTest, AnOptionalCopyThatFailsIsAbortedAndThePrimaryGoesOn)
{
    RefusingWriter copy(100'000);
    CopyGuard guard("copy to /srv/offsite", false);
    CopyingWriter both(*primary_writer, copy, guard);
    std::string data = sample_bytes();
    test::write_in_chunks(both, data);

    EXPECT_EQ(read_object(*primary), data);
    EXPECT_TRUE(copy.aborted);
    EXPECT_FALSE(copy.finished);
    EXPECT_TRUE(guard.failed());
    EXPECT_EQ(guard.error(), "copy to /srv/offsite: No space left on device");
    // Later steps of a failed copy do not run.
    bool ran = false;
    EXPECT_FALSE(guard.run([&] { ran = true; }));
    EXPECT_FALSE(ran);
}

TEST_F(CopyingWriterTest, AnOptionalCopyThatCannotFinishLeavesThePrimaryComplete)
{
    RefusingWriter copy(SIZE_MAX, true);
    CopyGuard guard("copy to /srv/offsite", false);
    CopyingWriter both(*primary_writer, copy, guard);
    test::write_in_chunks(both, "dump");

    EXPECT_EQ(read_object(*primary), "dump");
    EXPECT_TRUE(copy.aborted);
    EXPECT_EQ(guard.error(), "copy to /srv/offsite: could not rename the object");
}

TEST_F(CopyingWriterTest, ARequiredCopyThatFailsFailsTheWriteNamingTheCopy)
{
    RefusingWriter copy(100'000);
    CopyGuard guard("copy to s3://offsite/lokbackup", true);
    CopyingWriter both(*primary_writer, copy, guard);
    EXPECT_EQ(error_message([&] { test::write_in_chunks(both, sample_bytes()); }),
              "copy to s3://offsite/lokbackup: No space left on device");
    // The caller drops the writers, which discard what they wrote.
    primary_writer.reset();
    EXPECT_TRUE(primary->list("").empty());
}

// The primary's object is published by then: run_backup() removes it.
TEST_F(CopyingWriterTest, ARequiredCopyThatCannotFinishFailsTheFinishNamingTheCopy)
{
    RefusingWriter copy(SIZE_MAX, true);
    CopyGuard guard("copy to s3://offsite/lokbackup", true);
    CopyingWriter both(*primary_writer, copy, guard);
    EXPECT_EQ(error_message([&] { test::write_in_chunks(both, "dump"); }),
              "copy to s3://offsite/lokbackup: could not rename the object");
}

TEST_F(CopyingWriterTest, AbortEndsBoth)
{
    RefusingWriter copy(SIZE_MAX);
    CopyGuard guard("copy to /srv/offsite", true);
    CopyingWriter both(*primary_writer, copy, guard);
    both.write("dump", 4);
    both.abort();
    EXPECT_TRUE(copy.aborted);
    EXPECT_TRUE(primary->list("").empty());
    EXPECT_TRUE(primary->incomplete_uploads().empty());
}

} // namespace
} // namespace lokbackup
