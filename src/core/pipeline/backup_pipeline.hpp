// The data path of one backup, run by the backup child: pg_dump (or pg_dumpall --globals-only, or
// pg_basebackup for a base backup of the cluster) -> compression -> SHA-256 -> storage, streaming
// with bounded memory, then the manifest.
#pragma once

#include "core/pipeline/backup_progress.hpp"
#include "core/backup/backup_request.hpp"
#include "core/backup/database_properties.hpp"
#include "core/backup/dump_inventory.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace lokbackup
{

struct BackupResult {
    std::uint64_t size = 0;     // stored (compressed) bytes
    std::uint64_t raw_size = 0; // bytes pg_dump produced
    std::string sha256;         // of the stored bytes
    // Of a database dumped from a snapshot: its own properties, read once the dump was done.
    std::optional<DatabaseProperties> database_properties;
    // Of a database dumped from a snapshot whose schema inventory was read: that, with the rows
    // and sequence values counted from a plain script as it streamed by.
    std::optional<DumpInventory> inventory;
    // Of a base backup: the WAL it needs, as its backup_label and backup_manifest say.
    std::optional<WalRange> wal_range;
    // Of a backup with a second destination (request.copy): whether it is stored there too.
    std::optional<CopyOutcome> copy;
};

// Called about once a second from a thread of the pipeline while the backup runs, also while it
// waits for storage.
using ProgressCallback = std::function<void(const BackupProgress &progress)>;

// A snapshot of the database to dump, exported by a transaction that the caller keeps open until
// run_backup() returns; pg_dump dumps exactly that snapshot, so what was read from it holds for the
// dump.
struct DumpSnapshot {
    std::string id;            // pg_export_snapshot()'s
    bool large_objects = true; // the snapshot shows at least one large object
    // Reads the database's own properties as the snapshot shows them, for the manifest (a dump
    // without --create has none of them). Called once the dump is done, while the snapshot is
    // still held: pg_dump starts first, so that it is what waits for a lock, as the backup's
    // session that its timeout ends. Empty: the manifest records no properties.
    std::function<DatabaseProperties()> read_database_properties;
    // Reads the tables, indexes, constraints, sequences and large objects the snapshot shows, at
    // the same time. Empty: the backup records no inventory.
    std::function<DumpInventory()> read_schema_inventory;
};

// Writes the object and then its manifest, each atomically, to request.storage and, when there is
// one, to request.copy's storage too. On failure throws Error whose message carries the tail of
// pg_dump's stderr or its exit status, or names the copy's destination ("copy to ..."), and leaves
// nothing in either storage. A copy that is not required may fail alone: the backup completes,
// nothing of it stays in the copy's storage, and BackupResult::copy says why.
// `progress` is called about once a second until run_backup() returns; `storage_log` receives the
// storage's notices (retried requests). A database dump is taken from `snapshot` when
// there is one; without one, pg_dump takes its own.
BackupResult run_backup(const BackupRequest &request, const ProgressCallback &progress,
                        const StorageLog &storage_log = {},
                        const std::optional<DumpSnapshot> &snapshot = std::nullopt);

} // namespace lokbackup
