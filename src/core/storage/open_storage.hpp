// Chooses the storage driver that a storage spec names. Kept apart from the Storage interface,
// which knows no driver: drivers depend on the interface, never the other way.
#pragma once

#include "core/storage/storage.hpp"

#include <memory>
#include <string>

namespace lokbackup
{

// Opens the storage that `config.spec` names: a local directory (which must exist before an
// object is written: it is never created) or an S3 bucket (not contacted until used). Throws
// InvalidValue saying what is allowed.
std::unique_ptr<Storage> open_storage(const StorageConfig &config);
// Checks the form of `spec` without touching storage; throws InvalidValue saying what is allowed.
void check_storage_spec(const std::string &spec);

} // namespace lokbackup
