// A copy of a stored backup into another storage (`lokbackup copy`, which fills the second
// destination with the backups made before it was set): the stored bytes as they are, checked on
// the way against what the catalog recorded, and the manifest beside them.
#pragma once

#include "core/storage/storage.hpp"

#include <cstdint>
#include <string>

namespace lokbackup
{

// What the copy must be: the backup's object key and its record.
struct CopiedObject {
    std::string object_key;
    std::string sha256; // lower-case hex
    std::uint64_t size = 0;
};

// Streams `object` into `destination` under object.object_key, then writes `manifest` (the
// primary's manifest bytes) beside it under manifest_key(). The object is published only when its
// size and SHA-256 are the recorded ones; otherwise throws BackupDamaged naming what differs.
// On any failure nothing of the backup stays in `destination` (an object already published is
// removed again when its manifest cannot be written).
void copy_checked(ObjectReader &object, const std::string &manifest, const CopiedObject &expected,
                  Storage &destination);

} // namespace lokbackup
