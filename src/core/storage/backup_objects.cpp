#include "core/storage/backup_objects.hpp"

#include "core/storage/object_key.hpp"

namespace lokbackup
{

void remove_backup_objects(Storage &storage, const std::string &object_key)
{
    for (const std::string &key : {object_key, manifest_key(object_key)}) {
        storage.remove(key);
        storage.discard_incomplete(key);
    }
}

} // namespace lokbackup
