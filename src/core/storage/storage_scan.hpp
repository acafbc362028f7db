// The conversation between the background worker and the storage scan child (`lokbackup
// storage-ids`): before the first run into a storage, the worker asks for the highest backup id
// there, so that it never hands out an id that a backup of an earlier install of the extension
// already has. The child does the listing, which may be long and may fail, so that the server
// never waits on storage nor goes down with it.
#pragma once

#include "core/storage/storage.hpp"

#include <cstdint>
#include <string>

namespace lokbackup
{

struct StorageScanRequest {
    std::string storage; // storage spec, as for open_storage()
    S3Options s3;        // for an s3:// storage spec; holds the S3 secrets
};

std::string storage_scan_request_to_json(const StorageScanRequest &request);
StorageScanRequest storage_scan_request_from_json(const std::string &json);

// The child's one line of output.
struct StorageScanResult {
    bool ok = false;
    std::int64_t highest_id = 0; // 0: no backup in storage
    std::uint64_t keys = 0;      // how many keys were listed
    std::string error;           // when not ok
};

// One line of JSON, without the trailing newline.
std::string storage_scan_result_to_json(const StorageScanResult &result);
StorageScanResult storage_scan_result_from_json(const std::string &line);

} // namespace lokbackup
