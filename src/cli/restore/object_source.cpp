#include "cli/restore/object_source.hpp"

#include "core/storage/open_storage.hpp"
#include "core/base/error.hpp"
#include "core/storage/s3_storage.hpp"

#include <filesystem>
#include <iostream>

namespace lokbackup::cli
{

void print_storage_log(const std::string &message)
{
    // One write, so that the lines of the backup's storage threads never interleave.
    std::cerr << "lokbackup: " + message + "\n";
}

std::unique_ptr<ObjectReader> open_location(const std::string &location)
{
    if (location.rfind("https://", 0) == 0 || location.rfind("http://", 0) == 0)
        return open_presigned_url(location, print_storage_log);
    std::filesystem::path path(location);
    if (!path.is_absolute())
        throw Error("cannot read backup location \"" + location +
                    "\": only absolute paths are supported");
    return open_storage(StorageConfig(path.parent_path().string()))->open(path.filename().string());
}

} // namespace lokbackup::cli
