// The extension's calls into core's storage and object naming, each through core_call().
#pragma once

#include "extension/postgres.hpp"

extern "C" {
#include "datatype/timestamp.h"
}

#include "core/storage/storage.hpp"
#include "extension/row_storage.hpp"

namespace lokbackup::pg
{

struct ObjectKeyFields {
    const char *database; // NULL for the roles dump
    const char *type;
    TimestampTz time;
    int64 id;
    const char *format;
    const char *compression;
    bool encrypted;
};
char *object_key_for(const ObjectKeyFields &fields);

// The storage in force: lokbackup.storage (or its default directory) with, for S3, the
// lokbackup.s3_endpoint, s3_region and s3_path_style settings.
RowStorage storage_in_force();
// The second destination in force: lokbackup.storage_copy with its S3 settings; spec NULL when
// there is none.
RowStorage storage_copy_in_force();
// Whether two storages are the same place: the same directory or bucket and prefix (a trailing
// slash aside) at the same S3 endpoint.
bool same_place(const RowStorage &a, const RowStorage &b);

// Makes `storage` ready for a backup to write to: the default directory is created here (mode
// 0700) when it is missing. It is the only storage directory lokbackup creates, since a configured
// one that is missing is a mistyped path or a file system that is not mounted.
void prepare_backup_storage(const RowStorage &storage);

// Where a restore finds the object: an absolute path for local storage, a presigned URL valid
// for an hour for S3.
char *storage_location(const RowStorage &storage, const char *object_key);
// A URL that fetches the object without credentials for `valid_for_seconds`.
char *storage_presigned_url(const RowStorage &storage, const char *object_key,
                            int64 valid_for_seconds);
// Raises an error when the compression level is not allowed for the compression.
void check_compression_level(const char *compression, int level);

// For core_call() lambdas and the backup child's request only (these build C++ objects and call
// nothing in PostgreSQL): how to reach `storage`, with the row's endpoint, region and addressing,
// the other lokbackup.s3_* settings and, for credentials left empty, the server's
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN environment variables. The keys
// are lokbackup.storage_copy's (s3_copy_settings()) when `storage` is that place.
S3Options s3_options(const RowStorage &storage);
StorageConfig storage_config(const RowStorage &storage);

} // namespace lokbackup::pg
