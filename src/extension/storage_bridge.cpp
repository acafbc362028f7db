#include "extension/storage_bridge.hpp"

extern "C" {
#include "utils/timestamp.h"
}

#include "core/backup_objects.hpp"
#include "core/codec.hpp"
#include "core/object_key.hpp"
#include "extension/boundary.hpp"

namespace lokbackup::pg
{

char *object_key_for(const ObjectKeyFields &fields)
{
    std::time_t time = timestamptz_to_time_t(fields.time);
    return core_call([&] {
        ObjectKeyParts parts{fields.database ? fields.database : "",
                             fields.type,
                             time,
                             fields.id,
                             parse_dump_format(fields.format),
                             parse_compression(fields.compression)};
        return palloc_string(object_key(parts));
    });
}

char *storage_location(const char *storage, const char *object_key)
{
    return core_call([&] { return palloc_string(open_storage(storage)->location(object_key)); });
}

void remove_backup(const char *storage, const char *object_key)
{
    core_call([&] { remove_backup_objects(*open_storage(storage), object_key); });
}

void check_compression_level(const char *compression, int level)
{
    core_call([&] { effective_level(parse_compression(compression), level); });
}

} // namespace lokbackup::pg
