// The log of `lokbackup serve` (stderr): one line per event, written at once so that the lines of
// concurrent requests do not run into each other.
#pragma once

#include <string>

namespace lokbackup::cli
{

// Writes "lokbackup serve: <line>".
void log_line(const std::string &line);

// `text` from a client (a path, a user name), safe to log: control bytes become \xNN, so that
// nobody can forge log lines or send escape sequences to an operator's terminal.
std::string printable(const std::string &text);

} // namespace lokbackup::cli
