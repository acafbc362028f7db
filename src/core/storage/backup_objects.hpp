// What one backup is in storage: its object and its manifest.
#pragma once

#include "core/storage/storage.hpp"

#include <string>

namespace lokbackup
{

// Removes the object, its manifest, and whatever an interrupted writer of either left behind.
// Removing a backup that is already gone is not an error.
void remove_backup_objects(Storage &storage, const std::string &object_key);

} // namespace lokbackup
