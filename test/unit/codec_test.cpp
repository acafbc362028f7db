#include "core/pipeline/codec.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sys/wait.h>

namespace lokbackup
{
namespace
{

using test::error_message;
using test::StringSink;
using test::TempDir;

constexpr std::size_t large_size = 64 * 1024 * 1024;

std::string compress(Compression compression, std::string_view data, int level = 0)
{
    StringSink out;
    auto compressor = make_compressor(compression, level, out);
    test::write_in_chunks(*compressor, data);
    EXPECT_EQ(out.finishes, 1);
    return out.text;
}

std::string decompress(Compression compression, std::string_view data)
{
    StringSink out;
    auto decompressor = make_decompressor(compression, out);
    test::write_in_chunks(*decompressor, data);
    EXPECT_EQ(out.finishes, 1);
    return out.text;
}

// Runs `program` (a stock decompressor reading stdin) over `compressed` and returns its output.
std::string run_program(const std::string &program, std::string_view compressed)
{
    TempDir dir;
    test::write_file(dir.path() / "in", compressed);
    std::string command = program + " < '" + (dir.path() / "in").string() + "' > '" +
                          (dir.path() / "out").string() + "'";
    int status = std::system(command.c_str());
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command;
    return test::read_file(dir.path() / "out");
}

class CodecTest : public ::testing::TestWithParam<Compression>
{
};

TEST_P(CodecTest, RoundTripsEmptyInput)
{
    std::string compressed = compress(GetParam(), "");
    EXPECT_EQ(decompress(GetParam(), compressed), "");
}

TEST_P(CodecTest, RoundTripsOneByte)
{
    std::string compressed = compress(GetParam(), "x");
    EXPECT_EQ(decompress(GetParam(), compressed), "x");
}

TEST_P(CodecTest, RoundTripsLargeInputWithBoundedWrites)
{
    std::string data = test::mixed_data(large_size);

    // Downstream sees bounded chunks whatever the input size: buffering does not grow with it.
    test::LargestWriteSink compressed;
    auto compressor = make_compressor(GetParam(), 0, compressed);
    test::write_in_chunks(*compressor, data);
    if (GetParam() != Compression::none) {
        EXPECT_LE(compressed.largest, 256u * 1024);
        EXPECT_LT(compressed.text.size(), data.size());
    }

    test::LargestWriteSink decompressed;
    auto decompressor = make_decompressor(GetParam(), decompressed);
    test::write_in_chunks(*decompressor, compressed.text);
    if (GetParam() != Compression::none) {
        EXPECT_LE(decompressed.largest, 256u * 1024);
    }
    EXPECT_EQ(decompressed.finishes, 1);
    EXPECT_TRUE(decompressed.text == data);
}

TEST_P(CodecTest, AcceptsConcatenatedStreams)
{
    std::string first = test::mixed_data(300000, 1);
    std::string second = test::mixed_data(200000, 2);
    std::string compressed = compress(GetParam(), first) + compress(GetParam(), second);
    EXPECT_TRUE(decompress(GetParam(), compressed) == first + second);
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, CodecTest,
                         ::testing::Values(Compression::zstd, Compression::gzip, Compression::none),
                         [](const auto &info) {
                             return std::string(compression_name(info.param));
                         });

class CompressingCodecTest : public ::testing::TestWithParam<Compression>
{
};

TEST_P(CompressingCodecTest, TruncatedStreamIsRejected)
{
    std::string compressed = compress(GetParam(), test::mixed_data(1000000));
    for (std::size_t length : {std::size_t(0), compressed.size() / 2, compressed.size() - 1}) {
        EXPECT_EQ(error_message([&] { decompress(GetParam(), compressed.substr(0, length)); }),
                  "compressed stream is truncated")
            << "length " << length;
    }
}

TEST_P(CompressingCodecTest, FlippedBitIsRejected)
{
    std::string data = test::mixed_data(1000000);
    std::string compressed = compress(GetParam(), data);
    for (std::size_t position :
         {compressed.size() / 3, compressed.size() / 2, compressed.size() - 3}) {
        std::string damaged = compressed;
        damaged[position] = static_cast<char>(damaged[position] ^ 0x10);
        EXPECT_NE(error_message([&] { decompress(GetParam(), damaged); }), "(no error)")
            << "position " << position;
    }
}

TEST_P(CompressingCodecTest, TrailingGarbageIsRejected)
{
    std::string compressed = compress(GetParam(), "some dump");
    for (std::string garbage :
         {std::string(1, '\0'), std::string("trailing garbage after the end")})
        EXPECT_NE(error_message([&] { decompress(GetParam(), compressed + garbage); }),
                  "(no error)");
}

INSTANTIATE_TEST_SUITE_P(Compressing, CompressingCodecTest,
                         ::testing::Values(Compression::zstd, Compression::gzip),
                         [](const auto &info) {
                             return std::string(compression_name(info.param));
                         });

TEST(ZstdCodec, OutputIsReadByTheZstdProgram)
{
    std::string data = test::mixed_data(large_size, 7);
    EXPECT_TRUE(run_program("zstd -d -q -c", compress(Compression::zstd, data)) == data);
}

TEST(ZstdCodec, FramesCarryAChecksum)
{
    std::string compressed = compress(Compression::zstd, "checked");
    ASSERT_GT(compressed.size(), 4u);
    // Byte 4 is the frame header descriptor; bit 2 is Content_Checksum_flag.
    EXPECT_TRUE(static_cast<unsigned char>(compressed[4]) & 0x04);
}

TEST(ZstdCodec, CorruptDataNamesTheZstdError)
{
    std::string message = error_message([] { decompress(Compression::zstd, "not zstd at all"); });
    EXPECT_EQ(message.rfind("corrupt zstd data: ", 0), 0u) << message;
}

TEST(ZstdCodec, HigherLevelCompressesBetter)
{
    std::string text;
    for (int i = 0; text.size() < 300000; ++i)
        text += "row " + std::to_string(i) + " value " + std::to_string(i * 7919 % 100003) + "\n";
    EXPECT_LT(compress(Compression::zstd, text, 19).size(),
              compress(Compression::zstd, text, 1).size());
}

TEST(GzipCodec, OutputIsReadByGunzip)
{
    std::string data = test::mixed_data(large_size, 9);
    EXPECT_TRUE(run_program("gunzip -c", compress(Compression::gzip, data)) == data);
}

TEST(GzipCodec, LevelReachesTheCompressor)
{
    // zlib records the extremes in the header's XFL byte: 2 for level 9, 4 for level 1.
    EXPECT_EQ(compress(Compression::gzip, "data", 9).at(8), 2);
    EXPECT_EQ(compress(Compression::gzip, "data", 1).at(8), 4);
}

TEST(NoCompression, PassesBytesThroughUnchanged)
{
    std::string data = test::mixed_data(100000);
    EXPECT_TRUE(compress(Compression::none, data) == data);
    EXPECT_TRUE(decompress(Compression::none, data) == data);
}

TEST(CompressionNames, ParseAndPrint)
{
    for (Compression compression : {Compression::zstd, Compression::gzip, Compression::none})
        EXPECT_EQ(parse_compression(compression_name(compression)), compression);
    EXPECT_EQ(compression_name(Compression::zstd), "zstd");
    EXPECT_EQ(compression_extension(Compression::zstd), ".zst");
    EXPECT_EQ(compression_extension(Compression::gzip), ".gz");
    EXPECT_EQ(compression_extension(Compression::none), "");
}

TEST(CompressionNames, UnknownNameListsTheAllowedOnes)
{
    EXPECT_THROW(parse_compression("lz4"), InvalidValue);
    EXPECT_EQ(error_message([] { parse_compression("lz4"); }),
              "invalid compression \"lz4\": allowed values are zstd, gzip, none");
    EXPECT_THROW(parse_compression("ZSTD"), InvalidValue);
}

TEST(CompressionLevels, ZeroMeansTheDefault)
{
    EXPECT_EQ(effective_level(Compression::gzip, 0), 6);
    EXPECT_EQ(effective_level(Compression::zstd, 0), 3);
    EXPECT_EQ(effective_level(Compression::none, 0), 0);
}

TEST(CompressionLevels, LevelsInRangeAreKept)
{
    EXPECT_EQ(effective_level(Compression::gzip, 1), 1);
    EXPECT_EQ(effective_level(Compression::gzip, 9), 9);
    EXPECT_EQ(effective_level(Compression::zstd, 19), 19);
}

TEST(CompressionLevels, OutOfRangeLevelsSayWhatIsAllowed)
{
    EXPECT_THROW(effective_level(Compression::gzip, 12), InvalidValue);
    EXPECT_EQ(error_message([] { effective_level(Compression::gzip, 12); }),
              "compression level 12 is out of range for gzip: allowed levels are 1 to 9 (0 for "
              "the default, 6)");
    EXPECT_EQ(error_message([] { effective_level(Compression::zstd, 20); }),
              "compression level 20 is out of range for zstd: allowed levels are 1 to 19 (0 for "
              "the default, 3)");
    EXPECT_EQ(error_message([] { effective_level(Compression::zstd, -1); }),
              "compression level -1 is out of range for zstd: allowed levels are 1 to 19 (0 for "
              "the default, 3)");
    EXPECT_EQ(error_message([] { effective_level(Compression::none, 1); }),
              "compression level 1 is out of range for none: the only allowed level is 0");
}

TEST(CompressionLevels, CompressorRejectsAnOutOfRangeLevel)
{
    StringSink out;
    EXPECT_THROW(make_compressor(Compression::gzip, 10, out), InvalidValue);
}

} // namespace
} // namespace lokbackup
