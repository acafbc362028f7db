// The local driver: objects are files below a root directory. Keys are relative paths with '/'
// separators; an object is written to "<path>.partial" and renamed into place once durable.
#pragma once

#include "core/storage/storage.hpp"

#include <memory>
#include <string>

namespace lokbackup
{

// The storage rooted at `directory`. The root is never created: writing into a root that does
// not exist throws Error (a mistyped path, or a file system that is not mounted, would otherwise
// get backups on the wrong disk). Directories below it are created with mode 0700.
std::unique_ptr<Storage> open_local_storage(const std::string &directory,
                                            StorageAcknowledged acknowledged = {});

// Creates `directory` with mode 0700 unless it exists; its parent must exist. For the one storage
// directory lokbackup makes itself: the default, beside the data directory.
void create_storage_directory(const std::string &directory);

} // namespace lokbackup
