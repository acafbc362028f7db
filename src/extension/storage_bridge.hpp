// The extension's calls into core's storage and object naming, each through core_call().
#pragma once

extern "C" {
#include "postgres.h"
#include "datatype/timestamp.h"
}

namespace lokbackup::pg
{

struct ObjectKeyFields {
    const char *database; // NULL for the roles dump
    const char *type;
    TimestampTz time;
    int64 id;
    const char *format;
    const char *compression;
};
char *object_key_for(const ObjectKeyFields &fields);

// Where a restore finds the object (for the local driver, an absolute path).
char *storage_location(const char *storage, const char *object_key);
void remove_backup(const char *storage, const char *object_key);
// Raises an error when the compression level is not allowed for the compression.
void check_compression_level(const char *compression, int level);

} // namespace lokbackup::pg
