// The sweep of incomplete uploads: what a writer left behind when it was cut off (a crash, a kill,
// a server that died mid-upload) and nobody removed afterwards. S3 keeps an open multipart
// upload's parts, and bills them, until it is aborted.
#pragma once

#include "core/storage/storage.hpp"

#include <chrono>
#include <ctime>
#include <string>
#include <vector>

namespace lokbackup
{

// No backup writes for this long (lokbackup.backup_timeout is at most a day): an upload older than
// this is no running backup's, not even one of another server sharing the bucket.
constexpr std::chrono::hours stale_upload_age{24};

// The uploads to discard: begun more than `min_age` before `now`, and not of an object (or its
// manifest) that a running backup writes (`running_keys`, the object keys of running backups).
std::vector<IncompleteUpload> stale_uploads(const std::vector<IncompleteUpload> &uploads,
                                            const std::vector<std::string> &running_keys,
                                            std::time_t now,
                                            std::chrono::seconds min_age = stale_upload_age);

struct SweepResult {
    std::size_t found = 0;     // incomplete uploads in the storage
    std::size_t discarded = 0; // the stale ones, now gone
};
// Lists the storage's incomplete uploads and discards the stale ones.
SweepResult sweep_stale_uploads(Storage &storage, const std::vector<std::string> &running_keys,
                                std::time_t now);

} // namespace lokbackup
