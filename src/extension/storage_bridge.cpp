#include "extension/storage_bridge.hpp"

extern "C" {
#include "utils/timestamp.h"
}

#include "core/storage/open_storage.hpp"
#include "core/pipeline/codec.hpp"
#include "core/storage/local_storage.hpp"
#include "core/storage/object_key.hpp"
#include "core/s3/s3_address.hpp"
#include "extension/boundary.hpp"
#include "extension/settings.hpp"

#include <chrono>

namespace lokbackup::pg
{

// A storage spec with its S3 settings (none for a directory).
static RowStorage row_storage_of(char *spec, const char *endpoint, const char *region,
                                 bool path_style)
{
    RowStorage storage{spec, nullptr, nullptr, false};
    if (core_call([&] { return is_s3_spec(storage.spec); })) {
        storage.s3_endpoint = endpoint[0] != '\0' ? pstrdup(endpoint) : nullptr;
        storage.s3_region = pstrdup(region);
        storage.s3_path_style = path_style;
    }
    return storage;
}

RowStorage storage_in_force()
{
    return row_storage_of(storage_spec(), s3_endpoint_setting, s3_region_setting,
                          s3_path_style_setting);
}

RowStorage storage_copy_in_force()
{
    if (storage_copy_setting[0] == '\0')
        return RowStorage{nullptr, nullptr, nullptr, false};
    return row_storage_of(pstrdup(storage_copy_setting), storage_copy_s3_endpoint_setting,
                          storage_copy_s3_region_setting, storage_copy_s3_path_style_setting);
}

// The same directory or bucket and prefix (a trailing slash aside) at the same S3 endpoint ("" for
// none). Plain C: s3_options() runs inside core_call() lambdas.
static bool same_place_of(const char *spec, const char *endpoint, const char *other_spec,
                          const char *other_endpoint)
{
    std::size_t length = strlen(spec), other_length = strlen(other_spec);
    while (length > 1 && spec[length - 1] == '/')
        length--;
    while (other_length > 1 && other_spec[other_length - 1] == '/')
        other_length--;
    return length == other_length && strncmp(spec, other_spec, length) == 0 &&
           strcmp(endpoint, other_endpoint) == 0;
}

bool same_place(const RowStorage &a, const RowStorage &b)
{
    return same_place_of(a.spec, a.s3_endpoint ? a.s3_endpoint : "", b.spec,
                         b.s3_endpoint ? b.s3_endpoint : "");
}

// The copy's keys reach the place lokbackup.storage_copy names; every other place (a backup's
// primary, and a copy written before the setting changed) is reached with the primary's.
static bool is_storage_copy(const RowStorage &storage)
{
    return storage_copy_setting[0] != '\0' &&
           same_place_of(storage.spec, storage.s3_endpoint ? storage.s3_endpoint : "",
                         storage_copy_setting, storage_copy_s3_endpoint_setting);
}

S3Options s3_options(const RowStorage &storage)
{
    S3Options options = is_storage_copy(storage) ? s3_copy_settings() : s3_settings();
    options.endpoint = storage.s3_endpoint ? storage.s3_endpoint : "";
    if (storage.s3_region != nullptr)
        options.region = storage.s3_region;
    options.path_style = storage.s3_path_style;
    return options;
}

StorageConfig storage_config(const RowStorage &storage)
{
    return StorageConfig(storage.spec, s3_options(storage));
}

char *object_key_for(const ObjectKeyFields &fields)
{
    std::time_t time = timestamptz_to_time_t(fields.time);
    return core_call([&] {
        ObjectKeyParts parts{fields.database ? fields.database : "",
                             fields.type,
                             time,
                             fields.id,
                             parse_dump_format(fields.format),
                             parse_compression(fields.compression),
                             fields.encrypted};
        return palloc_string(object_key(parts));
    });
}

void prepare_backup_storage(const RowStorage &storage)
{
    if (strcmp(storage.spec, default_storage_directory()) == 0)
        core_call([&] { create_storage_directory(storage.spec); });
}

char *storage_location(const RowStorage &storage, const char *object_key)
{
    return core_call(
        [&] { return palloc_string(open_storage(storage_config(storage))->location(object_key)); });
}

char *storage_presigned_url(const RowStorage &storage, const char *object_key,
                            int64 valid_for_seconds)
{
    return core_call([&] {
        return palloc_string(
            open_storage(storage_config(storage))
                ->presigned_url(object_key, std::chrono::seconds(valid_for_seconds)));
    });
}

void check_compression_level(const char *compression, int level)
{
    core_call([&] { effective_level(parse_compression(compression), level); });
}

} // namespace lokbackup::pg
