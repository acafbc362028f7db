// The backups that a storage holds, as their manifests describe them: what restore and verify
// --from choose from without the server's catalog.
#pragma once

#include "core/backup/manifest.hpp"
#include "core/storage/storage.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lokbackup
{

struct StoredBackup {
    BackupDescription manifest;
    std::string manifest_key;
    bool object_present = false; // the manifest's object_key is among the listed keys
};

// The backups whose manifests are among `keys` (a listing of `storage`). A manifest that cannot be
// read or parsed is passed to `skipped` with the reason and left out: one damaged manifest must
// not stand in the way of restoring any other backup, which may be all that is left after a
// disaster.
std::vector<StoredBackup> read_stored_backups(
    Storage &storage, const std::vector<std::string> &keys,
    const std::function<void(const std::string &key, const std::string &reason)> &skipped);

// The highest backup id among the names of `keys`, objects and manifests alike; 0 when there is
// none. A backup id the worker hands out must be past it, or two backups would share an id.
std::int64_t highest_backup_id(const std::vector<std::string> &keys);

struct LatestBackup {
    const StoredBackup *chosen = nullptr; // null: no backup of the database has its object
    // Newer backups of the database whose object is gone, newest first.
    std::vector<const StoredBackup *> missing;
};
// The newest backup (by finished_at, then id) of `database` whose object is present.
LatestBackup choose_latest(const std::vector<StoredBackup> &backups, const std::string &database);

// The backup with `id`; null when there is none. Before 0.3.0 a reinstalled extension handed out
// ids again, so a storage may hold two different backups with one id: `sha256` (--sha256) picks
// one, and without it they are refused with an Error that names each, never chosen silently.
// Copies of one backup (the same SHA-256) are one backup; a copy whose object is present is taken.
const StoredBackup *choose_by_id(const std::vector<StoredBackup> &backups, std::int64_t id,
                                 const std::optional<std::string> &sha256);

} // namespace lokbackup
