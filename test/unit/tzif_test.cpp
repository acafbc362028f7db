#include "core/schedule/tzif.hpp"

#include "test_support.hpp"
#include "time_test_support.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace lokbackup
{
namespace
{

using test::c_library_offset;
using test::error_message;
using test::read_file;
using test::ScopedTz;
using test::utc;

const std::string zoneinfo = "/usr/share/zoneinfo/";

// A TZif file written by the test, as RFC 8536 lays it out.
struct Transition {
    std::int64_t time;
    unsigned char type;
};

class TzifBuilder
{
  public:
    TzifBuilder &offsets(std::vector<int> offsets)
    {
        offsets_ = std::move(offsets);
        return *this;
    }
    TzifBuilder &transitions(std::vector<Transition> transitions)
    {
        transitions_ = std::move(transitions);
        return *this;
    }
    TzifBuilder &leap_seconds(std::uint32_t count)
    {
        leap_count_ = count;
        return *this;
    }

    // Version 1: 32-bit times, no footer.
    std::string version1() const { return header('\0') + block(4); }
    // Version 2: a version 1 block (here of other, wrong offsets, which must not be read), the
    // 64-bit block, then the footer between newlines.
    std::string version2(const std::string &footer) const
    {
        TzifBuilder decoy = *this;
        for (int &offset : decoy.offsets_)
            offset += 12345;
        return decoy.header('2') + decoy.block(4) + header('2') + block(8) + "\n" + footer + "\n";
    }

  private:
    static std::string big_endian(std::uint64_t value, int size)
    {
        std::string bytes;
        for (int shift = 8 * (size - 1); shift >= 0; shift -= 8)
            bytes += static_cast<char>(value >> shift & 0xff);
        return bytes;
    }

    std::string header(char version) const
    {
        std::string text = "TZif" + std::string(1, version) + std::string(15, '\0');
        for (std::uint32_t count : {0u, 0u, leap_count_, std::uint32_t(transitions_.size()),
                                    std::uint32_t(offsets_.size()), std::uint32_t(4)})
            text += big_endian(count, 4);
        return text;
    }

    std::string block(int time_size) const
    {
        std::string text;
        for (const Transition &transition : transitions_)
            text += big_endian(static_cast<std::uint64_t>(transition.time), time_size);
        for (const Transition &transition : transitions_)
            text += static_cast<char>(transition.type);
        for (int offset : offsets_)
            text += big_endian(static_cast<std::uint32_t>(offset), 4) + '\0' + '\0';
        text += std::string("ABC", 4);
        for (std::uint32_t i = 0; i < leap_count_; ++i)
            text += big_endian(0, time_size) + big_endian(0, 4);
        return text;
    }

    std::vector<int> offsets_ = {0};
    std::vector<Transition> transitions_;
    std::uint32_t leap_count_ = 0;
};

TEST(Tzif, Version1HasTransitionsAndNoFooter)
{
    std::string file = TzifBuilder()
                           .offsets({-3600, 7200, 3600})
                           .transitions({{-100000, 1}, {0, 2}, {2000000000, 1}})
                           .version1();
    TzifData data = parse_tzif(file, "test");
    EXPECT_EQ(data.first_offset, -3600);
    EXPECT_EQ(data.transitions, (std::vector<std::int64_t>{-100000, 0, 2000000000}));
    EXPECT_EQ(data.offsets, (std::vector<int>{7200, 3600, 7200}));
    EXPECT_EQ(data.footer, "");
}

TEST(Tzif, Version2IsReadFromIts64BitBlock)
{
    // Beyond 2038 and before 1901: only 64-bit times hold them.
    std::int64_t late = 4102444800, early = -5000000000;
    TzifData data = parse_tzif(TzifBuilder()
                                   .offsets({3208, 3600, 7200})
                                   .transitions({{early, 1}, {late, 2}})
                                   .version2("CET-1CEST,M3.5.0,M10.5.0/3"),
                               "test");
    EXPECT_EQ(data.first_offset, 3208);
    EXPECT_EQ(data.transitions, (std::vector<std::int64_t>{early, late}));
    EXPECT_EQ(data.offsets, (std::vector<int>{3600, 7200}));
    EXPECT_EQ(data.footer, "CET-1CEST,M3.5.0,M10.5.0/3");
    EXPECT_EQ(parse_tzif(TzifBuilder().version2(""), "test").footer, "");
}

TEST(Tzif, MalformedFilesNameTheSourceAndTheFault)
{
    auto fault = [](const std::string &file) {
        return error_message([&] { parse_tzif(file, "/zones/Test"); });
    };
    const std::string prefix = "time zone file /zones/Test is not a valid TZif file: ";
    std::string good = TzifBuilder().transitions({{0, 0}, {10, 0}}).version2("UTC0");

    EXPECT_EQ(fault(""), prefix + "truncated");
    EXPECT_EQ(fault("TZif2"), prefix + "truncated");
    EXPECT_EQ(fault("XXXX" + good.substr(4)), prefix + "no TZif magic");
    EXPECT_EQ(fault(good.substr(0, good.size() - 10)), prefix + "truncated");
    EXPECT_EQ(fault(good.substr(0, good.size() - 1)), prefix + "unterminated footer");
    std::string no_footer = TzifBuilder().version2("UTC0");
    no_footer.resize(no_footer.size() - 6);
    EXPECT_EQ(fault(no_footer + "x"), prefix + "no footer");
    EXPECT_EQ(fault(TzifBuilder().offsets({}).version1()), prefix + "no local time types");
    EXPECT_EQ(fault(TzifBuilder().transitions({{0, 1}}).version1()),
              prefix + "transition to an unknown local time type");
    EXPECT_EQ(fault(TzifBuilder().transitions({{10, 0}, {10, 0}}).version1()),
              prefix + "transitions out of order");
    EXPECT_EQ(fault(TzifBuilder().leap_seconds(1).version1()),
              "time zone file /zones/Test counts leap seconds (a \"right/\" zone), which is not "
              "supported");
}

TEST(Tzif, HugeCountsAreTruncationNotAllocation)
{
    std::string file = TzifBuilder().version1();
    // The transition count (the fourth count after the 20 bytes of magic, version and padding).
    file.replace(20 + 12, 4, "\xff\xff\xff\xff");
    EXPECT_EQ(error_message([&] { parse_tzif(file, "big"); }),
              "time zone file big is not a valid TZif file: truncated");
}

TEST(Tzif, TzdataFilesAgreeWithTheCLibrary)
{
    for (const char *name : {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                             "Asia/Kolkata", "Pacific/Chatham", "UTC"}) {
        TzifData data = parse_tzif(read_file(zoneinfo + name), name);
        ASSERT_FALSE(data.footer.empty()) << name;
        ScopedTz tz(name);
        for (std::size_t i = 0; i < data.transitions.size(); ++i) {
            std::int64_t time = data.transitions[i];
            if (time < utc("1901-12-14T00:00Z") || time > utc("2037-12-31T00:00Z"))
                continue;
            ASSERT_EQ(data.offsets[i], c_library_offset(time)) << name << " " << time;
            if (i > 0 && data.transitions[i - 1] < time - 1) {
                ASSERT_EQ(data.offsets[i - 1], c_library_offset(time - 1)) << name << " " << time;
            }
        }
    }
}

TEST(Tzif, LeapSecondZonesAreRefused)
{
    EXPECT_EQ(error_message([] { parse_tzif(read_file(zoneinfo + "right/UTC"), "right/UTC"); }),
              "time zone file right/UTC counts leap seconds (a \"right/\" zone), which is not "
              "supported");
}

} // namespace
} // namespace lokbackup
