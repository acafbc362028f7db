// The settings that make a restored base backup recover from the archive: what restore-pitr
// appends to postgresql.auto.conf. Each value passes through two interpreters: the configuration
// file's string syntax, then (for the commands) PostgreSQL's % substitution and the shell.
#pragma once

#include "core/wal/recovery_target.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace lokbackup
{

// One word for /bin/sh: in single quotes, a quote written as '\''.
std::string shell_quoted(std::string_view word);
// A string literal of postgresql.conf: in single quotes, a quote doubled, a backslash doubled
// (the file's strings take backslash escapes).
std::string conf_quoted(std::string_view value);

// A command for restore_command or recovery_end_command: each word quoted for the shell, its %
// doubled (PostgreSQL substitutes %f, %p, %r and %% in the whole command), and the words of
// `placeholders` (%f %p) left for PostgreSQL to fill in, after the first `placeholders_after`
// words. Throws InvalidValue for a word with a control character: a line break cannot be carried
// through the configuration file and the shell safely.
std::string archive_command_line(const std::vector<std::string> &words,
                                 std::size_t placeholders_after,
                                 const std::vector<std::string> &placeholders);

// promote, pause, shutdown: recovery_target_action's values. Throws InvalidValue naming them.
std::string recovery_target_action(std::string_view name);

// The lines for postgresql.auto.conf: restore_command, the target (none for latest), the timeline
// ('latest', so that a timeline switch in the archive is followed), the action, and
// recovery_end_command when it is not empty.
std::string recovery_settings(const std::string &restore_command, const RecoveryTarget &target,
                              const std::string &action, const std::string &recovery_end_command);

} // namespace lokbackup
