// The conversation between the background worker and the WAL retention child (`lokbackup
// wal-retention`): after rotation, the worker names the oldest kept base backup's first segment;
// the child lists ~wal/ in the storage, removes what no kept base backup needs
// (wal_retention.hpp) and reports what the archive holds then. The child does the listing and the
// removals, which may be long and may fail, so that the server never waits on storage.
#pragma once

#include "core/storage/storage_scan.hpp"
#include "core/wal/wal_retention.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace lokbackup
{

struct WalRetentionRequest {
    StorageScanRequest storage;           // where the archive is, with the S3 secrets
    std::optional<std::string> keep_from; // nullopt: no completed base backup, nothing goes
};

std::string wal_retention_request_to_json(const WalRetentionRequest &request);
WalRetentionRequest wal_retention_request_from_json(const std::string &json);

// The child's one line of output.
struct WalRetentionResult {
    bool ok = false;
    std::uint64_t removed = 0; // objects removed
    WalArchiveSize kept;       // what the archive holds after the removals
    std::string error;         // when not ok
};

// One line of JSON, without the trailing newline.
std::string wal_retention_result_to_json(const WalRetentionResult &result);
WalRetentionResult wal_retention_result_from_json(const std::string &line);

} // namespace lokbackup
