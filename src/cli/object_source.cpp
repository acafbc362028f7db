#include "cli/object_source.hpp"

#include "core/error.hpp"
#include "core/s3_storage.hpp"

#include <filesystem>
#include <iostream>

namespace lokbackup::cli
{

namespace
{

// Manifests are a few hundred bytes; anything much larger is not one.
constexpr std::size_t small_object_limit = 1 << 20;

} // namespace

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

std::string read_small_object(ObjectReader &reader, const std::string &what)
{
    std::string text;
    char buffer[65536];
    while (std::size_t got = reader.read(buffer, sizeof buffer)) {
        text.append(buffer, got);
        if (text.size() > small_object_limit)
            throw BackupDamaged(what + " is larger than 1 MiB, which no manifest is");
    }
    return text;
}

} // namespace lokbackup::cli
