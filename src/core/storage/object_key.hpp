// Names of backup objects in storage, relative to the storage root:
//   <database>/<YYYY>/<MM>/<database>-<type>-<YYYYMMDDTHHMMSSZ>-<id><format ext><compression ext>
// followed by ".age" for an object encrypted with age.
// The database name is percent-encoded (every byte outside [A-Za-z0-9._-], and a leading '.'), so
// any name is a single safe path segment. The roles dump (pg_dumpall --globals-only) lives under
// "~roles" and base backups (format tar) under "~cluster", which no encoded database name can be;
// archived WAL is under "~wal" (core/wal/wal_archive_key.hpp).
#pragma once

#include "core/pipeline/codec.hpp"
#include "core/backup/dump_format.hpp"

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

namespace lokbackup
{

struct ObjectKeyParts {
    std::string database; // empty for the roles dump and a base backup
    std::string type;     // daily, weekly, monthly, manual
    std::time_t time;     // UTC
    std::int64_t id;
    DumpFormat format;
    Compression compression;
    bool encrypted = false;
};

std::string object_key(const ObjectKeyParts &parts);
std::string manifest_key(const std::string &object_key); // object_key + ".manifest.json"
std::string encode_key_segment(const std::string &name);
// The backup id in the name of an object or manifest key that object_key() made; nullopt for any
// other key. Read from the name, not the manifest: listing a bucket is one request per thousand
// keys, reading its manifests one per backup.
std::optional<std::int64_t> backup_id_of_key(const std::string &key);

} // namespace lokbackup
