#include "core/pipeline/sha256.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

std::string sha256_of(std::string_view data)
{
    Sha256 hash;
    hash.update(data.data(), data.size());
    return hash.hex_digest();
}

TEST(Sha256, KnownDigests)
{
    EXPECT_EQ(sha256_of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_of(std::string(1000000, 'a')),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, ChunkedEqualsOneShot)
{
    std::string data = test::mixed_data(3000000);
    Sha256 chunked;
    for (std::size_t pos = 0, size = 1; pos < data.size(); pos += size, size = size * 3 + 1) {
        size = std::min(size, data.size() - pos);
        chunked.update(data.data() + pos, size);
    }
    EXPECT_EQ(chunked.hex_digest(), sha256_of(data));
}

TEST(Sha256, DigestCanBeAskedForAgainButNotExtended)
{
    Sha256 hash;
    hash.update("abc", 3);
    std::string digest = hash.hex_digest();
    EXPECT_EQ(hash.hex_digest(), digest);
    EXPECT_THROW(hash.update("d", 1), Error);
}

TEST(HashingSink, PassesBytesThroughWhileHashingAndCounting)
{
    std::string data = test::mixed_data(500000);
    test::StringSink out;
    HashingSink hashing(out);
    test::write_in_chunks(hashing, data);
    EXPECT_TRUE(out.text == data);
    EXPECT_EQ(out.finishes, 1);
    EXPECT_EQ(hashing.bytes(), data.size());
    EXPECT_EQ(hashing.hex_digest(), sha256_of(data));
}

} // namespace
} // namespace lokbackup
