// Asking a person before a restore overwrites an existing database.
#pragma once

#include <string>

namespace lokbackup::cli
{

// Refuses (Error) unless stdin is a terminal and the person, told `what_happens`, types
// `database`; then counts down ten seconds, one line a second, during which Ctrl-C aborts.
void confirm_overwrite(const std::string &database, const std::string &what_happens);

} // namespace lokbackup::cli
