// The local driver: objects are files below a root directory. Keys are relative paths with '/'
// separators; an object is written to "<path>.partial" and renamed into place once durable.
#pragma once

#include "core/storage.hpp"

#include <memory>
#include <string>

namespace lokbackup
{

// Creates `directory` (mode 0700, like the directories made below it) when it is missing.
std::unique_ptr<Storage> open_local_storage(const std::string &directory);

} // namespace lokbackup
