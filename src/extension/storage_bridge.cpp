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

RowStorage storage_in_force()
{
    RowStorage storage{storage_spec(), nullptr, nullptr, false};
    if (core_call([&] { return is_s3_spec(storage.spec); })) {
        storage.s3_endpoint =
            s3_endpoint_setting[0] != '\0' ? pstrdup(s3_endpoint_setting) : nullptr;
        storage.s3_region = pstrdup(s3_region_setting);
        storage.s3_path_style = s3_path_style_setting;
    }
    return storage;
}

S3Options s3_options(const RowStorage &storage)
{
    S3Options options = s3_settings();
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
