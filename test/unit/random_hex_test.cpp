#include "core/base/random_hex.hpp"

#include <gtest/gtest.h>

#include <set>

namespace lokbackup
{
namespace
{

TEST(RandomHex, TwoLowerCaseHexDigitsPerByte)
{
    for (std::size_t bytes : {0, 1, 16, 32}) {
        std::string hex = random_hex(bytes);
        EXPECT_EQ(hex.size(), 2 * bytes);
        EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos) << hex;
    }
}

TEST(RandomHex, IdentifiersDoNotRepeat)
{
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i)
        EXPECT_TRUE(seen.insert(random_hex(16)).second);
}

TEST(RandomHex, EveryDigitOccurs)
{
    // 4096 random digits miss one of the sixteen with a probability below 1e-100.
    std::string hex = random_hex(2048);
    for (char digit : std::string("0123456789abcdef"))
        EXPECT_NE(hex.find(digit), std::string::npos) << digit;
}

} // namespace
} // namespace lokbackup
