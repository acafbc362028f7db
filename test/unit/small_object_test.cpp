#include "core/storage/small_object.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

namespace lokbackup
{
namespace
{

// Hands out `data` at most `chunk` bytes per read.
class ChunkedReader : public ObjectReader
{
  public:
    ChunkedReader(std::string data, std::size_t chunk) : data_(std::move(data)), chunk_(chunk) {}

    std::size_t read(char *buffer, std::size_t capacity) override
    {
        std::size_t size = std::min({chunk_, capacity, data_.size() - position_});
        std::memcpy(buffer, data_.data() + position_, size);
        position_ += size;
        return size;
    }
    std::optional<std::uint64_t> size() const override { return data_.size(); }
    std::size_t bytes_read() const { return position_; }

  private:
    std::string data_;
    std::size_t chunk_;
    std::size_t position_ = 0;
};

TEST(SmallObject, ReadsTheWholeObjectWhateverThePieces)
{
    std::string manifest = R"({"id": 42, "database": "app"})";
    for (std::size_t chunk : {1, 7, 100000}) {
        ChunkedReader reader(manifest, chunk);
        EXPECT_EQ(read_small_object(reader, "manifest"), manifest) << chunk;
    }
    ChunkedReader empty("", 10);
    EXPECT_EQ(read_small_object(empty, "manifest"), "");
}

TEST(SmallObject, OneMebibyteIsTheLimit)
{
    std::string largest(1 << 20, 'x');
    ChunkedReader fits(largest, 65536);
    EXPECT_EQ(read_small_object(fits, "manifest").size(), largest.size());

    ChunkedReader too_large(largest + "x", 65536);
    try {
        read_small_object(too_large, "manifest s3://bucket/app.sql.zst.manifest.json");
        FAIL() << "no error";
    } catch (const BackupDamaged &e) {
        EXPECT_STREQ(e.what(), "manifest s3://bucket/app.sql.zst.manifest.json is larger than "
                               "1 MiB, which no manifest is");
    }
}

TEST(SmallObject, StopsReadingOnceTheLimitIsPassed)
{
    // Storage may hold anything under a manifest's name: a huge object is not read to its end.
    ChunkedReader huge(std::string(64 << 20, 'x'), 65536);
    EXPECT_THROW(read_small_object(huge, "manifest"), BackupDamaged);
    EXPECT_LT(huge.bytes_read(), std::size_t(2) << 20);
}

} // namespace
} // namespace lokbackup
