#include "core/backup/dump_format.hpp"
#include "core/base/vocabulary.hpp"
#include "core/pipeline/codec.hpp"
#include "core/schedule/backup_type.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

using test::error_message;

TEST(Vocabulary, NamesAndParsesEveryTerm)
{
    for (const Term<Compression> &term : compression_vocabulary().terms()) {
        EXPECT_EQ(compression_vocabulary().parse(term.name), term.value);
        EXPECT_STREQ(compression_vocabulary().name(term.value), term.name);
    }
}

TEST(Vocabulary, AnUnknownNameIsRefusedWithTheAllowedOnes)
{
    EXPECT_EQ(error_message([] { parse_compression("lz4"); }),
              "invalid compression \"lz4\": allowed values are zstd, gzip, none");
    EXPECT_EQ(error_message([] { parse_backup_type("hourly"); }),
              "invalid backup type \"hourly\": allowed values are daily, weekly, monthly, manual");
}

TEST(Vocabulary, NamesAreCaseSensitive)
{
    EXPECT_THROW(parse_compression("ZSTD"), InvalidValue);
}

} // namespace
} // namespace lokbackup
