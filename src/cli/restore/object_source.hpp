// Where restore and verify read a backup: the `location` that the catalog or a manifest gives,
// an absolute path (local storage) or a presigned URL (S3), which needs no keys.
#pragma once

#include "core/storage/storage.hpp"

#include <memory>
#include <string>

namespace lokbackup::cli
{

std::unique_ptr<ObjectReader> open_location(const std::string &location);

// Prints what storage reports (retried requests) on stderr.
void print_storage_log(const std::string &message);

} // namespace lokbackup::cli
