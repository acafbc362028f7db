#include "core/backup/client_version.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

namespace lokbackup
{
namespace
{

using test::error_message;

TEST(ClientVersion, FromWhatTheProgramsPrint)
{
    ClientVersion debian =
        parse_client_version("psql (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n");
    EXPECT_EQ(debian.major, 15);
    EXPECT_EQ(debian.minor, 20);
    EXPECT_EQ(debian.text, "15.20");
    ClientVersion restore = parse_client_version("pg_restore (PostgreSQL) 18.1");
    EXPECT_EQ(restore.major, 18);
    EXPECT_EQ(restore.minor, 1);
    EXPECT_EQ(restore.text, "18.1");
}

TEST(ClientVersion, DevelopmentBuildsHaveMinorZero)
{
    ClientVersion beta = parse_client_version("psql (PostgreSQL) 18beta3");
    EXPECT_EQ(beta.major, 18);
    EXPECT_EQ(beta.minor, 0);
    EXPECT_EQ(beta.text, "18");
    EXPECT_EQ(parse_client_version("psql (PostgreSQL) 16devel").major, 16);
}

TEST(ClientVersion, OutputWithoutAVersionIsQuoted)
{
    EXPECT_EQ(error_message([] { parse_client_version("psql: command not found"); }),
              "cannot tell the PostgreSQL version from \"psql: command not found\"");
    EXPECT_EQ(error_message([] { parse_client_version("psql (PostgreSQL) x.1"); }),
              "cannot tell the PostgreSQL version from \"psql (PostgreSQL) x.1\"");
    // A long output is quoted by its first 200 bytes only.
    std::string long_output(1000, 'x');
    EXPECT_EQ(error_message([&] { parse_client_version(long_output); }),
              "cannot tell the PostgreSQL version from \"" + std::string(200, 'x') + "\"");
}

TEST(ClientVersion, ServerMajorVersion)
{
    EXPECT_EQ(server_major_version("15.20 (Debian 15.20-0+deb12u1)"), 15);
    EXPECT_EQ(server_major_version("18beta3"), 18);
    EXPECT_EQ(server_major_version("9.6.24"), 9);
    EXPECT_EQ(server_major_version(""), 0);
    EXPECT_EQ(server_major_version("PostgreSQL 16"), 0);
    // Not a number so long that it overflows.
    EXPECT_EQ(server_major_version("99999999999999999999"), 9999);
}

} // namespace
} // namespace lokbackup
