// The log of `lokbackup serve` (stderr): one line per event, written at once so that the lines of
// concurrent requests do not run into each other.
#pragma once

#include "core/base/text.hpp" // printable(), for what goes into a log line

#include <string>

namespace lokbackup::cli
{

// Writes "lokbackup serve: <line>".
void log_line(const std::string &line);

} // namespace lokbackup::cli
