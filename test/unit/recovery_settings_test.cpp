#include "core/base/error.hpp"
#include "core/wal/recovery_settings.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace lokbackup
{
namespace
{

// What PostgreSQL's configuration file parser makes of a quoted value (GUC_scanstr): the quotes
// removed, '' and \x read as the character.
std::string conf_unquoted(const std::string &literal)
{
    std::string value;
    for (std::size_t i = 1; i + 1 < literal.size(); ++i) {
        if (literal[i] == '\\' || (literal[i] == '\'' && literal[i + 1] == '\''))
            ++i;
        value += literal[i];
    }
    return value;
}

// PostgreSQL's substitution of %f, %p and %% in restore_command (BuildRestoreCommand).
std::string substituted(const std::string &command, const std::string &f, const std::string &p)
{
    std::string result;
    for (std::size_t i = 0; i < command.size(); ++i) {
        if (command[i] == '%' && i + 1 < command.size()) {
            char next = command[i + 1];
            if (next == 'f' || next == 'p' || next == '%') {
                result += next == 'f' ? f : next == 'p' ? p : "%";
                ++i;
                continue;
            }
        }
        result += command[i];
    }
    return result;
}

// The words /bin/sh splits the command into, through printf.
std::string shell_words(const std::string &command)
{
    std::string script = "printf '<%s>' " + command;
    FILE *shell = ::popen(script.c_str(), "r");
    std::string out;
    char buffer[512];
    while (std::size_t got = std::fread(buffer, 1, sizeof buffer, shell))
        out.append(buffer, got);
    ::pclose(shell);
    return out;
}

TEST(RecoverySettings, HostileStoragePathsReachWalFetchAsTheyAre)
{
    const std::string storage = "/backups/it's 100%f \"done\"\\ $(touch pwned) `id` ; rm -rf /";
    std::string command = archive_command_line(
        {"/usr/lib/postgresql/15/bin/lokbackup", "wal-fetch", "--from", storage}, 2, {"%f", "%p"});
    std::string conf_value = conf_unquoted(conf_quoted(command));
    EXPECT_EQ(conf_value, command);
    std::string run = substituted(conf_value, "000000010000000000000003", "pg_wal/RECOVERYXLOG");
    EXPECT_EQ(shell_words(run), "</usr/lib/postgresql/15/bin/lokbackup><wal-fetch>"
                                "<000000010000000000000003><pg_wal/RECOVERYXLOG><--from><" +
                                    storage + ">");
}

TEST(RecoverySettings, TheConfigurationLiteralDoublesQuotesAndBackslashes)
{
    EXPECT_EQ(conf_quoted("a'b\\c"), "'a''b\\\\c'");
    EXPECT_EQ(shell_quoted("it's"), "'it'\\''s'");
}

TEST(RecoverySettings, RefusesControlCharactersThatCannotBeCarriedThrough)
{
    for (const char *word : {"/backups/a\nrestore_command='x'", "/b\tc", "/b\rc"})
        EXPECT_THROW(archive_command_line({"lokbackup", "wal-fetch", "--from", word}, 2, {"%f"}),
                     InvalidValue);
}

TEST(RecoverySettings, WritesTheTargetTheTimelineAndTheAction)
{
    std::string text = recovery_settings("cmd %f", recovery_target_time("2026-12-03 21:40:00+01"),
                                         "pause", "rm -f 'x'");
    EXPECT_NE(text.find("restore_command = 'cmd %f'\n"), std::string::npos);
    EXPECT_NE(text.find("recovery_end_command = 'rm -f ''x'''\n"), std::string::npos);
    EXPECT_NE(text.find("recovery_target_time = '2026-12-03 20:40:00.000000+00'\n"),
              std::string::npos);
    EXPECT_NE(text.find("recovery_target_timeline = 'latest'\n"), std::string::npos);
    EXPECT_NE(text.find("recovery_target_action = 'pause'\n"), std::string::npos);

    std::string lsn = recovery_settings("cmd", recovery_target_lsn("0/3000060"), "promote", "");
    EXPECT_NE(lsn.find("recovery_target_lsn = '0/3000060'\n"), std::string::npos);
    EXPECT_EQ(lsn.find("recovery_end_command"), std::string::npos);
    std::string latest = recovery_settings("cmd", recovery_target_latest(), "promote", "");
    EXPECT_EQ(latest.find("recovery_target_time ="), std::string::npos);
    EXPECT_EQ(latest.find("recovery_target_lsn"), std::string::npos);
    EXPECT_THROW(recovery_settings("cmd", recovery_target_latest(), "promote'", ""), InvalidValue);
}

} // namespace
} // namespace lokbackup
