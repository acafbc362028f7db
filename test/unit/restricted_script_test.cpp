#include "core/pipeline/restricted_script.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

using test::StringSink;

const std::string own_key = "LokbackupOwnKey42";

// What psql receives when `script` arrives in pieces of `chunk` bytes.
std::string psql_input_of(const std::string &script, std::size_t chunk)
{
    StringSink psql;
    RestrictedScript input(psql, own_key);
    for (std::size_t at = 0; at < script.size(); at += chunk)
        input.write(script.data() + at, std::min(chunk, script.size() - at));
    input.finish();
    EXPECT_EQ(psql.finishes, 1);
    return psql.text;
}

class RestrictedScriptTest : public ::testing::TestWithParam<std::size_t>
{
};

TEST_P(RestrictedScriptTest, InputStartsWithTheOwnRestrictKey)
{
    EXPECT_EQ(psql_input_of("SELECT 1;\n", GetParam()), "\\restrict " + own_key + "\nSELECT 1;\n");
}

TEST_P(RestrictedScriptTest, TheDumpsOwnRestrictLinesAreDropped)
{
    std::string dump = "BEGIN;\n--\n-- PostgreSQL database dump\n--\n\n\\restrict abcXYZ09\n\n"
                       "SET x = 1;\nCOPY t FROM stdin;\n1\tone\n\\.\n\n\\unrestrict abcXYZ09\n\n"
                       "COMMIT;\n";
    std::string replayed = "\\restrict " + own_key +
                           "\nBEGIN;\n--\n-- PostgreSQL database dump\n--\n\n\n"
                           "SET x = 1;\nCOPY t FROM stdin;\n1\tone\n\\.\n\n\nCOMMIT;\n";
    EXPECT_EQ(psql_input_of(dump, GetParam()), replayed);
}

TEST_P(RestrictedScriptTest, EveryOtherBackslashCommandReachesPsqlToBeRefused)
{
    std::string planted = "\\restrict k1\n\\! touch /tmp/pwned\n\\restrict k2\n\\unrestrict k2\n"
                          "SELECT 1; \\! id\n\\unrestrict " +
                          own_key + "\n\\unrestrict k1";
    std::string replayed = "\\restrict " + own_key +
                           "\n\\! touch /tmp/pwned\n\\restrict k2\n\\unrestrict k2\n"
                           "SELECT 1; \\! id\n\\unrestrict " +
                           own_key + "\n";
    EXPECT_EQ(psql_input_of(planted, GetParam()), replayed);
}

TEST_P(RestrictedScriptTest, LongBackslashLinesPassWhole)
{
    std::string line = "\\restrict " + std::string(5000, 'a') + "\n";
    std::string copy_row = "\\\\not a command\t" + std::string(70000, 'x') + "\n";
    EXPECT_EQ(psql_input_of(line + copy_row, GetParam()),
              "\\restrict " + own_key + "\n" + line + copy_row);
}

TEST_P(RestrictedScriptTest, AScriptWithoutRestrictLinesPassesUnchanged)
{
    std::string script = test::mixed_data(300000);
    EXPECT_EQ(psql_input_of(script, GetParam()), "\\restrict " + own_key + "\n" + script);
}

INSTANTIATE_TEST_SUITE_P(Chunks, RestrictedScriptTest, ::testing::Values(1, 3, 7, 4096, 1 << 20));

TEST(RestrictedScript, KeysAreLettersAndDigits)
{
    StringSink psql;
    EXPECT_THROW(RestrictedScript(psql, "a b"), Error);
    EXPECT_THROW(RestrictedScript(psql, ""), Error);
    std::string key = random_restrict_key();
    EXPECT_GE(key.size(), 32u);
    EXPECT_NE(key, random_restrict_key());
    RestrictedScript fine(psql, key);
}

TEST(RestrictedScript, PsqlHasRestrictFromTheAugust2025MinorReleases)
{
    auto psql = [](const std::string &output) {
        return has_restrict(parse_client_version(output));
    };
    EXPECT_TRUE(psql("psql (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"));
    EXPECT_TRUE(psql("psql (PostgreSQL) 15.14"));
    EXPECT_FALSE(psql("psql (PostgreSQL) 15.13"));
    EXPECT_FALSE(psql("psql (PostgreSQL) 16.9"));
    EXPECT_TRUE(psql("psql (PostgreSQL) 16.10"));
    EXPECT_TRUE(psql("psql (PostgreSQL) 17.6"));
    EXPECT_TRUE(psql("psql (PostgreSQL) 18.1"));
    EXPECT_TRUE(psql("psql (PostgreSQL) 19devel"));
    EXPECT_THROW(parse_client_version("psql from nowhere"), Error);
}

} // namespace
} // namespace lokbackup

namespace lokbackup
{
TEST(ServerMajorVersion, FromWhatAManifestRecords)
{
    EXPECT_EQ(server_major_version("15.20 (Debian 15.20-0+deb12u1)"), 15);
    EXPECT_EQ(server_major_version("18.6"), 18);
    EXPECT_EQ(server_major_version("18beta3"), 18);
    EXPECT_EQ(server_major_version(""), 0);
    EXPECT_EQ(server_major_version("PostgreSQL 15"), 0);
}
} // namespace lokbackup
